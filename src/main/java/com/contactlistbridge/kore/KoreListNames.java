package com.contactlistbridge.kore;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

import com.contactlistbridge.event.BridgeExchange;
import com.contactlistbridge.event.ContactListRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

/**
 * The optional guard by name ({@code bridge.dedupe.by-name}): the account's contact lists by lower-cased name, from
 * Kore.ai's Get All Contact Lists, cached for a short time. An event whose name already exists is answered with
 * that list (flag {@code existing: true}) instead of creating a second list with the same name; this closes even the
 * window between Kore.ai's answer and the processed-events store, and a create that failed after Kore.ai may have
 * carried it out (the names are refreshed before anything checks a name again).
 *
 * <p>Readers always see one complete set of names: a refresh collects every page first and then swaps the set in at
 * once. Get All Contact Lists documents no paging (its answer is {@code {"status":"success","data":[...]}}); should
 * Kore.ai answer with the paged shape of its v2 Get All Contacts ({@code "data":{"results":[...],"skip":0,
 * "limit":50,"hasMore":true}}), the next pages are requested with {@code skip} and {@code limit}.
 */
public class KoreListNames {

    /** Pages one refresh reads at most; a Get All Contact Lists that keeps saying "more" must not hold an event. */
    static final int MAX_PAGES = 100;
    /** Exchange property: the refresh this event is running ({@link Refresh}). */
    private static final String REFRESH = "bridgeListNamesRefresh";

    private final ObjectMapper mapper;
    private final Duration ttl;
    private final Clock clock;
    private final KoreErrorClassifier classifier;
    private final String listQuery;

    /** The set readers see; replaced as a whole, never changed in place. */
    private volatile Names names = new Names(Map.of(), Instant.MIN, -1);
    /** The change number of the last failed call that may have created a list (see {@link #afterFailedCall}). */
    private volatile long invalidatedAt;
    // Guarded by this: a counter of invalidations and lists created here, and the lists created here by change number,
    // so that a refresh whose Get All was sent before a creation does not drop that list.
    private long changes;
    private final Map<String, CreatedHere> createdHere = new HashMap<>();

    private record Names(Map<String, CreatedContactList> byName, Instant loadedAt, long loadedFrom) {
    }

    private record CreatedHere(CreatedContactList list, long change) {
    }

    /** One refresh in progress: the names read so far and where the next page starts. */
    private static final class Refresh {
        final long from;
        final Map<String, CreatedContactList> byName = new HashMap<>();
        int pages;
        int nextSkip;
        int limit;
        boolean more = true;

        Refresh(long from) {
            this.from = from;
        }
    }

    /**
     * @param classifier decides which failed calls may have been carried out by Kore.ai
     * @param listQuery  the documented query of Get All Contact Lists ({@code accountId=..&type=call}), repeated on
     *                   every further page
     */
    public KoreListNames(ObjectMapper mapper, Duration ttl, Clock clock, KoreErrorClassifier classifier,
                         String listQuery) {
        this.mapper = mapper;
        this.ttl = ttl;
        this.clock = clock;
        this.classifier = classifier;
        this.listQuery = listQuery;
    }

    /**
     * True when the names must be read again before a name is checked: never loaded, older than the TTL, or read
     * before a failed call that may have created a list.
     */
    public boolean needsRefresh() {
        Names current = names;
        return current.loadedFrom() < invalidatedAt
                || Duration.between(current.loadedAt(), clock.instant()).compareTo(ttl) >= 0;
    }

    /** Starts reading the names (every page) for this exchange; the set readers see does not change until the end. */
    public synchronized void startRefresh(Exchange exchange) {
        exchange.setProperty(REFRESH, new Refresh(changes));
    }

    /** True until the last page has been read. */
    public boolean hasMorePages(Exchange exchange) {
        return refreshOf(exchange).more;
    }

    /**
     * Sets the query of the next page: none for the first (the endpoint's documented query), the documented query
     * plus {@code skip} and {@code limit} for the pages after it. The values come from Kore.ai's previous answer.
     */
    public void preparePage(Exchange exchange) {
        Refresh refresh = refreshOf(exchange);
        if (refresh.pages > 0) {
            exchange.getMessage().setHeader(Exchange.HTTP_QUERY, listQuery + "&skip=" + refresh.nextSkip + "&limit="
                    + refresh.limit);
        }
    }

