package com.contactlistbridge.event;

/** The validated body of one Create Contact List API-v2 call. */
public record ContactListRequest(String name, String description, String source, boolean allowDuplicates) {

    /** Kore.ai accepts only this source for lists filled through the API. */
    public static final String PASSIVE_API_SOURCE = "passiveApi";
}
