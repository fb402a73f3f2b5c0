package com.contactlistbridge.routes;

import java.util.concurrent.Semaphore;

import org.apache.camel.Exchange;

/**
 * The {@code bridge.max-in-flight} limit: at most that many events, in all flows together, between the start of their
 * Kore.ai call and the moment its result is safe, i.e. remembered in the processed events (create-list-once) or, for
 * other flows, until the event's outcome is stored.
 *
 * <p>An event takes a slot on its first Kore.ai call and keeps it through its retries and backoffs, so a crash can repeat
 * at most this many calls. It gives the slot back as soon as the created list is stored: writing its outcome record
 * then overlaps the next event's call instead of keeping the slot idle (the worker pool has room for that, see
 * BridgeConfiguration). Slots are taken after the event's locks (see {@link EventLocks}) and their holders wait for no
 * lock, so no two events can wait for each other. A semaphore rather than the Throttle EIP's concurrent mode, which
 * gives its permit back only when the whole exchange completes (and, in some Camel 4 versions, forgets held permits
 * after 10 s: CAMEL-24926).
 */
public class KoreCallSlots {

    private static final String SLOT = "bridgeKoreCallSlot";

    private final Semaphore slots;
    private final int size;

    public KoreCallSlots(int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("bridge.max-in-flight must be at least 1, got " + maxInFlight);
        }
        this.size = maxInFlight;
        this.slots = new Semaphore(maxInFlight, true);
    }

    /** Waits for a slot; idempotent for the exchange (a retry keeps the slot it holds). */
    public void take(Exchange exchange) throws InterruptedException {
        if (exchange.getProperty(SLOT) == null) {
            slots.acquire();
            exchange.setProperty(SLOT, Boolean.TRUE);
        }
    }

    /** Gives the exchange's slot back, if it holds one; safe to call more than once. */
    public void giveBack(Exchange exchange) {
        if (exchange.removeProperty(SLOT) != null) {
            slots.release();
        }
    }

    /** How many events hold a slot now (for tests and metrics). */
    public int inUse() {
        return size - slots.availablePermits();
    }
}
