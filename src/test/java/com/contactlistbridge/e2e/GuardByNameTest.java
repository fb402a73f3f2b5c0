package com.contactlistbridge.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.contactlistbridge.testsupport.BridgeProcess;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
import static org.awaitility.Awaitility.await;

/**
 * The guard by name ({@code bridge.dedupe.by-name}) against a Kore.ai stub: it closes both duplicate windows of the
 * README (a create that failed after Kore.ai made the list is found by name on the retry, and so is one whose bridge
 * crashed before storing the answer), and a paged Get All Contact Lists is read to its end.
 */
class GuardByNameTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREATE = "/campaign/.*/createContactList";
    private static final String GET_ALL = "/campaign/.*/getAllListDetails";

    /** What the stub does before it sends an answer marked with {@link DeleteStoreTopicFirst}. */
    private static final AtomicReference<Runnable> BEFORE_ANSWER = new AtomicReference<>(() -> { });

    private WireMockServer kore;
    private RunningBridge bridge;
    private String brokers;

    @BeforeEach
    void startStub() {
        brokers = KafkaTestBroker.get().bootstrapServers();
        kore = new WireMockServer(options().dynamicPort().extensions(new DeleteStoreTopicFirst()));
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

    /** Kore.ai calls answered with 2xx so far, from a Prometheus scrape of the bridge (0 when not there yet). */
    private static int answeredCalls(String scrape) {
        Matcher count = Pattern.compile(
                "(?m)^bridge_kore_call_duration_seconds_count\\{status_class=\"2xx\",?\\} ([0-9.]+)$").matcher(scrape);
        return count.find() ? (int) Double.parseDouble(count.group(1)) : 0;
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

    /**
     * The other duplicate window of the README: a crash between Kore.ai's answer and the processed-events store's
     * acknowledgement. The first bridge, a separate JVM, gets Kore.ai's answer but cannot store it (the stub deletes
     * the store topic before it answers, and the broker creates no topic by itself), and is killed with
     * {@code kill -9} in that state. The next bridge reads the event again and finds nothing stored; the guard by
     * name answers it with the list the first call made instead of creating a second one.
     */
    @Test
    void aCrashBetweenKoreAiAnswerAndTheStoreIsAnsweredByNameAfterTheRestart() throws Exception {
        String prefix = KafkaTestBroker.uniquePrefix("guard-crash");
        String name = "Crash List";
        String processed = prefix + ".processed";
        Map<String, String> settings = settings(prefix);
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            BEFORE_ANSWER.set(() -> {
                try {
                    admin.deleteTopics(List.of(processed)).all().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("could not delete " + processed, e);
                }
            });
            kore.stubFor(get(urlPathMatching(GET_ALL)).inScenario("kore").whenScenarioStateIs(STARTED)
                    .willReturn(json("{\"status\":\"success\",\"message\":\"\",\"data\":[]}")));
            kore.stubFor(post(urlPathMatching(CREATE)).inScenario("kore").whenScenarioStateIs(STARTED)
                    .willSetStateTo("list created").willReturn(json(created("cl-first", name))
                            .withTransformers(DeleteStoreTopicFirst.NAME)));
            kore.stubFor(get(urlPathMatching(GET_ALL)).inScenario("kore").whenScenarioStateIs("list created")
                    .willReturn(json("{\"status\":\"success\",\"message\":\"\",\"data\":["
                            + list("cl-first", name) + "]}")));
            kore.stubFor(post(urlPathMatching(CREATE)).inScenario("kore").whenScenarioStateIs("list created")
                    .willReturn(json(created("cl-second", name))));

            Map<String, String> env = BridgeProcess.baseEnvironment(brokers, kore.baseUrl(), prefix);
            env.put("BRIDGE_DEDUPE_BY_NAME", "true");
            env.put("BRIDGE_DEDUPE_BY_NAME_TTL_MS", "600000");
            try (BridgeProcess first = BridgeProcess.builder(Path.of("target", "e2e", prefix, "bridge-1.log"))
                    .name("bridge-1").environment(env).start()) {
                first.awaitReady(WAIT);
                KafkaTestClient.send(brokers, prefix + ".create", "crm-crash",
                        "{\"eventId\":\"crm-crash\",\"name\":\"" + name + "\",\"description\":\"d\"}");
                // Get All Contact Lists and the create have both come back to the bridge: it holds Kore.ai's answer
                // and cannot store it.
                await().atMost(WAIT).until(() -> answeredCalls(first.metrics()) == 2);
                kore.verify(1, postRequestedFor(urlPathMatching(CREATE)));
                first.kill();
            }
            assertThat(KafkaTestClient.readAll(brokers, prefix + ".created", Duration.ZERO))
                    .as("published before the crash").isEmpty();
            assertThat(KafkaTestClient.committedOffset(brokers, prefix + "-bridge", prefix + ".create", 0))
                    .as("committed before the crash").isLessThanOrEqualTo(0);
        } finally {
            BEFORE_ANSWER.set(() -> { });
        }

        // The store topic is created again by the next bridge, empty: nothing tells it about the first list. Nothing
        // was committed, so the restarted bridge reads the event again from the start; a group of its own does the
        // same without waiting for the old group to notice its dead member (session timeout).
        settings.put("bridge.consumer-group", prefix + "-restarted");
        bridge = RunningBridge.start(settings);
        ConsumerRecord<byte[], byte[]> record = KafkaTestClient.awaitRecords(brokers, prefix + ".created", 1, WAIT)
                .get(0);
        JsonNode outcome = JSON.readTree(record.value());
        assertThat(outcome.get("eventId").asText()).isEqualTo("crm-crash");
        assertThat(outcome.get("contactListId").asText()).as("the list the crashed bridge created")
                .isEqualTo("cl-first");
        assertThat(outcome.get("existing").asBoolean()).isTrue();
        assertThat(KafkaTestClient.readAll(brokers, prefix + ".dlq", Duration.ZERO)).isEmpty();
        kore.verify(1, postRequestedFor(urlPathMatching(CREATE)));
        kore.verify(2, getRequestedFor(urlPathMatching(GET_ALL)));
    }

    /** Runs {@link #BEFORE_ANSWER} before the stub sends an answer that names this transformer. */
    private static final class DeleteStoreTopicFirst implements ResponseTransformerV2 {

        static final String NAME = "delete-store-topic-first";

        @Override
        public Response transform(Response response, ServeEvent serveEvent) {
            BEFORE_ANSWER.get().run();
            return response;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }
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
