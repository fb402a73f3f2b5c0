package com.contactlistbridge.benchmark;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Renders the results as Markdown (readable as plain text too). */
final class Report {

    /** The start-up target: launch to first consumed event. */
    static final long STARTUP_TARGET_MILLIS = 3000;

    private final BenchmarkOptions options;
    private final Results results;
    private final Instant started;
    private final double wallSeconds;

    Report(BenchmarkOptions options, Results results, Instant started, double wallSeconds) {
        this.options = options;
        this.results = results;
        this.started = started;
        this.wallSeconds = wallSeconds;
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

    String render() {
        StringBuilder out = new StringBuilder();
        out.append("# contact-list-bridge benchmark\n\n");
        out.append("- run: ").append(started.truncatedTo(ChronoUnit.SECONDS))
                .append(String.format(Locale.ROOT, ", %.0f s in all", wallSeconds)).append('\n');
        out.append("- machine: ").append(machine()).append('\n');
        out.append("- harness JVM: max heap ").append(Runtime.getRuntime().maxMemory() / (1024 * 1024))
                .append(" MB; broker, stub, load generator and the contender share it (and the cores)\n");
        out.append("- settings: in-flight ").append(options.inFlight)
                .append(", max.poll.records ").append(options.maxPollRecords).append(" (zero, latency)")
                .append(", ").append(options.partitions).append(" partitions per topic")
                .append(", warm-up ").append(options.warmup).append(" events")
                .append(", added latency from ").append(options.latencyEvents).append(" events at ")
                .append(fmt(options.latencyRate)).append("/s")
                .append(", ").append(options.rounds).append(" round(s), contenders alternating who goes first")
                .append("; bridge: production config/ + routes/, dedupe on, outage pauses 0, root log level WARN\n\n");

        if (!results.steadyRuns.isEmpty()) {
            out.append("## Throughput and added latency\n\n");
            out.append("events/s: first send to arrival of the last outcome, events sent as fast as possible. "
                    + "Added latency: outcome CreateTime - input CreateTime - stub latency, paced events.\n\n");
            out.append("| scenario | contender | events | outcomes (dead letters) | time s | events/s "
                    + "| added p50 ms | added p99 ms | ratio bridge/baseline | stub max concurrent | notes |\n");
            out.append("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|\n");
            for (Results.SteadyRun run : results.steadyRuns) {
                out.append("| ").append(scenarioLabel(run)).append(" | ").append(run.contender)
                        .append(" | ").append(run.events)
                        .append(" | ").append(run.outcomes).append(" (").append(run.deadLetters).append(")")
                        .append(" | ").append(fmt(run.seconds))
                        .append(" | ").append(fmt(run.eventsPerSecond()))
                        .append(" | ").append(run.p50 < 0 ? "-" : Long.toString(run.p50))
                        .append(" | ").append(run.p99 < 0 ? "-" : Long.toString(run.p99))
                        .append(" | ").append(ratioCell(run))
                        .append(" | ").append(run.stub == null ? "-" : Integer.toString(run.stub.maxConcurrent()))
                        .append(" | ").append(notes(run.notes, run)).append(" |\n");
            }
            out.append('\n');
        }

        if (!results.rateRuns.isEmpty()) {
            Results.RateRun first = results.rateRuns.get(0);
            out.append("## Rate limit: ").append(first.rateLimit).append(" per rolling minute, backlog of ")
                    .append(first.backlog).append(" events loaded before the start\n\n");
            out.append("Achieved rate: accepted stub calls per minute between the first and the last accepted call. "
                    + "Total: contender start to the last outcome.\n\n");
            out.append("| contender | max.poll.records | backlog | outcomes (dead letters) | total s "
                    + "| achieved calls/min | % of limit | 429s | stub calls | most in a rolling 60 s | shortest gap ms "
                    + "| notes |\n");
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (Results.RateRun run : results.rateRuns) {
                double achieved = run.stub == null ? Double.NaN : run.stub.achievedPerMinute();
                out.append("| ").append(run.contender)
                        .append(" | ").append(run.maxPollRecords)
                        .append(" | ").append(run.backlog)
                        .append(" | ").append(run.outcomes).append(" (").append(run.deadLetters).append(")")
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

        Results.StartupRun startup = results.startup;
        if (startup != null) {
            out.append("## Start-up and memory: the shaded jar as its own JVM (bridge only)\n\n");
            out.append("`").append(startup.command).append("` with the README's environment variables "
                    + "(unlimited rate, in-flight ").append(options.inFlight).append("); one event waiting at launch.\n\n");
            out.append("| measure | value |\n|---|---:|\n");
            out.append("| launch -> first stub call | ").append(ms(startup.firstStubCallMillis)).append(" |\n");
            out.append("| launch -> first outcome (its CreateTime) | ").append(ms(startup.firstOutcomeCreateMillis))
                    .append(" |\n");
            out.append("| launch -> first outcome received by the harness | ")
                    .append(ms(startup.firstOutcomeReceivedMillis)).append(" |\n");
            out.append("| then ").append(startup.events).append(" events: outcomes (dead letters) | ")
                    .append(startup.outcomes).append(" (").append(startup.deadLetters).append(") |\n");
            out.append("| ... time, events/s | ").append(fmt(startup.seconds)).append(" s, ")
                    .append(fmt(startup.seconds > 0 ? startup.outcomes / startup.seconds : Double.NaN))
                    .append(" |\n");
            out.append("| resident memory after them (VmRSS) | ").append(mb(startup.vmRssKb)).append(" |\n");
            out.append("| peak resident memory (VmHWM) | ").append(mb(startup.vmHwmKb)).append(" |\n");
            out.append("| JVM default max heap here (no -Xmx) | ")
                    .append(startup.defaultMaxHeapBytes < 0 ? "-" : startup.defaultMaxHeapBytes / (1024 * 1024) + " MB")
                    .append(" |\n");
            out.append("| SIGTERM -> exit | ").append(startup.stopSeconds < 0 ? "-"
                    : fmt(startup.stopSeconds) + " s, exit code " + startup.exitCode).append(" |\n");
            if (!startup.notes.isEmpty()) {
                out.append("\nNotes: ").append(String.join("; ", startup.notes)).append('\n');
            }
            out.append('\n');
        }

        out.append("## Targets and checks\n\n");
        out.append("| what | measured | target | met |\n|---|---|---|---|\n");
        if (startup != null) {
            long measured = startup.firstOutcomeCreateMillis;
            out.append("| start-up: launch -> first event consumed (measured to its outcome, an upper bound) | ")
                    .append(ms(measured)).append(" (first stub call ").append(ms(startup.firstStubCallMillis))
                    .append(") | < 3 s (issue) | ").append(measured < 0 ? "not met (no outcome)"
                            : measured < STARTUP_TARGET_MILLIS ? "met" : "not met").append(" |\n");
            out.append("| resident memory after ").append(startup.events).append(" events | ")
                    .append(mb(startup.vmRssKb)).append(" | report only (issue sets none) | - |\n");
        }
        for (Results.SteadyRun run : results.steadyRuns) {
            out.append("| ").append(scenarioLabel(run)).append(", ").append(run.contender)
                    .append(": every event has exactly one outcome, none dead-lettered | ")
                    .append(run.outcomes + run.latencyMeasured).append(" of ").append(run.events + run.latencyEvents)
                    .append(", ").append(run.deadLetters).append(" dead letters, ").append(run.duplicates)
                    .append(" duplicates | check | ")
                    .append(run.complete() && run.deadLetters == 0 && run.duplicates == 0 ? "met" : "not met")
                    .append(" |\n");
        }
        for (Results.RateRun run : results.rateRuns) {
            long limited = run.stub == null ? -1 : run.stub.rateLimited();
            out.append("| rate, ").append(run.contender).append(": no 429, every event created | ")
                    .append(limited).append(" x 429, ").append(run.outcomes - run.deadLetters).append(" of ")
                    .append(run.backlog).append(" created | check | ")
                    .append(limited == 0 && run.outcomes == run.backlog && run.deadLetters == 0 ? "met" : "not met")
                    .append(" |\n");
        }
        out.append('\n');
        return out.toString();
    }

    private String scenarioLabel(Results.SteadyRun run) {
        return (run.scenario.equals("zero")
                ? "zero: 0 ms, unlimited"
                : "latency: " + run.stubLatencyMillis + " ms, in-flight " + options.inFlight)
                + (options.rounds > 1 ? ", round " + run.round : "");
    }

    private String ratioCell(Results.SteadyRun run) {
        if (!run.contender.startsWith("bridge")) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        results.steadyRuns.stream()
                .filter(other -> other.scenario.equals(run.scenario) && other.round == run.round
                        && other.contender.equals("baseline"))
                .findFirst()
                .ifPresent(baseline -> parts.add(fmt2(run.eventsPerSecond() / baseline.eventsPerSecond())));
        if (run.stubLatencyMillis > 0) {
            double ceiling = options.inFlight * 1000.0 / run.stubLatencyMillis;
            parts.add(fmt2(run.eventsPerSecond() / ceiling) + " of the " + fmt(ceiling) + "/s ceiling");
        }
        return String.join("; ", parts);
    }

    private static String notes(List<String> notes, Results.SteadyRun run) {
        List<String> all = new ArrayList<>();
        all.add("max.poll.records " + run.maxPollRecords);
        all.add(String.format(Locale.ROOT, "start %.1f s", run.startSeconds));
        if (run.max >= 0) {
            all.add("added max " + run.max + " ms");
        }
        all.addAll(notes);
        return String.join("; ", all);
    }

    static String fmt(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "-";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String fmt2(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String ms(long millis) {
        return millis < 0 ? "-" : String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }

    private static String mb(long kb) {
        return kb < 0 ? "-" : String.format(Locale.ROOT, "%.0f MB", kb / 1024.0);
    }
}
