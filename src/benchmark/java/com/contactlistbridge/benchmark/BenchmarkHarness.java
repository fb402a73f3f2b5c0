package com.contactlistbridge.benchmark;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Collections;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import com.contactlistbridge.embedded.EmbeddedKafkaBroker;

/**
 * Benchmark of the bridge against a hand-written baseline doing the same contract, on one in-process Kafka broker
 * and a local HTTP stub with configurable latency. Run with {@code ./mvnw -B -Pbenchmark verify}; options in
 * {@link BenchmarkOptions#USAGE}. Exits non-zero only when the harness itself fails, never for a missed target.
 */
public final class BenchmarkHarness {

    private static final Path OUTPUT_DIR = Path.of("target", "benchmark");

    private final BenchmarkOptions options;
    private final PrintStream console;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final Results results = new Results();
    private EmbeddedKafkaBroker broker;

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
            routeLogsToFile(options);
            exit = new BenchmarkHarness(options, console).run();
        } catch (Throwable t) {
            console.println("[bench] HARNESS ERROR: " + t);
            t.printStackTrace(console);
            exit = 1;
        }
        console.flush();
        // Camel, Kafka and HTTP client threads may linger; the results are written.
        System.exit(exit);
    }

    /**
     * Logging is configured from system properties before the first logger exists: root WARN (logback.xml reads
     * ROOT_LOG_LEVEL), the bridge's own loggers as in production unless asked. The console appender writes to
     * System.out, so System.out becomes a log file and the harness keeps the real console for its report.
     */
    private static void routeLogsToFile(BenchmarkOptions options) throws IOException {
        if (System.getProperty("ROOT_LOG_LEVEL") == null) {
            System.setProperty("ROOT_LOG_LEVEL", "WARN");
        }
        if (options.bridgeLogLevel != null) {
            System.setProperty("LOG_LEVEL", options.bridgeLogLevel);
        }
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path logFile = OUTPUT_DIR.resolve("harness.log");
        System.setOut(new PrintStream(new FileOutputStream(logFile.toFile()), true, StandardCharsets.UTF_8));
    }

    private int run() throws Exception {
        Instant started = Instant.now();
        long startNanos = System.nanoTime();
        say("machine: " + Report.machine());
        say("run " + runId + ", scenarios " + options.scenarios + ", contenders " + options.contenders
                + "; logs in " + OUTPUT_DIR.resolve("harness.log"));
        long brokerStart = System.nanoTime();
        broker = EmbeddedKafkaBroker.start();
        say(String.format(Locale.ROOT, "Kafka broker at %s (%.1f s)", broker.bootstrapServers(),
                (System.nanoTime() - brokerStart) / 1e9));
        try {
            for (String scenario : List.of("zero", "latency")) {
                if (!options.scenarios.contains(scenario)) {
                    continue;
                }
                for (int round = 1; round <= options.rounds; round++) {
                    List<String> order = new ArrayList<>(options.contenders);
                    if (round % 2 == 0) {
                        Collections.reverse(order);
                    }
                    for (String contender : order) {
                        results.steadyRuns.add(scenario.equals("zero")
                                ? runSteady("zero", contender, 0, options.eventsZero, round)
                                : runSteady("latency", contender, options.latencyMillis, options.eventsLatency, round));
                    }
                }
            }
            if (options.scenarios.contains("rate")) {
                for (String contender : options.contenders) {
                    if (contender.equals("bridge-no-dedupe")) {
                        continue; // the rate scenario measures the budget, the same with or without the store
                    }
                    results.rateRuns.add(runRate(contender));
                }
            }
            if (options.scenarios.contains("startup")) {
                say("startup: launching " + StartupProbe.JAR + " as its own JVM");
                results.startup = new StartupProbe(broker, options, OUTPUT_DIR).run(prefix("startup", "bridge"));
                say(String.format(Locale.ROOT, "startup: first outcome %d ms after launch, %d events in %.1f s, "
                                + "VmRSS %d MB", results.startup.firstOutcomeCreateMillis, results.startup.outcomes,
                        results.startup.seconds, results.startup.vmRssKb / 1024));
            }
        } finally {
            broker.close();
        }
        String report = new Report(options, results, started, (System.nanoTime() - startNanos) / 1e9).render();
        Path file = OUTPUT_DIR.resolve("results.md");
        Files.writeString(file, report, StandardCharsets.UTF_8);
        console.println();
        console.print(report);
        console.println("[bench] written to " + file.toAbsolutePath());
        return 0;
    }

    // ---------------------------------------------------------------- zero and latency scenarios

    private Results.SteadyRun runSteady(String scenario, String contenderName, long latencyMillis, int events,
                                        int round) throws Exception {
        Results.SteadyRun run = new Results.SteadyRun();
        run.round = round;
        run.scenario = scenario;
        run.contender = contenderName;
        run.stubLatencyMillis = latencyMillis;
        run.events = events;
        run.latencyEvents = options.latencyEvents;
        run.maxPollRecords = options.maxPollRecords;
        // Fresh topics and group for every round.
        Topics topics = Topics.forPrefix(prefix(scenario + "-r" + round, contenderName));
        broker.createTopics(options.partitions, topics.requests(), topics.created(), topics.deadLetter());
        String label = scenario + "/" + contenderName;
        say(label + ": stub latency " + latencyMillis + " ms, in-flight " + options.inFlight
                + ", max.poll.records " + options.maxPollRecords + ", topics " + topics.prefix() + ".*");

        try (LatencyStub stub = new LatencyStub(latencyMillis, 0, options.stubThreads);
             OutcomeCollector collector = new OutcomeCollector(broker.bootstrapServers(), topics.created(),
                     topics.deadLetter(), options.partitions);
             EventLoader loader = new EventLoader(broker.bootstrapServers(), topics.requests());
             Contender contender = contender(contenderName, new Contender.Config(broker.bootstrapServers(),
                     stub.baseUrl(), topics, options.inFlight, options.maxPollRecords, 0))) {
            long start = System.nanoTime();
            contender.start();
            run.startSeconds = (System.nanoTime() - start) / 1e9;

            List<String> warmup = EventLoader.ids("w", options.warmup);
            loader.sendAll(warmup);
            Set<String> missing = collector.awaitAll(warmup, options.stall);
            run.warmupComplete = missing.isEmpty();
            if (!run.warmupComplete) {
                run.notes.add("warm-up incomplete: " + missing.size() + " of " + warmup.size()
                        + " without outcome; nothing measured");
                say(label + ": warm-up incomplete, skipping the measurements");
                finish(run, stub, collector, warmup);
                return run;
            }
            say(label + ": warm-up done (" + warmup.size() + " events), measuring throughput with " + events);

            List<String> throughput = EventLoader.ids("t", events);
            long sendStart = System.nanoTime();
            loader.sendAll(throughput);
            missing = collector.awaitAll(throughput, options.stall);
            long lastArrival = sendStart;
            for (String id : throughput) {
                OutcomeCollector.Outcome outcome = collector.outcome(id);
                if (outcome != null) {
                    run.outcomes++;
                    lastArrival = Math.max(lastArrival, outcome.receivedNanos());
                }
            }
            run.seconds = (lastArrival - sendStart) / 1e9;
            if (!missing.isEmpty()) {
                run.notes.add(missing.size() + " throughput events without outcome (no progress for "
                        + options.stall.toSeconds() + " s)");
            }
            say(String.format(Locale.ROOT, "%s: %d of %d outcomes in %.1f s = %s events/s; added latency: %d events "
                    + "at %s/s", label, run.outcomes, events, run.seconds, Report.fmt(run.eventsPerSecond()),
                    options.latencyEvents, Report.fmt(options.latencyRate)));

            List<String> paced = EventLoader.ids("l", options.latencyEvents);
            loader.sendPaced(paced, options.latencyRate);
            missing = collector.awaitAll(paced, options.stall);
            List<Long> added = new ArrayList<>();
            for (String id : paced) {
                OutcomeCollector.Outcome outcome = collector.outcome(id);
                Long input = loader.createTime(id);
                if (outcome != null && input != null) {
                    added.add(outcome.createTimeMillis() - input - latencyMillis);
                }
            }
            run.latencyMeasured = added.size();
            long[] sorted = Results.sorted(added);
            run.p50 = Results.percentile(sorted, 50);
            run.p99 = Results.percentile(sorted, 99);
            run.max = sorted.length == 0 ? -1 : sorted[sorted.length - 1];
            if (!missing.isEmpty()) {
                run.notes.add(missing.size() + " paced events without outcome");
            }
            if (options.latencyRate > run.eventsPerSecond()) {
                run.notes.add("paced rate " + Report.fmt(options.latencyRate) + "/s is above this throughput, "
                        + "so the added latency includes queueing");
            }
            say(label + ": added latency p50 " + run.p50 + " ms, p99 " + run.p99 + " ms");
            List<String> all = new ArrayList<>(warmup);
            all.addAll(throughput);
            all.addAll(paced);
            finish(run, stub, collector, all);
        }
        return run;
    }

    private static void finish(Results.SteadyRun run, LatencyStub stub, OutcomeCollector collector,
                               List<String> ids) {
        run.stub = stub.stats();
        run.duplicates = collector.duplicates();
        run.deadLetters = ids.stream().map(collector::outcome)
                .filter(outcome -> outcome != null && !outcome.created()).count();
        if (collector.unidentified() > 0) {
            run.notes.add(collector.unidentified() + " outcome records without an event id");
        }
        if (run.stub.missingAuth() > 0 || run.stub.otherErrors() > 0) {
            run.notes.add("stub refused " + run.stub.missingAuth() + " calls without auth and "
                    + run.stub.otherErrors() + " other calls");
        }
    }

    // ---------------------------------------------------------------- rate-limited backlog

    private Results.RateRun runRate(String contenderName) throws Exception {
        Results.RateRun run = new Results.RateRun();
        run.contender = contenderName;
        run.rateLimit = options.rateLimit;
        run.backlog = options.backlogEvents();
        Topics topics = Topics.forPrefix(prefix("rate", contenderName));
        broker.createTopics(options.partitions, topics.requests(), topics.created(), topics.deadLetter());
        Integer maxPoll = options.rateMaxPollRecords;
        run.maxPollRecords = maxPoll != null ? maxPoll : bridgeDefaultMaxPollRecords();
        String label = "rate/" + contenderName;
        say(String.format(Locale.ROOT, "%s: %d events backlog, limit %d/min (about %.1f min), max.poll.records %d%s",
                label, run.backlog, run.rateLimit, run.backlog / (double) run.rateLimit, run.maxPollRecords,
                maxPoll == null ? " (bridge default)" : ""));

        try (LatencyStub stub = new LatencyStub(0, options.rateLimit, options.stubThreads);
             OutcomeCollector collector = new OutcomeCollector(broker.bootstrapServers(), topics.created(),
                     topics.deadLetter(), options.partitions);
             EventLoader loader = new EventLoader(broker.bootstrapServers(), topics.requests())) {
            List<String> ids = EventLoader.ids("r", run.backlog);
            loader.sendAll(ids);
            // For the bridge a null max.poll.records leaves its own default; the baseline gets the same number.
            Contender.Config config = new Contender.Config(broker.bootstrapServers(), stub.baseUrl(), topics,
                    options.inFlight, contenderName.startsWith("bridge") ? maxPoll : Integer.valueOf(run.maxPollRecords),
                    options.rateLimit);
            try (Contender contender = contender(contenderName, config)) {
                long start = System.nanoTime();
                contender.start();
                Set<String> missing = collector.awaitAll(ids, options.stall);
                long last = start;
                for (String id : ids) {
                    OutcomeCollector.Outcome outcome = collector.outcome(id);
                    if (outcome != null) {
                        run.outcomes++;
                        last = Math.max(last, outcome.receivedNanos());
                        if (!outcome.created()) {
                            run.deadLetters++;
                        }
                    }
                }
                run.totalSeconds = (last - start) / 1e9;
                if (!missing.isEmpty()) {
                    run.notes.add(missing.size() + " events without outcome (no progress for "
                            + options.stall.toSeconds() + " s)");
                }
            }
            run.stub = stub.stats();
            say(String.format(Locale.ROOT, "%s: %d outcomes in %.1f s, %s calls/min, %d x 429", label, run.outcomes,
                    run.totalSeconds, Report.fmt(run.stub.achievedPerMinute()), run.stub.rateLimited()));
        }
        return run;
    }

    // ---------------------------------------------------------------- helpers

    private Contender contender(String name, Contender.Config config) throws Exception {
        if (name.startsWith("bridge")) {
            return new BridgeContender(config, !name.equals("bridge-no-dedupe"));
        }
        int maxPoll = config.maxPollRecords() != null ? config.maxPollRecords() : bridgeDefaultMaxPollRecords();
        return new Baseline(config, maxPoll);
    }

    /** camel.component.kafka.max-poll-records from config/application.properties; Kafka's 500 if absent. */
    static int bridgeDefaultMaxPollRecords() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("config", "application.properties"))) {
            properties.load(in);
        }
        String value = properties.getProperty("camel.component.kafka.max-poll-records", "500").trim();
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException placeholder) {
            return 500;
        }
    }

    private String prefix(String scenario, String contender) {
        return "bench-" + runId + "-" + scenario + "-" + contender;
    }

    private void say(String line) {
        console.printf(Locale.ROOT, "[bench %s] %s%n", java.time.LocalTime.now().withNano(0), line);
    }
}
