package com.contactlistbridge.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.contactlistbridge.embedded.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

import static org.awaitility.Awaitility.await;

/**
 * A real in-process Kafka broker whose listener for the bridge is secured: SASL/SCRAM-SHA-512 in plain text or over
 * TLS, or TLS with a client certificate (mutual TLS), with certificates from {@link TestCertificates}.
 *
 * <p>The bridge gets only {@link #securedBootstrapServers()}. The broker keeps a plain listener for itself
 * (inter-broker traffic) and for the test's own producers, consumers and topic set-up
 * ({@link #plainBootstrapServers()}), so that the test tooling never depends on the code under test. The SCRAM user
 * {@value #USER} gets a random password.
 */
public final class SecuredKafkaBroker implements AutoCloseable {

    /** The bridge's Kafka user (SASL modes); with mutual TLS its principal is the client certificate's subject. */
    public static final String USER = "bridge";

    /** How the bridge's listener is secured. */
    public enum Mode {
        SASL_PLAINTEXT_SCRAM("SASL_PLAINTEXT"),
        SASL_SSL_SCRAM("SASL_SSL"),
        MUTUAL_TLS("SSL");

        private final String securityProtocol;

        Mode(String securityProtocol) {
            this.securityProtocol = securityProtocol;
        }

        /** The client's {@code security.protocol} for this listener. */
        public String securityProtocol() {
            return securityProtocol;
        }

        boolean sasl() {
            return securityProtocol.startsWith("SASL");
        }

        boolean tls() {
            return securityProtocol.endsWith("SSL");
        }
    }

    private static final String SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule";

    private final EmbeddedKafkaBroker broker;
    private final Mode mode;
    private final String password;

    private SecuredKafkaBroker(EmbeddedKafkaBroker broker, Mode mode, String password) {
        this.broker = broker;
        this.mode = mode;
        this.password = password;
    }

    /** Starts the broker and, for the SASL modes, creates the SCRAM user; returns once that user can log in. */
    public static SecuredKafkaBroker start(Mode mode) {
        return start(mode, false);
    }

    /**
     * As {@link #start(Mode)}; with {@code authorizer}, the broker checks ACLs (KRaft's StandardAuthorizer) and
     * {@value #USER} may do only what {@link #grant} allows. The plain listener's clients (the broker itself, the
     * test's tooling) are super users.
     */
    public static SecuredKafkaBroker start(Mode mode, boolean authorizer) {
        TestCertificates certificates = mode.tls() ? TestCertificates.get() : null;
        Map<String, String> server = new LinkedHashMap<>();
        if (authorizer) {
            server.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            server.put("super.users", "User:ANONYMOUS");
            server.put("allow.everyone.if.no.acl.found", "false");
        }
        if (mode.sasl()) {
            server.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            server.put("listener.name.secured.scram-sha-512.sasl.jaas.config", SCRAM_LOGIN + " required;");
        }
        if (mode.tls()) {
            server.put("listener.name.secured.ssl.keystore.location", certificates.brokerKeystore().toString());
            server.put("listener.name.secured.ssl.keystore.password", certificates.password());
            server.put("listener.name.secured.ssl.key.password", certificates.password());
            server.put("listener.name.secured.ssl.keystore.type", "PKCS12");
        }
        if (mode == Mode.MUTUAL_TLS) {
            server.put("listener.name.secured.ssl.client.auth", "required");
            server.put("listener.name.secured.ssl.truststore.location", certificates.truststore().toString());
            server.put("listener.name.secured.ssl.truststore.password", certificates.password());
            server.put("listener.name.secured.ssl.truststore.type", "PKCS12");
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(false,
                new EmbeddedKafkaBroker.SecuredListener(mode.securityProtocol(), server));
        SecuredKafkaBroker secured = new SecuredKafkaBroker(broker, mode, "pw-" + UUID.randomUUID());
        try {
            if (mode.sasl()) {
                secured.createScramUser();
            }
            return secured;
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public Mode mode() {
        return mode;
    }

    /** The secured listener: the only address the bridge is given. */
    public String securedBootstrapServers() {
        return broker.securedBootstrapServers();
    }

    /** The broker's plain listener, for the test's own clients only. */
    public String plainBootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The SCRAM password of {@value #USER}. */
    public String password() {
        return password;
    }

    /** The SCRAM login of {@value #USER} with this password, as a {@code sasl.jaas.config} value. */
    public static String scramJaasConfig(String password) {
        return SCRAM_LOGIN + " required username=\"" + USER + "\" password=\"" + password + "\";";
    }

    /**
     * Allows {@value #USER} these operations on every resource of this type whose name starts with {@code prefix}
     * (a broker started with an authorizer only).
     */
    public void grant(ResourceType type, String prefix, AclOperation... operations) {
        List<AclBinding> bindings = new ArrayList<>();
        for (AclOperation operation : operations) {
            bindings.add(new AclBinding(new ResourcePattern(type, prefix, PatternType.PREFIXED),
                    new AccessControlEntry("User:" + USER, "*", operation, AclPermissionType.ALLOW)));
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", plainBootstrapServers()))) {
            admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the ACLs " + bindings, e);
        }
    }

    /** See {@link EmbeddedKafkaBroker#createTopics(int, String...)}. */
    public void createTopics(int partitions, String... names) {
        broker.createTopics(partitions, names);
    }

    @Override
    public void close() {
        broker.close();
    }

    private void createScramUser() {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", plainBootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the SCRAM user " + USER, e);
        }
        // The controller has the credential; the broker learns it from the metadata log a moment later.
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("bootstrap.servers", securedBootstrapServers());
        client.put("security.protocol", mode.securityProtocol());
        client.put("sasl.mechanism", "SCRAM-SHA-512");
        client.put("sasl.jaas.config", scramJaasConfig(password));
        if (mode.tls()) {
            client.put("ssl.truststore.location", TestCertificates.get().truststore().toString());
            client.put("ssl.truststore.password", TestCertificates.get().password());
            client.put("ssl.truststore.type", "PKCS12");
        }
        client.put("default.api.timeout.ms", 5000);
        client.put("request.timeout.ms", 5000);
        try (Admin admin = Admin.create(client)) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty());
        }
    }
}
