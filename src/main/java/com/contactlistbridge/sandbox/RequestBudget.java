package com.contactlistbridge.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Sliding-window request budget per account, modelled on Kore.ai's "60 requests per minute per account" limit.
 */
final class RequestBudget {

    static final Duration WINDOW = Duration.ofMinutes(1);

    private final int requestsPerWindow;
    private final Clock clock;
    // Guarded by "this": admission must check and record atomically, or concurrent callers overshoot the budget.
    private final Map<String, Deque<Instant>> admittedByAccount = new HashMap<>();

    /**
     * @param requestsPerWindow admitted requests per account per {@link #WINDOW}, 0 = unlimited
     * @param clock             time source, injectable so tests can move the window without waiting
     */
    RequestBudget(int requestsPerWindow, Clock clock) {
        if (requestsPerWindow < 0) {
            throw new IllegalArgumentException("requestsPerWindow must be >= 0, was " + requestsPerWindow);
        }
        this.requestsPerWindow = requestsPerWindow;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Admits one request for the account if the last {@link #WINDOW} has room for it.
     *
     * @return empty when admitted, otherwise the whole seconds (at least 1) until the oldest admitted request
     *         leaves the window, suitable for a {@code Retry-After} header
     */
    synchronized OptionalLong tryAcquire(String accountId) {
        if (requestsPerWindow == 0) {
            return OptionalLong.empty();
        }
        Instant now = clock.instant();
        Deque<Instant> admitted = admittedByAccount.computeIfAbsent(accountId, key -> new ArrayDeque<>());
        Instant windowStart = now.minus(WINDOW);
        while (!admitted.isEmpty() && !admitted.peekFirst().isAfter(windowStart)) {
            admitted.removeFirst();
        }
        if (admitted.size() < requestsPerWindow) {
            admitted.addLast(now);
            return OptionalLong.empty();
        }
        Duration untilFree = Duration.between(now, admitted.peekFirst().plus(WINDOW));
        // Round up: a client that waits the advertised seconds must find room.
        long seconds = untilFree.getSeconds() + (untilFree.getNano() > 0 ? 1 : 0);
        return OptionalLong.of(Math.max(1, seconds));
    }
}
