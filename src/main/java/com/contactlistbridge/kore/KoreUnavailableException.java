package com.contactlistbridge.kore;

/**
 * Fails an exchange whose retries ran out while Kore.ai looks unavailable: the offset stays uncommitted and the
 * route's circuit breaker pauses consumption until Kore.ai answers again.
 */
public class KoreUnavailableException extends Exception {

    public KoreUnavailableException(String lastFailure, int pause, int maxPauses) {
        super("Kore.ai unavailable, record held back for a later retry (pause " + pause + " of " + maxPauses
                + "; last failure: " + lastFailure + ")");
    }
}
