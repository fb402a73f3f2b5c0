package com.contactlistbridge.kore;

import com.contactlistbridge.event.BridgeExchange;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry decisions for Camel's redelivery: which failures are retried, how often, and how long to wait after a
 * 429 with Retry-After.
 *
 * <p>Used twice by the default route configuration: as the {@code onExceptionOccurred} processor (runs first on every
 * failure) and as the {@code retryWhile} predicate.
 */
public class KoreRetryPolicy implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(KoreRetryPolicy.class);

    private final KoreErrorClassifier classifier;
    private final int maxAttempts;
    private final long maxRetryAfterMillis;
    private final Runnable onRetry;

    public KoreRetryPolicy(KoreErrorClassifier classifier, int maxAttempts, long maxRetryAfterMillis) {
        this(classifier, maxAttempts, maxRetryAfterMillis, () -> { });
    }

    /** @param onRetry called once for every retry decided (e.g. to count retries in metrics) */
    public KoreRetryPolicy(KoreErrorClassifier classifier, int maxAttempts, long maxRetryAfterMillis,
                           Runnable onRetry) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (maxRetryAfterMillis < 0) {
            throw new IllegalArgumentException("maxRetryAfterMillis must not be negative, got " + maxRetryAfterMillis);
        }
        this.classifier = classifier;
        this.maxAttempts = maxAttempts;
        this.maxRetryAfterMillis = maxRetryAfterMillis;
        this.onRetry = onRetry;
    }

    /**
     * Runs on every failure, before the retry decision: counts 401s, applies a server's Retry-After, and logs the
     * failures that will be retried (final failures are logged once, as dead-letter outcomes).
     */
    @Override
    public void process(Exchange exchange) {
        Classification c = classifier.classify(failureOf(exchange));
        if (c.unauthorized()) {
            exchange.setProperty(BridgeExchange.AUTH_FAILURES,
                    exchange.getProperty(BridgeExchange.AUTH_FAILURES, 0, Integer.class) + 1);
        }
        if (c.retryable() && c.retryAfterMillis() >= 0) {
            // Camel's redelivery reads this header in place of its computed backoff for the next attempt.
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, Math.min(c.retryAfterMillis(),
                    maxRetryAfterMillis));
        } else {
            exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        }
        if (shouldRetry(exchange)) {
            onRetry.run();
            LOG.warn("retrying eventId={} after attempt {} of {}: {}",
                    exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID),
                    exchange.getProperty(BridgeExchange.ATTEMPTS, 0, Integer.class), maxAttempts, c.message());
        }
    }

    /** True when the failed exchange should be tried again. */
    public boolean shouldRetry(Exchange exchange) {
        Classification c = classifier.classify(failureOf(exchange));
        int attempts = exchange.getProperty(BridgeExchange.ATTEMPTS, 0, Integer.class);
        if (c.unauthorized()) {
            // One more try with a freshly signed token; a second 401 is final.
            return exchange.getProperty(BridgeExchange.AUTH_FAILURES, 0, Integer.class) == 1;
        }
        return c.retryable() && attempts < maxAttempts;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    private static Throwable failureOf(Exchange exchange) {
        Throwable failure = exchange.getException();
        return failure != null ? failure : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }
}
