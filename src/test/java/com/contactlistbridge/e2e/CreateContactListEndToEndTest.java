package com.contactlistbridge.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.OutcomeAssertions;
import com.contactlistbridge.testsupport.OutcomeAssertions.Expected;
import com.contactlistbridge.testsupport.OutcomeAssertions.Position;
import com.contactlistbridge.testsupport.RunningBridge;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole bridge (production Main, config/, routes/) on a real in-process Kafka broker against a WireMock stub of
 * Kore.ai: every outcome of the contract, byte-exact dead letters, the retry policy and the committed offsets.
 *
 * <p>Each test has its own topics, consumer group and bridge, and the stub forgets every call between tests, so each
 * test sees only its own records and calls. Every test checks that each record it sent ended in exactly one outcome,
 * matched to the record by position ({@link OutcomeAssertions}), and that the group committed it.
 */
class CreateContactListEndToEndTest {

    private static final String API_PATH =
            "/campaign/api/v2/public/st-test-stream/campaign/contactList/createContactList";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WireMockServer kore;
    private static String brokers;

    private String prefix;
    private String requests;
    private String created;
    private String deadLetter;
    private RunningBridge bridge;

    @BeforeAll
    static void startStub() {
        brokers = KafkaTestBroker.get().bootstrapServers();
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
    }

    @AfterAll
    static void stopStub() {
        if (kore != null) {
            kore.stop();
        }
    }

    @BeforeEach
    void freshTopicsAndStub() {
        kore.resetAll();
        // Default answer: created.
        kore.stubFor(post(urlPathEqualTo(API_PATH)).atPriority(10)
                .willReturn(json(success("cl-default", "default"))));
        prefix = KafkaTestBroker.uniquePrefix("e2e");
        requests = prefix + ".create";
        created = prefix + ".created";
        deadLetter = prefix + ".dlq";
        KafkaTestBroker.get().createTopics(3, requests, created, deadLetter);
    }

    @AfterEach
    void stopBridge() throws Exception {
        if (bridge != null) {
            bridge.close();
            bridge = null;
        }
    }

