package com.contactlistbridge.event;

import com.contactlistbridge.kore.KoreRequestFactory;
import com.contactlistbridge.routes.FlowContract;
import org.apache.camel.Exchange;

/**
 * Validates the fields the YAML mapping extracted and builds the Create Contact List request, enforcing Kore.ai's
 * rules before any call is made.
 *
 * <p>Lengths are counted in UTF-16 code units ({@link String#length()}), as JavaScript counts them: an emoji or other
 * character outside the Basic Multilingual Plane counts as 2. This is the stricter of the two usual counts, so a name
 * accepted here is never too long for Kore.ai whichever way it counts.
 */
public class ContactListRequestMapper {

    public static final int MAX_NAME_LENGTH = 48;
    public static final int MAX_DESCRIPTION_LENGTH = 256;

    private final EventIdResolver eventIdResolver;

    public ContactListRequestMapper(EventIdResolver eventIdResolver) {
        this.eventIdResolver = eventIdResolver;
    }

    /**
     * Reads the mapped properties ({@link BridgeExchange#CONTACT_LIST_NAME} and friends), validates them, and stores
     * the request in {@link BridgeExchange#REQUEST} (and the variable koreRequest) and the event id in {@link BridgeExchange#RESOLVED_EVENT_ID}.
     */
    @FlowContract(properties = {BridgeExchange.CONTACT_LIST_NAME, BridgeExchange.CONTACT_LIST_DESCRIPTION},
            setsVariables = KoreRequestFactory.REQUEST)
    public void toRequest(Exchange exchange) throws InvalidEventException {
        eventIdResolver.resolve(exchange);
        ContactListRequest request = map(
                exchange.getProperty(BridgeExchange.CONTACT_LIST_NAME),
                exchange.getProperty(BridgeExchange.CONTACT_LIST_DESCRIPTION),
                exchange.getProperty(BridgeExchange.CONTACT_LIST_ALLOW_DUPLICATES));
        exchange.setProperty(BridgeExchange.REQUEST, request);
        // The Kore.ai call's body (kore-call sends the JSON of this variable).
        exchange.setVariable(KoreRequestFactory.REQUEST, request);
    }

    /**
     * Validates raw field values and builds the request.
     *
     * @throws InvalidEventException naming the first field that breaks a rule, and the rule
     */
    public ContactListRequest map(Object name, Object description, Object allowDuplicates)
            throws InvalidEventException {
        String validName = requireText("name", name, MAX_NAME_LENGTH);
        String validDescription = requireText("description", description, MAX_DESCRIPTION_LENGTH);
        boolean validAllowDuplicates = false;
        if (allowDuplicates != null) {
            if (!(allowDuplicates instanceof Boolean b)) {
                throw new InvalidEventException("allowDuplicates must be a boolean (true or false), got "
                        + JsonTypes.describe(allowDuplicates));
            }
            validAllowDuplicates = b;
        }
        return new ContactListRequest(validName, validDescription, ContactListRequest.PASSIVE_API_SOURCE,
                validAllowDuplicates);
    }

    private static String requireText(String field, Object value, int maxLength) throws InvalidEventException {
        if (value == null) {
            throw new InvalidEventException(field + " is missing; it is required (a string of 1 to " + maxLength
                    + " characters)");
        }
        if (!(value instanceof String text)) {
            throw new InvalidEventException(field + " must be a string, got " + JsonTypes.describe(value));
        }
        if (text.isBlank()) {
            throw new InvalidEventException(field + " is " + (text.isEmpty() ? "empty" : "blank")
                    + "; it must have 1 to " + maxLength + " characters");
        }
        if (text.length() > maxLength) {
            throw new InvalidEventException(field + " has " + text.length() + " characters; the maximum is "
                    + maxLength + " (counted in UTF-16 code units)");
        }
        return text;
    }
}
