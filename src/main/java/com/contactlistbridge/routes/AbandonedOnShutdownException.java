package com.contactlistbridge.routes;

/** Leaves a record that was still being retried uncommitted when the bridge stops, so the restart picks it up. */
public class AbandonedOnShutdownException extends Exception {

    public AbandonedOnShutdownException(String lastFailure) {
        super("bridge is stopping: record left uncommitted for the next start (last failure: " + lastFailure + ")");
    }
}
