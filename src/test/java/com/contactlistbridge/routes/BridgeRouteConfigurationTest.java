package com.contactlistbridge.routes;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;

import com.contactlistbridge.config.BridgeSettings;
import com.contactlistbridge.kore.KoreErrorClassifier;
import com.contactlistbridge.kore.KoreRetryPolicy;
import com.contactlistbridge.kore.SecretRedactor;
import com.contactlistbridge.testsupport.RunningBridge;
import org.apache.camel.CamelContext;
import org.apache.camel.Channel;
import org.apache.camel.Navigate;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.processor.errorhandler.RedeliveryErrorHandler;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backoff between Kore.ai attempts as the error handling of {@link BridgeRouteConfiguration} computes it, with the
 * shipped settings (config/application.properties: first backoff 1 s, longest 30 s): it starts at the first backoff,
 * doubles per retry, varies by up to 25 % either way (jitter, so instances do not retry in step) and never exceeds
 * the longest backoff. The delays come from the redelivery policy of a running route, the one Camel asks before
 * each retry.
 */
class BridgeRouteConfigurationTest {

    private static final int SAMPLES = 2000;

    private static CamelContext context;
    private static RedeliveryPolicy policy;
    private static BridgeSettings settings;

    @BeforeAll
    static void startRouteWithTheBridgeErrorHandling() throws Exception {
        Properties shipped = new Properties();
        try (Reader file = Files.newBufferedReader(Path.of("config/application.properties"))) {
            shipped.load(file);
        }
        Map<String, String> values = new HashMap<>();
        shipped.stringPropertyNames().forEach(key -> values.put(key, shipped.getProperty(key).strip()));
        // Only what the file leaves to the environment; every retry setting stays as shipped.
        RunningBridge.baseSettings("127.0.0.1:1", "http://127.0.0.1:1", "backoff").forEach((key, value) -> {
            if (values.getOrDefault(key, "").isEmpty()) {
                values.put(key, value);
            }
        });
        settings = BridgeSettings.load(key -> Optional.ofNullable(values.get(key)));

        context = new DefaultCamelContext();
        context.getRegistry().bind("bridgeSettings", settings);
        context.getRegistry().bind("koreRetryPolicy", new KoreRetryPolicy(new KoreErrorClassifier(
                new SecretRedactor(RunningBridge.TEST_SECRET, 512)), settings.maxAttempts(),
                settings.maxRetryAfterMillis()));
        context.addRoutes(new BridgeRouteConfiguration());
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:flow").routeId("flow") // the bridge's error handling is the default: no id to name
                        .to("mock:kore");
            }
        });
        context.start();
        policy = redeliveryPolicyOf(context.getRoute("flow").navigate());
    }

    @AfterAll
    static void stop() throws Exception {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void theShippedSettingsAreTheOnesTheReadmeNames() {
        assertThat(settings.initialDelayMillis()).isEqualTo(1_000);
        assertThat(settings.maxDelayMillis()).isEqualTo(30_000);
        assertThat(policy.getMaximumRedeliveries()).isEqualTo(settings.maxAttempts());
    }

    @Test
    void theFirstBackoffIsTheInitialDelayWithinTwentyFivePercentAndJittered() {
        List<Long> first = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            first.add(policy.calculateRedeliveryDelay(0, 1));
        }
        assertThat(first).allSatisfy(delay -> assertThat(delay).isBetween(750L, 1_250L));
        // Jitter: spread over the range, not one fixed value.
        assertThat(new TreeSet<>(first)).as("distinct first backoffs").hasSizeGreaterThan(100);
        assertThat(first.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(800);
        assertThat(first.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(1_200);
    }

    @Test
    void eachBackoffDoublesThePreviousWithinTwentyFivePercentUpToTheLongest() {
        int capped = 0;
        for (int sample = 0; sample < SAMPLES / 10; sample++) {
            long previous = 0;
            for (int retry = 1; retry <= 8; retry++) {
                long delay = policy.calculateRedeliveryDelay(previous, retry);
                assertThat(delay).as("backoff %d", retry).isLessThanOrEqualTo(settings.maxDelayMillis());
                if (previous > 0 && delay < settings.maxDelayMillis()) {
                    assertThat((double) delay / previous).as("backoff %d against the one before", retry)
                            .isBetween(1.5, 2.5);
                }
                if (delay == settings.maxDelayMillis()) {
                    capped++;
                }
                previous = delay;
            }
        }
        // 1 s doubled: by the sixth retry (about 32 s) the longest backoff is reached.
        assertThat(capped).as("backoffs held at the longest").isGreaterThan(SAMPLES / 10);
    }

    /** The redelivery policy of the error handler that wraps the route's steps. */
    private static RedeliveryPolicy redeliveryPolicyOf(Navigate<Processor> node) {
        if (node == null || !node.hasNext()) {
            return null;
        }
        for (Processor child : node.next()) {
            if (child instanceof Channel channel && channel.getErrorHandler() instanceof RedeliveryErrorHandler handler) {
                return handler.getRedeliveryPolicy();
            }
            if (child instanceof Navigate<?> nested) {
                @SuppressWarnings("unchecked")
                RedeliveryPolicy found = redeliveryPolicyOf((Navigate<Processor>) nested);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
