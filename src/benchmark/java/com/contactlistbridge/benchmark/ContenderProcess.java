package com.contactlistbridge.benchmark;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.contactlistbridge.testsupport.BridgeProcess;
import com.contactlistbridge.testsupport.RunningBridge;

/**
 * One contender as its own JVM, launched with the default JVM flags of a plain {@code java} (no {@code -Xmx}), so
 * that no contender inherits another's JIT work; the broker, the stub, the load generator and the outcome collector
 * stay in the harness's JVM.
 * <ul>
 *   <li>{@code bridge}: {@code java -jar <jar>} as production runs it: settings as environment variables,
 *       {@code camel.*} keys (which camel-main does not take from the environment) and a free management port as
 *       {@code -D} system properties, the working directory holding {@code config/} and {@code routes/}. Only the
 *       settings the run needs are given (addresses, identity, topics, group, in-flight, request budget); everything
 *       else, {@code max-poll-records} included, is the shipped default unless an option says otherwise.</li>
 *   <li>{@code bridge-no-dedupe}: the same jar with {@code BRIDGE_DEDUPE_ENABLED=false}.</li>
 *   <li>{@code baseline}: {@code java -cp <the harness's class path> ...Baseline <arguments>}.</li>
 *   <li>{@code camel-floor}: the same with {@link CamelFloor}.</li>
 * </ul>
 * Standard output and error go to one log file; {@link #stop(Duration)} sends SIGTERM and waits.
 */
final class ContenderProcess implements AutoCloseable {

    static final String BRIDGE = "bridge";
    static final String BASELINE = "baseline";
    static final String BRIDGE_NO_DEDUPE = "bridge-no-dedupe";
    static final String CAMEL_FLOOR = "camel-floor";
    static final List<String> NAMES = List.of(BRIDGE, BASELINE, BRIDGE_NO_DEDUPE, CAMEL_FLOOR);

