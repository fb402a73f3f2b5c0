package com.contactlistbridge.securedkafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.contactlistbridge.config.KafkaClientSettings;
import com.contactlistbridge.testsupport.RunningBridge;
import com.contactlistbridge.testsupport.SecuredKafkaBroker;
import com.contactlistbridge.testsupport.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SSL with a client certificate (mutual TLS), the bridge in-process: trust store, key store and their passwords in a
 * properties file next to the bridge's own, the passwords read from a secret file by Kafka's FileConfigProvider
 * (never in the properties file or a log). A certificate the brokers' CA did not sign is refused at start-up.
 */
class MutualTlsTest {

    private static SecuredKafkaBroker kafka;

    @TempDir
    Path temp;

    @BeforeAll
    static void startBroker() {
        kafka = SecuredKafkaBroker.start(SecuredKafkaBroker.Mode.MUTUAL_TLS);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void clientCertificateCarriesTheFlowTheProcessedEventsHealthAndReplay() throws Exception {
        TestCertificates certificates = TestCertificates.get();
        String locations = "file:" + securityProperties(certificates.clientKeystore())
                + ",file:config/application.properties";
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger settingsLogger = (Logger) LoggerFactory.getLogger(KafkaClientSettings.class);
        settingsLogger.addAppender(logs);
        logs.start();
        try (SecuredFlow flow = new SecuredFlow(kafka, "mtls");
             RunningBridge bridge = RunningBridge.start(flow.settings(kafka.securedBootstrapServers()), locations)) {
            flow.runEvents();
            assertThat(SecuredFlow.get(bridge.managementUrl(), "/observe/health/ready").statusCode()).isEqualTo(200);

            flow.koreRecovers();
            Map<String, String> env = Map.of("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION", locations,
                    "KAFKA_BROKERS", kafka.securedBootstrapServers(), "BRIDGE_TOPIC_REQUESTS", flow.requests,
                    "BRIDGE_TOPIC_DEAD_LETTER", flow.deadLetter);
            flow.replayInProcessAndAwaitCreated(env);
            flow.assertNoOutcomeHolds(certificates.password());
        } finally {
            settingsLogger.detachAppender(logs);
        }
        String expected = "use security.protocol=SSL, trust store " + certificates.truststore()
                + ", client certificate from " + certificates.clientKeystore() + ", bootstrap.servers="
                + kafka.securedBootstrapServers();
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                .contains("Kafka clients of the routes (camel-kafka endpoints) " + expected,
                        "Kafka clients of the processed-events store (contact-list-bridge-processed-reader/-writer) "
                                + expected,
                        "Kafka clients of the health check (contact-list-bridge-health) " + expected,
                        "Kafka clients of replay (contact-list-bridge-replay) " + expected)
                .noneMatch(line -> line.contains(certificates.password()));
    }

    @Test
    void aCertificateTheBrokersDoNotTrustStopsTheStartNamingTheSetting() throws Exception {
        TestCertificates certificates = TestCertificates.get();
        try (SecuredFlow flow = new SecuredFlow(kafka, "mtls-untrusted")) {
            String problem = SecuredFlow.startRefused(flow.settings(kafka.securedBootstrapServers()),
                    "file:" + securityProperties(certificates.untrustedClientKeystore())
                            + ",file:config/application.properties");
            assertThat(problem)
                    .startsWith("camel.component.kafka.ssl-keystore-location: the TLS handshake with Kafka at "
                            + kafka.securedBootstrapServers() + " failed (security.protocol=SSL)")
                    .contains("The brokers refused the bridge's client certificate")
                    .doesNotContain(certificates.password());
        }
    }

    /**
     * The TLS settings the way a Kubernetes secret mounted as files gives them: the stores' locations in the
     * properties file, their passwords in a separate secret file read by Kafka's FileConfigProvider.
     */
    private Path securityProperties(Path keystore) throws Exception {
        TestCertificates certificates = TestCertificates.get();
        Path secret = Files.writeString(Files.createTempFile(temp, "kafka-tls", ".properties"), String.join("\n",
                "truststore.password = " + certificates.password(),
                "keystore.password = " + certificates.password(),
                ""));
        String password = "${file:" + secret + ":";
        return Files.writeString(Files.createTempFile(temp, "kafka-security", ".properties"), String.join("\n",
                "camel.component.kafka.security-protocol = SSL",
                "camel.component.kafka.additional-properties[config.providers] = file",
                "camel.component.kafka.additional-properties[config.providers.file.class] = "
                        + "org.apache.kafka.common.config.provider.FileConfigProvider",
                "camel.component.kafka.ssl-truststore-location = " + certificates.truststore(),
                "camel.component.kafka.ssl-truststore-password = " + password + "truststore.password}",
                "camel.component.kafka.ssl-truststore-type = PKCS12",
                "camel.component.kafka.ssl-keystore-location = " + keystore,
                "camel.component.kafka.ssl-keystore-password = " + password + "keystore.password}",
                "camel.component.kafka.ssl-key-password = " + password + "keystore.password}",
                "camel.component.kafka.ssl-keystore-type = PKCS12",
                ""));
    }
}
