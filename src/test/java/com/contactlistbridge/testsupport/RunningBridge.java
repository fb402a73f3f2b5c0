package com.contactlistbridge.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;

import com.contactlistbridge.Application;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/** The production bridge (same Main, config/ and routes/) started in-process with test overrides. */
public final class RunningBridge implements AutoCloseable {

    /** A client secret for tests: long enough for HS256, obviously not real. */
    public static final String TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    private final Main main;

    private RunningBridge(Main main) {
        this.main = main;
    }

    /** Settings every test needs: Kore.ai identity, fast retries, short Kafka poll. Callers add brokers, topics, URL. */
    public static Map<String, String> baseSettings(String brokers, String koreBaseUrl, String topicPrefix) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.brokers", brokers);
        settings.put("kore.base-url", koreBaseUrl);
        // The stubs answer on plain http:// on loopback; production refuses that (kore.allow-plain-http).
        settings.put("kore.allow-plain-http", "true");
        settings.put("kore.stream-id", "st-test-stream");
        settings.put("kore.account-id", "acc-test");
        settings.put("kore.iid", "st-test-app");
        settings.put("kore.client-id", "cs-test-client");
        settings.put("kore.client-secret", TEST_SECRET);
        settings.put("bridge.topic.requests", topicPrefix + ".create");
        settings.put("bridge.topic.created", topicPrefix + ".created");
        settings.put("bridge.topic.dead-letter", topicPrefix + ".dlq");
        settings.put("bridge.consumer-group", topicPrefix + "-bridge");
        settings.put("bridge.topic.processed", topicPrefix + ".processed");
        settings.put("bridge.retry.initial-delay-ms", "50");
        settings.put("bridge.retry.max-delay-ms", "200");
        settings.put("kore.http.response-timeout-ms", "2000");
        settings.put("camel.main.shutdown-timeout", "10");
        // Tests make many calls quickly; the rate limiter has its own test.
        settings.put("kore.rate-limit.requests-per-minute", "0");
        // Most tests check single records: dead-letter at once when retries run out (the outage test turns it on).
        settings.put("bridge.outage.max-pauses", "0");
        settings.put("camel.management.port", String.valueOf(freePort()));
        return settings;
    }

    /** A free TCP port on loopback for the management server (health and metrics). */
    public static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The base URL of this bridge's management server, e.g. for /observe/health. */
    public String managementUrl() {
        return "http://127.0.0.1:" + context().getPropertiesComponent().resolveProperty("camel.management.port")
                .orElseThrow();
    }

    public static RunningBridge start(Map<String, String> overrides) throws Exception {
        return start(overrides, null);
    }

    /**
     * Starts the bridge with its properties read from {@code propertiesLocations} instead of config/ (as
     * {@code CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION} would), e.g. {@code file:kafka.properties,file:config/...};
     * a failed start leaves nothing running.
     */
    public static RunningBridge start(Map<String, String> overrides, String propertiesLocations) throws Exception {
        Main main = Application.newMain();
        if (propertiesLocations != null) {
            main.setPropertyPlaceholderLocations(propertiesLocations);
        }
        overrides.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception e) {
            main.shutdown();
            throw e;
        }
        return new RunningBridge(main);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    @Override
    public void close() throws Exception {
        main.stop();
        main.shutdown();
    }
}
