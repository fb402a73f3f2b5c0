package com.contactlistbridge.resilience;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.contactlistbridge.embedded.EmbeddedKafkaBroker;
import com.contactlistbridge.resilience.ResilienceKit.CountingKore;
import com.contactlistbridge.testsupport.BrokerProcess;
import com.contactlistbridge.testsupport.HttpProbe;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * After a broker outage the bridge consumes again within seconds of the broker's return, not after the group's session
 * timeout (45 s): measured from the broker's return to the outcome of an event sent then. A stopped broker, with an
 * event in flight (its Kore.ai answer, outcome and commit run into the outage), or with the Kafka consumer replaced
 * while no broker answers, as camel-kafka does after a failed batch (e.g. an outage longer than the end-of-batch
 * commit's patience): the old member cannot leave the group then, and a new dynamic member waited for the group to
 * drop it (45.4 s measured before {@link com.contactlistbridge.routes.StaticGroupMembership}); and a frozen broker.
 *
 * <p>Prints {@code BROKER-RETURN-RESUME case=... resumeSeconds=...}.
 */
@Tag("resilience")
class BrokerReturnResumeTest {

    /** The bound: consumption resumes within 10 s of the broker's return. */
    private static final Duration RESUME_BOUND = Duration.ofSeconds(10);
    private static final Duration OUTAGE = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Readiness follows the broker within seconds (about 3 s down, 2 s up); the margin is for a loaded CI. */
    private static final Duration HEALTH_FLIP = Duration.ofSeconds(10);
    private static final String IN_FLIGHT = "In flight during the outage";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"in-flight", "consumer-replaced-during-outage"})
    void consumptionResumesWithinSecondsOfTheBrokersReturn(String scenario) throws Exception {
        String prefix = "resume-" + scenario + "-" + UUID.randomUUID().toString().substring(0, 8);
        String requests = prefix + ".create";
        String created = prefix + ".created";
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(false);
             CountingKore kore = new CountingKore().start()) {
            String brokers = broker.bootstrapServers();
            broker.createTopics(1, requests, created, prefix + ".dlq");
            // Kore.ai answers the in-flight event only after the broker has gone.
            kore.server().stubFor(post(urlPathMatching("/campaign/.*")).atPriority(1)
                    .withRequestBody(matchingJsonPath("$.name", equalTo(IN_FLIGHT)))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withFixedDelay(3000).withBody("{\"status\":\"success\",\"data\":{\"_id\":\"cl-slow\","
                                    + "\"name\":\"" + IN_FLIGHT + "\",\"status\":\"Ready\"}}")));
            Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
            settings.put("kore.http.response-timeout-ms", "10000");

            try (RunningBridge bridge = RunningBridge.start(settings)) {
                String ready = bridge.managementUrl() + "/observe/health/ready";
                await().atMost(WAIT).until(() -> HttpProbe.status(ready) == 200);
                send(brokers, requests, "before");
                KafkaTestClient.awaitRecords(brokers, created, 1, WAIT);

                if (scenario.equals("in-flight")) {
                    KafkaTestClient.send(brokers, requests, "in-flight", "{\"eventId\":\"in-flight\",\"name\":\""
                            + IN_FLIGHT + "\",\"description\":\"d\"}");
                    await().atMost(WAIT).until(() -> kore.calls(IN_FLIGHT) == 1);
                }
                broker.stop();
                await().atMost(WAIT).until(() -> HttpProbe.status(ready) == 503);
                await().during(OUTAGE).atMost(OUTAGE.plus(WAIT)).until(() -> HttpProbe.status(ready) == 503);
                if (scenario.equals("consumer-replaced-during-outage")) {
                    // Stopping and starting the consumer closes its Kafka consumer and makes a new one.
                    bridge.context().getRouteController().stopRoute("consume-requests");
                    bridge.context().getRouteController().startRoute("consume-requests");
                }
                broker.restart();
                long returned = System.nanoTime();

                send(brokers, requests, "after");
                int expected = scenario.equals("in-flight") ? 3 : 2;
                KafkaTestClient.awaitRecords(brokers, created, expected, WAIT);
                double resume = (System.nanoTime() - returned) / 1e9;
                System.out.printf("BROKER-RETURN-RESUME case=%s outageSeconds=%d resumeSeconds=%.1f%n", scenario,
                        OUTAGE.toSeconds(), resume);
                assertThat(resume).as("seconds from the broker's return to the next event's outcome")
                        .isLessThan((double) RESUME_BOUND.toSeconds());
                assertThat(kore.calls("after")).isEqualTo(1);
            }
        }
    }

    /**
     * A broker that hangs (SIGSTOP: connections stay open, nothing is answered), as a stalled machine makes it: liveness
     * stays UP throughout (a restart would not help), readiness goes DOWN within seconds and UP at once after the thaw,
     * and consumption resumes within seconds.
     */
    @Test
    void aFrozenBrokerFailsOnlyReadinessAndConsumptionResumesWithinSecondsOfTheThaw() throws Exception {
        int frozenSeconds = 15;
        String prefix = "resume-frozen-" + UUID.randomUUID().toString().substring(0, 8);
        String requests = prefix + ".create";
        String created = prefix + ".created";
        try (BrokerProcess broker = BrokerProcess.start(requests, created, prefix + ".dlq");
             CountingKore kore = new CountingKore().start()) {
            String brokers = broker.bootstrapServers();
            Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
            try (RunningBridge bridge = RunningBridge.start(settings)) {
                String ready = bridge.managementUrl() + "/observe/health/ready";
                String live = bridge.managementUrl() + "/observe/health/live";
                await().atMost(WAIT).until(() -> HttpProbe.status(ready) == 200);
                send(brokers, requests, "before");
                KafkaTestClient.awaitRecords(brokers, created, 1, WAIT);

                broker.freeze();
                long frozen = System.nanoTime();
                await().atMost(HEALTH_FLIP).pollInterval(Duration.ofMillis(100))
                        .until(() -> HttpProbe.status(ready) == 503);
                double down = (System.nanoTime() - frozen) / 1e9;
                await().during(Duration.ofSeconds(frozenSeconds)).atMost(WAIT.plusSeconds(frozenSeconds))
                        .until(() -> HttpProbe.status(live) == 200 && HttpProbe.status(ready) == 503);
                broker.thaw();
                long thawed = System.nanoTime();
                await().atMost(HEALTH_FLIP).pollInterval(Duration.ofMillis(100))
                        .until(() -> HttpProbe.status(ready) == 200);
                double up = (System.nanoTime() - thawed) / 1e9;
                send(brokers, requests, "after");
                KafkaTestClient.awaitRecords(brokers, created, 2, WAIT);
                double resume = (System.nanoTime() - thawed) / 1e9;
                System.out.printf("BROKER-RETURN-RESUME case=frozen frozenSeconds=%d readyDownSeconds=%.1f "
                        + "readyUpSeconds=%.1f resumeSeconds=%.1f%n", frozenSeconds, down, up, resume);
                assertThat(resume).as("seconds from the broker's thaw to the next event's outcome")
                        .isLessThan((double) RESUME_BOUND.toSeconds());
            }
        }
    }

    private static void send(String brokers, String topic, String name) {
        KafkaTestClient.send(brokers, topic, name, "{\"eventId\":\"" + name + "\",\"name\":\"" + name
                + "\",\"description\":\"d\"}");
    }
}
