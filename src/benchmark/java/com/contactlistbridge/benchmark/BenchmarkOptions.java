package com.contactlistbridge.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Command-line options of the benchmark harness; every option has a default, so no option is needed. */
final class BenchmarkOptions {

    static final String BURST = "burst";
    static final String BACKLOG = "backlog";
    static final String RATE = "rate";
    static final String STARTUP = "startup";

    static final String USAGE = """
            BenchmarkHarness: the shipped bridge jar against a hand-written KafkaConsumer + HttpClient + KafkaProducer
            baseline, each contender in its own JVM (default JVM flags), on an in-process Kafka broker and a local Kore.ai
            stub in the harness's JVM.
            Run: ./mvnw -B -Pbenchmark verify [-Dbenchmark.args="OPTIONS"]; results also go to target/benchmark/results.md,
            each contender's output to target/benchmark/<scenario>-<contender>-r<round>.log
              --scenarios LIST        burst-0ms,burst-100ms,backlog-0ms,backlog-100ms,rate,startup (default: all); burst and
                                      backlog stand for both of their latencies; the 100 is --latency-ms. burst/backlog:
                                      per contender JVM a warm-up, then the events produced at once, events/s from the
                                      first send to the last outcome. rate: a backlog under the request budget, once per
                                      contender (about --rate-minutes minutes each). startup: launch with one event
                                      waiting -> its outcome, resident memory after 30 events and after --startup-events
              --contenders LIST       bridge,baseline,bridge-no-dedupe,camel-floor (default: the first three;
                                      bridge-no-dedupe is the bridge jar with BRIDGE_DEDUPE_ENABLED=false; the rate
                                      scenario skips it; camel-floor is the least Camel route of the happy path, see
                                      CamelFloor)
              --rounds N              rounds of burst, backlog and startup; the contenders alternate who goes first: odd
                                      rounds in the order of --contenders, even rounds reversed; the report gives the
                                      median and min-max per contender (default 3)
              --burst-events N        events of the burst scenarios (default 300)
              --backlog-events N      events of the backlog scenarios (default 5000)
              --latency-ms MS         stub latency of the slow burst and backlog scenarios (default 100)
              --warmup N              warm-up events per contender JVM before measuring, at the scenario's latency; its
                                      first outcome shows the contender is up (default 1000; at least 1 is sent)
              --in-flight N           concurrent Kore.ai calls: bridge.max-in-flight and the baseline's workers (default 16)
              --max-poll-records N    max.poll.records of both contenders (default: not set, each its own default: the
                                      bridge's shipped config/application.properties, the baseline Kafka's 500)
              --bridge-jar PATH       the bridge jar to run with java -jar (default target/contact-list-bridge.jar)
              --bridge-dir DIR        working directory of the bridge, where it reads config/ and routes/ (default: the
                                      current directory, the project root); give an older build's own checkout with its jar
              --latency-events K      after the throughput phase, K paced events for added-latency percentiles (outcome
                                      CreateTime - input CreateTime - stub latency) (default 0 = off)
              --latency-rate R        their rate, events per second (default 20)
              --rate-limit RPM        rate scenario: stub limit per rolling minute and the contenders' budget (default 60)
              --rate-minutes M        rate scenario: M x RPM events loaded before the contender starts (default 3)
              --startup-events N      startup scenario: events after the 30-event core load, for the second memory figure
                                      (default 10000)
              --partitions N          partitions of every topic (default 3)
              --stub-threads N        stub server threads (default 64)
              --stall-seconds S       give up a phase when no outcome arrived for S seconds (default 120)
              --bridge-log-level LEVEL  LOG_LEVEL of the bridge processes (default: unset = INFO, as shipped)
              --jvm-option OPT          a JVM option for every contender JVM, repeatable (default: none, the JVM's
                                        defaults are measured); e.g. for a CPU profile per process:
                                        --jvm-option -XX:StartFlightRecording=filename=target/benchmark/%p.jfr,settings=profile
              --help                  this text
            """;

    /** The scenarios in the order they run; burst and backlog names carry their stub latency. */
    Set<String> scenarios;
    Set<String> contenders = new LinkedHashSet<>(List.of(ContenderProcess.BRIDGE, ContenderProcess.BASELINE,
            ContenderProcess.BRIDGE_NO_DEDUPE));
    int rounds = 3;
    int burstEvents = 300;
    int backlogEvents = 5000;
    long latencyMillis = 100;
    int warmup = 1000;
    int inFlight = 16;
    Integer maxPollRecords;
    Path bridgeJar = Path.of("target", "contact-list-bridge.jar");
    Path bridgeDir = Path.of("");
    int latencyEvents = 0;
    double latencyRate = 20;
    int rateLimit = 60;
    double rateMinutes = 3;
    int startupEvents = 10_000;
    int partitions = 3;
    int stubThreads = 64;
    Duration stall = Duration.ofSeconds(120);
    String bridgeLogLevel;
    final List<String> jvmOptions = new ArrayList<>();
    boolean help;

