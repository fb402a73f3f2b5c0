package com.contactlistbridge.replay;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.contactlistbridge.replay.ReplayTestSupport.Run;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.contactlistbridge.replay.ReplayTestSupport.event;
import static com.contactlistbridge.replay.ReplayTestSupport.replay;
import static com.contactlistbridge.replay.ReplayTestSupport.utf8;
import static com.contactlistbridge.testsupport.KafkaTestClient.header;
import static com.contactlistbridge.testsupport.KafkaTestClient.text;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The loop operators run: the real bridge dead-letters an event during a Kore.ai outage, replay puts it back on the
 * requests topic, and the bridge creates the list once Kore.ai is back, or dead-letters it again with its count.
 */
class ReplayEndToEndTest {

    private static final String API_PATH =
            "/campaign/api/v2/public/st-test-stream/campaign/contactList/createContactList";
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Each test has its own topics and bridge: the replay reads the whole dead-letter topic. */
    private final String prefix = KafkaTestBroker.uniquePrefix("replay-e2e");
    private final String requests = prefix + ".create";
    private final String createdTopic = prefix + ".created";
    private final String deadLetter = prefix + ".dlq";
    /** The add-contacts flow's requests topic (RunningBridge.baseSettings), with .done and .dlq beside it. */
    private final String addContacts = prefix + ".add-contacts";

    private WireMockServer kore;
    private RunningBridge bridge;
    private String brokers;

    @BeforeEach
    void startBridge() throws Exception {
        brokers = KafkaTestBroker.get().bootstrapServers();
        KafkaTestBroker.get().createTopics(2, requests, createdTopic, deadLetter);
        KafkaTestBroker.get().createTopics(1, addContacts, addContacts + ".done", addContacts + ".dlq");
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        // One call per event: an outage dead-letters at once instead of after five backoffs.
        settings.put("bridge.retry.max-attempts", "1");
        // Add-contacts events of five contacts go out in three calls.
        settings.put("bridge.add-contacts.chunk-size", "2");
        bridge = RunningBridge.start(settings);
    }

