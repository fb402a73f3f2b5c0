package com.contactlistbridge.kore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

import com.contactlistbridge.event.InvalidEventException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.RuntimeCamelException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KoreErrorClassifierTest {

    private static final String SECRET = "unit-test-secret-0123456789-abcdefghijklmnop";

    private final KoreErrorClassifier classifier = new KoreErrorClassifier(new SecretRedactor(SECRET, 512));

    /** A KoreApiException as KoreResponseParser builds it (429 is always flagged rate limited there). */
    private static KoreApiException answered(int status) {
        return new KoreApiException(status, "Kore.ai answered " + status + ": x", status == 429, -1);
    }

    @Test
    void invalidEventIsNotRetryable() {
        Classification c = classifier.classify(new InvalidEventException("name is missing"));

        assertThat(c.reason()).isEqualTo(FailureReason.INVALID_EVENT);
        assertThat(c.retryable()).isFalse();
        assertThat(c.httpStatus()).isNull();
        assertThat(c.message()).isEqualTo("name is missing");
        assertThat(c.retryAfterMillis()).isEqualTo(-1);
    }

    @Test
    void invalidEventWrappedInARuntimeExceptionIsStillInvalidEvent() {
        Classification c = classifier.classify(new RuntimeException("wrapper",
                new RuntimeCamelException(new InvalidEventException("name is blank"))));

        assertThat(c.reason()).isEqualTo(FailureReason.INVALID_EVENT);
        assertThat(c.retryable()).isFalse();
        assertThat(c.message()).isEqualTo("name is blank");
    }

    @ParameterizedTest(name = "HTTP {0} is UNAVAILABLE and retryable")
    @ValueSource(ints = {500, 502, 503, 504, 408, 429})
    void serverErrorsTimeoutAndRateLimitAreRetryableUnavailable(int status) {
        Classification c = classifier.classify(answered(status));

        assertThat(c.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(c.retryable()).isTrue();
        assertThat(c.httpStatus()).isEqualTo(status);
        assertThat(c.unauthorized()).isFalse();
    }

    @Test
    void rateLimitedKeepsTheServersRetryAfter() {
        Classification c = classifier.classify(new KoreApiException(429, "slow down", true, 7_000));

        assertThat(c.retryAfterMillis()).isEqualTo(7_000);
    }

    @Test
    void status400WithKoresRateLimitMessageIsRetryableUnavailable() {
        Classification c = classifier.classify(new KoreApiException(400, "exceeded the per-minute rate limit", true,
                -1));

        assertThat(c.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(c.retryable()).isTrue();
        assertThat(c.httpStatus()).isEqualTo(400);
    }

    @Test
    void status401IsAuthFailedAndUnauthorized() {
        Classification c = classifier.classify(answered(401));

        assertThat(c.reason()).isEqualTo(FailureReason.AUTH_FAILED);
        assertThat(c.unauthorized()).isTrue();
        assertThat(c.retryable()).isFalse();
        assertThat(c.httpStatus()).isEqualTo(401);
    }

    @Test
    void status403IsAuthFailedButNotUnauthorized() {
        Classification c = classifier.classify(answered(403));

        assertThat(c.reason()).isEqualTo(FailureReason.AUTH_FAILED);
        assertThat(c.unauthorized()).isFalse();
        assertThat(c.retryable()).isFalse();
    }

    @ParameterizedTest(name = "HTTP {0} is REJECTED and not retryable")
    @ValueSource(ints = {400, 404, 409, 422})
    void otherClientErrorsAreRejectedAndNotRetryable(int status) {
        Classification c = classifier.classify(answered(status));

        assertThat(c.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(c.retryable()).isFalse();
        assertThat(c.httpStatus()).isEqualTo(status);
        assertThat(c.retryAfterMillis()).isEqualTo(-1);
    }

    @Test
    void successWithoutIdIsRejected() {
        Classification c = classifier.classify(new KoreApiException(200, "Kore.ai answered 200 without data._id: {}",
                false, -1));

        assertThat(c.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(c.retryable()).isFalse();
    }

    @Test
    void koreApiExceptionWrappedByCamelIsStillClassifiedByStatus() {
        Classification c = classifier.classify(new RuntimeCamelException(answered(503)));

        assertThat(c.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(c.httpStatus()).isEqualTo(503);
    }

    @Test
    void socketTimeoutIsRetryableUnavailableWithoutStatus() {
        Classification c = classifier.classify(new SocketTimeoutException("Read timed out"));

        assertThat(c.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(c.retryable()).isTrue();
        assertThat(c.httpStatus()).isNull();
        assertThat(c.message()).isEqualTo("Kore.ai call failed: SocketTimeoutException: Read timed out");
    }

    @Test
    void connectExceptionIsRetryableUnavailableWithoutStatus() {
        Classification c = classifier.classify(new ConnectException("Connection refused"));

        assertThat(c.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(c.retryable()).isTrue();
        assertThat(c.httpStatus()).isNull();
    }

    @Test
    void noHttpResponseIsRetryableUnavailableWithoutStatus() {
        Classification c = classifier.classify(new NoHttpResponseException("platform.kore.ai:443 failed to respond"));

        assertThat(c.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(c.retryable()).isTrue();
        assertThat(c.httpStatus()).isNull();
    }

    @Test
    void ioExceptionWrappedByCamelIsStillRetryable() {
        Classification c = classifier.classify(new RuntimeCamelException(new SocketTimeoutException()));

        assertThat(c.retryable()).isTrue();
        assertThat(c.message()).isEqualTo("Kore.ai call failed: SocketTimeoutException");
    }

    @Test
    void illegalStateIsUnavailableButNotRetryable() {
        Classification c = classifier.classify(new IllegalStateException("no validated request"));

        assertThat(c.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(c.retryable()).isFalse();
        assertThat(c.httpStatus()).isNull();
        assertThat(c.message()).isEqualTo("unexpected error: IllegalStateException: no validated request");
    }

    @Test
    void unexpectedErrorNamesTheRootCause() {
        Classification c = classifier.classify(new RuntimeCamelException(new IllegalArgumentException("deep")));

        assertThat(c.message()).isEqualTo("unexpected error: IllegalArgumentException: deep");
    }

    @Test
    void messagesAreRedactedAndSingleLined() {
        Classification io = classifier.classify(new IOException("sent " + SECRET + "\nand failed"));
        Classification other = classifier.classify(new IllegalStateException("key " + SECRET));

        assertThat(io.message()).doesNotContain(SECRET).doesNotContain("\n").contains("***");
        assertThat(other.message()).doesNotContain(SECRET).contains("***");
    }

    /**
     * Kore's answers as the parser reads them, then classified: only a 429 or the error envelope whose message is the
     * rate-limit text is a rate-limit refusal; the same words quoted from an event (a list name) keep the status's row.
     */
    @ParameterizedTest(name = "{0} {1} -> {2}, retryable {3}, rate limited {4}")
    @CsvSource(delimiter = '|', value = {
        "400 | {\"errors\":[{\"msg\":\"Contact list name 'You have exceeded the per-minute rate limit' is taken\"}]} | REJECTED | false | false",
        "422 | {\"errors\":[{\"msg\":\"You've exceeded the per-minute rate limit. Please wait for sometime before retrying. is not a valid name\"}]} | REJECTED | false | false",
        "409 | {\"status\":\"failure\",\"message\":\"You've exceeded the per-minute rate limit.\"} | REJECTED | false | false",
        "400 | You've exceeded the per-minute rate limit. | REJECTED | false | false",
        "403 | {\"errors\":[{\"msg\":\"list 'exceeded the per-minute rate limit' forbidden\"}]} | AUTH_FAILED | false | false",
        "500 | {\"errors\":[{\"msg\":\"failed to create 'exceeded the per-minute rate limit'\"}]} | UNAVAILABLE | true | false",
        "400 | {\"errors\":[{\"msg\":\"You've exceeded the per-minute rate limit. Please wait for sometime before retrying.\"}]} | UNAVAILABLE | true | true",
        "429 | {\"errors\":[{\"msg\":\"anything\"}]} | UNAVAILABLE | true | true",
    })
    void rateLimitIsDecidedByTheStatusOrTheErrorEnvelopeNeverByQuotedText(int status, String body,
                                                                          FailureReason reason, boolean retryable,
                                                                          boolean rateLimited) {
        KoreResponseParser parser = new KoreResponseParser(new ObjectMapper(), new SecretRedactor(SECRET, 512),
                Clock.systemUTC());
        KoreApiException answer = catchThrowableOfType(KoreApiException.class, () -> parser.parse(status,
                body.getBytes(StandardCharsets.UTF_8), null, "crm-1", null));

        Classification c = classifier.classify(answer);

        assertThat(c.reason()).isEqualTo(reason);
        assertThat(c.retryable()).isEqualTo(retryable);
        assertThat(c.rateLimited()).isEqualTo(rateLimited);
        assertThat(c.httpStatus()).isEqualTo(status);
    }

    @Test
    void aCallMayHaveBeenCarriedOutWithoutAnAnswerAfterSendingOrWithA5xx() {
        assertThat(classifier.mayHaveBeenCarriedOut(new SocketTimeoutException("Read timed out"))).isTrue();
        assertThat(classifier.mayHaveBeenCarriedOut(new RuntimeCamelException(new NoHttpResponseException("x"))))
                .isTrue();
        assertThat(classifier.mayHaveBeenCarriedOut(new java.net.SocketException("Connection reset"))).isTrue();
        assertThat(classifier.mayHaveBeenCarriedOut(answered(500))).isTrue();
        assertThat(classifier.mayHaveBeenCarriedOut(new RuntimeCamelException(answered(503)))).isTrue();
        assertThat(classifier.mayHaveBeenCarriedOut(new KoreApiException(200, "without data._id", false, -1)))
                .as("a success without a list id").isTrue();
    }

    @Test
    void aCallWasNotCarriedOutWhenKoreRefusedItOrItNeverLeft() {
        for (int status : new int[] {400, 401, 403, 404, 408, 409, 429}) {
            assertThat(classifier.mayHaveBeenCarriedOut(answered(status))).as("HTTP %d", status).isFalse();
        }
        assertThat(classifier.mayHaveBeenCarriedOut(new ConnectException("Connection refused"))).isFalse();
        assertThat(classifier.mayHaveBeenCarriedOut(new org.apache.hc.client5.http.HttpHostConnectException("x")))
                .isFalse();
        assertThat(classifier.mayHaveBeenCarriedOut(new RuntimeCamelException(
                new org.apache.hc.client5.http.ConnectTimeoutException("Connect timed out")))).isFalse();
        assertThat(classifier.mayHaveBeenCarriedOut(new java.net.UnknownHostException("platform.kore.ai")))
                .isFalse();
        assertThat(classifier.mayHaveBeenCarriedOut(new javax.net.ssl.SSLHandshakeException("PKIX"))).isFalse();
        assertThat(classifier.mayHaveBeenCarriedOut(new IOException("wrapper", new ConnectException("refused"))))
                .isFalse();
        assertThat(classifier.mayHaveBeenCarriedOut(new IllegalStateException("no validated request"))).isFalse();
        assertThat(classifier.mayHaveBeenCarriedOut(new InterruptedException())).isFalse();
    }

    @Test
    void status429IsRetryableEvenWithoutTheRateLimitFlag() {
        Classification c = classifier.classify(new KoreApiException(429, "m", false, -1));
        assertThat(c.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(c.retryable()).isTrue();
    }
}
