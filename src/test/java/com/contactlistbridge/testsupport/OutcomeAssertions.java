package com.contactlistbridge.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * The contract "every input record ends in exactly one outcome record", checked per input record rather than by
 * totals (a lost outcome and a duplicate one would cancel out in a total).
 *
 * <p>A dead letter names its input by position ({@code bridge.original.partition} / {@code .offset}); a created record
 * by its event id ({@code bridge.event-id}), so inputs that expect a created record carry the event id the bridge
 * resolves for them. Two inputs with the same event id (a re-sent event) expect that many created records.
 */
public final class OutcomeAssertions {

    /** The outcome an input record must end in. */
    public enum Kind { CREATED, DEAD_LETTER }

    /** Where an input record is: partition and offset of the requests topic. */
    public record Position(int partition, long offset) implements Comparable<Position> {

        public static Position of(RecordMetadata sent) {
            return new Position(sent.partition(), sent.offset());
        }

        @Override
        public int compareTo(Position other) {
            int byPartition = Integer.compare(partition, other.partition);
            return byPartition != 0 ? byPartition : Long.compare(offset, other.offset);
        }

        @Override
        public String toString() {
            return partition + "-" + offset;
        }
    }

    /** One input record and the outcome it must end in; {@code eventId} links a created record to it. */
    public record Expected(Position position, Kind kind, String eventId) {

        public static Expected created(RecordMetadata sent, String eventId) {
            return new Expected(Position.of(sent), Kind.CREATED, Objects.requireNonNull(eventId, "eventId"));
        }

        public static Expected deadLetter(RecordMetadata sent) {
            return new Expected(Position.of(sent), Kind.DEAD_LETTER, null);
        }
    }

    private OutcomeAssertions() {
    }

