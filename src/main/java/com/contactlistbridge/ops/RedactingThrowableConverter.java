package com.contactlistbridge.ops;

import java.util.List;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Logback {@code %redactedEx}: the stack trace with secrets masked; option {@code json} also escapes it. */
public class RedactingThrowableConverter extends ThrowableProxyConverter {

    private boolean json;

    @Override
    public void start() {
        List<String> options = getOptionList();
        json = options != null && options.contains("json");
        if (json) {
            // The parent reads its options as stack depth and evaluators: it must not see "json".
            setOptionList(options.stream().filter(option -> !option.equals("json")).toList());
        }
        super.start();
    }

    @Override
    public String convert(ILoggingEvent event) {
        String trace = LogRedaction.redact(super.convert(event));
        return json ? JsonEscape.escape(trace) : trace;
    }
}
