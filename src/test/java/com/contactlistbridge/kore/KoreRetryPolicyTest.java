package com.contactlistbridge.kore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;

import com.contactlistbridge.event.BridgeExchange;
import com.contactlistbridge.event.InvalidEventException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KoreRetryPolicyTest {

    private static final int MAX_ATTEMPTS = 5;
    private static final long RETRY_AFTER_CAP = 60_000;

    private static CamelContext context;

    private final KoreRetryPolicy policy = new KoreRetryPolicy(
            new KoreErrorClassifier(new SecretRedactor("unit-test-secret-0123456789-abcdefghijklmnop", 512)),
            MAX_ATTEMPTS, RETRY_AFTER_CAP);

    @BeforeAll
    static void createContext() {
        context = new DefaultCamelContext();
    }

    @AfterAll
    static void closeContext() throws Exception {
        context.close();
    }

    private static Exchange failed(int attempts, Throwable failure) {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(BridgeExchange.ATTEMPTS, attempts);
        exchange.setException(failure);
        return exchange;
    }

    private static KoreApiException status(int status) {
        return new KoreApiException(status, "Kore.ai answered " + status, status == 429, -1);
    }

    @Test
    void retriesA5xxWhileAttemptsAreBelowMaxAttempts() {
        for (int attempts = 1; attempts < MAX_ATTEMPTS; attempts++) {
            assertThat(policy.shouldRetry(failed(attempts, status(503)))).as("after attempt %d", attempts).isTrue();
        }
    }

    @Test
    void stopsRetryingA5xxOnceMaxAttemptsAreUsed() {
        assertThat(policy.shouldRetry(failed(MAX_ATTEMPTS, status(500)))).isFalse();
        assertThat(policy.shouldRetry(failed(MAX_ATTEMPTS + 1, status(500)))).isFalse();
    }

    @Test
    void maxAttemptsOfOneMeansNoRetry() {
        KoreRetryPolicy once = new KoreRetryPolicy(new KoreErrorClassifier(new SecretRedactor(null, 64)), 1, 0);

        assertThat(once.shouldRetry(failed(1, status(503)))).isFalse();
        assertThat(once.maxAttempts()).isEqualTo(1);
    }

    @Test
    void neverRetriesA400() {
        assertThat(policy.shouldRetry(failed(1, status(400)))).isFalse();
    }

    @Test
    void neverRetriesAnInvalidEvent() {
        assertThat(policy.shouldRetry(failed(0, new InvalidEventException("name is missing")))).isFalse();
    }

    @Test
    void retriesATimeoutWhileAttemptsRemain() {
        assertThat(policy.shouldRetry(failed(1, new SocketTimeoutException("Read timed out")))).isTrue();
        assertThat(policy.shouldRetry(failed(MAX_ATTEMPTS, new SocketTimeoutException("Read timed out")))).isFalse();
    }

    @Test
    void neverRetriesAnUnexpectedError() {
        assertThat(policy.shouldRetry(failed(1, new IllegalStateException("boom")))).isFalse();
    }

    @Test
    void a401IsRetriedExactlyOnce() {
        Exchange exchange = failed(1, status(401));

        policy.process(exchange);
        assertThat(exchange.getProperty(BridgeExchange.AUTH_FAILURES)).isEqualTo(1);
        assertThat(policy.shouldRetry(exchange)).isTrue();

        exchange.setProperty(BridgeExchange.ATTEMPTS, 2);
        policy.process(exchange);
        assertThat(exchange.getProperty(BridgeExchange.AUTH_FAILURES)).isEqualTo(2);
        assertThat(policy.shouldRetry(exchange)).isFalse();
    }

    @Test
    void processCountsOnly401sAsAuthFailures() {
        Exchange exchange = failed(1, status(403));

        policy.process(exchange);

        assertThat(exchange.getProperty(BridgeExchange.AUTH_FAILURES)).isNull();
        assertThat(policy.shouldRetry(exchange)).isFalse();
    }

    @Test
    void processSetsRedeliveryDelayToRetryAfterFor429() {
        Exchange exchange = failed(1, new KoreApiException(429, "slow down", true, 7_000));

        policy.process(exchange);

        assertThat(Exchange.REDELIVERY_DELAY).isEqualTo("CamelRedeliveryDelay");
        assertThat(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isEqualTo(7_000L);
        assertThat(policy.shouldRetry(exchange)).isTrue();
    }

    @Test
    void processCapsTheRetryAfterDelay() {
        Exchange exchange = failed(1, new KoreApiException(429, "slow down", true, 600_000));

        policy.process(exchange);

        assertThat(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isEqualTo(RETRY_AFTER_CAP);
    }

    @Test
    void processRemovesARedeliveryDelayWhenThereIsNoRetryAfter() {
        Exchange exchange = failed(1, status(503));
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 7_000L);

        policy.process(exchange);

        assertThat(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isNull();
    }

    @Test
    void processRemovesARedeliveryDelayForANonRetryableFailure() {
        Exchange exchange = failed(1, new KoreApiException(400, "bad", false, 7_000));
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 7_000L);

        policy.process(exchange);

        assertThat(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isNull();
    }

    @Test
    void readsTheFailureFromExceptionCaughtWhenTheExchangeHasNoException() {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(BridgeExchange.ATTEMPTS, 1);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new KoreApiException(429, "slow down", true, 2_000));

        policy.process(exchange);

        assertThat(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isEqualTo(2_000L);
        assertThat(policy.shouldRetry(exchange)).isTrue();
    }

    @Test
    void aRateLimitRefusalIsRetriedEvenAfterMaxAttemptsAndNotCountedAsAnAttempt() {
        RecordingGate gate = new RecordingGate();
        java.util.concurrent.atomic.AtomicInteger rateLimited = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger retries = new java.util.concurrent.atomic.AtomicInteger();
        KoreRetryPolicy limited = new KoreRetryPolicy(new KoreErrorClassifier(new SecretRedactor(null, 64)), 2,
                RETRY_AFTER_CAP, gate, retries::incrementAndGet, rateLimited::incrementAndGet);
        Exchange exchange = failed(1, new KoreApiException(429, "slow down", true, 3_000));

        for (int calls = 1; calls <= 4; calls++) {
            exchange.setProperty(BridgeExchange.ATTEMPTS, calls);
            limited.process(exchange);
            assertThat(limited.shouldRetry(exchange)).as("after refused call %d", calls).isTrue();
        }
        assertThat(exchange.getProperty(BridgeExchange.RATE_LIMITED_CALLS)).isEqualTo(4);
        assertThat(rateLimited).hasValue(4);
        assertThat(retries).as("refusals are not retries of failed attempts").hasValue(0);
        assertThat(gate.closedFor).containsOnly(3_000L);

        // Four refused calls and one real failure: that is attempt 1 of 2, so one more try.
        exchange.setProperty(BridgeExchange.ATTEMPTS, 5);
        exchange.setException(status(503));
        assertThat(limited.shouldRetry(exchange)).isTrue();
        exchange.setProperty(BridgeExchange.ATTEMPTS, 6);
        assertThat(limited.shouldRetry(exchange)).isFalse();
    }

    @Test
    void rateLimitRefusalsAreWaitedOutOnlyUpToTheirLimitSoNoEventIsRetriedForever() {
        KoreRetryPolicy limited = new KoreRetryPolicy(new KoreErrorClassifier(new SecretRedactor(null, 64)), 5,
                RETRY_AFTER_CAP, 3, new RecordingGate(), () -> { }, () -> { });
        Exchange exchange = failed(1, new KoreApiException(429, "slow down", true, 1_000));

        for (int calls = 1; calls <= 3; calls++) {
            exchange.setProperty(BridgeExchange.ATTEMPTS, calls);
            limited.process(exchange);
            assertThat(limited.shouldRetry(exchange)).as("refusal %d of 3 is waited out", calls).isTrue();
        }
        exchange.setProperty(BridgeExchange.ATTEMPTS, 4);
        limited.process(exchange);
        assertThat(limited.shouldRetry(exchange)).as("the fourth refusal ends the retries").isFalse();
    }

    @Test
    void aTryThatFailsBeforeThePostCountsAsAnAttempt() {
        // A retryable failure of a step before the HTTP call (e.g. the processed-events write): the Kore.ai step
        // counts one try per run, the failures are counted too, and the larger count bounds the retries.
        Exchange exchange = failed(0, new ProcessedEventsException("store timed out", true, null));
        for (int tries = 1; tries < MAX_ATTEMPTS; tries++) {
            policy.process(exchange);
            assertThat(policy.shouldRetry(exchange)).as("after failed try %d", tries).isTrue();
        }
        policy.process(exchange);
        assertThat(exchange.getProperty(BridgeExchange.FAILED_TRIES)).isEqualTo(MAX_ATTEMPTS);
        assertThat(policy.shouldRetry(exchange)).as("bounded although no HTTP call was counted").isFalse();
    }

    @Test
    void anUnreadableStoreValueIsNeverRetried() {
        assertThat(policy.shouldRetry(failed(1, new ProcessedEventsException("not a created record", false, null))))
                .isFalse();
    }

    @Test
    void withoutRetryAfterARateLimitRefusalWaitsAWholeWindowCappedByTheRetryAfterLimit() {
        RecordingGate gate = new RecordingGate();
        KoreRetryPolicy limited = new KoreRetryPolicy(new KoreErrorClassifier(new SecretRedactor(null, 64)), 5,
                45_000, gate, () -> { }, () -> { });
        // Kore's rate-limit message on a status other than 429 counts as a refusal too.
        Exchange exchange = failed(1, new KoreApiException(400, "You have exceeded the per-minute rate limit", true,
                -1));

        limited.process(exchange);

        assertThat(gate.closedFor).containsExactly(45_000L);
        assertThat(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isEqualTo(45_000L);
        assertThat(limited.shouldRetry(exchange)).isTrue();
    }

    @Test
    void theGateStaysClosedForTheLongestRefusal() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000);
        KoreRateLimitGate gate = new KoreRateLimitGate(new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return java.time.Instant.ofEpochMilli(now.get());
            }
        });
        assertThat(gate.remainingMillis()).isZero();
        gate.closeFor(5_000);
        gate.closeFor(1_000);
        assertThat(gate.remainingMillis()).isEqualTo(5_000);
        now.addAndGet(4_000);
        assertThat(gate.remainingMillis()).isEqualTo(1_000);
        now.addAndGet(2_000);
        assertThat(gate.remainingMillis()).isZero();
    }

    /** Remembers every close of the gate. */
    private static final class RecordingGate extends KoreRateLimitGate {
        final java.util.List<Long> closedFor = new java.util.concurrent.CopyOnWriteArrayList<>();

        RecordingGate() {
            super(java.time.Clock.systemUTC());
        }

        @Override
        public void closeFor(long millis) {
            closedFor.add(millis);
            super.closeFor(millis);
        }
    }

    @Test
    void constructorRejectsInvalidLimits() {
        KoreErrorClassifier classifier = new KoreErrorClassifier(new SecretRedactor(null, 64));

        assertThatThrownBy(() -> new KoreRetryPolicy(classifier, 0, 1_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAttempts must be at least 1");
        assertThatThrownBy(() -> new KoreRetryPolicy(classifier, 3, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRetryAfterMillis must not be negative");
    }
}
