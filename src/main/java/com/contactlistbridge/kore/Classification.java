package com.contactlistbridge.kore;

/**
 * How the bridge treats one failure.
 *
 * @param reason           the dead-letter reason if this failure is final
 * @param retryable        whether another attempt may succeed (5xx, 429, timeouts, connection errors)
 * @param httpStatus       the HTTP status Kore.ai answered, or null when no answer came back
 * @param message          a redacted, single-line explanation
 * @param retryAfterMillis the server's Retry-After in milliseconds, or -1
 * @param rateLimited      Kore.ai refused the call for its rate limit (a 429, or its rate-limit error envelope):
 *                         the bridge slows down and tries again, without counting the call as a failed attempt
 */
public record Classification(FailureReason reason, boolean retryable, Integer httpStatus, String message,
                             long retryAfterMillis, boolean rateLimited) {

    /** A failure that is not a rate-limit refusal. */
    public Classification(FailureReason reason, boolean retryable, Integer httpStatus, String message,
                          long retryAfterMillis) {
        this(reason, retryable, httpStatus, message, retryAfterMillis, false);
    }

    /** True when this is a 401: the bridge signs a fresh token and tries once more. */
    public boolean unauthorized() {
        return httpStatus != null && httpStatus == 401;
    }
}
