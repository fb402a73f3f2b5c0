package com.contactlistbridge.ops;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.CoreConstants;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The two log formats of src/main/resources/logback.xml: redacted, and valid JSON one object per line. */
class LogFormatTest {

    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJhcHBJZCI6ImNzLTEifQ.c2lnbmF0dXJl";

    @Test
    void jsonFormatWritesOneValidJsonObjectPerLineWithEventIdAndMaskedSecrets() throws Exception {
        LogRedaction.register("json-format-secret-0123456789");
        String line = format("json", "quote \" backslash \\ newline\nauth: " + JWT
                + " secret json-format-secret-0123456789", new IllegalStateException("boom " + JWT));

        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("WARN");
        assertThat(json.get("logger").asText()).isEqualTo("contact-list-bridge.outcome");
        assertThat(json.get("eventId").asText()).isEqualTo("crm-json-1");
        assertThat(json.get("message").asText()).isEqualTo("quote \" backslash \\ newline\nauth: *** secret ***");
        assertThat(json.get("exception").asText()).contains("IllegalStateException: boom ***")
                .doesNotContain("eyJ");
        assertThat(json.get("timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    }

    @Test
    void textFormatShowsTheEventIdAndMasksTokens() throws Exception {
        String line = format("text", "auth: " + JWT, null);

        assertThat(line).contains("[crm-json-1] - auth: ***").doesNotContain("eyJ");
    }

    private static String format(String appender, String message, Throwable error) throws Exception {
        LoggerContext context = new LoggerContext();
        Map<String, String> rules = new HashMap<>();
        rules.put("redactedMsg", RedactingMessageConverter.class.getName());
        rules.put("redactedEx", RedactingThrowableConverter.class.getName());
        context.putObject(CoreConstants.PATTERN_RULE_REGISTRY, rules);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(patternOf(appender));
        encoder.start();
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .as("logback accepts the pattern without errors")
                .noneMatch(status -> status.getLevel() == ch.qos.logback.core.status.Status.ERROR);
        LoggingEvent event = new LoggingEvent("test", context.getLogger("contact-list-bridge.outcome"), Level.WARN,
                message, error, null);
        event.setMDCPropertyMap(Map.of("eventId", "crm-json-1"));
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    /** The pattern of the named format, read from the shipped logback.xml so the test checks the real format. */
    private static String patternOf(String format) throws Exception {
        String xml = Files.readString(Path.of("src/main/resources/logback.xml"));
        Matcher m = Pattern.compile("<variable name=\"" + format + "_PATTERN\" value=\"(.*?)\"/>", Pattern.DOTALL)
                .matcher(xml);
        assertThat(m.find()).as("format %s in logback.xml", format).isTrue();
        return m.group(1).replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    }
}
