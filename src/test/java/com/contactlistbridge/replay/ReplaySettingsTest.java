package com.contactlistbridge.replay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.contactlistbridge.config.InvalidSettingsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/** Replay reads the bridge's configuration the way the bridge does, and needs only its Kafka part. */
class ReplaySettingsTest {

    @TempDir
    Path temp;

    @Test
    void bridgeFileWithEnvironmentOverridesAndNoKoreSettings() {
        ReplaySettings settings = ReplaySettings.load(Map.of("KAFKA_BROKERS", "kafka-1:9092,kafka-2:9092",
                "BRIDGE_TOPIC_REQUESTS", "crm.create"));

        assertThat(settings.kafkaBrokers()).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(settings.requestsTopic()).as("environment beats the file").isEqualTo("crm.create");
        assertThat(settings.deadLetterTopic()).as("config/application.properties").isEqualTo("contact-list.create.dlq");
        assertThat(settings.dedupeEnabled()).isTrue();

        assertThat(settings.consumerConfig())
                .containsEntry("bootstrap.servers", "kafka-1:9092,kafka-2:9092")
                .containsEntry("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer")
                .containsEntry("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer")
                .containsEntry("enable.auto.commit", "false")
                .containsEntry("allow.auto.create.topics", "false")
                .containsEntry("client.id", "contact-list-bridge-replay")
                .doesNotContainKey("group.id");
        assertThat(settings.producerConfig())
                .containsEntry("bootstrap.servers", "kafka-1:9092,kafka-2:9092")
                .containsEntry("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer")
                .containsEntry("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true")
                .doesNotContainKey("transactional.id");
    }

    @Test
    void anotherFlowsTopicsAreItsOwnSettingsAndItsCallsAreNotLookedUpByEventId() {
        ReplaySettings settings = ReplaySettings.load(Map.of("KAFKA_BROKERS", "k:9092",
                "BRIDGE_ADD_CONTACTS_TOPIC_DEAD_LETTER", "crm.add.dlq"), "add-contacts");

        assertThat(settings.flow()).isEqualTo("add-contacts");
        assertThat(settings.requestsKey()).isEqualTo("bridge.add-contacts.topic.requests");
        assertThat(settings.requestsTopic()).as("config/application.properties").isEqualTo("contact-list.add-contacts");
        assertThat(settings.deadLetterKey()).isEqualTo("bridge.add-contacts.topic.dead-letter");
        assertThat(settings.deadLetterTopic()).as("environment beats the file").isEqualTo("crm.add.dlq");
        assertThat(settings.dedupeEnabled()).isTrue();
        assertThat(settings.processedTopic()).as("the store keeps this flow's calls under keys of their own")
                .isNull();

        ReplaySettings create = ReplaySettings.load(Map.of("KAFKA_BROKERS", "k:9092"));
        assertThat(create.flow()).isEqualTo("create-contact-list");
        assertThat(create.requestsKey()).isEqualTo("bridge.topic.requests");
        assertThat(create.deadLetterKey()).isEqualTo("bridge.topic.dead-letter");
        assertThat(create.processedTopic()).isEqualTo("contact-list.processed");
    }

    @Test
    void aFlowWithoutItsTopicSettingsIsReportedWithTheSettingsToAdd() {
        assertThatThrownBy(() -> ReplaySettings.load(Map.of("KAFKA_BROKERS", "k:9092"), "update-contact-list"))
                .isInstanceOf(InvalidSettingsException.class)
                .satisfies(e -> assertThat(((InvalidSettingsException) e).problems()).containsExactly(
                        "bridge.update-contact-list.topic.requests (env BRIDGE_UPDATE_CONTACT_LIST_TOPIC_REQUESTS) "
                                + "is missing",
                        "bridge.update-contact-list.topic.dead-letter (env "
                                + "BRIDGE_UPDATE_CONTACT_LIST_TOPIC_DEAD_LETTER) is missing",
                        "replay --flow update-contact-list reads the flow's topics from "
                                + "bridge.update-contact-list.topic.requests and "
                                + "bridge.update-contact-list.topic.dead-letter, the settings its consume-topic block "
                                + "names (README \"Add a flow\")"));
        assertThatThrownBy(() -> ReplaySettings.load(Map.of("KAFKA_BROKERS", "k:9092",
                "BRIDGE_ADD_CONTACTS_TOPIC_DEAD_LETTER", "contact-list.add-contacts"), "add-contacts"))
                .isInstanceOf(InvalidSettingsException.class)
                .satisfies(e -> assertThat(((InvalidSettingsException) e).problems()).containsExactly(
                        "bridge.add-contacts.topic.dead-letter (env BRIDGE_ADD_CONTACTS_TOPIC_DEAD_LETTER) must "
                                + "differ from bridge.add-contacts.topic.requests (both are "
                                + "'contact-list.add-contacts')"));
    }

