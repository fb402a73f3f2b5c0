package com.contactlistbridge.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * Plain Kafka client helpers for tests, on raw {@code byte[]} keys and values so that tests see exactly what is on
 * the wire.
 *
 * <p>Every call opens and closes its own client: slower than a shared one by some tens of milliseconds, but no state
 * leaks between tests. Reads use group-less consumers (manual assignment, no {@code group.id}), so they neither join
 * nor disturb the consumer groups of the code under test.
 */
public final class KafkaTestClient {

    /** Upper bound for one send and for metadata look-ups; generous, a local broker answers in milliseconds. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Comparator<ConsumerRecord<byte[], byte[]>> BY_PARTITION_AND_OFFSET =
            Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                    .thenComparingLong(ConsumerRecord::offset);

    private KafkaTestClient() {
    }

    /**
     * Produces one record and waits until the broker has acknowledged it on all in-sync replicas.
     *
     * @param key     record key, may be null
     * @param value   record value, may be null (a tombstone)
     * @param headers record headers in iteration order, may be null; a null header value is sent as a null value
     * @return where the record was written (partition and offset)
     */
    public static RecordMetadata send(String bootstrap, String topic, byte[] key, byte[] value,
                                      Map<String, byte[]> headers) {
        requireText(bootstrap, "bootstrap");
        requireText(topic, "topic");
        RecordHeaders recordHeaders = new RecordHeaders();
        if (headers != null) {
            headers.forEach(recordHeaders::add);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(bootstrap))) {
            return producer.send(new ProducerRecord<>(topic, null, key, value, recordHeaders))
                    .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Could not send a record to topic " + topic + " at " + bootstrap, cause);
        }
    }

    /**
     * Produces UTF-8 records (key to value, in iteration order) as one record batch, and waits until the broker has
     * acknowledged them: a consumer's poll gets all of them or none, so they end up in one batch of the bridge.
     */
    public static void sendTogether(String bootstrap, String topic, Map<String, String> records) {
        requireText(bootstrap, "bootstrap");
        requireText(topic, "topic");
        Properties props = producerProperties(bootstrap);
        // Nothing leaves before the flush, and everything fits one batch.
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5_000);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 1_048_576);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            records.forEach((key, value) -> acks.add(producer.send(new ProducerRecord<>(topic, 0, utf8(key),
                    utf8(value)))));
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Could not send records to topic " + topic + " at " + bootstrap, cause);
        }
    }

    /** Produces one record with UTF-8 key (may be null) and value (may be null) and no headers. */
    public static RecordMetadata send(String bootstrap, String topic, String key, String value) {
        return send(bootstrap, topic, utf8(key), utf8(value), null);
    }

    /**
     * Reads {@code topic} from the beginning of every partition until at least {@code expectedCount} records have
     * arrived.
     *
     * @return every record read (possibly more than expected), sorted by partition and offset
     * @throws AssertionError if fewer than {@code expectedCount} records arrived within {@code timeout}
     */
    public static List<ConsumerRecord<byte[], byte[]>> awaitRecords(String bootstrap, String topic, int expectedCount,
                                                                   Duration timeout) {
        requireText(bootstrap, "bootstrap");
        requireText(topic, "topic");
        if (expectedCount < 0) {
            throw new IllegalArgumentException("expectedCount must not be negative, got " + expectedCount);
        }
        Objects.requireNonNull(timeout, "timeout");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(bootstrap))) {
            AtomicBoolean assigned = new AtomicBoolean();
            // Same thread: KafkaConsumer is single-threaded. consumer.poll() does the waiting once assigned; the
            // poll interval only paces the metadata look-ups while the topic does not exist yet.
            await().atMost(timeout)
                    .pollInSameThread()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        if (!assigned.get()) {
                            if (assignFromBeginning(consumer, topic).isEmpty()) {
                                return false;
                            }
                            assigned.set(true);
                        }
                        consumer.poll(POLL_TIMEOUT).forEach(records::add);
                        return records.size() >= expectedCount;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Expected at least " + expectedCount + " record(s) on topic '" + topic
                    + "' within " + timeout + " but got " + records.size(), e);
        }
        records.sort(BY_PARTITION_AND_OFFSET);
        return records;
    }

    /**
     * Reads every record currently in {@code topic}: up to the end offsets taken at the start, then on until no
     * further record has arrived for {@code quietPeriod}, which lets late writes of the code under test show up in
     * "exactly N records" assertions. A topic that does not exist reads as empty.
     *
     * @param quietPeriod how long no new record must arrive before the read ends; {@link Duration#ZERO} for a plain
     *                    snapshot up to the current end offsets
     * @return the records, sorted by partition and offset
     * @throws AssertionError if the end offsets could not be reached within the client timeout, or records keep
     *                        arriving so that the topic never becomes quiet within that timeout plus the quiet period
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, Duration quietPeriod) {
        requireText(bootstrap, "bootstrap");
        requireText(topic, "topic");
        Objects.requireNonNull(quietPeriod, "quietPeriod");
        if (quietPeriod.isNegative()) {
            throw new IllegalArgumentException("quietPeriod must not be negative, got " + quietPeriod);
        }
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(bootstrap))) {
            List<TopicPartition> partitions = assignFromBeginning(consumer, topic);
            if (partitions.isEmpty()) {
                return records;
            }
            long deadline = System.nanoTime() + CLIENT_TIMEOUT.toNanos() + quietPeriod.toNanos();

            // 1. Drain up to the end offsets (high watermarks) as they are now.
            Map<TopicPartition, Long> endOffsets = consumer.endOffsets(partitions, CLIENT_TIMEOUT);
            while (!reached(consumer, endOffsets)) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("Could not read topic '" + topic + "' up to its end offsets "
                            + endOffsets + " within " + CLIENT_TIMEOUT + "; got " + records.size() + " record(s)");
                }
                consumer.poll(POLL_TIMEOUT).forEach(records::add);
            }

            // 2. Keep listening until the topic has been quiet for the whole quiet period.
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < quietPeriod.toNanos()) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("Topic '" + topic + "' never stayed quiet for " + quietPeriod
                            + "; got " + records.size() + " record(s) so far");
                }
                int before = records.size();
                consumer.poll(POLL_TIMEOUT).forEach(records::add);
                if (records.size() > before) {
                    quietSince = System.nanoTime();
                }
            }
        }
        records.sort(BY_PARTITION_AND_OFFSET);
        return records;
    }

    /**
     * Returns the offset committed by consumer group {@code groupId} for one partition, that is the offset of the
     * next record the group will read, or -1 if the group has committed nothing for it (or does not exist).
     */
    public static long committedOffset(String bootstrap, String groupId, String topic, int partition) {
        requireText(bootstrap, "bootstrap");
        requireText(groupId, "groupId");
        requireText(topic, "topic");
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata()
                    .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            OffsetAndMetadata committed = offsets.get(new TopicPartition(topic, partition));
            return committed == null ? -1 : committed.offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading offsets of group " + groupId, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Could not read committed offsets of group " + groupId, cause);
        }
    }

    /** Returns the value of the last header called {@code name} as UTF-8 text, or null if absent or null-valued. */
    public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(name, "name");
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Decodes a key or value as UTF-8, null-safe; handy in assertions. */
    public static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------------------

    private static List<TopicPartition> assignFromBeginning(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, CLIENT_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            return List.of();
        }
        List<TopicPartition> partitions = infos.stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> endOffsets) {
        // position() is the next offset to read: it moves past control records too, unlike a record count.
        return endOffsets.entrySet().stream()
                .allMatch(end -> consumer.position(end.getKey(), CLIENT_TIMEOUT) >= end.getValue());
    }

    private static Properties producerProperties(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        return props;
    }

    private static Properties consumerProperties(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // No group.id: manual assignment, nothing committed, no interference with the groups under test.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Never create the topic as a side effect of looking it up.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        return props;
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be null or blank");
        }
    }
}
