package com.contactlistbridge.benchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What the scenarios measured; filled in by {@link BenchmarkHarness}, printed by {@link Report}. */
final class Results {

    final List<SteadyRun> steadyRuns = new ArrayList<>();
    final List<RateRun> rateRuns = new ArrayList<>();
    StartupRun startup;

    /** Throughput and added latency of one contender in the zero or latency scenario. */
    static final class SteadyRun {
        String scenario;
        /** 1-based; contenders take turns going first, since whoever runs first warms the shared JVM and broker. */
        int round = 1;
        String contender;
        long stubLatencyMillis;
        int maxPollRecords;
        double startSeconds;
        boolean warmupComplete;
        int events;
        int outcomes;
        double seconds;
        int latencyEvents;
        int latencyMeasured;
        long p50 = -1;
        long p99 = -1;
        long max = -1;
        long deadLetters;
        long duplicates;
        LatencyStub.Stats stub;
        final List<String> notes = new ArrayList<>();

        double eventsPerSecond() {
            return seconds > 0 ? outcomes / seconds : Double.NaN;
        }

        boolean complete() {
            return warmupComplete && outcomes == events && latencyMeasured == latencyEvents;
        }
    }

    /** The rate-limited backlog for one contender. */
    static final class RateRun {
        String contender;
        int maxPollRecords;
        int rateLimit;
        int backlog;
        int outcomes;
        long deadLetters;
        double totalSeconds;
        LatencyStub.Stats stub;
        final List<String> notes = new ArrayList<>();
    }

    /** The shaded jar as its own JVM: start-up and memory. */
    static final class StartupRun {
        long firstStubCallMillis = -1;
        long firstOutcomeCreateMillis = -1;
        long firstOutcomeReceivedMillis = -1;
        int events;
        int outcomes;
        double seconds;
        long deadLetters;
        long vmRssKb = -1;
        long vmHwmKb = -1;
        long defaultMaxHeapBytes = -1;
        int exitCode = Integer.MIN_VALUE;
        double stopSeconds = -1;
        String command;
        String logFile;
        final List<String> notes = new ArrayList<>();
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
