package com.contactlistbridge.event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.MDC;

/** Decides an event's id: the mapped eventId, else the record key, else topic-partition-offset. */
public class EventIdResolver {

    /** The logging-context key that carries the event id. */
    public static final String MDC_EVENT_ID = "eventId";

    /**
     * Resolves and remembers the event id of this exchange (idempotent: a resolved id is kept).
     *
     * @param exchange an exchange from the requests topic; reads the mapped eventId property and the Kafka metadata
     *                 headers of the original record
     */
    public String resolve(Exchange exchange) {
        String resolved = exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID, String.class);
        if (resolved != null) {
            return resolved;
        }
        resolved = fromMapped(exchange.getProperty(BridgeExchange.EVENT_ID));
        if (resolved == null) {
            resolved = fromRecord(originalMessage(exchange));
        }
        exchange.setProperty(BridgeExchange.RESOLVED_EVENT_ID, resolved);
        // Every later log line about this event carries its id (cleared when the next record is consumed).
        MDC.put(MDC_EVENT_ID, resolved);
        return resolved;
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

    private static String fromRecord(Message record) {
        Object key = record.getHeader(KafkaConstants.KEY);
        if (key instanceof byte[] bytes && bytes.length > 0) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (key instanceof String s && !s.isEmpty()) {
            return s;
        }
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
