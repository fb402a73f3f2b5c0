package com.contactlistbridge.replay;

import java.io.PrintStream;

/** Prints replay's report, one line per dead letter and a summary, and keeps the counts. */
final class Report implements DeadLetterReplayer.Listener {

    private static final int MAX_PRINTED_LENGTH = 200;

    private final PrintStream out;
    private final boolean dryRun;
    private int read;
    private int replayed;
    private int skipped;
    private int refused;

    Report(PrintStream out, boolean dryRun) {
        this.out = out;
        this.dryRun = dryRun;
    }

    void start(ReplaySettings settings, ReplayOptions options) {
        out.println((dryRun ? "dry run, nothing is published: " : "") + "replaying dead letters from "
                + settings.deadLetterTopic() + " to " + settings.requestsTopic() + " (" + options.describe() + ")");
    }

    @Override
    public void onDeadLetter(DeadLetter deadLetter, ReplaySelection.Decision decision, String supersededBy) {
        read++;
        String status;
        String replayCount = deadLetter.replayCount().isPresent()
                ? String.valueOf(deadLetter.replayCount().getAsInt()) : "?";
        switch (decision.verdict()) {
            case REPLAY -> {
                replayed++;
                status = dryRun ? "WOULD-REPLAY" : "REPLAYED";
                replayCount = replayCount + "->" + (deadLetter.replayCount().getAsInt() + 1);
            }
            case SKIP -> {
                skipped++;
                status = decision.label();
            }
            default -> {
                refused++;
                status = decision.label();
            }
        }
        StringBuilder line = new StringBuilder(String.format("%-24s eventId=%s reason=%s dead-letter=%s written=%s "
                        + "replay-count=%s", status, printable(deadLetter.eventId()), printable(deadLetter.reason()),
                deadLetter.position(), deadLetter.writtenAt() == null ? "-" : deadLetter.writtenAt(), replayCount));
        if (supersededBy != null) {
            line.append(" superseded-by=").append(supersededBy);
        }
        if (deadLetter.createdContactListId() != null) {
            line.append(" contact-list-id=").append(printable(deadLetter.createdContactListId()));
        }
        out.println(line);
    }

    void summary(ReplaySettings settings) {
        out.println("summary" + (dryRun ? " (dry run, nothing published)" : "") + ": read " + read
                + " dead letter(s) from " + settings.deadLetterTopic() + "; " + (dryRun ? "would replay " : "replayed ")
                + replayed + " to " + settings.requestsTopic() + ", skipped " + skipped + ", refused " + refused);
    }

    int replayed() {
        return replayed;
    }

    /** Event ids and header values come from other systems: one line each, bounded, no control characters. */
    static String printable(String value) {
        if (value == null) {
            return "-";
        }
        StringBuilder text = new StringBuilder();
        value.codePoints().limit(MAX_PRINTED_LENGTH).forEach(c -> {
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                text.append('?');
            } else {
                text.appendCodePoint(c);
            }
        });
        if (value.codePointCount(0, value.length()) > MAX_PRINTED_LENGTH) {
            text.append("...");
        }
        return text.toString();
    }
}
