package com.contactlistbridge.kore;

import com.contactlistbridge.event.BridgeExchange;
import org.apache.camel.Exchange;

/**
 * Counts the tries of an event's Kore.ai step ({@code bridge.error.attempts}): a try starts when a Kore.ai building
 * block is entered and ends when it returns or fails, so a block that calls another (create-list-once calling its
 * kore-call) counts one try, and each redelivery or each further call of a flow (one per chunk) counts one more.
 */
public final class KoreAttempts {

    private KoreAttempts() {
    }

    /** Counts a new try unless one is running (entered from an enclosing block). */
    public static void startTry(Exchange exchange) {
        if (exchange.getProperty(BridgeExchange.IN_TRY) == null) {
            exchange.setProperty(BridgeExchange.IN_TRY, true);
            exchange.setProperty(BridgeExchange.ATTEMPTS, attempts(exchange) + 1);
        }
    }

    /** The try returned; the next block entered counts again. Also called by the retry policy on every failure. */
    public static void endTry(Exchange exchange) {
        exchange.removeProperty(BridgeExchange.IN_TRY);
    }

    public static int attempts(Exchange exchange) {
        return exchange.getProperty(BridgeExchange.ATTEMPTS, 0, Integer.class);
    }
}
