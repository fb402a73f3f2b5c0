package com.contactlistbridge.resilience;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import com.contactlistbridge.resilience.ResilienceKit.CountingKore;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile input at the limits: a 2 MiB value, binary garbage, 100,000 levels of nesting, odd and very many headers.
 * Each is dead-lettered as INVALID_EVENT with its original bytes, and a valid event sent after it (same single
 * partition, so strictly after) is created: no bad record stops the route.
 *
 * <p>Operator configuration for records over 1 MiB (the only deviation from config/application.properties here):
 * with the shipped settings the bridge CANNOT dead-letter a 2 MiB record. Its producer refuses it
 * ({@code RecordTooLargeException: ... larger than 1048576, which is the value of the max.request.size
 * configuration}: camel-kafka's default {@code maxRequestSize}); the exchange fails, the offset is not committed,
 * and the consumer seeks back to the record again and again, so its partition is blocked for good. A topic that
 * accepts such records needs, on the bridge's side:
 * <ul>
 *   <li>{@code camel.component.kafka.max-request-size} above the largest record value plus its headers (here 4 MiB),
 *       and</li>
 *   <li>the dead-letter topic's {@code max.message.bytes} as large (the broker default, 1 MiB + 12 bytes, would
 *       refuse the dead letter in the same way).</li>
 * </ul>
 */
@Tag("resilience")
class BadInputAtScaleTest {

    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final int FOUR_MIB = 4 * 1024 * 1024;
    private static final String PREFIX = "bad-input-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String REQUESTS = PREFIX + ".create";
    private static final String CREATED = PREFIX + ".created";
    private static final String DEAD_LETTER = PREFIX + ".dlq";
    /** Where a record would go if a header could redirect the bridge's producer (kafka.OVERRIDE_TOPIC). */
    private static final String HIJACK = PREFIX + ".hijack";

    private static String brokers;
    private static CountingKore kore;
    private static RunningBridge bridge;