    private void startBridge() throws Exception {
        bridge = RunningBridge.start(RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix));
    }

    @Test
    void validEventIsCreatedWithSignedRequestAndNoIncomingHeaders() throws Exception {
        startBridge();
        stubNamed("Renewal Due 1- July 2025", json(success("cl-renewal-1", "Renewal Due 1- July 2025")));
        byte[] value = Files.readAllBytes(Path.of("examples/events/valid-renewal-july.json"));
        RecordMetadata sent = KafkaTestClient.send(brokers, requests, utf8("key-renewal"), value,
                Map.of("x-crm-trace", utf8("trace-1"),
                        "CamelHttpUri", utf8("http://attacker.invalid/steal"),
                        "auth", utf8("forged-token")));

        ConsumerRecord<byte[], byte[]> outcome = oneOutcomeEach(Expected.created(sent, "crm-0001"))
                .get(Position.of(sent));
        assertThat(KafkaTestClient.text(outcome.key())).isEqualTo("key-renewal");
        JsonNode body = JSON.readTree(outcome.value());
        assertThat(body.get("eventId").asText()).isEqualTo("crm-0001");
        assertThat(body.get("contactListId").asText()).isEqualTo("cl-renewal-1");
        assertThat(body.get("name").asText()).isEqualTo("Renewal Due 1- July 2025");
        assertThat(body.get("createdAt").asText()).isEqualTo("2025-12-05T09:22:51.001Z");
        assertThat(outcome.headers().lastHeader("auth")).isNull();
        assertThat(outcome.headers().lastHeader("x-crm-trace")).isNull();

        List<LoggedRequest> calls = callsFor("Renewal Due 1- July 2025");
        assertThat(calls).hasSize(1);
        kore.verify(1, anyRequestedFor(anyUrl()));
        LoggedRequest call = calls.get(0);
        assertThat(call.getUrl()).isEqualTo(API_PATH + "?accountId=acc-test");
        assertThat(call.getHeader("iid")).isEqualTo("st-test-app");
        assertThat(call.getHeader("accountId")).isEqualTo("acc-test");
        assertThat(call.getHeader("Content-Type")).startsWith("application/json");
        assertThat(call.containsHeader("x-crm-trace")).isFalse();
        assertThat(call.containsHeader("CamelHttpUri")).isFalse();
        JsonNode sentBody = JSON.readTree(call.getBodyAsString());
        assertThat(sentBody.get("source").asText()).isEqualTo("passiveApi");
        assertThat(sentBody.get("allowDuplicates").asBoolean()).isTrue();
        assertThat(sentBody.get("description").asText()).startsWith("Customers with services expiring");
        SignedJWT jwt = SignedJWT.parse(call.getHeader("auth"));
        assertThat(jwt.verify(new MACVerifier(RunningBridge.TEST_SECRET.getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getStringClaim("appId")).isEqualTo("cs-test-client");
        assertThat(jwt.getJWTClaimsSet().getJWTID()).isNotBlank();
    }

    /**
     * Every invalid sample of examples/events, a keyed event without eventId and an event with neither: on one
     * partition, each record matched to its own outcome by offset. Kore.ai sees exactly one call, the keyed event's.
     */
    @Test
    void invalidEventsAreDeadLetteredByteForByteWithoutAnyCallAndEventIdsFallBack() throws Exception {
        Map<String, String> messages = new LinkedHashMap<>();
        messages.put("invalid-malformed-json.json", "record value is not valid JSON");
        messages.put("invalid-missing-name.json", "name is missing");
        messages.put("invalid-name-too-long.json", "name has 50 characters; the maximum is 48");
        messages.put("invalid-description-too-long.json", "description has 257 characters; the maximum is 256");
        messages.put("invalid-allow-duplicates-not-boolean.json",
                "allowDuplicates must be a boolean (true or false), got a string");
        messages.put("invalid-name-not-string.json", "name must be a string, got a number");
        messages.put("invalid-not-an-object.json", "record value must be a JSON object, got an array");
        messages.put("invalid-empty.bin", "record value is empty");
        messages.put("invalid-not-utf8.bin", "record value is not valid UTF-8");
        try (var samples = Files.list(Path.of("examples/events"))) {
            assertThat(samples.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("invalid-")))
                    .as("every invalid sample is covered").containsExactlyInAnyOrderElementsOf(messages.keySet());
        }
        startBridge();

        List<Expected> expected = new ArrayList<>();
        Map<Position, String> sampleAt = new LinkedHashMap<>();
        Map<Position, byte[]> valueAt = new LinkedHashMap<>();
        for (String file : messages.keySet()) {
            byte[] value = Files.readAllBytes(Path.of("examples/events", file));
            RecordMetadata sent = KafkaTestClient.send(brokers, requests, utf8("key-" + file), value,
                    Map.of("x-crm-trace", utf8("kept")));
            expected.add(Expected.deadLetter(sent));
            sampleAt.put(Position.of(sent), file);
            valueAt.put(Position.of(sent), value);
        }
        RecordMetadata keyOnly = KafkaTestClient.send(brokers, requests, "crm-key-only",
                "{\"name\":\"Keyed list\",\"description\":\"d\"}");
        expected.add(Expected.created(keyOnly, "crm-key-only"));
        RecordMetadata noId = KafkaTestClient.send(brokers, requests, null,
                "{\"description\":\"no name, no id, no key\"}");
        expected.add(Expected.deadLetter(noId));

        Map<Position, ConsumerRecord<byte[], byte[]>> outcomes = oneOutcomeEach(expected);

        sampleAt.forEach((position, file) -> {
            ConsumerRecord<byte[], byte[]> dead = outcomes.get(position);
            assertThat(dead.value()).as(file).isEqualTo(valueAt.get(position));
            assertThat(KafkaTestClient.text(dead.key())).as(file).isEqualTo("key-" + file);
            assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).as(file).isEqualTo("INVALID_EVENT");
            assertThat(KafkaTestClient.header(dead, "bridge.error.message")).as(file).contains(messages.get(file));
            assertThat(KafkaTestClient.header(dead, "bridge.error.attempts")).as(file).isEqualTo("0");
            assertThat(KafkaTestClient.header(dead, "bridge.error.http-status")).as(file).isNull();
            assertThat(KafkaTestClient.header(dead, "bridge.original.topic")).as(file).isEqualTo(requests);
            assertThat(KafkaTestClient.header(dead, "bridge.event-id")).as(file).isEqualTo(expectedEventId(file));
            // The CRM's own headers travel with the original record, so a replay is identical to the first send.
            assertThat(KafkaTestClient.header(dead, "x-crm-trace")).as(file).isEqualTo("kept");
        });
        assertThat(KafkaTestClient.text(outcomes.get(Position.of(keyOnly)).key())).isEqualTo("crm-key-only");
        assertThat(KafkaTestClient.header(outcomes.get(Position.of(noId)), "bridge.event-id"))
                .isEqualTo(requests + "-" + noId.partition() + "-" + noId.offset());
        assertThat(kore.findAll(anyRequestedFor(anyUrl()))).as("Kore.ai calls: only the keyed valid event's")
                .hasSize(1).allSatisfy(call -> assertThat(JSON.readTree(call.getBodyAsString()).get("name").asText())
                        .isEqualTo("Keyed list"));
    }

    @Test
    void badRequestIsRejectedAfterOneAttempt() throws Exception {
        startBridge();
        stubNamed("Rejected list", json("{\"errors\":[{\"msg\":\"Contact list name already exists\",\"code\":4090}]}")
                .withStatus(400));
        RecordMetadata sent = sendEvent("crm-400", "Rejected list");

        ConsumerRecord<byte[], byte[]> dead = oneOutcomeEach(Expected.deadLetter(sent)).get(Position.of(sent));
        assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).isEqualTo("REJECTED");
        assertThat(KafkaTestClient.header(dead, "bridge.error.http-status")).isEqualTo("400");
        assertThat(KafkaTestClient.header(dead, "bridge.error.attempts")).isEqualTo("1");
        assertThat(KafkaTestClient.header(dead, "bridge.event-id")).isEqualTo("crm-400");
        assertThat(KafkaTestClient.header(dead, "bridge.error.message"))
                .contains("Contact list name already exists").contains("4090");
        assertThat(callsFor("Rejected list")).hasSize(1);
    }

    /** A redirect is an answer, not a way elsewhere: the call is not repeated at the Location, whatever the status. */
    @Test
    void redirectsAreNotFollowed() throws Exception {
        startBridge();
        kore.stubFor(post(urlPathEqualTo("/elsewhere")).willReturn(json(success("cl-elsewhere", "Moved"))));
        stubNamed("Moved 307", aResponse().withStatus(307).withHeader("Location", kore.baseUrl() + "/elsewhere"));
        stubNamed("Moved 302", aResponse().withStatus(302).withHeader("Location", kore.baseUrl() + "/elsewhere"));
        RecordMetadata temporary = sendEvent("crm-307", "Moved 307");
        RecordMetadata found = sendEvent("crm-302", "Moved 302");

        Map<Position, ConsumerRecord<byte[], byte[]>> outcomes = oneOutcomeEach(Expected.deadLetter(temporary),
                Expected.deadLetter(found));
        for (RecordMetadata sent : List.of(temporary, found)) {
            ConsumerRecord<byte[], byte[]> dead = outcomes.get(Position.of(sent));
            String status = KafkaTestClient.header(dead, "bridge.event-id").substring(4);
            assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).isEqualTo("REJECTED");
            assertThat(KafkaTestClient.header(dead, "bridge.error.http-status")).isEqualTo(status);
            assertThat(KafkaTestClient.header(dead, "bridge.error.attempts")).isEqualTo("1");
        }
        kore.verify(0, anyRequestedFor(urlPathEqualTo("/elsewhere")));
        assertThat(callsFor("Moved 307")).hasSize(1);
        assertThat(callsFor("Moved 302")).hasSize(1);
    }

    @Test
    void serverErrorsAreRetriedUntilCreated() throws Exception {
        startBridge();
        String name = "Flaky list";
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("flaky").whenScenarioStateIs(STARTED).willSetStateTo("one-failed")
                .willReturn(aResponse().withStatus(500).withBody("{\"errors\":[{\"msg\":\"boom\",\"code\":500}]}")));
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("flaky").whenScenarioStateIs("one-failed").willSetStateTo("two-failed")
                .willReturn(aResponse().withStatus(500).withBody("{\"errors\":[{\"msg\":\"boom\",\"code\":500}]}")));
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("flaky").whenScenarioStateIs("two-failed")
                .willReturn(json(success("cl-flaky", name))));
        RecordMetadata sent = sendEvent("crm-500-500-200", name);

        ConsumerRecord<byte[], byte[]> outcome = oneOutcomeEach(Expected.created(sent, "crm-500-500-200"))
                .get(Position.of(sent));
        assertThat(JSON.readTree(outcome.value()).get("contactListId").asText()).isEqualTo("cl-flaky");
        List<LoggedRequest> calls = callsFor(name);
        assertThat(calls).hasSize(3);
        assertThat(calls.stream().map(c -> c.getHeader("auth")).collect(Collectors.toSet()))
                .as("every attempt is signed afresh").hasSize(3);
    }

    @Test
    void rateLimitedCallWaitsForRetryAfterThenSucceeds() throws Exception {
        startBridge();
        String name = "Rate limited list";
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("limited").whenScenarioStateIs(STARTED).willSetStateTo("waited")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withBody("{\"errors\":[{\"msg\":\"You've exceeded the per-minute rate limit. Please wait "
                                + "for sometime before retrying.\",\"code\":429}]}")));
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("limited").whenScenarioStateIs("waited")
                .willReturn(json(success("cl-limited", name))));
        RecordMetadata sent = sendEvent("crm-429", name);

        oneOutcomeEach(Expected.created(sent, "crm-429"));
        List<LoggedRequest> calls = callsFor(name);
        assertThat(calls).hasSize(2);
        long gapMillis = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        // The configured backoff is at most 200 ms; only Retry-After explains a wait of about a second.
        assertThat(gapMillis).isGreaterThanOrEqualTo(950);
    }

    @Test
    void readTimeoutIsRetried() throws Exception {
        startBridge();
        String name = "Slow list";
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("slow").whenScenarioStateIs(STARTED).willSetStateTo("timed-out")
                .willReturn(json(success("cl-too-late", name)).withFixedDelay(4000)));
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("slow").whenScenarioStateIs("timed-out")
                .willReturn(json(success("cl-slow", name))));
        RecordMetadata sent = sendEvent("crm-timeout", name);

        ConsumerRecord<byte[], byte[]> outcome = oneOutcomeEach(Expected.created(sent, "crm-timeout"))
                .get(Position.of(sent));
        assertThat(JSON.readTree(outcome.value()).get("contactListId").asText()).isEqualTo("cl-slow");
        assertThat(callsFor(name)).hasSize(2);
    }

    @Test
    void unauthorizedIsResignedOnceThenAuthFailed() throws Exception {
        startBridge();
        stubNamed("Unauthorized list", json("{\"errors\":[{\"msg\":\"Invalid SDK credentials\",\"code\":4002}]}")
                .withStatus(401));
        RecordMetadata sent = sendEvent("crm-401", "Unauthorized list");

        ConsumerRecord<byte[], byte[]> dead = oneOutcomeEach(Expected.deadLetter(sent)).get(Position.of(sent));
        assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).isEqualTo("AUTH_FAILED");
        assertThat(KafkaTestClient.header(dead, "bridge.error.http-status")).isEqualTo("401");
        assertThat(KafkaTestClient.header(dead, "bridge.error.attempts")).isEqualTo("2");
        assertThat(KafkaTestClient.header(dead, "bridge.error.message")).contains("Invalid SDK credentials")
                .doesNotContain(RunningBridge.TEST_SECRET);
        List<LoggedRequest> calls = callsFor("Unauthorized list");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).getHeader("auth")).isNotEqualTo(calls.get(1).getHeader("auth"));
    }

    @Test
    void persistentOutageEndsAsUnavailableAfterMaxAttempts() throws Exception {
        startBridge();
        stubNamed("Down list", aResponse().withStatus(503).withBody("Service Unavailable"));
        RecordMetadata sent = sendEvent("crm-503", "Down list");

        ConsumerRecord<byte[], byte[]> dead = oneOutcomeEach(Expected.deadLetter(sent)).get(Position.of(sent));
        assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).isEqualTo("UNAVAILABLE");
        assertThat(KafkaTestClient.header(dead, "bridge.error.http-status")).isEqualTo("503");
        assertThat(KafkaTestClient.header(dead, "bridge.error.attempts")).isEqualTo("5");
        assertThat(KafkaTestClient.header(dead, "bridge.error.message")).contains("503")
                .contains("Service Unavailable");
        assertThat(callsFor("Down list")).hasSize(5);
    }

    /**
     * A burst over three partitions, valid, invalid and refused events mixed, sent before the bridge starts so that
     * batches hold several partitions: every record has exactly one outcome, the one it deserves, and every partition
     * is committed to its end.
     */
    @Test
    void everyConsumedRecordEndsInExactlyOneOutcomeAndIsCommitted() throws Exception {
        stubNamed("Refused batch list", json("{\"errors\":[{\"msg\":\"refused\",\"code\":400}]}").withStatus(400));
        List<Expected> expected = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String id = "crm-batch-" + i;
            if (i % 6 == 5) {
                expected.add(Expected.deadLetter(KafkaTestClient.send(brokers, requests, id, "{\"eventId\":\"" + id
                        + "\",\"name\":42,\"description\":\"invalid\"}")));
            } else if (i % 6 == 2) {
                expected.add(Expected.deadLetter(sendEvent(id, "Refused batch list")));
            } else {
                expected.add(Expected.created(sendEvent(id, "Batch list " + i), id));
            }
        }
        assertThat(expected.stream().map(e -> e.position().partition()).distinct()).as("partitions used")
                .hasSize(3);
        startBridge();

        oneOutcomeEach(expected);
        for (int i = 0; i < 24; i++) {
            assertThat(callsFor(i % 6 == 2 ? "Refused batch list" : "Batch list " + i)).as("calls for event %d", i)
                    .hasSize(i % 6 == 5 ? 0 : i % 6 == 2 ? 4 : 1);
        }
    }

    /**
     * A dead-lettered event gives back what it held (its event id and its Kore.ai call slot): a later event with the
     * same id runs, and so do more events than bridge.max-in-flight after as many refusals.
     */
    @Test
    void aDeadLetteredEventReleasesItsEventIdAndItsCallSlot() throws Exception {
        stubNamed("Refused list", json("{\"errors\":[{\"msg\":\"refused\",\"code\":400}]}").withStatus(400));
        startBridge();
        List<Expected> refused = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // more than bridge.max-in-flight (4)
            refused.add(Expected.deadLetter(sendEvent("crm-released-" + i, "Refused list")));
        }
        oneOutcomeEach(refused);
        Expected again = Expected.created(sendEvent("crm-released-0", "Accepted after a refusal"), "crm-released-0");
        List<Expected> more = new ArrayList<>(refused);
        more.add(again);
        for (int i = 0; i < 6; i++) {
            more.add(Expected.created(sendEvent("crm-after-refusals-" + i, "After refusals " + i),
                    "crm-after-refusals-" + i));
        }
        oneOutcomeEach(more);
    }

    // ------------------------------------------------------------------------------------------------------------

    private Map<Position, ConsumerRecord<byte[], byte[]>> oneOutcomeEach(Expected... expected) {
        return oneOutcomeEach(List.of(expected));
    }

    private Map<Position, ConsumerRecord<byte[], byte[]>> oneOutcomeEach(List<Expected> expected) {
        return OutcomeAssertions.awaitOneOutcomePerInput(brokers, prefix + "-bridge", requests, created, deadLetter,
                expected, WAIT);
    }

    private RecordMetadata sendEvent(String eventId, String name) {
        return KafkaTestClient.send(brokers, requests, eventId,
                "{\"eventId\":\"" + eventId + "\",\"name\":\"" + name + "\",\"description\":\"test list\"}");
    }

    private static void stubNamed(String name, ResponseDefinitionBuilder answer) {
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .willReturn(answer));
    }

    private static List<LoggedRequest> callsFor(String name) {
        List<LoggedRequest> calls = new ArrayList<>(kore.findAll(postRequestedFor(urlPathEqualTo(API_PATH))
                .withRequestBody(matchingJsonPath("$.name", equalTo(name)))));
        calls.sort(java.util.Comparator.comparing(LoggedRequest::getLoggedDate));
        return calls;
    }

    /** The event id the bridge reports for a sample: its eventId when readable, else the record key. */
    private static String expectedEventId(String file) {
        try {
            JsonNode event = JSON.readTree(Path.of("examples/events", file).toFile());
            if (event != null && event.isObject() && event.path("eventId").isTextual()) {
                return event.get("eventId").asText();
            }
        } catch (Exception unreadable) {
            // not JSON: the bridge falls back to the record key
        }
        return "key-" + file;
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String success(String id, String name) {
        return "{\"status\":\"success\",\"message\":\"Contact list " + name + " created successfully\",\"data\":{"
                + "\"isActive\":true,\"name\":\"" + name + "\",\"description\":\"d\",\"totalRecordCount\":0,"
                + "\"status\":\"Ready\",\"source\":\"passiveApi\",\"createdAt\":\"2025-12-05T09:22:51.001Z\","
                + "\"updatedAt\":\"2025-12-05T09:22:51.001Z\",\"_id\":\"" + id + "\",\"allowDuplicates\":true}}";
    }
}
