package com.contactlistbridge.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * No list is created twice for one event id: re-sent events, redeliveries after a restart and replays are answered
 * from the processed-events topic, without calling Kore.ai.
 */
class DuplicateEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private WireMockServer kore;
    private RunningBridge bridge;
    private String brokers;

    @BeforeEach
    void startStub() {
        brokers = KafkaTestBroker.get().bootstrapServers();
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
        kore.stubFor(post(urlPathMatching("/campaign/.*/createContactList")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"data\":{\"_id\":\"cl-once\",\"name\":\"Once\","
                        + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}")));
    }

    @AfterEach
    void stopAll() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        kore.stop();
    }

    @Test
    void aReSentEventIsAnsweredFromTheStoreWithoutASecondCall() throws Exception {
        String prefix = KafkaTestBroker.freshTopics("dedupe-resend");
        bridge = RunningBridge.start(RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix));

        String event = "{\"eventId\":\"crm-once\",\"name\":\"Once\",\"description\":\"d\"}";
        KafkaTestClient.send(brokers, prefix + ".create", "crm-once", event);
        KafkaTestClient.send(brokers, prefix + ".create", "crm-once", event);

        List<ConsumerRecord<byte[], byte[]>> created = KafkaTestClient.awaitRecords(brokers, prefix + ".created", 2,
                WAIT);
        assertThat(created).hasSize(2);
        assertThat(created).allSatisfy(r -> assertThat(JSON.readTree(r.value()).get("contactListId").asText())
                .isEqualTo("cl-once"));
        assertThat(created.get(1).value()).isEqualTo(created.get(0).value());
        kore.verify(1, postRequestedFor(urlPathMatching(".*")));
    }

    @Test
    void theStoreSurvivesARestartAndTheProcessedTopicIsCompacted() throws Exception {
        String prefix = KafkaTestBroker.freshTopics("dedupe-restart");
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        bridge = RunningBridge.start(settings);
        KafkaTestClient.send(brokers, prefix + ".create", "crm-kept",
                "{\"eventId\":\"crm-kept\",\"name\":\"Once\",\"description\":\"d\"}");
        KafkaTestClient.awaitRecords(brokers, prefix + ".created", 1, WAIT);
        bridge.close();
        bridge = null;

        List<ConsumerRecord<byte[], byte[]>> stored = KafkaTestClient.readAll(brokers, prefix + ".processed",
                Duration.ZERO);
        assertThat(stored).hasSize(1);
        assertThat(new String(stored.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("crm-kept");
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", brokers))) {
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, prefix + ".processed");
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy")
                    .value()).isEqualTo("compact");
        }

        // The same event again, e.g. the CRM retrying after a timeout on its side, to a new bridge process.
        bridge = RunningBridge.start(settings);
        KafkaTestClient.send(brokers, prefix + ".create", "crm-kept",
                "{\"eventId\":\"crm-kept\",\"name\":\"Once\",\"description\":\"d\"}");
        KafkaTestClient.awaitRecords(brokers, prefix + ".created", 2, WAIT);
        kore.verify(1, postRequestedFor(urlPathMatching(".*")));
    }

    @Test
    void guardByNameAnswersAnExistingListAndCatchesTheSameNameTwice() throws Exception {
        String prefix = KafkaTestBroker.freshTopics("dedupe-name");
        kore.stubFor(get(urlPathMatching("/campaign/.*/getAllListDetails")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"data\":[{\"name\":\"Existing List\",\"_id\":\"cl-existing\","
                        + "\"status\":\"Ready\",\"createdAt\":\"2025-01-01T00:00:00.000Z\"}]}")));
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        settings.put("bridge.dedupe.by-name", "true");
        settings.put("bridge.dedupe.by-name-ttl-ms", "600000");
        bridge = RunningBridge.start(settings);

        KafkaTestClient.send(brokers, prefix + ".create", "crm-n1",
                "{\"eventId\":\"crm-n1\",\"name\":\"existing LIST\",\"description\":\"d\"}");
        KafkaTestClient.send(brokers, prefix + ".create", "crm-n2",
                "{\"eventId\":\"crm-n2\",\"name\":\"Once\",\"description\":\"d\"}");
        KafkaTestClient.send(brokers, prefix + ".create", "crm-n3",
                "{\"eventId\":\"crm-n3\",\"name\":\"once\",\"description\":\"another event, same name\"}");

        List<ConsumerRecord<byte[], byte[]>> created = KafkaTestClient.awaitRecords(brokers, prefix + ".created", 3,
                WAIT);
        // Events run concurrently (bridge.max-in-flight), so outcomes may come in any order; the two events named
        // "Once" never pass the guard together: one creates the list, the other finds it.
        Map<String, com.fasterxml.jackson.databind.JsonNode> byEvent = new java.util.HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : created) {
            var json = JSON.readTree(record.value());
            byEvent.put(json.get("eventId").asText(), json);
        }
        assertThat(byEvent.keySet()).containsExactlyInAnyOrder("crm-n1", "crm-n2", "crm-n3");
        assertThat(byEvent.get("crm-n1").get("contactListId").asText()).isEqualTo("cl-existing");
        assertThat(byEvent.get("crm-n1").get("existing").asBoolean()).isTrue();
        assertThat(byEvent.get("crm-n2").get("contactListId").asText()).isEqualTo("cl-once");
        assertThat(byEvent.get("crm-n3").get("contactListId").asText()).isEqualTo("cl-once");
        assertThat(byEvent.get("crm-n2").path("existing").asBoolean() ^ byEvent.get("crm-n3").path("existing")
                .asBoolean()).as("exactly one of the two found the list").isTrue();
        kore.verify(1, postRequestedFor(urlPathMatching(".*createContactList")));
        kore.verify(1, getRequestedFor(urlPathMatching(".*getAllListDetails"))
                .withQueryParam("type", com.github.tomakehurst.wiremock.client.WireMock.equalTo("call"))
                .withHeader("iid", com.github.tomakehurst.wiremock.client.WireMock.equalTo("st-test-app")));
    }
}
