package com.contactlistbridge.replay;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.contactlistbridge.kore.FailureReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The replay command line: defaults, both GNU forms, lists, and a clear message for every mistake. */
class ReplayOptionsTest {

    @Test
    void noOptionsMeanUnavailableOnlyAnyTimeAnyEventThreeReplaysPublishing() {
        ReplayOptions options = ReplayOptions.parse(List.of());

        assertThat(options.reasons()).containsExactly(FailureReason.UNAVAILABLE);
        assertThat(options.since()).isNull();
        assertThat(options.until()).isNull();
        assertThat(options.eventIds()).isEmpty();
        assertThat(options.maxReplays()).isEqualTo(3);
        assertThat(options.dryRun()).isFalse();
        assertThat(options.help()).isFalse();
        assertThat(options).isEqualTo(ReplayOptions.defaults());
    }

    @Test
    void everyOptionInBothFormsAndRepeatedListsAccumulate() {
        ReplayOptions options = ReplayOptions.parse(List.of("--reason", "REJECTED,auth_failed", "--reason=UNAVAILABLE",
                "--since", "2025-07-01T10:00:00+02:00", "--until=2025-07-02T00:00:00Z", "--event-id", "crm-1",
                "--event-id=crm-2, crm-3", "--max-replays=5", "--dry-run"));

        assertThat(options.reasons()).containsExactlyInAnyOrder(FailureReason.REJECTED, FailureReason.AUTH_FAILED,
                FailureReason.UNAVAILABLE);
        assertThat(options.since()).isEqualTo(Instant.parse("2025-07-01T08:00:00Z"));
        assertThat(options.until()).isEqualTo(Instant.parse("2025-07-02T00:00:00Z"));
        assertThat(options.eventIds()).containsExactly("crm-1", "crm-2", "crm-3");
        assertThat(options.maxReplays()).isEqualTo(5);
        assertThat(options.dryRun()).isTrue();
        assertThat(options.describe()).isEqualTo("reasons REJECTED,AUTH_FAILED,UNAVAILABLE, since 2025-07-01T08:00:00Z,"
                + " until 2025-07-02T00:00:00Z, event ids crm-1,crm-2,crm-3, max replays 5");
    }

    @Test
    void flowIsTheDefaultFlowUnlessNamedAndTheReportNamesAnotherOne() {
        ReplayOptions defaults = ReplayOptions.parse(List.of());
        assertThat(defaults.flow()).isEqualTo("create-contact-list");
        assertThat(defaults.defaultFlow()).isTrue();
        assertThat(defaults.describe()).isEqualTo("reasons UNAVAILABLE, max replays 3");

        ReplayOptions other = ReplayOptions.parse(List.of("--flow", "add-contacts", "--reason", "REJECTED"));
        assertThat(other.flow()).isEqualTo("add-contacts");
        assertThat(other.defaultFlow()).isFalse();
        assertThat(other.describe()).isEqualTo("flow add-contacts, reasons REJECTED, max replays 3");
        assertThat(ReplayOptions.parse(List.of("--flow=update-contact-list")).flow())
                .isEqualTo("update-contact-list");
        assertThat(ReplayOptions.USAGE).contains("--flow NAME", "bridge.NAME.topic.dead-letter");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', emptyValue = "", value = {"add contacts", "a/b", "''"})
    void aFlowNameTheBridgeWouldRefuseIsRefused(String name) {
        assertThatThrownBy(() -> ReplayOptions.parse(List.of("--flow=" + name)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("option --flow needs a flow name: letters, digits, '.', '_' and '-' (1 to 100 of them) "
                        + "(got '" + name + "')");
    }

    @Test
    void aFlowNameIsGivenOnceAndARefusedOneIsEchoedOnOneLine() {
        assertThatThrownBy(() -> ReplayOptions.parse(List.of("--flow", "a", "--flow", "b")))
                .hasMessage("option --flow is given more than once");
        assertThatThrownBy(() -> ReplayOptions.parse(List.of("--flow=a\nFAKE LINE")))
                .hasMessageContaining("(got 'a\\nFAKE LINE')");
    }

    @Test
    void helpWinsOverWhateverFollows() {
        assertThat(ReplayOptions.parse(List.of("--dry-run", "--help", "--bogus")).help()).isTrue();
        assertThat(ReplayOptions.parse(List.of("-h")).help()).isTrue();
        assertThat(ReplayOptions.USAGE).startsWith("Usage: java -jar contact-list-bridge.jar replay [options]")
                .contains("--reason", "--since", "--until", "--max-replays", "--dry-run", "--event-id", "--help");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--bogus                                      | unknown option --bogus",
            "-x                                           | unexpected argument '-x' (replay takes options only)",
            "now                                          | unexpected argument 'now' (replay takes options only)",
            "--reason                                     | option --reason needs a value",
            "--reason --dry-run                           | option --reason needs a value",
            "--reason=TIMEOUT                             | unknown reason 'TIMEOUT' for --reason; use one of "
                    + "INVALID_EVENT, REJECTED, AUTH_FAILED, UNAVAILABLE",
            "--reason=UNAVAILABLE,                        | option --reason has an empty item in 'UNAVAILABLE,'",
            "--event-id=a,,b                              | option --event-id has an empty item in 'a,,b'",
            "--since=yesterday                            | option --since needs an ISO-8601 instant such as "
                    + "2025-07-01T08:00:00Z or 2025-07-01T10:00:00+02:00 (got 'yesterday')",
            "--until=2025-07-01                           | option --until needs an ISO-8601 instant such as "
                    + "2025-07-01T08:00:00Z or 2025-07-01T10:00:00+02:00 (got '2025-07-01')",
            "--max-replays=0                              | option --max-replays needs a whole number of at least 1 "
                    + "(got '0')",
            "--max-replays=three                          | option --max-replays needs a whole number of at least 1 "
                    + "(got 'three')",
            "--dry-run=yes                                | option --dry-run takes no value",
            "--since=2025-07-01T00:00:00Z --since=2025-07-02T00:00:00Z | option --since is given more than once",
            "--since=2025-07-02T00:00:00Z --until=2025-07-01T00:00:00Z | --since (2025-07-02T00:00:00Z) must be "
                    + "before --until (2025-07-01T00:00:00Z)",
            "--since=2025-07-01T00:00:00Z --until=2025-07-01T00:00:00Z | --since (2025-07-01T00:00:00Z) must be "
                    + "before --until (2025-07-01T00:00:00Z)"})
    void mistakesAreNamed(String args, String message) {
        assertThatThrownBy(() -> ReplayOptions.parse(List.of(args.split(" "))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void optionsAreImmutable() {
        ReplayOptions options = ReplayOptions.parse(List.of("--event-id", "a"));

        assertThatThrownBy(() -> options.eventIds().add("b")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> options.reasons().add(FailureReason.REJECTED))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(options.eventIds()).isEqualTo(Set.of("a"));
    }
}
