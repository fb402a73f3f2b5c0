package com.contactlistbridge.replay;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import static com.contactlistbridge.replay.ReplayTestSupport.bridgeHeaders;
import static com.contactlistbridge.replay.ReplayTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What replay reads from a dead letter and the exact record it publishes for it (no Kafka involved). */
class DeadLetterTest {

    private static final Instant WRITTEN = Instant.parse("2025-07-01T08:00:00.123Z");

    @Test
    void readsPositionTimestampReasonAndEventId() {
        DeadLetter deadLetter = deadLetter("crm-1", bridgeHeaders("UNAVAILABLE", "crm-7"));

        assertThat(deadLetter.position()).isEqualTo("app.dlq-2-41");
        assertThat(deadLetter.writtenAt()).isEqualTo(WRITTEN);
        assertThat(deadLetter.reason()).isEqualTo("UNAVAILABLE");
        assertThat(deadLetter.eventId()).as("bridge.event-id wins over the key").isEqualTo("crm-7");
        assertThat(deadLetter.replayCount()).hasValue(0);
        assertThat(deadLetter.replayedFrom()).isNull();
    }

    @Test
    void eventIdFallsBackToTheKeyAndAForeignRecordHasNoReason() {
        assertThat(deadLetter("crm-key", Map.of()).eventId()).isEqualTo("crm-key");
        assertThat(deadLetter(null, Map.of()).eventId()).isNull();
        assertThat(deadLetter(null, Map.of()).reason()).isNull();
    }

    @Test
    void replayKeepsKeyValueAndOwnHeadersByteForByteAndReplacesTheBridgeHeaders() {
        byte[] notUtf8 = {'{', (byte) 0xC3, (byte) 0x28, '}'};
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", utf8("00-abc-01"));
        bridgeHeaders("UNAVAILABLE", "crm-1").forEach(headers::add);
        headers.add("bridge.contact-list-id", utf8("cl-1"));
        headers.add("x-crm-source", null);
        headers.add("traceparent", utf8("second value, same name"));
        headers.add(DeadLetter.REPLAY_COUNT, utf8("1"));
        headers.add(DeadLetter.REPLAYED_FROM, utf8("app.dlq-0-3"));
        byte[] key = utf8("crm-1");
        DeadLetter deadLetter = new DeadLetter(record(key, notUtf8, headers, WRITTEN.toEpochMilli()));

        ProducerRecord<byte[], byte[]> replay = deadLetter.toReplay("app.create");

        assertThat(replay.topic()).isEqualTo("app.create");
        assertThat(replay.partition()).as("chosen by the key, like a new event").isNull();
        assertThat(replay.timestamp()).as("stamped when published, like a new event").isNull();
        assertThat(replay.key()).isEqualTo(key);
        assertThat(replay.value()).isEqualTo(notUtf8);
        assertThat(names(replay)).containsExactly("traceparent", "x-crm-source", "traceparent",
                "bridge.replayed-event-id", DeadLetter.REPLAY_COUNT, DeadLetter.REPLAYED_FROM);
        List<Header> all = new ArrayList<>();
        replay.headers().forEach(all::add);
        assertThat(all.get(0).value()).isEqualTo(utf8("00-abc-01"));
        assertThat(all.get(1).value()).isNull();
        assertThat(all.get(2).value()).isEqualTo(utf8("second value, same name"));
        assertThat(text(all.get(3))).as("the original event's id").isEqualTo("crm-1");
        assertThat(text(all.get(4))).isEqualTo("2");
        assertThat(text(all.get(5))).isEqualTo("app.dlq-2-41");
    }

    @Test
    void absentReplayCountIsZeroAndAnUnreadableOneCannotBeReplayed() {
        assertThat(deadLetter("k", Map.of(DeadLetter.REPLAY_COUNT, utf8(" 4 "))).replayCount()).hasValue(4);
        assertThat(deadLetter("k", Map.of(DeadLetter.REPLAY_COUNT, utf8("-1"))).replayCount()).isEmpty();
        DeadLetter unreadable = deadLetter("k", Map.of(DeadLetter.REPLAY_COUNT, utf8("many")));
        assertThat(unreadable.replayCount()).isEqualTo(OptionalInt.empty());
        assertThatThrownBy(() -> unreadable.toReplay("app.create")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("app.dlq-2-41");
    }

    @Test
    void recordWithoutTimestampHasNone() {
        DeadLetter deadLetter = new DeadLetter(record(null, null, new RecordHeaders(), RecordBatch.NO_TIMESTAMP));

        assertThat(deadLetter.writtenAt()).isNull();
    }

    @Test
    void diagnosticHeadersAreRecognisedByName() {
        assertThat(DeadLetter.isBridgeHeader("bridge.error.anything-new")).isTrue();
        assertThat(DeadLetter.isBridgeHeader("bridge.original.offset")).isTrue();
        assertThat(DeadLetter.isBridgeHeader("bridge.event-id")).isTrue();
        assertThat(DeadLetter.isBridgeHeader("bridge.contact-list-id")).isTrue();
        assertThat(DeadLetter.isBridgeHeader("bridge.errors")).isFalse();
        assertThat(DeadLetter.isBridgeHeader("crm.bridge.error.reason")).isFalse();
    }

    static DeadLetter deadLetter(String key, Map<String, byte[]> headers) {
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach(recordHeaders::add);
        return new DeadLetter(record(utf8(key), utf8("{}"), recordHeaders, WRITTEN.toEpochMilli()));
    }

    static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, RecordHeaders headers, long timestamp) {
        return new ConsumerRecord<>("app.dlq", 2, 41, timestamp, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, headers,
                Optional.empty());
    }

    private static List<String> names(ProducerRecord<byte[], byte[]> record) {
        List<String> names = new ArrayList<>();
        record.headers().forEach(header -> names.add(header.key()));
        return names;
    }

    private static String text(Header header) {
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
