package com.contactlistbridge.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;


import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The delivery contract on a real broker: an offset is committed only after its outcome record is stored; a failed
 * dead-letter publish leaves the record uncommitted (and blocks its partition) until it succeeds; a restart skips
 * what was committed and re-processes what was not.
 */
class DeliveryGuaranteesTest {

    private static final Duration WAIT = Duration.ofSeconds(45);

    private WireMockServer kore;
    private String brokers;
    private RunningBridge bridge;

    @BeforeEach
    void startStub() {
        brokers = KafkaTestBroker.get().bootstrapServers();
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
        kore.stubFor(post(urlPathMatching("/campaign/api/v2/public/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"data\":{\"_id\":\"cl-delivery\",\"name\":\"n\","
                        + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}")));
    }

    @AfterEach
    void stopAll() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        kore.stop();
    }

    private Map<String, String> settings(String prefix) {
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        // One event at a time keeps the partition strictly in order, which these tests watch; the concurrent case
        // (bridge.max-in-flight above 1) is ConcurrencyTest's.
        settings.put("bridge.max-in-flight", "1");
        // A missing dead-letter topic makes the publish fail within a second instead of after 60 s.
        settings.put("camel.component.kafka.max-block-ms", "1000");
        return settings;
    }

    @Test
    void failedDeadLetterPublishLeavesOffsetUncommittedAndBlocksThePartitionUntilItSucceeds() throws Exception {
        String prefix = KafkaTestBroker.uniquePrefix("delivery-dlq");
        KafkaTestBroker.get().createTopics(1, prefix + ".create", prefix + ".created");
        bridge = RunningBridge.start(settings(prefix));
        NotifyBuilder failedTwice = new NotifyBuilder(bridge.context()).fromRoute("consume-requests")
                .whenFailed(2).create();

        byte[] invalid = "{\"eventId\":\"crm-d1\",\"name\":42}".getBytes(StandardCharsets.UTF_8);
        KafkaTestClient.send(brokers, prefix + ".create", "crm-d1".getBytes(StandardCharsets.UTF_8), invalid,
                Map.of());
        KafkaTestClient.send(brokers, prefix + ".create", "crm-d2",
                "{\"eventId\":\"crm-d2\",\"name\":\"After the blocked one\",\"description\":\"d\"}");

        // The dead-letter topic does not exist: the publish fails again and again, and nothing moves on.
        assertThat(failedTwice.matches(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // Offset 0 committed means "read record 0 next": nothing past the record without an outcome is committed
        // (the bridge commits the first offset, so that the consumer resumes exactly there).
        assertThat(KafkaTestClient.committedOffset(brokers, prefix + "-bridge", prefix + ".create", 0))
                .as("no commit past the record whose outcome is not stored").isZero();
        assertThat(KafkaTestClient.readAll(brokers, prefix + ".created", Duration.ZERO))
                .as("the next record waits behind the failing one").isEmpty();
        kore.verify(0, postRequestedFor(urlPathMatching(".*")));

        KafkaTestBroker.get().createTopics(1, prefix + ".dlq");

        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClient.awaitRecords(brokers, prefix + ".dlq", 1, WAIT);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).value()).isEqualTo(invalid);
        assertThat(KafkaTestClient.header(dead.get(0), "bridge.error.reason")).isEqualTo("INVALID_EVENT");
        KafkaTestClient.awaitRecords(brokers, prefix + ".created", 1, WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                KafkaTestClient.committedOffset(brokers, prefix + "-bridge", prefix + ".create", 0)).isEqualTo(2));
    }

