package com.contactlistbridge.replay;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.contactlistbridge.config.InvalidSettingsException;
import com.contactlistbridge.config.KafkaClientSettings;

/**
 * The {@code replay} command: re-publishes dead letters to the requests topic with the bridge's own configuration,
 * reports every dead letter it read, and returns the process exit status.
 */
public final class ReplayCommand {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    /** Longest a read of the dead-letter topic may make no progress before the run is given up. */
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param env environment variables that override the properties file ({@code System.getenv()} in production)
     * @param out the report
     * @param err problems: bad options, bad configuration, Kafka failures
     */
    public ReplayCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code replay}
     * @return 0 when done (refused and skipped records included), 1 when Kafka failed (nothing more was published
     *         after the failure), 2 for a bad option or configuration (nothing was read or published)
     */
    public int run(List<String> args) {
        ReplayOptions options;
        try {
            options = ReplayOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("replay: " + e.getMessage());
            err.println();
            err.println(ReplayOptions.USAGE);
            return USAGE;
        }
        if (options.help()) {
            out.println(ReplayOptions.USAGE);
            return OK;
        }

        ReplaySettings settings;
        try {
            settings = ReplaySettings.load(env, options.flow());
        } catch (InvalidSettingsException e) {
            List<String> problems = e.problems();
            err.println("contact-list-bridge replay cannot run: " + problems.size()
                    + (problems.size() == 1 ? " setting needs" : " settings need") + " fixing");
            problems.forEach(problem -> err.println("  - " + problem));
            err.println("Replay reads the bridge's configuration: set them in config/application.properties or as "
                    + "environment variables.");
            return USAGE;
        }

        Report report = new Report(out, options.dryRun());
        report.start(settings, options);
        try {
            new DeadLetterReplayer(settings, STALL_TIMEOUT).replay(options, report);
        } catch (DeadLetterReplayer.ReplayFailedException e) {
            report.summary(settings);
            err.println("replay failed: " + e.getMessage());
            // Refused credentials or a failed TLS handshake: name the setting, as the bridge's start-up does.
            KafkaClientSettings.securityProblem(e, settings.consumerConfig())
                    .ifPresent(problem -> err.println("  - " + problem));
            if (report.replayed() > 0 && !options.dryRun()) {
                err.println(report.replayed() + " dead letter(s) were replayed before the failure (the REPLAYED "
                        + "lines); running replay again would publish them again: narrow it with --since or "
                        + "--event-id.");
            }
            return FAILED;
        }
        report.summary(settings);
        return OK;
    }
}
