package com.contactlistbridge.ops;

import java.util.Arrays;
import java.util.List;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * Logback {@code %safeEx}: the stack trace, its own line breaks kept, with every exception message in it (causes and
 * suppressed ones included) masked and escaped like {@code %safe}, so a message quoting an event or Kore.ai cannot
 * forge a log line; option {@code json} ({@code %safeEx{json}}) also escapes the whole trace for a JSON string.
 */
public class SafeThrowableConverter extends ThrowableProxyConverter {

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
    protected String throwableProxyToString(IThrowableProxy throwable) {
        String trace = super.throwableProxyToString(new SafeMessages(throwable));
        return json ? LogEscaping.json(trace) : trace;
    }

    /** The throwable as logback sees it, with each message masked and escaped. */
    private record SafeMessages(IThrowableProxy delegate) implements IThrowableProxy {

        @Override
        public String getMessage() {
            String message = delegate.getMessage();
            return message == null ? null : LogEscaping.text(LogRedaction.redact(message));
        }

        @Override
        public String getClassName() {
            return delegate.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return delegate.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return delegate.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            IThrowableProxy cause = delegate.getCause();
            return cause == null ? null : new SafeMessages(cause);
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = delegate.getSuppressed();
            return suppressed == null ? null : Arrays.stream(suppressed).map(SafeMessages::new)
                    .toArray(IThrowableProxy[]::new);
        }

        @Override
        public boolean isCyclic() {
            return delegate.isCyclic();
        }
    }
}
