package com.contactlistbridge.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
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
 */
class CreateContactListEndToEndTest {

    private static final String PREFIX = "e2e";
    private static final String REQUESTS = PREFIX + ".create";
    private static final String CREATED = PREFIX + ".created";
    private static final String DLQ = PREFIX + ".dlq";
    private static final String GROUP = PREFIX + "-bridge";
    private static final String API_PATH =
            "/campaign/api/v2/public/st-test-stream/campaign/contactList/createContactList";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WireMockServer kore;
    private static RunningBridge bridge;
    private static String brokers;

    @BeforeAll
    static void startBridge() throws Exception {
        brokers = KafkaTestBroker.get().bootstrapServers();
        KafkaTestBroker.get().createTopics(3, REQUESTS, CREATED, DLQ);
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
        // Default answer: created, echoing a list id derived from the name.
        kore.stubFor(post(urlPathEqualTo(API_PATH)).atPriority(10)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(success("cl-default", "default"))));
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), PREFIX);
        bridge = RunningBridge.start(settings);
    }

    @AfterAll
    static void stopBridge() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        if (kore != null) {
            kore.stop();
        }
    }

    @Test
    void validEventIsCreatedWithSignedRequestAndNoIncomingHeaders() throws Exception {
        stubNamed("Renewal Due 1- July 2025", aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(success("cl-renewal-1", "Renewal Due 1- July 2025")));
        byte[] value = Files.readAllBytes(Path.of("examples/events/valid-renewal-july.json"));
        KafkaTestClient.send(brokers, REQUESTS, "key-renewal".getBytes(StandardCharsets.UTF_8), value,
                Map.of("x-crm-trace", "trace-1".getBytes(StandardCharsets.UTF_8),
                        "CamelHttpUri", "http://attacker.invalid/steal".getBytes(StandardCharsets.UTF_8),
                        "auth", "forged-token".getBytes(StandardCharsets.UTF_8)));

        ConsumerRecord<byte[], byte[]> created = awaitOutcome(CREATED, "crm-0001");
        assertThat(new String(created.key(), StandardCharsets.UTF_8)).isEqualTo("key-renewal");
        JsonNode body = JSON.readTree(created.value());
        assertThat(body.get("eventId").asText()).isEqualTo("crm-0001");
        assertThat(body.get("contactListId").asText()).isEqualTo("cl-renewal-1");
        assertThat(body.get("name").asText()).isEqualTo("Renewal Due 1- July 2025");
        assertThat(body.get("createdAt").asText()).isEqualTo("2025-12-05T09:22:51.001Z");
        assertThat(created.headers().lastHeader("auth")).isNull();
        assertThat(created.headers().lastHeader("x-crm-trace")).isNull();

        List<LoggedRequest> calls = callsFor("Renewal Due 1- July 2025");
        assertThat(calls).hasSize(1);
        LoggedRequest call = calls.get(0);
        assertThat(call.getUrl()).isEqualTo(API_PATH + "?accountId=acc-test");
        assertThat(call.getHeader("iid")).isEqualTo("st-test-app");
        assertThat(call.getHeader("accountId")).isEqualTo("acc-test");
        assertThat(call.getHeader("Content-Type")).startsWith("application/json");
        assertThat(call.containsHeader("x-crm-trace")).isFalse();
        assertThat(call.containsHeader("CamelHttpUri")).isFalse();
        JsonNode sent = JSON.readTree(call.getBodyAsString());
        assertThat(sent.get("source").asText()).isEqualTo("passiveApi");
        assertThat(sent.get("allowDuplicates").asBoolean()).isTrue();
        assertThat(sent.get("description").asText()).startsWith("Customers with services expiring");
        SignedJWT jwt = SignedJWT.parse(call.getHeader("auth"));
        assertThat(jwt.verify(new MACVerifier(RunningBridge.TEST_SECRET.getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getStringClaim("appId")).isEqualTo("cs-test-client");
        assertThat(jwt.getJWTClaimsSet().getJWTID()).isNotBlank();
    }

    @ParameterizedTest(name = "{0} -> INVALID_EVENT: {1}")
    @CsvSource(delimiter = '|', value = {
        "invalid-malformed-json.json | record value is not valid JSON",
        "invalid-missing-name.json | name is missing",
        "invalid-name-too-long.json | name has 50 characters; the maximum is 48",
        "invalid-description-too-long.json | description has 257 characters; the maximum is 256",
        "invalid-allow-duplicates-not-boolean.json | allowDuplicates must be a boolean (true or false), got a string",
        "invalid-name-not-string.json | name must be a string, got a number",
        "invalid-not-an-object.json | record value must be a JSON object, got an array",
        "invalid-empty.bin | record value is empty",
        "invalid-not-utf8.bin | record value is not valid UTF-8"})
    void invalidEventIsDeadLetteredByteForByteWithoutAnyCall(String file, String expectedMessage) throws Exception {
        byte[] value = Files.readAllBytes(Path.of("examples/events", file));
        String key = "key-" + file;
        int callsBefore = kore.getAllServeEvents().size();
        KafkaTestClient.send(brokers, REQUESTS, key.getBytes(StandardCharsets.UTF_8), value,
                Map.of("x-crm-trace", "kept".getBytes(StandardCharsets.UTF_8)));

        ConsumerRecord<byte[], byte[]> dead = awaitDeadLetterWithKey(key);
        assertThat(dead.value()).isEqualTo(value);
        assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).isEqualTo("INVALID_EVENT");
        assertThat(KafkaTestClient.header(dead, "bridge.error.message")).contains(expectedMessage);
        assertThat(KafkaTestClient.header(dead, "bridge.error.attempts")).isEqualTo("0");
        assertThat(KafkaTestClient.header(dead, "bridge.error.http-status")).isNull();
        assertThat(KafkaTestClient.header(dead, "bridge.original.topic")).isEqualTo(REQUESTS);
        assertThat(KafkaTestClient.header(dead, "bridge.original.partition")).matches("[0-2]");
        assertThat(KafkaTestClient.header(dead, "bridge.original.offset")).matches("\\d+");
        assertThat(KafkaTestClient.header(dead, "bridge.event-id")).isNotBlank();
        // The CRM's own headers travel with the original record, so a replay is identical to the first send.
        assertThat(KafkaTestClient.header(dead, "x-crm-trace")).isEqualTo("kept");
        assertThat(kore.getAllServeEvents().stream().skip(0)
                .filter(e -> e.getRequest().getBodyAsString().contains(eventIdOf(value)))
                .count()).as("no HTTP call for an invalid event").isZero();
        assertThat(kore.getAllServeEvents().size()).isGreaterThanOrEqualTo(callsBefore);
    }

    @Test
    void eventIdFallsBackToRecordKeyThenToTopicPartitionOffset() throws Exception {
        KafkaTestClient.send(brokers, REQUESTS, "crm-key-only", "{\"name\":\"Keyed list\",\"description\":\"d\"}");
        ConsumerRecord<byte[], byte[]> created = awaitOutcome(CREATED, "crm-key-only");
        assertThat(new String(created.key(), StandardCharsets.UTF_8)).isEqualTo("crm-key-only");

        KafkaTestClient.send(brokers, REQUESTS, null, "{\"description\":\"no name, no id, no key\"}");
        ConsumerRecord<byte[], byte[]> dead = org.awaitility.Awaitility.await().atMost(WAIT).until(
                () -> KafkaTestClient.readAll(brokers, DLQ, Duration.ZERO).stream()
                        .filter(r -> r.key() == null && "{\"description\":\"no name, no id, no key\"}"
                                .equals(new String(r.value(), StandardCharsets.UTF_8)))
                        .findFirst(), java.util.Optional::isPresent).orElseThrow();
        assertThat(KafkaTestClient.header(dead, "bridge.event-id")).isEqualTo(REQUESTS + "-"
                + KafkaTestClient.header(dead, "bridge.original.partition") + "-"
                + KafkaTestClient.header(dead, "bridge.original.offset"));
    }

    @Test
    void badRequestIsRejectedAfterOneAttempt() throws Exception {
        stubNamed("Rejected list", aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"errors\":[{\"msg\":\"Contact list name already exists\",\"code\":4090}]}"));
        sendEvent("crm-400", "Rejected list");

        ConsumerRecord<byte[], byte[]> dead = awaitOutcome(DLQ, "crm-400");
        assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).isEqualTo("REJECTED");
        assertThat(KafkaTestClient.header(dead, "bridge.error.http-status")).isEqualTo("400");
        assertThat(KafkaTestClient.header(dead, "bridge.error.attempts")).isEqualTo("1");
        assertThat(KafkaTestClient.header(dead, "bridge.error.message"))
                .contains("Contact list name already exists").contains("4090");
        assertThat(callsFor("Rejected list")).hasSize(1);
    }

    @Test
    void serverErrorsAreRetriedUntilCreated() throws Exception {
        String name = "Flaky list";
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("flaky").whenScenarioStateIs(STARTED).willSetStateTo("one-failed")
                .willReturn(aResponse().withStatus(500).withBody("{\"errors\":[{\"msg\":\"boom\",\"code\":500}]}")));
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("flaky").whenScenarioStateIs("one-failed").willSetStateTo("two-failed")
                .willReturn(aResponse().withStatus(500).withBody("{\"errors\":[{\"msg\":\"boom\",\"code\":500}]}")));
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("flaky").whenScenarioStateIs("two-failed")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(success("cl-flaky", name))));
        sendEvent("crm-500-500-200", name);

        ConsumerRecord<byte[], byte[]> created = awaitOutcome(CREATED, "crm-500-500-200");
        assertThat(JSON.readTree(created.value()).get("contactListId").asText()).isEqualTo("cl-flaky");
        List<LoggedRequest> calls = callsFor(name);
        assertThat(calls).hasSize(3);
        assertThat(calls.stream().map(c -> c.getHeader("auth")).collect(Collectors.toSet()))
                .as("every attempt is signed afresh").hasSize(3);
    }

    @Test
    void rateLimitedCallWaitsForRetryAfterThenSucceeds() throws Exception {
        String name = "Rate limited list";
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("limited").whenScenarioStateIs(STARTED).willSetStateTo("waited")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withBody("{\"errors\":[{\"msg\":\"You've exceeded the per-minute rate limit. Please wait "
                                + "for sometime before retrying.\",\"code\":429}]}")));
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("limited").whenScenarioStateIs("waited")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(success("cl-limited", name))));
        sendEvent("crm-429", name);

        awaitOutcome(CREATED, "crm-429");
        List<LoggedRequest> calls = callsFor(name);
        assertThat(calls).hasSize(2);
        long gapMillis = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        // The configured backoff is at most 200 ms; only Retry-After explains a wait of about a second.
        assertThat(gapMillis).isGreaterThanOrEqualTo(950);
    }

    @Test
    void readTimeoutIsRetried() throws Exception {
        String name = "Slow list";
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("slow").whenScenarioStateIs(STARTED).willSetStateTo("timed-out")
                .willReturn(aResponse().withStatus(200).withFixedDelay(4000)
                        .withHeader("Content-Type", "application/json").withBody(success("cl-too-late", name))));
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .inScenario("slow").whenScenarioStateIs("timed-out")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(success("cl-slow", name))));
        sendEvent("crm-timeout", name);

        ConsumerRecord<byte[], byte[]> created = awaitOutcome(CREATED, "crm-timeout");
        assertThat(JSON.readTree(created.value()).get("contactListId").asText()).isEqualTo("cl-slow");
        assertThat(callsFor(name)).hasSize(2);
    }

    @Test
    void unauthorizedIsResignedOnceThenAuthFailed() throws Exception {
        stubNamed("Unauthorized list", aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                .withBody("{\"errors\":[{\"msg\":\"Invalid SDK credentials\",\"code\":4002}]}"));
        sendEvent("crm-401", "Unauthorized list");

        ConsumerRecord<byte[], byte[]> dead = awaitOutcome(DLQ, "crm-401");
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
        stubNamed("Down list", aResponse().withStatus(503).withBody("Service Unavailable"));
        sendEvent("crm-503", "Down list");

        ConsumerRecord<byte[], byte[]> dead = awaitOutcome(DLQ, "crm-503");
        assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).isEqualTo("UNAVAILABLE");
        assertThat(KafkaTestClient.header(dead, "bridge.error.http-status")).isEqualTo("503");
        assertThat(KafkaTestClient.header(dead, "bridge.error.attempts")).isEqualTo("5");
        assertThat(KafkaTestClient.header(dead, "bridge.error.message")).contains("503")
                .contains("Service Unavailable");
        assertThat(callsFor("Down list")).hasSize(5);
    }

    @Test
    void everyConsumedRecordEndsInExactlyOneOutcomeAndIsCommitted() throws Exception {
        for (int i = 0; i < 12; i++) {
            sendEvent("crm-batch-" + i, "Batch list " + i);
        }
        for (int i = 0; i < 12; i++) {
            awaitOutcome(CREATED, "crm-batch-" + i);
        }
        org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> {
            List<ConsumerRecord<byte[], byte[]>> inputs = KafkaTestClient.readAll(brokers, REQUESTS, Duration.ZERO);
            List<ConsumerRecord<byte[], byte[]>> outcomes = new java.util.ArrayList<>(
                    KafkaTestClient.readAll(brokers, CREATED, Duration.ZERO));
            outcomes.addAll(KafkaTestClient.readAll(brokers, DLQ, Duration.ZERO));
            assertThat(outcomes).hasSameSizeAs(inputs);
            Set<String> inputPositions = new HashSet<>();
            inputs.forEach(r -> inputPositions.add(r.partition() + "-" + r.offset()));
            for (int p = 0; p < 3; p++) {
                int partition = p;
                long end = inputs.stream().filter(r -> r.partition() == partition).mapToLong(r -> r.offset() + 1)
                        .max().orElse(-1);
                if (end > 0) {
                    assertThat(KafkaTestClient.committedOffset(brokers, GROUP, REQUESTS, partition))
                            .as("committed offset of partition %d", partition).isEqualTo(end);
                }
            }
        });
    }

    private static void sendEvent(String eventId, String name) {
        KafkaTestClient.send(brokers, REQUESTS, eventId,
                "{\"eventId\":\"" + eventId + "\",\"name\":\"" + name + "\",\"description\":\"test list\"}");
    }

    private static void stubNamed(String name, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .willReturn(answer));
    }

    private static List<LoggedRequest> callsFor(String name) {
        List<LoggedRequest> calls = new java.util.ArrayList<>(kore.findAll(postRequestedFor(urlPathEqualTo(API_PATH))
                .withRequestBody(matchingJsonPath("$.name", equalTo(name)))));
        calls.sort(java.util.Comparator.comparing(LoggedRequest::getLoggedDate));
        return calls;
    }

    private static ConsumerRecord<byte[], byte[]> awaitOutcome(String topic, String eventId) {
        return org.awaitility.Awaitility.await().atMost(WAIT).until(
                () -> KafkaTestClient.readAll(brokers, topic, Duration.ZERO).stream()
                        .filter(r -> eventId.equals(KafkaTestClient.header(r, "bridge.event-id")))
                        .findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    private static ConsumerRecord<byte[], byte[]> awaitDeadLetterWithKey(String key) {
        return org.awaitility.Awaitility.await().atMost(WAIT).until(
                () -> KafkaTestClient.readAll(brokers, DLQ, Duration.ZERO).stream()
                        .filter(r -> r.key() != null && key.equals(new String(r.key(), StandardCharsets.UTF_8)))
                        .findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    private static String eventIdOf(byte[] value) {
        String text = new String(value, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("crm-bad-");
        return at < 0 ? "\u0000never\u0000" : text.substring(at, at + 9);
    }

    private static String success(String id, String name) {
        return "{\"status\":\"success\",\"message\":\"Contact list " + name + " created successfully\",\"data\":{"
                + "\"isActive\":true,\"name\":\"" + name + "\",\"description\":\"d\",\"totalRecordCount\":0,"
                + "\"status\":\"Ready\",\"source\":\"passiveApi\",\"createdAt\":\"2025-12-05T09:22:51.001Z\","
                + "\"updatedAt\":\"2025-12-05T09:22:51.001Z\",\"_id\":\"" + id + "\",\"allowDuplicates\":true}}";
    }

    @SuppressWarnings("unused")
    private static String read(Path path) throws IOException {
        return Files.readString(path);
    }
}
