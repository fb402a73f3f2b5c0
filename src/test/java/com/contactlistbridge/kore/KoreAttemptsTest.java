package com.contactlistbridge.kore;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KoreAttemptsTest {

    private final Exchange exchange = new DefaultExchange(new DefaultCamelContext());

    @Test
    void nestedBlocksCountOneTryAndEachNewEntryAfterAnEndCountsAgain() {
        KoreAttempts.startTry(exchange);       // create-list-once
        KoreAttempts.startTry(exchange);       // its kore-call
        assertThat(KoreAttempts.attempts(exchange)).isEqualTo(1);

        KoreAttempts.endTry(exchange);         // the call returned (or failed: the retry policy ends the try)
        KoreAttempts.startTry(exchange);       // redelivery, or the next chunk's call
        assertThat(KoreAttempts.attempts(exchange)).isEqualTo(2);
    }

    @Test
    void noTryNoAttempt() {
        assertThat(KoreAttempts.attempts(exchange)).isZero();
        KoreAttempts.endTry(exchange);
        assertThat(KoreAttempts.attempts(exchange)).isZero();
    }
}
