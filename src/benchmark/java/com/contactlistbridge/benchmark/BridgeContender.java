package com.contactlistbridge.benchmark;

import java.util.Map;

import com.contactlistbridge.testsupport.RunningBridge;

/**
 * The production bridge started in-process as the tests start it ({@code Application.newMain()}, the project's
 * config/ and routes/, settings as override properties), tuned only where the scenario says so.
 */
final class BridgeContender implements Contender {

    private final Config config;
    private final boolean dedupe;
    private RunningBridge bridge;

    /** @param dedupe the processed-events store (production default on; off shows what the store costs) */
    BridgeContender(Config config, boolean dedupe) {
        this.config = config;
        this.dedupe = dedupe;
    }

    @Override
    public String name() {
        return dedupe ? "bridge" : "bridge-no-dedupe";
    }

    /** The settings the bridge runs with in this scenario (logged in the report). */
    Map<String, String> settings() {
        Topics topics = config.topics();
        Map<String, String> settings = RunningBridge.baseSettings(config.brokers(), config.koreBaseUrl(),
                topics.prefix());
        // baseSettings is tuned for tests (fast retries, short timeouts): back to the production defaults.
        settings.remove("bridge.retry.initial-delay-ms");
        settings.remove("bridge.retry.max-delay-ms");
        settings.remove("kore.http.response-timeout-ms");
        settings.put("bridge.topic.requests", topics.requests());
        settings.put("bridge.topic.created", topics.created());
        settings.put("bridge.topic.dead-letter", topics.deadLetter());
        settings.put("bridge.topic.processed", topics.processed());
        settings.put("bridge.consumer-group", topics.group());
        settings.put("kore.rate-limit.requests-per-minute", String.valueOf(config.requestsPerMinute()));
        settings.put("bridge.max-in-flight", String.valueOf(config.inFlight()));
        if (config.maxPollRecords() != null) {
            settings.put("camel.component.kafka.max-poll-records", String.valueOf(config.maxPollRecords()));
        }
        settings.put("bridge.outage.max-pauses", "0");
        settings.put("bridge.dedupe.enabled", String.valueOf(dedupe));
        return settings;
    }

    @Override
    public void start() throws Exception {
        bridge = RunningBridge.start(settings());
    }

    @Override
    public void close() throws Exception {
        if (bridge != null) {
            bridge.close();
            bridge = null;
        }
    }
}
