package com.contactlistbridge.kore;

/**
 * An answer from Kore.ai that is not a usable success, with the HTTP status and Kore's own error message.
 *
 * <p>The message is already redacted and truncated: it may go to logs and dead-letter headers as is.
 */
public class KoreApiException extends Exception {

    private final int httpStatus;
    private final boolean rateLimited;
    private final long retryAfterMillis;

    public KoreApiException(int httpStatus, String message, boolean rateLimited, long retryAfterMillis) {
        super(message);
        this.httpStatus = httpStatus;
        this.rateLimited = rateLimited;
        this.retryAfterMillis = retryAfterMillis;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** True for 429 and for Kore's error envelope carrying its documented rate-limit message (see the parser). */
    public boolean rateLimited() {
        return rateLimited;
    }

    /** The server's Retry-After in milliseconds, or -1 when it sent none. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
