package com.contactlistbridge.resilience;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.contactlistbridge.resilience.ResilienceKit.CountingKore;
import com.contactlistbridge.resilience.ResilienceKit.KillSnapshot;
import com.contactlistbridge.resilience.ResilienceKit.Outcomes;
import com.contactlistbridge.resilience.ResilienceKit.TopicPartitionOffset;
import com.contactlistbridge.testsupport.BridgeProcess;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.Measured;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scale-out and fail-over, as DESIGN.md sketches it: two bridge processes in one consumer group share a 4-partition
 * requests topic (two partitions each); one is killed with SIGKILL mid-stream, the other takes over its partitions
 * and every event still gets its outcome. Only events the killed process had in flight, or whose outcomes no commit
 * covered yet, can be processed twice: an extra Kore.ai call or an extra outcome record (see
 * {@link CrashRecoveryTest}); the test checks by position that those lie in the batch the kill interrupted. The
 * survivor may repeat the batch it was running when the group rebalanced, no more.
 *
 * <p>Prints {@code SCALE-OUT-TEST events=... lost=... duplicateOutcomes=... duplicateCalls=... seconds=...}.
 */
@Tag("resilience")
class ScaleOutTest {

    private static final int EVENTS = 1000;
    private static final int PARTITIONS = 4;
    private static final int INVALID_EVERY = 25;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @Timeout(240)
    void survivorTakesOverTheKilledInstancesPartitionsAndNothingIsLost() throws Exception {
        String prefix = KafkaTestBroker.uniquePrefix("scale");
        String requests = prefix + ".create";
        String created = prefix + ".created";
        String deadLetter = prefix + ".dlq";
        String group = prefix + "-bridge";
        String brokers = KafkaTestBroker.get().bootstrapServers();
        KafkaTestBroker.get().createTopics(PARTITIONS, requests);
        KafkaTestBroker.get().createTopics(2, created, deadLetter);
        Path logDir = Path.of("target", "resilience", prefix);
        List<ProducerRecord<byte[], byte[]>> events = ResilienceKit.events(requests, "scale", EVENTS, INVALID_EVERY);
        Set<String> ids = ResilienceKit.ids(events);

        try (CountingKore kore = new CountingKore().start(); Admin admin = ResilienceKit.admin(brokers);
             BridgeProcess first = start("bridge-a", logDir, brokers, kore, prefix);
             BridgeProcess second = start("bridge-b", logDir, brokers, kore, prefix)) {
            long startNanos = System.nanoTime();
            first.awaitReady(WAIT);
            second.awaitReady(WAIT);
            // Both members hold two partitions before any event arrives.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                Collection<MemberDescription> members = describe(admin, group).members();
                assertThat(members).hasSize(2);
                assertThat(members).allSatisfy(m -> assertThat(m.assignment().topicPartitions()).hasSize(2));
            });

