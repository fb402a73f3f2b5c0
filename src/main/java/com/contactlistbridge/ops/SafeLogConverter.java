package com.contactlistbridge.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;

/**
 * Logback {@code %safe(...){text}} / {@code %safe(...){json}}: what the inner pattern renders (the message, an MDC
 * value such as the event id, the thread name) with secrets masked ({@link LogRedaction}) and line-breaking characters
 * escaped for a text line or a JSON string value ({@link LogEscaping}), so no logged value can forge a log line.
 *
 * <p>The option is required: logback's parser prints a conversion word that directly follows an option-less
 * composite (such as {@code %n} in {@code %safe(%msg)%n}) as literal text.
 */
public class SafeLogConverter extends CompositeConverter<ILoggingEvent> {

    private boolean json;

    @Override
    public void start() {
        String format = getFirstOption();
        if (!"text".equals(format) && !"json".equals(format)) {
            addError("%safe needs the option {text} or {json}, got " + format);
            return;
        }
        json = format.equals("json");
        super.start();
    }

    @Override
    protected String transform(ILoggingEvent event, String in) {
        String clean = LogRedaction.redact(in);
        return json ? LogEscaping.json(clean) : LogEscaping.text(clean);
    }
}