    /** A burst or backlog scenario: its name, how many events are produced at once, the stub latency. */
    record Load(String name, String kind, int events, long latencyMillis) {
    }

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
        String scenarioList = "all";
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
                case "--scenarios" -> scenarioList = value;
                case "--contenders" -> options.contenders = list(value, ContenderProcess.NAMES, option);
                case "--rounds" -> options.rounds = positive(value, option);
                case "--burst-events" -> options.burstEvents = positive(value, option);
                case "--backlog-events" -> options.backlogEvents = positive(value, option);
                case "--latency-ms" -> options.latencyMillis = atLeast(value, 0, option);
                case "--warmup" -> options.warmup = atLeast(value, 0, option);
                case "--in-flight" -> options.inFlight = positive(value, option);
                case "--max-poll-records" -> options.maxPollRecords = positive(value, option);
                case "--bridge-jar" -> options.bridgeJar = Path.of(value);
                case "--bridge-dir" -> options.bridgeDir = Path.of(value);
                case "--latency-events" -> options.latencyEvents = atLeast(value, 0, option);
                case "--latency-rate" -> options.latencyRate = positiveDecimal(value, option);
                case "--rate-limit" -> options.rateLimit = positive(value, option);
                case "--rate-minutes" -> options.rateMinutes = positiveDecimal(value, option);
                case "--startup-events" -> options.startupEvents = atLeast(value, 0, option);
                case "--partitions" -> options.partitions = positive(value, option);
                case "--stub-threads" -> options.stubThreads = positive(value, option);
                case "--stall-seconds" -> options.stall = Duration.ofSeconds(positive(value, option));
                case "--bridge-log-level" -> options.bridgeLogLevel = value;
                case "--jvm-option" -> options.jvmOptions.add(value);
                default -> throw new IllegalArgumentException("Unknown option " + option + "\n" + USAGE);
            }
        }
        // After the loop: the scenario names depend on --latency-ms, wherever it was given.
        options.scenarios = list(scenarioList, options.allScenarios(), "--scenarios");
        return options;
    }

    /** Every scenario name in run order, e.g. burst-0ms, burst-100ms, backlog-0ms, backlog-100ms, rate, startup. */
    List<String> allScenarios() {
        Set<String> names = new LinkedHashSet<>();
        for (String kind : List.of(BURST, BACKLOG)) {
            names.add(loadName(kind, 0));
            names.add(loadName(kind, latencyMillis));
        }
        names.add(RATE);
        names.add(STARTUP);
        return List.copyOf(names);
    }

    /** The burst or backlog scenario of that name, or null for rate and startup. */
    Load load(String scenario) {
        for (String kind : List.of(BURST, BACKLOG)) {
            for (long latency : new long[] {0, latencyMillis}) {
                if (scenario.equals(loadName(kind, latency))) {
                    return new Load(scenario, kind, kind.equals(BURST) ? burstEvents : backlogEvents, latency);
                }
            }
        }
        return null;
    }

    int rateBacklogEvents() {
        return (int) Math.round(rateMinutes * rateLimit);
    }

    private static String loadName(String kind, long latency) {
        return kind + "-" + latency + "ms";
    }

    /** Comma-separated names of {@code allowed}; "all" and a prefix group such as "burst" expand; documented order. */
    private static Set<String> list(String value, List<String> allowed, String option) {
        Set<String> chosen = new LinkedHashSet<>();
        for (String item : value.split(",")) {
            String name = item.trim();
            if (name.equals("all")) {
                chosen.addAll(allowed);
            } else if (allowed.contains(name)) {
                chosen.add(name);
            } else if (!name.isEmpty()) {
                List<String> group = allowed.stream().filter(candidate -> candidate.startsWith(name + "-")).toList();
                if (group.isEmpty() || !(name.equals(BURST) || name.equals(BACKLOG))) {
                    throw new IllegalArgumentException(option + ": unknown " + name + ", expected some of " + allowed);
                }
                chosen.addAll(group);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException(option + " needs at least one of " + allowed);
        }
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
