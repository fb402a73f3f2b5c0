package com.contactlistbridge.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.contactlistbridge.embedded.EmbeddedKafkaBroker;
import com.contactlistbridge.testsupport.RunningBridge;

/**
 * Start-up and memory of the shaded jar as production runs it ({@code java -jar}, settings from environment
 * variables): launch with one event waiting, time to its outcome, then 10,000 events and the resident memory.
 */
final class StartupProbe {

    static final Path JAR = Path.of("target", "contact-list-bridge.jar");
    private static final List<String> INHERITED_PREFIXES = List.of("KORE_", "KAFKA_", "BRIDGE_", "CAMEL_");
    private static final Set<String> INHERITED_NAMES = Set.of("LOG_FORMAT", "LOG_LEVEL", "ROOT_LOG_LEVEL",
            "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");
    private static final Duration FIRST_OUTCOME_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final EmbeddedKafkaBroker broker;
    private final BenchmarkOptions options;
    private final Path logDir;

    StartupProbe(EmbeddedKafkaBroker broker, BenchmarkOptions options, Path logDir) {
        this.broker = broker;
        this.options = options;
        this.logDir = logDir;
    }

    Results.StartupRun run(String prefix) throws Exception {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run the package phase first "
                    + "(./mvnw -B -Pbenchmark verify does)");
        }
        Results.StartupRun result = new Results.StartupRun();
        result.defaultMaxHeapBytes = defaultMaxHeapBytes();
        Topics topics = Topics.forPrefix(prefix);
        // A restart of an existing deployment: the processed-events topic exists (a first start creates it, which
        // adds the Admin client's round trips to the start-up).
        broker.createTopics(options.partitions, topics.requests(), topics.created(), topics.deadLetter(),
                topics.processed());
        String first = "first";
        Path logFile = logDir.resolve("startup-bridge.log");
        result.logFile = logFile.toString();

        try (LatencyStub stub = new LatencyStub(0, 0, options.stubThreads);
             EventLoader loader = new EventLoader(broker.bootstrapServers(), topics.requests());
             OutcomeCollector collector = new OutcomeCollector(broker.bootstrapServers(), topics.created(),
                     topics.deadLetter(), options.partitions)) {
            loader.sendAll(List.of(first));

            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Dcamel.management.port=" + RunningBridge.freePort());
            // camel-main takes camel.component.* only from the file or system properties, not from the environment.
            command.add("-Dcamel.component.kafka.max-poll-records=500");
            command.add("-jar");
            command.add(JAR.toString());
            result.command = String.join(" ", command);
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.directory(Path.of("").toAbsolutePath().toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(name -> INHERITED_NAMES.contains(name)
                    || INHERITED_PREFIXES.stream().anyMatch(name::startsWith));
            env.putAll(environment(broker.bootstrapServers(), stub.baseUrl(), topics));
            builder.redirectErrorStream(true);
            builder.redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));

            long launchNanos = System.nanoTime();
            long launchMillis = System.currentTimeMillis();
            Process process = builder.start();
            try {
                long deadline = launchNanos + FIRST_OUTCOME_TIMEOUT.toNanos();
                while (collector.outcome(first) == null && process.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                OutcomeCollector.Outcome firstOutcome = collector.outcome(first);
                if (firstOutcome == null) {
                    result.notes.add(process.isAlive()
                            ? "no outcome within " + FIRST_OUTCOME_TIMEOUT.toSeconds() + " s"
                            : "the bridge exited with " + process.exitValue() + " before its first outcome");
                    result.notes.add("see " + logFile);
                    return result;
                }
                result.firstOutcomeReceivedMillis = (firstOutcome.receivedNanos() - launchNanos) / 1_000_000;
                result.firstOutcomeCreateMillis = firstOutcome.createTimeMillis() - launchMillis;
                long firstCall = stub.stats().firstArrival();
                result.firstStubCallMillis = firstCall < 0 ? -1 : (firstCall - launchNanos) / 1_000_000;

                List<String> ids = EventLoader.ids("m", options.startupEvents);
                result.events = ids.size();
                long start = System.nanoTime();
                loader.sendAll(ids);
                Set<String> missing = collector.awaitAll(ids, options.stall);
                long end = start;
                for (String id : ids) {
                    OutcomeCollector.Outcome outcome = collector.outcome(id);
                    if (outcome != null) {
                        result.outcomes++;
                        end = Math.max(end, outcome.receivedNanos());
                        if (!outcome.created()) {
                            result.deadLetters++;
                        }
                    }
                }
                result.seconds = (end - start) / 1e9;
                if (!missing.isEmpty()) {
                    result.notes.add(missing.size() + " events without outcome (no progress for "
                            + options.stall.toSeconds() + " s)");
                }
                if (!process.isAlive()) {
                    result.notes.add("the bridge exited with " + process.exitValue() + "; see " + logFile);
                    return result;
                }
                Map<String, Long> status = procStatus(process.pid());
                result.vmRssKb = status.getOrDefault("VmRSS", -1L);
                result.vmHwmKb = status.getOrDefault("VmHWM", -1L);

                long stopStart = System.nanoTime();
                process.destroy();
                if (process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    result.stopSeconds = (System.nanoTime() - stopStart) / 1e9;
                    result.exitCode = process.exitValue();
                } else {
                    result.notes.add("did not stop within " + STOP_TIMEOUT.toSeconds() + " s of SIGTERM; killed");
                }
            } finally {
                if (process.isAlive()) {
                    process.destroyForcibly();
                    process.waitFor(15, TimeUnit.SECONDS);
                }
            }
        }
        return result;
    }

    /** The README's environment variables for a bridge on this broker and stub, unlimited, in-flight as asked. */
    private Map<String, String> environment(String brokers, String koreBaseUrl, Topics topics) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BROKERS", brokers);
        env.put("KORE_BASE_URL", koreBaseUrl);
        env.put("KORE_ALLOW_PLAIN_HTTP", "true"); // the latency stub speaks plain http on loopback
        env.put("KORE_STREAM_ID", "st-test-stream");
        env.put("KORE_ACCOUNT_ID", "acc-test");
        env.put("KORE_IID", "st-test-app");
        env.put("KORE_CLIENT_ID", "cs-test-client");
        env.put("KORE_CLIENT_SECRET", RunningBridge.TEST_SECRET);
        env.put("BRIDGE_TOPIC_REQUESTS", topics.requests());
        env.put("BRIDGE_TOPIC_CREATED", topics.created());
        env.put("BRIDGE_TOPIC_DEAD_LETTER", topics.deadLetter());
        env.put("BRIDGE_TOPIC_PROCESSED", topics.processed());
        env.put("BRIDGE_CONSUMER_GROUP", topics.group());
        env.put("KORE_RATE_LIMIT_REQUESTS_PER_MINUTE", "0");
        env.put("BRIDGE_MAX_IN_FLIGHT", String.valueOf(options.inFlight));
        env.put("BRIDGE_OUTAGE_MAX_PAUSES", "0");
        // Logging as shipped (INFO): the start-up log is part of the start-up.
        if (options.bridgeLogLevel != null) {
            env.put("LOG_LEVEL", options.bridgeLogLevel);
        }
        return env;
    }

    /** Sizes in kB from /proc/PID/status (Linux), e.g. VmRSS and VmHWM; empty elsewhere. */
    static Map<String, Long> procStatus(long pid) {
        Map<String, Long> values = new LinkedHashMap<>();
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                String[] parts = line.split("\\s+");
                if (parts.length >= 3 && parts[0].startsWith("Vm") && parts[2].equals("kB")) {
                    values.put(parts[0].substring(0, parts[0].length() - 1), Long.parseLong(parts[1]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux, or the process is gone: report what we have.
        }
        return values;
    }

    /** MaxHeapSize a plain {@code java} on this machine chooses (no -Xmx), in bytes, or -1. */
    static long defaultMaxHeapBytes() {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+PrintFlagsFinal", "-version");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().keySet().removeIf(INHERITED_NAMES::contains);
            Process process = builder.start();
            long value = -1;
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    String[] parts = line.trim().split("\\s+");
                    if (parts.length >= 4 && parts[1].equals("MaxHeapSize")) {
                        value = Long.parseLong(parts[3]);
                    }
                }
            }
            process.waitFor(30, TimeUnit.SECONDS);
            return value;
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
