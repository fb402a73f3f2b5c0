package com.contactlistbridge.replay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import com.contactlistbridge.Application;
import com.contactlistbridge.config.BridgeSettings;
import com.contactlistbridge.config.InvalidSettingsException;
import com.contactlistbridge.config.KafkaClientSettings;
import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.DefaultMainShutdownStrategy;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainConstants;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.PropertiesFunction;
import org.apache.camel.spi.PropertiesSource;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The settings replay shares with the bridge (Kafka address, topics, Kafka client and security options), resolved by
 * the bridge's own camel-main configuration machinery without starting anything.
 *
 * @param kafkaBrokers    {@code kafka.brokers}
 * @param flow            the flow whose dead letters are replayed
 * @param requestsKey     the setting naming the requests topic: {@code bridge.topic.requests} for the default flow,
 *                        {@code bridge.<flow>.topic.requests} for another
 * @param requestsTopic   its value: where dead letters are re-published
 * @param deadLetterKey   the setting naming the dead-letter topic ({@code bridge.topic.dead-letter} or
 *                        {@code bridge.<flow>.topic.dead-letter})
 * @param deadLetterTopic its value: where dead letters are read
 * @param dedupeEnabled   {@code bridge.dedupe.enabled}: the bridge answers an event whose list it created before from
 *                        its processed events instead of calling Kore.ai again
 * @param processedTopic  {@code bridge.topic.processed}, where replay looks up which events have their list already
 *                        (null when the bridge keeps no processed events, and for a flow other than the default: its
 *                        calls are kept under other keys, and the bridge skips each call made before)
 * @param consumerConfig  Kafka consumer configuration: the bridge's address and security settings, for a
 *                        group-less, read-only scan of the dead-letter topic
 * @param producerConfig  Kafka producer configuration: the bridge's address and security settings, acks=all,
 *                        idempotent
 */
