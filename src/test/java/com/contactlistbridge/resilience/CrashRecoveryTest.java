package com.contactlistbridge.resilience;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.contactlistbridge.resilience.ResilienceKit.CountingKore;
import com.contactlistbridge.resilience.ResilienceKit.KillSnapshot;
import com.contactlistbridge.resilience.ResilienceKit.Outcomes;
import com.contactlistbridge.resilience.ResilienceKit.TopicPartitionOffset;
import com.contactlistbridge.testsupport.BridgeProcess;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.Measured;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * At-least-once across {@code kill -9}: the bridge runs as a separate JVM (the production entry point, configured by
 * environment variables), is killed with SIGKILL twice while it works through 3000 events on 3 partitions, and is
 * started again each time with the same consumer group. Every event must end with an outcome; duplicates are counted
 * and must stay inside the window the README documents.
 *
 * <p>What a kill can repeat: a bridge process runs up to {@code bridge.max-in-flight} events at a time (4 here, the
 * default) and commits an offset once it and every earlier offset of its partition have their outcome. Killed
 * between Kore.ai's answer and the processed-events store's acknowledgement (the README's duplicate window), an event
 * is called again: at most one extra Kore.ai call per event in flight. Killed after the store but before the commit,
 * the event is answered from the store: an extra outcome record with the same list id, and no call. Outcomes not yet
 * covered by a commit are at most one polled batch ({@code max-poll-records}, 100); in practice the committer
 * follows the outcomes within about 100 ms, and the printed counts show how many there were. Right after each kill
 * the test reads the committed offsets: no commit passed an event without an outcome, and every event with more than
 * one outcome at the end lies in the batch a kill interrupted (from the committed offset on), never before it.
 *
 * <p>Prints one line, {@code CRASH-TEST events=... kills=... lost=... duplicateOutcomes=... duplicateCalls=...
 * seconds=...}, for quoting.
 */
@Tag("resilience")
class CrashRecoveryTest {

    private static final int EVENTS = 3000;
    private static final int PARTITIONS = 3;
    private static final int KILLS = 2;
    /** The shipped defaults, set explicitly: bridge.max-in-flight and camel.component.kafka.max-poll-records. */
    static final int MAX_IN_FLIGHT = 4;
    static final int MAX_POLL_RECORDS = 100;
    /** Every 20th event is invalid, so dead letters take part in the count too. */
    private static final int INVALID_EVERY = 20;
    private static final Duration START_WAIT = Duration.ofSeconds(60);
    private static final Duration PROGRESS_WAIT = Duration.ofSeconds(90);

    /** Logs of the bridge processes stay in target/resilience/ for a look after a failure. */
    private Path logDir;

    @Test
    @Timeout(300)
    void killNineLosesNothingAndDuplicatesAtMostTheRecordInFlightPerKill() throws Exception {
        String prefix = KafkaTestBroker.uniquePrefix("crash");
        String requests = prefix + ".create";
        String created = prefix + ".created";
        String deadLetter = prefix + ".dlq";
        String brokers = KafkaTestBroker.get().bootstrapServers();
        KafkaTestBroker.get().createTopics(PARTITIONS, requests, created, deadLetter);
        logDir = Path.of("target", "resilience", prefix);
        List<ProducerRecord<byte[], byte[]>> events = ResilienceKit.events(requests, "crash", EVENTS, INVALID_EVERY);
        Set<String> ids = ResilienceKit.ids(events);
        Set<String> invalidIds = events.stream().filter(r -> new String(r.value(), StandardCharsets.UTF_8)
                        .contains("\"  \"")).map(r -> new String(r.key(), StandardCharsets.UTF_8))
                .collect(Collectors.toSet());

        try (CountingKore kore = new CountingKore().start(); Admin admin = ResilienceKit.admin(brokers)) {
            long startNanos = System.nanoTime();
            BridgeProcess bridge = start(1, brokers, kore, prefix).awaitReady(START_WAIT);
            List<KillSnapshot> snapshots = new ArrayList<>();
            int uncommittedAtKills = 0;
            try {
                Map<String, TopicPartitionOffset> positions = ResilienceKit.produce(brokers, events);
                Set<TopicPartition> partitions = positions.values().stream().map(TopicPartitionOffset::partition)
                        .collect(Collectors.toSet());

                int kills = 0;
                for (int k = 1; k <= KILLS; k++) {
                    long threshold = (long) EVENTS * k / (KILLS + 1);
                    await().atMost(PROGRESS_WAIT).pollInterval(Duration.ofMillis(25))
                            .until(() -> ResilienceKit.endOffsetSum(admin, created, deadLetter) >= threshold);
                    bridge.kill();
                    kills++;
                    KillSnapshot snapshot = KillSnapshot.read(admin, brokers, prefix + "-bridge", created,
                            deadLetter);
                    snapshots.add(snapshot);
                    long outcomesAtKill = snapshot.outcomes().records();
                    assertThat(outcomesAtKill).as("kill %d must land mid-stream to prove anything", k)
                            .isLessThan(EVENTS);
                    List<String> uncommitted = snapshot.uncommittedWithOutcome(positions, partitions);
                    uncommittedAtKills += uncommitted.size();
                    System.out.printf("CRASH-TEST kill %d of %s (pid %d) at %d outcome records, committed %s, %d "
                                    + "outcomes not covered by a commit%n", k, bridge.name(), bridge.pid(),
                            outcomesAtKill, new TreeMap<>(snapshot.committed().entrySet().stream().collect(
                                    Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue))),
                            uncommitted.size());
                    // At-least-once at the very moment of the crash: no commit passed an event without an outcome.
                    assertThat(snapshot.committedWithoutOutcome(positions, partitions))
                            .as("kill %d: committed, but without outcome", k).isEmpty();
                    // The commit follows the outcomes within one batch at most (it runs while the batch runs).
                    assertThat(uncommitted).as("kill %d: outcomes not covered by a commit", k)
                            .hasSizeLessThanOrEqualTo(MAX_POLL_RECORDS);
                    bridge = start(k + 1, brokers, kore, prefix).awaitReady(START_WAIT);
                }

                // Every event has an outcome and every offset is committed: nothing more is written.
                Outcomes outcomes = ResilienceKit.awaitEveryOutcome(admin, brokers, requests, prefix + "-bridge",
                        created, deadLetter, ids, PROGRESS_WAIT);
                double seconds = (System.nanoTime() - startNanos) / 1e9;
                bridge.stop(Duration.ofSeconds(30));

                int lost = outcomes.missing(ids).size();
                int duplicateOutcomes = outcomes.duplicateOutcomes();
                int duplicateCalls = kore.duplicateCalls();
                Measured.keep(String.format("CRASH-TEST events=%d partitions=%d kills=%d lost=%d duplicateOutcomes=%d "
                                + "duplicateCalls=%d koreCalls=%d outcomeRecords=%d seconds=%.1f", EVENTS, PARTITIONS,
                        kills, lost, duplicateOutcomes, duplicateCalls, kore.totalCalls(), outcomes.records(),
                        seconds));
                System.out.println("CRASH-TEST ids with more than one outcome: " + outcomes.idsWithMoreThanOneOutcome()
                        + "; names called more than once: " + kore.namesCalledMoreThanOnce()
                        + "; ids whose created records name several lists: " + outcomes.idsWithSeveralLists());

                assertThat(outcomes.missing(ids)).as("events without any outcome").isEmpty();
                // Each event ended in the outcome it deserves: a crash never turns into a dead letter.
                for (String id : ids) {
                    if (invalidIds.contains(id)) {
                        assertThat(outcomes.created().get(id)).as("created record for invalid %s", id).isNull();
                        assertThat(kore.calls(id)).as("Kore.ai calls for invalid %s", id).isZero();
                    } else {
                        assertThat(outcomes.deadLettered().get(id)).as("dead letter for valid %s", id).isNull();
                        assertThat(kore.calls(id)).as("Kore.ai calls for %s", id).isPositive();
                    }
                }
                // Each event in flight at a kill is either re-called (killed between Kore.ai's answer and the
                // processed-events store) or answered again from the store; a repeated outcome record never hides a
                // second list.
                assertThat(duplicateCalls).as("duplicate Kore.ai calls: at most the events in flight per kill")
                        .isLessThanOrEqualTo(kills * MAX_IN_FLIGHT);
                assertThat(duplicateOutcomes).as("duplicate outcome records: at most one uncommitted batch per kill")
                        .isLessThanOrEqualTo(kills * MAX_POLL_RECORDS);
                // Exactly what the commits had not covered at the kills, plus what was still being written then.
                assertThat(duplicateOutcomes).as("duplicate outcome records against the uncommitted ones at the kills")
                        .isLessThanOrEqualTo(uncommittedAtKills + kills * MAX_IN_FLIGHT);
                // And only where the contract allows them: never an event a commit covered before a kill.
                assertThat(ResilienceKit.duplicatesNoKillExplains(outcomes, positions, snapshots, partitions,
                        MAX_POLL_RECORDS)).as("repeated outcomes outside the batch a kill interrupted").isEmpty();
                assertThat(outcomes.idsWithSeveralLists()).as("repeated created records carry the same list id")
                        .isEmpty();
            } finally {
                bridge.close();
            }
        }
    }

    private BridgeProcess start(int generation, String brokers, CountingKore kore, String prefix) throws Exception {
        return BridgeProcess.builder(logDir.resolve("bridge-" + generation + ".log"))
                .name("bridge-" + generation)
                .environment(BridgeProcess.baseEnvironment(brokers, kore.baseUrl(), prefix))
                .environment("BRIDGE_MAX_IN_FLIGHT", String.valueOf(MAX_IN_FLIGHT))
                .fastGroupFailover()
                .start();
    }
}
