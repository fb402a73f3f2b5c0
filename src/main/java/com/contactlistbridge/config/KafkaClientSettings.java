package com.contactlistbridge.config;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.contactlistbridge.ops.LogRedaction;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one source of the Kafka address and security settings for every Kafka client the bridge creates: the Kafka
 * component's configuration ({@code camel.component.kafka.*}, from the properties file, {@code -D} system properties
 * or placeholders such as {@code {{env:...}}}), read once camel-main has applied it.
 *
 * <p>The Camel Kafka endpoints of every route take these settings from the component themselves; the bridge's own
 * clients (processed-events store, health check, start-up check, replay) take them from here, so all connect alike.
 * They must not be read earlier: camel-main calls {@link BridgeConfiguration#configure} <em>before</em> it applies
 * {@code camel.component.kafka.*}, and a client configured then connects without security (issue 14). Hence
 * {@link #forClients} refuses to answer until {@link #read()} was called, which the bridge does when the CamelContext
 * initializes and replay after {@code Main.init()}.
 */
public final class KafkaClientSettings {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClientSettings.class);
    private static final String JAAS_FILE_PROPERTY = "java.security.auth.login.config";
    private static final Pattern JAAS_PASSWORD = Pattern.compile("password\\s*=\\s*\"([^\"]*)\"");
    /** A value that is one config provider reference, e.g. {@code ${file:/run/secrets/kafka.properties:password}}. */
    private static final Pattern PROVIDER_REFERENCE = Pattern.compile("\\$\\{[^}]*}");
    /** TLS alerts a broker sends when it does not accept the client's certificate (or got none). */
    private static final Pattern CLIENT_CERTIFICATE_REFUSED = Pattern.compile(
            "Received fatal alert: (bad_certificate|certificate_unknown|unknown_ca|certificate_required"
                    + "|access_denied|certificate_expired|certificate_revoked)");

    private final Supplier<KafkaConfiguration> component;
    private final Supplier<String> defaultBrokers;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    private volatile Map<String, Object> settings;

    /**
     * @param component      the Kafka component's configuration, asked for by {@link #read()} only
     * @param defaultBrokers {@code kafka.brokers}, for a configuration without {@code camel.component.kafka.brokers}
     */
    public KafkaClientSettings(Supplier<KafkaConfiguration> component, Supplier<String> defaultBrokers) {
        this.component = component;
        this.defaultBrokers = defaultBrokers;
    }

    /** The settings of {@code context}'s Kafka component; nothing is read before {@link #read()}. */
    public static KafkaClientSettings of(CamelContext context) {
        return new KafkaClientSettings(() -> context.getComponent("kafka", KafkaComponent.class).getConfiguration(),
                () -> context.getPropertiesComponent().resolveProperty("kafka.brokers").orElse(null));
    }

    /**
     * Takes the settings from the Kafka component: its brokers, and of what it gives its consumers, every connection
     * setting (those an AdminClient accepts: {@code security.protocol}, {@code sasl.*}, {@code ssl.*}, timeouts,
     * {@code additional-properties[...]} among them) plus {@code config.providers*}. Consumer- or producer-only
     * settings stay with the Camel endpoints. Call it once camel-main has configured the component; later calls
     * keep the first reading.
     */
    public synchronized KafkaClientSettings read() {
        if (settings == null) {
            KafkaConfiguration configuration = component.get();
            Map<String, Object> read = new HashMap<>();
            configuration.createConsumerProperties().forEach((key, value) -> {
                String name = key.toString();
                if (value != null && !name.equals(CommonClientConfigs.CLIENT_ID_CONFIG)
                        && (AdminClientConfig.configNames().contains(name) || name.startsWith("config.providers"))) {
                    read.put(name, value);
                }
            });
            String brokers = configuration.getBrokers();
            if (brokers == null || brokers.isBlank()) {
                brokers = defaultBrokers.get();
            }
            if (brokers != null) {
                read.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, brokers.strip());
            }
            registerSecrets(read);
            settings = Map.copyOf(read);
        }
        return this;
    }

    /**
     * The address and security settings for one kind of the bridge's Kafka clients (a fresh copy each time, to add
     * the client's own settings to), logging once per {@code clients} which security protocol they use.
     *
     * @param clients who uses them, for the log line, e.g. "the health check (contact-list-bridge-health)"
     * @throws IllegalStateException if called before {@link #read()}: the Kafka component is not configured yet
     */
    public Properties forClients(String clients) {
        Properties properties = new Properties();
        properties.putAll(settings());
        logUse(clients);
        return properties;
    }

    /** Logs, once per {@code clients}, the security these settings give them (never a secret). */
    public void logUse(String clients) {
        if (logged.add(clients)) {
            LOG.info("Kafka clients of {} use {}", clients, describe());
        }
    }

    /** {@code security.protocol} (PLAINTEXT unless configured). */
    public String securityProtocol() {
        return String.valueOf(settings().getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT"));
    }

    /** The bootstrap servers, for messages. */
    public String bootstrapServers() {
        return String.valueOf(settings().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }

    /**
     * What security the clients use, without secrets: protocol, SASL mechanism and where the credentials come from,
     * trust store and client certificate.
     */
    String describe() {
        Map<String, Object> current = settings();
        String protocol = securityProtocol();
        StringBuilder text = new StringBuilder("security.protocol=").append(protocol);
        if (protocol.startsWith("SASL")) {
            text.append(", sasl.mechanism=").append(current.getOrDefault(SaslConfigs.SASL_MECHANISM, "GSSAPI"))
                    .append(", credentials from ").append(credentialsSource(current));
        }
        if (protocol.endsWith("SSL")) {
            Object truststore = current.get(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG);
            text.append(", trust store ").append(truststore != null ? truststore : "of the JVM");
            Object keystore = current.get(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);
            if (keystore != null) {
                text.append(", client certificate from ").append(keystore);
            }
        }
        return text.append(", bootstrap.servers=").append(bootstrapServers()).toString();
    }

    private static String credentialsSource(Map<String, Object> current) {
        Object jaas = current.get(SaslConfigs.SASL_JAAS_CONFIG);
        if (jaas != null) {
            String value = jaas.toString().strip();
            // A config provider reference names a file, never the secret itself.
            return PROVIDER_REFERENCE.matcher(value).matches() ? "sasl.jaas.config " + value : "sasl.jaas.config";
        }
        String jaasFile = System.getProperty(JAAS_FILE_PROPERTY);
        if (jaasFile != null) {
            return "the JAAS file " + jaasFile;
        }
        return "nowhere (neither camel.component.kafka.sasl-jaas-config nor -D" + JAAS_FILE_PROPERTY + " is set)";
    }

    /**
     * Explains a Kafka failure that the security settings caused (credentials refused, TLS handshake failed), naming
     * the settings to fix; empty for any other failure. Secrets of {@code clientConfig} never appear in the text.
     *
     * @param clientConfig the configuration of the client that failed (for its protocol and mechanism)
     */
    public static Optional<String> securityProblem(Throwable failure, Map<?, ?> clientConfig) {
        String protocol = value(clientConfig, CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
        String servers = String.valueOf(clientConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SaslAuthenticationException) {
                String refused = "Kafka at " + servers + " refused the SASL credentials (security.protocol=" + protocol
                        + ", sasl.mechanism=" + value(clientConfig, SaslConfigs.SASL_MECHANISM, "GSSAPI") + "): "
                        + t.getMessage() + ". ";
                String jaasFile = System.getProperty(JAAS_FILE_PROPERTY);
                if (clientConfig.get(SaslConfigs.SASL_JAAS_CONFIG) == null && jaasFile != null) {
                    return Optional.of(mask("-D" + JAAS_FILE_PROPERTY + "=" + jaasFile + ": " + refused + "Check the "
                            + "user name and password in its KafkaClient section and "
                            + "camel.component.kafka.sasl-mechanism", clientConfig));
                }
                return Optional.of(mask("camel.component.kafka.sasl-jaas-config: " + refused + "Check the user name "
                        + "and password there (or in the KafkaClient section of the JAAS file given with -D"
                        + JAAS_FILE_PROPERTY + ") and camel.component.kafka.sasl-mechanism", clientConfig));
            }
            if (t instanceof SslAuthenticationException) {
                return Optional.of(mask(tlsProblem(rootMessage(t), servers, protocol), clientConfig));
            }
            if (t instanceof AuthenticationException) {
                return Optional.of(mask("camel.component.kafka.security-protocol: Kafka at " + servers
                        + " refused the bridge's authentication (security.protocol=" + protocol + "): "
                        + rootMessage(t) + ". Check the camel.component.kafka.sasl-* and ssl-* settings",
                        clientConfig));
            }
        }
        return Optional.empty();
    }

    /** Which side refused the TLS handshake decides which setting to name first. */
    private static String tlsProblem(String reason, String servers, String protocol) {
        String failed = "the TLS handshake with Kafka at " + servers + " failed (security.protocol=" + protocol + "): "
                + reason + ". ";
        if (CLIENT_CERTIFICATE_REFUSED.matcher(reason).find()) {
            return "camel.component.kafka.ssl-keystore-location: " + failed + "The brokers refused the bridge's "
                    + "client certificate: it must be signed by a CA they trust (check the key store and "
                    + "camel.component.kafka.ssl-keystore-password / ssl-key-password)";
        }
        if (reason.contains("subject alternative")) {
            return "camel.component.kafka.ssl-endpoint-algorithm: " + failed + "The brokers' certificate does not name "
                    + "the host in kafka.brokers: connect with a name it holds";
        }
        return "camel.component.kafka.ssl-truststore-location: " + failed + "Check that the trust store holds the CA "
                + "of the brokers' certificates (empty: the JVM's default CAs), and that kafka.brokers names their TLS "
                + "listener";
    }

    private static String value(Map<?, ?> config, String key, String fallback) {
        Object value = config.get(key);
        return value != null ? value.toString() : fallback;
    }

    /** The message of the deepest cause: Kafka wraps the useful one (e.g. the TLS alert). */
    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    /** Masks every password and JAAS configuration of {@code clientConfig}, and what the log redaction knows. */
    static String mask(String text, Map<?, ?> clientConfig) {
        String masked = text;
        for (String secret : secrets(clientConfig)) {
            masked = masked.replace(secret, "***");
        }
        return LogRedaction.redact(masked);
    }

    private static Set<String> secrets(Map<?, ?> clientConfig) {
        Set<String> secrets = new LinkedHashSet<>();
        clientConfig.forEach((key, value) -> {
            String name = String.valueOf(key);
            if (value == null || !(name.contains("password") || name.equals(SaslConfigs.SASL_JAAS_CONFIG)
                    || name.equals(SslConfigs.SSL_KEYSTORE_KEY_CONFIG))) {
                return;
            }
            String text = value.toString();
            if (name.equals(SaslConfigs.SASL_JAAS_CONFIG)) {
                Matcher password = JAAS_PASSWORD.matcher(text);
                while (password.find()) {
                    if (!password.group(1).isEmpty()) {
                        secrets.add(password.group(1));
                    }
                }
            }
            if (!text.isBlank() && !PROVIDER_REFERENCE.matcher(text.strip()).matches()) {
                secrets.add(text);
            }
        });
        return secrets;
    }

    /** From now on no log line shows a Kafka password, whichever library writes it. */
    private static void registerSecrets(Map<String, Object> settings) {
        secrets(settings).forEach(LogRedaction::register);
    }

    private Map<String, Object> settings() {
        Map<String, Object> current = settings;
        if (current == null) {
            throw new IllegalStateException("the Kafka client settings were asked for before camel-main configured "
                    + "the Kafka component (camel.component.kafka.*): a client created now would connect without "
                    + "its security settings");
        }
        return current;
    }
}
