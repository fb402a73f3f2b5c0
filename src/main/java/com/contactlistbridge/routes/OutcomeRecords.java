package com.contactlistbridge.routes;

import java.nio.charset.StandardCharsets;
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
import com.contactlistbridge.kore.ProcessedEventsException;
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
    /** Set only when the dead letter had to leave something out to fit Kafka's limits: value, headers, key. */
    public static final String OMITTED = "bridge.error.omitted";
    /** Longest key a trimmed dead letter keeps, in bytes. */
    static final int TRIMMED_KEY_BYTES = 256;
    /**
     * Room for what Kafka adds to a record (batch header, lengths, timestamps): a record is sized as key + value +
     * header names and values + this, against the producer's max.request.size.
     */
    static final int RECORD_OVERHEAD_BYTES = 512;
    private static final java.util.Set<String> CONTRACT_HEADERS = java.util.Set.of(REASON, MESSAGE, HTTP_STATUS,
            ATTEMPTS, ORIGINAL_TOPIC, ORIGINAL_PARTITION, ORIGINAL_OFFSET, EVENT_ID, VALUE_OMITTED, CONTACT_LIST_ID,
            OMITTED);
    private static final org.apache.camel.spi.HeaderFilterStrategy KAFKA_HEADERS =
            new org.apache.camel.component.kafka.KafkaHeaderFilterStrategy();

    private final ObjectMapper mapper;
    private final KoreErrorClassifier classifier;
    private final EventIdResolver eventIdResolver;
    private final KoreOutagePolicy outagePolicy;
    private final ProcessedEvents processedEvents;
    private final int deadLetterMaxValueBytes;
    private final java.util.function.IntSupplier maxRequestBytes;

    private static final Logger OUTCOMES = LoggerFactory.getLogger("contact-list-bridge.outcome");

    public OutcomeRecords(ObjectMapper mapper, KoreErrorClassifier classifier, EventIdResolver eventIdResolver,
                          KoreOutagePolicy outagePolicy, ProcessedEvents processedEvents,
                          int deadLetterMaxValueBytes, java.util.function.IntSupplier maxRequestBytes) {
        this.mapper = mapper;
        this.classifier = classifier;
        this.eventIdResolver = eventIdResolver;
        this.outagePolicy = outagePolicy;
        this.processedEvents = processedEvents;
        this.deadLetterMaxValueBytes = deadLetterMaxValueBytes;
        this.maxRequestBytes = maxRequestBytes;
    }

    /**
     * Looks the event up among the processed events (null store = dedupe off): when its list exists, the created
     * record is restored, so the Kore.ai route skips the call. A list created by this process whose store write is
     * still unacknowledged is restored too, and only the write is tried again.
     *
     * @throws ProcessedEventsException (not retryable) when the stored value cannot be read
     */
    public void lookUpProcessed(Exchange exchange) throws ProcessedEventsException {
        if (processedEvents == null || exchange.getProperty(BridgeExchange.CREATED) != null) {
            return;
        }
        String eventId = exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID, String.class);
        Optional<byte[]> stored = eventId == null ? Optional.empty() : processedEvents.find(eventId);
        if (stored.isEmpty()) {
            return;
        }
        CreatedContactList created;
        try {
            Map<?, ?> record = mapper.readValue(stored.get(), Map.class);
            if (!(record.get("contactListId") instanceof String id) || id.isBlank()) {
                throw new IllegalArgumentException("no contactListId");
            }
            created = new CreatedContactList(eventId, id, text(record.get("name")), text(record.get("status")),
                    text(record.get("createdAt")));
        } catch (java.io.IOException | RuntimeException e) {
            // Its list may exist: calling Kore.ai again could create a second one, so the event ends here.
            throw new ProcessedEventsException("the processed-events entry of this event on the store topic is not a "
                    + "readable created record (" + e.getClass().getSimpleName() + "); its list may exist already, "
                    + "so Kore.ai was not called", false, e);
        }
        exchange.setProperty(BridgeExchange.CREATED, created);
        if (processedEvents.isDurable(eventId)) {
            exchange.setProperty(BridgeExchange.ALREADY_CREATED, true);
            exchange.setProperty(BridgeExchange.STORED, true);
        }
    }

    /**
     * Stores the created record before it is published, so a redelivery, a re-sent copy or a restart finds it (not for
     * lists the store knew already).
     *
     * @throws ProcessedEventsException (retryable) when the store does not acknowledge the write
     */
    public void rememberCreated(Exchange exchange) throws ProcessedEventsException, JsonProcessingException {
        CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
        if (processedEvents == null || created == null
                || exchange.getProperty(BridgeExchange.STORED, false, Boolean.class)) {
            return;
        }
        processedEvents.remember(created.eventId(), createdValue(created));
        exchange.setProperty(BridgeExchange.STORED, true);
    }

    /**
     * The create-contact-list flow's outcome: the body becomes the created record's value (eventId, contactListId,
     * name, status, createdAt, and existing when found by name).
     */
    public void createdRecord(Exchange exchange) {
        CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
        if (created == null) {
            throw new IllegalStateException("no created contact list on the exchange: call Kore.ai first");
        }
        exchange.getMessage().setBody(createdFields(created));
    }

    /**
     * Turns the message into the flow's outcome record: the input's key, header bridge.event-id, the body as the value
     * (a map or list is written as JSON, bytes and text as they are), and no other headers.
     *
     * @throws OutcomeNotWritableException when the record would be larger than the producer's max.request.size
     */
    public void toOutcomeRecord(Exchange exchange) throws JsonProcessingException, OutcomeNotWritableException {
        if (exchange.getProperty(ConsumeTopicTemplate.OUTCOME_TOPIC) == null) {
            throw new IllegalStateException("no outcome topic: events reach a flow through the consume-topic block");
        }
        Message message = exchange.getMessage();
        Object body = message.getBody();
        byte[] value = body instanceof byte[] bytes ? bytes : body instanceof String text
                ? text.getBytes(StandardCharsets.UTF_8) : mapper.writeValueAsBytes(body);
        message.getHeaders().clear();
        Object key = EventIdResolver.originalMessage(exchange).getHeader(KafkaConstants.KEY);
        if (key != null) {
            message.setHeader(KafkaConstants.KEY, key);
        }
        message.setHeader(EVENT_ID, eventIdResolver.safeId(exchange));
        message.setBody(value);
        long size = recordSize(message);
        if (size > maxRequestBytes.getAsInt()) {
            CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
            throw new OutcomeNotWritableException((created != null ? "contact list " + created.contactListId()
                    + " was created, but its created record" : "the outcome record") + " would be " + size
                    + " bytes (the record key alone is " + bytes(key).length + "), more than the producer's "
                    + "max.request.size of " + maxRequestBytes.getAsInt() + " bytes");
        }
        outagePolicy.settled(exchange);
    }

    private static Map<String, Object> createdFields(CreatedContactList created) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("eventId", created.eventId());
        value.put("contactListId", created.contactListId());
        value.put("name", created.name());
        value.put("status", created.status());
        value.put("createdAt", created.createdAt());
        if (created.existing()) {
            value.put("existing", true); // found by name: this event did not create it
        }
        return value;
    }

    /** The created record's value: eventId, contactListId, name, status, createdAt (and existing, if found by name). */
    private byte[] createdValue(CreatedContactList created) throws JsonProcessingException {
        return mapper.writeValueAsBytes(createdFields(created));
    }

    /**
     * A flow returned without publishing an outcome: the original record goes to the dead letter, as UNAVAILABLE
     * naming the flow, so the record is neither committed without an outcome nor read again forever.
     */
    public void withoutOutcome(Exchange exchange) {
        Message original = EventIdResolver.originalMessage(exchange);
        exchange.getMessage().setBody(original.getBody());
        exchange.getMessage().setHeaders(new java.util.HashMap<>(original.getHeaders()));
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("the flow "
                + exchange.getProperty(ConsumeTopicTemplate.FLOW) + " ended without an outcome: every path of a flow "
                + "ends with to: direct:publish-outcome"));
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
        CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
        // Kore.ai created the list but the store does not know it durably: reading the record again (after a pause or
        // a restart) could call Kore.ai again, so this event ends here, with the list id on its dead letter.
        boolean createdButNotStored = created != null && !exchange.getProperty(BridgeExchange.STORED, false,
                Boolean.class);
        boolean stopping = exchange.getContext().isStopping() || exchange.getContext().isStopped();
        // Camel refuses a redelivery while stopping with a RejectedExecutionException that hides the real failure.
        if (!createdButNotStored && stopping && (c.retryable() || refusedWhileStopping(failure))) {
            throw new AbandonedOnShutdownException(c.message());
        }
        if (!createdButNotStored && c.retryable()) {
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
        message.setHeader(EVENT_ID, eventIdResolver.safeId(exchange));
        if (created != null) {
            message.setHeader(CONTACT_LIST_ID, created.contactListId());
        } else {
            message.removeHeader(CONTACT_LIST_ID);
        }
        message.removeHeader(VALUE_OMITTED);
        message.removeHeader(OMITTED);
        fitDeadLetter(message, false);
    }

    /**
     * Kafka refused the dead letter (e.g. the topic's max.message.bytes is below the producer's limit): leaves out
     * everything that can be left out (value, original headers, most of the key) so that the record still gets its
     * outcome.
     */
    public void trimDeadLetter(Exchange exchange) {
        fitDeadLetter(exchange.getMessage(), true);
    }

    /**
     * Makes the dead letter fit: a value above bridge.dead-letter.max-value-bytes is left out; then, while the record is
     * larger than the producer's max.request.size (or always, when {@code everything}), the value, the original
     * headers, and the key beyond {@value #TRIMMED_KEY_BYTES} bytes, in that order. {@value #OMITTED} names what was
     * left out.
     */
    private void fitDeadLetter(Message message, boolean everything) {
        int limit = maxRequestBytes.getAsInt();
        java.util.List<String> omitted = new java.util.ArrayList<>();
        byte[] value = message.getBody(byte[].class);
        if (value != null && value.length > 0
                && (everything || value.length > deadLetterMaxValueBytes || recordSize(message) > limit)) {
            // Kafka would refuse a dead letter this large and the partition would be stuck on it forever.
            message.setHeader(VALUE_OMITTED, String.valueOf(value.length));
            message.setBody(new byte[0]);
            omitted.add("value");
        }
        if (everything || recordSize(message) > limit) {
            boolean removed = message.getHeaders().entrySet().removeIf(header -> isPublished(header.getKey(),
                    header.getValue(), message.getExchange()) && !CONTRACT_HEADERS.contains(header.getKey()));
            if (removed) {
                omitted.add("headers");
            }
        }
        byte[] key = bytes(message.getHeader(KafkaConstants.KEY));
        if ((everything || recordSize(message) > limit) && key.length > TRIMMED_KEY_BYTES) {
            message.setHeader(KafkaConstants.KEY, java.util.Arrays.copyOf(key, TRIMMED_KEY_BYTES));
            omitted.add("key");
        }
        if (!omitted.isEmpty()) {
            message.setHeader(OMITTED, String.join(",", omitted));
        }
    }

    /**
     * An upper bound of the record's size as Kafka counts it against max.request.size: key, value, and the name and
     * value of every header camel-kafka publishes, plus room for Kafka's framing.
     */
    static long recordSize(Message message) {
        long size = RECORD_OVERHEAD_BYTES + bytes(message.getHeader(KafkaConstants.KEY)).length
                + bytes(message.getBody()).length;
        for (Map.Entry<String, Object> header : message.getHeaders().entrySet()) {
            if (isPublished(header.getKey(), header.getValue(), message.getExchange())) {
                size += 10 + header.getKey().getBytes(StandardCharsets.UTF_8).length + bytes(header.getValue()).length;
            }
        }
        return size;
    }

    private static boolean isPublished(String name, Object value, Exchange exchange) {
        return value != null && !KAFKA_HEADERS.applyFilterToCamelHeaders(name, value, exchange);
    }

    private static byte[] bytes(Object value) {
        if (value == null) {
            return new byte[0];
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Object value) {
        return value instanceof String s ? s : null;
    }

    /** The one log line of an outcome (on the producer's thread, so the event id is put in the MDC here). */
    public void logOutcome(Exchange exchange) {
        CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
        if (created == null) {
            String eventId = exchange.getMessage().getHeader(EVENT_ID, String.class);
            try (MDC.MDCCloseable ignored = MDC.putCloseable(EventIdResolver.MDC_EVENT_ID, eventId)) {
                OUTCOMES.info("done eventId={} flow={} attempts={} latencyMs={}", eventId,
                        exchange.getProperty(ConsumeTopicTemplate.FLOW), exchange.getProperty(BridgeExchange.ATTEMPTS,
                                0, Integer.class), exchange.getClock().elapsed());
            }
            return;
        }
        try (MDC.MDCCloseable ignored = MDC.putCloseable(EventIdResolver.MDC_EVENT_ID, created.eventId())) {
            OUTCOMES.info("created eventId={} contactListId={} attempts={} latencyMs={}{}", created.eventId(),
                    created.contactListId(), exchange.getProperty(BridgeExchange.ATTEMPTS, 0, Integer.class),
                    exchange.getClock().elapsed(),
                    created.existing() ? " (found by name: an existing list, no create call)"
                            : exchange.getProperty(BridgeExchange.ALREADY_CREATED, false, Boolean.class)
                            ? " (created before: republished from the processed events, no Kore.ai call)" : "");
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
