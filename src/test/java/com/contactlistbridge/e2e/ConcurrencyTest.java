package com.contactlistbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bridge.max-in-flight}: events of one partition run concurrently, never more than the setting, and offsets
 * are still committed in order, only up to the oldest event without an outcome.
 *
 * <p>The Kore.ai stub holds every call until the test releases it (per list name), and counts the calls it is holding.
 */
class ConcurrencyTest {

    private static final Duration WAIT = Duration.ofSeconds(45);

    private final HeldKore kore = new HeldKore();
    private final String brokers = KafkaTestBroker.get().bootstrapServers();
    private RunningBridge bridge;

    @BeforeEach
    void startStub() throws IOException {
        kore.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        kore.releaseAll();
        if (bridge != null) {
            bridge.close();
        }
        kore.stop();
    }

    private Map<String, String> settings(String prefix, int maxInFlight) {
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        settings.put("bridge.max-in-flight", String.valueOf(maxInFlight));
        settings.put("kore.http.response-timeout-ms", "60000");
        return settings;
    }

    /** Events {@code crm-c<from>} to {@code crm-c<to>} ("List n"), as one record batch: one poll takes them all. */
    private void send(String topic, int from, int to) {
        KafkaTestClient.sendTogether(brokers, topic, events(from, to));
    }

    private static Map<String, String> events(int from, int to) {
        Map<String, String> events = new LinkedHashMap<>();
        for (int i = from; i <= to; i++) {
            events.put("crm-c" + i, "{\"eventId\":\"crm-c" + i + "\",\"name\":\"List " + i
                    + "\",\"description\":\"d\"}");
        }
        return events;
    }

