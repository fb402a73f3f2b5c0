package com.contactlistbridge.resilience;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.github.tomakehurst.wiremock.WireMockServer;

/**
 * Legal but hostile records on ONE partition, each followed by an ordinary event, at the shipped outage and retry
 * policy with four events in flight: every record gets exactly one outcome, no event id gets a second list, Kore.ai
 * sees exactly the calls the contract allows, every ordinary event is created and the committed offset reaches the
 * end of the partition.
 */
@Tag("resilience")
class HostileInputTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String CRLF_ID = "crm-crlf\r\n2026-12-06 12:00:00.000 INFO  [main] forged log line";
    private static final String RATE_LIMIT_TEXT = "You've exceeded the per-minute rate limit";

    /** One input record and the outcome it must end in. */
    private record Input(String what, byte[] key, byte[] value, Outcome outcome, String eventId) {
    }

    private enum Outcome {
        CREATED, DEAD_LETTER
    }

    @Test
    void everyHostileRecordEndsInOneOutcomeAndNothingLoopsOrBlocksThePartition() throws Exception {
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String prefix = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
        String requests = prefix + ".create";
        KafkaTestBroker.get().createTopics(1, requests, prefix + ".created", prefix + ".dlq");
        // The processed-events store refuses records over 600 bytes: only the created record of the 256-character
        // event id below is refused, right after its list was created.
        createTopic(brokers, prefix + ".processed", Map.of("cleanup.policy", "compact", "max.message.bytes", "600"));
        KafkaTestClient.send(brokers, prefix + ".processed", "crm-corrupt", "{not a created record");

        String longId = "crm-long-" + "x".repeat(256 - 9);
        String overLongId = "crm-" + "y".repeat(600_000);
        List<Input> inputs = new ArrayList<>();
        inputs.add(new Input("600 KB key, no eventId", "k".repeat(600_000).getBytes(StandardCharsets.UTF_8),
                event(null, "Big key"), Outcome.DEAD_LETTER, null));
        inputs.add(ordinary(1));
        inputs.add(new Input("600 KB eventId", null, event(overLongId, "Big id"), Outcome.DEAD_LETTER, null));
        inputs.add(ordinary(2));
        inputs.add(new Input("900 KB invalid value, 100 KB key", "q".repeat(100_000).getBytes(StandardCharsets.UTF_8),
                filled(900_000, (byte) '{'), Outcome.DEAD_LETTER, null));
        inputs.add(ordinary(3));
        inputs.add(new Input("dead letter over max.request.size", "r".repeat(48_000).getBytes(StandardCharsets.UTF_8),
                filled(1_000_000, (byte) 0xFF), Outcome.DEAD_LETTER, null));
        inputs.add(ordinary(4));
        inputs.add(new Input("twin 1, no key", null, event("crm-twin", "Twin"), Outcome.CREATED, "crm-twin"));
        inputs.add(new Input("twin 2, no key", null, event("crm-twin", "Twin"), Outcome.CREATED, "crm-twin"));
        inputs.add(ordinary(5));
        inputs.add(new Input("CR/LF in eventId", utf8("crlf-key"), event(CRLF_ID, "Forged"), Outcome.DEAD_LETTER,
                null));
        inputs.add(ordinary(6));
        inputs.add(new Input("binary key, no eventId", new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1},
                event(null, "Binary key"), Outcome.DEAD_LETTER, null));
        inputs.add(ordinary(7));
        inputs.add(new Input("corrupt processed-store value", null, event("crm-corrupt", "Corrupt store"),
                Outcome.DEAD_LETTER, null));
        inputs.add(ordinary(8));
        inputs.add(new Input("store refuses the write after the create", null, event(longId, "Store refuses"),
                Outcome.DEAD_LETTER, null));
        inputs.add(ordinary(9));
        inputs.add(new Input("400 echoing the rate-limit text", null, event("crm-echo", RATE_LIMIT_TEXT),
                Outcome.DEAD_LETTER, null));
        inputs.add(ordinary(10));

        WireMockServer kore = new WireMockServer(options().dynamicPort());
        kore.start();
        try {
            kore.stubFor(post(urlPathMatching("/campaign/.*")).atPriority(10).willReturn(created("cl-ordinary")));
            // Slow, so that the second copy is started while the first one waits for Kore.ai.
            kore.stubFor(post(urlPathMatching("/campaign/.*")).atPriority(1)
                    .withRequestBody(matchingJsonPath("$.name", equalTo("Twin")))
                    .willReturn(created("cl-twin").withFixedDelay(1_000)));
            kore.stubFor(post(urlPathMatching("/campaign/.*")).atPriority(1)
                    .withRequestBody(matchingJsonPath("$.name", equalTo("Store refuses")))
                    .willReturn(created("cl-not-stored")));
            kore.stubFor(post(urlPathMatching("/campaign/.*")).atPriority(1)
                    .withRequestBody(matchingJsonPath("$.name", equalTo(RATE_LIMIT_TEXT)))
                    .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                            .withBody("{\"errors\":[{\"msg\":\"A list named '" + RATE_LIMIT_TEXT.replace("'", "\\'")
                                    + "' is not allowed\",\"code\":400}]}")));

            Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
            settings.put("bridge.max-in-flight", "4");
            // The shipped outage policy: a record that looked like an outage would pause the consumer for a minute,
            // and the ordinary event after it would miss the deadline.
            settings.remove("bridge.outage.max-pauses");
            try (RunningBridge bridge = RunningBridge.start(settings)) {
                send(brokers, requests, inputs);

                List<ConsumerRecord<byte[], byte[]>> created = KafkaTestClient.awaitRecords(brokers,
                        prefix + ".created", count(inputs, Outcome.CREATED), WAIT);
                List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClient.awaitRecords(brokers, prefix + ".dlq",
                        count(inputs, Outcome.DEAD_LETTER), WAIT);
                await().atMost(WAIT).until(() -> KafkaTestClient.committedOffset(brokers, prefix + "-bridge",
                        requests, 0) == inputs.size());

                // Nothing more arrives: no record ends twice.
                created = KafkaTestClient.readAll(brokers, prefix + ".created", Duration.ofSeconds(1));
                dead = KafkaTestClient.readAll(brokers, prefix + ".dlq", Duration.ZERO);
                assertOneOutcomePerRecord(inputs, created, dead);

                Map<Integer, ConsumerRecord<byte[], byte[]>> deadByOffset = dead.stream().collect(Collectors.toMap(
                        d -> Integer.parseInt(KafkaTestClient.header(d, "bridge.original.offset")), d -> d));
                for (int offset = 0; offset < inputs.size(); offset++) {
                    ConsumerRecord<byte[], byte[]> letter = deadByOffset.get(offset);
                    if (letter != null) {
                        assertSafeDeadLetter(inputs.get(offset), letter);
                    }
                }
                assertThat(reason(deadByOffset.get(0))).isEqualTo("INVALID_EVENT");
                assertThat(message(deadByOffset.get(0))).contains("record key").contains("maximum is 256");
                assertThat(reason(deadByOffset.get(2))).isEqualTo("INVALID_EVENT");
                assertThat(message(deadByOffset.get(2))).contains("eventId").contains("maximum is 256");
                assertThat(reason(deadByOffset.get(4))).isEqualTo("INVALID_EVENT");
                ConsumerRecord<byte[], byte[]> trimmed = deadByOffset.get(6);
                assertThat(KafkaTestClient.header(trimmed, "bridge.error.omitted")).contains("value");
                assertThat(trimmed.value()).isEmpty();
                assertThat(reason(deadByOffset.get(11))).isEqualTo("INVALID_EVENT");
                assertThat(message(deadByOffset.get(11))).contains("control character");
                assertThat(reason(deadByOffset.get(13))).isEqualTo("INVALID_EVENT");
                assertThat(message(deadByOffset.get(13))).contains("not UTF-8");
                assertThat(message(deadByOffset.get(15))).contains("not a readable created record");
                assertThat(KafkaTestClient.header(deadByOffset.get(15), "bridge.error.attempts"))
                        .as("a try that failed before the POST counts, and is not retried").isEqualTo("1");
                assertThat(KafkaTestClient.header(deadByOffset.get(0), "bridge.error.attempts")).isEqualTo("0");
                assertThat(KafkaTestClient.header(deadByOffset.get(17), "bridge.contact-list-id"))
                        .as("the list exists: its id travels on the dead letter").isEqualTo("cl-not-stored");
                assertThat(reason(deadByOffset.get(19))).as("a 400 is not a rate limit, whatever its text")
                        .isEqualTo("REJECTED");

                // Kore.ai: exactly one call per event that may call it, none for the others.
                Map<String, Integer> expectedCalls = new HashMap<>();
                for (int i = 1; i <= 10; i++) {
                    expectedCalls.put("Ordinary " + i, 1);
                }
                expectedCalls.put("Twin", 1);
                expectedCalls.put("Store refuses", 1);
                expectedCalls.put(RATE_LIMIT_TEXT, 1);
                for (String name : List.of("Big key", "Big id", "Forged", "Binary key", "Corrupt store")) {
                    expectedCalls.put(name, 0);
                }
                expectedCalls.forEach((name, calls) -> assertThat(kore.findAll(postRequestedFor(
                        urlPathMatching("/campaign/.*")).withRequestBody(matchingJsonPath("$.name", equalTo(name)))))
                        .as("calls for %s", name).hasSize(calls));
                assertThat(kore.findAll(postRequestedFor(urlPathMatching("/campaign/.*"))))
                        .as("no other call").hasSize(expectedCalls.values().stream().mapToInt(i -> i).sum());
            }
        } finally {
            kore.stop();
        }
    }

    private static void assertOneOutcomePerRecord(List<Input> inputs, List<ConsumerRecord<byte[], byte[]>> created,
                                                  List<ConsumerRecord<byte[], byte[]>> dead) {
        List<Integer> deadOffsets = dead.stream()
                .map(d -> Integer.parseInt(KafkaTestClient.header(d, "bridge.original.offset"))).sorted().toList();
        List<Integer> expectedDead = new ArrayList<>();
        Map<String, Long> expectedCreated = new HashMap<>();
        for (int offset = 0; offset < inputs.size(); offset++) {
            Input input = inputs.get(offset);
            if (input.outcome() == Outcome.DEAD_LETTER) {
                expectedDead.add(offset);
            } else {
                expectedCreated.merge(input.eventId(), 1L, Long::sum);
            }
        }
        assertThat(deadOffsets).as("dead letters by original offset").isEqualTo(expectedDead);
        Map<String, Long> createdIds = created.stream()
                .collect(Collectors.groupingBy(c -> KafkaTestClient.header(c, "bridge.event-id"),
                        Collectors.counting()));
        assertThat(createdIds).as("created records by event id").isEqualTo(expectedCreated);
        assertThat(created).filteredOn(c -> "crm-twin".equals(KafkaTestClient.header(c, "bridge.event-id")))
                .extracting(c -> KafkaTestClient.text(c.value())).allMatch(v -> v.contains("cl-twin"));
    }

    /** Headers and key of a dead letter stay bounded and can never forge a log line or a header. */
    private static void assertSafeDeadLetter(Input input, ConsumerRecord<byte[], byte[]> letter) {
        String eventId = KafkaTestClient.header(letter, "bridge.event-id");
        assertThat(eventId).as("event id of %s", input.what()).hasSizeLessThanOrEqualTo(256 + 32)
                .doesNotContain("\r").doesNotContain("\n");
        assertThat(message(letter)).as("message of %s", input.what()).hasSizeLessThanOrEqualTo(512)
                .doesNotContain("\n");
        assertThat(letter.serializedKeySize() + letter.serializedValueSize()).isLessThanOrEqualTo(1_048_576);
    }

    private static Input ordinary(int n) {
        String id = "crm-ordinary-" + n;
        return new Input("ordinary " + n, utf8(id), event(id, "Ordinary " + n), Outcome.CREATED, id);
    }

    private static byte[] event(String eventId, String name) {
        String id = eventId == null ? "" : "\"eventId\":\"" + eventId.replace("\r", "\\r").replace("\n", "\\n") + "\",";
        return utf8("{" + id + "\"name\":\"" + name + "\",\"description\":\"hostile input test\"}");
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder created(String id) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"data\":{\"_id\":\"" + id + "\"}}");
    }

    private static byte[] filled(int size, byte b) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, b);
        return bytes;
    }

    private static int count(List<Input> inputs, Outcome outcome) {
        return (int) inputs.stream().filter(i -> i.outcome() == outcome).count();
    }

    private static String reason(ConsumerRecord<byte[], byte[]> letter) {
        return KafkaTestClient.header(letter, "bridge.error.reason");
    }

    private static String message(ConsumerRecord<byte[], byte[]> letter) {
        return Optional.ofNullable(KafkaTestClient.header(letter, "bridge.error.message")).orElse("");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** One producer, in order, all at once: the bridge sees the records together, as a burst. */
    private static void send(String brokers, String topic, List<Input> inputs) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_100_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (Input input : inputs) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, input.key(), input.value())));
            }
            producer.flush();
            for (java.util.concurrent.Future<?> future : sent) {
                future.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void createTopic(String brokers, String name, Map<String, String> configs) throws Exception {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(configs))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
