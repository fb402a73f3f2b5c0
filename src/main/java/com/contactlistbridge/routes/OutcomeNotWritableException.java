package com.contactlistbridge.routes;

/**
 * An outcome record that Kafka cannot take as it is (too large for the producer's {@code max.request.size}): never
 * retried, the event is dead-lettered with what can be carried instead.
 */
public class OutcomeNotWritableException extends Exception {

    public OutcomeNotWritableException(String message) {
        super(message);
    }
}
