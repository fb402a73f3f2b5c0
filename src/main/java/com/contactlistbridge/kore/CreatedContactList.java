package com.contactlistbridge.kore;

/** What the bridge keeps of a successful Create Contact List answer; it becomes the created record. */
public record CreatedContactList(String eventId, String contactListId, String name, String status,
                                 String createdAt) {
}
