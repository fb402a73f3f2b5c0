package com.contactlistbridge.routes;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import com.contactlistbridge.event.BridgeExchange;
import com.contactlistbridge.event.ContactListRequest;
import com.contactlistbridge.event.EventIdResolver;
import com.contactlistbridge.event.InvalidEventException;
import org.apache.camel.Exchange;

/**
 * Keeps events that could be duplicates of each other from running at the same time when {@code bridge.max-in-flight}
 * is above 1: events with the same resolved event id (whatever their Kafka keys) run their Kore.ai step one after the
 * other, and the second finds the first's list in the processed events and makes no call. With the guard by name, the
 * same holds for events with the same list name (case-insensitive).
 *
 * <p>The event-id lock is taken on the event's first try of the Kore.ai step and held until the event has its outcome
 * (released by the consume-topic route, whichever thread finishes the event), so that no same-id event can slip in during a
 * retry's backoff. Locks are taken in one order (event id, then name, then the list refresh) and released in the
 * opposite order, so two events can never wait for each other. Unrelated events never wait.
 */
public class EventLocks {

    private static final String EVENT_LOCK = "bridgeEventLock";
    private static final String NAME_LOCK = "bridgeNameLock";
    private static final String LIST_REFRESH = "list-refresh";

    private final EventIdResolver eventIdResolver;

    public EventLocks(EventIdResolver eventIdResolver) {
        this.eventIdResolver = eventIdResolver;
    }

    /** Semaphores rather than thread-owned locks: a retried event may continue on another thread. */
    private final Map<String, Entry> locks = new ConcurrentHashMap<>();

    private static final class Entry {
        final Semaphore permit = new Semaphore(1, true);
        int users;
    }

    /**
     * Waits until no other event with this exchange's resolved event id is between its Kore.ai step and its outcome.
     * Idempotent for the exchange: a retry of the same event keeps the lock it holds.
     */
    public void lockEventId(Exchange exchange) throws InterruptedException, InvalidEventException {
        if (exchange.getProperty(EVENT_LOCK) != null) {
            return;
        }
        // Normally resolved by the flow's validation already; a flow without one gets it here.
        String eventId = eventIdResolver.resolve(exchange);
        // Per flow: the same id in two flows names two different events.
        String id = "event:" + exchange.getProperty(ConsumeTopicTemplate.FLOW, "", String.class) + ":" + eventId;
        acquire(id);
        exchange.setProperty(EVENT_LOCK, id);
    }

    /** Releases what {@link #lockEventId} took, once the event has ended; safe to call when it took nothing. */
    public void unlockEventId(Exchange exchange) {
        String id = exchange.getProperty(EVENT_LOCK, String.class);
        if (id != null) {
            exchange.removeProperty(EVENT_LOCK);
            release(id);
        }
    }

    /** Waits until no other event with the same list name (case-insensitive) is being checked or created. */
    public void lockName(Exchange exchange) throws InterruptedException {
        ContactListRequest request = exchange.getProperty(BridgeExchange.REQUEST, ContactListRequest.class);
        if (request != null && request.name() != null) {
            String id = "name:" + request.name().strip().toLowerCase(Locale.ROOT);
            acquire(id);
            exchange.setProperty(NAME_LOCK, id);
        }
    }

    /** Releases what {@link #lockName} took; safe to call when it took nothing. */
    public void unlockName(Exchange exchange) {
        String id = exchange.getProperty(NAME_LOCK, String.class);
        if (id != null) {
            exchange.removeProperty(NAME_LOCK);
            release(id);
        }
    }

    /**
     * Waits until no other event is refreshing the list names (the guard by name), so that one Get All Contact Lists
     * call serves every event that found the names stale at the same time. Always the last lock an event takes.
     */
    public void lockListRefresh(Exchange exchange) throws InterruptedException {
        acquire(LIST_REFRESH);
    }

    /** Releases what {@link #lockListRefresh} took. */
    public void unlockListRefresh(Exchange exchange) {
        release(LIST_REFRESH);
    }

    private void acquire(String id) throws InterruptedException {
        Entry entry = locks.compute(id, (k, e) -> {
            Entry current = e != null ? e : new Entry();
            current.users++;
            return current;
        });
        try {
            entry.permit.acquire();
        } catch (InterruptedException e) {
            locks.computeIfPresent(id, (k, current) -> --current.users == 0 ? null : current);
            throw e;
        }
    }

    private void release(String id) {
        locks.computeIfPresent(id, (k, e) -> {
            e.permit.release();
            return --e.users == 0 ? null : e;
        });
    }

    /** For tests: how many ids are locked or waited for. */
    int held() {
        return locks.size();
    }
}
