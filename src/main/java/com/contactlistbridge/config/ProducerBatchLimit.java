package com.contactlistbridge.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.contactlistbridge.ops.LogEscaping;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every batch of the routes' Kafka producers within what the flows' outcome and dead-letter topics accept.
 *
 * <p>Kafka's producer answers a batch that a topic refuses as too large by splitting it into pieces of
 * {@code batch.size} bytes and sending them again. When the topic's {@code max.message.bytes} is below
 * {@code batch.size} (16 KB by default), the pieces are refused again, without end until {@code delivery.timeout.ms};
 * then the events are read again and the same happens: a loop that publishes nothing. A batch of one record never
 * loops (it fails with RecordTooLargeException, and the dead-letter route trims the record). So at start-up the
 * routes' {@code batch.size} ({@code camel.component.kafka.producer-batch-size}) is capped at the smallest
 * {@code max.message.bytes} of the topics the flows publish to. The processed-events writer caps its own.
 *
 * <p>A context service, like the processed-events store: {@link #check} reads the limits in the background while the
 * rest of the start-up runs, and the service's start waits for it, so the cap is in place before the routes start and
 * camel-kafka makes its producers (at the first outcome, from the component's configuration).
 */
public final class ProducerBatchLimit extends ServiceSupport {

    /** Kafka's and camel-kafka's default batch.size. */
    static final int DEFAULT_BATCH_SIZE = 16_384;
    static final String CLIENT_ID = "contact-list-bridge-topic-limits";
    private static final Logger LOG = LoggerFactory.getLogger(ProducerBatchLimit.class);

    private final KafkaClientSettings clients;
    private final Duration timeout;
    private CompletableFuture<Integer> checking;

    /**
     * @param timeout how long reading the limits may take; then the start goes on with the configured batch size
     */
    public ProducerBatchLimit(KafkaClientSettings clients, Duration timeout) {
        this.clients = clients;
        this.timeout = timeout;
    }

    /** Starts reading the topics' limits in the background; the cap is set on {@code kafka} when they are known. */
    public synchronized void check(KafkaConfiguration kafka, Collection<String> topics) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        checking = result;
        Thread checker = new Thread(() -> {
            try {
                result.complete(apply(kafka, clients, topics, timeout));
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("Could not check the topic limits for the producers' batch.size ({})",
                        LogEscaping.text(KafkaClientSettings.rootMessage(e)));
                result.complete(-1);
            }
        }, "producer-batch-limit");
        checker.setDaemon(true);
        checker.start();
    }

    /**
     * Waits for the check started by {@link #check}, if any. It gives up by itself after its timeout; a check that
     * still has not ended a few seconds later is left behind, and the start goes on.
     */
    @Override
    protected void doStart() throws InterruptedException {
        CompletableFuture<Integer> started;
        synchronized (this) {
            started = checking;
        }
        if (started == null) {
            return;
        }
        try {
            started.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("The check of the topic limits did not end in time: the routes start without waiting for it");
        }
    }

    /**
     * Reads the topics' max.message.bytes and lowers the component's producer batch size to the smallest, before any
     * producer is made. Topics that do not exist yet are skipped (Kafka creates them with the broker's limit, 1 MB
     * unless changed); when the limits cannot be read (no DescribeConfigs permission, no answer in time), the batch
     * size stays and a warning says what to set.
     *
     * @return the batch size the routes' producers use
     */
    static int apply(KafkaConfiguration kafka, KafkaClientSettings clients, Collection<String> topics,
                     Duration timeout) {
        int configured = kafka.getProducerBatchSize() != null ? kafka.getProducerBatchSize() : DEFAULT_BATCH_SIZE;
        if (topics.isEmpty()) {
            return configured;
        }
        Properties config = clients.forClients("the start-up check of topic limits (" + CLIENT_ID + ")");
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        Map<String, Integer> limits;
        Admin admin = null;
        try {
            admin = Admin.create(config);
            limits = limits(admin, topics, timeout);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // INFO, not WARN: clusters that grant no DescribeConfigs would warn at every start about a rare setup.
            LOG.info("Could not read max.message.bytes of the outcome and dead-letter topics {} ({}): the producers "
                    + "keep batch.size {}. If a topic accepts less, set camel.component.kafka.producer-batch-size to "
                    + "at most its max.message.bytes, or its events would be sent again and again",
                    topics, LogEscaping.text(KafkaClientSettings.rootMessage(e)), configured);
            return configured;
        } finally {
            if (admin != null) {
                // Not Admin.close()'s unbounded wait for calls still pending with an unreachable cluster.
                admin.close(Duration.ofSeconds(1));
            }
        }
        int capped = capped(configured, limits);
        if (capped < configured) {
            String smallest = limits.entrySet().stream().filter(entry -> entry.getValue() == capped)
                    .map(Map.Entry::getKey).findFirst().orElse("?");
            kafka.setProducerBatchSize(capped);
            LOG.info("Kafka producers of the routes batch at most {} bytes (batch.size was {}): topic {} accepts "
                    + "records of at most {} bytes (max.message.bytes), and a larger batch would be refused and sent "
                    + "again without end", capped, configured, smallest, capped);
        }
        return capped;
    }

    /** The batch size that no topic refuses: the configured one, or the smallest limit if that is smaller. */
    static int capped(int configured, Map<String, Integer> limits) {
        int capped = configured;
        for (int limit : limits.values()) {
            capped = Math.min(capped, Math.max(1, limit));
        }
        return capped;
    }

    /**
     * max.message.bytes of each existing topic among {@code topics}.
     *
     * @throws Exception when the cluster does not answer or refuses to describe a topic
     */
    static Map<String, Integer> limits(Admin admin, Collection<String> topics, Duration timeout) throws Exception {
        List<ConfigResource> resources = new ArrayList<>();
        topics.forEach(topic -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, topic)));
        Map<ConfigResource, KafkaFuture<Config>> described = admin.describeConfigs(resources).values();
        Map<String, Integer> limits = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ConfigResource resource : resources) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                Config topicConfig = described.get(resource).get(left, TimeUnit.NANOSECONDS);
                ConfigEntry entry = topicConfig.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (entry != null && entry.value() != null) {
                    limits.put(resource.name(), Integer.parseInt(entry.value().strip()));
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                // Not created yet: Kafka will create it with the broker's limit.
            } catch (TimeoutException e) {
                throw new TimeoutException("no answer within " + timeout.toMillis() + " ms");
            }
        }
        return limits;
    }
}
