package com.contactlistbridge.config;

import java.time.Duration;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/**
 * The start-up check without a broker: what it refuses before connecting, and what it lets pass. Refused credentials
 * and TLS handshakes are proven on real brokers in the securedkafka tests.
 */
class KafkaConnectionCheckTest {

    /** Nothing listens there: a connection attempt fails at once and is retried until the timeout. */
    private static final String NO_BROKER = "127.0.0.1:1";

    @Test
    void plaintextIsNotCheckedAtAll() {
        long started = System.nanoTime();
        assertThatCode(() -> KafkaConnectionCheck.verify(settings(new KafkaConfiguration()), Duration.ofSeconds(30)))
                .doesNotThrowAnyException();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void saslWithoutAnyCredentialsStopsTheStartNamingTheSettings() {
        KafkaConfiguration component = new KafkaConfiguration();
        component.setSecurityProtocol("SASL_SSL");
        component.setSaslMechanism("SCRAM-SHA-512");

        assertThatThrownBy(() -> KafkaConnectionCheck.verify(settings(component), Duration.ofSeconds(30)))
                .asInstanceOf(type(InvalidSettingsException.class))
                .extracting(e -> e.problems().get(0)).asString()
                .startsWith("camel.component.kafka.security-protocol: the Kafka client settings "
                        + "(security.protocol=SASL_SSL) cannot be used: ")
                .contains("KafkaClient")
                .contains("camel.component.kafka.sasl-*");
    }

    @Test
    void anUnreadableKeyStoreStopsTheStartWithoutShowingItsPassword() {
        KafkaConfiguration component = new KafkaConfiguration();
        component.setSecurityProtocol("SSL");
        component.setSslKeystoreLocation("/nonexistent/keystore.p12");
        component.setSslKeystorePassword("keystore-password-789");
        component.setSslKeystoreType("PKCS12");

        assertThatThrownBy(() -> KafkaConnectionCheck.verify(settings(component), Duration.ofSeconds(30)))
                .asInstanceOf(type(InvalidSettingsException.class))
                .extracting(e -> e.problems().get(0)).asString()
                .contains("cannot be used")
                .contains("/nonexistent/keystore.p12")
                .doesNotContain("keystore-password-789");
    }

    @Test
    void aClusterThatDoesNotAnswerIsAWarningNotAFailure() {
        KafkaConfiguration component = new KafkaConfiguration();
        component.setSecurityProtocol("SASL_PLAINTEXT");
        component.setSaslMechanism("PLAIN");
        component.setSaslJaasConfig("org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"bridge\" password=\"plain-password-012\";");
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(KafkaConnectionCheck.class);
        logger.addAppender(logs);
        logs.start();
        try {
            assertThatCode(() -> KafkaConnectionCheck.verify(settings(component), Duration.ofSeconds(1)))
                    .doesNotThrowAnyException();
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(logs.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .startsWith("Kafka at " + NO_BROKER + " did not answer within 1 s with security.protocol="
                        + "SASL_PLAINTEXT")
                .contains("check kafka.brokers")
                .doesNotContain("plain-password-012");
    }

    private static KafkaClientSettings settings(KafkaConfiguration component) {
        component.setBrokers(NO_BROKER);
        return new KafkaClientSettings(() -> component, () -> null).read();
    }
}
