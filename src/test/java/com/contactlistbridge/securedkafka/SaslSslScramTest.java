package com.contactlistbridge.securedkafka;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.contactlistbridge.replay.ReplayCommand;
import com.contactlistbridge.testsupport.BridgeProcess;
import com.contactlistbridge.testsupport.SecuredKafkaBroker;
import com.contactlistbridge.testsupport.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SASL_SSL with SCRAM-SHA-512 and a private CA in a trust store, the shape of Amazon MSK: the settings in a
 * properties file next to the bridge's own ({@code CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION}, as the README and the
 * Kubernetes example do it), the password from the environment with {@code {{env:KAFKA_PASSWORD}}}; and a wrong
 * password read from a secret file by Kafka's FileConfigProvider.
 */
class SaslSslScramTest {

    private static SecuredKafkaBroker kafka;

    @TempDir
    Path temp;

    @BeforeAll
    static void startBroker() {
        kafka = SecuredKafkaBroker.start(SecuredKafkaBroker.Mode.SASL_SSL_SCRAM);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void passwordFromTheEnvironmentCarriesTheFlowTheProcessedEventsHealthAndReplay() throws Exception {
        TestCertificates certificates = TestCertificates.get();
        Path security = Files.writeString(temp.resolve("kafka-security.properties"), String.join("\n",
                "camel.component.kafka.security-protocol = SASL_SSL",
                "camel.component.kafka.sasl-mechanism = SCRAM-SHA-512",
                "camel.component.kafka.sasl-jaas-config = org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"" + SecuredKafkaBroker.USER + "\" password=\"{{env:KAFKA_PASSWORD}}\";",
                "camel.component.kafka.ssl-truststore-location = " + certificates.truststore(),
                "camel.component.kafka.ssl-truststore-password = {{env:KAFKA_TRUSTSTORE_PASSWORD}}",
                "camel.component.kafka.ssl-truststore-type = PKCS12",
                ""));
        try (SecuredFlow flow = new SecuredFlow(kafka, "sasl-ssl")) {
            Map<String, String> env = new LinkedHashMap<>(flow.environment(kafka.securedBootstrapServers()));
            env.put("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION",
                    "file:" + security + ",file:config/application.properties");
            env.put("KAFKA_PASSWORD", kafka.password());
            env.put("KAFKA_TRUSTSTORE_PASSWORD", certificates.password());

            try (BridgeProcess bridge = BridgeProcess.builder(temp.resolve("bridge.log")).environment(env).start()) {
                bridge.awaitReady(SecuredFlow.WAIT);

                flow.runEvents();
                assertThat(SecuredFlow.get(bridge.managementUrl(), "/observe/health").statusCode()).isEqualTo(200);

                flow.koreRecovers();
                flow.replayInProcessAndAwaitCreated(env);
                flow.assertNoOutcomeHolds(kafka.password(), certificates.password());

                String log = bridge.log();
                for (String clients : new String[] {"the routes (camel-kafka endpoints)",
                        "the processed-events store (contact-list-bridge-processed-reader/-writer)",
                        "the health check (contact-list-bridge-health)"}) {
                    assertThat(log).contains("Kafka clients of " + clients + " use security.protocol=SASL_SSL, "
                            + "sasl.mechanism=SCRAM-SHA-512, credentials from sasl.jaas.config, trust store "
                            + certificates.truststore() + ", bootstrap.servers=" + kafka.securedBootstrapServers());
                }
                assertThat(log).doesNotContain(kafka.password()).doesNotContain(certificates.password());
            }
        }
    }

    @Test
    void aWrongPasswordFromAFileConfigProviderSecretStopsTheStartNamingTheSetting() throws Exception {
        String wrong = "not-the-password-" + kafka.password().hashCode();
        Path secret = Files.writeString(temp.resolve("kafka-credentials.properties"), "sasl.jaas.config = "
                + SecuredKafkaBroker.scramJaasConfig(wrong) + "\n");
        Path security = Files.writeString(temp.resolve("kafka-security.properties"), String.join("\n",
                "camel.component.kafka.security-protocol = SASL_SSL",
                "camel.component.kafka.sasl-mechanism = SCRAM-SHA-512",
                "camel.component.kafka.additional-properties[config.providers] = file",
                "camel.component.kafka.additional-properties[config.providers.file.class] = "
                        + "org.apache.kafka.common.config.provider.FileConfigProvider",
                "camel.component.kafka.sasl-jaas-config = ${file:" + secret + ":sasl.jaas.config}",
                "camel.component.kafka.ssl-truststore-location = " + TestCertificates.get().truststore(),
                "camel.component.kafka.ssl-truststore-password = " + TestCertificates.get().password(),
                ""));
        String locations = "file:" + security + ",file:config/application.properties";
        try (SecuredFlow flow = new SecuredFlow(kafka, "sasl-ssl-wrong")) {
            // Refused credentials, not an unresolved reference: the provider did read the secret file.
            assertThat(SecuredFlow.startRefused(flow.settings(kafka.securedBootstrapServers()), locations))
                    .startsWith("camel.component.kafka.sasl-jaas-config: Kafka at " + kafka.securedBootstrapServers()
                            + " refused the SASL credentials (security.protocol=SASL_SSL, "
                            + "sasl.mechanism=SCRAM-SHA-512)")
                    .contains("invalid credentials")
                    .doesNotContain(wrong);

            // Replay with the same configuration names the setting too.
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = new ReplayCommand(Map.of("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION", locations,
                    "KAFKA_BROKERS", kafka.securedBootstrapServers(), "BRIDGE_TOPIC_REQUESTS", flow.requests,
                    "BRIDGE_TOPIC_DEAD_LETTER", flow.deadLetter), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of("--dry-run"));
            assertThat(exit).isEqualTo(ReplayCommand.FAILED);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("  - camel.component.kafka.sasl-jaas-config: Kafka at " + kafka.securedBootstrapServers()
                            + " refused the SASL credentials")
                    .doesNotContain(wrong);
        }
    }
}
