package com.contactlistbridge.ops;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpEndpoint;
import com.contactlistbridge.event.BridgeExchange;
import com.contactlistbridge.routes.ConsumeTopicTemplate;
import com.contactlistbridge.routes.KoreRoutes;
import com.contactlistbridge.routes.OutcomeRecords;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.throttling.ThrottlingExceptionRoutePolicy;

/**
 * The bridge's own Prometheus metrics, taken from Camel's exchange events so no route has to remember to count:
 * Kore.ai call latency by status class and calls in flight; and, counted by the flows' building blocks with the flow as
 * a label, events consumed, outcomes and dead letters.
 */
public class BridgeMetrics extends EventNotifierSupport {


    private final MeterRegistry registry;
    private final Counter created;
    private final Counter retries;
    private final Counter rateLimited;
    private final Timer rateLimiterWait;
    private final AtomicInteger inFlight = new AtomicInteger();

    public BridgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Not "bridge.lists.created": Prometheus reserves the _created suffix, and the series would vanish.
        this.created = Counter.builder("bridge.created.lists")
                .description("Contact lists created and published to the created topic").register(registry);
        this.retries = Counter.builder("bridge.kore.retries")
                .description("Kore.ai calls retried after a retryable failure").register(registry);
        this.rateLimited = Counter.builder("bridge.kore.rate.limited")
                .description("Kore.ai calls refused for the rate limit (429 or its rate-limit error envelope); tried again, "
                        + "not counted as attempts").register(registry);
        this.rateLimiterWait = Timer.builder("bridge.rate.limiter.wait")
                .description("Time Kore.ai calls waited for the per-account request budget").register(registry);
        registry.gauge("bridge.kore.in.flight", inFlight);
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        // Events are counted per polled batch (consumed) and the event id is cleared from a worker's logging context
        // before each event (RecordBatches.admit), so exchange creation needs no notification.
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof ExchangeSendingEvent sending) {
            if (sending.getEndpoint() instanceof HttpEndpoint) {
                inFlight.incrementAndGet();
            }
        } else if (event instanceof ExchangeSentEvent sent) {
            onSent(sent.getExchange(), sent.getEndpoint(), sent.getTimeTaken());
        }
    }

    /** Registers a flow's series at zero, so dashboards see zeros rather than gaps. */
    public void flowStarted(String flow) {
        consumed(flow, 0);
        outcomes(flow);
        for (String reason : new String[] {"INVALID_EVENT", "REJECTED", "AUTH_FAILED", "UNAVAILABLE"}) {
            deadLetters(flow, reason);
        }
    }

    /** Counts the events of a polled batch of a flow. */
    public void consumed(String flow, int events) {
        Counter.builder("bridge.events.consumed").description("Events consumed from the flow's topic")
                .tag("flow", String.valueOf(flow)).register(registry).increment(events);
    }

    /** Counts an outcome record the flow published (and, for create-contact-list, the created list). */
    public void outcomePublished(Exchange exchange) {
        outcomes(exchange.getProperty(ConsumeTopicTemplate.FLOW, String.class)).increment();
        if (exchange.getProperty(BridgeExchange.CREATED) != null) {
            created.increment();
        }
    }

    /** Counts a dead letter published, by flow and reason. */
    public void deadLettered(Exchange exchange) {
        deadLetters(exchange.getProperty(ConsumeTopicTemplate.FLOW, String.class),
                exchange.getMessage().getHeader(OutcomeRecords.REASON, "UNKNOWN", String.class)).increment();
    }

    private Counter outcomes(String flow) {
        return Counter.builder("bridge.outcomes").description("Outcome records published, by flow")
                .tag("flow", String.valueOf(flow)).register(registry);
    }

    private void onSent(Exchange exchange, Endpoint endpoint, long millis) {
        if (endpoint instanceof HttpEndpoint) {
            inFlight.decrementAndGet();
            Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            String statusClass = exchange.getException() != null || status == null ? "none" : (status / 100) + "xx";
            Timer.builder("bridge.kore.call.duration").description("Kore.ai Create Contact List call latency")
                    .tag("status_class", statusClass).publishPercentileHistogram()
                    .register(registry).record(millis, TimeUnit.MILLISECONDS);
        }
    }

    /** Exposes a business flow's circuit breaker: 1 while consumption is paused because Kore.ai is unavailable. */
    public void watchCircuitBreaker(String routeId, ThrottlingExceptionRoutePolicy breaker) {
        Gauge.builder("bridge.consumption.paused", breaker, b -> "closed".equals(b.getStateAsString()) ? 0 : 1)
                .description("1 while the flow's consumer is paused because Kore.ai looks unavailable")
                .tag("route", routeId).register(registry);
    }

    /** Counts one call Kore.ai refused for its rate limit (called by the retry policy). */
    public void rateLimited() {
        rateLimited.increment();
    }

    /** Counts one retry of a Kore.ai call (called by the retry policy when it decides to retry). */
    public void retried() {
        retries.increment();
    }

    /** Records how long a call waited for the request budget (the rate limiter's throttle). */
    public void rateLimiterWaitSince(Exchange exchange) {
        Long started = exchange.getProperty(KoreRoutes.RATE_LIMIT_STARTED, Long.class);
        if (started != null) {
            rateLimiterWait.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private Counter deadLetters(String flow, String reason) {
        return Counter.builder("bridge.dead.letters").description("Events dead-lettered, by flow and reason")
                .tag("flow", String.valueOf(flow)).tag("reason", reason).register(registry);
    }
}
