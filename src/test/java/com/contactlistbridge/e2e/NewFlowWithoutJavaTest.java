package com.contactlistbridge.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof that a flow needs no Java: a brand-new flow ("update contact list", PUT .../contactList/{id}) written as
 * one YAML file into a temporary routes folder, its topics given as settings, runs in the unchanged bridge on a real
 * broker against a stub, with its outcome and its dead letter.
 */
class NewFlowWithoutJavaTest {

    private static final String PREFIX = "newflow";
    private static final String REQUESTS = PREFIX + ".update";
    private static final String DONE = PREFIX + ".updated";
    private static final String DLQ = PREFIX + ".update.dlq";
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** What an engineer writes: consume, parse, map, call Kore.ai (PUT, signed), publish. No validation bean. */
    private static final String FLOW = """
            - templatedRoute:
                routeTemplateRef: consume-topic
                routeId: consume-update-contact-list
                parameters:
                  - name: flow
                    value: update-contact-list
                  - name: topic
                    value: "{{bridge.update-contact-list.topic.requests}}"
                  - name: outcomeTopic
                    value: "{{bridge.update-contact-list.topic.done}}"
                  - name: deadLetterTopic
                    value: "{{bridge.update-contact-list.topic.dead-letter}}"
                  - name: consumerGroup
                    value: "{{bridge.consumer-group}}.update-contact-list"
            - route:
                id: update-contact-list
                description: Rename a contact list
                from:
                  uri: direct:update-contact-list
                  steps:
                    - bean:
                        id: parse-update-event
                        ref: crmEventParser
                        method: parse
                    - setProperty:
                        id: map-update-event-id
                        name: eventId
                        expression:
                          simple:
                            expression: "${body[eventId]}"
                    - setVariable:
                        id: map-list-id
                        name: contactListId
                        expression:
                          simple:
                            expression: "${body[listId]}"
                    - setVariable:
                        id: map-new-name
                        name: koreRequest.name
                        expression:
                          simple:
                            expression: "${body[newName]}"
                    - to:
                        id: call-kore-update
                        uri: direct:kore-update-contact-list
                    - setBody:
                        id: updated-record
                        expression:
                          simple:
                            expression: "${variable.koreAnswer}"
                    - to:
                        id: publish-updated
                        uri: direct:publish-outcome
            - templatedRoute:
                routeTemplateRef: kore-call
                routeId: kore-update-contact-list
                parameters:
                  - name: name
                    value: kore-update-contact-list
                  - name: method
                    value: PUT
                  - name: path
                    value: "/campaign/api/v2/public/{{kore.stream-id}}/campaign/contactList/{contactListId}"
                  - name: answer
                    value: accepted
            """;

    /** A flow with a path that ends without an outcome (the filter): the record is dead-lettered, not lost. */
    private static final String FLOW_WITH_A_GAP = """
            - templatedRoute:
                routeTemplateRef: consume-topic
                routeId: consume-gap
                parameters:
                  - name: flow
                    value: gap
                  - name: topic
                    value: newflow.gap
                  - name: outcomeTopic
                    value: newflow.gap.done
                  - name: deadLetterTopic
                    value: newflow.gap.dlq
            - route:
                id: gap
                from:
                  uri: direct:gap
                  steps:
                    - bean:
                        id: parse-gap-event
                        ref: crmEventParser
                        method: parse
                    - filter:
                        id: only-wanted
                        expression:
                          simple:
                            expression: "${body[wanted]} == true"
                        steps:
                          - to:
                              id: publish-gap
                              uri: direct:publish-outcome
            """;

    @TempDir
    Path routes;

