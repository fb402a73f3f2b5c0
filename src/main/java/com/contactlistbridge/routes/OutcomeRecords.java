package com.contactlistbridge.routes;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

import com.contactlistbridge.event.BridgeExchange;
import com.contactlistbridge.event.EventIdResolver;
import com.contactlistbridge.kore.Classification;
import com.contactlistbridge.kore.CreatedContactList;
import com.contactlistbridge.kore.KoreErrorClassifier;
import com.contactlistbridge.kore.KoreOutagePolicy;
import com.contactlistbridge.kore.KoreUnavailableException;
import com.contactlistbridge.kore.ProcessedEvents;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Shapes the two outcome records of the contract: the created record and the dead-letter headers. */
public class OutcomeRecords {

    public static final String REASON = "bridge.error.reason";
    public static final String MESSAGE = "bridge.error.message";
    public static final String HTTP_STATUS = "bridge.error.http-status";
    public static final String ATTEMPTS = "bridge.error.attempts";
    public static final String ORIGINAL_TOPIC = "bridge.original.topic";
    public static final String ORIGINAL_PARTITION = "bridge.original.partition";
    public static final String ORIGINAL_OFFSET = "bridge.original.offset";
    public static final String EVENT_ID = "bridge.event-id";
    /** Set only when the original value was too large for a dead letter: the value's size in bytes. */
    public static final String VALUE_OMITTED = "bridge.error.value-omitted";
    /** Set only when a list was created but its created record could not be published. */
    public static final String CONTACT_LIST_ID = "bridge.contact-list-id";

    private final ObjectMapper mapper;
    private final KoreErrorClassifier classifier;
    private final EventIdResolver eventIdResolver;
    private final KoreOutagePolicy outagePolicy;
    private final ProcessedEvents processedEvents;
    private final int deadLetterMaxValueBytes;

    private static final Logger OUTCOMES = LoggerFactory.getLogger("contact-list-bridge.outcome");

    public OutcomeRecords(ObjectMapper mapper, KoreErrorClassifier classifier, EventIdResolver eventIdResolver,
                          KoreOutagePolicy outagePolicy, ProcessedEvents processedEvents,
                          int deadLetterMaxValueBytes) {
        this.mapper = mapper;
        this.classifier = classifier;
        this.eventIdResolver = eventIdResolver;
        this.outagePolicy = outagePolicy;
        this.processedEvents = processedEvents;
        this.deadLetterMaxValueBytes = deadLetterMaxValueBytes;
    }