            Map<String, TopicPartitionOffset> positions = ResilienceKit.produce(brokers, events);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(25))
                    .until(() -> ResilienceKit.endOffsetSum(admin, created, deadLetter) >= EVENTS / 3);
            Map<String, Set<TopicPartition>> before = assignments(describe(admin, group));
            first.kill();
            KillSnapshot snapshot = KillSnapshot.read(admin, brokers, group, created, deadLetter);
            long outcomesAtKill = snapshot.outcomes().records();
            // The killed member is the one the group loses; its partitions are the ones the kill can repeat.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> !before.keySet().equals(assignments(describe(admin, group)).keySet()));
            Set<String> gone = new TreeSet<>(before.keySet());
            gone.removeAll(assignments(describe(admin, group)).keySet());
            assertThat(gone).as("members gone with the kill").hasSize(1);
            Set<TopicPartition> killedPartitions = before.get(gone.iterator().next());
            Set<TopicPartition> survivorPartitions = new HashSet<>();
            before.values().forEach(survivorPartitions::addAll);
            survivorPartitions.removeAll(killedPartitions);
            List<String> uncommitted = snapshot.uncommittedWithOutcome(positions, killedPartitions);
            System.out.printf("SCALE-OUT-TEST killed %s (pid %d, partitions %s) at %d outcome records, committed %s, "
                            + "%d of its outcomes not covered by a commit%n", first.name(), first.pid(),
                    killedPartitions, outcomesAtKill, snapshot.committed(), uncommitted.size());
            assertThat(snapshot.committedWithoutOutcome(positions, killedPartitions))
                    .as("committed by the killed instance, but without outcome").isEmpty();
            assertThat(uncommitted).as("outcomes of the killed instance not covered by a commit")
                    .hasSizeLessThanOrEqualTo(CrashRecoveryTest.MAX_POLL_RECORDS);
            assertThat(outcomesAtKill).as("the kill must land mid-stream").isLessThan(EVENTS);
            assertThat(first.log()).as("the killed instance did work before it died").contains("created eventId=");

            // The group notices the dead member (session timeout) and gives all four partitions to the survivor.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                Collection<MemberDescription> members = describe(admin, group).members();
                assertThat(members).hasSize(1);
                assertThat(members.iterator().next().assignment().topicPartitions()).hasSize(PARTITIONS);
            });
            Outcomes outcomes = ResilienceKit.awaitEveryOutcome(admin, brokers, requests, group, created,
                    deadLetter, ids, WAIT);
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            second.stop(Duration.ofSeconds(30));

            int lost = outcomes.missing(ids).size();
            Measured.keep(String.format("SCALE-OUT-TEST events=%d partitions=%d instances=2 kills=1 lost=%d duplicateOutcomes=%d "
                            + "duplicateCalls=%d koreCalls=%d outcomeRecords=%d seconds=%.1f", EVENTS, PARTITIONS,
                    lost, outcomes.duplicateOutcomes(), kore.duplicateCalls(), kore.totalCalls(), outcomes.records(),
                    seconds));
            System.out.println("SCALE-OUT-TEST ids with more than one outcome: "
                    + outcomes.idsWithMoreThanOneOutcome() + "; names called more than once: "
                    + kore.namesCalledMoreThanOnce() + "; ids whose created records name several lists: "
                    + outcomes.idsWithSeveralLists());

            assertThat(outcomes.missing(ids)).as("events without any outcome").isEmpty();
            assertThat(outcomes.deadLettered().keySet()).as("only the invalid events are dead-lettered")
                    .allMatch(id -> Integer.parseInt(id.substring(id.length() - 5)) % INVALID_EVERY == 0);
            assertThat(second.log()).as("the survivor processed events").contains("created eventId=");
            // Only events in flight (or not yet covered by a commit) when the instance died or the broker went away
            // can be handled twice, as an extra call or an extra outcome (see CrashRecoveryTest).
            assertThat(kore.duplicateCalls()).as("duplicate Kore.ai calls")
                    .isLessThanOrEqualTo(CrashRecoveryTest.MAX_IN_FLIGHT);
            assertThat(outcomes.duplicateOutcomes()).as("duplicate outcome records")
                    .isLessThanOrEqualTo(CrashRecoveryTest.MAX_POLL_RECORDS);
            // The killed instance's partitions repeat only the batch the kill interrupted. The survivor repeats at
            // most the batch it was running when the group rebalanced (its commit then fails, and it reads again from
            // its last commit).
            assertThat(ResilienceKit.duplicatesNoKillExplains(outcomes, positions, List.of(snapshot),
                    killedPartitions, CrashRecoveryTest.MAX_POLL_RECORDS))
                    .as("repeated outcomes outside the batch the kill interrupted").isEmpty();
            assertThat(outcomes.idsWithMoreThanOneOutcome().keySet().stream()
                    .filter(id -> survivorPartitions.contains(positions.get(id).partition())))
                    .as("repeated outcomes of the survivor's own partitions")
                    .hasSizeLessThanOrEqualTo(CrashRecoveryTest.MAX_POLL_RECORDS);
            assertThat(outcomes.idsWithSeveralLists()).as("repeated created records carry the same list id")
                    .isEmpty();
        }
    }

    /** Partitions per member id. */
    private static Map<String, Set<TopicPartition>> assignments(ConsumerGroupDescription group) {
        Map<String, Set<TopicPartition>> byMember = new TreeMap<>();
        group.members().forEach(m -> byMember.put(m.consumerId(), Set.copyOf(m.assignment().topicPartitions())));
        return byMember;
    }

    private static ConsumerGroupDescription describe(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS);
    }

    private static BridgeProcess start(String name, Path logDir, String brokers, CountingKore kore, String prefix)
            throws Exception {
        return BridgeProcess.builder(logDir.resolve(name + ".log"))
                .name(name)
                .environment(BridgeProcess.baseEnvironment(brokers, kore.baseUrl(), prefix))
                .fastGroupFailover()
                .start();
    }
}
