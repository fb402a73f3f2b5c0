package com.contactlistbridge.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.contactlistbridge.testsupport.ShippedLogFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two log formats of src/main/resources/logback.xml: secrets masked, one line per log call whatever the logged
 * values hold, and valid JSON one object per line.
 */
class LogFormatTest {

    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJhcHBJZCI6ImNzLTEifQ.c2lnbmF0dXJl";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A value from an event or from Kore.ai that tries to start a log line of its own. */
    private static final String FAKE_LINE = "\r\n2026-12-06 INFO fake line";
    /** The same with every other line-breaking or terminal-steering character. */
    private static final String HOSTILE = FAKE_LINE + "\n2026-12-06 INFO lf\r2026-12-06 INFO cr"
            + "\u2028 2026-12-06 INFO ls\u2029 ps\u0085 nel\u000b vt\u000c ff\u001b[2K esc\t tab\u0000 nul\u007f del";

    @Test
    void jsonFormatWritesOneValidJsonObjectPerLineWithEventIdAndMaskedSecrets() throws Exception {
        LogRedaction.register("json-format-secret-0123456789");
        String line = format("json", "crm-json-1", "quote \" backslash \\ newline\nauth: " + JWT
                + " secret json-format-secret-0123456789", new IllegalStateException("boom " + JWT));

        assertThat(ShippedLogFormat.lines(line)).hasSize(1);
        JsonNode json = JSON.readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("WARN");
        assertThat(json.get("logger").asText()).isEqualTo("contact-list-bridge.outcome");
        assertThat(json.get("eventId").asText()).isEqualTo("crm-json-1");
        assertThat(json.get("message").asText()).isEqualTo("quote \" backslash \\ newline\nauth: *** secret ***");
        assertThat(json.get("exception").asText()).contains("IllegalStateException: boom ***")
                .doesNotContain("eyJ");
        assertThat(json.get("timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    }

    @Test
    void textFormatShowsTheEventIdAndMasksTokens() {
        String line = format("text", "crm-json-1", "auth: " + JWT, null);

        assertThat(line).contains("[crm-json-1] - auth: ***").doesNotContain("eyJ");
    }

    @Test
    void aJwtInTheEventIdIsMaskedToo() {
        assertThat(format("text", "crm-" + JWT, "m", null)).contains("[crm-***] - m").doesNotContain("eyJ");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text", "json"})
    void anEventIdListNameAndKoreErrorTextHoldingAFakeLineGiveExactlyOneLinePerLogCall(String format)
            throws Exception {
        String eventId = "crm-1" + HOSTILE;
        String name = "Renewals" + HOSTILE;
        String koreError = "Kore.ai answered 400: name '" + name + "' is invalid" + FAKE_LINE;
        String message = "dead-lettered eventId=" + eventId + " name=" + name + " message=" + koreError;

        String output = format(format, eventId, message, null);

        assertThat(ShippedLogFormat.lines(output)).hasSize(1).noneMatch(line -> line.startsWith("2026-12-06"));
        assertThat(output.substring(0, output.length() - System.lineSeparator().length()))
                .as("no control character, no line or paragraph separator left raw")
                .doesNotContainPattern("[\\p{Cntrl}\\u0085\\u2028\\u2029]");
        if (format.equals("json")) {
            JsonNode json = JSON.readTree(output);
            assertThat(json.get("eventId").asText()).as("JSON escaping is lossless").isEqualTo(eventId);
            assertThat(json.get("message").asText()).isEqualTo(message);
        } else {
            assertThat(output).contains("[crm-1\\r\\n2026-12-06 INFO fake line\\n2026-12-06 INFO lf\\r2026-12-06 INFO "
                    + "cr\\u2028 2026-12-06 INFO ls\\u2029 ps\\u0085 nel\\u000b vt\\u000c ff\\u001b[2K esc\\t tab"
                    + "\\u0000 nul\\u007f del] - dead-lettered eventId=crm-1\\r\\n2026-12-06 INFO fake line");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text", "json"})
    void anExceptionMessageCannotForgeALineButTheStackTraceKeepsItsOwnLines(String format) throws Exception {
        String hostile = format(format, "crm-2", "call failed", failure("Kore.ai answered 500: " + HOSTILE));
        String clean = format(format, "crm-2", "call failed", failure("Kore.ai answered 500: clean"));

        List<String> traceLines;
        List<String> cleanTraceLines;
        if (format.equals("json")) {
            assertThat(ShippedLogFormat.lines(hostile)).hasSize(1);
            String exception = JSON.readTree(hostile).get("exception").asText();
            traceLines = ShippedLogFormat.lines(exception);
            cleanTraceLines = ShippedLogFormat.lines(JSON.readTree(clean).get("exception").asText());
            assertThat(exception).contains("IllegalStateException: Kore.ai answered 500: \\r\\n2026-12-06 INFO fake");
        } else {
            traceLines = ShippedLogFormat.lines(hostile);
            cleanTraceLines = ShippedLogFormat.lines(clean);
            assertThat(traceLines.get(0)).endsWith("[crm-2] - call failed");
            assertThat(hostile).contains("IllegalStateException: Kore.ai answered 500: \\r\\n2026-12-06 INFO fake");
        }
        assertThat(cleanTraceLines.size()).as("the trace has lines of its own").isGreaterThan(3);
        assertThat(traceLines).as("as many lines as the same trace with clean messages")
                .hasSameSizeAs(cleanTraceLines).noneMatch(line -> line.startsWith("2026-12-06"));
        assertThat(String.join("\n", traceLines)).as("cause and suppressed messages are escaped too")
                .contains("Caused by: java.io.IOException: cause \\r\\n2026-12-06 INFO fake line")
                .contains("Suppressed: java.lang.IllegalArgumentException: suppressed \\r\\n2026-12-06 INFO fake line");
    }

    /** Same stack depth for every message, so two traces differ only in their messages. */
    private static IllegalStateException failure(String message) {
        IllegalStateException failure = new IllegalStateException(message, new IOException("cause " + FAKE_LINE));
        failure.addSuppressed(new IllegalArgumentException("suppressed " + FAKE_LINE));
        return failure;
    }

    private static String format(String format, String eventId, String message, Throwable error) {
        LoggerContext context = new LoggerContext();
        PatternLayoutEncoder encoder = ShippedLogFormat.encoder(context, format);
        LoggingEvent event = new LoggingEvent("test", context.getLogger("contact-list-bridge.outcome"), Level.WARN,
                message, error, null);
        event.setMDCPropertyMap(Map.of("eventId", eventId));
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }
}
