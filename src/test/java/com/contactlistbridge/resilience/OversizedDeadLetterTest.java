package com.contactlistbridge.resilience;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dead letters against Kafka's size limits: with the default limits, an invalid record just under 1 MiB plus the
 * dead-letter headers would exceed them, so the dead letter leaves the value out instead of blocking the partition
 * forever; with a topic that accepts less than a producer batch, many dead letters at once still arrive.
 */
@Tag("resilience")
class OversizedDeadLetterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aValueTooLargeForADeadLetterIsLeftOutAndThePartitionMovesOn() throws Exception {
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String prefix = KafkaTestBroker.freshTopics("oversized");
        WireMockServer kore = new WireMockServer(options().dynamicPort());
        kore.start();
        kore.stubFor(post(urlPathMatching("/campaign/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"data\":{\"_id\":\"cl-after\"}}")));
        // Shipped settings: default topic limits, default producer limit, dead-letter.max-value-bytes 1000000.
        try (RunningBridge bridge = RunningBridge.start(RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix))) {
            byte[] garbage = new byte[1_048_000];
            Arrays.fill(garbage, (byte) 0xFF); // never valid UTF-8
            KafkaTestClient.send(brokers, prefix + ".create", "huge".getBytes(StandardCharsets.UTF_8), garbage,
                    Map.of());
            KafkaTestClient.send(brokers, prefix + ".create", "crm-after",
                    "{\"eventId\":\"crm-after\",\"name\":\"After the huge one\",\"description\":\"d\"}");

            List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClient.awaitRecords(brokers, prefix + ".dlq", 1,
                    WAIT);
            assertThat(dead.get(0).value()).isEmpty();
            assertThat(KafkaTestClient.header(dead.get(0), "bridge.error.value-omitted")).isEqualTo("1048000");
            assertThat(KafkaTestClient.header(dead.get(0), "bridge.error.reason")).isEqualTo("INVALID_EVENT");
            assertThat(KafkaTestClient.header(dead.get(0), "bridge.original.offset")).isEqualTo("0");
            KafkaTestClient.awaitRecords(brokers, prefix + ".created", 1, WAIT);
        } finally {
            kore.stop();
        }
    }

    /**
     * A dead-letter topic whose max.message.bytes (4000) is below Kafka's default batch.size (16 KB): many invalid
     * events at once make the dead-letter producer batch their records. Kafka refuses such a batch as too large, and
     * Kafka's producer splits it into batch.size pieces and resends them, refused again, without end (before
     * ProducerBatchLimit: no dead letter in 30 s, the test's log full of "splitting and retrying" lines). Now the
     * batch size is capped at the topic's limit, and every dead letter arrives.
     */
    @Test
    void manyDeadLettersAtOnceFitATopicWithASmallLimit() throws Exception {
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String prefix = KafkaTestBroker.freshTopics("small-dlq");
        String smallDlq = prefix + ".small-dlq";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
            ResilienceKit.createTopics(admin, 1, Map.of("max.message.bytes", "4000"), smallDlq);
        }
        WireMockServer kore = new WireMockServer(options().dynamicPort());
        kore.start();
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        settings.put("bridge.max-in-flight", "16");
        settings.put("bridge.topic.dead-letter", smallDlq);
        try (RunningBridge bridge = RunningBridge.start(settings)) {
            int events = 60;
            for (int i = 0; i < events; i++) {
                // About 700 bytes each: invalid (name too long), so each becomes a dead letter of about 1 KB.
                KafkaTestClient.send(brokers, prefix + ".create", "crm-small-" + i, "{\"eventId\":\"crm-small-" + i
                        + "\",\"name\":\"" + "n".repeat(600) + "\",\"description\":\"d\"}");
            }
            List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClient.awaitRecords(brokers, smallDlq, events,
                    Duration.ofSeconds(30));
            assertThat(dead).hasSize(events);
            assertThat(KafkaTestClient.header(dead.get(0), "bridge.error.reason")).isEqualTo("INVALID_EVENT");
        } finally {
            kore.stop();
        }
    }
}
