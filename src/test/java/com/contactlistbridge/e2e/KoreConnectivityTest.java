package com.contactlistbridge.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the bridge reaches Kore.ai in locked-down networks: TLS with a private trust store, an outbound HTTP proxy,
 * and the per-account request budget spread evenly over time.
 */
class KoreConnectivityTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OK_BODY = "{\"status\":\"success\",\"data\":{\"_id\":\"cl-net\",\"name\":\"n\","
            + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}";

    @TempDir
    Path temp;

    private WireMockServer kore;
    private RunningBridge bridge;

    @AfterEach
    void stopAll() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        if (kore != null) {
            kore.stop();
        }
    }

    @Test
    void httpsWithAPrivateCaWorksOnlyWithTheConfiguredTrustStore() throws Exception {
        Path keystore = temp.resolve("kore-tls.p12");
        Path truststore = temp.resolve("kore-trust.p12");
        keytool("-genkeypair", "-alias", "kore", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        Path cert = temp.resolve("kore.cer");
        keytool("-exportcert", "-alias", "kore", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "kore", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", "trustpass");
        kore = new WireMockServer(options().httpDisabled(true).dynamicHttpsPort()
                .keystorePath(keystore.toString()).keystorePassword("changeit").keyManagerPassword("changeit")
                .keystoreType("PKCS12"));
        kore.start();
        kore.stubFor(post(urlPathMatching("/campaign/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(OK_BODY)));
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String baseUrl = "https://localhost:" + kore.httpsPort();

        // Without the trust store the private CA is unknown: a TLS failure, retried, then UNAVAILABLE.
        String untrustedPrefix = KafkaTestBroker.freshTopics("net-untrusted");
        Map<String, String> untrusted = RunningBridge.baseSettings(brokers, baseUrl, untrustedPrefix);
        untrusted.put("bridge.retry.max-attempts", "2");
        bridge = RunningBridge.start(untrusted);
        send(untrustedPrefix, "crm-tls-0");
        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClient.awaitRecords(brokers, untrustedPrefix + ".dlq", 1,
                WAIT);
        assertThat(KafkaTestClient.header(dead.get(0), "bridge.error.reason")).isEqualTo("UNAVAILABLE");
        assertThat(KafkaTestClient.header(dead.get(0), "bridge.error.message")).containsIgnoringCase("SSL");
        bridge.close();
        bridge = null;

        String tlsPrefix = KafkaTestBroker.freshTopics("net-tls");
        Map<String, String> trusted = RunningBridge.baseSettings(brokers, baseUrl, tlsPrefix);
        trusted.put("kore.http.truststore-location", truststore.toString());
        trusted.put("kore.http.truststore-password", "trustpass");
        bridge = RunningBridge.start(trusted);
        send(tlsPrefix, "crm-tls-1");
        List<ConsumerRecord<byte[], byte[]>> created = KafkaTestClient.awaitRecords(brokers, tlsPrefix + ".created", 1,
                WAIT);
        assertThat(new String(created.get(0).value(), StandardCharsets.UTF_8)).contains("cl-net");
    }

    @Test
    void callsGoThroughTheConfiguredProxy() throws Exception {
        // WireMock as a forward proxy that answers proxied requests from its stubs: the target host does not even
        // resolve, so only a request sent through the proxy can succeed.
        kore = new WireMockServer(options().dynamicPort().enableBrowserProxying(true));
        kore.start();
        kore.stubFor(post(urlPathMatching("/campaign/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(OK_BODY)));
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String proxyPrefix = KafkaTestBroker.freshTopics("net-proxy");
        Map<String, String> settings = RunningBridge.baseSettings(brokers, "http://kore.example.invalid",
                proxyPrefix);
        settings.put("kore.http.proxy", "127.0.0.1:" + kore.port());
        bridge = RunningBridge.start(settings);

        send(proxyPrefix, "crm-proxy-1");

        KafkaTestClient.awaitRecords(brokers, proxyPrefix + ".created", 1, WAIT);
        List<LoggedRequest> calls = kore.findAll(postRequestedFor(urlPathMatching("/campaign/.*")));
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).getHost()).isEqualTo("kore.example.invalid");
    }

    @Test
    void requestBudgetSpreadsCallsEvenlyAndInvalidEventsSpendNone() throws Exception {
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
        kore.stubFor(post(urlPathMatching("/campaign/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(OK_BODY)));
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String budgetPrefix = KafkaTestBroker.freshTopics("net-budget");
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), budgetPrefix);
        settings.put("kore.rate-limit.requests-per-minute", "200"); // one call every 300 ms
        bridge = RunningBridge.start(settings);

        for (int i = 0; i < 5; i++) {
            send(budgetPrefix, "crm-budget-" + i);
            KafkaTestClient.send(brokers, budgetPrefix + ".create", "bad-" + i, "not json " + i);
        }
        KafkaTestClient.awaitRecords(brokers, budgetPrefix + ".created", 5, WAIT);
        KafkaTestClient.awaitRecords(brokers, budgetPrefix + ".dlq", 5, WAIT);

        List<LoggedRequest> calls = new java.util.ArrayList<>(kore.findAll(postRequestedFor(urlPathMatching(".*"))));
        calls.sort(java.util.Comparator.comparing(LoggedRequest::getLoggedDate));
        assertThat(calls).hasSize(5);
        // Slots are 300 ms apart; arrival times jitter by the HTTP call's own latency (the first call is the slowest,
        // still warming up), so check the spread over all calls and that no two calls come as a burst.
        long span = calls.get(4).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        assertThat(span).as("4 slots of 300 ms").isGreaterThanOrEqualTo(1_080);
        for (int i = 1; i < calls.size(); i++) {
            long gap = calls.get(i).getLoggedDate().getTime() - calls.get(i - 1).getLoggedDate().getTime();
            assertThat(gap).as("gap before call %d", i).isGreaterThanOrEqualTo(150);
        }
    }

    @Test
    void aRateLimitRefusalHoldsBackEveryCallAndIsNotAFailedAttempt() throws Exception {
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
        // The first call is refused for the rate limit; every later call succeeds.
        kore.stubFor(post(urlPathMatching("/campaign/.*")).inScenario("limit").whenScenarioStateIs(STARTED)
                .willSetStateTo("open").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"errors\":[{\"msg\":\"You have exceeded the per-minute rate limit\"}]}")));
        kore.stubFor(post(urlPathMatching("/campaign/.*")).inScenario("limit").whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(OK_BODY)));
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String limitPrefix = KafkaTestBroker.freshTopics("net-429");
        for (int i = 0; i < 3; i++) {
            send(limitPrefix, "crm-429-" + i);
        }
        Map<String, String> settings = RunningBridge.baseSettings(brokers, kore.baseUrl(), limitPrefix);
        // One call every 500 ms: the second event's slot comes 500 ms after the refused call, so the bridge has
        // learnt of the refusal by then even on a loaded machine (with 100 ms slots, a 429 answered and read in more
        // than 100 ms let the second call go at its slot: a call already under way cannot be held back).
        settings.put("kore.rate-limit.requests-per-minute", "120");
        settings.put("bridge.max-in-flight", "3");
        // A refusal counted as a failed attempt would dead-letter at once.
        settings.put("bridge.retry.max-attempts", "1");
        bridge = RunningBridge.start(settings);

        assertThat(KafkaTestClient.awaitRecords(brokers, limitPrefix + ".created", 3, WAIT)).hasSize(3);
        assertThat(KafkaTestClient.readAll(brokers, limitPrefix + ".dlq", Duration.ZERO)).isEmpty();
        List<LoggedRequest> calls = new java.util.ArrayList<>(kore.findAll(postRequestedFor(urlPathMatching(".*"))));
        calls.sort(java.util.Comparator.comparing(LoggedRequest::getLoggedDate));
        assertThat(calls).as("three creations and the refused call").hasSize(4);
        long refusedAt = calls.get(0).getLoggedDate().getTime();
        for (int i = 1; i < calls.size(); i++) {
            // Retry-After: 1 s. The second event had its budget slot 500 ms later but waits too.
            assertThat(calls.get(i).getLoggedDate().getTime() - refusedAt).as("call %d after the refusal", i)
                    .isGreaterThanOrEqualTo(900);
        }
        String metrics = com.contactlistbridge.testsupport.HttpProbe.body(bridge.managementUrl() + "/observe/metrics");
        assertThat(metrics).contains("bridge_kore_rate_limited_total 1.0");
        assertThat(metrics).contains("bridge_kore_retries_total 0.0");
    }

    private static void send(String prefix, String eventId) {
        KafkaTestClient.send(KafkaTestBroker.get().bootstrapServers(), prefix + ".create", eventId,
                "{\"eventId\":\"" + eventId + "\",\"name\":\"Net list\",\"description\":\"d\"}");
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}
