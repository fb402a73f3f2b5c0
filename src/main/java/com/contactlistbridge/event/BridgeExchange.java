package com.contactlistbridge.event;

/** Names of the exchange properties that carry one event through the routes (YAML mapping in, Java plumbing out). */
public final class BridgeExchange {

    /** Set by the YAML mapping: the CRM's event id, if the event has one. */
    public static final String EVENT_ID = "eventId";
    /** Set by the YAML mapping: the list name. */
    public static final String CONTACT_LIST_NAME = "contactListName";
    /** Set by the YAML mapping: the list description. */
    public static final String CONTACT_LIST_DESCRIPTION = "contactListDescription";
    /** Set by the YAML mapping: whether the list allows duplicate contacts (optional). */
    public static final String CONTACT_LIST_ALLOW_DUPLICATES = "contactListAllowDuplicates";

    /** The resolved event id: eventId, else record key, else topic-partition-offset. */
    public static final String RESOLVED_EVENT_ID = "bridgeEventId";
    /** The validated {@link ContactListRequest}. */
    public static final String REQUEST = "bridgeRequest";
    /** The parsed success response ({@code com.contactlistbridge.kore.CreatedContactList}). */
    public static final String CREATED = "bridgeCreated";
    /** True when the event's list was created before (found among the processed events): no call is made. */
    public static final String ALREADY_CREATED = "bridgeAlreadyCreated";
    /** True once the event's created record is durably in the processed events (found there, or written). */
    public static final String STORED = "bridgeStored";
    /** How many times this event has tried its Kore.ai step (store lookup, call, store write) so far. */
    public static final String ATTEMPTS = "bridgeAttempts";
    /** Set while a try of the Kore.ai step runs (see com.contactlistbridge.kore.KoreAttempts). */
    public static final String IN_TRY = "bridgeInTry";
    /** How many tries of any step of this event have failed so far (bounds the retries of every step). */
    public static final String FAILED_TRIES = "bridgeFailedTries";
    /** How many 401 answers this event has had (a 401 earns one retry with a fresh token). */
    public static final String AUTH_FAILURES = "bridgeAuthFailures";
    /** Calls of this event Kore.ai refused for its rate limit (not counted as attempts). */
    public static final String RATE_LIMITED_CALLS = "bridgeRateLimitedCalls";

    private BridgeExchange() {
    }
}
