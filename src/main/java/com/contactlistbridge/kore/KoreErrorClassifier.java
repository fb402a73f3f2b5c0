package com.contactlistbridge.kore;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

import javax.net.ssl.SSLHandshakeException;

import com.contactlistbridge.event.InvalidEventException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Decides what a failure means: which dead-letter reason it earns and whether retrying can help.
 *
 * <ul>
 *   <li>invalid event: INVALID_EVENT, never retried;</li>
 *   <li>5xx, 408, 429 or Kore's rate-limit error envelope (never a rate-limit text quoted inside another
 *       error: {@link KoreResponseParser} decides), connection errors and timeouts: retryable, UNAVAILABLE when the
 *       retries run out;</li>
 *   <li>401: AUTH_FAILED, retried once with a fresh token (see {@link KoreRetryPolicy}); 403: AUTH_FAILED;</li>
 *   <li>any other status, or a 2xx without a list id: REJECTED, never retried;</li>
 *   <li>a processed-events write that Kafka did not acknowledge, or a Kafka write that may succeed later: retryable,
 *       UNAVAILABLE when the retries run out (only that step is tried again, never the Kore.ai call);</li>
 *   <li>anything else (for example an unreadable processed-events value, or an outcome record too large for Kafka):
 *       UNAVAILABLE, not retried.</li>
 * </ul>
 */
public class KoreErrorClassifier {

    private final SecretRedactor redactor;

    public KoreErrorClassifier(SecretRedactor redactor) {
        this.redactor = redactor;
    }

    public Classification classify(Throwable failure) {
        InvalidEventException invalid = find(failure, InvalidEventException.class);
        if (invalid != null) {
            return new Classification(FailureReason.INVALID_EVENT, false, null, redactor.redact(invalid.getMessage()),
                    -1);
        }
        KoreApiException api = find(failure, KoreApiException.class);
        if (api != null) {
            return classifyStatus(api);
        }
        ProcessedEventsException store = find(failure, ProcessedEventsException.class);
        if (store != null) {
            return new Classification(FailureReason.UNAVAILABLE, store.retryable(), null,
                    redactor.redact(store.getMessage()), -1);
        }
        RetriableException kafka = find(failure, RetriableException.class);
        if (kafka != null) {
            // A Kafka write that may succeed later (broker unreachable, not enough replicas): retry that step only.
            return new Classification(FailureReason.UNAVAILABLE, true, null,
                    redactor.redact("Kafka write failed: " + describe(kafka)), -1);
        }
        IOException io = find(failure, IOException.class);
        if (io != null) {
            return new Classification(FailureReason.UNAVAILABLE, true, null,
                    redactor.redact("Kore.ai call failed: " + describe(io)), -1);
        }
        Throwable root = failure;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new Classification(FailureReason.UNAVAILABLE, false, null,
                redactor.redact("unexpected error: " + describe(root)), -1);
    }

    /**
     * True when a failed Kore.ai call may nevertheless have been carried out (for a create: the list may exist): no
     * answer after the request may have been sent (read timeout, connection reset or closed, no response), a 5xx, or
     * a 2xx without a list id. False for Kore.ai's refusals (the other statuses, 429 included) and for failures before
     * the request left: connection refused or timed out, unknown host, TLS handshake, anything that is not I/O.
     */
    public boolean mayHaveBeenCarriedOut(Throwable failure) {
        KoreApiException api = find(failure, KoreApiException.class);
        if (api != null) {
            int status = api.httpStatus();
            return status >= 500 || status < 300;
        }
        boolean io = false;
        Throwable current = failure;
        for (int depth = 0; current != null && depth < 16; depth++) {
            if (current instanceof ConnectException || current instanceof ConnectTimeoutException
                    || current instanceof UnknownHostException || current instanceof NoRouteToHostException
                    || current instanceof SSLHandshakeException) {
                return false;
            }
            io |= current instanceof IOException;
            current = current.getCause();
        }
        return io;
    }

    private Classification classifyStatus(KoreApiException api) {
        int status = api.httpStatus();
        String message = redactor.redact(api.getMessage());
        if (api.rateLimited() || status == 429) {
            return new Classification(FailureReason.UNAVAILABLE, true, status, message, api.retryAfterMillis(), true);
        }
        if (status == 408 || status >= 500) {
            return new Classification(FailureReason.UNAVAILABLE, true, status, message, api.retryAfterMillis());
        }
        if (status == 401 || status == 403) {
            return new Classification(FailureReason.AUTH_FAILED, false, status, message, -1);
        }
        return new Classification(FailureReason.REJECTED, false, status, message, -1);
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown";
        }
        return t.getMessage() == null ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < 16; depth++) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            current = current.getCause();
        }
        return null;
    }
}
