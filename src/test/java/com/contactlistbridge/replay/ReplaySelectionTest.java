package com.contactlistbridge.replay;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import static com.contactlistbridge.replay.ReplayTestSupport.bridgeHeaders;
import static com.contactlistbridge.replay.ReplayTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/** The order and meaning of replay's filters, decided from one dead letter at a time (no Kafka involved). */
class ReplaySelectionTest {

    private static final Instant NOON = Instant.parse("2025-07-01T12:00:00Z");

    @Test
    void defaultsReplayUnavailableOnly() {
        ReplaySelection selection = selection();

        assertThat(label(selection, deadLetter(0, NOON, "UNAVAILABLE", "e", null))).isEqualTo("REPLAY");
        assertThat(label(selection, deadLetter(0, NOON, "INVALID_EVENT", "e", null))).isEqualTo("SKIPPED(reason)");
        assertThat(label(selection, deadLetter(0, NOON, "REJECTED", "e", null))).isEqualTo("SKIPPED(reason)");
        assertThat(label(selection, deadLetter(0, NOON, "AUTH_FAILED", "e", null))).isEqualTo("SKIPPED(reason)");
        assertThat(label(selection, deadLetter(0, NOON, null, "e", null))).isEqualTo("SKIPPED(reason)");
    }

    @Test
    void timeWindowIncludesSinceAndExcludesUntil() {
        ReplaySelection selection = selection("--since", "2025-07-01T12:00:00Z", "--until", "2025-07-01T13:00:00Z");

        assertThat(label(selection, deadLetter(0, NOON.minusMillis(1), "UNAVAILABLE", "e", null)))
                .isEqualTo("SKIPPED(since)");
        assertThat(label(selection, deadLetter(0, NOON, "UNAVAILABLE", "e", null))).isEqualTo("REPLAY");
        assertThat(label(selection, deadLetter(0, NOON.plusSeconds(3600).minusMillis(1), "UNAVAILABLE", "e", null)))
                .isEqualTo("REPLAY");
        assertThat(label(selection, deadLetter(0, NOON.plusSeconds(3600), "UNAVAILABLE", "e", null)))
                .isEqualTo("SKIPPED(until)");
    }

    @Test
    void eventIdsSelectByEventId() {
        ReplaySelection selection = selection("--event-id", "a,b");

        assertThat(label(selection, deadLetter(0, NOON, "UNAVAILABLE", "b", null))).isEqualTo("REPLAY");
        assertThat(label(selection, deadLetter(0, NOON, "UNAVAILABLE", "c", null))).isEqualTo("SKIPPED(event-id)");
    }

    @Test
    void replayCountAtTheLimitOrUnreadableIsRefused() {
        ReplaySelection selection = selection("--max-replays", "2");

        assertThat(label(selection, deadLetter(0, NOON, "UNAVAILABLE", "e", "1"))).isEqualTo("REPLAY");
        assertThat(label(selection, deadLetter(0, NOON, "UNAVAILABLE", "e", "2"))).isEqualTo("REFUSED(max replays)");
        assertThat(label(selection, deadLetter(0, NOON, "UNAVAILABLE", "e", "x"))).isEqualTo(
                "REFUSED(bad replay count)");
    }

    @Test
    void deadLetterOfACreatedListIsAlwaysRefused() {
        DeadLetter created = DeadLetterTest.deadLetter("e", Map.of("bridge.error.reason", utf8("UNAVAILABLE"),
                "bridge.contact-list-id", utf8("cl-1")));
        ReplayOptions defaults = ReplayOptions.defaults();

        assertThat(label(new ReplaySelection(defaults, Map.of()), created)).isEqualTo("REFUSED(list created)");
    }

    @Test
    void aTrimmedDeadLetterIsRefused() {
        ReplaySelection selection = new ReplaySelection(ReplayOptions.defaults(), Map.of());
        DeadLetter valueOmitted = DeadLetterTest.deadLetter("e", Map.of("bridge.error.reason", utf8("UNAVAILABLE"),
                "bridge.error.value-omitted", utf8("1048000")));
        DeadLetter trimmed = DeadLetterTest.deadLetter("e", Map.of("bridge.error.reason", utf8("UNAVAILABLE"),
                "bridge.error.omitted", utf8("value,headers,key")));
        DeadLetter odd = DeadLetterTest.deadLetter("e", Map.of("bridge.error.reason", utf8("UNAVAILABLE"),
                "bridge.error.omitted", utf8("value\nFORGED")));

        assertThat(label(selection, valueOmitted)).isEqualTo("REFUSED(value omitted)");
        assertThat(label(selection, trimmed)).isEqualTo("REFUSED(value+headers+key omitted)");
        assertThat(label(selection, odd)).isEqualTo("REFUSED(trimmed)");
    }

    @Test
    void deadLetterWhoseReplayCameBackIsSupersededByTheNewerOne() {
        DeadLetter first = deadLetter(3, NOON, "UNAVAILABLE", "e", null);
        DeadLetter second = deadLetter(9, NOON, "UNAVAILABLE", "e", "1");
        ReplaySelection selection = new ReplaySelection(ReplayOptions.defaults(),
                Map.of(first.position(), second.position()));

        assertThat(label(selection, first)).isEqualTo("SKIPPED(superseded)");
        assertThat(selection.supersededBy(first)).isEqualTo("app.dlq-0-9");
        assertThat(label(selection, second)).isEqualTo("REPLAY");
        assertThat(selection.supersededBy(second)).isNull();
    }

    @Test
    void filtersReportTheFirstReasonToSkip() {
        ReplaySelection selection = selection("--since", "2025-07-02T00:00:00Z", "--event-id", "other");

        assertThat(label(selection, deadLetter(0, NOON, "INVALID_EVENT", "e", "9"))).isEqualTo("SKIPPED(reason)");
        assertThat(label(selection, deadLetter(0, NOON, "UNAVAILABLE", "e", "9"))).isEqualTo("SKIPPED(since)");
    }

    private static ReplaySelection selection(String... args) {
        return new ReplaySelection(ReplayOptions.parse(List.of(args)), Map.of());
    }

    private static String label(ReplaySelection selection, DeadLetter deadLetter) {
        ReplaySelection.Decision decision = selection.decide(deadLetter);
        return decision.verdict() == ReplaySelection.Verdict.REPLAY ? "REPLAY" : decision.label();
    }

    private static DeadLetter deadLetter(long offset, Instant written, String reason, String eventId,
                                         String replayCount) {
        Map<String, byte[]> headers = reason == null ? new LinkedHashMap<>() : bridgeHeaders(reason, eventId);
        if (replayCount != null) {
            headers.put(DeadLetter.REPLAY_COUNT, utf8(replayCount));
        }
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach(recordHeaders::add);
        return new DeadLetter(new ConsumerRecord<>("app.dlq", 0, offset, written.toEpochMilli(),
                TimestampType.CREATE_TIME, 1, 2, utf8(eventId), utf8("{}"), recordHeaders, Optional.empty()));
    }
}
