package com.contactlistbridge.securedkafka;

import com.contactlistbridge.replay.ReplayCommand;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.contactlistbridge.config.InvalidSettingsException;
import com.contactlistbridge.testsupport.BridgeProcess;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.contactlistbridge.testsupport.SecuredKafkaBroker;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The flow every secured-Kafka test runs against the bridge: three events (created, INVALID_EVENT, and UNAVAILABLE
 * while Kore.ai answers 503), then Kore.ai recovers and replay re-publishes the UNAVAILABLE dead letter, which the
 * bridge then creates. The test's own clients use the broker's plain listener, so only the bridge's clients go through the
 * secured one.
 */
final class SecuredFlow implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final String CREATED_BODY = "{\"status\":\"success\",\"data\":{\"_id\":\"cl-secured\","
            + "\"name\":\"n\",\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}";

    final String prefix;
    final String requests;
    final String created;
    final String deadLetter;
    private final SecuredKafkaBroker kafka;
    private final WireMockServer kore = new WireMockServer(options().dynamicPort());
    private final StubMapping koreDown;

    SecuredFlow(SecuredKafkaBroker kafka, String name) {
        this.kafka = kafka;
        this.prefix = "secured-" + name + "-" + PREFIXES.incrementAndGet();
        this.requests = prefix + ".create";
        this.created = prefix + ".created";
        this.deadLetter = prefix + ".dlq";
        // The processed-events topic is left to the bridge: its admin client creates it on the secured listener.
        kafka.createTopics(1, requests, created, deadLetter);
        kore.start();
        kore.stubFor(post(urlPathMatching("/campaign/.*")).atPriority(10).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(CREATED_BODY)));
        koreDown = kore.stubFor(post(urlPathMatching("/campaign/.*")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.name", equalTo("Kore down")))
                .willReturn(aResponse().withStatus(503)));
    }

    String koreBaseUrl() {
        return kore.baseUrl();
    }

    /** The environment variables of a bridge (or replay) on these topics and this Kore.ai stub. */
    Map<String, String> environment(String brokers) {
        Map<String, String> env = new LinkedHashMap<>(
                BridgeProcess.baseEnvironment(brokers, kore.baseUrl(), prefix));
        // One attempt: the UNAVAILABLE dead letter comes at once (retries have their own tests).
        env.put("BRIDGE_RETRY_MAX_ATTEMPTS", "1");
        return env;
    }

    /** The same for a bridge in this JVM, as property names. */
    Map<String, String> settings(String brokers) {
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), prefix);
        settings.put("bridge.retry.max-attempts", "1");
        return settings;
    }

    /** Sends the three events and waits for their outcomes: one created record, two dead letters. */
    void runEvents() {
        String plain = kafka.plainBootstrapServers();
        KafkaTestClient.send(plain, requests, "crm-ok", "{\"eventId\":\"crm-ok\",\"name\":\"Renewals\","
                + "\"description\":\"secured Kafka\"}");
        KafkaTestClient.send(plain, requests, "crm-bad", "{\"eventId\":\"crm-bad\",\"name\":true}");
        KafkaTestClient.send(plain, requests, "crm-down", "{\"eventId\":\"crm-down\",\"name\":\"Kore down\","
                + "\"description\":\"Kore.ai answers 503\"}");

        List<ConsumerRecord<byte[], byte[]>> createdRecords = KafkaTestClient.awaitRecords(plain, created, 1, WAIT);
        assertThat(createdRecords).extracting(record -> KafkaTestClient.text(record.key())).containsExactly("crm-ok");
        assertThat(KafkaTestClient.text(createdRecords.get(0).value())).contains("\"contactListId\":\"cl-secured\"");

        Map<String, String> reasons = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : KafkaTestClient.awaitRecords(plain, deadLetter, 2, WAIT)) {
            reasons.put(KafkaTestClient.header(record, "bridge.event-id"),
                    KafkaTestClient.header(record, "bridge.error.reason"));
        }
        assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of("crm-bad", "INVALID_EVENT",
                "crm-down", "UNAVAILABLE"));
    }

    /** Kore.ai answers again: the UNAVAILABLE event can be replayed. */
    void koreRecovers() {
        kore.removeStub(koreDown);
    }

    /**
     * Runs replay in this JVM with {@code env} (its settings as environment variables): it must re-publish the
     * UNAVAILABLE dead letter, and the bridge then creates that event's list.
     */
    void replayInProcessAndAwaitCreated(Map<String, String> env) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new ReplayCommand(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of());
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("REPLAYED").contains("eventId=crm-down");
        awaitReplayedEventCreated();
    }

    /** Waits until the replayed event has its created record too. */
    void awaitReplayedEventCreated() {
        List<ConsumerRecord<byte[], byte[]>> createdRecords = KafkaTestClient.awaitRecords(
                kafka.plainBootstrapServers(), created, 2, WAIT);
        assertThat(createdRecords).extracting(record -> KafkaTestClient.text(record.key()))
                .containsExactly("crm-ok", "crm-down");
    }

    /** No outcome record (value or header) carries any of these secrets. */
    void assertNoOutcomeHolds(String... secrets) {
        List<String> texts = new ArrayList<>();
        for (String topic : List.of(created, deadLetter)) {
            for (ConsumerRecord<byte[], byte[]> record : KafkaTestClient.readAll(kafka.plainBootstrapServers(), topic,
                    Duration.ZERO)) {
                texts.add(KafkaTestClient.text(record.value()));
                for (Header header : record.headers()) {
                    texts.add(header.key() + "=" + new String(header.value(), StandardCharsets.UTF_8));
                }
            }
        }
        for (String secret : secrets) {
            assertThat(texts).noneMatch(text -> text != null && text.contains(secret));
        }
    }

    /**
     * Starts the bridge in-process with {@code settings} (and {@code propertiesLocations}, may be null), expecting the
     * start to be refused for a Kafka setting: fast (no metadata timeout), with one problem naming the setting.
     *
     * @return that problem
     */
    static String startRefused(Map<String, String> settings, String propertiesLocations) {
        long started = System.nanoTime();
        Throwable failure = catchThrowable(() -> RunningBridge.start(settings, propertiesLocations).close());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        InvalidSettingsException invalid = null;
        for (Throwable t = failure; t != null && invalid == null; t = t.getCause()) {
            if (t instanceof InvalidSettingsException found) {
                invalid = found;
            }
        }
        assertThat(invalid).as("start-up failure naming the setting, got %s", failure).isNotNull();
        assertThat(took).as("refused at once, not after a metadata timeout").isLessThan(Duration.ofSeconds(15));
        assertThat(invalid.problems()).hasSize(1);
        assertThat(invalid.getMessage()).doesNotContain("TimeoutException");
        return invalid.problems().get(0);
    }

    /** GET on the bridge's management server: status and body. */
    static HttpResponse<String> get(String managementUrl, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl + path)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        kore.stop();
    }
}
