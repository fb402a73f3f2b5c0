package com.contactlistbridge.config;

import java.util.Map;
import java.util.Properties;

import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one source of Kafka client settings: what it passes on, when it may be read, what it says about failures. */
class KafkaClientSettingsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"bridge\" password=\"sasl-password-123\";";

    @Test
    void refusesToAnswerBeforeTheComponentIsConfigured() {
        KafkaConfiguration component = new KafkaConfiguration();
        KafkaClientSettings settings = new KafkaClientSettings(() -> component, () -> "kafka:9092");

        assertThatThrownBy(() -> settings.forClients("a client"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before camel-main configured the Kafka component");

        // What camel-main applies after BridgeConfiguration.configure is what the clients get.
        component.setSecurityProtocol("SASL_SSL");
        assertThat(settings.read().forClients("a client")).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void passesTheConnectionAndSecuritySettingsAndTheConfigProvidersButNoConsumerOnlyOnes() {
        KafkaConfiguration component = secured();
        component.setClientId("camel-endpoint-client");
        component.setAdditionalProperties(Map.of(
                "config.providers", "file",
                "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider",
                "client.dns.lookup", "use_all_dns_ips",
                "isolation.level", "read_committed",
                "transactional.id", "endpoint-only"));

        Properties client = new KafkaClientSettings(() -> component, () -> null).read().forClients("a client");

        assertThat(client)
                .containsEntry("bootstrap.servers", "broker-1:9096,broker-2:9096")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.truststore.location", "/etc/bridge/truststore.p12")
                .containsEntry("ssl.truststore.password", "truststore-password-456")
                .containsEntry("config.providers", "file")
                .containsEntry("config.providers.file.class",
                        "org.apache.kafka.common.config.provider.FileConfigProvider")
                .containsEntry("client.dns.lookup", "use_all_dns_ips")
                .doesNotContainKeys("isolation.level", "transactional.id", "client.id", "group.id",
                        "key.deserializer", "max.poll.records");
    }

    @Test
    void brokersFallBackToKafkaBrokersWhenTheComponentHasNone() {
        KafkaClientSettings settings = new KafkaClientSettings(KafkaConfiguration::new, () -> "kafka:9092").read();

        assertThat(settings.forClients("a client")).containsEntry("bootstrap.servers", "kafka:9092");
        assertThat(settings.securityProtocol()).isEqualTo("PLAINTEXT");
    }

    @Test
    void describesTheSecurityWithoutSecrets() {
        KafkaClientSettings settings = new KafkaClientSettings(KafkaClientSettingsTest::secured, () -> null).read();

        assertThat(settings.describe()).isEqualTo("security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, "
                + "credentials from sasl.jaas.config, trust store /etc/bridge/truststore.p12, "
                + "bootstrap.servers=broker-1:9096,broker-2:9096");

        KafkaConfiguration fromFile = secured();
        fromFile.setSaslJaasConfig("${file:/run/secrets/kafka.properties:sasl.jaas.config}");
        fromFile.setSslTruststoreLocation(null);
        fromFile.setSslKeystoreLocation("/etc/bridge/client.p12");
        assertThat(new KafkaClientSettings(() -> fromFile, () -> null).read().describe())
                .isEqualTo("security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, credentials from "
                        + "sasl.jaas.config ${file:/run/secrets/kafka.properties:sasl.jaas.config}, trust store of "
                        + "the JVM, client certificate from /etc/bridge/client.p12, "
                        + "bootstrap.servers=broker-1:9096,broker-2:9096");
    }

    @Test
    void refusedCredentialsNameTheJaasSettingWithoutThePassword() {
        Properties client = new KafkaClientSettings(KafkaClientSettingsTest::secured, () -> null).read()
                .forClients("a client");
        KafkaException failure = new KafkaException("wrapped", new SaslAuthenticationException(
                "Authentication failed for " + JAAS));

        assertThat(KafkaClientSettings.securityProblem(failure, client)).get().asString()
                .startsWith("camel.component.kafka.sasl-jaas-config: Kafka at broker-1:9096,broker-2:9096 refused "
                        + "the SASL credentials (security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512): ")
                .doesNotContain("sasl-password-123")
                .contains("-Djava.security.auth.login.config");
    }

    @Test
    void aRefusedHandshakeNamesTheSideThatRefused() {
        Properties client = new KafkaClientSettings(KafkaClientSettingsTest::secured, () -> null).read()
                .forClients("a client");

        assertThat(KafkaClientSettings.securityProblem(new SslAuthenticationException("SSL handshake failed",
                new javax.net.ssl.SSLHandshakeException("Received fatal alert: bad_certificate")), client))
                .get().asString().startsWith("camel.component.kafka.ssl-keystore-location: ");
        assertThat(KafkaClientSettings.securityProblem(new SslAuthenticationException("SSL handshake failed",
                new javax.net.ssl.SSLHandshakeException("PKIX path building failed")), client))
                .get().asString().startsWith("camel.component.kafka.ssl-truststore-location: ");
        assertThat(KafkaClientSettings.securityProblem(new SslAuthenticationException("SSL handshake failed",
                new java.security.cert.CertificateException("No subject alternative names matching IP address "
                        + "10.0.0.1 found")), client))
                .get().asString().startsWith("camel.component.kafka.ssl-endpoint-algorithm: ");
    }

    @Test
    void otherFailuresAreNotSecurityProblems() {
        assertThat(KafkaClientSettings.securityProblem(new TimeoutException("Timeout expired while fetching topic "
                + "metadata"), Map.of())).isEmpty();
    }

    private static KafkaConfiguration secured() {
        KafkaConfiguration component = new KafkaConfiguration();
        component.setBrokers("broker-1:9096,broker-2:9096");
        component.setSecurityProtocol("SASL_SSL");
        component.setSaslMechanism("SCRAM-SHA-512");
        component.setSaslJaasConfig(JAAS);
        component.setSslTruststoreLocation("/etc/bridge/truststore.p12");
        component.setSslTruststorePassword("truststore-password-456");
        return component;
    }
}
