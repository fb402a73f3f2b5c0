package com.contactlistbridge.routes;

import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import com.contactlistbridge.event.BridgeExchange;
import com.contactlistbridge.event.ContactListRequest;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * Keeps events that could be duplicates of each other from running at the same time when {@code bridge.max-in-flight}
 * is above 1: events with the same Kafka key (a re-sent event keeps its key, the event id) run one after the other,
 * so the second finds the first in the processed events and makes no call. With the guard by name, the same holds
 * for events with the same list name (case-insensitive).
 *
 * <p>Locks are taken in one order (key, then name, then the list refresh) and released in the opposite order, so two
 * events can never wait for each other. Unrelated events never wait.
 */
public class EventLocks {

    private static final String KEY_LOCK = "bridgeKeyLock";
    private static final String NAME_LOCK = "bridgeNameLock";
    private static final String LIST_REFRESH = "list-refresh";

    private final Map<String, Entry> locks = new ConcurrentHashMap<>();

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }

    /** Waits until no other event with this record's Kafka key is running (no wait for records without a key). */
    public void lockKey(Exchange exchange) {
        Object key = exchange.getMessage().getHeader(KafkaConstants.KEY);
        if (key != null) {
            String id = "key:" + (key instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes) : key);
            acquire(id);
            exchange.setProperty(KEY_LOCK, id);
        }
    }

    /** Releases what {@link #lockKey} took; safe to call when it took nothing. */
    public void unlockKey(Exchange exchange) {
        String id = exchange.getProperty(KEY_LOCK, String.class);
        if (id != null) {
            exchange.removeProperty(KEY_LOCK);
            release(id);
        }
    }

    /** Waits until no other event with the same list name (case-insensitive) is being checked or created. */
    public void lockName(Exchange exchange) {
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
    public void lockListRefresh(Exchange exchange) {
        acquire(LIST_REFRESH);
    }

    /** Releases what {@link #lockListRefresh} took. */
    public void unlockListRefresh(Exchange exchange) {
        release(LIST_REFRESH);
    }

    private void acquire(String id) {
        Entry entry = locks.compute(id, (k, e) -> {
            Entry current = e != null ? e : new Entry();
            current.users++;
            return current;
        });
        entry.lock.lock();
    }

    private void release(String id) {
        locks.computeIfPresent(id, (k, e) -> {
            e.lock.unlock();
            return --e.users == 0 ? null : e;
        });
    }

}
