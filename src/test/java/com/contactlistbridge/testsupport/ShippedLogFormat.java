package com.contactlistbridge.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.status.Status;

/** The log formats of the shipped src/main/resources/logback.xml, so tests check the real patterns and converters. */
public final class ShippedLogFormat {

    private static final Path LOGBACK = Path.of("src/main/resources/logback.xml");
    /** Everything a log viewer may take for the end of a line. */
    private static final Pattern ANY_LINE_BREAK = Pattern.compile("\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]");

    private ShippedLogFormat() {
    }

    /** The pattern of the named format ({@code text} or {@code json}). */
    public static String pattern(String format) {
        Matcher m = Pattern.compile("<variable name=\"" + format + "_PATTERN\" value=\"(.*?)\"/>", Pattern.DOTALL)
                .matcher(xml());
        if (!m.find()) {
            throw new IllegalArgumentException("no format " + format + " in " + LOGBACK);
        }
        return unescape(m.group(1));
    }

    /** The conversion words logback.xml declares, with their converter classes. */
    public static Map<String, String> conversionRules() {
        Map<String, String> rules = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<conversionRule conversionWord=\"(\\w+)\" class=\"([\\w.]+)\"/>").matcher(xml());
        while (m.find()) {
            rules.put(m.group(1), m.group(2));
        }
        return rules;
    }

    /**
     * A started encoder of the named format in the given context, with logback.xml's conversion rules registered.
     *
     * @throws IllegalStateException when logback reports an error for the pattern
     */
    @SuppressWarnings("unchecked")
    public static PatternLayoutEncoder encoder(LoggerContext context, String format) {
        synchronized (context) {
            Map<String, String> registry = (Map<String, String>) context.getObject(CoreConstants.PATTERN_RULE_REGISTRY);
            if (registry == null) {
                registry = new HashMap<>();
                context.putObject(CoreConstants.PATTERN_RULE_REGISTRY, registry);
            }
            registry.putAll(conversionRules());
        }
        int errorsBefore = errors(context);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern(format));
        encoder.start();
        if (errors(context) > errorsBefore) {
            throw new IllegalStateException("logback refused the " + format + " pattern: "
                    + context.getStatusManager().getCopyOfStatusList());
        }
        return encoder;
    }

    /** The lines of formatted log output, split at every character a viewer may take for a line break. */
    public static List<String> lines(String output) {
        String body = output.endsWith(System.lineSeparator())
                ? output.substring(0, output.length() - System.lineSeparator().length()) : output;
        return List.of(ANY_LINE_BREAK.split(body, -1));
    }

    private static int errors(LoggerContext context) {
        return (int) context.getStatusManager().getCopyOfStatusList().stream()
                .filter(status -> status.getLevel() == Status.ERROR).count();
    }

    private static String xml() {
        try {
            return Files.readString(LOGBACK);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String unescape(String attribute) {
        return attribute.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }
}
