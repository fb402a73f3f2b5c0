package com.contactlistbridge.benchmark;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;

/**
 * Reads the created and dead-letter topics from the beginning (no consumer group) and remembers, per event id, the
 * first outcome: its Kafka CreateTime and when this collector received it.
 */
final class OutcomeCollector implements AutoCloseable {

    static final String EVENT_ID_HEADER = "bridge.event-id";
    static final String REASON_HEADER = "bridge.error.reason";

    /** One outcome record as seen by the collector. */
    record Outcome(String eventId, boolean created, String reason, long createTimeMillis, long receivedNanos) {
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String createdTopic;
    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong unidentified = new AtomicLong();
    private final AtomicLong lastArrivalNanos = new AtomicLong(System.nanoTime());
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    OutcomeCollector(String brokers, String createdTopic, String deadLetterTopic, int partitions) {
        this.createdTopic = createdTopic;
        this.consumer = new KafkaConsumer<>(Clients.collectorConsumer(brokers));
        List<TopicPartition> assigned = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            assigned.add(new TopicPartition(createdTopic, p));
            assigned.add(new TopicPartition(deadLetterTopic, p));
        }
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        this.thread = new Thread(this::run, "outcome-collector-" + createdTopic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                long received = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    accept(record, received);
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the poll up.
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> record, long receivedNanos) {
        boolean created = record.topic().equals(createdTopic);
        String eventId = header(record, EVENT_ID_HEADER);
        if (eventId == null && created && record.value() != null) {
            try {
                JsonNode value = mapper.readTree(record.value());
                eventId = value == null ? null : value.path("eventId").asText(null);
            } catch (Exception notJson) {
                eventId = null;
            }
        }
        if (eventId == null) {
            unidentified.incrementAndGet();
            return;
        }
        Outcome outcome = new Outcome(eventId, created, created ? null : header(record, REASON_HEADER),
                record.timestamp(), receivedNanos);
        if (outcomes.putIfAbsent(eventId, outcome) != null) {
            duplicates.incrementAndGet();
        }
        lastArrivalNanos.set(receivedNanos);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    Outcome outcome(String eventId) {
        return outcomes.get(eventId);
    }

    long duplicates() {
        return duplicates.get();
    }

    long unidentified() {
        return unidentified.get();
    }

    /**
     * Waits until every id has an outcome, until no new outcome arrived for {@code stall}, or until {@code alive}
     * turns false (the contender's process exited).
     *
     * @return the ids still without an outcome (empty when all arrived)
     */
    Set<String> awaitAll(Collection<String> eventIds, Duration stall, BooleanSupplier alive)
            throws InterruptedException {
        Set<String> missing = new LinkedHashSet<>(eventIds);
        long stallNanos = stall.toNanos();
        long waitingSince = System.nanoTime();
        while (true) {
            missing.removeIf(outcomes::containsKey);
            if (missing.isEmpty()) {
                return missing;
            }
            if (failure != null) {
                throw new IllegalStateException("Outcome collector failed", failure);
            }
            long lastProgress = Math.max(waitingSince, lastArrivalNanos.get());
            if (System.nanoTime() - lastProgress > stallNanos) {
                return missing;
            }
            if (!alive.getAsBoolean()) {
                // Outcomes it wrote just before it exited may still be on their way.
                Thread.sleep(500);
                missing.removeIf(outcomes::containsKey);
                return missing;
            }
            Thread.sleep(5);
        }
    }

    /** Earliest and latest receive time (System.nanoTime()) of the outcomes of these ids; null when none. */
    long[] receivedSpan(Collection<String> eventIds) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (String id : eventIds) {
            Outcome outcome = outcomes.get(id);
            if (outcome != null) {
                first = Math.min(first, outcome.receivedNanos());
                last = Math.max(last, outcome.receivedNanos());
            }
        }
        return first == Long.MAX_VALUE ? null : new long[] {first, last};
    }

    /** Dead letters among these ids, counted by their bridge.error.reason header. */
    Map<String, Long> deadLetterReasons(Collection<String> eventIds) {
        Map<String, Long> reasons = new TreeMap<>();
        for (String id : eventIds) {
            Outcome outcome = outcomes.get(id);
            if (outcome != null && !outcome.created()) {
                reasons.merge(String.valueOf(outcome.reason()), 1L, Long::sum);
            }
        }
        return reasons;
    }

    /** How many of these ids have an outcome, and how many of those are dead letters. */
    long[] count(Collection<String> eventIds) {
        long outcomesFound = 0;
        long deadLetters = 0;
        for (String id : eventIds) {
            Outcome outcome = outcomes.get(id);
            if (outcome != null) {
                outcomesFound++;
                if (!outcome.created()) {
                    deadLetters++;
                }
            }
        }
        return new long[] {outcomesFound, deadLetters};
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
