package com.contactlistbridge.replay;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import com.contactlistbridge.kore.FailureReason;
import com.contactlistbridge.routes.FlowChecks;

/**
 * The validated command-line options of {@code replay}, parsed GNU style ({@code --name value} or
 * {@code --name=value}).
 *
 * @param reasons     dead-letter reasons to replay; never empty
 * @param since       replay only dead letters written at or after this instant; null = no lower bound
 * @param until       replay only dead letters written before this instant; null = no upper bound
 * @param eventIds    replay only these event ids; empty = every event id
 * @param maxReplays  refuse records that were already replayed this many times
 * @param dryRun      report what would be replayed, publish nothing
 * @param help        print the usage and do nothing else
 * @param flow        the flow whose dead letters to replay ({@value #DEFAULT_FLOW} unless {@code --flow} names another)
 */
public record ReplayOptions(
        Set<FailureReason> reasons,
        Instant since,
        Instant until,
        Set<String> eventIds,
        int maxReplays,
        boolean dryRun,
        boolean help,
        String flow) {

    public static final int DEFAULT_MAX_REPLAYS = 3;
    /** The flow of bridge.topic.requests and bridge.topic.dead-letter. */
    public static final String DEFAULT_FLOW = "create-contact-list";

    /** Invalid events fail the same way every time: only outages are worth replaying unless asked otherwise. */
    public static final Set<FailureReason> DEFAULT_REASONS = Collections.unmodifiableSet(
            EnumSet.of(FailureReason.UNAVAILABLE));

    public static final String USAGE = String.join(System.lineSeparator(),
            "Usage: java -jar contact-list-bridge.jar replay [options]",
            "",
            "Re-publishes dead letters from bridge.topic.dead-letter to bridge.topic.requests (another flow's: from",
            "bridge.<flow>.topic.dead-letter to bridge.<flow>.topic.requests, see --flow), with the bridge's own",
            "configuration (config/application.properties and environment variables). The dead-letter topic is read",
            "from the beginning up to its end as of the start; the original key, value and headers are published",
            "without the bridge.error.*/bridge.original.* headers, plus bridge.replayed-event-id (the original",
            "event id, kept by an event without eventId and key), bridge.replay-count and bridge.replayed-from.",
            "",
            "Options:",
            "  --reason R[,R...]    replay only these reasons: INVALID_EVENT, REJECTED, AUTH_FAILED, UNAVAILABLE",
            "                       (default: UNAVAILABLE); repeatable",
            "  --since INSTANT      only dead letters written at or after INSTANT, e.g. 2025-07-01T08:00:00Z",
            "  --until INSTANT      only dead letters written before INSTANT",
            "  --event-id ID[,ID]   only these event ids; repeatable",
            "  --max-replays N      refuse records already replayed N times (default " + DEFAULT_MAX_REPLAYS + ")",
            "  --flow NAME          replay the dead letters of flow NAME (default " + DEFAULT_FLOW + "), e.g.",
            "                       add-contacts: its topics are the settings bridge.NAME.topic.dead-letter and",
            "                       bridge.NAME.topic.requests (README \"Add a flow\")",
            "  --dry-run            report what would be replayed, publish nothing",
            "  -h, --help           print this help",
            "",
            "Dead letters stay on their topic, so each run replays what it selects again: narrow repeated runs with",
            "--since or --event-id. Skipped: a dead letter whose replay failed again (the newer one stands for it).",
            "Refused: dead letters replayed --max-replays times, and those of a list Kore.ai created already",
            "(bridge.contact-list-id): replaying them could create the list a second time.",
            "Exit status: 0 done, 1 Kafka failure (nothing more is published), 2 bad option or configuration.");

    public ReplayOptions {
        reasons = Collections.unmodifiableSet(EnumSet.copyOf(reasons));
        eventIds = Collections.unmodifiableSet(new LinkedHashSet<>(eventIds));
        flow = flow == null ? DEFAULT_FLOW : flow;
    }

    /** True for the flow of bridge.topic.requests, whose processed events are kept by bare event id. */
    public boolean defaultFlow() {
        return DEFAULT_FLOW.equals(flow);
    }

    /** The defaults: UNAVAILABLE only, no time window, every event id, at most 3 replays, publishing. */
    public static ReplayOptions defaults() {
        return new ReplayOptions(DEFAULT_REASONS, null, null, Set.of(), DEFAULT_MAX_REPLAYS, false, false, null);
    }

    /**
     * Parses the arguments that follow {@code replay}.
     *
     * @throws IllegalArgumentException with a message naming the bad option (for the user, without the usage)
     */
    public static ReplayOptions parse(List<String> args) {
        Set<FailureReason> reasons = EnumSet.noneOf(FailureReason.class);
        Set<String> eventIds = new LinkedHashSet<>();
        Instant since = null;
        Instant until = null;
        Integer maxReplays = null;
        boolean dryRun = false;
        String flow = null;

        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help")) {
                return new ReplayOptions(DEFAULT_REASONS, null, null, Set.of(), DEFAULT_MAX_REPLAYS, false, true, null);
            }
            if (!arg.startsWith("--") || arg.equals("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "' (replay takes options only)");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            String inlineValue = equals < 0 ? null : arg.substring(equals + 1);
            switch (name) {
                case "--dry-run" -> {
                    if (inlineValue != null) {
                        throw new IllegalArgumentException("option --dry-run takes no value");
                    }
                    dryRun = true;
                }
                case "--reason" -> {
                    for (String reason : listValue(name, inlineValue != null ? inlineValue : next(args, ++i, name))) {
                        reasons.add(reason(reason));
                    }
                }
                case "--event-id" -> eventIds.addAll(
                        listValue(name, inlineValue != null ? inlineValue : next(args, ++i, name)));
                case "--since" -> {
                    requireOnce(name, since);
                    since = instant(name, inlineValue != null ? inlineValue : next(args, ++i, name));
                }
                case "--until" -> {
                    requireOnce(name, until);
                    until = instant(name, inlineValue != null ? inlineValue : next(args, ++i, name));
                }
                case "--max-replays" -> {
                    requireOnce(name, maxReplays);
                    maxReplays = positive(name, inlineValue != null ? inlineValue : next(args, ++i, name));
                }
                case "--flow" -> {
                    requireOnce(name, flow);
                    flow = flowName(inlineValue != null ? inlineValue : next(args, ++i, name));
                }
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("--since (" + since + ") must be before --until (" + until + ")");
        }
        return new ReplayOptions(reasons.isEmpty() ? DEFAULT_REASONS : reasons, since, until, eventIds,
                maxReplays == null ? DEFAULT_MAX_REPLAYS : maxReplays, dryRun, false, flow);
    }

    /** The selection in words, for the report's first line. */
    public String describe() {
        StringBuilder text = new StringBuilder(defaultFlow() ? "" : "flow " + flow + ", ").append("reasons ")
                .append(reasons.stream().map(Enum::name).collect(Collectors.joining(",")));
        if (since != null) {
            text.append(", since ").append(since);
        }
        if (until != null) {
            text.append(", until ").append(until);
        }
        if (!eventIds.isEmpty()) {
            text.append(", event ids ").append(String.join(",", eventIds));
        }
        return text.append(", max replays ").append(maxReplays).toString();
    }

    private static String next(List<String> args, int index, String name) {
        // "--since --dry-run" is a forgotten value, not a value that starts with dashes.
        if (index >= args.size() || args.get(index).startsWith("--")) {
            throw new IllegalArgumentException("option " + name + " needs a value");
        }
        return args.get(index);
    }

    private static List<String> listValue(String name, String value) {
        List<String> items = Arrays.stream(value.split(",", -1)).map(String::strip).toList();
        if (items.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("option " + name + " has an empty item in '" + value + "'");
        }
        return items;
    }

    /** A flow name as the bridge's start-up allows it (FlowChecks), so that it can name only a flow. */
    private static String flowName(String value) {
        if (!FlowChecks.isFlowName(value)) {
            throw new IllegalArgumentException("option --flow needs a flow name: " + FlowChecks.FLOW_NAME_RULE
                    + " (got '" + FlowChecks.shown(value) + "')");
        }
        return value;
    }

    private static FailureReason reason(String value) {
        try {
            return FailureReason.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown reason '" + value + "' for --reason; use one of "
                    + Arrays.stream(FailureReason.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    private static Instant instant(String name, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("option " + name + " needs an ISO-8601 instant such as "
                    + "2025-07-01T08:00:00Z or 2025-07-01T10:00:00+02:00 (got '" + value + "')");
        }
    }

    private static int positive(String name, String value) {
        try {
            int number = Integer.parseInt(value);
            if (number >= 1) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below, with the same message as a number out of range
        }
        throw new IllegalArgumentException("option " + name + " needs a whole number of at least 1 (got '" + value
                + "')");
    }

    private static void requireOnce(String name, Object previous) {
        if (previous != null) {
            throw new IllegalArgumentException("option " + name + " is given more than once");
        }
    }
}