    @BeforeAll
    static void startBridge() throws Exception {
        brokers = KafkaTestBroker.get().bootstrapServers();
        try (Admin admin = ResilienceKit.admin(brokers)) {
            // One partition: "sent after" means "processed after". Topics that take records of up to 4 MiB.
            ResilienceKit.createTopics(admin, 1, Map.of("max.message.bytes", String.valueOf(FOUR_MIB)), REQUESTS,
                    DEAD_LETTER);
            ResilienceKit.createTopics(admin, 1, Map.of(), CREATED, HIJACK);
        }
        kore = new CountingKore().start();
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), PREFIX);
        // The operator's setting for big records (see the class comment); everything else as shipped.
        settings.put("camel.component.kafka.max-request-size", String.valueOf(FOUR_MIB));
        settings.put("bridge.dead-letter.max-value-bytes", String.valueOf(FOUR_MIB - 64 * 1024));
        settings.put("kore.http.response-timeout-ms", "10000");
        bridge = RunningBridge.start(settings);
    }

    @AfterAll
    static void stopBridge() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        if (kore != null) {
            kore.close();
        }
    }

    @Test
    @Timeout(120)
    void twoMebibyteEventIsDeadLetteredByteForByteAndTheNextEventIsCreated() {
        String id = "big-2mib";
        byte[] value = jsonOfExactSize(id, 2 * 1024 * 1024);
        send(List.of(record(id, value, null)), Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, FOUR_MIB));
        String after = sendValidAfter("after-big");

        ConsumerRecord<byte[], byte[]> dead = awaitDeadLetter(id);
        assertInvalidEvent(dead, id, value);
        assertThat(KafkaTestClient.header(dead, "bridge.error.message"))
                .isEqualTo("record value is 2097152 bytes; the limit is 1048576 bytes (bridge.max-event-bytes)");
        awaitCreated(after);
        assertThat(kore.calls(id)).isZero();
    }

    @Test
    @Timeout(120)
    void binaryGarbageIsDeadLetteredByteForByteAndTheNextEventIsCreated() {
        String id = "garbage-64kib";
        byte[] value = new byte[64 * 1024];
        new Random(42).nextBytes(value);
        value[0] = (byte) 0xC3; // a lead byte followed by a non-continuation byte: certainly not UTF-8
        value[1] = (byte) 0x28;
        send(List.of(record(id, value, null)), Map.of());
        String after = sendValidAfter("after-garbage");

        ConsumerRecord<byte[], byte[]> dead = awaitDeadLetter(id);
        assertInvalidEvent(dead, id, value);
        assertThat(KafkaTestClient.header(dead, "bridge.error.message"))
                .isEqualTo("record value is not valid UTF-8: malformed byte sequence at byte offset 0");
        awaitCreated(after);
    }

    @Test
    @Timeout(120)
    void hundredThousandLevelsOfNestingAreDeadLetteredWithoutExhaustingTheStack() {
        String arraysId = "nested-arrays-100k";
        byte[] arrays = ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.US_ASCII);
        String objectsId = "nested-objects-100k";
        byte[] objects = ("{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000)).getBytes(StandardCharsets.US_ASCII);
        // Nested inside a field of an otherwise valid event: the parser must stop at depth 64 there too.
        String fieldId = "nested-in-field-100k";
        byte[] inField = ("{\"eventId\":\"" + fieldId + "\",\"name\":\"n\",\"description\":\"d\",\"extra\":"
                + "[".repeat(100_000) + "]".repeat(100_000) + "}").getBytes(StandardCharsets.US_ASCII);
        send(List.of(record(arraysId, arrays, null), record(objectsId, objects, null),
                record(fieldId, inField, null)), Map.of());
        String after = sendValidAfter("after-nesting");

        for (Object[] sent : new Object[][] {{arraysId, arrays}, {objectsId, objects}, {fieldId, inField}}) {
            ConsumerRecord<byte[], byte[]> dead = awaitDeadLetter((String) sent[0]);
            assertInvalidEvent(dead, (String) sent[0], (byte[]) sent[1]);
            assertThat(KafkaTestClient.header(dead, "bridge.error.message")).as("message for %s", sent[0])
                    .startsWith("record value is not valid JSON").contains("nesting depth");
        }
        awaitCreated(after);
        assertThat(kore.calls("n")).as("no call for the nested event").isZero();
    }

    @Test
    @Timeout(120)
    void oddHeadersTravelWithTheDeadLetterAndCannotForgeItsVerdict() {
        byte[] invalid = "{\"eventId\": 1.5}".getBytes(StandardCharsets.UTF_8);

        // An empty header name, and binary header values (not UTF-8, NUL bytes, empty).
        String binaryId = "headers-binary";
        RecordHeaders binary = new RecordHeaders();
        binary.add("", "empty-name".getBytes(StandardCharsets.UTF_8));
        byte[] allBytes = new byte[256];
        for (int i = 0; i < allBytes.length; i++) {
            allBytes[i] = (byte) i;
        }
        binary.add("x-binary", allBytes);
        binary.add("x-empty-value", new byte[0]);

        // Headers named like the bridge's own: the dead letter carries the bridge's verdict, once, never the forgery.
        String forgedId = "headers-forged";
        RecordHeaders forged = new RecordHeaders();
        forged.add("bridge.error.reason", "REJECTED".getBytes(StandardCharsets.UTF_8));
        forged.add("bridge.error.message", "forged".getBytes(StandardCharsets.UTF_8));
        forged.add("bridge.error.http-status", "400".getBytes(StandardCharsets.UTF_8));
        forged.add("bridge.error.attempts", "99".getBytes(StandardCharsets.UTF_8));
        forged.add("bridge.original.offset", "123456".getBytes(StandardCharsets.UTF_8));
        forged.add("bridge.event-id", "someone-else".getBytes(StandardCharsets.UTF_8));
        forged.add("bridge.contact-list-id", "cl-forged".getBytes(StandardCharsets.UTF_8));

        // Very many headers.
        String manyId = "headers-5000";
        RecordHeaders many = new RecordHeaders();
        for (int i = 0; i < 5000; i++) {
            many.add(String.format("x-h-%04d", i), ("v" + i).getBytes(StandardCharsets.UTF_8));
        }

        // Headers that would steer camel-kafka's producer or camel-http, on an invalid and on a valid event.
        String steerInvalidId = "headers-steer-invalid";
        String steerValidId = "headers-steer-valid";
        RecordHeaders steer = new RecordHeaders();
        steer.add("kafka.OVERRIDE_TOPIC", HIJACK.getBytes(StandardCharsets.UTF_8));
        steer.add("kafka.KEY", "hijacked-key".getBytes(StandardCharsets.UTF_8));
        steer.add("CamelHttpUri", "http://127.0.0.1:9/evil".getBytes(StandardCharsets.UTF_8));
        steer.add("CamelHttpPath", "/evil".getBytes(StandardCharsets.UTF_8));
        steer.add("CamelHttpMethod", "GET".getBytes(StandardCharsets.UTF_8));
        steer.add("CamelHttpQuery", "accountId=evil".getBytes(StandardCharsets.UTF_8));

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(record(binaryId, invalid, binary));
        records.add(record(forgedId, invalid, forged));
        records.add(record(manyId, invalid, many));
        records.add(record(steerInvalidId, invalid, steer));
        records.add(record(steerValidId, validEvent(steerValidId), steer));
        send(records, Map.of());
        String after = sendValidAfter("after-headers");

        ConsumerRecord<byte[], byte[]> deadBinary = awaitDeadLetter(binaryId);
        assertInvalidEvent(deadBinary, binaryId, invalid);
        assertThat(lastValue(deadBinary, "")).isEqualTo("empty-name".getBytes(StandardCharsets.UTF_8));
        assertThat(lastValue(deadBinary, "x-binary")).isEqualTo(allBytes);
        assertThat(lastValue(deadBinary, "x-empty-value")).isEmpty();

        ConsumerRecord<byte[], byte[]> deadForged = awaitDeadLetter(forgedId);
        assertInvalidEvent(deadForged, forgedId, invalid);
        for (String name : List.of("bridge.error.reason", "bridge.error.message", "bridge.error.attempts",
                "bridge.original.offset", "bridge.event-id")) {
            assertThat(deadForged.headers().headers(name)).as("headers named %s", name).hasSize(1);
        }
        assertThat(KafkaTestClient.header(deadForged, "bridge.error.message")).contains("eventId");
        assertThat(KafkaTestClient.header(deadForged, "bridge.original.offset")).isNotEqualTo("123456");
        assertThat(deadForged.headers().headers("bridge.error.http-status")).as("no answer, so no status").isEmpty();
        assertThat(deadForged.headers().headers("bridge.contact-list-id")).as("no list was created").isEmpty();

        ConsumerRecord<byte[], byte[]> deadMany = awaitDeadLetter(manyId);
        assertInvalidEvent(deadMany, manyId, invalid);
        for (int i = 0; i < 5000; i++) {
            assertThat(KafkaTestClient.header(deadMany, String.format("x-h-%04d", i))).isEqualTo("v" + i);
        }

        ConsumerRecord<byte[], byte[]> deadSteered = awaitDeadLetter(steerInvalidId);
        assertInvalidEvent(deadSteered, steerInvalidId, invalid);
        ConsumerRecord<byte[], byte[]> createdSteered = awaitCreated(steerValidId);
        assertThat(KafkaTestClient.text(createdSteered.key())).as("created record keyed like the input")
                .isEqualTo(steerValidId);
        assertThat(kore.calls(steerValidId)).as("one POST on the configured Kore.ai URL").isEqualTo(1);
        awaitCreated(after);
        assertThat(KafkaTestClient.readAll(brokers, HIJACK, Duration.ZERO)).as("nothing redirected by a header")
                .isEmpty();
    }

    // ------------------------------------------------------------------------------------------------------------

    private static void assertInvalidEvent(ConsumerRecord<byte[], byte[]> dead, String id, byte[] original) {
        assertThat(KafkaTestClient.header(dead, "bridge.error.reason")).as("reason for %s", id)
                .isEqualTo("INVALID_EVENT");
        assertThat(KafkaTestClient.header(dead, "bridge.error.attempts")).as("attempts for %s", id).isEqualTo("0");
        assertThat(KafkaTestClient.header(dead, "bridge.original.topic")).isEqualTo(REQUESTS);
        assertThat(KafkaTestClient.text(dead.key())).as("original key").isEqualTo(id);
        // Arrays.equals rather than isEqualTo: a failure message must not print two megabytes.
        assertThat(Arrays.equals(dead.value(), original)).as("dead letter of %s holds the original %d bytes (has %s)",
                id, original.length, dead.value() == null ? "null" : dead.value().length + " bytes").isTrue();
    }

    /** A valid event after the bad ones; returns its id. */
    private static String sendValidAfter(String idPrefix) {
        String id = idPrefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        send(List.of(record(id, validEvent(id), null)), Map.of());
        return id;
    }

    private static byte[] validEvent(String id) {
        return ("{\"eventId\":\"" + id + "\",\"name\":\"" + id + "\",\"description\":\"after bad input\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON object of exactly {@code size} bytes, valid except for its size. */
    private static byte[] jsonOfExactSize(String id, int size) {
        String head = "{\"eventId\":\"" + id + "\",\"name\":\"Big\",\"description\":\"";
        String tail = "\"}";
        return (head + "x".repeat(size - head.length() - tail.length()) + tail).getBytes(StandardCharsets.US_ASCII);
    }

    private static ProducerRecord<byte[], byte[]> record(String key, byte[] value, RecordHeaders headers) {
        return new ProducerRecord<>(REQUESTS, null, key.getBytes(StandardCharsets.UTF_8), value,
                headers == null ? new RecordHeaders() : headers);
    }

    private static void send(List<ProducerRecord<byte[], byte[]>> records, Map<String, Object> producerSettings) {
        ResilienceKit.produce(brokers, records, producerSettings);
    }

    private static ConsumerRecord<byte[], byte[]> awaitDeadLetter(String eventId) {
        return awaitOutcome(DEAD_LETTER, eventId);
    }

    private static ConsumerRecord<byte[], byte[]> awaitCreated(String eventId) {
        return awaitOutcome(CREATED, eventId);
    }

    private static ConsumerRecord<byte[], byte[]> awaitOutcome(String topic, String eventId) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                KafkaTestClient.readAll(brokers, topic, Duration.ZERO).stream()
                        .filter(r -> eventId.equals(KafkaTestClient.header(r, "bridge.event-id")))
                        .findFirst().ifPresent(found::add);
                return !found.isEmpty();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("No record for event " + eventId + " on " + topic + " within " + WAIT
                    + "; committed offset of the requests partition: "
                    + KafkaTestClient.committedOffset(brokers, PREFIX + "-bridge", REQUESTS, 0), e);
        }
        return found.get(0);
    }

    private static byte[] lastValue(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as("header '%s'", name).isNotNull();
        return header.value();
    }
}
