package com.contactlistbridge.replay;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalInt;

import com.contactlistbridge.event.EventIdResolver;
import com.contactlistbridge.routes.OutcomeRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.RecordBatch;

/** One record of the dead-letter topic as replay sees it, and the requests record that replays it. */
public final class DeadLetter {

    /** How often the event was replayed before (UTF-8 decimal; absent = never). Survives a new dead-lettering. */
    public static final String REPLAY_COUNT = "bridge.replay-count";
    /** The dead-letter record a replayed record came from, as topic-partition-offset. */
    public static final String REPLAYED_FROM = "bridge.replayed-from";

    private final ConsumerRecord<byte[], byte[]> record;

    public DeadLetter(ConsumerRecord<byte[], byte[]> record) {
        this.record = record;
    }

    /** Where this dead letter is: topic-partition-offset, the form of {@link #REPLAYED_FROM}. */
    public String position() {
        return record.topic() + "-" + record.partition() + "-" + record.offset();
    }

    /** The record's Kafka timestamp, or null when it has none (records of the pre-0.10 message format). */
    public Instant writtenAt() {
        return record.timestamp() == RecordBatch.NO_TIMESTAMP ? null : Instant.ofEpochMilli(record.timestamp());
    }

    /** {@code bridge.error.reason}, or null when the record has none (not written by the bridge). */
    public String reason() {
        return text(OutcomeRecords.REASON);
    }

    /** {@code bridge.event-id}, else the record key as UTF-8, else null. */
    public String eventId() {
        String eventId = text(OutcomeRecords.EVENT_ID);
        if (eventId != null && !eventId.isEmpty()) {
            return eventId;
        }
        return record.key() == null || record.key().length == 0 ? null
                : new String(record.key(), StandardCharsets.UTF_8);
    }

    /** {@code bridge.contact-list-id}: set when Kore.ai created the list but its created record was not published. */
    public String createdContactListId() {
        return text(OutcomeRecords.CONTACT_LIST_ID);
    }

    /**
     * What the bridge left out of this dead letter to fit Kafka's limits ({@code bridge.error.omitted}, or
     * {@code value} for {@code bridge.error.value-omitted}), or null when it carries the original record whole.
     */
    public String omitted() {
        String omitted = text(OutcomeRecords.OMITTED);
        if (omitted != null && !omitted.isBlank()) {
            return omitted.strip();
        }
        return text(OutcomeRecords.VALUE_OMITTED) != null ? "value" : null;
    }

    /** The dead letter this one is a failed replay of, or null. */
    public String replayedFrom() {
        return text(REPLAYED_FROM);
    }

    /** How often the event was replayed before this dead letter: 0 when never; empty when the header is unreadable. */
    public OptionalInt replayCount() {
        String count = text(REPLAY_COUNT);
        if (count == null) {
            return OptionalInt.of(0);
        }
        try {
            int value = Integer.parseInt(count.strip());
            return value >= 0 ? OptionalInt.of(value) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * The record that replays this dead letter: the original key and value byte for byte, the original headers
     * without the bridge's diagnostic ones, the original event id ({@code bridge.replayed-event-id}) and a replay
     * count one higher. Partition and timestamp are left to the
     * producer, as for any new event.
     *
     * @throws IllegalStateException if the replay count is unreadable (such records are refused, never replayed)
     */
    public ProducerRecord<byte[], byte[]> toReplay(String requestsTopic) {
        int count = replayCount().orElseThrow(() -> new IllegalStateException(
                "dead letter " + position() + " has an unreadable " + REPLAY_COUNT + " header"));
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!isBridgeHeader(header.key())) {
                headers.add(header.key(), header.value());
            }
        }
        String eventId = text(OutcomeRecords.EVENT_ID);
        if (eventId != null && !eventId.isEmpty()) {
            // The original event's identity: an event without eventId and key keeps its first topic-partition-offset.
            headers.add(EventIdResolver.REPLAYED_EVENT_ID, eventId.getBytes(StandardCharsets.UTF_8));
        }
        headers.add(REPLAY_COUNT, String.valueOf(count + 1).getBytes(StandardCharsets.UTF_8));
        headers.add(REPLAYED_FROM, position().getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(requestsTopic, null, null, record.key(), record.value(), headers);
    }

    /**
     * The headers the bridge adds to a dead letter, which describe one failed attempt and must not travel with the
     * replay (a second failure writes fresh ones), plus the replay headers that {@link #toReplay} sets anew.
     */
    static boolean isBridgeHeader(String name) {
        return name.startsWith("bridge.error.")
                || name.startsWith("bridge.original.")
                || name.equals(OutcomeRecords.EVENT_ID)
                || name.equals(OutcomeRecords.CONTACT_LIST_ID)
                || name.equals(EventIdResolver.REPLAYED_EVENT_ID)
                || name.equals(REPLAY_COUNT)
                || name.equals(REPLAYED_FROM);
    }

    private String text(String header) {
        Header last = record.headers().lastHeader(header);
        return last == null || last.value() == null ? null : new String(last.value(), StandardCharsets.UTF_8);
    }
}