    @AfterEach
    void stopBridge() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        if (kore != null) {
            kore.stop();
        }
    }

    @Test
    void eventDeadLetteredDuringAnOutageIsCreatedWhenReplayedAfterIt() throws Exception {
        stubNamed("List crm-outage", aResponse().withStatus(503).withBody("Service Unavailable"));
        sendEvent("crm-outage", Map.of("traceparent", utf8("00-trace-outage-01")));
        ConsumerRecord<byte[], byte[]> dead = awaitDeadLetters("crm-outage", 1).get(0);
        assertThat(header(dead, "bridge.error.reason")).isEqualTo("UNAVAILABLE");
        assertThat(header(dead, "bridge.error.attempts")).isEqualTo("1");

        stubNamed("List crm-outage", aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"data\":{\"_id\":\"cl-after-outage\",\"name\":\"List crm-outage\","
                        + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}"));
        Run run = replay(env(), "--event-id", "crm-outage");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lineOf("crm-outage")).startsWith("REPLAYED ");
        ConsumerRecord<byte[], byte[]> created = await().atMost(WAIT).until(
                () -> KafkaTestClient.readAll(brokers, createdTopic, Duration.ZERO).stream()
                        .filter(r -> "crm-outage".equals(header(r, "bridge.event-id"))).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        assertThat(text(created.key())).isEqualTo("crm-outage");
        assertThat(text(created.value())).contains("\"contactListId\":\"cl-after-outage\"");
        assertThat(awaitDeadLetters("crm-outage", 1)).as("no new dead letter").hasSize(1);
    }

    @Test
    void replayCountSurvivesASecondFailureAndTheThirdReplayIsRefused() throws Exception {
        stubNamed("List crm-still-down", aResponse().withStatus(503).withBody("Service Unavailable"));
        sendEvent("crm-still-down", Map.of("traceparent", utf8("00-trace-down-01")));
        ConsumerRecord<byte[], byte[]> first = awaitDeadLetters("crm-still-down", 1).get(0);
        assertThat(header(first, "bridge.replay-count")).isNull();

        Run firstReplay = replay(env(), "--event-id", "crm-still-down", "--max-replays", "2");
        assertThat(firstReplay.lineOf("crm-still-down")).startsWith("REPLAYED ").endsWith("replay-count=0->1");
        ConsumerRecord<byte[], byte[]> second = awaitDeadLetters("crm-still-down", 2).get(1);

        // The bridge dead-letters the replayed record with its headers, so the count and origin travel on.
        assertThat(header(second, "bridge.replay-count")).isEqualTo("1");
        assertThat(header(second, "bridge.replayed-from")).isEqualTo(position(first));
        assertThat(header(second, "traceparent")).isEqualTo("00-trace-down-01");
        assertThat(header(second, "bridge.error.reason")).isEqualTo("UNAVAILABLE");
        assertThat(header(second, "bridge.original.topic")).isEqualTo(requests);
        assertThat(second.value()).isEqualTo(first.value());
        assertThat(second.key()).isEqualTo(first.key());
        assertThat(second.headers().headers("bridge.error.reason")).as("fresh diagnostics, not stacked").hasSize(1);

        Run secondReplay = replay(env(), "--event-id", "crm-still-down", "--max-replays", "2");
        assertThat(secondReplay.lines()).filteredOn(line -> line.contains("dead-letter=" + position(first) + " "))
                .singleElement().asString().startsWith("SKIPPED(superseded) ");
        assertThat(secondReplay.lines()).filteredOn(line -> line.contains("dead-letter=" + position(second) + " "))
                .singleElement().asString().startsWith("REPLAYED ").endsWith("replay-count=1->2");
        ConsumerRecord<byte[], byte[]> third = awaitDeadLetters("crm-still-down", 3).get(2);
        assertThat(header(third, "bridge.replay-count")).isEqualTo("2");
        assertThat(header(third, "bridge.replayed-from")).isEqualTo(position(second));

        Run thirdReplay = replay(env(), "--event-id", "crm-still-down", "--max-replays", "2");
        assertThat(thirdReplay.exitCode()).isZero();
        assertThat(thirdReplay.lines()).filteredOn(line -> line.contains("dead-letter=" + position(third) + " "))
                .singleElement().asString().startsWith("REFUSED(max replays) ").endsWith("replay-count=2");
        assertThat(thirdReplay.lines()).last().asString().endsWith("replayed 0 to " + requests
                + ", skipped 2, refused 1");
        assertThat(KafkaTestClient.readAll(brokers, requests, Duration.ZERO))
                .filteredOn(r -> "crm-still-down".equals(text(r.key())))
                .as("the original event and two replays").hasSize(3);
    }

    @Test
    void replayingTwiceCreatesOnceEvenForAnEventWithoutIdAndKey() throws Exception {
        stubNamed("List crm-twice", aResponse().withStatus(503).withBody("Service Unavailable"));
        stubNamed("List without id", aResponse().withStatus(503).withBody("Service Unavailable"));
        sendEvent("crm-twice", Map.of());
        KafkaTestClient.send(brokers, requests, null,
                utf8("{\"name\":\"List without id\",\"description\":\"no eventId, no key\"}"), Map.of());
        awaitDeadLetters("crm-twice", 1);
        ConsumerRecord<byte[], byte[]> noIdDead = await().atMost(WAIT).until(
                () -> KafkaTestClient.readAll(brokers, deadLetter, Duration.ZERO).stream()
                        .filter(r -> r.key() == null && text(r.value()).contains("List without id")).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        String noId = header(noIdDead, "bridge.event-id");
        assertThat(noId).as("topic-partition-offset of the original").isEqualTo(requests + "-"
                + header(noIdDead, "bridge.original.partition") + "-" + header(noIdDead, "bridge.original.offset"));

        stubNamed("List crm-twice", created("cl-twice"));
        stubNamed("List without id", created("cl-no-id"));
        String selected = "crm-twice," + noId;
        Run first = replay(env(), "--event-id", selected);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.lineOf("crm-twice")).startsWith("REPLAYED ");
        assertThat(first.lineOf(noId)).startsWith("REPLAYED ");
        ConsumerRecord<byte[], byte[]> createdNoId = awaitCreated(noId);
        assertThat(text(createdNoId.value())).contains("cl-no-id").contains("\"eventId\":\"" + noId + "\"");
        awaitCreated("crm-twice");
        long requestsAfterFirst = KafkaTestClient.readAll(brokers, requests, Duration.ZERO).size();

        for (String dryRun : new String[] {"--dry-run", "--max-replays=3"}) {
            Run again = replay(env(), "--event-id", selected, dryRun);
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(again.lineOf("crm-twice")).startsWith("SKIPPED(done) ");
            assertThat(again.lineOf(noId)).startsWith("SKIPPED(done) ");
        }
        assertThat(KafkaTestClient.readAll(brokers, requests, Duration.ZERO)).as("nothing republished")
                .hasSize((int) requestsAfterFirst);
        assertThat(kore.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo("List without id")))))
                .as("the 503, then one create").hasSize(2);
    }

    @Test
    void replayWhileTheBridgeIsStoppedIsCreatedOnceWhenItStarts() throws Exception {
        String stopped = KafkaTestBroker.freshTopics("replay-stopped");
        WireMockServer own = new WireMockServer(options().dynamicPort());
        own.start();
        try {
            own.stubFor(post(urlPathEqualTo(API_PATH)).willReturn(aResponse().withStatus(503)));
            Map<String, String> settings = RunningBridge.baseSettings(brokers, own.baseUrl(), stopped);
            settings.put("bridge.retry.max-attempts", "1");
        // Add-contacts events of five contacts go out in three calls.
        settings.put("bridge.add-contacts.chunk-size", "2");
            Map<String, String> env = Map.of("KAFKA_BROKERS", brokers, "BRIDGE_TOPIC_REQUESTS", stopped + ".create",
                    "BRIDGE_TOPIC_DEAD_LETTER", stopped + ".dlq", "BRIDGE_TOPIC_PROCESSED", stopped + ".processed");
            try (RunningBridge running = RunningBridge.start(settings)) {
                KafkaTestClient.send(brokers, stopped + ".create", null,
                        utf8("{\"name\":\"While stopped\",\"description\":\"d\"}"), Map.of());
                KafkaTestClient.awaitRecords(brokers, stopped + ".dlq", 1, WAIT);
            }

            own.stubFor(post(urlPathEqualTo(API_PATH)).willReturn(created("cl-while-stopped")));
            Run replayed = replay(env);
            assertThat(replayed.exitCode()).as(replayed.err()).isZero();
            assertThat(replayed.lineOf(stopped + ".create-0-0")).startsWith("REPLAYED ");

            try (RunningBridge running = RunningBridge.start(settings)) {
                ConsumerRecord<byte[], byte[]> created = KafkaTestClient.awaitRecords(brokers, stopped + ".created", 1,
                        WAIT).get(0);
                assertThat(header(created, "bridge.event-id")).as("the original event's id")
                        .isEqualTo(stopped + ".create-0-0");
                Run again = replay(env);
                assertThat(again.lineOf(stopped + ".create-0-0")).startsWith("SKIPPED(done) ");
            }
            assertThat(own.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                    urlPathEqualTo(API_PATH)))).as("the 503, then one create").hasSize(2);
        } finally {
            own.stop();
        }
    }

    private static ResponseDefinitionBuilder created(String id) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"data\":{\"_id\":\"" + id + "\"}}");
    }

    private ConsumerRecord<byte[], byte[]> awaitCreated(String eventId) {
        return await().atMost(WAIT).until(
                () -> KafkaTestClient.readAll(brokers, createdTopic, Duration.ZERO).stream()
                        .filter(r -> eventId.equals(header(r, "bridge.event-id"))).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
    }

    @Test
    void anotherFlowsDeadLetterIsReplayedWithFlowAndOnlyItsCallsNotMadeBeforeAreMade() throws Exception {
        String path = "/api/1.1/public/st-test-stream/campaign/contactList/addContacts";
        kore.stubFor(post(urlPathEqualTo(path)).atPriority(10).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"message\":\"Contacts queued for addition.\"}")));
        // The second chunk (contacts 3 and 4) meets an outage: with one attempt the event is dead-lettered at once.
        kore.stubFor(post(urlPathEqualTo(path)).atPriority(1).withRequestBody(containing("\"4930000003\""))
                .willReturn(aResponse().withStatus(503).withBody("Service Unavailable")));
        StringBuilder contacts = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            contacts.append(i > 1 ? "," : "").append("{\"phoneNumber\":\"493000000").append(i).append("\"}");
        }
        KafkaTestClient.send(brokers, addContacts, "ac-outage",
                "{\"eventId\":\"ac-outage\",\"listName\":\"Outage\",\"contacts\":[" + contacts + "]}");
        ConsumerRecord<byte[], byte[]> dead = await().atMost(WAIT).until(
                () -> KafkaTestClient.readAll(brokers, addContacts + ".dlq", Duration.ZERO), r -> !r.isEmpty()).get(0);
        assertThat(header(dead, "bridge.error.reason")).isEqualTo("UNAVAILABLE");
        assertThat(kore.findAll(postRequestedFor(urlPathEqualTo(path)))).hasSize(2);

        // The default flow's replay reads the create-contact-list dead letters only: nothing there.
        Run createFlow = replay(env(), "--dry-run");
        assertThat(createFlow.exitCode()).as(createFlow.err()).isZero();
        assertThat(createFlow.out()).contains("read 0 dead letter(s) from " + deadLetter);

        kore.removeStubMapping(kore.getStubMappings().stream().filter(m -> m.getPriority() == 1).findFirst()
                .orElseThrow());
        Map<String, String> env = new LinkedHashMap<>(env());
        env.put("BRIDGE_ADD_CONTACTS_TOPIC_REQUESTS", addContacts);
        env.put("BRIDGE_ADD_CONTACTS_TOPIC_DEAD_LETTER", addContacts + ".dlq");
        Run run = replay(env, "--flow", "add-contacts");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lineOf("ac-outage")).startsWith("REPLAYED ");
        assertThat(run.out()).contains("flow add-contacts, reasons UNAVAILABLE")
                .contains("read 1 dead letter(s) from " + addContacts + ".dlq; replayed 1 to " + addContacts + ",");
        ConsumerRecord<byte[], byte[]> done = await().atMost(WAIT).until(
                () -> KafkaTestClient.readAll(brokers, addContacts + ".done", Duration.ZERO), r -> !r.isEmpty()).get(0);
        assertThat(header(done, "bridge.event-id")).isEqualTo("ac-outage");
        assertThat(text(done.value())).contains("Contacts queued for addition.");
        // The first chunk was sent before the outage and is not sent again: 2 calls then, 2 (chunks 2 and 3) now.
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> calls =
                kore.findAll(postRequestedFor(urlPathEqualTo(path)));
        assertThat(calls).hasSize(4);
        assertThat(calls.stream().filter(c -> c.getBodyAsString().contains("\"4930000001\""))).hasSize(1);
        assertThat(calls.stream().filter(c -> c.getBodyAsString().contains("\"4930000005\""))).hasSize(1);
    }

    private Map<String, String> env() {
        return Map.of("KAFKA_BROKERS", brokers, "BRIDGE_TOPIC_REQUESTS", requests,
                "BRIDGE_TOPIC_DEAD_LETTER", deadLetter, "BRIDGE_TOPIC_PROCESSED", prefix + ".processed");
    }

    private void sendEvent(String eventId, Map<String, byte[]> headers) {
        KafkaTestClient.send(brokers, requests, utf8(eventId), event(eventId), new LinkedHashMap<>(headers));
    }

    /** The most recent stub for a name wins, so a test can end the outage by stubbing again. */
    private void stubNamed(String name, ResponseDefinitionBuilder answer) {
        kore.stubFor(post(urlPathEqualTo(API_PATH)).withRequestBody(matchingJsonPath("$.name", equalTo(name)))
                .willReturn(answer));
    }

    /** Waits until the event has {@code count} dead letters and returns them in offset order. */
    private List<ConsumerRecord<byte[], byte[]>> awaitDeadLetters(String eventId, int count) {
        return await().atMost(WAIT).until(
                () -> KafkaTestClient.readAll(brokers, deadLetter, Duration.ZERO).stream()
                        .filter(r -> eventId.equals(header(r, "bridge.event-id"))).toList(),
                records -> records.size() >= count);
    }

    private static String position(ConsumerRecord<byte[], byte[]> record) {
        return record.topic() + "-" + record.partition() + "-" + record.offset();
    }
}
