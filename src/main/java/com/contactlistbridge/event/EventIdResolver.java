package com.contactlistbridge.event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.MDC;

/**
 * Decides an event's id: the mapped eventId, else the record key, else the original event's id carried by a replay,
 * else topic-partition-offset; and refuses ids that
 * could not be written safely wherever the id goes (record keys and headers, the processed-events store, logs).
 */
public class EventIdResolver {

    /** The logging-context key that carries the event id. */
    public static final String MDC_EVENT_ID = "eventId";
    /**
     * Set by {@code replay}: the event id of the original event, so that a replayed event without eventId and key
     * keeps its identity (its {@code topic-partition-offset} where it was first read) instead of taking its new one.
     */
    public static final String REPLAYED_EVENT_ID = "bridge.replayed-event-id";
    /** Longest accepted event id, in characters. */
    public static final int MAX_EVENT_ID_LENGTH = 256;

    /**
     * Resolves, validates and remembers the event id of this exchange (idempotent: a resolved id is kept).
     *
     * @param exchange an exchange from the requests topic; reads the mapped eventId property and the Kafka metadata
     *                 headers of the original record
     * @throws InvalidEventException if the id is longer than {@value #MAX_EVENT_ID_LENGTH} characters, holds control
     *                               characters, or comes from a record key that is not UTF-8 text
     */
    public String resolve(Exchange exchange) throws InvalidEventException {
        String resolved = exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID, String.class);
        if (resolved != null) {
            return resolved;
        }
        Object mapped = exchange.getProperty(BridgeExchange.EVENT_ID);
        validateMapped(mapped);
        if (mapped != null) {
            resolved = fromMapped(mapped);
            requireSafe(resolved, "eventId");
        } else {
            resolved = fromRecord(originalMessage(exchange));
        }
        exchange.setProperty(BridgeExchange.RESOLVED_EVENT_ID, resolved);
        // Every later log line about this event carries its id (cleared when the next record is admitted).
        MDC.put(MDC_EVENT_ID, resolved);
        return resolved;
    }

    /**
     * The id to write on an outcome record whatever the event holds: the resolved id if it was accepted, else the
     * record key if it is a usable id, else the record's {@code topic-partition-offset}. Never throws, never
     * longer than {@value #MAX_EVENT_ID_LENGTH} characters plus the coordinates, never a control character.
     */
    public String safeId(Exchange exchange) {
        String resolved = exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID, String.class);
        if (resolved != null) {
            return resolved;
        }
        try {
            return resolve(exchange);
        } catch (InvalidEventException | RuntimeException e) {
            // The eventId field was refused: the record key (if it is a usable id), else where the record was.
            Message record = originalMessage(exchange);
            try {
                return fromRecord(record);
            } catch (InvalidEventException | RuntimeException unusable) {
                return coordinates(record);
            }
        }
    }

    /**
     * Checks that the mapped eventId, when present, has a usable type.
     *
     * @throws InvalidEventException if eventId is not a string or an integer, or is blank
     */
    public static void validateMapped(Object mapped) throws InvalidEventException {
        if (mapped == null) {
            return;
        }
        if (fromMapped(mapped) == null) {
            throw new InvalidEventException("eventId must be a non-blank string or an integer, got "
                    + (mapped instanceof String ? "a blank string" : JsonTypes.describe(mapped)));
        }
    }

    /**
     * Refuses an id that is too long or holds a character that could break a log line or a header: C0/C1 control
     * characters, line and paragraph separators, and unpaired surrogates.
     */
    static void requireSafe(String id, String source) throws InvalidEventException {
        if (id.length() > MAX_EVENT_ID_LENGTH) {
            throw new InvalidEventException("event id from " + source + " has " + id.length()
                    + " characters; the maximum is " + MAX_EVENT_ID_LENGTH);
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < id.length()
                    && Character.isLowSurrogate(id.charAt(i + 1));
            if (pairedSurrogate) {
                i++;
                continue;
            }
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)) {
                throw new InvalidEventException("event id from " + source + " holds a control character (U+"
                        + String.format("%04X", (int) c) + ") at index " + i + "; ids must be printable text");
            }
        }
    }

    private static String fromMapped(Object mapped) {
        if (mapped instanceof String s && !s.isBlank()) {
            return s;
        }
        if (mapped instanceof Integer || mapped instanceof Long || mapped instanceof BigInteger) {
            return mapped.toString();
        }
        if (mapped instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0) {
            return d.toBigInteger().toString();
        }
        return null;
    }

    /** The record key, else the replayed event id, else where the record is; validated. */
    private static String fromRecord(Message record) throws InvalidEventException {
        String source = "the record key (the event has no eventId)";
        String key = text(record.getHeader(KafkaConstants.KEY), source,
                "the record key (%d bytes) is not UTF-8 text and the event has no eventId: give the event an eventId, "
                        + "or use a text key");
        if (key != null) {
            requireSafe(key, source);
            return key;
        }
        source = "the " + REPLAYED_EVENT_ID + " header (a replayed event without eventId and key)";
        String replayed = text(record.getHeader(REPLAYED_EVENT_ID), source,
                "the " + REPLAYED_EVENT_ID + " header (%d bytes) is not UTF-8 text");
        if (replayed != null) {
            requireSafe(replayed, source);
            return replayed;
        }
        return coordinates(record);
    }

    /** A key or header as text; null when absent or empty. Binary values are refused, never decoded leniently. */
    private static String text(Object value, String source, String notUtf8) throws InvalidEventException {
        if (value instanceof byte[] bytes && bytes.length > 0) {
            if (bytes.length > 4 * MAX_EVENT_ID_LENGTH) {
                throw new InvalidEventException("event id from " + source + " has " + bytes.length
                        + " bytes; the maximum is " + MAX_EVENT_ID_LENGTH + " characters");
            }
            try {
                // Binary keys are not ids: decoding them leniently would turn different keys into the same id.
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new InvalidEventException(String.format(notUtf8, bytes.length));
            }
        }
        if (value instanceof String s && !s.isEmpty()) {
            return s;
        }
        return null;
    }

    private static String coordinates(Message record) {
        return record.getHeader(KafkaConstants.TOPIC) + "-" + record.getHeader(KafkaConstants.PARTITION) + "-"
                + record.getHeader(KafkaConstants.OFFSET);
    }

    /** The record as consumed from Kafka, before any step changed it. */
    public static Message originalMessage(Exchange exchange) {
        if (exchange.getUnitOfWork() != null && exchange.getUnitOfWork().getOriginalInMessage() != null) {
            return exchange.getUnitOfWork().getOriginalInMessage();
        }
        return exchange.getMessage();
    }
}
