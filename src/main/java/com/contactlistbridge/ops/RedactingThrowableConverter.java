package com.contactlistbridge.ops;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Logback {@code %redactedEx}: the stack trace with secrets masked; option {@code json} also escapes it. */
public class RedactingThrowableConverter extends ThrowableProxyConverter {

    private boolean json;

    @Override
    public void start() {
        json = getOptionList() != null && getOptionList().contains("json");
        super.start();
    }

    @Override
    public String convert(ILoggingEvent event) {
        String trace = LogRedaction.redact(super.convert(event));
        return json ? JsonEscape.escape(trace) : trace;
    }
}
