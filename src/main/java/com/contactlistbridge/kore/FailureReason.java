package com.contactlistbridge.kore;

/** The dead-letter reasons of the outside contract ({@code bridge.error.reason}). */
public enum FailureReason {
    /** The event could not be turned into a valid request; no call was made. */
    INVALID_EVENT,
    /** Kore.ai refused the request (a 4xx other than 401/403/408/429), or answered something unusable. */
    REJECTED,
    /** Kore.ai refused the credentials (401 twice, or 403). */
    AUTH_FAILED,
    /** Kore.ai could not be reached or kept failing (5xx, 429, timeouts) until the retries ran out. */
    UNAVAILABLE
}
