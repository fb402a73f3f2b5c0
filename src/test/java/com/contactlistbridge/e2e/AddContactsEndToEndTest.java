package com.contactlistbridge.e2e;

import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The add-contacts flow (routes/add-contacts.camel.yaml) in the production bridge, on a real in-process broker against
 * a WireMock stub of Kore.ai: validation before any call, chunks of bridge.add-contacts.chunk-size, each chunk sent at
 * most once, Kore.ai's "queued" answer on the done topic, dead letters with the original record on the flow's own
 * dead-letter topic.
 */
class AddContactsEndToEndTest {

    private static final String PREFIX = "addc";
    private static final String REQUESTS = PREFIX + ".add-contacts";
    private static final String DONE = PREFIX + ".add-contacts.done";
    private static final String DLQ = PREFIX + ".add-contacts.dlq";
    private static final String PATH = "/api/1.1/public/st-test-stream/campaign/contactList/addContacts";
    private static final String QUEUED = "{\"status\":\"success\",\"message\":\"Contacts queued for addition.\"}";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WireMockServer kore;
    private static RunningBridge bridge;
    private static String brokers;

    @BeforeAll
    static void startBridge() throws Exception {
        brokers = KafkaTestBroker.get().bootstrapServers();
        KafkaTestBroker.get().createTopics(1, REQUESTS, DONE, DLQ);
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), PREFIX);
        settings.put("bridge.add-contacts.chunk-size", "2");
        settings.put("bridge.add-contacts.max-contacts", "6");
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

    @BeforeEach
    void queueEveryCall() {
        kore.resetAll();
        kore.stubFor(post(urlPathEqualTo(PATH)).atPriority(10).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(QUEUED)));
    }

    private static String contacts(String prefix, int count) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 1; i <= count; i++) {
            json.append(i > 1 ? "," : "").append("{\"phoneNumber\":\"").append(prefix).append(i)
                    .append("\",\"firstName\":\"First ").append(i).append("\",\"email\":\"c").append(i)
                    .append("@example.com\"}");
        }
        return json.append(']').toString();
    }

    /** Waits until the topic holds {@code count} records whose event id starts with {@code idPrefix}; returns them. */
    private static List<ConsumerRecord<byte[], byte[]>> await(String topic, String idPrefix, int count) {
        List<List<ConsumerRecord<byte[], byte[]>>> found = new java.util.ArrayList<>();
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> {
            List<ConsumerRecord<byte[], byte[]>> matching = KafkaTestClient.readAll(brokers, topic, Duration.ZERO)
                    .stream().filter(r -> String.valueOf(KafkaTestClient.header(r, "bridge.event-id"))
                            .startsWith(idPrefix)).toList();
            found.add(matching);
            return matching.size() >= count;
        });
        return found.get(found.size() - 1);
    }

    private static List<LoggedRequest> calls() {
        return kore.findAll(postRequestedFor(urlPathEqualTo(PATH)));
    }

    @Test
    void fiveContactsAreSentInThreeSignedChunksAndTheDoneRecordCarriesKoresQueuedAnswer() throws Exception {
        String event = "{\"eventId\":\"ac-1\",\"listName\":\"Renewals\",\"contacts\":" + contacts("4915110000", 5)
                + "}";
        KafkaTestClient.send(brokers, REQUESTS, "ac-1", event);

        ConsumerRecord<byte[], byte[]> done = await(DONE, "ac-1", 1).get(0);
        JsonNode value = JSON.readTree(done.value());
        assertThat(value.get("eventId").asText()).isEqualTo("ac-1");
        assertThat(value.get("listName").asText()).isEqualTo("Renewals");
        assertThat(value.get("contacts").asInt()).isEqualTo(5);
        assertThat(value.get("chunks").asInt()).isEqualTo(3);
        assertThat(value.get("status").asText()).isEqualTo("queued");
        assertThat(value.get("answers")).hasSize(3);
        assertThat(value.get("answers").get(2).get("message").asText()).isEqualTo("Contacts queued for addition.");
        assertThat(KafkaTestClient.text(done.key())).isEqualTo("ac-1");
        assertThat(done.headers().lastHeader("auth")).isNull();

        List<LoggedRequest> calls = calls();
        assertThat(calls).hasSize(3);
        for (LoggedRequest call : calls) {
            assertThat(call.getHeader("iid")).isEqualTo("st-test-app");
            assertThat(call.getHeader("accountId")).isEqualTo("acc-test");
            assertThat(call.queryParameter("accountId").firstValue()).isEqualTo("acc-test");
            assertThat(call.getHeader("auth")).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
            assertThat(call.getHeader("Content-Type")).startsWith("application/json");
        }
        assertThat(calls.stream().map(c -> c.getHeader("auth")).distinct()).as("a fresh token per call").hasSize(3);
        List<Integer> sizes = calls.stream().map(c -> readTree(c.getBodyAsString()).get("data").size()).sorted()
                .toList();
        assertThat(sizes).containsExactly(1, 2, 2);
        JsonNode first = readTree(calls.get(0).getBodyAsString());
        assertThat(first.get("contact_list_name").asText()).isEqualTo("Renewals");
        assertThat(first.get("data").get(0).has("first name")).as("Kore's spelling").isTrue();
        assertThat(first.get("data").get(0).get("email").asText()).endsWith("@example.com");
    }

    @Test
    void invalidEventsAreDeadLetteredWithTheirOriginalBytesBeforeAnyCall() {
        List<String> events = List.of(
                "{\"eventId\":\"ac-bad-1\",\"listName\":\"L\",\"contacts\":[{\"phoneNumber\":\"12-34\"}]}",
                "{\"eventId\":\"ac-bad-2\",\"listName\":\"L\",\"contacts\":[{\"phoneNumber\":\"123456\",\"email\":\"x@\"}]}",
                "{\"eventId\":\"ac-bad-3\",\"listName\":\"" + "n".repeat(49) + "\",\"contacts\":[{\"phoneNumber\":\"123456\"}]}",
                "{\"eventId\":\"ac-bad-4\",\"listName\":\"L\",\"contacts\":[]}",
                "{\"eventId\":\"ac-bad-5\",\"listName\":\"L\",\"contacts\":" + contacts("123456", 7) + "}");
        for (String event : events) {
            KafkaTestClient.send(brokers, REQUESTS, null, event);
        }

        List<ConsumerRecord<byte[], byte[]>> dead = await(DLQ, "ac-bad-", 5);
        assertThat(dead).hasSize(5);
        for (ConsumerRecord<byte[], byte[]> record : dead) {
            assertThat(KafkaTestClient.header(record, "bridge.error.reason")).isEqualTo("INVALID_EVENT");
            assertThat(KafkaTestClient.header(record, "bridge.error.attempts")).isEqualTo("0");
            assertThat(KafkaTestClient.header(record, "bridge.original.topic")).isEqualTo(REQUESTS);
            assertThat(events).contains(new String(record.value(), StandardCharsets.UTF_8));
        }
        assertThat(dead).extracting(r -> KafkaTestClient.header(r, "bridge.error.message")).anyMatch(m ->
                m.contains("contacts[0].phoneNumber must be E.164")).anyMatch(m -> m.contains("contacts[0].email"))
                .anyMatch(m -> m.contains("listName has 49 characters")).anyMatch(m -> m.contains("contacts has 0"))
                .anyMatch(m -> m.contains("contacts has 7 entries"));
        assertThat(calls()).isEmpty();
    }

    @Test
    void aReSentEventSkipsTheChunksAlreadySentAndSendsOnlyTheRest() throws Exception {
        // The second chunk (contacts 3 and 4) is refused the first time: the event is dead-lettered REJECTED.
        kore.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).withRequestBody(containing("\"4930000003\""))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"errors\":[{\"msg\":\"list is busy\",\"code\":400}]}")));
        String event = "{\"eventId\":\"ac-2\",\"listName\":\"Busy\",\"contacts\":" + contacts("493000000", 5) + "}";
        KafkaTestClient.send(brokers, REQUESTS, "ac-2", event);

        ConsumerRecord<byte[], byte[]> dead = await(DLQ, "ac-2", 1).get(0);
        assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).isEqualTo("REJECTED");
        assertThat(KafkaTestClient.header(dead, "bridge.error.message")).contains("list is busy");
        assertThat(KafkaTestClient.header(dead, "bridge.error.attempts")).isEqualTo("2");
        assertThat(calls()).hasSize(2);

        // Kore.ai takes the chunk now; the same event again (a replay) sends chunks 2 and 3 only.
        queueEveryCall();
        KafkaTestClient.send(brokers, REQUESTS, "ac-2", event);

        ConsumerRecord<byte[], byte[]> done = await(DONE, "ac-2", 1).get(0);
        assertThat(JSON.readTree(done.value()).get("answers")).hasSize(3);
        List<LoggedRequest> calls = calls();
        assertThat(calls).hasSize(2);
        assertThat(calls).noneMatch(c -> c.getBodyAsString().contains("\"4930000001\""));
        assertThat(calls).anyMatch(c -> c.getBodyAsString().contains("\"4930000003\""))
                .anyMatch(c -> c.getBodyAsString().contains("\"4930000005\""));
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
