package com.contactlistbridge.e2e;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.contactlistbridge.testsupport.HttpProbe;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import com.contactlistbridge.testsupport.Measured;
import com.contactlistbridge.testsupport.RunningBridge;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The production jar as operators run it: {@code java -jar} of the packaged jar (failsafe, after {@code package}), from
 * the project directory so that {@code config/} and {@code routes/} resolve as they do for the README's commands.
 * The production start, configured by environment variables only, gets ready, creates a list, dead-letters a bad
 * event and stops on SIGTERM with the JVM's exit code for it; a bad configuration stops the start with exit code 2
 * and one message. The demo's run from the jar is {@code ProductionJarIT}'s.
 */
class PackagedJarIT {

    /** The production jar the build made (failsafe passes {@code bridge.jar}). */
    static final Path JAR = Path.of(System.getProperty("bridge.jar", "target/contact-list-bridge.jar"));

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String API_PATH = "/campaign/api/v2/public/st-jar/campaign/contactList/createContactList";
    /** What a JVM ends with when a SIGTERM (signal 15) stops it: 128 + 15; camel-main's shutdown hook runs first. */
    private static final int SIGTERM_EXIT = 143;
    /** The shipped camel.main.shutdown-timeout: the README's bound for a stop. */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path temp;

    @AfterEach
    void killLeftovers() {
        started.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
    }

    @Test
    void productionStartGetsReadyWorksAndStopsOnSigterm() throws Exception {
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String prefix = KafkaTestBroker.freshTopics("jar");
        WireMockServer kore = new WireMockServer(options().dynamicPort());
        kore.start();
        try {
            kore.stubFor(post(urlPathEqualTo(API_PATH)).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"status\":\"success\",\"data\":{\"_id\":\"cl-jar-1\",\"name\":\"Jar list\","
                            + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}")));
            Path log = temp.resolve("bridge.log");
            int port = RunningBridge.freePort();
            // The shipped configuration, changed only where a test must: addresses, identity, topics.
            Process bridge = start(JAR, Map.ofEntries(
                    Map.entry("KAFKA_BROKERS", brokers),
                    Map.entry("KORE_BASE_URL", kore.baseUrl()),
                    Map.entry("KORE_ALLOW_PLAIN_HTTP", "true"), // the stub speaks plain http
                    Map.entry("KORE_STREAM_ID", "st-jar"),
                    Map.entry("KORE_ACCOUNT_ID", "acc-jar"),
                    Map.entry("KORE_IID", "st-jar-app"),
                    Map.entry("KORE_CLIENT_ID", "cs-jar"),
                    Map.entry("KORE_CLIENT_SECRET", RunningBridge.TEST_SECRET),
                    Map.entry("BRIDGE_TOPIC_REQUESTS", prefix + ".create"),
                    Map.entry("BRIDGE_TOPIC_CREATED", prefix + ".created"),
                    Map.entry("BRIDGE_TOPIC_DEAD_LETTER", prefix + ".dlq"),
                    Map.entry("BRIDGE_TOPIC_PROCESSED", prefix + ".processed"),
                    Map.entry("BRIDGE_CONSUMER_GROUP", prefix + "-bridge")), log,
                    List.of("-Dcamel.management.port=" + port));

            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(bridge.isAlive()).as("running; log:\n%s", Files.readString(log)).isTrue();
                return HttpProbe.status("http://127.0.0.1:" + port + "/observe/health/ready") == 200;
            });

            KafkaTestClient.send(brokers, prefix + ".create", "crm-jar-1",
                    "{\"eventId\":\"crm-jar-1\",\"name\":\"Jar list\",\"description\":\"from the jar\"}");
            KafkaTestClient.send(brokers, prefix + ".create", "crm-jar-2", "{\"eventId\":\"crm-jar-2\",\"name\":true}");
            List<ConsumerRecord<byte[], byte[]>> created = KafkaTestClient.awaitRecords(brokers, prefix + ".created", 1,
                    WAIT);
            assertThat(new String(created.get(0).value(), StandardCharsets.UTF_8)).contains("cl-jar-1");
            List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClient.awaitRecords(brokers, prefix + ".dlq", 1, WAIT);
            assertThat(KafkaTestClient.header(dead.get(0), "bridge.error.reason")).isEqualTo("INVALID_EVENT");
            assertThat(KafkaTestClient.header(dead.get(0), "bridge.event-id")).isEqualTo("crm-jar-2");
            kore.verify(1, postRequestedFor(urlPathEqualTo(API_PATH)));
            await().atMost(WAIT).until(() -> KafkaTestClient.committedOffset(brokers, prefix + "-bridge",
                    prefix + ".create", 0) == 2);

