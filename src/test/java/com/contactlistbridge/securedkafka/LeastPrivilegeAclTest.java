package com.contactlistbridge.securedkafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.contactlistbridge.config.ProducerBatchLimit;
import com.contactlistbridge.testsupport.RunningBridge;
import com.contactlistbridge.testsupport.SecuredKafkaBroker;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A cluster that checks ACLs, and a bridge user with only the rights README "Secured Kafka" lists: read, write,
 * describe and create on its topics, read on its consumer groups; nothing on the cluster, no DescribeConfigs. The flow,
 * the processed-events store (its topic created by the bridge), readiness and replay work; what the bridge may not
 * read (the topics' max.message.bytes) is one INFO line, not a failure.
 */
class LeastPrivilegeAclTest {

    private static SecuredKafkaBroker kafka;

    @TempDir
    Path temp;

    @BeforeAll
    static void startBroker() {
        kafka = SecuredKafkaBroker.start(SecuredKafkaBroker.Mode.SASL_PLAINTEXT_SCRAM, true);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theListedRightsCarryTheFlowTheStoreReadinessAndReplay() throws Exception {
        Path security = Files.writeString(temp.resolve("kafka-security.properties"), String.join("\n",
                "camel.component.kafka.security-protocol = SASL_PLAINTEXT",
                "camel.component.kafka.sasl-mechanism = SCRAM-SHA-512",
                "camel.component.kafka.sasl-jaas-config = " + SecuredKafkaBroker.scramJaasConfig(kafka.password()),
                ""));
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger limitLogger = (Logger) LoggerFactory.getLogger(ProducerBatchLimit.class);
        limitLogger.addAppender(logs);
        logs.start();
        try (SecuredFlow flow = new SecuredFlow(kafka, "acl")) {
            kafka.grant(ResourceType.TOPIC, flow.prefix, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE,
                    AclOperation.CREATE);
            kafka.grant(ResourceType.GROUP, flow.prefix, AclOperation.READ);
            String locations = "file:" + security + ",file:config/application.properties";
            try (RunningBridge bridge = RunningBridge.start(flow.settings(kafka.securedBootstrapServers()),
                    locations)) {
                flow.runEvents();
                assertThat(SecuredFlow.get(bridge.managementUrl(), "/observe/health/ready").statusCode())
                        .isEqualTo(200);

                // replay with the same rights: reads the dead letters and the store without a group, writes requests.
                flow.koreRecovers();
                Map<String, String> env = Map.of("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION", locations,
                        "KAFKA_BROKERS", kafka.securedBootstrapServers(), "BRIDGE_TOPIC_REQUESTS", flow.requests,
                        "BRIDGE_TOPIC_DEAD_LETTER", flow.deadLetter, "BRIDGE_TOPIC_PROCESSED", flow.prefix
                                + ".processed");
                flow.replayInProcessAndAwaitCreated(env);
            }
        } finally {
            limitLogger.detachAppender(logs);
        }
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(line -> line.startsWith("Could not read max.message.bytes of the outcome and dead-letter "
                        + "topics") && line.contains("Topic authorization failed"));
    }
}