    /**
     * Looks the event up among the processed events (null store = dedupe off): when its list exists, the created
     * record is restored and {@link BridgeExchange#ALREADY_CREATED} tells the Kore.ai route to skip the call.
     */
    public void lookUpProcessed(Exchange exchange) throws java.io.IOException {
        if (processedEvents == null) {
            return;
        }
        String eventId = exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID, String.class);
        Optional<byte[]> stored = eventId == null ? Optional.empty() : processedEvents.find(eventId);
        if (stored.isPresent()) {
            Map<?, ?> record = mapper.readValue(stored.get(), Map.class);
            exchange.setProperty(BridgeExchange.CREATED, new CreatedContactList(eventId,
                    (String) record.get("contactListId"), (String) record.get("name"), (String) record.get("status"),
                    (String) record.get("createdAt")));
            exchange.setProperty(BridgeExchange.ALREADY_CREATED, true);
        }
    }

    /** Stores the created record before it is published, so a redelivery finds it (not for restored ones). */
    public void rememberCreated(Exchange exchange) {
        if (processedEvents != null && !exchange.getProperty(BridgeExchange.ALREADY_CREATED, false, Boolean.class)) {
            CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
            processedEvents.remember(created.eventId(), exchange.getMessage().getBody(byte[].class));
        }
    }

    /**
     * Turns the message into the created record: the input's key, a JSON value with eventId, contactListId, name,
     * status and createdAt, and no other headers.
     */
    public void toCreatedRecord(Exchange exchange) throws JsonProcessingException {
        CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
        if (created == null) {
            throw new IllegalStateException("no created contact list on the exchange: call the Kore.ai route first");
        }
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("eventId", created.eventId());
        value.put("contactListId", created.contactListId());
        value.put("name", created.name());
        value.put("status", created.status());
        value.put("createdAt", created.createdAt());
        if (created.existing()) {
            value.put("existing", true); // found by name: this event did not create it
        }
        outagePolicy.settled(exchange);
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        Object key = EventIdResolver.originalMessage(exchange).getHeader(KafkaConstants.KEY);
        if (key != null) {
            message.setHeader(KafkaConstants.KEY, key);
        }
        message.setHeader(EVENT_ID, created.eventId());
        message.setBody(mapper.writeValueAsBytes(value));
    }

    /**
     * Adds the contract's error headers to the original record (whose key, value and own headers stay as they were).
     *
     * @throws AbandonedOnShutdownException when a retryable failure meets a stopping bridge: the record is left
     *                                      uncommitted, to be processed again after the restart, instead of being
     *                                      dead-lettered
     * @throws KoreUnavailableException     when Kore.ai looks unavailable: the record is held back and consumption
     *                                      pauses (see {@link KoreOutagePolicy})
     */
    public void toDeadLetterRecord(Exchange exchange) throws AbandonedOnShutdownException, KoreUnavailableException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Classification c = classifier.classify(failure);
        boolean stopping = exchange.getContext().isStopping() || exchange.getContext().isStopped();
        // Camel refuses a redelivery while stopping with a RejectedExecutionException that hides the real failure.
        if (stopping && (c.retryable() || refusedWhileStopping(failure))) {
            throw new AbandonedOnShutdownException(c.message());
        }
        if (c.retryable()) {
            // An outage pauses consumption instead of dead-lettering record after record: the record ends without an
            // outcome, its offset is not committed, and the consumer resumes at it after the pause.
            outagePolicy.holdBackOrRelease(exchange, c);
        }
        outagePolicy.settled(exchange);
        Message message = exchange.getMessage();
        message.setHeader(REASON, c.reason().name());
        message.setHeader(MESSAGE, c.message());
        if (c.httpStatus() != null) {
            message.setHeader(HTTP_STATUS, c.httpStatus().toString());
        } else {
            message.removeHeader(HTTP_STATUS);
        }
        message.setHeader(ATTEMPTS, String.valueOf(exchange.getProperty(BridgeExchange.ATTEMPTS, 0, Integer.class)));
        message.setHeader(ORIGINAL_TOPIC, String.valueOf(message.getHeader(KafkaConstants.TOPIC)));
        message.setHeader(ORIGINAL_PARTITION, String.valueOf(message.getHeader(KafkaConstants.PARTITION)));
        message.setHeader(ORIGINAL_OFFSET, String.valueOf(message.getHeader(KafkaConstants.OFFSET)));
        message.setHeader(EVENT_ID, eventIdResolver.resolve(exchange));
        byte[] value = message.getBody(byte[].class);
        if (value != null && value.length > deadLetterMaxValueBytes) {
            // Kafka would refuse a dead letter this large and the partition would be stuck on it forever.
            message.setHeader(VALUE_OMITTED, String.valueOf(value.length));
            message.setBody(new byte[0]);
        } else {
            message.removeHeader(VALUE_OMITTED);
        }
        CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
        if (created != null) {
            message.setHeader(CONTACT_LIST_ID, created.contactListId());
        } else {
            message.removeHeader(CONTACT_LIST_ID);
        }
    }

    /** The one log line of a created outcome (on the producer's thread, so the event id is put in the MDC here). */
    public void logCreated(Exchange exchange) {
        CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
        try (MDC.MDCCloseable ignored = MDC.putCloseable(EventIdResolver.MDC_EVENT_ID, created.eventId())) {
            OUTCOMES.info("created eventId={} contactListId={} attempts={} latencyMs={}{}", created.eventId(),
                    created.contactListId(), exchange.getProperty(BridgeExchange.ATTEMPTS, 0, Integer.class),
                    exchange.getClock().elapsed(),
                    exchange.getProperty(BridgeExchange.ALREADY_CREATED, false, Boolean.class)
                            ? " (created before: republished from " + "the processed events, no Kore.ai call)" : "");
        }
    }

    /** The one log line of a dead-letter outcome. */
    public void logDeadLettered(Exchange exchange) {
        Message message = exchange.getMessage();
        String eventId = message.getHeader(EVENT_ID, String.class);
        try (MDC.MDCCloseable ignored = MDC.putCloseable(EventIdResolver.MDC_EVENT_ID, eventId)) {
            OUTCOMES.warn("dead-lettered eventId={} reason={} attempts={} latencyMs={} message={}", eventId,
                    message.getHeader(REASON), message.getHeader(ATTEMPTS), exchange.getClock().elapsed(),
                    message.getHeader(MESSAGE));
        }
    }

    private static boolean refusedWhileStopping(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RejectedExecutionException) {
                return true;
            }
        }
        return false;
    }
}