    @Test
    void dedupeSettingComesFromTheBridgeConfigurationToo() {
        assertThat(ReplaySettings.load(Map.of("KAFKA_BROKERS", "k:9092", "BRIDGE_DEDUPE_ENABLED", "false"))
                .dedupeEnabled()).isFalse();
    }

    @Test
    void kafkaSecurityOptionsOfTheFileReachBothClientsWithEnvironmentPlaceholders() throws Exception {
        Path truststore = Files.writeString(temp.resolve("truststore.p12"), "not really a trust store");
        Path properties = Files.writeString(temp.resolve("app.properties"), String.join("\n",
                "kafka.brokers = kafka-1:9093",
                "bridge.topic.requests = crm.create",
                "bridge.topic.dead-letter = crm.create.dlq",
                "camel.component.kafka.brokers = {{kafka.brokers}}",
                "camel.component.kafka.security-protocol = SASL_SSL",
                "camel.component.kafka.sasl-mechanism = SCRAM-SHA-512",
                "camel.component.kafka.sasl-jaas-config = org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"bridge\" password=\"{{env:KAFKA_PASSWORD}}\";",
                "camel.component.kafka.ssl-truststore-location = " + truststore,
                "camel.component.kafka.ssl-truststore-password = {{env:KAFKA_TRUSTSTORE_PASSWORD:changeit}}",
                "camel.component.kafka.ssl-truststore-type = PKCS12",
                ""));

        ReplaySettings settings = ReplaySettings.load(Map.of(
                "CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION", "file:" + properties,
                "KAFKA_PASSWORD", "s3cret-from-env"));

        assertThat(settings.kafkaBrokers()).isEqualTo("kafka-1:9093");
        assertThat(settings.deadLetterTopic()).isEqualTo("crm.create.dlq");
        for (Map<String, Object> client : new Map[] {settings.consumerConfig(), settings.producerConfig()}) {
            assertThat(client)
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("ssl.truststore.location", truststore.toString())
                    .containsEntry("ssl.truststore.password", "changeit")
                    .containsEntry("ssl.truststore.type", "PKCS12");
            assertThat(client.get("sasl.jaas.config")).asString().contains("password=\"s3cret-from-env\"");
        }
        assertThat(settings.toString()).doesNotContain("s3cret-from-env").doesNotContain("changeit");
    }

    @Test
    void missingBrokersIsOneClearProblem() {
        assertThatThrownBy(() -> ReplaySettings.load(Map.of()))
                .asInstanceOf(type(InvalidSettingsException.class))
                .extracting(InvalidSettingsException::problems)
                .asList()
                .containsExactly("kafka.brokers (env KAFKA_BROKERS) is missing");
    }

    @Test
    void requestsAndDeadLetterTopicsMustDiffer() {
        assertThatThrownBy(() -> ReplaySettings.load(Map.of("KAFKA_BROKERS", "k:9092",
                "BRIDGE_TOPIC_DEAD_LETTER", "contact-list.create")))
                .asInstanceOf(type(InvalidSettingsException.class))
                .extracting(InvalidSettingsException::problems)
                .asList()
                .containsExactly("bridge.topic.dead-letter (env BRIDGE_TOPIC_DEAD_LETTER) must differ from "
                        + "bridge.topic.requests (both are 'contact-list.create')");
    }

    @Test
    void unreadablePropertiesFileIsReportedAsAProblem() {
        assertThatThrownBy(() -> ReplaySettings.load(Map.of("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION",
                "file:" + temp.resolve("missing.properties"))))
                .asInstanceOf(type(InvalidSettingsException.class))
                .extracting(InvalidSettingsException::problems)
                .asList()
                .singleElement().asString()
                .startsWith("the configuration could not be read: ")
                .contains("missing.properties");
    }
}
