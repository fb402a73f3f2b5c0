package com.contactlistbridge.benchmark;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.contactlistbridge.benchmark.ContenderProcess.Config;
import com.contactlistbridge.embedded.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Benchmark of the shipped bridge jar against a hand-written baseline doing the same contract, each contender in its
 * own JVM, on an in-process Kafka broker and a local HTTP stub with configurable latency (both in this JVM). Run with
 * {@code ./mvnw -B -Pbenchmark verify}; options in {@link BenchmarkOptions#USAGE}. Exits non-zero only when the
 * harness itself fails, never for a missed target.
 */
public final class BenchmarkHarness {

    static final Path OUTPUT_DIR = Path.of("target", "benchmark");
    /** The startup scenario's "core load": resident memory is read right after these. */
    static final int CORE_LOAD_EVENTS = 30;
    private static final Duration FIRST_OUTCOME_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /** A JVM that ends on SIGTERM after its shutdown hooks exits with 128 + 15. */
    private static final int SIGTERM_EXIT = 143;
    /** Partitions of the processed-events topic, as the bridge creates it on a first start. */
    private static final int PROCESSED_PARTITIONS = 3;

    private final BenchmarkOptions options;
    private final PrintStream console;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final Results results = new Results();
    private final Instant started = Instant.now();
    private final long startNanos = System.nanoTime();
    private EmbeddedKafkaBroker broker;
    private long defaultMaxHeapBytes = -1;

    private BenchmarkHarness(BenchmarkOptions options, PrintStream console) {
        this.options = options;
        this.console = console;
    }

    public static void main(String[] args) {
        PrintStream console = System.out;
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            console.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.help) {
            console.print(BenchmarkOptions.USAGE);
            System.exit(0);
        }
        int exit;
        try {
            Files.createDirectories(OUTPUT_DIR);
            routeLogsToFile();
            exit = new BenchmarkHarness(options, console).run();
        } catch (Throwable t) {
            console.println("[bench] HARNESS ERROR: " + t);
            t.printStackTrace(console);
            exit = 1;
        }
        console.flush();
        // Kafka client threads may linger; the results are written, and the contenders die with us.
        System.exit(exit);
    }

    /**
     * The harness's own logging (broker, clients) at WARN, set before the first logger exists (logback.xml reads
     * ROOT_LOG_LEVEL). The console appender writes to System.out, so System.out becomes a log file and the harness
     * keeps the real console for its report.
     */
    private static void routeLogsToFile() throws IOException {
        if (System.getProperty("ROOT_LOG_LEVEL") == null) {
            System.setProperty("ROOT_LOG_LEVEL", "WARN");
        }
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path logFile = OUTPUT_DIR.resolve("harness.log");
        System.setOut(new PrintStream(new FileOutputStream(logFile.toFile()), true, StandardCharsets.UTF_8));
    }

    private int run() throws Exception {
        boolean bridgeNeeded = options.contenders.stream().anyMatch(name -> name.startsWith(ContenderProcess.BRIDGE));
        if (bridgeNeeded && !Files.isRegularFile(options.bridgeJar)) {
            throw new IllegalStateException(options.bridgeJar.toAbsolutePath() + " is missing: run the package phase "
                    + "first (./mvnw -B -Pbenchmark verify does) or give --bridge-jar");
        }
        say("machine: " + Report.machine());
        say("run " + runId + ", scenarios " + options.scenarios + ", contenders " + options.contenders + ", "
                + options.rounds + " round(s); logs in " + OUTPUT_DIR);
        if (bridgeNeeded) {
            say("bridge: " + Report.jarDescription(options.bridgeJar) + ", working directory "
                    + options.bridgeDir.toAbsolutePath());
        }
        defaultMaxHeapBytes = ContenderProcess.defaultMaxHeapBytes();
        long brokerStart = System.nanoTime();
        broker = EmbeddedKafkaBroker.start();
        say(String.format(Locale.ROOT, "Kafka broker at %s (%.1f s)", broker.bootstrapServers(),
                (System.nanoTime() - brokerStart) / 1e9));
        try {
            for (String scenario : options.scenarios) {
                long scenarioStart = System.nanoTime();
                BenchmarkOptions.Load load = options.load(scenario);
                if (load != null) {
                    for (int round = 1; round <= options.rounds; round++) {
                        List<String> order = order(round);
                        for (int i = 0; i < order.size(); i++) {
                            results.throughputRuns.add(runThroughput(load, order.get(i), round, i + 1));
                        }
                    }
                } else if (scenario.equals(BenchmarkOptions.RATE)) {
                    for (String contender : options.contenders) {
                        if (!contender.equals(ContenderProcess.BRIDGE_NO_DEDUPE)) {
                            // The budget is the same with or without the store.
                            results.rateRuns.add(runRate(contender));
                        }
                    }
                } else {
                    for (int round = 1; round <= options.rounds; round++) {
                        List<String> order = order(round);
                        for (int i = 0; i < order.size(); i++) {
                            results.startupRuns.add(runStartup(order.get(i), round, i + 1));
                        }
                    }
                }
                double seconds = (System.nanoTime() - scenarioStart) / 1e9;
                results.scenarioSeconds.put(scenario, seconds);
                say(String.format(Locale.ROOT, "%s done in %s", scenario, Report.duration(seconds)));
                // A partial report survives a later failure.
                writeReport();
            }
        } finally {
            broker.close();
        }
        Path file = writeReport();
        console.println();
        console.print(Files.readString(file, StandardCharsets.UTF_8));
        console.println("[bench] written to " + file.toAbsolutePath());
        StringBuilder perScenario = new StringBuilder();
        results.scenarioSeconds.forEach((scenario, seconds) -> perScenario.append(perScenario.isEmpty() ? "" : ", ")
                .append(scenario).append(' ').append(Report.duration(seconds)));
        console.println("[bench] total runtime " + Report.duration(elapsedSeconds()) + " (" + perScenario + ")");
        return 0;
    }

    /** Odd rounds in the order of --contenders, even rounds reversed. */
    private List<String> order(int round) {
        List<String> order = new ArrayList<>(options.contenders);
        if (round % 2 == 0) {
            Collections.reverse(order);
        }
        return order;
    }

    // ---------------------------------------------------------------- burst and backlog

    private Results.ThroughputRun runThroughput(BenchmarkOptions.Load load, String contender, int round,
                                                int position) throws Exception {
        Results.ThroughputRun run = new Results.ThroughputRun();
        run.scenario = load.name();
        run.contender = contender;
        run.round = round;
        run.position = position;
        run.stubLatencyMillis = load.latencyMillis();
        run.events = load.events();
        run.latencyEvents = options.latencyEvents;
        Topics topics = Topics.forPrefix(prefix(load.name() + "-r" + round, contender));
        createTopics(topics);
        String label = load.name() + "/" + contender + "/r" + round;
        Path logFile = logFile(load.name(), contender, round);
        run.logFile = logFile.toString();

        try (LatencyStub stub = new LatencyStub(load.latencyMillis(), 0, options.stubThreads);
             OutcomeCollector collector = new OutcomeCollector(broker.bootstrapServers(), topics.created(),
                     topics.deadLetter(), options.partitions);
             EventLoader loader = new EventLoader(broker.bootstrapServers(), topics.requests())) {
            Config config = new Config(broker.bootstrapServers(), stub.baseUrl(), topics, options.inFlight,
                    options.maxPollRecords, 0);
            List<String> all = new ArrayList<>();
            try (ContenderProcess process = ContenderProcess.launch(contender, config, options, logFile)) {
                List<String> warmup = EventLoader.ids("w", Math.max(1, options.warmup));
                all.addAll(warmup);
                run.warmupEvents = warmup.size();
                loader.sendAll(warmup);
                Set<String> missing = collector.awaitAll(warmup, options.stall, process::isAlive);
                long[] span = collector.receivedSpan(warmup);
                if (span != null) {
                    run.startSeconds = (span[0] - process.launchNanos()) / 1e9;
                    run.warmupSeconds = (span[1] - process.launchNanos()) / 1e9;
                }
                run.warmupComplete = missing.isEmpty();
                if (!run.warmupComplete) {
                    run.notes.add("warm-up incomplete: " + missing.size() + " of " + warmup.size()
                            + " without outcome (" + process.exitDescription() + "); nothing measured");
                    say(label + ": warm-up incomplete, skipping the measurement; " + process.exitDescription());
                    stop(process, run);
                    finish(run, stub, collector, all);
                    return run;
                }
                say(String.format(Locale.ROOT, "%s: up %.1f s after launch, %d warm-up events done %.1f s after "
                        + "launch; measuring %d events at %d ms", label, run.startSeconds, warmup.size(),
                        run.warmupSeconds, load.events(), load.latencyMillis()));

                List<String> measured = EventLoader.ids("t", load.events());
                all.addAll(measured);
                long cpuBefore = process.cpuMillis();
                long harness = ProcessHandle.current().pid();
                Map<String, Long> threadsBefore = process.cpuMillisByThreadGroup();
                long harnessCpuBefore = ContenderProcess.cpuMillis(harness);
                Map<String, Long> harnessBefore = ContenderProcess.cpuMillisByThreadGroup(harness);
                Map<String, Long> requestsBefore = brokerRequests();
                long sendStart = System.nanoTime();
                loader.sendAll(measured);
                missing = collector.awaitAll(measured, options.stall, process::isAlive);
                long cpuAfter = process.cpuMillis();
                Map<String, Long> threadsAfter = process.cpuMillisByThreadGroup();
                long harnessCpuAfter = ContenderProcess.cpuMillis(harness);
                Map<String, Long> harnessAfter = ContenderProcess.cpuMillisByThreadGroup(harness);
                Map<String, Long> requestsAfter = brokerRequests();
                run.outcomes = (int) collector.count(measured)[0];
                say(label + ": CPU ms per event by thread group: "
                        + ContenderProcess.perEvent(threadsBefore, threadsAfter, run.outcomes)
                        + String.format(Locale.ROOT, "; the harness's JVM (broker, stub, load, collector) %.2f",
                                (harnessCpuAfter - harnessCpuBefore) / (double) Math.max(1, run.outcomes))
                        + ": " + ContenderProcess.perEvent(harnessBefore, harnessAfter, run.outcomes)
                        + "; broker requests per 100 events: "
                        + perHundred(requestsBefore, requestsAfter, run.outcomes));
                if (cpuBefore >= 0 && cpuAfter >= 0 && run.outcomes > 0) {
                    run.cpuMillisPerEvent = (cpuAfter - cpuBefore) / (double) run.outcomes;
                }
                span = collector.receivedSpan(measured);
                run.seconds = span == null ? 0 : (span[1] - sendStart) / 1e9;
                if (!missing.isEmpty()) {
                    run.notes.add(missing.size() + " events without outcome (no progress for "
                            + options.stall.toSeconds() + " s, or " + process.exitDescription() + ")");
                }
                say(String.format(Locale.ROOT, "%s: %d of %d outcomes in %.2f s = %s events/s", label, run.outcomes,
                        load.events(), run.seconds, Report.fmt(run.eventsPerSecond())));

                if (options.latencyEvents > 0) {
                    List<String> paced = EventLoader.ids("l", options.latencyEvents);
                    all.addAll(paced);
                    measureAddedLatency(run, paced, loader, collector, process);
                }
                run.vmRssKb = process.vmRssKb();
                stop(process, run);
            }
            finish(run, stub, collector, all);
        }
        return run;
    }

    /** Paced events; added latency = outcome CreateTime - input CreateTime - stub latency. */
    private void measureAddedLatency(Results.ThroughputRun run, List<String> paced, EventLoader loader,
                                     OutcomeCollector collector, ContenderProcess process) throws Exception {
        loader.sendPaced(paced, options.latencyRate);
        Set<String> missing = collector.awaitAll(paced, options.stall, process::isAlive);
        List<Long> added = new ArrayList<>();
        for (String id : paced) {
            OutcomeCollector.Outcome outcome = collector.outcome(id);
            Long input = loader.createTime(id);
            if (outcome != null && input != null) {
                added.add(outcome.createTimeMillis() - input - run.stubLatencyMillis);
            }
        }
        run.latencyMeasured = added.size();
        long[] sorted = Results.sorted(added);
        run.p50 = Results.percentile(sorted, 50);
        run.p99 = Results.percentile(sorted, 99);
        if (!missing.isEmpty()) {
            run.notes.add(missing.size() + " paced events without outcome");
        }
        if (options.latencyRate > run.eventsPerSecond()) {
            run.notes.add("paced rate " + Report.fmt(options.latencyRate) + "/s is above the throughput, so the "
                    + "added latency includes queueing");
        }
    }

    private static void finish(Results.ThroughputRun run, LatencyStub stub, OutcomeCollector collector,
                               List<String> ids) {
        run.stub = stub.stats();
        run.duplicates = collector.duplicates();
        run.deadLetters = collector.count(ids)[1];
        if (run.deadLetters > 0) {
            run.notes.add("dead letters by reason: " + collector.deadLetterReasons(ids));
        }
        if (collector.unidentified() > 0) {
            run.notes.add(collector.unidentified() + " outcome records without an event id");
        }
        if (run.stub.missingAuth() > 0 || run.stub.otherErrors() > 0) {
            run.notes.add("stub refused " + run.stub.missingAuth() + " calls without auth and "
                    + run.stub.otherErrors() + " other calls");
        }
    }

    // ---------------------------------------------------------------- rate-limited backlog

    private Results.RateRun runRate(String contender) throws Exception {
        Results.RateRun run = new Results.RateRun();
        run.contender = contender;
        run.rateLimit = options.rateLimit;
        run.backlog = options.rateBacklogEvents();
        Topics topics = Topics.forPrefix(prefix("rate", contender));
        createTopics(topics);
        String label = "rate/" + contender;
        Path logFile = logFile(BenchmarkOptions.RATE, contender, 1);
        run.logFile = logFile.toString();
        say(String.format(Locale.ROOT, "%s: %d events backlog, limit %d/min (about %.1f min)", label, run.backlog,
                run.rateLimit, run.backlog / (double) run.rateLimit));

        try (LatencyStub stub = new LatencyStub(0, options.rateLimit, options.stubThreads);
             OutcomeCollector collector = new OutcomeCollector(broker.bootstrapServers(), topics.created(),
                     topics.deadLetter(), options.partitions);
             EventLoader loader = new EventLoader(broker.bootstrapServers(), topics.requests())) {
            List<String> ids = EventLoader.ids("r", run.backlog);
            loader.sendAll(ids);
            Config config = new Config(broker.bootstrapServers(), stub.baseUrl(), topics, options.inFlight,
                    options.maxPollRecords, options.rateLimit);
            try (ContenderProcess process = ContenderProcess.launch(contender, config, options, logFile)) {
                Set<String> missing = collector.awaitAll(ids, options.stall, process::isAlive);
                long[] counts = collector.count(ids);
                run.outcomes = (int) counts[0];
                run.deadLetters = counts[1];
                long[] span = collector.receivedSpan(ids);
                run.totalSeconds = span == null ? 0 : (span[1] - process.launchNanos()) / 1e9;
                if (!missing.isEmpty()) {
                    run.notes.add(missing.size() + " events without outcome (no progress for "
                            + options.stall.toSeconds() + " s, or " + process.exitDescription() + ")");
                }
                run.vmRssKb = process.vmRssKb();
                stop(process, run);
            }
            run.stub = stub.stats();
            run.duplicates = collector.duplicates();
            say(String.format(Locale.ROOT, "%s: %d outcomes in %.1f s, %s calls/min, %d x 429", label, run.outcomes,
                    run.totalSeconds, Report.fmt(run.stub.achievedPerMinute()), run.stub.rateLimited()));
        }
        return run;
    }

    // ---------------------------------------------------------------- start-up and memory

    /**
     * One event waits before the launch (a restart of a deployment with work queued); launch to its outcome, then
     * {@link #CORE_LOAD_EVENTS} events and the resident memory, then --startup-events more and the memory again.
     */
    private Results.StartupRun runStartup(String contender, int round, int position) throws Exception {
        Results.StartupRun run = new Results.StartupRun();
        run.contender = contender;
        run.round = round;
        run.position = position;
        Topics topics = Topics.forPrefix(prefix("startup-r" + round, contender));
        createTopics(topics);
        String label = "startup/" + contender + "/r" + round;
        Path logFile = logFile(BenchmarkOptions.STARTUP, contender, round);
        run.logFile = logFile.toString();
        String first = "first";

        try (LatencyStub stub = new LatencyStub(0, 0, options.stubThreads);
             EventLoader loader = new EventLoader(broker.bootstrapServers(), topics.requests());
             OutcomeCollector collector = new OutcomeCollector(broker.bootstrapServers(), topics.created(),
                     topics.deadLetter(), options.partitions)) {
            loader.sendAll(List.of(first));
            Config config = new Config(broker.bootstrapServers(), stub.baseUrl(), topics, options.inFlight,
                    options.maxPollRecords, 0);
            try (ContenderProcess process = ContenderProcess.launch(contender, config, options, logFile)) {
                run.command = process.command();
                collector.awaitAll(List.of(first), FIRST_OUTCOME_TIMEOUT, process::isAlive);
                OutcomeCollector.Outcome firstOutcome = collector.outcome(first);
                if (firstOutcome == null) {
                    run.notes.add("no first outcome within " + FIRST_OUTCOME_TIMEOUT.toSeconds() + " s ("
                            + process.exitDescription() + ")");
                    say(label + ": no first outcome; " + process.exitDescription());
                    stop(process, run);
                    return run;
                }
                run.firstOutcomeReceivedMillis = (firstOutcome.receivedNanos() - process.launchNanos()) / 1_000_000;
                run.firstOutcomeCreateMillis = firstOutcome.createTimeMillis() - process.launchMillis();
                long firstCall = stub.stats().firstArrival();
                run.firstStubCallMillis = firstCall < 0 ? -1 : (firstCall - process.launchNanos()) / 1_000_000;

                List<String> core = EventLoader.ids("c", CORE_LOAD_EVENTS);
                run.coreEvents = core.size();
                loader.sendAll(core);
                collector.awaitAll(core, options.stall, process::isAlive);
                run.coreOutcomes = (int) collector.count(core)[0];
                run.coreRssKb = process.vmRssKb();
                // Read after the first outcome and the core load: the line is surely written by now.
                run.assignedMillis = process.partitionsAssignedMillis();

                List<String> ids = EventLoader.ids("m", options.startupEvents);
                run.events = ids.size();
                long start = System.nanoTime();
                loader.sendAll(ids);
                Set<String> missing = collector.awaitAll(ids, options.stall, process::isAlive);
                long[] counts = collector.count(ids);
                run.outcomes = (int) counts[0];
                run.deadLetters = counts[1];
                long[] span = collector.receivedSpan(ids);
                run.seconds = span == null ? 0 : (span[1] - start) / 1e9;
                if (!missing.isEmpty()) {
                    run.notes.add(missing.size() + " events without outcome (no progress for "
                            + options.stall.toSeconds() + " s, or " + process.exitDescription() + ")");
                }
                run.vmRssKb = process.vmRssKb();
                run.vmHwmKb = process.vmHwmKb();
                stop(process, run);
            }
            run.duplicates = collector.duplicates();
            say(String.format(Locale.ROOT, "%s: partitions assigned %s, first outcome %d ms after launch; VmRSS %s "
                            + "after %d events, %s after %d more (%s events/s); SIGTERM -> exit %.1f s", label,
                    run.assignedMillis < 0 ? "not logged" : run.assignedMillis + " ms", run.firstOutcomeCreateMillis,
                    Report.mb(run.coreRssKb), run.coreEvents, Report.mb(run.vmRssKb), run.events,
                    Report.fmt(run.seconds > 0 ? run.outcomes / run.seconds : Double.NaN), run.stopSeconds));
        }
        return run;
    }

    // ---------------------------------------------------------------- helpers

    private void stop(ContenderProcess process, Results.ProcessRun run) throws InterruptedException {
        if (!process.isAlive()) {
            run.notes.add(process.exitDescription());
            return;
        }
        ContenderProcess.Stop stop = process.stop(STOP_TIMEOUT);
        run.stopSeconds = stop.seconds();
        run.exitCode = stop.exitCode();
        if (stop.killed()) {
            run.notes.add("did not stop within " + STOP_TIMEOUT.toSeconds() + " s of SIGTERM; killed");
        } else if (stop.exitCode() != 0 && stop.exitCode() != SIGTERM_EXIT) {
            run.notes.add("exit code " + stop.exitCode() + " after SIGTERM");
        }
    }

    /**
     * The run's topics as a deployment has them: the processed-events topic compacted, as the bridge would create
     * it on a first start, the others with --partitions partitions.
     */
    private void createTopics(Topics topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            NewTopic processed = new NewTopic(topics.processed(), Optional.of(PROCESSED_PARTITIONS), Optional.empty())
                    .configs(Map.of("cleanup.policy", "compact"));
            try {
                admin.createTopics(List.of(processed)).all().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        List<String> names = new ArrayList<>(List.of(topics.plain()));
        names.add(topics.processed()); // already there: this waits for its leaders too
        broker.createTopics(options.partitions, names.toArray(String[]::new));
    }

    private Path writeReport() throws IOException {
        String report = new Report(options, results, started, elapsedSeconds(), defaultMaxHeapBytes).render();
        Path file = OUTPUT_DIR.resolve("results.md");
        Files.writeString(file, report, StandardCharsets.UTF_8);
        return file;
    }

    private double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static Path logFile(String scenario, String contender, int round) {
        return OUTPUT_DIR.resolve(scenario + "-" + contender + "-r" + round + ".log");
    }

    private String prefix(String scenario, String contender) {
        return "bench-" + runId + "-" + scenario + "-" + contender;
    }

    /** Requests the in-process broker has answered so far, by request type (its JMX RequestsPerSec counts). */
    private static Map<String, Long> brokerRequests() {
        Map<String, Long> counts = new TreeMap<>();
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            for (ObjectName name : server.queryNames(
                    new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,*"), null)) {
                Object count = server.getAttribute(name, "Count");
                if (count instanceof Number number) {
                    counts.merge(name.getKeyProperty("request"), number.longValue(), Long::sum);
                }
            }
        } catch (Exception e) {
            // No figures: the line says so.
        }
        return counts;
    }

    private static String perHundred(Map<String, Long> before, Map<String, Long> after, int events) {
        List<String> parts = new ArrayList<>();
        after.forEach((type, count) -> {
            long delta = count - before.getOrDefault(type, 0L);
            if (delta > 0 && events > 0) {
                parts.add(type + " " + String.format(Locale.ROOT, "%.0f", delta * 100.0 / events));
            }
        });
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    private void say(String line) {
        console.printf(Locale.ROOT, "[bench %s] %s%n", LocalTime.now().withNano(0), line);
    }
}
