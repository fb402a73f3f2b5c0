package com.contactlistbridge.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/** Renders the results as Markdown (readable as plain text too). */
final class Report {

    /** The targets. */
    static final double RATIO_TARGET = 0.9;
    static final long STARTUP_TARGET_MILLIS = 2500;
    static final long CORE_RSS_TARGET_MB = 200;
    static final double RATE_TARGET_PERCENT = 97;

    private final BenchmarkOptions options;
    private final Results results;
    private final Instant started;
    private final double wallSeconds;
    private final long defaultMaxHeapBytes;

    Report(BenchmarkOptions options, Results results, Instant started, double wallSeconds, long defaultMaxHeapBytes) {
        this.options = options;
        this.results = results;
        this.started = started;
        this.wallSeconds = wallSeconds;
        this.defaultMaxHeapBytes = defaultMaxHeapBytes;
    }

    static String machine() {
        Runtime runtime = Runtime.getRuntime();
        long totalRam = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            totalRam = os.getTotalMemorySize();
        }
        return String.format(Locale.ROOT, "%d cores%s, %s %s %s, Java %s (%s), %.1f GB RAM",
                runtime.availableProcessors(), cpuModel().map(m -> " (" + m + ")").orElse(""),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
                System.getProperty("java.version"), System.getProperty("java.vm.name"), totalRam / 1e9);
    }

    private static Optional<String> cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Path, size and modification time of a jar, to tell builds apart. */
    static String jarDescription(Path jar) {
        try {
            return String.format(Locale.ROOT, "%s (%.1f MB, built %s)", jar.toAbsolutePath(),
                    Files.size(jar) / (1024.0 * 1024), Files.getLastModifiedTime(jar).toInstant()
                            .truncatedTo(ChronoUnit.SECONDS));
        } catch (IOException e) {
            return jar.toAbsolutePath() + " (unreadable: " + e.getMessage() + ")";
        }
    }

    /** The bridge's shipped max.poll.records (camel.component.kafka.max-poll-records in its config/). */
    private String bridgeMaxPollRecords() {
        if (options.maxPollRecords != null) {
            return options.maxPollRecords + " (--max-poll-records)";
        }
        // The bridge reads its defaults from the working directory's config/, so this is what it runs with.
        Properties properties = new Properties();
        Path file = options.bridgeDir.resolve(Path.of("config", "application.properties"));
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            return "shipped default (" + file + " unreadable: " + e.getMessage() + ")";
        }
        return properties.getProperty("camel.component.kafka.max-poll-records", "unset, i.e. Kafka's 500").trim()
                + " (shipped default)";
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append("# contact-list-bridge benchmark\n\n");
        out.append("- run: ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(", ")
                .append(duration(wallSeconds)).append(" in all");
        if (!results.scenarioSeconds.isEmpty()) {
            List<String> parts = new ArrayList<>();
            results.scenarioSeconds.forEach((scenario, seconds) -> parts.add(scenario + " " + duration(seconds)));
            out.append(" (").append(String.join(", ", parts)).append(')');
        }
        out.append('\n');
        out.append("- machine: ").append(machine()).append('\n');
        out.append("- harness JVM (broker, stub, load generator, outcome collector): max heap ")
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024)).append(" MB; it shares the cores with the "
                        + "contender\n");
        out.append("- contenders: each run its own JVM with the default JVM flags (no -Xmx");
        if (defaultMaxHeapBytes > 0) {
            out.append("; default max heap here ").append(defaultMaxHeapBytes / (1024 * 1024)).append(" MB");
        }
        out.append("), stopped with SIGTERM; fresh topics and consumer group per run\n");
        if (options.contenders.stream().anyMatch(name -> name.startsWith(ContenderProcess.BRIDGE))) {
            out.append("- bridge: `java -jar ").append(jarDescription(options.bridgeJar)).append("`, working directory ")
                    .append(options.bridgeDir.toAbsolutePath()).append("; set: brokers, stub URL and identity, "
                            + "topics, group, bridge.max-in-flight=").append(options.inFlight)
                    .append(", kore.rate-limit.requests-per-minute=0 (rate scenario: ").append(options.rateLimit)
                    .append("); everything else shipped defaults (processed-events store on, max.poll.records ")
                    .append(bridgeMaxPollRecords()).append(", logging as shipped); settings as environment variables, "
                            + "camel.* ones as -D (see the head of each log); bridge-no-dedupe adds BRIDGE_DEDUPE_ENABLED=false\n");
        }
        if (options.contenders.contains(ContenderProcess.BASELINE)) {
            out.append("- baseline: hand-written KafkaConsumer + java.net.http.HttpClient + KafkaProducer, ")
                    .append(options.inFlight).append(" workers, max.poll.records ")
                    .append(options.maxPollRecords != null ? options.maxPollRecords + " (--max-poll-records)"
                            : "Kafka's default (500)").append(", no processed-events store\n");
        }
        out.append("- ").append(options.rounds).append(" round(s) of burst, backlog and startup, the contenders "
                        + "alternating who goes first (odd rounds ").append(String.join(", ", options.contenders))
                .append("; even rounds reversed); warm-up ").append(Math.max(1, options.warmup))
                .append(" events per contender JVM at the scenario's latency; ").append(options.partitions)
                .append(" partitions per topic\n\n");

        renderThroughput(out);
        renderRate(out);
        renderStartup(out);
        renderTargets(out);
        return out.toString();
    }

    // ---------------------------------------------------------------- burst and backlog

    private List<String> throughputScenarios() {
        return results.throughputRuns.stream().map(run -> run.scenario).distinct().toList();
    }

    private List<Results.ThroughputRun> throughputRuns(String scenario, String contender) {
        return results.throughputRuns.stream()
                .filter(run -> run.scenario.equals(scenario) && run.contender.equals(contender)).toList();
    }

    private Results.Spread eventsPerSecond(String scenario, String contender) {
        return Results.Spread.of(throughputRuns(scenario, contender), Results.ThroughputRun::eventsPerSecond);
    }

    private void renderThroughput(StringBuilder out) {
        if (results.throughputRuns.isEmpty()) {
            return;
        }
        List<String> contenders = List.copyOf(options.contenders);
        out.append("## Throughput: events/s, median (min-max) of the rounds\n\n");
        out.append("Events produced at once after the warm-up; events/s from the first send to the last outcome "
                + "received.\n\n");
        out.append("| scenario | events |");
        contenders.forEach(name -> out.append(' ').append(name).append(" |"));
        out.append(" bridge / baseline (medians) | target |\n|---|---:|");
        contenders.forEach(name -> out.append("---:|"));
        out.append("---|---|\n");
        for (String scenario : throughputScenarios()) {
            out.append("| ").append(scenario).append(" | ")
                    .append(results.throughputRuns.stream().filter(run -> run.scenario.equals(scenario))
                            .findFirst().map(run -> run.events).orElse(0)).append(" |");
            for (String contender : contenders) {
                out.append(' ').append(spread(eventsPerSecond(scenario, contender), Report::fmt, "")).append(" |");
            }
            out.append(' ').append(ratioCell(scenario)).append(" | ").append(ratioVerdict(scenario)).append(" |\n");
        }
        out.append('\n');

        out.append("### Every run\n\n");
        boolean latency = options.latencyEvents > 0;
        out.append("| scenario | round | order | contender | outcomes (dead letters, duplicates) | time s | events/s "
                + "| CPU ms/event | up after s | warm-up done s | VmRSS after | stub max concurrent | SIGTERM -> exit s |");
        out.append(latency ? " added p50 / p99 ms |" : "").append(" notes |\n");
        out.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|").append(latency ? "---:|" : "")
                .append("---|\n");
        for (Results.ThroughputRun run : results.throughputRuns) {
            out.append("| ").append(run.scenario).append(" | ").append(run.round).append(" | ").append(run.position)
                    .append(" | ").append(run.contender)
                    .append(" | ").append(run.outcomes).append(" of ").append(run.events).append(" (")
                    .append(run.deadLetters).append(", ").append(run.duplicates).append(')')
                    .append(" | ").append(fmt2(run.seconds))
                    .append(" | ").append(fmt(run.eventsPerSecond()))
                    .append(" | ").append(run.cpuMillisPerEvent < 0 ? "-" : fmt2(run.cpuMillisPerEvent))
                    .append(" | ").append(run.startSeconds < 0 ? "-" : fmt(run.startSeconds))
                    .append(" | ").append(run.warmupSeconds < 0 ? "-" : fmt(run.warmupSeconds))
                    .append(" | ").append(mb(run.vmRssKb))
                    .append(" | ").append(run.stub == null ? "-" : Integer.toString(run.stub.maxConcurrent()))
                    .append(" | ").append(run.stopSeconds < 0 ? "-" : fmt(run.stopSeconds));
            if (latency) {
                out.append(" | ").append(run.p50 < 0 ? "-" : run.p50 + " / " + run.p99);
            }
            out.append(" | ").append(String.join("; ", run.notes)).append(" |\n");
        }
        out.append("\nCPU ms/event: the contender process's own CPU time (user + system, /proc) over the measured events, "
                + "divided by their number; broker, stub and load generator not included.\n"
                + "up after: launch to the first warm-up outcome (the contender is up); warm-up done: launch to "
                + "the last warm-up outcome. Logs: target/benchmark/<scenario>-<contender>-r<round>.log\n\n");
    }

    private double ratio(String scenario, String contender) {
        return eventsPerSecond(scenario, contender).median()
                / eventsPerSecond(scenario, ContenderProcess.BASELINE).median();
    }

    private String ratioCell(String scenario) {
        List<String> parts = new ArrayList<>();
        if (options.contenders.contains(ContenderProcess.BRIDGE)) {
            parts.add(fmt2(ratio(scenario, ContenderProcess.BRIDGE)));
        }
        if (options.contenders.contains(ContenderProcess.BRIDGE_NO_DEDUPE)) {
            parts.add("no-dedupe " + fmt2(ratio(scenario, ContenderProcess.BRIDGE_NO_DEDUPE)));
        }
        return String.join("; ", parts);
    }

    private String ratioVerdict(String scenario) {
        double ratio = ratio(scenario, ContenderProcess.BRIDGE);
        if (Double.isNaN(ratio)) {
            return "-";
        }
        return ">= " + RATIO_TARGET + ": " + (ratio >= RATIO_TARGET ? "met" : "**not met**");
    }

    // ---------------------------------------------------------------- rate

    private void renderRate(StringBuilder out) {
        if (results.rateRuns.isEmpty()) {
            return;
        }
        Results.RateRun first = results.rateRuns.get(0);
        out.append("## Rate limit: ").append(first.rateLimit).append(" per rolling minute, backlog of ")
                .append(first.backlog).append(" events loaded before the launch\n\n");
        out.append("Achieved rate: accepted stub calls per minute between the first and the last accepted call. "
                + "Total: launch to the last outcome.\n\n");
        out.append("| contender | outcomes (dead letters, duplicates) | total s | achieved calls/min | % of limit "
                + "| 429s | stub calls | most in a rolling 60 s | shortest gap ms | notes |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Results.RateRun run : results.rateRuns) {
            double achieved = run.stub == null ? Double.NaN : run.stub.achievedPerMinute();
            out.append("| ").append(run.contender)
                    .append(" | ").append(run.outcomes).append(" of ").append(run.backlog).append(" (")
                    .append(run.deadLetters).append(", ").append(run.duplicates).append(')')
                    .append(" | ").append(fmt(run.totalSeconds))
                    .append(" | ").append(fmt(achieved))
                    .append(" | ").append(fmt(achieved * 100 / run.rateLimit)).append(" %")
                    .append(" | ").append(run.stub == null ? "-" : Long.toString(run.stub.rateLimited()))
                    .append(" | ").append(run.stub == null ? "-" : Long.toString(run.stub.requests()))
                    .append(" | ").append(run.stub == null ? "-" : Integer.toString(run.stub.maxInAnyMinute()))
                    .append(" | ").append(run.stub == null ? "-" : fmt(run.stub.minGapMillis()))
                    .append(" | ").append(String.join("; ", run.notes)).append(" |\n");
        }
        out.append('\n');
    }

    // ---------------------------------------------------------------- start-up and memory

    private List<Results.StartupRun> startupRuns(String contender) {
        return results.startupRuns.stream().filter(run -> run.contender.equals(contender)).toList();
    }

    private static <T> Results.Spread positive(List<T> runs, ToDoubleFunction<T> value) {
        return Results.Spread.of(runs, run -> {
            double v = value.applyAsDouble(run);
            return v < 0 ? Double.NaN : v;
        });
    }

    private void renderStartup(StringBuilder out) {
        if (results.startupRuns.isEmpty()) {
            return;
        }
        int events = results.startupRuns.get(0).events;
        out.append("## Start-up and memory, median (min-max) of the rounds\n\n");
        out.append("One event waits before the launch; then ").append(BenchmarkHarness.CORE_LOAD_EVENTS)
                .append(" events (the core load) and VmRSS, then ").append(events)
                .append(" events at 0 ms and VmRSS again. Partitions assigned: the first log line about partitions "
                        + "of the requests topic being assigned (the bridge's shipped logback.xml shows Kafka's "
                        + "\"Adding newly assigned partitions\" line; the baseline logs its own; an older bridge "
                        + "that does not: launch -> first outcome is its start-up figure, an upper bound).\n\n");
        out.append("| contender | launch -> partitions assigned | launch -> first stub call | launch -> first outcome "
                + "(CreateTime) | VmRSS after ").append(BenchmarkHarness.CORE_LOAD_EVENTS).append(" events | VmRSS after ")
                .append(events).append(" more | VmHWM | events/s of the ").append(events)
                .append(" | SIGTERM -> exit s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String contender : options.contenders) {
            List<Results.StartupRun> runs = startupRuns(contender);
            if (runs.isEmpty()) {
                continue;
            }
            Results.Spread assigned = positive(runs, run -> run.assignedMillis);
            out.append("| ").append(contender)
                    .append(" | ").append(assigned.count() == 0 ? "not logged" : spread(assigned, Report::seconds, ""))
                    .append(" | ").append(spread(positive(runs, run -> run.firstStubCallMillis), Report::seconds, ""))
                    .append(" | ").append(spread(positive(runs, run -> run.firstOutcomeCreateMillis), Report::seconds,
                            ""))
                    .append(" | ").append(spread(positive(runs, run -> run.coreRssKb / 1024.0), Report::fmt, " MB"))
                    .append(" | ").append(spread(positive(runs, run -> run.vmRssKb / 1024.0), Report::fmt, " MB"))
                    .append(" | ").append(spread(positive(runs, run -> run.vmHwmKb / 1024.0), Report::fmt, " MB"))
                    .append(" | ").append(spread(positive(runs, run -> run.seconds > 0 ? run.outcomes / run.seconds
                            : Double.NaN), Report::fmt, ""))
                    .append(" | ").append(spread(positive(runs, run -> run.stopSeconds), Report::fmt, ""))
                    .append(" |\n");
        }
        List<String> notes = new ArrayList<>();
        for (Results.StartupRun run : results.startupRuns) {
            if (!run.notes.isEmpty() || run.outcomes != run.events || run.coreOutcomes != run.coreEvents
                    || run.deadLetters > 0 || run.duplicates > 0) {
                notes.add(run.contender + " round " + run.round + ": " + run.coreOutcomes + " of " + run.coreEvents
                        + " + " + run.outcomes + " of " + run.events + " outcomes, " + run.deadLetters
                        + " dead letters, " + run.duplicates + " duplicates" + (run.notes.isEmpty() ? ""
                        : "; " + String.join("; ", run.notes)));
            }
        }
        if (!notes.isEmpty()) {
            out.append("\nNotes: ").append(String.join(". ", notes)).append('\n');
        }
        out.append('\n');
        for (String contender : options.contenders) {
            startupRuns(contender).stream().filter(run -> run.command != null).findFirst().ifPresent(run ->
                    out.append("- ").append(contender).append(": `").append(run.command).append("`\n"));
        }
        out.append('\n');
    }

    // ---------------------------------------------------------------- targets

    private void renderTargets(StringBuilder out) {
        out.append("## Targets and checks\n\n");
        out.append("| what | measured | target | met |\n|---|---|---|---|\n");
        for (String scenario : throughputScenarios()) {
            double ratio = ratio(scenario, ContenderProcess.BRIDGE);
            if (!Double.isNaN(ratio)) {
                out.append("| ").append(scenario).append(": bridge / baseline, medians of events/s | ")
                        .append(fmt2(ratio)).append(" (").append(fmt(eventsPerSecond(scenario,
                                ContenderProcess.BRIDGE).median())).append(" / ").append(fmt(eventsPerSecond(scenario,
                                ContenderProcess.BASELINE).median())).append(") | >= ").append(RATIO_TARGET)
                        .append(" | ").append(ratio >= RATIO_TARGET ? "met" : "**not met**").append(" |\n");
            }
        }
        List<Results.StartupRun> bridgeStarts = startupRuns(ContenderProcess.BRIDGE);
        if (!bridgeStarts.isEmpty()) {
            Results.Spread assigned = positive(bridgeStarts, run -> run.assignedMillis);
            Results.Spread firstOutcome = positive(bridgeStarts, run -> run.firstOutcomeCreateMillis);
            boolean logged = assigned.count() > 0;
            double startup = logged ? assigned.median() : firstOutcome.median();
            out.append("| start-up of the bridge: launch -> partitions assigned")
                    .append(logged ? "" : " (not logged at the default log level: launch -> first outcome of the "
                            + "waiting event, an upper bound)")
                    .append(", median | ").append(seconds(startup)).append(" | <= ")
                    .append(seconds(STARTUP_TARGET_MILLIS)).append(" | ")
                    .append(Double.isNaN(startup) ? "-" : startup <= STARTUP_TARGET_MILLIS ? "met"
                            : logged ? "**not met**" : "**not shown** (upper bound above the target)")
                    .append(" |\n");
            double rss = positive(bridgeStarts, run -> run.coreRssKb / 1024.0).median();
            out.append("| resident memory of the bridge after the core load (").append(BenchmarkHarness.CORE_LOAD_EVENTS)
                    .append(" events), default JVM flags, median | ").append(fmt(rss)).append(" MB | <= ")
                    .append(CORE_RSS_TARGET_MB).append(" MB | ")
                    .append(Double.isNaN(rss) ? "-" : rss <= CORE_RSS_TARGET_MB ? "met" : "**not met**")
                    .append(" |\n");
        }
        for (Results.RateRun run : results.rateRuns) {
            double achieved = run.stub == null ? Double.NaN : run.stub.achievedPerMinute() * 100 / run.rateLimit;
            long limited = run.stub == null ? -1 : run.stub.rateLimited();
            boolean met = achieved >= RATE_TARGET_PERCENT && limited == 0 && run.outcomes == run.backlog
                    && run.deadLetters == 0;
            out.append("| rate, ").append(run.contender).append(": budget precision, 429s, every event created | ")
                    .append(fmt(achieved)).append(" %, ").append(limited).append(" x 429, ")
                    .append(run.outcomes - run.deadLetters).append(" of ").append(run.backlog)
                    .append(" created | >= ").append(fmt(RATE_TARGET_PERCENT)).append(" %, zero 429s")
                    .append(run.contender.equals(ContenderProcess.BRIDGE) ? "" : " (the target is the bridge's)")
                    .append(" | ").append(met ? "met" : "**not met**").append(" |\n");
        }
        for (String scenario : throughputScenarios()) {
            for (String contender : options.contenders) {
                List<Results.ThroughputRun> runs = throughputRuns(scenario, contender);
                if (runs.isEmpty()) {
                    continue;
                }
                Predicate<Results.ThroughputRun> clean = run -> run.complete() && run.deadLetters == 0
                        && run.duplicates == 0;
                long ok = runs.stream().filter(clean).count();
                out.append("| ").append(scenario).append(", ").append(contender)
                        .append(": every event exactly one created outcome, in every run | ").append(ok).append(" of ")
                        .append(runs.size()).append(" runs clean").append(ok == runs.size() ? "" : " (see the runs)")
                        .append(" | check | ").append(ok == runs.size() ? "met" : "**not met**").append(" |\n");
            }
        }
        out.append('\n');
    }

    // ---------------------------------------------------------------- formatting

    private static String spread(Results.Spread spread, java.util.function.DoubleFunction<String> format,
                                 String unit) {
        if (spread.count() == 0) {
            return "-";
        }
        String median = format.apply(spread.median()) + unit;
        return spread.count() == 1 ? median
                : median + " (" + format.apply(spread.min()) + "-" + format.apply(spread.max()) + ")";
    }

    static String fmt(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "-";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    static String fmt2(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String seconds(double millis) {
        return Double.isNaN(millis) || millis < 0 ? "-" : String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }

    static String mb(long kb) {
        return kb < 0 ? "-" : String.format(Locale.ROOT, "%.0f MB", kb / 1024.0);
    }

    /** "1 h 2 min", "12 min 3 s" or "42 s". */
    static String duration(double seconds) {
        long total = Math.round(seconds);
        if (total >= 3600) {
            return total / 3600 + " h " + (total % 3600) / 60 + " min";
        }
        return total >= 60 ? total / 60 + " min " + total % 60 + " s" : total + " s";
    }
}
