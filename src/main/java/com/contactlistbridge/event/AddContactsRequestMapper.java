package com.contactlistbridge.event;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.contactlistbridge.kore.KoreRequestFactory;
import com.contactlistbridge.kore.KoreResponseParser;
import com.contactlistbridge.routes.FlowContract;
import com.contactlistbridge.routes.ProcessedCalls;
import org.apache.camel.Exchange;

/**
 * The add-contacts flow's logic: validates the mapped list name and contacts against Kore.ai's rules before any call,
 * cuts the contacts into chunks of {@code bridge.add-contacts.chunk-size} (one Add Contacts call each), hands the
 * flow one chunk at a time, and builds the outcome record from Kore.ai's answers.
 *
 * <p>Lengths are counted in UTF-16 code units, as for Create Contact List. Phone numbers: E.164 ({@code +} and 7 to
 * 15 digits, no leading 0) or 6 to 15 digits (Kore's samples send digits without {@code +}).
 */
public class AddContactsRequestMapper {

    /** Variable set by the flow's mapping: the list name. */
    public static final String LIST_NAME = "listName";
    /** Variable set by the flow's mapping: the contacts (a JSON array). */
    public static final String CONTACTS = "contacts";
    /** Variable: the request bodies, one per chunk. */
    public static final String CHUNKS = "koreChunks";
    /** Variable: how many chunks (the flow's loop count). */
    public static final String CHUNK_COUNT = "chunkCount";
    /** Variable: the answers of the calls made so far, one per chunk. */
    public static final String ANSWERS = "koreAnswers";
    public static final int MAX_NAME_LENGTH = ContactListRequestMapper.MAX_NAME_LENGTH;
    static final int MAX_TEXT_LENGTH = 128;
    static final int MAX_EMAIL_LENGTH = 254;
    /** Longest text kept of Kore.ai's status and message in the outcome record. */
    static final int MAX_ANSWER_TEXT = 512;
    private static final Pattern PHONE = Pattern.compile("\\+[1-9][0-9]{6,14}|[0-9]{6,15}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+");

    private final EventIdResolver eventIdResolver;
    private final int chunkSize;
    private final int maxContacts;

    public AddContactsRequestMapper(EventIdResolver eventIdResolver, int chunkSize, int maxContacts) {
        if (chunkSize < 1 || maxContacts < 1) {
            throw new IllegalArgumentException("chunk size and maximum contacts must be positive");
        }
        this.eventIdResolver = eventIdResolver;
        this.chunkSize = chunkSize;
        this.maxContacts = maxContacts;
    }

    /** Validates the mapped variables and prepares the chunks (variables koreChunks and chunkCount). */
    @FlowContract(variables = {LIST_NAME, CONTACTS}, setsVariables = {CHUNKS, CHUNK_COUNT, ANSWERS})
    public void toChunks(Exchange exchange) throws InvalidEventException {
        eventIdResolver.resolve(exchange);
        List<Map<String, Object>> chunks = chunks(exchange.getVariable(LIST_NAME), exchange.getVariable(CONTACTS));
        exchange.setVariable(CHUNKS, chunks);
        exchange.setVariable(CHUNK_COUNT, chunks.size());
        exchange.setVariable(ANSWERS, new ArrayList<Map<String, Object>>());
    }

