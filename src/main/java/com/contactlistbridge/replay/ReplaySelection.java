package com.contactlistbridge.replay;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Predicate;

/** Decides, from the options and what else is on the dead-letter topic, what happens to one dead letter. */
final class ReplaySelection {

    /** What happens to a dead letter; {@code label} is the first word of its report line. */
    enum Verdict {
        REPLAY, SKIP, REFUSE
    }

    /**
     * The decision about one dead letter.
     *
     * @param verdict what happens to it
     * @param label   the report's status, e.g. {@code SKIPPED(reason)} or {@code REFUSED(max replays)}; for REPLAY
     *                the caller chooses between REPLAYED and WOULD-REPLAY
     */
    record Decision(Verdict verdict, String label) {
    }

    private static final Decision REPLAY = new Decision(Verdict.REPLAY, null);

    private final ReplayOptions options;
    private final Map<String, String> supersededBy;
    private final Predicate<String> done;

    /**
     * @param supersededBy       dead-letter position -> position of a later dead letter that is its failed replay
     *                           (its {@code bridge.replayed-from}); such a dead letter has been replayed already and
     *                           the later one carries the event on
     * @param done               true for an event id whose list the bridge created and stored already
     */
    ReplaySelection(ReplayOptions options, Map<String, String> supersededBy, Predicate<String> done) {
        this.options = options;
        this.supersededBy = Map.copyOf(supersededBy);
        this.done = done;
    }

    ReplaySelection(ReplayOptions options, Map<String, String> supersededBy) {
        this(options, supersededBy, eventId -> false);
    }

    Decision decide(DeadLetter deadLetter) {
        String reason = deadLetter.reason();
        if (reason == null || options.reasons().stream().noneMatch(r -> r.name().equals(reason))) {
            return skip("reason");
        }
        Instant writtenAt = deadLetter.writtenAt();
        if (options.since() != null && (writtenAt == null || writtenAt.isBefore(options.since()))) {
            return skip("since");
        }
        if (options.until() != null && (writtenAt == null || !writtenAt.isBefore(options.until()))) {
            return skip("until");
        }
        if (!options.eventIds().isEmpty() && !options.eventIds().contains(deadLetter.eventId())) {
            return skip("event-id");
        }
        // Replaying it again would put the event on the requests topic twice: its later dead letter stands for it.
        if (supersededBy.containsKey(deadLetter.position())) {
            return skip("superseded");
        }
        // Its list exists and the processed events know it: a replay would only republish the created record.
        if (deadLetter.eventId() != null && done.test(deadLetter.eventId())) {
            return skip("done");
        }
        // Kore.ai has this list already (the dead letter names it): the bridge gave up publishing its created record or
        // remembering it, so the processed events may not know it and a replay could create a second list.
        if (deadLetter.createdContactListId() != null) {
            return new Decision(Verdict.REFUSE, "REFUSED(list created)");
        }
        // Not the original record any more: replaying it would publish a different event (or an empty one).
        if (deadLetter.omitted() != null) {
            String omitted = deadLetter.omitted();
            return new Decision(Verdict.REFUSE, omitted.matches("[a-z,]{1,32}")
                    ? "REFUSED(" + omitted.replace(',', '+') + " omitted)" : "REFUSED(trimmed)");
        }
        OptionalInt count = deadLetter.replayCount();
        if (count.isEmpty()) {
            return new Decision(Verdict.REFUSE, "REFUSED(bad replay count)");
        }
        if (count.getAsInt() >= options.maxReplays()) {
            return new Decision(Verdict.REFUSE, "REFUSED(max replays)");
        }
        return REPLAY;
    }

    /** The later dead letter that supersedes this one, or null. */
    String supersededBy(DeadLetter deadLetter) {
        return supersededBy.get(deadLetter.position());
    }

    private static Decision skip(String why) {
        return new Decision(Verdict.SKIP, "SKIPPED(" + why + ")");
    }
}
