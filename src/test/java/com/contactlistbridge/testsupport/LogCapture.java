package com.contactlistbridge.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

/** Collects what one logger of an in-process bridge logs, from a level on, until closed (which restores the level). */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Level previousLevel;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event.getLevel() + " " + event.getFormattedMessage());
        }
    };

    private LogCapture(Class<?> source, Level level) {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        logger = logging.getLogger(source);
        previousLevel = logger.getLevel();
        logger.setLevel(level);
        appender.setContext(logging);
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts collecting the lines {@code source}'s logger writes at {@code level} or above. */
    public static LogCapture of(Class<?> source, Level level) {
        return new LogCapture(source, level);
    }

    /** The formatted messages so far, oldest first, each prefixed with its level ("WARN ..."). */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previousLevel);
    }
}