public record ReplaySettings(
        String kafkaBrokers,
        String flow,
        String requestsKey,
        String requestsTopic,
        String deadLetterKey,
        String deadLetterTopic,
        boolean dedupeEnabled,
        String processedTopic,
        Map<String, Object> consumerConfig,
        Map<String, Object> producerConfig) {

    static final String CLIENT_ID = "contact-list-bridge-replay";

    public ReplaySettings {
        consumerConfig = Collections.unmodifiableMap(new HashMap<>(consumerConfig));
        producerConfig = Collections.unmodifiableMap(new HashMap<>(producerConfig));
    }

    /**
     * Resolves the settings exactly as the bridge would at start-up: {@code config/application.properties} (or the
     * file named by {@code CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION}), each property overridable by its environment
     * variable, placeholders such as {@code {{env:KAFKA_PASSWORD}}} resolved, and the {@code camel.component.kafka.*}
     * security options turned into Kafka client properties by {@link KafkaClientSettings}, as for the bridge's own
     * plain clients. The Kore.ai settings are neither read nor required.
     *
     * @param env the environment variables to apply ({@code System.getenv()} in production); they replace the
     *            process environment for property lookups, so tests can pass their own
     * @throws InvalidSettingsException naming every missing or invalid setting, or why the configuration could not be
     *                                  read
     */
    public static ReplaySettings load(Map<String, String> env) {
        return load(env, ReplayOptions.DEFAULT_FLOW);
    }

    /**
     * {@link #load(Map)} for the dead letters of {@code flow}: the default flow's topics are
     * {@code bridge.topic.requests} and {@code bridge.topic.dead-letter}, another flow's
     * {@code bridge.<flow>.topic.requests} and {@code bridge.<flow>.topic.dead-letter} (README "Add a flow").
     */
    public static ReplaySettings load(Map<String, String> env, String flow) {
        Main main = new Main();
        // The bridge's file, unless moved the way the README documents for the bridge.
        main.setDefaultPropertyPlaceholderLocation(Application.PROPERTIES_LOCATION);
        movedPlaceholderLocation(env).ifPresent(main::setPropertyPlaceholderLocations);
        // Nothing may run: no routes (the YAML flow would consume the requests topic), no management HTTP server
        // (it would take the bridge's port), and no JVM shutdown hook for a Main that is never started. Camel's
        // start-up and shutdown summaries would only clutter the replay report.
        main.configure().setRoutesCollectorEnabled(false);
        main.addOverrideProperty("camel.management.enabled", "false");
        main.addOverrideProperty("camel.main.auto-configuration-log-summary", "false");
        main.addOverrideProperty("camel.main.startup-summary-level", "off");
        if (main.getShutdownStrategy() instanceof DefaultMainShutdownStrategy shutdown) {
            shutdown.disableHangupSupport();
        }
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeInitialize(BaseMainSupport initializing) {
                useEnvironment(initializing.getCamelContext().getPropertiesComponent(), env);
            }
        });
        try {
            // init() builds and configures the CamelContext (properties, component options) but starts nothing.
            main.init();
            return fromContext(main.getCamelContext(), flow);
        } catch (InvalidSettingsException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidSettingsException(List.of("the configuration could not be read: " + rootMessage(e)));
        } finally {
            main.shutdown();
        }
    }

    /** Never print the Kafka client configuration: it may hold SASL passwords and key store secrets. */
    @Override
    public String toString() {
        return "ReplaySettings[kafkaBrokers=" + kafkaBrokers + ", flow=" + flow + ", requestsTopic=" + requestsTopic
                + ", deadLetterTopic=" + deadLetterTopic + ", dedupeEnabled=" + dedupeEnabled + "]";
    }

    private static ReplaySettings fromContext(CamelContext context, String flow) {
        PropertiesComponent properties = context.getPropertiesComponent();
        List<String> problems = new ArrayList<>();
        boolean defaultFlow = ReplayOptions.DEFAULT_FLOW.equals(flow);
        String prefix = defaultFlow ? "bridge." : "bridge." + flow + ".";
        String requestsKey = prefix + "topic.requests";
        String deadLetterKey = prefix + "topic.dead-letter";
        String brokers = required(properties, "kafka.brokers", problems);
        String requests = required(properties, requestsKey, problems);
        String deadLetter = required(properties, deadLetterKey, problems);
        if (!defaultFlow && (requests == null || deadLetter == null)) {
            problems.add("replay --flow " + flow + " reads the flow's topics from " + requestsKey + " and "
                    + deadLetterKey + ", the settings its consume-topic block names (README \"Add a flow\")");
        }
        if (requests != null && requests.equals(deadLetter)) {
            // Replaying a topic into itself would re-read its own output.
            problems.add(deadLetterKey + " (env " + BridgeSettings.envName(deadLetterKey)
                    + ") must differ from " + requestsKey + " (both are '" + requests + "')");
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
        // Anything but an explicit true counts as off: replay then refuses what could create a second list.
        boolean dedupeEnabled = properties.resolveProperty("bridge.dedupe.enabled").map(String::strip)
                .map("true"::equalsIgnoreCase).orElse(false);
        // The one source of address and security settings for every Kafka client; main.init() has configured the
        // Kafka component, so it can be read now.
        Properties client = KafkaClientSettings.of(context).read()
                .forClients("replay (" + CLIENT_ID + ")");
        String processed = dedupeEnabled && defaultFlow ? properties.resolveProperty("bridge.topic.processed")
                .map(String::strip).filter(topic -> !topic.isEmpty()).orElse(null) : null;
        return new ReplaySettings(brokers, flow, requestsKey, requests, deadLetterKey, deadLetter, dedupeEnabled,
                processed, consumerConfig(client), producerConfig(client));
    }

    private static Map<String, Object> consumerConfig(Properties client) {
        Map<String, Object> config = toMap(client);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // A read-only scan: no group to join or disturb, nothing committed, no topic created by looking it up.
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, CLIENT_ID);
        return config;
    }

    private static Map<String, Object> producerConfig(Properties client) {
        Map<String, Object> config = toMap(client);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // A replayed record is reported as REPLAYED only once all in-sync replicas have it, written exactly once.
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, CLIENT_ID);
        return config;
    }

    private static Map<String, Object> toMap(Properties properties) {
        Map<String, Object> map = new HashMap<>();
        properties.forEach((key, value) -> map.put(key.toString(), value));
        return map;
    }

    private static String required(PropertiesComponent properties, String key, List<String> problems) {
        String value = properties.resolveProperty(key).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
        if (value == null) {
            problems.add(key + " (env " + BridgeSettings.envName(key) + ") is missing");
        }
        return value;
    }

    /** camel-main's rule for moving the properties file: a JVM system property first, then the environment. */
    private static Optional<String> movedPlaceholderLocation(Map<String, String> env) {
        String location = System.getProperty(MainConstants.PROPERTY_PLACEHOLDER_LOCATION);
        if (location == null) {
            location = environmentValue(env, MainConstants.PROPERTY_PLACEHOLDER_LOCATION);
        }
        return Optional.ofNullable(location).map(String::strip).filter(l -> !l.isEmpty());
    }

    /**
     * Makes {@code env} the environment of every property lookup, with the precedence the bridge has (environment
     * variable, then JVM system property, then the properties file) and Camel's name rule (upper case, then also
     * {@code .} and {@code -} as {@code _}). Without this, Camel would read the process environment directly.
     */
    private static void useEnvironment(PropertiesComponent properties, Map<String, String> env) {
        if (properties instanceof org.apache.camel.component.properties.PropertiesComponent camel) {
            camel.setEnvironmentVariableMode(
                    org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
            camel.setSystemPropertiesMode(
                    org.apache.camel.component.properties.PropertiesComponent.SYSTEM_PROPERTIES_MODE_NEVER);
        }
        properties.addPropertiesSource(new EnvironmentSource(env));
        properties.addPropertiesFunction(new EnvFunction(env));
    }

    static String environmentValue(Map<String, String> env, String key) {
        String upper = key.toUpperCase(Locale.US);
        String value = env.get(upper);
        return value != null ? value : env.get(upper.replace('-', '_').replace('.', '_'));
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    /** Environment variables, then JVM system properties, ahead of the properties file (which has order 100+). */
    private record EnvironmentSource(Map<String, String> env) implements PropertiesSource, Ordered {
        @Override
        public String getName() {
            return "replay-environment";
        }

        @Override
        public String getProperty(String name) {
            String value = environmentValue(env, name);
            return value != null ? value : System.getProperty(name);
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST;
        }
    }

    /** {@code {{env:NAME}}} and {@code {{env:NAME:default}}}, read from the given environment. */
    private record EnvFunction(Map<String, String> env) implements PropertiesFunction {
        @Override
        public String getName() {
            return "env";
        }

        @Override
        public String apply(String remainder) {
            int colon = remainder.indexOf(':');
            String key = colon < 0 ? remainder : remainder.substring(0, colon);
            String value = environmentValue(env, key);
            return value != null ? value : colon < 0 ? null : remainder.substring(colon + 1);
        }
    }
}
