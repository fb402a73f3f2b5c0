package com.contactlistbridge.routes;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

import com.contactlistbridge.event.InvalidEventException;
import com.contactlistbridge.kore.KoreResponseParser;
import com.contactlistbridge.kore.ProcessedEvents;
import com.contactlistbridge.kore.ProcessedEventsException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

/**
 * At most once per call: remembers Kore.ai's answer to each call of an event (e.g. each chunk of add-contacts) in the
 * processed-events store, so a redelivered, re-sent or replayed event skips the calls already made.
 *
 * <p>Keys are {@code flow US eventId US callKey} (US = U+001F, which no event id may hold), so they never meet
 * create-contact-list's keys (the bare event id) or another flow's. Without the store (bridge.dedupe.enabled=false)
 * every call is made.
 */
public class ProcessedCalls {

    /** Variable the flow sets before {@link #lookUp}: which call of the event this is, e.g. chunk-2-of-3. */
    public static final String CALL_KEY = "koreCallKey";
    /** Variable: true when the call's answer came from the store (the flow skips the call). */
    public static final String ANSWERED = "koreAnswered";
    private static final char SEPARATOR = '\u001f';

    private final ProcessedEvents store;
    private final EventLocks locks;
    private final ObjectMapper mapper;

    public ProcessedCalls(ProcessedEvents store, EventLocks locks, ObjectMapper mapper) {
        this.store = store;
        this.locks = locks;
        this.mapper = mapper;
    }

    /**
     * Takes the event's lock (held until its outcome, so no same-id event looks up meanwhile) and looks the call up:
     * when it was made before, its answer becomes the variable koreAnswer and koreAnswered is true.
     *
     * @throws ProcessedEventsException (not retryable) when the stored answer cannot be read
     */
    @FlowContract(variables = CALL_KEY, setsVariables = {ANSWERED, KoreResponseParser.ANSWER})
    public void lookUp(Exchange exchange) throws InterruptedException, InvalidEventException,
            ProcessedEventsException {
        locks.lockEventId(exchange);
        exchange.setVariable(ANSWERED, false);
        Optional<byte[]> stored = store == null ? Optional.empty() : store.find(key(exchange));
        if (stored.isEmpty()) {
            return;
        }
        try {
            exchange.setVariable(KoreResponseParser.ANSWER, mapper.readValue(stored.get(), Map.class));
        } catch (IOException e) {
            throw new ProcessedEventsException("the processed-events entry of this call is not readable ("
                    + e.getClass().getSimpleName() + "); the call may have been made, so it was not made again",
                    false, e);
        }
        exchange.setVariable(ANSWERED, true);
    }

    /**
     * Stores the call's answer (variable koreAnswer) once Kore.ai has given it, before the next call or the outcome.
     *
     * @throws ProcessedEventsException (retryable) when the store does not acknowledge the write
     */
    public void remember(Exchange exchange) throws ProcessedEventsException, JsonProcessingException {
        if (store == null || exchange.getVariable(ANSWERED, false, Boolean.class)) {
            return;
        }
        Object answer = exchange.getVariable(KoreResponseParser.ANSWER);
        store.remember(key(exchange), mapper.writeValueAsBytes(answer != null ? answer : Map.of()));
        exchange.setVariable(ANSWERED, true);
    }

    private static String key(Exchange exchange) {
        String callKey = exchange.getVariable(CALL_KEY, String.class);
        if (callKey == null) {
            throw new IllegalStateException("no " + CALL_KEY + ": the flow names the call before looking it up");
        }
        return exchange.getProperty(ConsumeTopicTemplate.FLOW, "", String.class) + SEPARATOR
                + exchange.getProperty(com.contactlistbridge.event.BridgeExchange.RESOLVED_EVENT_ID, String.class)
                + SEPARATOR + callKey;
    }
}
