package com.contactlistbridge.ops;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Logback {@code %redactedMsg}: the log message with secrets masked; option {@code json} also escapes it. */
public class RedactingMessageConverter extends MessageConverter {

    private boolean json;

    @Override
    public void start() {
        json = "json".equals(getFirstOption());
        super.start();
    }

    @Override
    public String convert(ILoggingEvent event) {
        String message = LogRedaction.redact(super.convert(event));
        return json ? JsonEscape.escape(message) : message;
    }
}