    @Test
    void restartSkipsCommittedRecordsAndReprocessesUncommittedOnes() throws Exception {
        String prefix = KafkaTestBroker.uniquePrefix("delivery-restart");
        KafkaTestBroker.get().createTopics(1, prefix + ".create", prefix + ".created");
        bridge = RunningBridge.start(settings(prefix));
        for (int i = 1; i <= 3; i++) {
            KafkaTestClient.send(brokers, prefix + ".create", "crm-r" + i,
                    "{\"eventId\":\"crm-r" + i + "\",\"name\":\"Restart list " + i + "\",\"description\":\"d\"}");
        }
        KafkaTestClient.awaitRecords(brokers, prefix + ".created", 3, WAIT);

        // An invalid event whose dead letter cannot be stored yet: consumed, but never committed.
        NotifyBuilder failed = new NotifyBuilder(bridge.context()).fromRoute("consume-requests").whenFailed(1)
                .create();
        KafkaTestClient.send(brokers, prefix + ".create", "crm-r4", "not json");
        assertThat(failed.matches(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        bridge.close();
        bridge = null;
        assertThat(KafkaTestClient.committedOffset(brokers, prefix + "-bridge", prefix + ".create", 0)).isEqualTo(3);

        KafkaTestBroker.get().createTopics(1, prefix + ".dlq");
        bridge = RunningBridge.start(settings(prefix));

        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClient.awaitRecords(brokers, prefix + ".dlq", 1, WAIT);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not json");
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                KafkaTestClient.committedOffset(brokers, prefix + "-bridge", prefix + ".create", 0)).isEqualTo(4));
        assertThat(KafkaTestClient.readAll(brokers, prefix + ".created", Duration.ZERO))
                .as("committed events are not processed again").hasSize(3);
        kore.verify(3, postRequestedFor(urlPathMatching(".*")));
    }

    @Test
    void retryingRecordIsLeftUncommittedOnShutdownNotDeadLettered() throws Exception {
        String prefix = KafkaTestBroker.freshTopics("delivery-shutdown");
        kore.stubFor(post(urlPathMatching("/campaign/api/v2/public/.*")).atPriority(1)
                .willReturn(aResponse().withStatus(503).withBody("down for maintenance")));
        Map<String, String> slowRetries = settings(prefix);
        slowRetries.put("bridge.retry.initial-delay-ms", "20000");
        slowRetries.put("bridge.retry.max-delay-ms", "20000");
        // Longer than the backoff: only the bridge's own refusal to wait, not the shutdown timeout, can end the stop
        // before the backoff is over.
        slowRetries.put("camel.main.shutdown-timeout", "60");
        bridge = RunningBridge.start(slowRetries);

        KafkaTestClient.send(brokers, prefix + ".create", "crm-s1",
                "{\"eventId\":\"crm-s1\",\"name\":\"Shutdown list\",\"description\":\"d\"}");
        await().atMost(WAIT).until(() -> !kore.findAll(postRequestedFor(urlPathMatching(".*"))).isEmpty());
        long stopStarted = System.nanoTime();
        bridge.close();
        bridge = null;
        // An idle bridge stops in about a second; waiting out the backoff would take up to 20 s (25 % jitter: 15 s
        // at least), and the shutdown timeout would allow 60 s.
        assertThat(Duration.ofNanos(System.nanoTime() - stopStarted))
                .as("the stop does not wait out the 20 s backoff").isLessThan(Duration.ofSeconds(5));

        assertThat(KafkaTestClient.readAll(brokers, prefix + ".dlq", Duration.ZERO)).isEmpty();
        assertThat(KafkaTestClient.committedOffset(brokers, prefix + "-bridge", prefix + ".create", 0))
                .as("committed up to, not past, the record being retried").isZero();

        kore.resetAll();
        kore.stubFor(post(urlPathMatching("/campaign/api/v2/public/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"data\":{\"_id\":\"cl-after-restart\"}}")));
        bridge = RunningBridge.start(settings(prefix));
        List<ConsumerRecord<byte[], byte[]>> created = KafkaTestClient.awaitRecords(brokers, prefix + ".created", 1,
                WAIT);
        assertThat(new String(created.get(0).value(), StandardCharsets.UTF_8)).contains("cl-after-restart");
    }
}