    @Test
    void callsRunConcurrentlyButNeverMoreThanMaxInFlight() throws Exception {
        String prefix = KafkaTestBroker.freshTopics("concurrency-limit");
        // Sent before the bridge starts, in one record batch, so one poll takes them all (a batch waits for its
        // slowest event).
        send(prefix + ".create", 1, 10);
        bridge = RunningBridge.start(settings(prefix, 3));

        await().atMost(WAIT).until(() -> kore.held() == 3);
        assertThat(KafkaTestClient.committedOffset(brokers, prefix + "-bridge", prefix + ".create", 0))
                .as("nothing committed past offset 0 while the first events wait for Kore.ai").isLessThanOrEqualTo(0);
        kore.releaseAll();

        List<ConsumerRecord<byte[], byte[]>> created = KafkaTestClient.awaitRecords(brokers, prefix + ".created", 10,
                WAIT);
        assertThat(created).hasSize(10);
        assertThat(kore.calls()).isEqualTo(10);
        assertThat(kore.maxHeld()).as("concurrent Kore.ai calls").isEqualTo(3);
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                KafkaTestClient.committedOffset(brokers, prefix + "-bridge", prefix + ".create", 0)).isEqualTo(10));
    }

    @Test
    void laterEventsFinishFirstButTheCommitWaitsForTheOldestOne() throws Exception {
        String prefix = KafkaTestBroker.freshTopics("concurrency-order");
        kore.hold("List 1");
        Map<String, String> events = events(1, 8);
        // An invalid event behind the held one: its dead letter is published at once, its offset still waits.
        events.put("crm-c9", "not json");
        KafkaTestClient.sendTogether(brokers, prefix + ".create", events);
        bridge = RunningBridge.start(settings(prefix, 4));

        List<ConsumerRecord<byte[], byte[]>> created = KafkaTestClient.awaitRecords(brokers, prefix + ".created", 7,
                WAIT);
        assertThat(created.stream().map(r -> KafkaTestClient.text(r.key())).collect(Collectors.toSet()))
                .as("every event but the held first one has its outcome")
                .isEqualTo(Set.of("crm-c2", "crm-c3", "crm-c4", "crm-c5", "crm-c6", "crm-c7", "crm-c8"));
        assertThat(KafkaTestClient.awaitRecords(brokers, prefix + ".dlq", 1, WAIT)).hasSize(1);
        assertThat(kore.held()).isEqualTo(1);
        assertThat(KafkaTestClient.committedOffset(brokers, prefix + "-bridge", prefix + ".create", 0))
                .as("offset 0 has no outcome yet: nothing after it may be committed").isLessThanOrEqualTo(0);

        kore.releaseAll();
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                KafkaTestClient.committedOffset(brokers, prefix + "-bridge", prefix + ".create", 0)).isEqualTo(9));
        assertThat(KafkaTestClient.readAll(brokers, prefix + ".created", Duration.ZERO)).hasSize(8);
        assertThat(kore.calls()).isEqualTo(8);
    }

    /**
     * Commits do not wait for the batch to end (README, delivery guarantees: the consumer commits while a batch runs,
     * whenever the oldest unfinished event of a partition moves on, at most every 100 ms). With event 5 of 8 held at
     * Kore.ai, events 1 to 4 and 6 to 8 finish; the committed offset moves to 4, the held event's offset, while the
     * batch still runs, and never past it until the held event has its outcome.
     */
    @Test
    void theCommittedOffsetMovesForwardWhileTheBatchStillRuns() throws Exception {
        String prefix = KafkaTestBroker.freshTopics("concurrency-progress");
        String group = prefix + "-bridge";
        kore.hold("List 5");
        send(prefix + ".create", 1, 8);
        bridge = RunningBridge.start(settings(prefix, 2));

        KafkaTestClient.awaitRecords(brokers, prefix + ".created", 7, WAIT);
        assertThat(kore.held()).as("the batch still runs: event 5 waits for Kore.ai").isEqualTo(1);
        // The contract says 100 ms; the bound leaves room for a busy machine, not for a commit at the batch's end.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                KafkaTestClient.committedOffset(brokers, group, prefix + ".create", 0))
                .as("committed while event 5 (offset 4) is held").isEqualTo(4));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                KafkaTestClient.committedOffset(brokers, group, prefix + ".create", 0))
                .as("never past the held event, although 6 to 8 are done").isEqualTo(4));
        assertThat(kore.held()).isEqualTo(1);

        kore.releaseAll();
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                KafkaTestClient.committedOffset(brokers, group, prefix + ".create", 0)).isEqualTo(8));
        assertThat(KafkaTestClient.readAll(brokers, prefix + ".created", Duration.ZERO)).hasSize(8);
        assertThat(kore.calls()).isEqualTo(8);
    }

    /**
     * A Kore.ai stub that answers Create Contact List when the test lets it: every call waits (or, after
     * {@link #hold(String)}, only calls for the named lists) until {@link #releaseAll()}.
     */
    private static final class HeldKore {

        private final Set<String> heldNames = ConcurrentHashMap.newKeySet();
        private volatile CountDownLatch release = new CountDownLatch(1);
        private volatile boolean holdEverything = true;
        private final AtomicInteger held = new AtomicInteger();
        private final AtomicInteger maxHeld = new AtomicInteger();
        private final AtomicInteger calls = new AtomicInteger();
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private HttpServer server;

        void start() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.setExecutor(threads);
            server.createContext("/", this::handle);
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        /** Hold only calls for this list name (instead of every call). */
        void hold(String name) {
            holdEverything = false;
            heldNames.add(name);
        }

        void releaseAll() {
            release.countDown();
        }

        int held() {
            return held.get();
        }

        int maxHeld() {
            return maxHeld.get();
        }

        int calls() {
            return calls.get();
        }

        void stop() {
            server.stop(0);
            threads.shutdownNow();
        }

        private void handle(HttpExchange exchange) throws IOException {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            calls.incrementAndGet();
            boolean hold = holdEverything || heldNames.stream().anyMatch(n -> body.contains("\"" + n + "\""));
            if (hold) {
                maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    held.decrementAndGet();
                }
            }
            byte[] answer = ("{\"status\":\"success\",\"data\":{\"_id\":\"cl-" + calls.get() + "\",\"name\":\"n\","
                    + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        }
    }
}
