package com.contactlistbridge.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Reads the dead-letter topic up to its end offsets as of the start and re-publishes the selected records to the
 * requests topic, one acknowledged record at a time.
 */
final class DeadLetterReplayer {

    /** Receives one call per dead letter read, after its record was acknowledged when it is replayed. */
    @FunctionalInterface
    interface Listener {
        void onDeadLetter(DeadLetter deadLetter, ReplaySelection.Decision decision, String supersededBy);
    }

    /** A failure that ends the run: a topic is missing, Kafka cannot be read, or a record could not be published. */
    static final class ReplayFailedException extends Exception {
        ReplayFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

    private final ReplaySettings settings;
    private final Duration stallTimeout;

    /**
     * @param stallTimeout how long a read may go without any record before it is given up (the end offsets are
     *                     known, so a read that stalls means the cluster stopped answering)
     */
    DeadLetterReplayer(ReplaySettings settings, Duration stallTimeout) {
        this.settings = settings;
        this.stallTimeout = stallTimeout;
    }

    /**
     * Replays what {@code options} select and reports every dead letter to {@code listener}.
     *
     * <p>The topic is read twice up to the same end offsets: first to find the dead letters that a later one
     * supersedes (a replay that failed again points back with {@code bridge.replayed-from}), then to decide and
     * publish. Dead letters written while the run is under way, such as replays failing again, wait for the next run.
     *
     * @throws ReplayFailedException on the first failure; records reported as replayed before it stay published
     */
    void replay(ReplayOptions options, Listener listener) throws ReplayFailedException {
        String deadLetterTopic = settings.deadLetterTopic();
        String requestsTopic = settings.requestsTopic();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumerConfig(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = partitions(consumer, deadLetterTopic, settings.deadLetterKey());
            // Checked before anything is published: a producer would otherwise wait for the topic to appear.
            partitions(consumer, requestsTopic, settings.requestsKey());
            Map<TopicPartition, Long> endOffsets = read(() -> consumer.endOffsets(partitions), deadLetterTopic);

            Map<String, String> supersededBy = new HashMap<>();
            Set<String> eventIds = new HashSet<>();
            scan(endOffsets, record -> {
                DeadLetter deadLetter = new DeadLetter(record);
                if (deadLetter.replayedFrom() != null) {
                    supersededBy.putIfAbsent(deadLetter.replayedFrom(), deadLetter.position());
                }
                if (deadLetter.eventId() != null) {
                    eventIds.add(deadLetter.eventId());
                }
            });

            ReplaySelection selection = new ReplaySelection(options, supersededBy,
                    done(consumer, eventIds)::contains);
            try (KafkaProducer<byte[], byte[]> producer = options.dryRun() ? null : new KafkaProducer<>(
                    settings.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
                scan(endOffsets, record -> {
                    DeadLetter deadLetter = new DeadLetter(record);
                    ReplaySelection.Decision decision = selection.decide(deadLetter);
                    if (decision.verdict() == ReplaySelection.Verdict.REPLAY && producer != null) {
                        publish(producer, deadLetter, requestsTopic);
                    }
                    listener.onDeadLetter(deadLetter, decision, selection.supersededBy(deadLetter));
                });
            }
        } catch (KafkaException e) {
            throw new ReplayFailedException("Kafka at " + settings.kafkaBrokers() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The event ids among {@code candidates} that have their list already: stored in the processed events (a later
     * record for an id replaces an earlier one, a tombstone forgets it). Empty when the bridge keeps none, or the
     * topic does not exist yet.
     */
    private Set<String> done(KafkaConsumer<byte[], byte[]> consumer, Set<String> candidates)
            throws ReplayFailedException {
        String topic = settings.processedTopic();
        Set<String> done = new HashSet<>();
        if (topic == null || candidates.isEmpty()) {
            return done;
        }
        List<PartitionInfo> infos = read(() -> consumer.partitionsFor(topic), topic);
        if (infos == null || infos.isEmpty()) {
            return done;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
        scan(read(() -> consumer.endOffsets(partitions), topic), record -> {
            if (record.key() == null) {
                return;
            }
            String eventId = new String(record.key(), StandardCharsets.UTF_8);
            if (!candidates.contains(eventId)) {
                return;
            }
            if (record.value() == null) {
                done.remove(eventId);
            } else {
                done.add(eventId);
            }
        });
        return done;
    }

    /** Waits for the acknowledgement, so REPLAYED is only ever reported for a record Kafka has stored. */
    private static void publish(KafkaProducer<byte[], byte[]> producer, DeadLetter deadLetter, String topic)
            throws ReplayFailedException {
        String what = "could not publish dead letter " + deadLetter.position() + " (event id "
                + Report.printable(deadLetter.eventId()) + ") to " + topic;
        try {
            producer.send(deadLetter.toReplay(topic)).get();
        } catch (ExecutionException e) {
            throw new ReplayFailedException(what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (KafkaException e) {
            throw new ReplayFailedException(what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplayFailedException(what + ": interrupted", e);
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic,
                                                   String property) throws ReplayFailedException {
        List<PartitionInfo> infos = read(() -> consumer.partitionsFor(topic), topic);
        if (infos == null || infos.isEmpty()) {
            throw new ReplayFailedException("topic '" + topic + "' (" + property + ") does not exist", null);
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
        return partitions;
    }

    /** Hands every record below the end offsets to {@code handler}, partition by partition in offset order. */
    private void scan(Map<TopicPartition, Long> endOffsets, RecordHandler handler) throws ReplayFailedException {
        // A fresh consumer per pass keeps the two passes independent: no fetch state is carried over.
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumerConfig(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(endOffsets.keySet());
            consumer.seekToBeginning(endOffsets.keySet());
            scan(consumer, endOffsets, handler);
        }
    }

    private void scan(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> endOffsets,
                      RecordHandler handler) throws ReplayFailedException {
        long lastPosition = -1;
        long lastProgress = System.nanoTime();
        while (true) {
            List<TopicPartition> done = new ArrayList<>();
            long position = 0;
            for (Map.Entry<TopicPartition, Long> end : endOffsets.entrySet()) {
                // position() is the next offset to read: it also moves past transaction markers and deleted records.
                long next = consumer.position(end.getKey());
                position += next;
                if (next >= end.getValue()) {
                    done.add(end.getKey());
                }
            }
            if (done.size() == endOffsets.size()) {
                return;
            }
            if (position > lastPosition) {
                lastPosition = position;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > stallTimeout.toNanos()) {
                throw new ReplayFailedException("reading stalled: no progress for " + stallTimeout.toSeconds()
                        + " s before the end offsets " + endOffsets, null);
            }
            // Records written after the start are not fetched at all once a partition has reached its end.
            consumer.pause(done);
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                if (record.offset() < endOffsets.get(new TopicPartition(record.topic(), record.partition()))) {
                    handler.handle(record);
                }
            }
        }
    }

    private <T> T read(KafkaCall<T> call, String topic) throws ReplayFailedException {
        try {
            return call.get();
        } catch (KafkaException e) {
            throw new ReplayFailedException("could not read topic '" + topic + "' from " + settings.kafkaBrokers()
                    + ": " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface RecordHandler {
        void handle(ConsumerRecord<byte[], byte[]> record) throws ReplayFailedException;
    }

    @FunctionalInterface
    private interface KafkaCall<T> {
        T get();
    }
}
