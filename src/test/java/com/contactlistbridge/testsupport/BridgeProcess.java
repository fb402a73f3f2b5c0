package com.contactlistbridge.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * The production bridge as operators run it: a separate JVM started from the test classpath with
 * {@code com.contactlistbridge.Application}, the project root as working directory (so {@code config/} and
 * {@code routes/} resolve as in production), configured by environment variables, with its own management port and
 * its console output in a log file.
 *
 * <p>Two ways to end it, both bounded: {@link #kill()} is {@code kill -9} (SIGKILL via
 * {@link Process#destroyForcibly()}): no shutdown hook runs, nothing is flushed or committed, as when a node or
 * container dies; {@link #stop(Duration)} is SIGTERM ({@link Process#destroy()}), as a container runtime sends it,
 * which lets camel-main shut down gracefully. {@link #close()} kills whatever is still running, and a JVM shutdown
 * hook kills every bridge process still alive when the test JVM exits, so no process outlives the build.
 *
 * <p>camel-main ignores environment variables ending in {@code _PORT} and those for {@code camel.component.*}: the
 * management port and Kafka client tuning go in as {@code -D} system properties ({@link Builder#systemProperty}).
 * The JVM runs with a small heap, the serial collector and C1 only (see {@link Builder}), which suits a bridge that
 * lives for seconds on a busy build machine; add options with {@link Builder#jvmOption}.
 */
public final class BridgeProcess implements AutoCloseable {

    /** Environment variables of the caller that would leak into the bridge's configuration; removed before a start. */
    private static final List<String> INHERITED_PREFIXES = List.of("KORE_", "KAFKA_", "BRIDGE_", "CAMEL_");
    private static final List<String> INHERITED_NAMES = List.of("LOG_FORMAT", "LOG_LEVEL", "ROOT_LOG_LEVEL",
            "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");
    /** Bound for the operating system to reap a killed process; SIGKILL cannot be ignored, so this is generous. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(15);

    /** Removes the caller's variables that would leak into a child JVM's bridge settings, logging or JVM flags. */
    public static void removeInheritedSettings(Map<String, String> environment) {
        environment.keySet().removeIf(variable -> INHERITED_NAMES.contains(variable)
                || INHERITED_PREFIXES.stream().anyMatch(variable::startsWith));
    }

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "bridge-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path logFile;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    private BridgeProcess(String name, Process process, Path logFile, int managementPort) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.managementPort = managementPort;
    }

    /** A new launcher; nothing runs until {@link Builder#start()}. */
    public static Builder builder(Path logFile) {
        return new Builder(logFile);
    }

    /**
     * The DESIGN.md environment variables for a bridge on {@code brokers} calling {@code koreBaseUrl}, with topics
     * {@code <prefix>.create}, {@code .created}, {@code .dlq}, {@code .processed} and group {@code <prefix>-bridge}:
     * the process counterpart of {@link RunningBridge#baseSettings} (fast retries, no rate limit, no outage pause),
     * except for a 10 s response timeout.
     */
    public static Map<String, String> baseEnvironment(String brokers, String koreBaseUrl, String topicPrefix) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BROKERS", brokers);
        env.put("KORE_BASE_URL", koreBaseUrl);
        env.put("KORE_ALLOW_PLAIN_HTTP", "true");
        env.put("KORE_STREAM_ID", "st-test-stream");
        env.put("KORE_ACCOUNT_ID", "acc-test");
        env.put("KORE_IID", "st-test-app");
        env.put("KORE_CLIENT_ID", "cs-test-client");
        env.put("KORE_CLIENT_SECRET", RunningBridge.TEST_SECRET);
        env.put("BRIDGE_TOPIC_REQUESTS", topicPrefix + ".create");
        env.put("BRIDGE_TOPIC_CREATED", topicPrefix + ".created");
        env.put("BRIDGE_TOPIC_DEAD_LETTER", topicPrefix + ".dlq");
        env.put("BRIDGE_CONSUMER_GROUP", topicPrefix + "-bridge");
        env.put("BRIDGE_TOPIC_PROCESSED", topicPrefix + ".processed");
        env.put("BRIDGE_RETRY_INITIAL_DELAY_MS", "50");
        env.put("BRIDGE_RETRY_MAX_DELAY_MS", "200");
        // Generous: a separate JVM on a busy build machine can be slow, and a spurious read timeout would be retried,
        // i.e. show up as an extra Kore.ai call in the counts of the resilience tests.
        env.put("KORE_HTTP_RESPONSE_TIMEOUT_MS", "10000");
        env.put("KORE_RATE_LIMIT_REQUESTS_PER_MINUTE", "0");
        // As RunningBridge: dead-letter at once when retries run out, no outage pause.
        env.put("BRIDGE_OUTAGE_MAX_PAUSES", "0");
        return env;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    public int managementPort() {
        return managementPort;
    }

    /** The base URL of the management server, e.g. for {@code /observe/health/ready}. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    /** Everything the process has written to stdout and stderr so far. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + logFile, e);
        }
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    public String logTail(int lines) {
        String[] all = log().split("\n", -1);
        int from = Math.max(0, all.length - lines);
        return String.join("\n", List.of(all).subList(from, all.length));
    }

    /**
     * Waits until {@code GET /observe/health/ready} answers 200: Camel and every route started, a broker answers.
     *
     * @throws AssertionError with the log tail if the process exits or is not ready within {@code timeout}
     */
    public BridgeProcess awaitReady(Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited with " + process.exitValue() + " before it was ready; "
                            + "log " + logFile + ":\n" + logTail(40));
                }
                return readyStatus() == 200;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(name + " was not ready within " + timeout + "; log " + logFile + ":\n"
                    + logTail(40), e);
        }
        return this;
    }

    /** The Prometheus scrape of {@code /observe/metrics}, or "" when the management server does not answer. */
    public String metrics() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl() + "/observe/metrics"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The HTTP status of {@code /observe/health/ready}, or -1 when the management server does not answer. */
    public int readyStatus() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl() + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * {@code kill -9}: SIGKILL, no shutdown hook, no last commit. Waits until the operating system has reaped it.
     *
     * @return the exit value (137 on Linux)
     */
    public int kill() {
        process.destroyForcibly();
        return awaitKilled(KILL_WAIT, "kill -9");
    }

    /**
     * SIGTERM, as a container runtime sends it, then waits up to {@code timeout} for a graceful exit.
     *
     * @return the exit value
     * @throws AssertionError (after killing it) if the process did not exit within {@code timeout}
     */
    public int stop(Duration timeout) {
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                awaitKilled(KILL_WAIT, "kill -9 after a stop timed out");
                throw new AssertionError(name + " did not stop within " + timeout + " of SIGTERM (killed it); log "
                        + logFile + ":\n" + logTail(40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("Interrupted while stopping " + name, e);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    /**
     * Waits for the process to exit on its own, e.g. after a configuration error (exit code 2).
     *
     * @return the exit value
     * @throws AssertionError (after killing it) if it still runs after {@code timeout}
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError(name + " still ran " + timeout + " after its start (killed it); log "
                        + logFile + ":\n" + logTail(40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("Interrupted while waiting for " + name + " to exit", e);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    /** Kills the process if it is still running; calling it again does nothing. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        LIVE.remove(process);
    }

    @Override
    public String toString() {
        return "BridgeProcess[" + name + ", pid " + pid() + (isAlive() ? ", running" : ", exited") + ", log "
                + logFile + "]";
    }

    private int awaitKilled(Duration timeout, String what) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " (pid " + pid() + ") still runs " + timeout + " after "
                        + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + name + " to exit", e);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    /** Collects the settings of one bridge process. */
    public static final class Builder {

        private final Path logFile;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        // Small and quick to warm up: C1 only, because a test's bridge lives for seconds, not hours; on a 2-core
        // machine C2 compilation of a fresh JVM competes with the broker and the other processes of the test.
        private final List<String> jvmOptions = new ArrayList<>(
                List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        private final List<String> arguments = new ArrayList<>();
        private String name = "bridge";

        private Builder(Path logFile) {
            this.logFile = Objects.requireNonNull(logFile, "logFile");
        }

        /** A name for messages, e.g. "bridge-1". */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Adds environment variables (the bridge's documented way of configuration). */
        public Builder environment(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        public Builder environment(String variable, String value) {
            environment.put(variable, value);
            return this;
        }

        /** A {@code -Dkey=value} option: for keys camel-main does not take from the environment. */
        public Builder systemProperty(String key, String value) {
            systemProperties.put(key, value);
            return this;
        }

        /** Program arguments, e.g. {@code replay --dry-run}; none runs the bridge. */
        public Builder arguments(String... args) {
            arguments.addAll(List.of(args));
            return this;
        }

        /** An extra JVM option such as {@code -Xmx256m}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /**
         * Kafka group settings that make a dead member's partitions move within seconds: session timeout 6 s (the
         * broker's minimum; the client default is 45 s), heartbeat every second. Delivery semantics are unchanged;
         * only the time until the group notices a {@code kill -9} is shorter.
         */
        public Builder fastGroupFailover() {
            systemProperties.put("camel.component.kafka.session-timeout-ms", "6000");
            systemProperties.put("camel.component.kafka.heartbeat-interval-ms", "1000");
            return this;
        }

        /**
         * Starts the JVM and returns at once; use {@link BridgeProcess#awaitReady(Duration)} to wait for it. The
         * management port is a free loopback port unless {@code camel.management.port} was given.
         */
        public BridgeProcess start() throws IOException {
            int port = systemProperties.containsKey("camel.management.port")
                    ? Integer.parseInt(systemProperties.get("camel.management.port"))
                    : RunningBridge.freePort();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-Dcamel.management.port=" + port);
            systemProperties.entrySet().stream()
                    .filter(entry -> !entry.getKey().equals("camel.management.port"))
                    .forEach(entry -> command.add("-D" + entry.getKey() + "=" + entry.getValue()));
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("com.contactlistbridge.Application");
            command.addAll(arguments);

            ProcessBuilder builder = new ProcessBuilder(command);
            // The project root, as surefire's working directory: config/ and routes/ resolve as in production.
            builder.directory(new File(System.getProperty("user.dir")));
            Map<String, String> env = builder.environment();
            removeInheritedSettings(env);
            env.putAll(environment);
            builder.redirectErrorStream(true);
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            Process process = builder.start();
            LIVE.add(process);
            return new BridgeProcess(name, process, logFile, port);
        }
    }
}
