package com.contactlistbridge.resilience;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.contactlistbridge.resilience.ResilienceKit.CountingKore;
import com.contactlistbridge.resilience.ResilienceKit.Outcomes;
import com.contactlistbridge.testsupport.BridgeProcess;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * {@link CrashRecoveryTest}).
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
        String prefix = "scale-" + UUID.randomUUID().toString().substring(0, 8);
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

            ResilienceKit.produce(brokers, events);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(25))
                    .until(() -> ResilienceKit.endOffsetSum(admin, created, deadLetter) >= EVENTS / 3);
            first.kill();
            long outcomesAtKill = ResilienceKit.endOffsetSum(admin, created, deadLetter);
            System.out.printf("SCALE-OUT-TEST killed %s (pid %d) at %d outcome records%n", first.name(), first.pid(),
                    outcomesAtKill);
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
            System.out.printf("SCALE-OUT-TEST events=%d partitions=%d instances=2 kills=1 lost=%d duplicateOutcomes=%d "
                            + "duplicateCalls=%d koreCalls=%d outcomeRecords=%d seconds=%.1f%n", EVENTS, PARTITIONS,
                    lost, outcomes.duplicateOutcomes(), kore.duplicateCalls(), kore.totalCalls(), outcomes.records(),
                    seconds);
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
            assertThat(outcomes.idsWithSeveralLists()).as("repeated created records carry the same list id")
                    .isEmpty();
        }
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
