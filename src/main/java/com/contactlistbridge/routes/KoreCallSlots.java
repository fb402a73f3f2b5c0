package com.contactlistbridge.routes;

import java.util.concurrent.Semaphore;

import org.apache.camel.Exchange;

/**
 * The {@code bridge.max-in-flight} limit: at most that many events, in all flows together, between their start and
 * their outcome's publication, i.e. parsing, Kore.ai calls with their retries and backoffs, and the processed-events
 * write; so at most that many Kore.ai calls at a time, and a crash repeats at most that many.
 *
 * <p>The consume-topic block takes a slot before it starts an event (the records of a batch in offset order), and
 * starts it only if the batch still runs then.
 * The publish-outcome block gives it back before it writes the outcome record, so that write overlaps the next event's
 * call instead of keeping the slot idle (the worker pool has room for that, see BridgeConfiguration); the
 * consume-topic block gives back what an event still holds when it ends (dead-lettered, held back, cut off). Slots are
 * taken before the event's locks (see {@link EventLocks}) and never while holding one, so no two events can wait for
 * each other. A semaphore rather than the Throttle EIP's concurrent mode, which gives its permit back only when the
 * whole exchange completes (and, in some Camel 4 versions, forgets held permits after 10 s: CAMEL-24926).
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

    /**
     * Waits for a slot; idempotent for the exchange. The records of a batch take their slots in offset order (a worker
     * thread that runs early does not overtake the records before its own).
     */
    public void take(Exchange exchange) throws InterruptedException {
        if (exchange.getProperty(SLOT) != null) {
            return;
        }
        RecordBatch batch = exchange.getProperty(RecordBatches.BATCH, RecordBatch.class);
        Integer index = exchange.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        if (batch == null || index == null) {
            slots.acquire();
        } else {
            try {
                batch.awaitTurn(index);
                slots.acquire();
            } finally {
                batch.passTurn();
            }
        }
        exchange.setProperty(SLOT, Boolean.TRUE);
    }

    /** Gives the exchange's slot back, if it holds one; safe to call more than once. */
    public void giveBack(Exchange exchange) {
        if (exchange.removeProperty(SLOT) != null) {
            slots.release();
        }
    }

    /** How many events hold a slot now (for tests). */
    public int inUse() {
        return size - slots.availablePermits();
    }
}
