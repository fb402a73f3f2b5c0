package com.contactlistbridge.replay;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.contactlistbridge.replay.ReplayTestSupport.Topics;
import com.contactlistbridge.testsupport.KafkaTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.contactlistbridge.replay.ReplayTestSupport.brokers;
import static com.contactlistbridge.replay.ReplayTestSupport.sendDeadLetter;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replay} as operators start it: the production entry point in its own JVM, configured by the process
 * environment alone, with the exit status the process ends with.
 */
class ReplayEntryPointTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void replaysWithTheProcessEnvironmentAndExits0() throws Exception {
        Topics topics = Topics.create("process", 1);
        sendDeadLetter(topics.deadLetter(), Instant.parse("2025-07-01T08:00:00Z"), "crm-process", "UNAVAILABLE");

        Result result = run(topics.env(), "replay");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("REPLAYED ").contains("eventId=crm-process")
                .contains("summary: read 1 dead letter(s) from " + topics.deadLetter() + "; replayed 1");
        assertThat(KafkaTestClient.readAll(brokers(), topics.requests(), Duration.ZERO)).hasSize(1);
    }

    @Test
    void badOptionExits2WithTheProblemAndTheUsage() throws Exception {
        Result result = run(Map.of(), "replay", "--reason", "TIMEOUT");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).startsWith("replay: unknown reason 'TIMEOUT' for --reason")
                .contains("Usage: java -jar contact-list-bridge.jar replay [options]");
    }

    @Test
    void missingBrokersExits2WithOneMessageAndNoStackTraceAndNeedsNoKoreSettings() throws Exception {
        Result result = run(Map.of(), "replay");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("contact-list-bridge replay cannot run: 1 setting needs fixing")
                .contains("kafka.brokers (env KAFKA_BROKERS) is missing")
                .doesNotContain("kore.")
                .doesNotContain("\tat ");
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    /** Starts the production entry point in a new JVM from the project directory, with only the given settings. */
    private Result run(Map<String, String> settings, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "com.contactlistbridge.Application"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.directory(new File(System.getProperty("user.dir")));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("KORE_") || name.startsWith("KAFKA_")
                || name.startsWith("BRIDGE_") || name.startsWith("CAMEL_"));
        env.putAll(settings);
        Path stdout = temp.resolve("stdout.txt");
        Path stderr = temp.resolve("stderr.txt");
        builder.redirectOutput(stdout.toFile());
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        try {
            assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("replay ends by itself").isTrue();
        } finally {
            process.destroyForcibly();
        }
        return new Result(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }
}
