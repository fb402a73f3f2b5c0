package com.contactlistbridge.e2e;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.RunningBridge;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production start as operators run it: a separate JVM, configured by the DESIGN.md environment variables alone,
 * reading config/ and routes/ from its working directory.
 */
class ProductionStartTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void missingSettingsStopTheStartWithOneMessageNamingThemAll() throws Exception {
        Path log = temp.resolve("bridge.log");
        Process bridge = start(Map.of(), log);

        assertThat(bridge.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(bridge.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("contact-list-bridge cannot start: 6 settings need fixing")
                .contains("kafka.brokers (env KAFKA_BROKERS) is missing")
                .contains("kore.stream-id (env KORE_STREAM_ID) is missing")
                .contains("kore.account-id (env KORE_ACCOUNT_ID) is missing")
                .contains("kore.iid (env KORE_IID) is missing")
                .contains("kore.client-id (env KORE_CLIENT_ID) is missing")
                .contains("kore.client-secret (env KORE_CLIENT_SECRET) is missing")
                .contains("java -jar contact-list-bridge.jar demo")
                .doesNotContain("\tat ");
    }

    @Test
    void environmentConfiguredBridgeCreatesListsAndDeadLettersBadEvents() throws Exception {
        String brokers = KafkaTestBroker.get().bootstrapServers();
        KafkaTestBroker.get().createTopics(2, "prod.create", "prod.created", "prod.dlq");
        WireMockServer kore = new WireMockServer(options().dynamicPort());
        kore.start();
        Path log = temp.resolve("bridge.log");
        Process bridge = null;
        try {
            kore.stubFor(post(urlPathEqualTo("/campaign/api/v2/public/st-prod/campaign/contactList/createContactList"))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withBody("{\"status\":\"success\",\"data\":{\"_id\":\"cl-prod-1\",\"name\":\"Prod list\","
                                    + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}")));
            bridge = start(Map.ofEntries(
                    Map.entry("KAFKA_BROKERS", brokers),
                    Map.entry("KORE_BASE_URL", kore.baseUrl()),
                    Map.entry("KORE_ALLOW_PLAIN_HTTP", "true"),
                    Map.entry("KORE_STREAM_ID", "st-prod"),
                    Map.entry("KORE_ACCOUNT_ID", "acc-prod"),
                    Map.entry("KORE_IID", "st-prod-app"),
                    Map.entry("KORE_CLIENT_ID", "cs-prod"),
                    Map.entry("KORE_CLIENT_SECRET", RunningBridge.TEST_SECRET),
                    Map.entry("BRIDGE_TOPIC_REQUESTS", "prod.create"),
                    Map.entry("BRIDGE_TOPIC_CREATED", "prod.created"),
                    Map.entry("BRIDGE_TOPIC_DEAD_LETTER", "prod.dlq"),
                    Map.entry("BRIDGE_CONSUMER_GROUP", "prod-bridge")), log);

            KafkaTestClient.send(brokers, "prod.create", "crm-p1",
                    "{\"eventId\":\"crm-p1\",\"name\":\"Prod list\",\"description\":\"from env\"}");
            KafkaTestClient.send(brokers, "prod.create", "crm-p2", "{\"eventId\":\"crm-p2\",\"name\":true}");

            List<ConsumerRecord<byte[], byte[]>> created = KafkaTestClient.awaitRecords(brokers, "prod.created", 1,
                    WAIT);
            assertThat(new String(created.get(0).value(), StandardCharsets.UTF_8)).contains("cl-prod-1");
            List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClient.awaitRecords(brokers, "prod.dlq", 1, WAIT);
            assertThat(KafkaTestClient.header(dead.get(0), "bridge.error.reason")).isEqualTo("INVALID_EVENT");
            assertThat(KafkaTestClient.header(dead.get(0), "bridge.event-id")).isEqualTo("crm-p2");

            bridge.destroy(); // SIGTERM, as a container runtime sends it
            assertThat(bridge.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
            String output = Files.readString(log);
            assertThat(output).contains("created eventId=crm-p1 contactListId=cl-prod-1")
                    .contains("dead-lettered eventId=crm-p2 reason=INVALID_EVENT")
                    .doesNotContain(RunningBridge.TEST_SECRET)
                    .doesNotContain("eyJ");
        } finally {
            if (bridge != null && bridge.isAlive()) {
                bridge.destroyForcibly();
            }
            kore.stop();
        }
    }

    /** Starts the production entry point in a new JVM from the project directory, with only the given settings. */
    private static Process start(Map<String, String> settings, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // camel-main ignores environment variables ending in _PORT: the management port goes in with -D.
        ProcessBuilder builder = new ProcessBuilder(java, "-Dcamel.management.port=" + RunningBridge.freePort(),
                "-cp", System.getProperty("java.class.path"), "com.contactlistbridge.Application");
        builder.directory(new File(System.getProperty("user.dir")));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("KORE_") || name.startsWith("KAFKA_")
                || name.startsWith("BRIDGE_") || name.startsWith("CAMEL_"));
        env.putAll(settings);
        builder.redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        return builder.start();
    }
}
