package com.contactlistbridge.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard by name ({@code bridge.dedupe.by-name}) against a Kore.ai stub: a create that failed after Kore.ai made
 * the list is found by name on the retry instead of made twice, and a paged Get All Contact Lists is read to its end.
 */
class GuardByNameTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREATE = "/campaign/.*/createContactList";
    private static final String GET_ALL = "/campaign/.*/getAllListDetails";

    private WireMockServer kore;
    private RunningBridge bridge;
    private String brokers;

    @BeforeEach
    void startStub() {
        brokers = KafkaTestBroker.get().bootstrapServers();
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        kore.stop();
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static String created(String id, String name) {
        return "{\"status\":\"success\",\"data\":{\"_id\":\"" + id + "\",\"name\":\"" + name + "\","
                + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}";
    }

    private static String list(String id, String name) {
        return "{\"_id\":\"" + id + "\",\"name\":\"" + name + "\",\"status\":\"Ready\"}";
    }

    private Map<String, String> settings(String prefix) {
        KafkaTestBroker.get().createTopics(1, prefix + ".create", prefix + ".created", prefix + ".dlq");
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        settings.put("bridge.dedupe.by-name", "true");
        // Long enough that only a failed call, never the clock, makes the bridge read the names again.
        settings.put("bridge.dedupe.by-name-ttl-ms", "600000");
        settings.put("kore.http.response-timeout-ms", "1000");
        return settings;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"read timeout", "HTTP 504"})
    void aCreateThatFailedAfterKoreCreatedTheListIsFoundByNameOnTheRetryAndNotCreatedAgain(String failure)
            throws Exception {
        String prefix = KafkaTestBroker.uniquePrefix(failure.equals("read timeout") ? "guard-timeout" : "guard-5xx");
        String name = "Late List";
        // Kore.ai creates the list, but its answer comes too late for the bridge (or a gateway answers 504).
        ResponseDefinitionBuilder lostAnswer = failure.equals("read timeout")
                ? json(created("cl-late", name)).withFixedDelay(3_000) : aResponse().withStatus(504);
        kore.stubFor(get(urlPathMatching(GET_ALL)).inScenario("kore").whenScenarioStateIs(STARTED)
                .willReturn(json("{\"status\":\"success\",\"message\":\"\",\"data\":[]}")));
        kore.stubFor(post(urlPathMatching(CREATE)).inScenario("kore").whenScenarioStateIs(STARTED)
                .willSetStateTo("list created").willReturn(lostAnswer));
        kore.stubFor(get(urlPathMatching(GET_ALL)).inScenario("kore").whenScenarioStateIs("list created")
                .willReturn(json("{\"status\":\"success\",\"message\":\"\",\"data\":[" + list("cl-late", name) + "]}")));
        kore.stubFor(post(urlPathMatching(CREATE)).inScenario("kore").whenScenarioStateIs("list created")
                .willReturn(json(created("cl-second", name))));
        bridge = RunningBridge.start(settings(prefix));

        KafkaTestClient.send(brokers, prefix + ".create", "crm-late",
                "{\"eventId\":\"crm-late\",\"name\":\"" + name + "\",\"description\":\"d\"}");

        ConsumerRecord<byte[], byte[]> record = KafkaTestClient.awaitRecords(brokers, prefix + ".created", 1, WAIT)
                .get(0);
        JsonNode outcome = JSON.readTree(record.value());
        assertThat(outcome.get("eventId").asText()).isEqualTo("crm-late");
        assertThat(outcome.get("contactListId").asText()).as("the list the failed call created").isEqualTo("cl-late");
        assertThat(outcome.get("existing").asBoolean()).isTrue();
        assertThat(KafkaTestClient.readAll(brokers, prefix + ".dlq", Duration.ZERO)).isEmpty();
        kore.verify(1, postRequestedFor(urlPathMatching(CREATE)));
        kore.verify(2, getRequestedFor(urlPathMatching(GET_ALL)));
    }

    @Test
    void aPagedGetAllIsReadToTheEndBeforeAnyNameIsChecked() throws Exception {
        String prefix = KafkaTestBroker.uniquePrefix("guard-pages");
        kore.stubFor(get(urlPathMatching(GET_ALL)).withQueryParam("skip", absent()).willReturn(json(
                "{\"status\":\"success\",\"data\":{\"results\":[" + list("cl-a", "Page One A") + ","
                        + list("cl-b", "Page One B") + "],\"skip\":0,\"limit\":2,\"hasMore\":true,\"totalPages\":2,"
                        + "\"totalResults\":3}}")));
        kore.stubFor(get(urlPathMatching(GET_ALL)).withQueryParam("skip", equalTo("2"))
                .withQueryParam("limit", equalTo("2")).willReturn(json(
                "{\"status\":\"success\",\"data\":{\"results\":[" + list("cl-c", "Page Two C") + "],\"skip\":2,"
                        + "\"limit\":2,\"hasMore\":false,\"totalPages\":2,\"totalResults\":3}}")));
        kore.stubFor(post(urlPathMatching(CREATE)).withRequestBody(matchingJsonPath("$.name", equalTo("Brand New")))
                .willReturn(json(created("cl-new", "Brand New"))));
        bridge = RunningBridge.start(settings(prefix));

        KafkaTestClient.send(brokers, prefix + ".create", "crm-p1",
                "{\"eventId\":\"crm-p1\",\"name\":\"page two c\",\"description\":\"d\"}");
        KafkaTestClient.send(brokers, prefix + ".create", "crm-p2",
                "{\"eventId\":\"crm-p2\",\"name\":\"Brand New\",\"description\":\"d\"}");

        Map<String, String> listByEvent = new java.util.HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : KafkaTestClient.awaitRecords(brokers, prefix + ".created", 2,
                WAIT)) {
            JsonNode outcome = JSON.readTree(record.value());
            listByEvent.put(outcome.get("eventId").asText(), outcome.get("contactListId").asText());
        }
        assertThat(listByEvent).containsExactlyInAnyOrderEntriesOf(Map.of("crm-p1", "cl-c", "crm-p2", "cl-new"));
        kore.verify(1, postRequestedFor(urlPathMatching(CREATE)));
        List<LoggedRequest> gets = kore.findAll(getRequestedFor(urlPathMatching(GET_ALL)));
        assertThat(gets).as("two pages, read once for both events").hasSize(2);
        assertThat(gets).allSatisfy(request -> {
            assertThat(request.queryParameter("accountId").firstValue()).isEqualTo("acc-test");
            assertThat(request.queryParameter("type").firstValue()).isEqualTo("call");
            assertThat(request.getHeader("iid")).isEqualTo("st-test-app");
            assertThat(request.getHeader("auth")).startsWith("eyJ");
        });
        assertThat(gets.stream().map(r -> r.queryParameter("skip").isPresent() ? r.queryParameter("skip")
                .firstValue() : "none")).containsExactlyInAnyOrder("none", "2");
    }
}
