package com.contactlistbridge.e2e;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import com.contactlistbridge.config.BridgeConfiguration;
import com.contactlistbridge.embedded.EmbeddedKafkaBroker;
import com.contactlistbridge.testsupport.HttpProbe;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.LogCapture;
import com.contactlistbridge.testsupport.RunningBridge;
import com.contactlistbridge.testsupport.ShippedLogFormat;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What operators rely on: honest health, metrics that match the outcomes, and logs that never leak a secret. */
class OperationsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Readiness must follow the broker within seconds (about 3 s down, 2 s up); the margin is for a loaded CI. */
    private static final Duration HEALTH_FLIP = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OK_BODY = "{\"status\":\"success\",\"data\":{\"_id\":\"cl-ops\",\"name\":\"n\","
            + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}";

    private WireMockServer kore;
    private RunningBridge bridge;

    @BeforeEach
    void startStub() {
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
        kore.stubFor(post(urlPathMatching("/campaign/.*")).atPriority(10).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(OK_BODY)));
    }

    @AfterEach
    void stopAll() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        kore.stop();
    }

    @Test
    void healthGoesDownWhenKafkaStopsOrTheRouteIsSuspendedAndUpWhenBack() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(false)) {
            String healthPrefix = KafkaTestBroker.uniquePrefix("ops-health");
            broker.createTopics(1, healthPrefix + ".create", healthPrefix + ".created",
                    healthPrefix + ".dlq");
            bridge = RunningBridge.start(RunningBridge.baseSettings(broker.bootstrapServers(), kore.baseUrl(),
                    healthPrefix));
            await().atMost(WAIT).until(() -> status("/observe/health/ready") == 200);
            assertThat(status("/observe/health/live")).isEqualTo(200);

            // Readiness follows the broker (DOWN within the 3 s probe timeout plus the 2 s cache, UP again within
            // the cache period); liveness never does: a restart would not bring the broker back.
            broker.stop();
            long stopped = System.nanoTime();
            await().atMost(HEALTH_FLIP).pollInterval(Duration.ofMillis(100))
                    .until(() -> status("/observe/health/ready") == 503);
            System.out.printf("HEALTH-PROBES ready DOWN %.1f s after the broker stopped%n",
                    (System.nanoTime() - stopped) / 1e9);
            await().during(Duration.ofSeconds(6)).atMost(WAIT).until(() -> status("/observe/health/live") == 200
                    && status("/observe/health/ready") == 503);
            // Even a caller asking for everything gets no broker address and no exception text.
            String asked = body("/observe/health/ready?exposureLevel=full&stackTrace=true&data=true");
            assertThat(asked).contains("kafka-broker").contains("DOWN").doesNotContain(broker.bootstrapServers())
                    .doesNotContain("Exception").doesNotContain("error-message").doesNotContain("error-stacktrace");
            assertThat(body("/observe/health/live")).doesNotContain("kafka-broker");

            broker.restart();
            long restarted = System.nanoTime();
            await().atMost(HEALTH_FLIP).pollInterval(Duration.ofMillis(100))
                    .until(() -> status("/observe/health/ready") == 200);
            System.out.printf("HEALTH-PROBES ready UP %.1f s after the broker returned%n",
                    (System.nanoTime() - restarted) / 1e9);
            assertThat(status("/observe/health/live")).isEqualTo(200);

            bridge.context().getRouteController().suspendRoute("consume-requests");
            await().atMost(WAIT).until(() -> status("/observe/health/ready") == 503);
            bridge.context().getRouteController().resumeRoute("consume-requests");
            await().atMost(WAIT).until(() -> status("/observe/health/ready") == 200);
        }
    }

    /**
     * The start-up warning itself (its arithmetic has unit tests in BridgeSettingsTest): a batch of 100 events started
     * at the pace of a 60-per-minute request budget cannot finish within a one-minute poll interval, and the log says
     * so once, with the numbers and the settings to change. The packaged-jar test checks that the shipped
     * configuration starts without it.
     */
    @Test
    void startUpWarnsWhenABatchCanOutlastThePollInterval() throws Exception {
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String prefix = KafkaTestBroker.freshTopics("ops-warning");
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        settings.put("camel.component.kafka.max-poll-interval-ms", "60000");
        settings.put("camel.component.kafka.max-poll-records", "100");
        settings.put("kore.rate-limit.requests-per-minute", "60");
        try (LogCapture log = LogCapture.of(BridgeConfiguration.class, Level.WARN)) {
            bridge = RunningBridge.start(settings);
            assertThat(log.lines()).as("warnings of BridgeConfiguration").singleElement().asString()
                    .startsWith("WARN A batch of 100 event(s) can take ")
                    .contains("more than camel.component.kafka.max-poll-interval-ms = 60000")
                    .contains("this consumer could be evicted from its group")
                    .contains("Lower camel.component.kafka.max-poll-records or the retries, or raise the poll "
                            + "interval");
        }
        assertThat(maxPollRecords("consume-requests")).as("the value set wins").isEqualTo(100);
    }

    /**
     * Without camel.component.kafka.max-poll-records the batch size follows the request budget: Kafka's 500 without
     * one (the other tests), one minute of it with one; every consumer of every flow gets it.
     */
    @Test
    void batchesHoldOneMinuteOfTheRequestBudgetUnlessSet() throws Exception {
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String prefix = KafkaTestBroker.freshTopics("ops-batch");
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        settings.put("kore.rate-limit.requests-per-minute", "60");
        bridge = RunningBridge.start(settings);
        assertThat(maxPollRecords("consume-requests")).isEqualTo(60);
        assertThat(maxPollRecords("consume-add-contacts")).isEqualTo(60);
    }

    private int maxPollRecords(String routeId) {
        return ((org.apache.camel.component.kafka.KafkaEndpoint) bridge.context().getRoute(routeId).getEndpoint())
                .getConfiguration().getMaxPollRecords();
    }

    @Test
    void prometheusMetricsMatchTheOutcomesOfARun() throws Exception {
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String metricsPrefix = KafkaTestBroker.freshTopics("ops-metrics");
        kore.stubFor(post(urlPathMatching("/campaign/.*")).withRequestBody(matchingJsonPath("$.name",
                equalTo("Rejected"))).willReturn(aResponse().withStatus(400).withBody("{\"errors\":[]}")));
        kore.stubFor(post(urlPathMatching("/campaign/.*")).withRequestBody(matchingJsonPath("$.name",
                equalTo("Flaky"))).inScenario("flaky").whenScenarioStateIs(STARTED).willSetStateTo("recovered")
                .willReturn(aResponse().withStatus(500)));
        bridge = RunningBridge.start(RunningBridge.baseSettings(brokers, kore.baseUrl(), metricsPrefix));

        for (String name : List.of("One", "Two", "Three", "Rejected", "Flaky")) {
            KafkaTestClient.send(brokers, metricsPrefix + ".create", name,
                    "{\"eventId\":\"" + name + "\",\"name\":\"" + name + "\",\"description\":\"d\"}");
        }
        KafkaTestClient.send(brokers, metricsPrefix + ".create", "bad-1", "{not json");
        KafkaTestClient.send(brokers, metricsPrefix + ".create", "bad-2", "{\"name\":\"no description\"}");
        KafkaTestClient.awaitRecords(brokers, metricsPrefix + ".created", 4, WAIT);
        KafkaTestClient.awaitRecords(brokers, metricsPrefix + ".dlq", 3, WAIT);

        await().atMost(WAIT).untilAsserted(() -> {
            String metrics = body("/observe/metrics");
            assertThat(metric(metrics, "bridge_events_consumed_total{flow=\"create-contact-list\"}")).isEqualTo(7);
            assertThat(metric(metrics, "bridge_created_lists_total")).isEqualTo(4);
            assertThat(metric(metrics, "bridge_outcomes_total{flow=\"create-contact-list\"}")).isEqualTo(4);
            assertThat(metric(metrics, "bridge_outcomes_total{flow=\"add-contacts\"}")).isZero();
            assertThat(metric(metrics, "bridge_events_consumed_total{flow=\"add-contacts\"}")).isZero();
            assertThat(metric(metrics, "bridge_dead_letters_total{flow=\"create-contact-list\",reason=\"INVALID_EVENT\"}")).isEqualTo(2);
            assertThat(metric(metrics, "bridge_dead_letters_total{flow=\"create-contact-list\",reason=\"REJECTED\"}")).isEqualTo(1);
            assertThat(metric(metrics, "bridge_dead_letters_total{flow=\"create-contact-list\",reason=\"UNAVAILABLE\"}")).isZero();
            assertThat(metric(metrics, "bridge_kore_retries_total")).isEqualTo(1);
            assertThat(metric(metrics, "bridge_kore_call_duration_seconds_count{status_class=\"2xx\"}")).isEqualTo(4);
            assertThat(metric(metrics, "bridge_kore_call_duration_seconds_count{status_class=\"4xx\"}")).isEqualTo(1);
            assertThat(metric(metrics, "bridge_kore_call_duration_seconds_count{status_class=\"5xx\"}")).isEqualTo(1);
            assertThat(metric(metrics, "bridge_kore_in_flight")).isZero();
        });
    }

    @Test
    void noSecretOrJwtReachesTheLogsEvenAtDebugWithHttpWireLogging() throws Exception {
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String logsPrefix = KafkaTestBroker.freshTopics("ops-logs");
        kore.stubFor(post(urlPathMatching("/campaign/.*")).withRequestBody(matchingJsonPath("$.name",
                equalTo("Unauthorized"))).willReturn(aResponse().withStatus(401)
                .withBody("{\"errors\":[{\"msg\":\"Invalid SDK credentials\",\"code\":4002}]}")));

        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = logging.getLogger(Logger.ROOT_LOGGER_NAME);
        Level rootLevel = root.getLevel();
        ByteArrayOutputStream formatted = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> output = appender(logging, root, formatted);
        ListAppender<ILoggingEvent> raw = new ListAppender<>();
        raw.setContext(logging);
        raw.start();
        root.addAppender(raw);
        Map<String, Level> quiet = Map.of("org.apache.kafka", Level.WARN, "kafka", Level.WARN);
        try {
            root.setLevel(Level.DEBUG);
            logging.getLogger("com.contactlistbridge").setLevel(Level.DEBUG);
            logging.getLogger("org.apache.hc.client5.http.wire").setLevel(Level.DEBUG);
            logging.getLogger("org.apache.hc.client5.http.headers").setLevel(Level.DEBUG);
            quiet.forEach((name, level) -> logging.getLogger(name).setLevel(level));

            bridge = RunningBridge.start(RunningBridge.baseSettings(brokers, kore.baseUrl(), logsPrefix));
            KafkaTestClient.send(brokers, logsPrefix + ".create", "crm-log-1",
                    "{\"eventId\":\"crm-log-1\",\"name\":\"Logged\",\"description\":\"d\"}");
            KafkaTestClient.send(brokers, logsPrefix + ".create", "crm-log-2",
                    "{\"eventId\":\"crm-log-2\",\"name\":\"Unauthorized\",\"description\":\"d\"}");
            KafkaTestClient.awaitRecords(brokers, logsPrefix + ".created", 1, WAIT);
            KafkaTestClient.awaitRecords(brokers, logsPrefix + ".dlq", 1, WAIT);
            await().atMost(WAIT).until(() -> formatted.toString(StandardCharsets.UTF_8)
                    .contains("dead-lettered eventId=crm-log-2"));
            bridge.close();
            bridge = null;
        } finally {
            root.setLevel(rootLevel);
            logging.getLogger("com.contactlistbridge").setLevel(null);
            logging.getLogger("org.apache.hc.client5.http.wire").setLevel(null);
            logging.getLogger("org.apache.hc.client5.http.headers").setLevel(null);
            root.detachAppender(output);
            root.detachAppender(raw);
        }

        String logs = formatted.toString(StandardCharsets.UTF_8);
        String rawText = String.join("\n", raw.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertThat(kore.findAll(postRequestedFor(urlPathMatching(".*")))).hasSize(3);
        // The wire log really carried the tokens: the redaction, not a quiet logger, keeps them out.
        assertThat(rawText).as("raw DEBUG output contains the JWT").contains("auth: eyJ");
        assertThat(logs).contains("auth: ***");
        assertThat(logs).doesNotContain("eyJ").doesNotContain(RunningBridge.TEST_SECRET);
        assertThat(logs).containsPattern("\\[crm-log-1] - created eventId=crm-log-1 contactListId=cl-ops");
        assertThat(logs).containsPattern("\\[crm-log-2] - dead-lettered eventId=crm-log-2 reason=AUTH_FAILED");
    }

    @Test
    void textFromEventsAndKoreAiNeverStartsALogLineInTextOrJson() throws Exception {
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String injectPrefix = KafkaTestBroker.freshTopics("ops-inject");
        String fake = "2026-12-06 INFO fake line";
        String name = "Renewals\u2028" + fake;
        // Kore.ai echoes the name; its own text carries CR/LF, NEL and a terminal escape.
        kore.stubFor(post(urlPathMatching("/campaign/.*")).withRequestBody(matchingJsonPath("$.name",
                equalTo(name))).willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody(JSON.writeValueAsString(Map.of("errors", List.of(Map.of("msg", "name '" + name
                        + "' is invalid\r\n" + fake + "\u0085" + fake + "\u001b[1A\u000b" + fake)))))));

        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = logging.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> raw = new ListAppender<>();
        raw.setContext(logging);
        raw.start();
        root.addAppender(raw);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> textOutput = appender(logging, root, text, "text");
        OutputStreamAppender<ILoggingEvent> jsonOutput = appender(logging, root, json, "json");
        try {
            bridge = RunningBridge.start(RunningBridge.baseSettings(brokers, kore.baseUrl(), injectPrefix));
            KafkaTestClient.send(brokers, injectPrefix + ".create", "crm-inject-1", JSON.writeValueAsString(Map.of(
                    "eventId", "crm-inject-1", "name", name, "description", "d\r\n" + fake)));
            KafkaTestClient.send(brokers, injectPrefix + ".create", "crm-inject-2", JSON.writeValueAsString(Map.of(
                    "eventId", "crm-inject-2\r\n" + fake, "name", "n", "description", "d")));
            KafkaTestClient.send(brokers, injectPrefix + ".create", "crm-inject-3\r\n" + fake,
                    "{\"name\":\"n\",\"description\":\"d\"}");
            KafkaTestClient.awaitRecords(brokers, injectPrefix + ".dlq", 3, WAIT);
            await().atMost(WAIT).until(() -> text.toString(StandardCharsets.UTF_8).split("dead-lettered", -1)
                    .length > 3);
            bridge.close();
            bridge = null;
        } finally {
            root.detachAppender(textOutput);
            root.detachAppender(jsonOutput);
            root.detachAppender(raw);
        }

        kore.verify(1, postRequestedFor(urlPathMatching(".*")));
        long callsWithFake = raw.list.stream().filter(e -> (e.getFormattedMessage() + e.getMDCPropertyMap()
                + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage())).contains(fake)).count();
        assertThat(callsWithFake).as("log calls that carry the fake line").isPositive();
        List<String> textLines = ShippedLogFormat.lines(text.toString(StandardCharsets.UTF_8));
        assertThat(textLines).noneMatch(line -> line.startsWith(fake));
        assertThat(textLines.stream().filter(line -> line.contains(fake)))
                .as("one text line per log call that carries it, each a log line of its own")
                .hasSize((int) callsWithFake)
                .allMatch(line -> line.matches("\\d{2}:\\d{2}:\\d{2}\\.\\d{3} .*"));
        List<String> jsonLines = ShippedLogFormat.lines(json.toString(StandardCharsets.UTF_8));
        assertThat(jsonLines.stream().filter(line -> line.contains(fake))).hasSize((int) callsWithFake);
        for (String line : jsonLines) {
            assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
        }
        assertThat(text.toString(StandardCharsets.UTF_8)).contains("Renewals\\u2028" + fake)
                .contains("invalid " + fake + "\\u0085" + fake + "\\u001b[1A\\u000b" + fake);
    }

    private static OutputStreamAppender<ILoggingEvent> appender(LoggerContext logging, Logger root,
                                                              ByteArrayOutputStream target, String format) {
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(logging);
        appender.setEncoder(ShippedLogFormat.encoder(logging, format));
        appender.setOutputStream(target);
        appender.start();
        root.addAppender(appender);
        return appender;
    }

    private static OutputStreamAppender<ILoggingEvent> appender(LoggerContext logging, Logger root,
                                                              ByteArrayOutputStream target) {
        // The same pattern as the production appender, so the same redacting converters run.
        OutputStreamAppender<?> production = (OutputStreamAppender<?>) root.getAppender("console");
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(logging);
        encoder.setPattern(((PatternLayoutEncoder) production.getEncoder()).getPattern());
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(logging);
        appender.setEncoder(encoder);
        appender.setOutputStream(target);
        appender.start();
        root.addAppender(appender);
        return appender;
    }

    private static double metric(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in the scrape");
        }
        return Double.parseDouble(m.group(1));
    }

    private int status(String path) {
        return HttpProbe.status(bridge.managementUrl() + path);
    }

    private String body(String path) throws Exception {
        return HttpProbe.body(bridge.managementUrl() + path);
    }
}