    /**
     * Waits until consumer group {@code group} has committed every expected input (its outcome is then stored, and
     * nothing more is written for it), then checks that each input has exactly one outcome of the expected kind and
     * that no other outcome exists.
     *
     * @return the outcome of every input, by position
     * @throws AssertionError naming every input without its outcome, with several, and every unmatched outcome
     */
    public static Map<Position, ConsumerRecord<byte[], byte[]>> awaitOneOutcomePerInput(
            String brokers, String group, String requestsTopic, String createdTopic, String deadLetterTopic,
            List<Expected> expected, Duration timeout) {
        Map<Integer, Long> ends = new TreeMap<>();
        expected.forEach(e -> ends.merge(e.position().partition(), e.position().offset() + 1, Math::max));
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> ends.entrySet().stream()
                    .allMatch(end -> KafkaTestClient.committedOffset(brokers, group, requestsTopic, end.getKey())
                            >= end.getValue()));
        } catch (ConditionTimeoutException e) {
            Map<Integer, Long> committed = new TreeMap<>();
            ends.keySet().forEach(p -> committed.put(p, KafkaTestClient.committedOffset(brokers, group,
                    requestsTopic, p)));
            throw new AssertionError("group " + group + " did not commit every input within " + timeout
                    + ": expected at least " + ends + ", committed " + committed + "; outcomes so far: "
                    + describe(KafkaTestClient.readAll(brokers, createdTopic, Duration.ZERO),
                    KafkaTestClient.readAll(brokers, deadLetterTopic, Duration.ZERO)), e);
        }
        return assertOneOutcomePerInput(expected, KafkaTestClient.readAll(brokers, createdTopic, Duration.ZERO),
                KafkaTestClient.readAll(brokers, deadLetterTopic, Duration.ZERO));
    }

    /** The check of {@link #awaitOneOutcomePerInput} on outcome records already read. */
    public static Map<Position, ConsumerRecord<byte[], byte[]>> assertOneOutcomePerInput(
            List<Expected> expected, List<ConsumerRecord<byte[], byte[]>> created,
            List<ConsumerRecord<byte[], byte[]>> deadLetters) {
        Map<Position, Expected> byPosition = new TreeMap<>();
        for (Expected e : expected) {
            if (byPosition.put(e.position(), e) != null) {
                throw new IllegalArgumentException("two expectations for input " + e.position());
            }
        }
        Map<Position, List<ConsumerRecord<byte[], byte[]>>> outcomes = new TreeMap<>();
        List<String> problems = new ArrayList<>();

        for (ConsumerRecord<byte[], byte[]> dead : deadLetters) {
            Position position = positionOf(dead);
            Expected e = position == null ? null : byPosition.get(position);
            if (e == null) {
                problems.add("dead letter for no expected input: " + describe(dead));
            } else {
                outcomes.computeIfAbsent(position, p -> new ArrayList<>()).add(dead);
            }
        }
        // Created records carry no position: each is given to the first input expecting its event id that has none.
        Map<String, List<Expected>> createdById = new LinkedHashMap<>();
        byPosition.values().stream().filter(e -> e.kind() == Kind.CREATED)
                .forEach(e -> createdById.computeIfAbsent(e.eventId(), id -> new ArrayList<>()).add(e));
        for (ConsumerRecord<byte[], byte[]> record : created) {
            String id = KafkaTestClient.header(record, "bridge.event-id");
            List<Expected> candidates = createdById.getOrDefault(id, List.of());
            Expected target = candidates.stream().filter(c -> !outcomes.containsKey(c.position())).findFirst()
                    .orElse(candidates.isEmpty() ? null : candidates.get(0));
            if (target == null) {
                problems.add("created record for no expected input: " + describe(record));
            } else {
                outcomes.computeIfAbsent(target.position(), p -> new ArrayList<>()).add(record);
            }
        }

        for (Expected e : byPosition.values()) {
            List<ConsumerRecord<byte[], byte[]>> found = outcomes.getOrDefault(e.position(), List.of());
            if (found.isEmpty()) {
                problems.add("input " + e.position() + " has no outcome (expected " + e.kind()
                        + (e.eventId() != null ? " " + e.eventId() : "") + ")");
            } else if (found.size() > 1) {
                problems.add("input " + e.position() + " has " + found.size() + " outcomes: "
                        + found.stream().map(OutcomeAssertions::describe).toList());
            } else if (kindOf(found.get(0), deadLetters) != e.kind()) {
                problems.add("input " + e.position() + " expected " + e.kind() + " but ended as "
                        + describe(found.get(0)));
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("not exactly one outcome per input record:\n  " + String.join("\n  ", problems));
        }
        Map<Position, ConsumerRecord<byte[], byte[]>> result = new TreeMap<>();
        outcomes.forEach((position, records) -> result.put(position, records.get(0)));
        return result;
    }

    private static Kind kindOf(ConsumerRecord<byte[], byte[]> outcome, List<ConsumerRecord<byte[], byte[]>> dead) {
        return dead.contains(outcome) ? Kind.DEAD_LETTER : Kind.CREATED;
    }

    private static Position positionOf(ConsumerRecord<byte[], byte[]> deadLetter) {
        String partition = KafkaTestClient.header(deadLetter, "bridge.original.partition");
        String offset = KafkaTestClient.header(deadLetter, "bridge.original.offset");
        if (partition == null || offset == null) {
            return null;
        }
        return new Position(Integer.parseInt(partition), Long.parseLong(offset));
    }

    private static String describe(List<ConsumerRecord<byte[], byte[]>> created,
                                   List<ConsumerRecord<byte[], byte[]>> dead) {
        List<String> all = new ArrayList<>();
        created.forEach(r -> all.add(describe(r)));
        dead.forEach(r -> all.add(describe(r)));
        return all.toString();
    }

    private static String describe(ConsumerRecord<byte[], byte[]> outcome) {
        String reason = KafkaTestClient.header(outcome, "bridge.error.reason");
        return (reason == null ? "created" : "dead letter " + reason) + " [event-id "
                + KafkaTestClient.header(outcome, "bridge.event-id") + ", " + outcome.topic() + "@"
                + outcome.partition() + "-" + outcome.offset()
                + (reason == null ? "" : ", input " + positionOf(outcome)) + "]";
    }
}
