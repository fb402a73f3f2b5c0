package com.contactlistbridge.replay;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Topics, dead-letter records with chosen timestamps and headers, and in-process runs of the replay command. */
final class ReplayTestSupport {

    private static final AtomicInteger TOPIC_SETS = new AtomicInteger();

    private ReplayTestSupport() {
    }

    /** A fresh pair of requests and dead-letter topics on the shared broker, named after the test. */
    record Topics(String requests, String deadLetter) {

        static Topics create(String name, int partitions) {
            String prefix = "replay-" + name + "-" + TOPIC_SETS.incrementAndGet();
            Topics topics = new Topics(prefix + ".create", prefix + ".dlq");
            // The tests write dead letters with timestamps in 2025: without retention.ms=-1 the broker's retention
            // check (every 5 minutes, 7-day retention) may delete them in the middle of a test.
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of("bootstrap.servers", brokers()))) {
                admin.createTopics(java.util.List.of(
                        new org.apache.kafka.clients.admin.NewTopic(topics.requests, partitions, (short) 1)
                                .configs(Map.of("retention.ms", "-1")),
                        new org.apache.kafka.clients.admin.NewTopic(topics.deadLetter, partitions, (short) 1)
                                .configs(Map.of("retention.ms", "-1")))).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("could not create the replay test topics", e);
            }
            KafkaTestBroker.get().createTopics(partitions, topics.requests, topics.deadLetter); // waits for leaders
            return topics;
        }

        /** The environment that points replay at these topics (everything else from config/application.properties). */
        Map<String, String> env() {
            return Map.of("KAFKA_BROKERS", brokers(), "BRIDGE_TOPIC_REQUESTS", requests,
                    "BRIDGE_TOPIC_DEAD_LETTER", deadLetter);
        }
    }

    /** The outcome of one in-process run: exit status and everything printed. */
    record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        /** The report line of the dead letter with this event id (fails if there is none). */
        String lineOf(String eventId) {
            return lines().stream().filter(line -> line.contains(" eventId=" + eventId + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no report line for " + eventId + " in:\n" + out + err));
        }
    }

    static String brokers() {
        return KafkaTestBroker.get().bootstrapServers();
    }

    static Run replay(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = new ReplayCommand(env, outStream, errStream).run(List.of(args));
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The headers the bridge puts on a dead letter, in its order. */
    static Map<String, byte[]> bridgeHeaders(String reason, String eventId) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        headers.put("bridge.error.reason", utf8(reason));
        headers.put("bridge.error.message", utf8("Kore.ai answered HTTP 503"));
        headers.put("bridge.error.http-status", utf8("503"));
        headers.put("bridge.error.attempts", utf8("5"));
        headers.put("bridge.original.topic", utf8("contact-list.create"));
        headers.put("bridge.original.partition", utf8("0"));
        headers.put("bridge.original.offset", utf8("42"));
        headers.put("bridge.event-id", utf8(eventId));
        return headers;
    }

    /** A UTF-8 JSON event value as the CRM would send it. */
    static byte[] event(String eventId) {
        return utf8("{\"eventId\":\"" + eventId + "\",\"name\":\"List " + eventId + "\",\"description\":\"test\"}");
    }

    /**
     * Writes one record to the dead-letter topic with an explicit timestamp and partition, waiting for the broker's
     * acknowledgement.
     */
    static void sendDeadLetter(String topic, int partition, Instant timestamp, String key, byte[] value,
                               Map<String, byte[]> headers) throws Exception {
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach(recordHeaders::add);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, partition, timestamp.toEpochMilli(), utf8(key), value,
                    recordHeaders)).get(30, TimeUnit.SECONDS);
        }
    }

    /** The common case: partition 0, the bridge's headers for {@code reason}, key = event id. */
    static void sendDeadLetter(String topic, Instant timestamp, String eventId, String reason) throws Exception {
        sendDeadLetter(topic, 0, timestamp, eventId, event(eventId), bridgeHeaders(reason, eventId));
    }

    static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
