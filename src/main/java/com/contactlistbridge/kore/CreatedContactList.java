package com.contactlistbridge.kore;

/**
 * What the bridge keeps of a successful Create Contact List answer; it becomes the created record.
 *
 * @param existing true when the list was not created for this event but found by name (bridge.dedupe.by-name)
 */
public record CreatedContactList(String eventId, String contactListId, String name, String status,
                                 String createdAt, boolean existing) {

    public CreatedContactList(String eventId, String contactListId, String name, String status, String createdAt) {
        this(eventId, contactListId, name, status, createdAt, false);
    }
}
