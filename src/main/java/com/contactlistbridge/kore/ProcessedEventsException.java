package com.contactlistbridge.kore;

/**
 * The processed-events store failed for one event: a write that Kafka did not acknowledge (retryable: only the write
 * is tried again, never the Kore.ai call), or a stored value that cannot be read (not retryable).
 */
public class ProcessedEventsException extends Exception {

    private final boolean retryable;

    public ProcessedEventsException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