    /**
     * Adds one Get All Contact Lists answer to the refresh: {@code {"data":[{...}]}} (the documented shape, one page),
     * or {@code {"data":{"results":[{...}],"skip":..,"limit":..,"hasMore":..}}}, where each list has at least
     * {@code name} and {@code _id}.
     *
     * @throws KoreApiException when the answer is not a readable list of contact lists, or pages do not end
     */
    public void readPage(Exchange exchange) throws KoreApiException {
        Refresh refresh = refreshOf(exchange);
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        int code = status == null ? 0 : status;
        byte[] body = exchange.getMessage().getBody(byte[].class);
        JsonNode data;
        try {
            data = body == null ? null : mapper.readTree(body).path("data");
        } catch (IOException e) {
            data = null;
        }
        refresh.pages++;
        if (data != null && data.isArray()) {
            add(refresh.byName, data);
            refresh.more = false;
            return;
        }
        JsonNode results = data == null ? null : data.get("results");
        if (results == null || !results.isArray()) {
            throw new KoreApiException(code, "Get All Contact Lists answered " + status + " without a data array; "
                    + "cannot check list names (bridge.dedupe.by-name)", false, -1);
        }
        add(refresh.byName, results);
        refresh.more = data.path("hasMore").asBoolean(false);
        if (!refresh.more) {
            return;
        }
        int skip = data.path("skip").canConvertToInt() ? data.get("skip").asInt() : refresh.nextSkip;
        int limit = data.path("limit").canConvertToInt() ? data.get("limit").asInt() : results.size();
        if (results.isEmpty() || limit < 1) {
            throw new KoreApiException(code, "Get All Contact Lists answered an empty page (or limit " + limit
                    + ") with hasMore=true; cannot check list names (bridge.dedupe.by-name)", false, -1);
        }
        if (refresh.pages >= MAX_PAGES) {
            throw new KoreApiException(code, "Get All Contact Lists still has more after " + MAX_PAGES + " pages; "
                    + "cannot check list names (bridge.dedupe.by-name)", false, -1);
        }
        refresh.nextSkip = skip + results.size();
        refresh.limit = limit;
    }

    /**
     * Swaps the names read by this refresh in, in one step, together with the lists this bridge created after the
     * refresh began (its Get All may not have seen them).
     */
    public synchronized void finishRefresh(Exchange exchange) {
        Refresh refresh = refreshOf(exchange);
        exchange.removeProperty(REFRESH);
        Map<String, CreatedContactList> byName = new HashMap<>(refresh.byName);
        for (Iterator<Map.Entry<String, CreatedHere>> it = createdHere.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, CreatedHere> entry = it.next();
            if (entry.getValue().change() > refresh.from) {
                byName.putIfAbsent(entry.getKey(), entry.getValue().list());
            } else {
                it.remove();
            }
        }
        names = new Names(Map.copyOf(byName), clock.instant(), refresh.from);
    }

    /** When the request's name exists already, answers with that list and skips the creation. */
    public void match(Exchange exchange) {
        ContactListRequest request = exchange.getProperty(BridgeExchange.REQUEST, ContactListRequest.class);
        CreatedContactList existing = request == null ? null : names.byName().get(key(request.name()));
        if (existing != null) {
            String eventId = exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID, String.class);
            exchange.setProperty(BridgeExchange.CREATED, new CreatedContactList(eventId, existing.contactListId(),
                    existing.name(), existing.status(), existing.createdAt(), true));
            exchange.setProperty(BridgeExchange.ALREADY_CREATED, true);
        }
    }

    /** Adds a list this bridge just created, so a second event with its name is caught before the next refresh. */
    public synchronized void created(Exchange exchange) {
        CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
        if (created != null && created.name() != null) {
            String key = key(created.name());
            createdHere.put(key, new CreatedHere(created, ++changes));
            Map<String, CreatedContactList> byName = new HashMap<>(names.byName());
            byName.put(key, created);
            Names current = names;
            names = new Names(Map.copyOf(byName), current.loadedAt(), current.loadedFrom());
        }
    }

    /**
     * Runs when the create call failed: if Kore.ai may have carried it out (no answer after the request may have been
     * sent, a 5xx), the list may exist now, so the names count as stale and are read again before any name is
     * checked, this event's retry included. Then the failure goes on to the error handler unchanged.
     */
    public void afterFailedCall(Exchange exchange) throws Exception {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (failure == null) {
            throw new IllegalStateException("afterFailedCall runs in a doCatch block, after a failure");
        }
        if (classifier.mayHaveBeenCarriedOut(failure)) {
            invalidate();
        }
        throw failure;
    }

    private synchronized void invalidate() {
        invalidatedAt = ++changes;
    }

    private static void add(Map<String, CreatedContactList> byName, JsonNode lists) {
        for (JsonNode list : lists) {
            String name = list.path("name").asText(null);
            String id = list.path("_id").asText(null);
            // A list whose id could not be passed on is no answer for an event (see CreatedContactList.idProblem).
            if (name != null && id != null && CreatedContactList.idProblem(id) == null) {
                byName.put(key(name), new CreatedContactList(null, id, name, list.path("status").asText(null),
                        list.path("createdAt").asText(null), true));
            }
        }
    }

    private static Refresh refreshOf(Exchange exchange) {
        Refresh refresh = exchange.getProperty(REFRESH, Refresh.class);
        if (refresh == null) {
            throw new IllegalStateException("no list-names refresh in progress: call startRefresh first");
        }
        return refresh;
    }

    /** Kore.ai's v1 answers carry a lower-cased name (lname), a hint that names compare case-insensitively. */
    private static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }
}
