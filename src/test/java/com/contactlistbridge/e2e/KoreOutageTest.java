package com.contactlistbridge.e2e;

import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.contactlistbridge.testsupport.HttpProbe;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A Kore.ai outage pauses consumption instead of flooding the dead-letter topic, and the bridge resumes by itself. */
class KoreOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OK_BODY = "{\"status\":\"success\",\"data\":{\"_id\":\"cl-back\",\"name\":\"n\","
            + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}";

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

    private Map<String, String> settings(String prefix, int maxPauses) {
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        settings.put("bridge.retry.max-attempts", "2");
        settings.put("bridge.outage.pause-ms", "1000");
        settings.put("bridge.outage.max-pauses", String.valueOf(maxPauses));
        return settings;
    }

    @Test
    void outagePausesConsumptionWithoutDeadLettersAndResumesWhenKoreIsBack() throws Exception {
        String prefix = KafkaTestBroker.freshTopics("outage");
        kore.stubFor(post(urlPathMatching("/campaign/.*")).willReturn(aResponse().withStatus(503)
                .withBody("maintenance")));
        bridge = RunningBridge.start(settings(prefix, 100));
        for (int i = 0; i < 5; i++) {
            KafkaTestClient.send(brokers, prefix + ".create", "crm-o" + i,
                    "{\"eventId\":\"crm-o" + i + "\",\"name\":\"Outage list " + i + "\",\"description\":\"d\"}");
        }

        // The events in flight (bridge.max-in-flight, 4 by default) run out of retries, the batch starts no more
        // events, and consumption pauses; the fifth event is never tried during the outage.
        await().atMost(WAIT).until(() -> paused() == 1.0);
        assertThat(KafkaTestClient.readAll(brokers, prefix + ".dlq", Duration.ZERO)).as("no dead letters").isEmpty();
        assertThat(KafkaTestClient.committedOffset(brokers, prefix + "-bridge", prefix + ".create", 0))
                .as("committed up to, not past, the first held-back record").isZero();
        assertThat(kore.findAll(postRequestedFor(urlPathMatching(".*")))
                .stream().map(r -> r.getBodyAsString()).distinct()).as("only the events in flight are tried")
                .noneMatch(body -> body.contains("Outage list 4"));

        kore.resetAll();
        kore.stubFor(post(urlPathMatching("/campaign/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(OK_BODY)));

        List<ConsumerRecord<byte[], byte[]>> created = KafkaTestClient.awaitRecords(brokers, prefix + ".created", 5,
                WAIT);
        assertThat(created).hasSize(5);
        assertThat(KafkaTestClient.readAll(brokers, prefix + ".dlq", Duration.ZERO)).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(paused()).isZero());
    }

    @Test
    void aRecordThatKeepsFailingIsDeadLetteredAfterMaxPausesAndTheRestFlows() throws Exception {
        String prefix = KafkaTestBroker.freshTopics("outage-poison");
        kore.stubFor(post(urlPathMatching("/campaign/.*")).atPriority(10).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(OK_BODY)));
        kore.stubFor(post(urlPathMatching("/campaign/.*")).withRequestBody(matchingJsonPath("$.name",
                equalTo("Poison"))).willReturn(aResponse().withStatus(500).withBody("boom")));
        bridge = RunningBridge.start(settings(prefix, 2));

        KafkaTestClient.send(brokers, prefix + ".create", "crm-poison",
                "{\"eventId\":\"crm-poison\",\"name\":\"Poison\",\"description\":\"d\"}");
        KafkaTestClient.send(brokers, prefix + ".create", "crm-after",
                "{\"eventId\":\"crm-after\",\"name\":\"After\",\"description\":\"d\"}");

        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClient.awaitRecords(brokers, prefix + ".dlq", 1, WAIT);
        assertThat(KafkaTestClient.header(dead.get(0), "bridge.event-id")).isEqualTo("crm-poison");
        assertThat(KafkaTestClient.header(dead.get(0), "bridge.error.reason")).isEqualTo("UNAVAILABLE");
        KafkaTestClient.awaitRecords(brokers, prefix + ".created", 1, WAIT);
        // 2 attempts before each of the 2 pauses, and 2 more before the record is released: 6 calls.
        assertThat(kore.findAll(postRequestedFor(urlPathMatching(".*")).withRequestBody(
                matchingJsonPath("$.name", equalTo("Poison"))))).hasSize(6);
    }

    @Test
    void anOutageOfAddContactsPausesOnlyThatFlowAndResumesWithoutResendingTheChunksSent() throws Exception {
        String prefix = "outage-ac";
        KafkaTestBroker.get().createTopics(1, prefix + ".add-contacts", prefix + ".add-contacts.done",
                prefix + ".add-contacts.dlq");
        String queued = "{\"status\":\"success\",\"message\":\"Contacts queued for addition.\"}";
        kore.stubFor(post(urlPathMatching("/api/.*")).atPriority(10).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(queued)));
        kore.stubFor(post(urlPathMatching("/api/.*")).atPriority(1).withRequestBody(
                matchingJsonPath("$.data[0].phoneNumber", equalTo("4955500002")))
                .willReturn(aResponse().withStatus(503).withBody("maintenance")));
        Map<String, String> settings = settings(prefix, 100);
        settings.put("bridge.add-contacts.chunk-size", "1");
        bridge = RunningBridge.start(settings);
        KafkaTestClient.send(brokers, prefix + ".add-contacts", "ac-o1", "{\"eventId\":\"ac-o1\",\"listName\":\"L\","
                + "\"contacts\":[{\"phoneNumber\":\"4910000001\"},{\"phoneNumber\":\"4955500002\"}]}");

        await().atMost(WAIT).until(() -> paused("consume-add-contacts") == 1.0);
        assertThat(paused("consume-requests")).as("the other flow keeps consuming").isZero();
        assertThat(KafkaTestClient.readAll(brokers, prefix + ".add-contacts.dlq", Duration.ZERO)).isEmpty();
        assertThat(kore.findAll(postRequestedFor(urlPathMatching(".*")).withRequestBody(
                matchingJsonPath("$.data[0].phoneNumber", equalTo("4910000001"))))).hasSize(1);

        kore.resetAll();
        kore.stubFor(post(urlPathMatching("/api/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(queued)));

        KafkaTestClient.awaitRecords(brokers, prefix + ".add-contacts.done", 1, WAIT);
        assertThat(kore.findAll(postRequestedFor(urlPathMatching(".*")).withRequestBody(
                matchingJsonPath("$.data[0].phoneNumber", equalTo("4910000001")))))
                .as("the chunk sent before the pause is not sent again").isEmpty();
        assertThat(kore.findAll(postRequestedFor(urlPathMatching(".*")))).hasSize(1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(paused("consume-add-contacts")).isZero());
    }

    private double paused() throws Exception {
        return paused("consume-requests");
    }

    private double paused(String route) throws Exception {
        String scrape;
        try {
            scrape = HttpProbe.body(bridge.managementUrl() + "/observe/metrics");
        } catch (HttpTimeoutException e) {
            // No answer within the probe's timeout: not known yet, the await asks again.
            return Double.NaN;
        }
        return scrape.lines().filter(l -> l.startsWith("bridge_consumption_paused{route=\"" + route + "\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no bridge_consumption_paused series"));
    }
}
