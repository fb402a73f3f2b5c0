package com.contactlistbridge.kore;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The brake every Kore.ai call passes before it takes a slot of the request budget: when Kore.ai refuses a call for
 * its rate limit, the gate closes for the Retry-After (or a whole rate-limit window) and every call of this bridge
 * waits, instead of spending more calls on further refusals.
 *
 * <p>The Kore.ai routes wait with Camel's Delay EIP for {@link #remainingMillis()}.
 */
public class KoreRateLimitGate {

    /** Kore.ai counts its Campaign Management limit per minute. */
    public static final long WINDOW_MILLIS = 60_000;

    private final Clock clock;
    private final AtomicLong closedUntilMillis = new AtomicLong();

    public KoreRateLimitGate(Clock clock) {
        this.clock = clock;
    }

    /** Closes the gate for at least this long from now (a later close is never shortened by an earlier one). */
    public void closeFor(long millis) {
        long until = clock.millis() + Math.max(0, millis);
        closedUntilMillis.accumulateAndGet(until, Math::max);
    }

    /** How long a call must still wait, 0 when the gate is open. */
    public long remainingMillis() {
        return Math.max(0, closedUntilMillis.get() - clock.millis());
    }
}
