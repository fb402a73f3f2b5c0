package com.contactlistbridge.benchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** What the scenarios measured; filled in by {@link BenchmarkHarness}, printed by {@link Report}. */
final class Results {

    final List<ThroughputRun> throughputRuns = new ArrayList<>();
    final List<RateRun> rateRuns = new ArrayList<>();
    final List<StartupRun> startupRuns = new ArrayList<>();
    /** Wall-clock seconds per scenario, in run order. */
    final Map<String, Double> scenarioSeconds = new LinkedHashMap<>();

    /** Fields every contender JVM run has. */
    abstract static class ProcessRun {
        String contender;
        /** 1-based; odd rounds in the order of --contenders, even rounds reversed. */
        int round = 1;
        /** 1-based position of this contender in its round. */
        int position;
        String logFile;
        long vmRssKb = -1;
        double stopSeconds = -1;
        int exitCode = Integer.MIN_VALUE;
        long duplicates;
        final List<String> notes = new ArrayList<>();
    }

    /** A burst or backlog scenario, one contender, one round. */
    static final class ThroughputRun extends ProcessRun {
        String scenario;
        long stubLatencyMillis;
        /** CPU time of the contender's own process per measured event (ms), -1 if unknown. */
        double cpuMillisPerEvent = -1;
        /** Launch to the first warm-up outcome received. */
        double startSeconds = -1;
        int warmupEvents;
        boolean warmupComplete;
        double warmupSeconds = -1;
        int events;
        int outcomes;
        double seconds;
        int latencyEvents;
        int latencyMeasured;
        long p50 = -1;
        long p99 = -1;
        long deadLetters;
        LatencyStub.Stats stub;

        double eventsPerSecond() {
            return seconds > 0 ? outcomes / seconds : Double.NaN;
        }

        boolean complete() {
            return warmupComplete && outcomes == events && latencyMeasured == latencyEvents;
        }
    }

    /** The rate-limited backlog for one contender. */
    static final class RateRun extends ProcessRun {
        int rateLimit;
        int backlog;
        int outcomes;
        long deadLetters;
        double totalSeconds;
        LatencyStub.Stats stub;
    }

    /** Start-up and memory of one contender JVM. */
    static final class StartupRun extends ProcessRun {
        /** Launch to the partitions-assigned log line, -1 when none was logged. */
        long assignedMillis = -1;
        long firstStubCallMillis = -1;
        long firstOutcomeCreateMillis = -1;
        long firstOutcomeReceivedMillis = -1;
        int coreEvents;
        int coreOutcomes;
        long coreRssKb = -1;
        int events;
        int outcomes;
        long deadLetters;
        double seconds;
        long vmHwmKb = -1;
        String command;
    }

    /** Median (mean of the middle two for an even count), min and max of some values; NaN ones are left out. */
    record Spread(double median, double min, double max, int count) {

        static <T> Spread of(List<T> runs, ToDoubleFunction<T> value) {
            double[] values = runs.stream().mapToDouble(value).filter(v -> !Double.isNaN(v)).sorted().toArray();
            if (values.length == 0) {
                return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
            }
            int n = values.length;
            double median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
            return new Spread(median, values[0], values[n - 1], n);
        }
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    static long[] sorted(List<Long> values) {
        long[] array = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(array);
        return array;
    }
}
