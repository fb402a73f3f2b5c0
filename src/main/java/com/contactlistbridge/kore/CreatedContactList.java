package com.contactlistbridge.kore;

/**
 * What the bridge keeps of a successful Create Contact List answer; it becomes the created record.
 *
 * @param existing true when the list was not created for this event but found by name (bridge.dedupe.by-name)
 */
public record CreatedContactList(String eventId, String contactListId, String name, String status,
                                 String createdAt, boolean existing) {

    /**
     * Longest list id the bridge passes on. Kore.ai's ids are short ({@code cl-} and a UUID, 39 characters); the id
     * goes into the created record, the processed events, the outcome log line and the dead letter's
     * bridge.contact-list-id header, so an answer cannot make any of them arbitrarily large.
     */
    public static final int MAX_ID_LENGTH = 128;

    public CreatedContactList(String eventId, String contactListId, String name, String status, String createdAt) {
        this(eventId, contactListId, name, status, createdAt, false);
    }

    /**
     * Why Kore.ai's list id cannot be passed on, or null when it can: at most {@value #MAX_ID_LENGTH} characters, no
     * white space or control characters. The description never repeats the id.
     */
    public static String idProblem(String id) {
        if (id.length() > MAX_ID_LENGTH) {
            return id.length() + " characters, at most " + MAX_ID_LENGTH;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)
                    || Character.getType(c) == Character.FORMAT) {
                return "character " + (i + 1) + " is white space, a control or a format character";
            }
        }
        return null;
    }
}