            long stopStarted = System.nanoTime();
            bridge.destroy(); // SIGTERM, as a container runtime sends it
            assertThat(bridge.waitFor(SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .as("exits within camel.main.shutdown-timeout of SIGTERM").isTrue();
            Duration stop = Duration.ofNanos(System.nanoTime() - stopStarted);
            String output = Files.readString(log);
            Measured.keep("PACKAGED-JAR-TEST SIGTERM exit=" + bridge.exitValue() + " seconds="
                    + String.format("%.1f", stop.toMillis() / 1000.0));
            assertThat(bridge.exitValue()).as(output).isEqualTo(SIGTERM_EXIT);
            // Idle, it has nothing to wait for: the README measured about a second.
            assertThat(stop).as("an idle bridge stops promptly").isLessThan(Duration.ofSeconds(10));
            assertThat(output).contains("created eventId=crm-jar-1 contactListId=cl-jar-1")
                    .contains("dead-lettered eventId=crm-jar-2 reason=INVALID_EVENT")
                    .contains("is shutdown")
                    // Started with the JVM's default flags: the bridge lowers the heap free ratios (HeapFootprint).
                    .contains("Memory: free heap above 40 % is given back to the OS (-XX:MinHeapFreeRatio=20 "
                            + "-XX:MaxHeapFreeRatio=40")
                    // The shipped settings fit max.poll.interval.ms: no start-up warning.
                    .doesNotContain("could be evicted from its group")
                    .doesNotContain("SANDBOX")
                    .doesNotContain(RunningBridge.TEST_SECRET)
                    .doesNotContain("eyJ")
                    .doesNotContain("\tat ");
        } finally {
            kore.stop();
        }
    }

    @Test
    void badSettingsStopTheStartWithExitCodeTwoAndOneMessageNamingThemAll() throws Exception {
        Path log = temp.resolve("bad-config.log");
        // An operator's heap flag is kept as given (HeapFootprint touches neither ratio then).
        Process bridge = start(JAR, Map.of("KORE_CLIENT_SECRET", "short-s3cret"), log,
                List.of("-XX:MaxHeapFreeRatio=70"));

        assertThat(bridge.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the start gives up by itself").isTrue();
        String output = Files.readString(log);
        assertThat(bridge.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("contact-list-bridge cannot start: 6 settings need fixing")
                .contains("kafka.brokers (env KAFKA_BROKERS) is missing")
                .contains("kore.stream-id (env KORE_STREAM_ID) is missing")
                .contains("kore.account-id (env KORE_ACCOUNT_ID) is missing")
                .contains("kore.iid (env KORE_IID) is missing")
                .contains("kore.client-id (env KORE_CLIENT_ID) is missing")
                .contains("kore.client-secret (env KORE_CLIENT_SECRET) is too short")
                .contains("java -jar contact-list-bridge.jar demo")
                .contains("Memory: heap free ratios as given: -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70")
                .doesNotContain("short-s3cret")
                .doesNotContain("\tat ");
    }

    private Process start(Path jar, Map<String, String> environment, Path log, String... arguments)
            throws Exception {
        return start(jar, environment, log, List.of(), arguments);
    }

    /** {@code java [options] -jar <jar> [arguments]} from the project directory, with only the given settings. */
    private Process start(Path jar, Map<String, String> environment, Path log, List<String> jvmOptions,
                          String... arguments) throws Exception {
        assertThat(jar).as("the packaged jar (run by failsafe after package)").isRegularFile();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.directory(new File(System.getProperty("user.dir")));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("KORE_") || name.startsWith("KAFKA_")
                || name.startsWith("BRIDGE_") || name.startsWith("CAMEL_") || name.startsWith("LOG_")
                || name.equals("JAVA_TOOL_OPTIONS") || name.equals("JDK_JAVA_OPTIONS"));
        env.putAll(environment);
        builder.redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        Process process = builder.start();
        started.add(process);
        return process;
    }
}
