package com.contactlistbridge.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.contactlistbridge.kore.KoreOutagePolicy;
import com.contactlistbridge.kore.KoreRetryPolicy;
import com.contactlistbridge.routes.RecordBatches;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a Kore.ai outage writes to the log, with the shipped logging configuration: one line per outage pause (besides
 * the one line per retried attempt), no stack trace; the stack trace only at DEBUG.
 */
class OutagePauseLoggingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OK_BODY = "{\"status\":\"success\",\"data\":{\"_id\":\"cl-after-outage\",\"name\":\"n\","
            + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}";
    /** The message of the exception that holds a record back; Camel's own error lines would quote it. */
    private static final String HELD_BACK = "record held back";

    private WireMockServer kore;
    private RunningBridge bridge;
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private Logger root;
    private Logger recordBatches;

    @BeforeEach
    void capture() {
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = logging.getLogger(Logger.ROOT_LOGGER_NAME);
        events.setContext(logging);
        events.start();
        root.addAppender(events);
        recordBatches = logging.getLogger(RecordBatches.class);
        recordBatches.setLevel(Level.DEBUG);
    }

    @AfterEach
    void stopAll() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        kore.stop();
        root.detachAppender(events);
        recordBatches.setLevel(null);
    }

    @Test
    void eachPauseIsOneLineWithoutAStackTraceWhichIsLoggedAtDebug() throws Exception {
        String prefix = "outage-log-" + UUID.randomUUID().toString().substring(0, 8);
        String brokers = KafkaTestBroker.get().bootstrapServers();
        KafkaTestBroker.get().createTopics(1, prefix + ".create", prefix + ".created", prefix + ".dlq");
        // Two attempts per try, two tries fail: exactly two pauses, then Kore.ai is back.
        String state = STARTED;
        for (int call = 1; call <= 4; call++) {
            String next = "failed-" + call;
            kore.stubFor(post(urlPathMatching("/campaign/.*")).inScenario("outage").whenScenarioStateIs(state)
                    .willSetStateTo(next).willReturn(aResponse().withStatus(503).withBody("maintenance")));
            state = next;
        }
        kore.stubFor(post(urlPathMatching("/campaign/.*")).inScenario("outage").whenScenarioStateIs(state)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(OK_BODY)));
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        settings.put("bridge.retry.max-attempts", "2");
        settings.put("bridge.outage.pause-ms", "500");
        settings.put("bridge.outage.max-pauses", "5");
        bridge = RunningBridge.start(settings);

        KafkaTestClient.send(brokers, prefix + ".create", "crm-outage-log",
                "{\"eventId\":\"crm-outage-log\",\"name\":\"Outage log\",\"description\":\"d\"}");
        KafkaTestClient.awaitRecords(brokers, prefix + ".created", 1, WAIT);

        List<ILoggingEvent> logged = List.copyOf(events.list);
        List<ILoggingEvent> shown = logged.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList();
        assertThat(shown.stream().filter(e -> e.getLoggerName().equals(KoreOutagePolicy.class.getName())))
                .as("one line per pause").hasSize(2)
                .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("pausing consumption for 500 ms"));
        assertThat(shown.stream().filter(e -> e.getLoggerName().equals(KoreRetryPolicy.class.getName())))
                .as("one line per retried attempt").hasSize(2);
        assertThat(shown).as("no stack trace at INFO and above").allSatisfy(e ->
                assertThat(e.getThrowableProxy()).as(e.getLoggerName() + ": " + e.getFormattedMessage()).isNull());
        assertThat(shown).as("no other line about the held-back record (Camel's error handler, camel-kafka)")
                .noneMatch(e -> e.getFormattedMessage().contains(HELD_BACK));
        assertThat(logged).as("the stack trace at DEBUG").anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
            assertThat(e.getThrowableProxy()).isNotNull();
            assertThat(e.getThrowableProxy().getMessage()).contains(HELD_BACK);
        });
    }
}