    /**
     * Taken as they are from {@link RunningBridge#baseSettings}: where Kafka and the stub are, and the Kore.ai
     * identity. Its test tuning (fast retries, short timeouts, no budget, no outage pause) is left out.
     */
    private static final List<String> BASE_KEYS = List.of("kafka.brokers", "kore.base-url", "kore.allow-plain-http",
            "kore.stream-id", "kore.account-id", "kore.iid", "kore.client-id", "kore.client-secret");
    /** Kafka's consumer INFO line "Adding newly assigned partitions: ..." and the baseline's own line. */
    private static final Pattern ASSIGNED = Pattern.compile("(?i)newly assigned partitions|partitions assigned");
    private static final Duration KILL_WAIT = Duration.ofSeconds(15);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        // The harness ends with System.exit; no contender may outlive it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "contender-reaper"));
    }

    /**
     * What a contender is told: where Kafka and the stub are, its topics, and the settings of the run.
     *
     * @param maxPollRecords    max.poll.records for both contenders, or null for each one's own default (the bridge:
     *                          its shipped config; the baseline: Kafka's 500)
     * @param requestsPerMinute Kore.ai request budget, 0 = unlimited
     */
    record Config(String brokers, String koreBaseUrl, Topics topics, int inFlight, Integer maxPollRecords,
                  int requestsPerMinute) {
    }

    /** How a SIGTERM ended: seconds until exit, the exit code, whether it had to be killed after all. */
    record Stop(double seconds, int exitCode, boolean killed) {
    }

    private final String name;
    private final Process process;
    private final Path logFile;
    private final String command;
    private final Topics topics;
    private final long launchNanos;
    private final long launchMillis;
    private final LocalTime launchTime;

    private ContenderProcess(String name, Process process, Path logFile, String command, Topics topics,
                             long launchNanos, long launchMillis, LocalTime launchTime) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.command = command;
        this.topics = topics;
        this.launchNanos = launchNanos;
        this.launchMillis = launchMillis;
        this.launchTime = launchTime;
    }

    /** Starts the contender's JVM and returns at once; it is up when a first event gets its outcome. */
    static ContenderProcess launch(String name, Config config, BenchmarkOptions options, Path logFile)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options.jvmOptions);
        Map<String, String> environment = new LinkedHashMap<>();
        File directory;
        switch (name) {
            case BASELINE, CAMEL_FLOOR -> {
                // Both take the same arguments (Baseline.arguments).
                command.add("-cp");
                command.add(System.getProperty("java.class.path"));
                command.add((name.equals(BASELINE) ? Baseline.class : CamelFloor.class).getName());
                command.addAll(Baseline.arguments(config));
                directory = Path.of("").toAbsolutePath().toFile();
            }
            case BRIDGE, BRIDGE_NO_DEDUPE -> {
                bridgeSettings(config, name.equals(BRIDGE)).forEach((key, value) -> {
                    if (key.startsWith("camel.")) {
                        command.add("-D" + key + "=" + value);
                    } else {
                        environment.put(environmentName(key), value);
                    }
                });
                if (options.bridgeLogLevel != null) {
                    environment.put("LOG_LEVEL", options.bridgeLogLevel);
                }
                command.add("-jar");
                command.add(options.bridgeJar.toAbsolutePath().toString());
                directory = options.bridgeDir.toAbsolutePath().toFile();
            }
            default -> throw new IllegalArgumentException("Unknown contender " + name);
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory);
        Map<String, String> env = builder.environment();
        BridgeProcess.removeInheritedSettings(env);
        env.putAll(environment);
        builder.redirectErrorStream(true);
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        StringBuilder header = new StringBuilder("# ").append(name).append(" in ").append(directory).append('\n');
        environment.forEach((variable, value) -> header.append("# ").append(variable).append('=')
                .append(variable.contains("SECRET") ? "***" : value).append('\n'));
        header.append("# ").append(String.join(" ", command)).append('\n');
        Files.writeString(logFile, header, StandardCharsets.UTF_8);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));

        long launchNanos = System.nanoTime();
        long launchMillis = System.currentTimeMillis();
        LocalTime launchTime = LocalTime.now();
        Process process = builder.start();
        LIVE.add(process);
        String display = String.join(" ", command).replace(System.getProperty("java.class.path"),
                "<the harness's class path>");
        return new ContenderProcess(name, process, logFile, display, config.topics(), launchNanos, launchMillis,
                launchTime);
    }

    /** The bridge's settings as properties; {@code camel.*} become -D options, the others environment variables. */
    static Map<String, String> bridgeSettings(Config config, boolean dedupe) {
        Topics topics = config.topics();
        Map<String, String> base = RunningBridge.baseSettings(config.brokers(), config.koreBaseUrl(), topics.prefix());
        Map<String, String> settings = new LinkedHashMap<>();
        BASE_KEYS.forEach(key -> settings.put(key, base.get(key)));
        settings.put("bridge.topic.requests", topics.requests());
        settings.put("bridge.topic.created", topics.created());
        settings.put("bridge.topic.dead-letter", topics.deadLetter());
        settings.put("bridge.topic.processed", topics.processed());
        settings.put("bridge.add-contacts.topic.requests", topics.addContactsRequests());
        settings.put("bridge.add-contacts.topic.done", topics.addContactsDone());
        settings.put("bridge.add-contacts.topic.dead-letter", topics.addContactsDeadLetter());
        settings.put("bridge.consumer-group", topics.group());
        settings.put("bridge.max-in-flight", String.valueOf(config.inFlight()));
        settings.put("kore.rate-limit.requests-per-minute", String.valueOf(config.requestsPerMinute()));
        if (!dedupe) {
            settings.put("bridge.dedupe.enabled", "false");
        }
        if (config.maxPollRecords() != null) {
            settings.put("camel.component.kafka.max-poll-records", String.valueOf(config.maxPollRecords()));
        }
        settings.put("camel.management.port", String.valueOf(RunningBridge.freePort()));
        return settings;
    }

    /** Camel's property-to-environment mapping: upper case, {@code .} and {@code -} become {@code _}. */
    static String environmentName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The command line, the baseline's class path abbreviated. */
    String command() {
        return command;
    }

    /** System.nanoTime() right before the launch. */
    long launchNanos() {
        return launchNanos;
    }

    /** System.currentTimeMillis() right before the launch, to compare with Kafka CreateTimes. */
    long launchMillis() {
        return launchMillis;
    }

    /** "bridge exited with N; see LOG" for messages about a contender that died. */
    String exitDescription() {
        return name + (process.isAlive() ? " still running" : " exited with " + process.exitValue()) + "; see "
                + logFile;
    }

    /** VmRSS in kB from /proc (Linux), or -1. */
    long vmRssKb() {
        return procStatus(process.pid()).getOrDefault("VmRSS", -1L);
    }

    /** CPU time (user + system, all threads) the process has used so far, in ms from /proc (Linux), or -1. */
    long cpuMillis() {
        return cpuMillis(process.pid());
    }

    /** CPU time (user + system, all threads) of process {@code pid} so far, in ms from /proc (Linux), or -1. */
    static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name (which may hold spaces) start after the last ')': utime is field 14.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU time in ms (user + system) of each group of the process's threads, from /proc/PID/task (Linux; empty
     * elsewhere). A group is a thread name without its digits and '#', so "C2 CompilerThread0" and "C2
     * CompilerThread1" (the JIT), "GC Thread#0" and "GC Thread#1" add up; exited threads are missing.
     */
    Map<String, Long> cpuMillisByThreadGroup() {
        return cpuMillisByThreadGroup(process.pid());
    }

    /** {@link #cpuMillisByThreadGroup()} of process {@code pid}. */
    static Map<String, Long> cpuMillisByThreadGroup(long pid) {
        Map<String, Long> groups = new TreeMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (var stream = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) stream::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[0-9#]", "").trim();
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    groups.merge(name, ticks * 1000 / CLOCK_TICKS_PER_SECOND, Long::sum);
                } catch (IOException | RuntimeException threadGone) {
                    // The thread ended between the listing and the read.
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return groups;
    }

    /** "group 0.41, other 0.12, ..." : the groups' CPU between two readings per event, largest first. */
    static String perEvent(Map<String, Long> before, Map<String, Long> after, int events) {
        if (events <= 0 || after.isEmpty()) {
            return "-";
        }
        List<Map.Entry<String, Long>> deltas = new ArrayList<>();
        after.forEach((group, millis) -> deltas.add(Map.entry(group, millis - before.getOrDefault(group, 0L))));
        deltas.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Long> delta : deltas) {
            if (delta.getValue() * 100 >= events) { // at least 0.01 ms per event
                parts.add(delta.getKey() + " "
                        + String.format(Locale.ROOT, "%.2f", delta.getValue() / (double) events));
            }
        }
        return String.join(", ", parts);
    }

    /** USER_HZ of Linux: /proc/PID/stat counts CPU time in these ticks (100 on every common platform). */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    /** VmHWM (peak resident memory) in kB from /proc (Linux), or -1. */
    long vmHwmKb() {
        return procStatus(process.pid()).getOrDefault("VmHWM", -1L);
    }

    /**
     * Launch to the first logged assignment of partitions of the requests topic (Kafka's consumer INFO line
     * "Adding newly assigned partitions", or the baseline's own line), from the text log's HH:mm:ss.SSS timestamp;
     * -1 when no such line was logged (a bridge build older than the INFO logger for it in logback.xml).
     */
    long partitionsAssignedMillis() {
        List<String> lines;
        try {
            lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return -1;
        }
        for (String line : lines) {
            // "<requests>-0": the created topic's name starts with the requests topic's.
            if (line.length() < 12 || !line.contains(topics.requests() + "-") || !ASSIGNED.matcher(line).find()) {
                continue;
            }
            try {
                LocalTime logged = LocalTime.parse(line.substring(0, 12));
                long millis = Duration.between(launchTime, logged).toMillis();
                return millis < 0 ? millis + TimeUnit.DAYS.toMillis(1) : millis;
            } catch (DateTimeParseException notText) {
                // Another log format: keep looking.
            }
        }
        return -1;
    }

    /** SIGTERM (as a container runtime sends it), then waits up to {@code timeout}; kills it after that. */
    Stop stop(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!exited) {
            process.destroyForcibly();
            process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        LIVE.remove(process);
        return new Stop(seconds, process.isAlive() ? -1 : process.exitValue(), !exited);
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        LIVE.remove(process);
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
            BridgeProcess.removeInheritedSettings(builder.environment());
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
