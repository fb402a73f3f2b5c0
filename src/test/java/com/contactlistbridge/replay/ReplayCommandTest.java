package com.contactlistbridge.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.contactlistbridge.replay.ReplayTestSupport.Run;
import com.contactlistbridge.replay.ReplayTestSupport.Topics;
import com.contactlistbridge.testsupport.KafkaTestClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import static com.contactlistbridge.replay.ReplayTestSupport.brokers;
import static com.contactlistbridge.replay.ReplayTestSupport.bridgeHeaders;
import static com.contactlistbridge.replay.ReplayTestSupport.event;
import static com.contactlistbridge.replay.ReplayTestSupport.replay;
import static com.contactlistbridge.replay.ReplayTestSupport.sendDeadLetter;
import static com.contactlistbridge.replay.ReplayTestSupport.utf8;
import static com.contactlistbridge.testsupport.KafkaTestClient.header;
import static com.contactlistbridge.testsupport.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay command run in-process against the shared real Kafka broker, with dead letters written directly to a
 * dead-letter topic of each test's own: selection, the published records, counts, dry run and failures.
 */
class ReplayCommandTest {

    private static final Instant T0 = Instant.parse("2025-07-01T08:00:00Z");

    @Test
    void replaysOnlyUnavailableByDefaultAndLeavesInvalidEventsAlone() throws Exception {
        Topics topics = Topics.create("default", 1);
        sendDeadLetter(topics.deadLetter(), T0, "crm-down", "UNAVAILABLE");
        sendDeadLetter(topics.deadLetter(), T0, "crm-bad", "INVALID_EVENT");
        sendDeadLetter(topics.deadLetter(), T0, "crm-400", "REJECTED");
        sendDeadLetter(topics.deadLetter(), T0, "crm-401", "AUTH_FAILED");

        Run run = replay(topics.env());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.lines().get(0)).isEqualTo("replaying dead letters from " + topics.deadLetter() + " to "
                + topics.requests() + " (reasons UNAVAILABLE, max replays 3)");
        assertThat(run.lineOf("crm-down")).startsWith("REPLAYED ")
                .contains("reason=UNAVAILABLE dead-letter=" + topics.deadLetter() + "-0-0 written=" + T0
                        + " replay-count=0->1");
        assertThat(run.lineOf("crm-bad")).startsWith("SKIPPED(reason) ").contains("reason=INVALID_EVENT");
        assertThat(run.lineOf("crm-400")).startsWith("SKIPPED(reason) ");
        assertThat(run.lineOf("crm-401")).startsWith("SKIPPED(reason) ");
        assertThat(run.lines()).last().isEqualTo("summary: read 4 dead letter(s) from " + topics.deadLetter()
                + "; replayed 1 to " + topics.requests() + ", skipped 3, refused 0");
        assertThat(eventIdsOn(topics.requests())).containsExactly("crm-down");
        assertThat(KafkaTestClient.readAll(brokers(), topics.deadLetter(), Duration.ZERO))
                .as("the dead-letter topic is only read").hasSize(4);
    }

    @Test
    void reasonOptionSelectsTheGivenReasons() throws Exception {
        Topics topics = Topics.create("reason", 1);
        sendDeadLetter(topics.deadLetter(), T0, "crm-down", "UNAVAILABLE");
        sendDeadLetter(topics.deadLetter(), T0, "crm-bad", "INVALID_EVENT");
        sendDeadLetter(topics.deadLetter(), T0, "crm-400", "REJECTED");
        sendDeadLetter(topics.deadLetter(), T0, "crm-401", "AUTH_FAILED");

        Run run = replay(topics.env(), "--reason", "REJECTED,AUTH_FAILED");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lineOf("crm-down")).startsWith("SKIPPED(reason) ");
        assertThat(run.lineOf("crm-bad")).startsWith("SKIPPED(reason) ");
        assertThat(eventIdsOn(topics.requests())).containsExactly("crm-400", "crm-401");
    }

    @Test
    void sinceAndUntilSelectByTheDeadLetterTimestampSinceIncludedUntilExcluded() throws Exception {
        Topics topics = Topics.create("window", 1);
        sendDeadLetter(topics.deadLetter(), T0.minusMillis(1), "crm-early", "UNAVAILABLE");
        sendDeadLetter(topics.deadLetter(), T0, "crm-first", "UNAVAILABLE");
        sendDeadLetter(topics.deadLetter(), T0.plusSeconds(59), "crm-inside", "UNAVAILABLE");
        sendDeadLetter(topics.deadLetter(), T0.plusSeconds(60), "crm-late", "UNAVAILABLE");

        Run run = replay(topics.env(), "--since", T0.toString(), "--until=" + T0.plusSeconds(60));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lineOf("crm-early")).startsWith("SKIPPED(since) ");
        assertThat(run.lineOf("crm-late")).startsWith("SKIPPED(until) ");
        assertThat(eventIdsOn(topics.requests())).containsExactly("crm-first", "crm-inside");
    }

    @Test
    void replayedRecordHasTheOriginalKeyValueAndHeadersWithoutTheDiagnosticOnes() throws Exception {
        Topics topics = Topics.create("exact", 1);
        byte[] value = {'{', '"', 'x', '"', ':', (byte) 0xC3, (byte) 0x28, '}'};
        Map<String, byte[]> headers = new LinkedHashMap<>();
        headers.put("traceparent", utf8("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        headers.putAll(bridgeHeaders("UNAVAILABLE", "crm-exact"));
        headers.put("x-crm-source", null);
        sendDeadLetter(topics.deadLetter(), 0, T0, "crm-exact-key", value, headers);

        Run run = replay(topics.env());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<ConsumerRecord<byte[], byte[]>> replayed = KafkaTestClient.readAll(brokers(), topics.requests(),
                Duration.ZERO);
        assertThat(replayed).hasSize(1);
        ConsumerRecord<byte[], byte[]> record = replayed.get(0);
        assertThat(record.key()).isEqualTo(utf8("crm-exact-key"));
        assertThat(record.value()).isEqualTo(value);
        List<String> names = new ArrayList<>();
        record.headers().forEach(h -> names.add(h.key()));
        assertThat(names).containsExactly("traceparent", "x-crm-source", "bridge.replayed-event-id",
                "bridge.replay-count", "bridge.replayed-from");
        assertThat(header(record, "bridge.replayed-event-id")).isEqualTo("crm-exact");
        assertThat(header(record, "traceparent")).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        Header nullValued = record.headers().lastHeader("x-crm-source");
        assertThat(nullValued.value()).isNull();
        assertThat(header(record, "bridge.replay-count")).isEqualTo("1");
        assertThat(header(record, "bridge.replayed-from")).isEqualTo(topics.deadLetter() + "-0-0");
        assertThat(record.timestamp()).as("a new record, stamped when replayed").isGreaterThan(T0.toEpochMilli());
    }

    @Test
    void replayCountGrowsByOneAndRecordsAtMaxReplaysAreRefused() throws Exception {
        Topics topics = Topics.create("count", 1);
        sendDeadLetter(topics.deadLetter(), 0, T0, "crm-new", event("crm-new"), withCount("crm-new", null));
        sendDeadLetter(topics.deadLetter(), 0, T0, "crm-twice", event("crm-twice"), withCount("crm-twice", "2"));
        sendDeadLetter(topics.deadLetter(), 0, T0, "crm-thrice", event("crm-thrice"), withCount("crm-thrice", "3"));
        sendDeadLetter(topics.deadLetter(), 0, T0, "crm-garbled", event("crm-garbled"), withCount("crm-garbled", "x"));

        Run run = replay(topics.env());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lineOf("crm-new")).startsWith("REPLAYED ").endsWith("replay-count=0->1");
        assertThat(run.lineOf("crm-twice")).startsWith("REPLAYED ").endsWith("replay-count=2->3");
        assertThat(run.lineOf("crm-thrice")).startsWith("REFUSED(max replays) ").endsWith("replay-count=3");
        assertThat(run.lineOf("crm-garbled")).startsWith("REFUSED(bad replay count) ").endsWith("replay-count=?");
        assertThat(run.lines()).last().asString().endsWith("replayed 2 to " + topics.requests()
                + ", skipped 0, refused 2");
        Map<String, String> counts = replayCounts(topics.requests());
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("crm-new", "1", "crm-twice", "3"));

        Run higherLimit = replay(topics.env(), "--max-replays", "4", "--event-id", "crm-thrice");

        assertThat(higherLimit.exitCode()).as(higherLimit.err()).isZero();
        assertThat(higherLimit.lineOf("crm-thrice")).startsWith("REPLAYED ").endsWith("replay-count=3->4");
        assertThat(replayCounts(topics.requests())).containsEntry("crm-thrice", "4");
    }

    @Test
    void deadLetterOfAListKoreCreatedIsAlwaysRefused() throws Exception {
        Topics topics = Topics.create("created", 1);
        Map<String, byte[]> headers = bridgeHeaders("UNAVAILABLE", "crm-created");
        headers.put("bridge.contact-list-id", utf8("cl-created-but-not-published"));
        sendDeadLetter(topics.deadLetter(), 0, T0, "crm-created", event("crm-created"), headers);
        Map<String, String> dedupeOff = new HashMap<>(topics.env());
        dedupeOff.put("BRIDGE_DEDUPE_ENABLED", "false");

        // Whether or not the bridge keeps processed events: the list may be missing from them (the bridge gave up
        // remembering it), so a replay could create it a second time.
        for (Map<String, String> env : List.of(topics.env(), dedupeOff)) {
            Run refused = replay(env);

            assertThat(refused.exitCode()).as(refused.err()).isZero();
            assertThat(refused.lineOf("crm-created")).startsWith("REFUSED(list created) ")
                    .endsWith("contact-list-id=cl-created-but-not-published");
        }
        assertThat(KafkaTestClient.readAll(brokers(), topics.requests(), Duration.ZERO)).isEmpty();
    }

    @Test
    void aDeadLetterTrimmedToFitKafkaIsRefusedWithItsReason() throws Exception {
        Topics topics = Topics.create("trimmed", 1);
        Map<String, byte[]> valueOmitted = bridgeHeaders("UNAVAILABLE", "crm-huge");
        valueOmitted.put("bridge.error.value-omitted", utf8("1048000"));
        sendDeadLetter(topics.deadLetter(), 0, T0, "crm-huge", new byte[0], valueOmitted);
        Map<String, byte[]> trimmed = bridgeHeaders("UNAVAILABLE", "crm-trimmed");
        trimmed.put("bridge.error.omitted", utf8("value,headers,key"));
        sendDeadLetter(topics.deadLetter(), 0, T0, "crm-trimmed", new byte[0], trimmed);

        for (String dryRun : new String[] {"--dry-run", "--max-replays=3"}) {
            Run run = replay(topics.env(), dryRun);

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.lineOf("crm-huge")).startsWith("REFUSED(value omitted) ");
            assertThat(run.lineOf("crm-trimmed")).startsWith("REFUSED(value+headers+key omitted) ");
        }
        assertThat(KafkaTestClient.readAll(brokers(), topics.requests(), Duration.ZERO)).isEmpty();
    }

    @Test
    void dryRunReportsWhatWouldBeReplayedAndPublishesNothing() throws Exception {
        Topics topics = Topics.create("dry", 1);
        sendDeadLetter(topics.deadLetter(), T0, "crm-down", "UNAVAILABLE");
        sendDeadLetter(topics.deadLetter(), T0, "crm-bad", "INVALID_EVENT");

        Run run = replay(topics.env(), "--dry-run");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines().get(0)).startsWith("dry run, nothing is published: replaying dead letters from ");
        assertThat(run.lineOf("crm-down")).startsWith("WOULD-REPLAY ").endsWith("replay-count=0->1");
        assertThat(run.lineOf("crm-bad")).startsWith("SKIPPED(reason) ");
        assertThat(run.lines()).last().isEqualTo("summary (dry run, nothing published): read 2 dead letter(s) from "
                + topics.deadLetter() + "; would replay 1 to " + topics.requests() + ", skipped 1, refused 0");
        // replay returns after the broker acknowledged whatever it published, so an empty topic now stays empty.
        assertThat(KafkaTestClient.readAll(brokers(), topics.requests(), Duration.ZERO)).isEmpty();
    }

    @Test
    void eventIdOptionSelectsByEventIdRepeatedOrCommaSeparated() throws Exception {
        Topics topics = Topics.create("ids", 1);
        for (String id : List.of("crm-a", "crm-b", "crm-c", "crm-d")) {
            sendDeadLetter(topics.deadLetter(), T0, id, "UNAVAILABLE");
        }

        Run run = replay(topics.env(), "--event-id", "crm-a", "--event-id=crm-c,crm-d");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lineOf("crm-b")).startsWith("SKIPPED(event-id) ");
        assertThat(eventIdsOn(topics.requests())).containsExactly("crm-a", "crm-c", "crm-d");
    }

    @Test
    void deadLetterWhoseReplayFailedAgainIsSkippedInFavourOfTheNewerOne() throws Exception {
        Topics topics = Topics.create("superseded", 1);
        sendDeadLetter(topics.deadLetter(), T0, "crm-again", "UNAVAILABLE");
        Map<String, byte[]> second = withCount("crm-again", "1");
        second.put("bridge.replayed-from", utf8(topics.deadLetter() + "-0-0"));
        sendDeadLetter(topics.deadLetter(), 0, T0.plusSeconds(5), "crm-again", event("crm-again"), second);

        Run run = replay(topics.env());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).filteredOn(line -> line.contains("dead-letter=" + topics.deadLetter() + "-0-0 "))
                .singleElement().asString().startsWith("SKIPPED(superseded) ")
                .endsWith("superseded-by=" + topics.deadLetter() + "-0-1");
        assertThat(run.lines()).filteredOn(line -> line.contains("dead-letter=" + topics.deadLetter() + "-0-1 "))
                .singleElement().asString().startsWith("REPLAYED ").endsWith("replay-count=1->2");
        assertThat(replayCounts(topics.requests())).containsExactly(Map.entry("crm-again", "2"));
    }

    @Test
    void readsEveryPartitionOfTheDeadLetterTopic() throws Exception {
        Topics topics = Topics.create("partitions", 3);
        for (int partition = 0; partition < 3; partition++) {
            for (int i = 0; i < 4; i++) {
                String id = "crm-p" + partition + "-" + i;
                sendDeadLetter(topics.deadLetter(), partition, T0, id, event(id), bridgeHeaders("UNAVAILABLE", id));
            }
        }

        Run run = replay(topics.env());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).last().asString().contains("read 12 dead letter(s)").contains("replayed 12");
        assertThat(eventIdsOn(topics.requests())).hasSize(12).doesNotHaveDuplicates();
    }

    @Test
    void badOptionPrintsTheProblemAndTheUsageAndExits2() {
        Run run = replay(Map.of(), "--max-replays", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("replay: option --max-replays needs a whole number of at least 1 (got '0')")
                .contains("Usage: java -jar contact-list-bridge.jar replay [options]");
    }

    @Test
    void helpPrintsTheUsageAndExits0() {
        Run run = replay(Map.of(), "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: java -jar contact-list-bridge.jar replay [options]");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void missingBrokersIsOneClearMessageAndExit2() {
        Run run = replay(Map.of("KORE_CLIENT_SECRET", "irrelevant"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo(String.join(System.lineSeparator(),
                "contact-list-bridge replay cannot run: 1 setting needs fixing",
                "  - kafka.brokers (env KAFKA_BROKERS) is missing",
                "Replay reads the bridge's configuration: set them in config/application.properties or as "
                        + "environment variables.", ""));
    }

    @Test
    void missingTopicFailsWithExit1BeforeAnythingIsPublished() throws Exception {
        Topics topics = Topics.create("missing", 1);
        sendDeadLetter(topics.deadLetter(), T0, "crm-down", "UNAVAILABLE");
        Map<String, String> env = new HashMap<>(topics.env());
        env.put("BRIDGE_TOPIC_REQUESTS", topics.requests() + ".misspelt");

        Run run = replay(env);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("replay failed: topic '" + topics.requests() + ".misspelt' "
                + "(bridge.topic.requests) does not exist" + System.lineSeparator());
        assertThat(run.lines()).last().asString().contains("read 0 dead letter(s)");
    }

    @Test
    void publishFailureStopsTheRunWithExit1AndSaysWhatWasAlreadyReplayed() throws Exception {
        // A requests topic that refuses records over 1000 bytes: the broker rejects the second dead letter.
        String prefix = "replay-too-large-" + System.nanoTime();
        Topics topics = new Topics(prefix + ".create", prefix + ".dlq");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers()))) {
            admin.createTopics(List.of(new NewTopic(topics.requests(), 1, (short) 1)
                            .configs(Map.of("max.message.bytes", "1000")),
                    new NewTopic(topics.deadLetter(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        sendDeadLetter(topics.deadLetter(), T0, "crm-small", "UNAVAILABLE");
        sendDeadLetter(topics.deadLetter(), 0, T0, "crm-huge", new byte[5000], bridgeHeaders("UNAVAILABLE",
                "crm-huge"));
        sendDeadLetter(topics.deadLetter(), T0, "crm-after", "UNAVAILABLE");

        Run run = replay(topics.env());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.lineOf("crm-small")).startsWith("REPLAYED ");
        assertThat(run.out()).doesNotContain("crm-huge").doesNotContain("crm-after");
        assertThat(run.err()).startsWith("replay failed: could not publish dead letter " + topics.deadLetter()
                        + "-0-1 (event id crm-huge) to " + topics.requests() + ": ")
                .contains("1 dead letter(s) were replayed before the failure");
        assertThat(eventIdsOn(topics.requests())).containsExactly("crm-small");
    }

    private static Map<String, byte[]> withCount(String eventId, String replayCount) {
        Map<String, byte[]> headers = bridgeHeaders("UNAVAILABLE", eventId);
        if (replayCount != null) {
            headers.put("bridge.replay-count", utf8(replayCount));
        }
        return headers;
    }

    /** Event ids (record keys) on a topic in partition and offset order. */
    private static List<String> eventIdsOn(String topic) {
        return KafkaTestClient.readAll(brokers(), topic, Duration.ZERO).stream().map(r -> text(r.key())).toList();
    }

    private static Map<String, String> replayCounts(String topic) {
        Map<String, String> counts = new LinkedHashMap<>();
        KafkaTestClient.readAll(brokers(), topic, Duration.ZERO)
                .forEach(r -> counts.put(text(r.key()), header(r, "bridge.replay-count")));
        return counts;
    }
}
