package com.contactlistbridge.sandbox;

import java.util.Map;

/**
 * A request the sandbox refuses, carrying the HTTP status and the entry of Kore.ai's {@code errors[]} envelope.
 */
final class SandboxRejection extends Exception {

    private static final long serialVersionUID = 1L;

    /** Kore.ai's code for bad or missing SDK / JWT credentials. */
    static final int CODE_INVALID_CREDENTIALS = 4002;

    private final int status;
    private final int code;
    private final transient Map<String, String> headers;

    SandboxRejection(int status, int code, String message, Map<String, String> headers) {
        // No stack trace: rejections are normal control flow, answered and logged in one line.
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    /** A rejection whose envelope code equals the HTTP status. */
    static SandboxRejection of(int status, String message) {
        return new SandboxRejection(status, status, message, Map.of());
    }

    /** A 401 with code 4002; the reason must never contain the token or the secret. */
    static SandboxRejection invalidCredentials(String reason) {
        return new SandboxRejection(401, CODE_INVALID_CREDENTIALS, "Invalid SDK credentials: " + reason, Map.of());
    }

    int status() {
        return status;
    }

    int code() {
        return code;
    }

    /** Extra response headers, such as {@code Retry-After} or {@code Allow}. */
    Map<String, String> headers() {
        return headers;
    }
}
