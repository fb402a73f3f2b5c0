package com.contactlistbridge.kore;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.contactlistbridge.event.BridgeExchange;
import com.contactlistbridge.event.ContactListRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

/**
 * The optional guard by name ({@code bridge.dedupe.by-name}): the account's contact lists by lower-cased name, from
 * Kore.ai's Get All Contact Lists, cached for a short time. An event whose name already exists is answered with
 * that list (flag {@code existing: true}) instead of creating a second list with the same name; this closes even the
 * window between Kore.ai's answer and the processed-events store.
 */
public class KoreListNames {

    private final ObjectMapper mapper;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, CreatedContactList> byName = new ConcurrentHashMap<>();
    private volatile Instant loadedAt = Instant.MIN;

    public KoreListNames(ObjectMapper mapper, Duration ttl, Clock clock) {
        this.mapper = mapper;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** True when the cached list of names is older than the TTL (or was never loaded). */
    public boolean needsRefresh() {
        return Duration.between(loadedAt, clock.instant()).compareTo(ttl) >= 0;
    }

    /**
     * Replaces the cache from a Get All Contact Lists answer: {@code {"status":"success","data":[{...}]}}, where
     * each list has at least {@code name} and {@code _id}.
     *
     * @throws KoreApiException when the answer is not a readable list of contact lists
     */
    public void refresh(Exchange exchange) throws KoreApiException {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        byte[] body = exchange.getMessage().getBody(byte[].class);
        JsonNode lists;
        try {
            lists = body == null ? null : mapper.readTree(body).path("data");
        } catch (IOException e) {
            lists = null;
        }
        if (lists == null || !lists.isArray()) {
            throw new KoreApiException(status == null ? 0 : status, "Get All Contact Lists answered " + status
                    + " without a data array; cannot check list names (bridge.dedupe.by-name)", false, -1);
        }
        byName.clear();
        for (JsonNode list : lists) {
            String name = list.path("name").asText(null);
            String id = list.path("_id").asText(null);
            if (name != null && id != null) {
                byName.put(key(name), new CreatedContactList(null, id, name, list.path("status").asText(null),
                        list.path("createdAt").asText(null), true));
            }
        }
        loadedAt = clock.instant();
    }

    /** When the request's name exists already, answers with that list and skips the creation. */
    public void match(Exchange exchange) {
        ContactListRequest request = exchange.getProperty(BridgeExchange.REQUEST, ContactListRequest.class);
        CreatedContactList existing = request == null ? null : byName.get(key(request.name()));
        if (existing != null) {
            String eventId = exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID, String.class);
            exchange.setProperty(BridgeExchange.CREATED, new CreatedContactList(eventId, existing.contactListId(),
                    existing.name(), existing.status(), existing.createdAt(), true));
            exchange.setProperty(BridgeExchange.ALREADY_CREATED, true);
        }
    }

    /** Adds a list this bridge just created, so a second event with its name is caught before the next refresh. */
    public void created(Exchange exchange) {
        CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
        if (created != null && created.name() != null) {
            byName.put(key(created.name()), created);
        }
    }

    /** Kore.ai's v1 answers carry a lower-cased name (lname), a hint that names compare case-insensitively. */
    private static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }
}