    @Test
    void aRecordWhoseFlowEndsWithoutAnOutcomeIsDeadLetteredNotLost() throws Exception {
        Files.writeString(routes.resolve("gap.camel.yaml"), FLOW_WITH_A_GAP);
        String brokers = KafkaTestBroker.get().bootstrapServers();
        KafkaTestBroker.get().createTopics(1, "newflow.gap", "newflow.gap.done", "newflow.gap.dlq");
        Map<String, String> settings = RunningBridge.baseSettings(brokers, "http://127.0.0.1:1", "newflow-gap");
        settings.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        try (RunningBridge bridge = RunningBridge.start(settings)) {
            String unwanted = "{\"eventId\":\"gap-1\",\"wanted\":false}";
            KafkaTestClient.send(brokers, "newflow.gap", "gap-1", unwanted);
            KafkaTestClient.send(brokers, "newflow.gap", "gap-2", "{\"eventId\":\"gap-2\",\"wanted\":true}");

            ConsumerRecord<byte[], byte[]> dead = KafkaTestClient.awaitRecords(brokers, "newflow.gap.dlq", 1, WAIT)
                    .get(0);
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo(unwanted);
            assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).isEqualTo("UNAVAILABLE");
            assertThat(KafkaTestClient.header(dead, "bridge.error.message")).contains("the flow gap ended without an "
                    + "outcome");
            assertThat(KafkaTestClient.awaitRecords(brokers, "newflow.gap.done", 1, WAIT)).hasSize(1);
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> KafkaTestClient.committedOffset(brokers,
                    "newflow-gap-bridge", "newflow.gap", 0) == 2);
        }
    }

    @Test
    void aFlowWrittenAsOneYamlFilePublishesItsOutcomeAndItsDeadLetter() throws Exception {
        Files.writeString(routes.resolve("update-contact-list.camel.yaml"), FLOW);
        String brokers = KafkaTestBroker.get().bootstrapServers();
        KafkaTestBroker.get().createTopics(1, REQUESTS, DONE, DLQ);
        WireMockServer kore = new WireMockServer(options().dynamicPort());
        kore.start();
        kore.stubFor(put(urlPathMatching("/campaign/api/v2/public/st-test-stream/campaign/contactList/.*"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":\"success\",\"message\":\"Contact list updated\"}")));
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), PREFIX);
        settings.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        settings.put("bridge.update-contact-list.topic.requests", REQUESTS);
        settings.put("bridge.update-contact-list.topic.done", DONE);
        settings.put("bridge.update-contact-list.topic.dead-letter", DLQ);
        try (RunningBridge bridge = RunningBridge.start(settings)) {
            String good = "{\"eventId\":\"up-1\",\"listId\":\"cl-42\",\"newName\":\"Renewals (Q3)\"}";
            // A list id that would steer the URL is refused before any call.
            String bad = "{\"eventId\":\"up-2\",\"listId\":\"../../admin\",\"newName\":\"x\"}";
            KafkaTestClient.send(brokers, REQUESTS, "up-1", good);
            KafkaTestClient.send(brokers, REQUESTS, "up-2", bad);

            ConsumerRecord<byte[], byte[]> done = KafkaTestClient.awaitRecords(brokers, DONE, 1, WAIT).get(0);
            JsonNode value = new ObjectMapper().readTree(done.value());
            assertThat(value.get("message").asText()).isEqualTo("Contact list updated");
            assertThat(KafkaTestClient.header(done, "bridge.event-id")).isEqualTo("up-1");

            ConsumerRecord<byte[], byte[]> dead = KafkaTestClient.awaitRecords(brokers, DLQ, 1, WAIT).get(0);
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo(bad);
            assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).isEqualTo("INVALID_EVENT");
            assertThat(KafkaTestClient.header(dead, "bridge.error.message")).startsWith("contactListId must be an id");
            assertThat(KafkaTestClient.header(dead, "bridge.event-id")).isEqualTo("up-2");

            List<LoggedRequest> calls = kore.findAll(putRequestedFor(urlPathMatching(".*")));
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0).getUrl())
                    .startsWith("/campaign/api/v2/public/st-test-stream/campaign/contactList/cl-42?accountId=acc-test");
            assertThat(new ObjectMapper().readTree(calls.get(0).getBodyAsString()).get("name").asText())
                    .isEqualTo("Renewals (Q3)");
            assertThat(calls.get(0).getHeader("auth")).isNotBlank();
            assertThat(calls.get(0).getHeader("iid")).isEqualTo("st-test-app");
            assertThat(bridge.context().getRoutes()).extracting(r -> r.getRouteId())
                    .contains("consume-update-contact-list", "update-contact-list", "kore-update-contact-list");
            // Per-flow metrics labels, without any code for the flow.
            String metrics = com.contactlistbridge.testsupport.HttpProbe.body(bridge.managementUrl()
                    + "/observe/metrics");
            assertThat(metrics).contains("bridge_outcomes_total{flow=\"update-contact-list\"} 1.0")
                    .contains("bridge_dead_letters_total{flow=\"update-contact-list\",reason=\"INVALID_EVENT\"} 1.0")
                    .contains("bridge_events_consumed_total{flow=\"update-contact-list\"} 2.0");
        } finally {
            kore.stop();
        }
    }
}
