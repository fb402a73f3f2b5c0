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
    private final KoreRateLimitGate rateLimitGate;
    private final Runnable onRetry;
    private final Runnable onRateLimited;
    private final int maxRateLimitWaits;

    /** Rate-limit refusals one event waits out before it counts as unavailable, unless configured otherwise. */
    public static final int DEFAULT_MAX_RATE_LIMIT_WAITS = 10;

    public KoreRetryPolicy(KoreErrorClassifier classifier, int maxAttempts, long maxRetryAfterMillis) {
        this(classifier, maxAttempts, maxRetryAfterMillis, new KoreRateLimitGate(java.time.Clock.systemUTC()),
                () -> { }, () -> { });
    }

    /**
     * @param rateLimitGate closed for every call of this bridge when Kore.ai refuses one for its rate limit
     * @param onRetry       called once for every retry decided (e.g. to count retries in metrics)
     * @param onRateLimited called once for every call Kore.ai refused for its rate limit
     */
    public KoreRetryPolicy(KoreErrorClassifier classifier, int maxAttempts, long maxRetryAfterMillis,
                           KoreRateLimitGate rateLimitGate, Runnable onRetry, Runnable onRateLimited) {
        this(classifier, maxAttempts, maxRetryAfterMillis, DEFAULT_MAX_RATE_LIMIT_WAITS, rateLimitGate, onRetry,
                onRateLimited);
    }

    /**
     * @param maxRateLimitWaits rate-limit refusals one event waits out (they are not attempts); after that many the
     *                          event is treated as unavailable, so that no event is retried forever
     */
    public KoreRetryPolicy(KoreErrorClassifier classifier, int maxAttempts, long maxRetryAfterMillis,
                           int maxRateLimitWaits, KoreRateLimitGate rateLimitGate, Runnable onRetry,
                           Runnable onRateLimited) {
        if (maxRateLimitWaits < 0) {
            throw new IllegalArgumentException("maxRateLimitWaits must not be negative, got " + maxRateLimitWaits);
        }
        this.maxRateLimitWaits = maxRateLimitWaits;
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (maxRetryAfterMillis < 0) {
            throw new IllegalArgumentException("maxRetryAfterMillis must not be negative, got " + maxRetryAfterMillis);
        }
        this.classifier = classifier;
        this.maxAttempts = maxAttempts;
        this.maxRetryAfterMillis = maxRetryAfterMillis;
        this.rateLimitGate = rateLimitGate;
        this.onRetry = onRetry;
        this.onRateLimited = onRateLimited;
    }

    /**
     * Runs on every failure, before the retry decision: counts 401s and rate-limit refusals, applies a server's
     * Retry-After, closes the rate-limit gate, and logs the failures that will be retried (final failures are logged
     * once, as dead-letter outcomes).
     */
    @Override
    public void process(Exchange exchange) {
        Classification c = classifier.classify(failureOf(exchange));
        // The try ended with this failure: a redelivery is a new try.
        KoreAttempts.endTry(exchange);
        exchange.setProperty(BridgeExchange.FAILED_TRIES,
                exchange.getProperty(BridgeExchange.FAILED_TRIES, 0, Integer.class) + 1);
        if (c.unauthorized()) {
            exchange.setProperty(BridgeExchange.AUTH_FAILURES,
                    exchange.getProperty(BridgeExchange.AUTH_FAILURES, 0, Integer.class) + 1);
        }
        if (c.rateLimited()) {
            // Not a failed attempt: the call is given back, and every call of this bridge waits for the window.
            exchange.setProperty(BridgeExchange.RATE_LIMITED_CALLS,
                    exchange.getProperty(BridgeExchange.RATE_LIMITED_CALLS, 0, Integer.class) + 1);
            long wait = Math.min(c.retryAfterMillis() >= 0 ? c.retryAfterMillis() : KoreRateLimitGate.WINDOW_MILLIS,
                    maxRetryAfterMillis);
            rateLimitGate.closeFor(wait);
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, wait);
            onRateLimited.run();
            LOG.warn("Kore.ai rate limit reached for eventId={} ({}): every call waits {} ms; this call is tried "
                    + "again and not counted as an attempt", exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID),
                    c.message(), wait);
            return;
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
                    exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID), countedAttempts(exchange), maxAttempts,
                    c.message());
        }
    }

    /** True when the failed exchange should be tried again. */
    public boolean shouldRetry(Exchange exchange) {
        Classification c = classifier.classify(failureOf(exchange));
        if (c.rateLimited()) {
            return exchange.getProperty(BridgeExchange.RATE_LIMITED_CALLS, 0, Integer.class) <= maxRateLimitWaits;
        }
        if (c.unauthorized()) {
            // One more try with a freshly signed token; a second 401 is final.
            return exchange.getProperty(BridgeExchange.AUTH_FAILURES, 0, Integer.class) == 1;
        }
        return c.retryable() && countedAttempts(exchange) < maxAttempts;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Tries of this event, less those Kore.ai refused for its rate limit: tries of the Kore.ai step, or failed tries
     * of any step (the outcome's publication included), whichever is more, so that every failing step is bounded.
     */
    private static int countedAttempts(Exchange exchange) {
        return Math.max(exchange.getProperty(BridgeExchange.ATTEMPTS, 0, Integer.class),
                exchange.getProperty(BridgeExchange.FAILED_TRIES, 0, Integer.class))
                - exchange.getProperty(BridgeExchange.RATE_LIMITED_CALLS, 0, Integer.class);
    }

    private static Throwable failureOf(Exchange exchange) {
        Throwable failure = exchange.getException();
        return failure != null ? failure : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }
}
