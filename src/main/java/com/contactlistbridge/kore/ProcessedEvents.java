package com.contactlistbridge.kore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers, durably, which events already have a contact list: event id -> created record, on a compacted Kafka
 * topic, so a redelivered or re-sent event is answered from here and never creates a second list.
 *
 * <p>Modelled on Camel's KafkaIdempotentRepository, which stores keys only; the bridge also needs the created record
 * to publish it again. The start-up reads the topic to its end before the bridge consumes anything; a background
 * reader then follows entries written by other instances of the same group. A bounded LRU cache keeps memory flat:
 * redeliveries concern recent events.
 *
 * <p>If the follower fails, it is restarted from where it stopped, with a growing delay (1 s up to 30 s);
 * {@link #isFollowing()} is false meanwhile, which turns the bridge's readiness DOWN.
 */
public class ProcessedEvents extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessedEvents.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final long MAX_RESTART_DELAY_MILLIS = 30_000;
    /** Record batch and record framing around one key and value, rounded up (Kafka's v2 format needs about 80). */
    private static final int RECORD_OVERHEAD_BYTES = 128;
    /** The reader's fetch.min.bytes: a fetch answers once this much is new, or after {@link #FOLLOWER_MAX_WAIT}. */
    private static final int FOLLOWER_FETCH_MIN_BYTES = 16_384;
    /** The reader's fetch.max.wait.ms: the longest an entry written by another instance takes to be fetched. */
    private static final Duration FOLLOWER_MAX_WAIT = Duration.ofMillis(100);

    private final String topic;
    private final int capacity;
    private final Supplier<Properties> clientConfig;
    private final Map<String, byte[]> cache;
    /** Events whose created record is in the cache but not acknowledged by the store topic yet. */
    private final java.util.Set<String> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private KafkaProducer<String, byte[]> producer;
    private final Function<Properties, Consumer<String, byte[]>> consumerFactory;
    private final long firstRestartDelayMillis;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile Consumer<String, byte[]> follower;
    private Properties followerConfig;
    private List<TopicPartition> partitions;
    private Thread followerThread;
    private volatile boolean running;
    private volatile boolean following;
    /** The largest record the store topic accepts (its max.message.bytes, capped by the producer's request size). */
    private volatile int maxRecordBytes = Integer.MAX_VALUE;
    private java.util.concurrent.CompletableFuture<Void> loading;

    /**
     * @param clientConfig the bridge's Kafka client settings (bootstrap servers and security), read at start
     */
    public ProcessedEvents(String topic, int capacity, Supplier<Properties> clientConfig) {
        this(topic, capacity, clientConfig,
                config -> new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer()), 1_000);
    }

    /**
     * @param consumerFactory         creates the reader's consumer from its settings (tests wrap a real consumer to
     *                                make it fail)
     * @param firstRestartDelayMillis how long the follower waits before its first restart; doubled per failure
     */
    ProcessedEvents(String topic, int capacity, Supplier<Properties> clientConfig,
                    Function<Properties, Consumer<String, byte[]>> consumerFactory, long firstRestartDelayMillis) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.topic = topic;
        this.capacity = capacity;
        this.clientConfig = clientConfig;
        this.consumerFactory = consumerFactory;
        this.firstRestartDelayMillis = firstRestartDelayMillis;
        this.cache = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                return size() > ProcessedEvents.this.capacity;
            }
        });
    }

    /**
     * The created record of this event, if its list was created before: stored, or created by this process and still
     * waiting for its store write (see {@link #isDurable}).
     */
    public Optional<byte[]> find(String eventId) {
        return Optional.ofNullable(cache.get(eventId));
    }

    /** False while the event's created record is only in memory: its store write has not been acknowledged yet. */
    public boolean isDurable(String eventId) {
        return !pending.contains(eventId);
    }

    /** True while the background reader follows the store topic (false before the start and while it restarts). */
    public boolean isFollowing() {
        return following;
    }

    /**
     * Stores the created record of an event and waits for Kafka's acknowledgement. The record is kept in memory at
     * once, so that even if the write fails, a retry or a re-read of the event in this process finds the list and
     * only tries the write again, never the Kore.ai call.
     *
     * @throws ProcessedEventsException if Kafka does not acknowledge the write: retryable after a timeout or a
     *                                  retriable Kafka error, not after a refusal (e.g. record too large)
     */
    public void remember(String eventId, byte[] createdRecord) throws ProcessedEventsException {
        pending.add(eventId);
        cache.put(eventId, createdRecord);
        int size = eventId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + createdRecord.length
                + RECORD_OVERHEAD_BYTES;
        if (size > maxRecordBytes) {
            // Refused before sending: the producer would split and resend such a record without end.
            throw new ProcessedEventsException("the list was created, but its processed-events record (about " + size
                    + " bytes) is larger than " + topic + " accepts (" + maxRecordBytes + " bytes)", false, null);
        }
        try {
            producer.send(new ProducerRecord<>(topic, eventId, createdRecord)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessedEventsException("interrupted while storing the processed event", true, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            // A refusal (record too large, not authorised) stays a refusal: only a timeout or a retriable error may
            // succeed on a later try.
            boolean retryable = !(e instanceof ExecutionException) || cause instanceof RetriableException;
            throw new ProcessedEventsException("the list was created, but storing it in the processed events on "
                    + topic + " failed: " + cause.getMessage(), retryable, cause);
        }
        pending.remove(eventId);
    }

    /**
     * Starts loading the store in the background (clients, topic, catching up), so that it overlaps with the rest of
     * the bridge's start-up; {@link #doStart()} waits for it. Called once, early; doStart calls it if nobody did.
     */
    public synchronized void prepare() {
        if (loading == null) {
            loading = new java.util.concurrent.CompletableFuture<>();
            Thread loader = new Thread(() -> {
                try {
                    load();
                    loading.complete(null);
                } catch (Throwable t) {
                    loading.completeExceptionally(t);
                }
            }, "processed-events-loader");
            loader.setDaemon(true);
            loader.start();
        }
    }

    /** Waits until the store has read everything stored so far; fails the start-up if it could not. */
    @Override
    protected void doStart() throws Exception {
        prepare();
        try {
            loading.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
        running = true;
        following = true;
        followerThread = new Thread(this::follow, "processed-events-follower");
        followerThread.setDaemon(true);
        followerThread.start();
    }

    private void load() {
        Properties config = clientConfig.get();
        Properties producerConfig = clientProperties(config);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "contact-list-bridge-processed-writer");

        followerConfig = clientProperties(config);
        followerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A restarted reader whose position was compacted or deleted away reads what is left from the start.
        followerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        followerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "contact-list-bridge-processed-reader");
        // Under load the reader fetches in batches rather than once per written record (most of which this instance
        // wrote itself); other instances' entries are still seen within FOLLOWER_MAX_WAIT.
        followerConfig.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FOLLOWER_FETCH_MIN_BYTES);
        followerConfig.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) FOLLOWER_MAX_WAIT.toMillis());
        follower = consumerFactory.apply(followerConfig);
        partitions = new ArrayList<>();
        follower.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        try (Admin admin = Admin.create(clientProperties(config))) {
            if (partitions.isEmpty()) {
                createCompactedTopic(admin);
                // A just-created topic can be missing from the next metadata answer: ask until it is there.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (partitions.isEmpty()) {
                    follower.partitionsFor(topic, Duration.ofSeconds(30))
                            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                    if (partitions.isEmpty() && System.nanoTime() > deadline) {
                        throw new IllegalStateException("topic " + topic + " (bridge.topic.processed) was created "
                                + "but its partitions did not show up within 30 s");
                    }
                    if (partitions.isEmpty()) {
                        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                    }
                }
            }
            maxRecordBytes = recordLimit(admin, producerConfig);
        }
        // A batch never larger than the topic accepts: Kafka's producer splits a refused batch into batch.size pieces
        // and resends them, without end when the topic's limit is below batch.size (16 KB by default).
        int batchSize = Integer.parseInt(String.valueOf(producerConfig.getOrDefault(ProducerConfig.BATCH_SIZE_CONFIG,
                16_384)).strip());
        producerConfig.put(ProducerConfig.BATCH_SIZE_CONFIG, Math.max(1, Math.min(batchSize, maxRecordBytes)));
        producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
        follower.assign(partitions);
        follower.seekToBeginning(partitions);
        long started = System.nanoTime();
        int loaded = catchUp(partitions);
        LOG.info("Loaded {} processed events from {} in {} ms", loaded, topic,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Creates the topic when it is missing (compacted: only the latest record per event id matters), with the
     * broker's default replication factor. Clusters that forbid it need the topic created by an operator.
     */
    private void createCompactedTopic(Admin admin) {
        try {
            NewTopic newTopic = new NewTopic(topic, Optional.of(3), Optional.empty())
                    .configs(Map.of("cleanup.policy", "compact"));
            admin.createTopics(List.of(newTopic)).all().get(30, TimeUnit.SECONDS);
            LOG.info("Created the compacted topic {} for processed events", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("topic " + topic + " (bridge.topic.processed) does not exist and "
                        + "could not be created (" + e.getCause().getMessage() + "): create it with "
                        + "cleanup.policy=compact", e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topic " + topic + " (bridge.topic.processed)", e);
        }
    }

    /**
     * The store topic's max.message.bytes, capped by the producer's max.request.size; the producer's limit alone when
     * the topic's configuration may not be read (no DescribeConfigs permission).
     */
    private int recordLimit(Admin admin, Properties producerConfig) {
        Object configured = producerConfig.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        int requestLimit = configured == null ? 1_048_576 : Integer.parseInt(configured.toString().strip());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config topicConfig = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS)
                    .get(resource);
            ConfigEntry entry = topicConfig == null ? null : topicConfig.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (entry != null && entry.value() != null) {
                return Math.min(requestLimit, Integer.parseInt(entry.value()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.info("Could not read max.message.bytes of {} ({}); assuming the producer's limit of {} bytes", topic,
                    e.getMessage(), requestLimit);
        }
        return requestLimit;
    }

    /** Reads to the end offsets as of now: the bridge starts only when it knows everything stored so far. */
    private int catchUp(List<TopicPartition> partitions) {
        Map<TopicPartition, Long> end = follower.endOffsets(partitions);
        int loaded = 0;
        while (partitions.stream().anyMatch(p -> follower.position(p) < end.get(p))) {
            for (ConsumerRecord<String, byte[]> record : follower.poll(POLL)) {
                apply(record);
                loaded++;
            }
        }
        return loaded;
    }

    /** Follows the store until the bridge stops; restarts the reader after a failure, from where it stopped. */
    private void follow() {
        Map<TopicPartition, Long> positions = new java.util.HashMap<>();
        // Caught up at start: the positions are known locally.
        partitions.forEach(p -> positions.put(p, follower.position(p)));
        long restartDelay = firstRestartDelayMillis;
        while (running) {
            try {
                if (follower == null) {
                    follower = consumerFactory.apply(followerConfig);
                    follower.assign(partitions);
                    positions.forEach(follower::seek);
                    LOG.info("Restarted following {}", topic);
                }
                ConsumerRecords<String, byte[]> records = follower.poll(POLL);
                following = true;
                for (ConsumerRecord<String, byte[]> record : records) {
                    apply(record);
                    positions.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
                }
                restartDelay = firstRestartDelayMillis;
            } catch (WakeupException e) {
                // expected on stop
            } catch (RuntimeException e) {
                following = false;
                LOG.warn("Stopped following {} ({}); entries written by other instances are not seen until the "
                        + "reader restarts in {} ms", topic, e.getMessage(), restartDelay);
                closeFollower();
                if (awaitStop(restartDelay)) {
                    break;
                }
                restartDelay = Math.min(restartDelay * 2, MAX_RESTART_DELAY_MILLIS);
            }
        }
        following = false;
        closeFollower();
    }

    private void closeFollower() {
        if (follower != null) {
            try {
                follower.close(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                LOG.debug("Closing the processed-events reader failed", e);
            }
            follower = null;
        }
    }

    /** Waits for the delay, or less if the bridge stops meanwhile; true if it stops. */
    private boolean awaitStop(long millis) {
        try {
            return stopping.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            cache.remove(record.key()); // a tombstone forgets the event (operators can delete entries this way)
        } else {
            cache.put(record.key(), record.value());
        }
    }

    @Override
    protected void doStop() throws InterruptedException {
        running = false;
        stopping.countDown();
        Consumer<String, byte[]> current = follower;
        if (current != null) {
            current.wakeup();
        }
        if (followerThread != null) {
            followerThread.join(5_000);
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** A copy per client, so each can add its own settings to the shared address and security settings. */
    private static Properties clientProperties(Properties config) {
        Properties properties = new Properties();
        properties.putAll(config);
        return properties;
    }

    /** For logs and tests: how many events are remembered in memory. */
    public int size() {
        return cache.size();
    }

}
