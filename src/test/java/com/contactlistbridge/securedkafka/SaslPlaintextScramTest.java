package com.contactlistbridge.securedkafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.contactlistbridge.testsupport.BridgeProcess;
import com.contactlistbridge.testsupport.SecuredKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SASL_PLAINTEXT with SCRAM-SHA-512, set up as issue 14 reported it: the security settings as {@code -D} system
 * properties and the credentials in a JVM JAAS file ({@code -Djava.security.auth.login.config}, a KafkaClient
 * section), so bridge and replay each run in their own JVM.
 */
class SaslPlaintextScramTest {

    private static SecuredKafkaBroker kafka;

    @TempDir
    Path temp;

    @BeforeAll
    static void startBroker() {
        kafka = SecuredKafkaBroker.start(SecuredKafkaBroker.Mode.SASL_PLAINTEXT_SCRAM);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void jaasFileCredentialsCarryTheFlowTheProcessedEventsHealthAndReplay() throws Exception {
        Path jaas = Files.writeString(temp.resolve("kafka_client_jaas.conf"), "KafkaClient {\n  "
                + SecuredKafkaBroker.scramJaasConfig(kafka.password()) + "\n};\n");
        try (SecuredFlow flow = new SecuredFlow(kafka, "jaas");
             BridgeProcess bridge = jaasProcess(flow, jaas, temp.resolve("bridge.log")).start()) {
            bridge.awaitReady(SecuredFlow.WAIT);

            flow.runEvents();
            assertThat(SecuredFlow.get(bridge.managementUrl(), "/observe/health").statusCode()).isEqualTo(200);

            flow.koreRecovers();
            try (BridgeProcess replay = jaasProcess(flow, jaas, temp.resolve("replay.log")).name("replay")
                    .arguments("replay").start()) {
                assertThat(replay.awaitExit(SecuredFlow.WAIT)).as(replay.log()).isZero();
                assertThat(replay.log()).contains("REPLAYED").contains("eventId=crm-down")
                        .contains("Kafka clients of replay (contact-list-bridge-replay) use security.protocol="
                                + "SASL_PLAINTEXT, sasl.mechanism=SCRAM-SHA-512, credentials from the JAAS file "
                                + jaas);
            }
            flow.awaitReplayedEventCreated();
            flow.assertNoOutcomeHolds(kafka.password());

            String log = bridge.log();
            for (String clients : new String[] {"the routes (camel-kafka endpoints)",
                    "the processed-events store (contact-list-bridge-processed-reader/-writer)",
                    "the health check (contact-list-bridge-health)"}) {
                assertThat(log).contains("Kafka clients of " + clients + " use security.protocol=SASL_PLAINTEXT, "
                        + "sasl.mechanism=SCRAM-SHA-512, credentials from the JAAS file " + jaas);
            }
            assertThat(log).doesNotContain(kafka.password()).doesNotContain("disconnected");
        }
    }

    @Test
    void aWrongPasswordInTheJaasFileStopsTheStartWithExitCode2NamingTheFile() throws Exception {
        String wrong = "not-the-password-" + kafka.password().hashCode();
        Path jaas = Files.writeString(temp.resolve("wrong_jaas.conf"), "KafkaClient {\n  "
                + SecuredKafkaBroker.scramJaasConfig(wrong) + "\n};\n");
        try (SecuredFlow flow = new SecuredFlow(kafka, "jaas-wrong");
             BridgeProcess bridge = jaasProcess(flow, jaas, temp.resolve("wrong.log")).start()) {
            assertThat(bridge.awaitExit(Duration.ofSeconds(30))).as(bridge.log()).isEqualTo(2);
            assertThat(bridge.log())
                    .contains("contact-list-bridge cannot start: 1 setting needs fixing\n"
                            + "  - -Djava.security.auth.login.config=" + jaas + ": Kafka at "
                            + kafka.securedBootstrapServers() + " refused the SASL credentials "
                            + "(security.protocol=SASL_PLAINTEXT, sasl.mechanism=SCRAM-SHA-512): ")
                    .contains("invalid credentials")
                    .doesNotContain("TimeoutException")
                    .doesNotContain("\tat ")
                    .doesNotContain(wrong);
        }
    }

    /** The bridge (or with arguments, replay) on the secured listener only, set up the way the issue describes. */
    private static BridgeProcess.Builder jaasProcess(SecuredFlow flow, Path jaas, Path log) {
        return BridgeProcess.builder(log)
                .environment(flow.environment(kafka.securedBootstrapServers()))
                .systemProperty("java.security.auth.login.config", jaas.toString())
                .systemProperty("camel.component.kafka.security-protocol", "SASL_PLAINTEXT")
                .systemProperty("camel.component.kafka.sasl-mechanism", "SCRAM-SHA-512");
    }
}