    /**
     * Validates the raw values and builds one Add Contacts body per chunk:
     * {@code {"contact_list_name": ..., "data": [{"phoneNumber": ..., "first name": ..., "last name": ..., "email": ...}]}}
     * (the field spelling of Kore.ai's page).
     *
     * @throws InvalidEventException naming the first value that breaks a rule
     */
    public List<Map<String, Object>> chunks(Object listName, Object contacts) throws InvalidEventException {
        String name = text("listName", listName, MAX_NAME_LENGTH, true);
        if (contacts == null) {
            throw new InvalidEventException("contacts is missing; it is required (an array of 1 to " + maxContacts
                    + " contacts)");
        }
        if (!(contacts instanceof List<?> list)) {
            throw new InvalidEventException("contacts must be an array, got " + JsonTypes.describe(contacts));
        }
        if (list.isEmpty() || list.size() > maxContacts) {
            throw new InvalidEventException("contacts has " + list.size() + " entries; it must have 1 to "
                    + maxContacts + " (bridge.add-contacts.max-contacts)");
        }
        List<Map<String, Object>> data = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            data.add(contact(i, list.get(i)));
        }
        List<Map<String, Object>> chunks = new ArrayList<>();
        for (int from = 0; from < data.size(); from += chunkSize) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("contact_list_name", name);
            body.put("data", List.copyOf(data.subList(from, Math.min(data.size(), from + chunkSize))));
            chunks.add(body);
        }
        return chunks;
    }

    private static Map<String, Object> contact(int index, Object value) throws InvalidEventException {
        String where = "contacts[" + index + "]";
        if (!(value instanceof Map<?, ?> contact)) {
            throw new InvalidEventException(where + " must be an object, got " + JsonTypes.describe(value));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Object phone = contact.get("phoneNumber");
        String phoneNumber = text(where + ".phoneNumber", phone, 16, true);
        if (!PHONE.matcher(phoneNumber).matches()) {
            throw new InvalidEventException(where + ".phoneNumber must be E.164 (+ and 7 to 15 digits) or 6 to 15 "
                    + "digits; got " + phoneNumber.length() + " characters that are neither (the number is personal data: "
                    + "not repeated here)");
        }
        out.put("phoneNumber", phoneNumber);
        putOptional(out, "first name", text(where + ".firstName", contact.get("firstName"), MAX_TEXT_LENGTH, false));
        putOptional(out, "last name", text(where + ".lastName", contact.get("lastName"), MAX_TEXT_LENGTH, false));
        String email = text(where + ".email", contact.get("email"), MAX_EMAIL_LENGTH, false);
        if (email != null && !EMAIL.matcher(email).matches()) {
            throw new InvalidEventException(where + ".email is not an e-mail address (name@domain.tld)");
        }
        putOptional(out, "email", email);
        return out;
    }

    private static void putOptional(Map<String, Object> out, String field, String value) {
        if (value != null) {
            out.put(field, value);
        }
    }

    private static String text(String field, Object value, int maxLength, boolean required)
            throws InvalidEventException {
        if (value == null) {
            if (required) {
                throw new InvalidEventException(field + " is missing; it is required (a string of 1 to " + maxLength
                        + " characters)");
            }
            return null;
        }
        if (!(value instanceof String text)) {
            throw new InvalidEventException(field + " must be a string, got " + JsonTypes.describe(value));
        }
        if (text.isBlank()) {
            throw new InvalidEventException(field + " is " + (text.isEmpty() ? "empty" : "blank") + "; it must have 1 "
                    + "to " + maxLength + " characters");
        }
        if (text.length() > maxLength) {
            throw new InvalidEventException(field + " has " + text.length() + " characters; the maximum is "
                    + maxLength + " (counted in UTF-16 code units)");
        }
        return text;
    }

    /** In the flow's loop: the current chunk becomes the call's body and its key for the processed calls. */
    @FlowContract(variables = CHUNKS, setsVariables = {KoreRequestFactory.REQUEST, ProcessedCalls.CALL_KEY})
    public void selectChunk(Exchange exchange) {
        List<?> chunks = exchange.getVariable(CHUNKS, List.class);
        int index = exchange.getProperty(Exchange.LOOP_INDEX, 0, Integer.class);
        exchange.setVariable(KoreRequestFactory.REQUEST, chunks.get(index));
        exchange.setVariable(ProcessedCalls.CALL_KEY, "chunk-" + (index + 1) + "-of-" + chunks.size());
    }

    /** After a chunk's call (or its answer from the processed calls): keeps Kore.ai's answer for the outcome. */
    @SuppressWarnings("unchecked")
    public void keepAnswer(Exchange exchange) {
        Map<?, ?> answer = exchange.getVariable(KoreResponseParser.ANSWER, Map.class);
        Map<String, Object> kept = new LinkedHashMap<>();
        kept.put("chunk", exchange.getProperty(Exchange.LOOP_INDEX, 0, Integer.class) + 1);
        kept.put("status", bounded(answer == null ? null : answer.get("status")));
        kept.put("message", bounded(answer == null ? null : answer.get("message")));
        exchange.getVariable(ANSWERS, List.class).add(kept);
    }

    /** The outcome record: eventId, listName, contacts, chunks, status "queued" and Kore.ai's answers. */
    @FlowContract(variables = {CHUNKS, ANSWERS})
    public void outcome(Exchange exchange) {
        List<?> chunks = exchange.getVariable(CHUNKS, List.class);
        int contacts = 0;
        for (Object chunk : chunks) {
            contacts += ((List<?>) ((Map<?, ?>) chunk).get("data")).size();
        }
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("eventId", eventIdResolver.safeId(exchange));
        value.put("listName", ((Map<?, ?>) chunks.get(0)).get("contact_list_name"));
        value.put("contacts", contacts);
        value.put("chunks", chunks.size());
        // Kore.ai queues the contacts and adds them later: a 200 means queued, not added.
        value.put("status", "queued");
        value.put("answers", exchange.getVariable(ANSWERS, List.class));
        exchange.getMessage().setBody(value);
    }

    private static String bounded(Object value) {
        if (!(value instanceof String text)) {
            return null;
        }
        return text.length() > MAX_ANSWER_TEXT ? text.substring(0, MAX_ANSWER_TEXT) : text;
    }
}
