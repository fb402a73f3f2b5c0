package com.contactlistbridge.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Command-line options of the benchmark harness; every option has a default, so no option is needed. */
final class BenchmarkOptions {

    static final List<String> ALL_SCENARIOS = List.of("zero", "latency", "rate", "startup");
    static final List<String> ALL_CONTENDERS = List.of("bridge", "baseline", "bridge-no-dedupe");

    static final String USAGE = """
            BenchmarkHarness: the bridge against a hand-written baseline on an in-process Kafka broker and a local HTTP stub.
            Run: ./mvnw -B -Pbenchmark verify [-Dbenchmark.args="OPTIONS"]; results also go to target/benchmark/results.md
              --scenarios LIST            zero,latency,rate,startup (default: all; rate takes ~2 x backlog minutes)
              --contenders LIST           bridge,baseline,bridge-no-dedupe (default: all; bridge-no-dedupe is the bridge
                                          with bridge.dedupe.enabled=false, the baseline's feature set; the rate
                                          scenario skips it; startup always measures the bridge only)
              --events N                  events of the throughput phase in zero AND latency (overrides the two below)
              --events-zero N             throughput events with 0 ms stub latency (default 5000)
              --events-latency N          throughput events with the slow stub (default 3000)
              --latency-ms MS             stub latency of the latency scenario (default 100)
              --in-flight N               concurrent Kore.ai calls, both contenders, every scenario (default 16)
              --rounds N                  rounds of the zero and latency scenarios; contenders alternate going first
                                          (default 2)
              --max-poll-records N        max.poll.records of zero/latency, both contenders (default 500)
              --rate-max-poll-records N   max.poll.records of the rate scenario (default: the bridge's own default from
                                          config/application.properties, used by the baseline too)
              --warmup N                  warm-up events per contender before measuring (default 2000: the JIT compiles the hot paths)
              --latency-events K          paced events for the added-latency percentiles (default 500)
              --latency-rate R            their rate, events per second (default 20)
              --rate-limit RPM            stub limit per rolling minute and the contenders' budget (default 60)
              --backlog-minutes M         rate scenario backlog: M x RPM events, loaded before the start (default 3)
              --startup-events N          events for the memory figure of the startup scenario (default 10000)
              --partitions N              partitions of every topic (default 3)
              --stub-threads N            stub server threads (default 64)
              --stall-seconds S           give up a phase when no outcome arrived for S seconds (default 120)
              --bridge-log-level LEVEL    LOG_LEVEL of the bridge's own loggers (default: unset = INFO, as in production);
                                          the root level is WARN; logs go to target/benchmark/*.log
              --help                      this text
            """;

    Set<String> scenarios = new LinkedHashSet<>(ALL_SCENARIOS);
    Set<String> contenders = new LinkedHashSet<>(ALL_CONTENDERS);
    int eventsZero = 5000;
    int eventsLatency = 3000;
    long latencyMillis = 100;
    int inFlight = 16;
    int rounds = 2;
    int maxPollRecords = 500;
    Integer rateMaxPollRecords;
    int warmup = 2000;
    int latencyEvents = 500;
    double latencyRate = 20;
    int rateLimit = 60;
    double backlogMinutes = 3;
    int startupEvents = 10_000;
    int partitions = 3;
    int stubThreads = 64;
    Duration stall = Duration.ofSeconds(120);
    String bridgeLogLevel;
    boolean help;

    /** Parses the arguments; each may hold several options separated by white space (one Maven property). */
    static BenchmarkOptions parse(String[] args) {
        List<String> tokens = new ArrayList<>();
        for (String arg : args) {
            if (arg == null) {
                continue;
            }
            for (String token : arg.trim().split("\\s+")) {
                if (!token.isEmpty()) {
                    tokens.add(token);
                }
            }
        }
        BenchmarkOptions options = new BenchmarkOptions();
        for (int i = 0; i < tokens.size(); i++) {
            String option = tokens.get(i);
            String value = null;
            int eq = option.indexOf('=');
            if (option.startsWith("--") && eq > 0) {
                value = option.substring(eq + 1);
                option = option.substring(0, eq);
            }
            if (option.equals("--help") || option.equals("-h")) {
                options.help = true;
                continue;
            }
            if (value == null) {
                if (i + 1 >= tokens.size()) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                value = tokens.get(++i);
            }
            switch (option) {
                case "--scenarios" -> options.scenarios = list(value, ALL_SCENARIOS, option);
                case "--contenders" -> options.contenders = list(value, ALL_CONTENDERS, option);
                case "--events" -> {
                    options.eventsZero = positive(value, option);
                    options.eventsLatency = options.eventsZero;
                }
                case "--events-zero" -> options.eventsZero = positive(value, option);
                case "--events-latency" -> options.eventsLatency = positive(value, option);
                case "--latency-ms" -> options.latencyMillis = atLeast(value, 0, option);
                case "--in-flight" -> options.inFlight = positive(value, option);
                case "--rounds" -> options.rounds = positive(value, option);
                case "--max-poll-records" -> options.maxPollRecords = positive(value, option);
                case "--rate-max-poll-records" -> options.rateMaxPollRecords =
                        value.equals("default") ? null : positive(value, option);
                case "--warmup" -> options.warmup = atLeast(value, 0, option);
                case "--latency-events" -> options.latencyEvents = atLeast(value, 0, option);
                case "--latency-rate" -> options.latencyRate = positiveDecimal(value, option);
                case "--rate-limit" -> options.rateLimit = positive(value, option);
                case "--backlog-minutes" -> options.backlogMinutes = positiveDecimal(value, option);
                case "--startup-events" -> options.startupEvents = atLeast(value, 0, option);
                case "--partitions" -> options.partitions = positive(value, option);
                case "--stub-threads" -> options.stubThreads = positive(value, option);
                case "--stall-seconds" -> options.stall = Duration.ofSeconds(positive(value, option));
                case "--bridge-log-level" -> options.bridgeLogLevel = value;
                default -> throw new IllegalArgumentException("Unknown option " + option + "\n" + USAGE);
            }
        }
        return options;
    }

    int backlogEvents() {
        return (int) Math.round(backlogMinutes * rateLimit);
    }

    private static Set<String> list(String value, List<String> allowed, String option) {
        Set<String> chosen = new LinkedHashSet<>();
        for (String item : value.split(",")) {
            String name = item.trim();
            if (name.equals("all")) {
                chosen.addAll(allowed);
            } else if (allowed.contains(name)) {
                chosen.add(name);
            } else if (!name.isEmpty()) {
                throw new IllegalArgumentException(option + ": unknown " + name + ", expected some of " + allowed);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException(option + " needs at least one of " + allowed);
        }
        // Keep the documented order whatever order was given.
        Set<String> ordered = new LinkedHashSet<>();
        allowed.stream().filter(chosen::contains).forEach(ordered::add);
        return ordered;
    }

    private static int positive(String value, String option) {
        return atLeast(value, 1, option);
    }

    private static int atLeast(String value, int min, String option) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min) {
                throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got " + value);
        }
    }

    private static double positiveDecimal(String value, String option) {
        try {
            double parsed = Double.parseDouble(value);
            if (!(parsed > 0)) {
                throw new IllegalArgumentException(option + " must be positive, got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got " + value);
        }
    }
}
