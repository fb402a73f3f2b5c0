package com.contactlistbridge.routes;

/**
 * Ends a batch that stopped starting records without a failure (the bridge is stopping, or the batch used half of
 * max.poll.interval.ms): its finished records are committed, and the consumer reads the rest again at once.
 */
public class BatchCutOffException extends Exception {

    public BatchCutOffException(String reason) {
        super("batch cut short (" + reason + "): its remaining records are read again");
    }
}
