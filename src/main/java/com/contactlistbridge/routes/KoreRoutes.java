package com.contactlistbridge.routes;

import com.contactlistbridge.config.BridgeSettings;
import org.apache.camel.builder.RouteBuilder;
import com.contactlistbridge.event.BridgeExchange;
import org.apache.camel.model.ProcessorDefinition;

/**
 * The Kore.ai call: clean headers, JSON body, a freshly signed JWT, POST to Create Contact List v2, answer parsed.
 *
 * <p>This route has no error handler of its own: a failure travels back to the calling step, and the caller's
 * redelivery re-runs this whole route, so every attempt gets a new token and a clean request.
 */
public class KoreRoutes extends RouteBuilder {

    public static final String CREATE_CONTACT_LIST = "direct:kore-create-contact-list";
    /** Exchange property: System.nanoTime() when the call started waiting for the request budget. */
    public static final String RATE_LIMIT_STARTED = "bridgeRateLimitStarted";

    @Override
    public void configure() {
        BridgeSettings settings = getContext().getRegistry().findSingleByType(BridgeSettings.class);
        // throwExceptionOnFailure=false: koreResponseParser reads every status itself and classifies it.
        String endpoint = settings.createContactListUrl() + "&throwExceptionOnFailure=false";

        ProcessorDefinition<?> route = from(CREATE_CONTACT_LIST)
                .routeId("kore-create-contact-list")
                .description("POST one contact list to Kore.ai Create Contact List API-v2")
                .errorHandler(noErrorHandler())
                // An event whose list exists already (redelivered, re-sent, replayed) is answered from the store.
                .bean("outcomeRecords", "lookUpProcessed").id("look-up-processed")
                .filter(exchangeProperty(BridgeExchange.ALREADY_CREATED).isNotEqualTo(true)).id("not-created-yet");
        if (settings.requestsPerMinute() > 0) {
            // Kore.ai's budget is per account and per minute; one call per slot spreads it evenly (no bursts).
            // Every real call passes here, retries included; invalid events never reach this route.
            long slotMillis = (60_000L + settings.requestsPerMinute() - 1) / settings.requestsPerMinute();
            route.process(exchange -> exchange.setProperty(RATE_LIMIT_STARTED, System.nanoTime())).id("rate-limit-start")
                    .throttle(1).totalRequestsMode().timePeriodMillis(slotMillis).id("rate-limit")
                    .bean("bridgeMetrics", "rateLimiterWaitSince").id("rate-limit-waited");
        }
        route
                // Incoming Kafka headers (and anything else) never reach Kore.ai; URL-steering headers die here too.
                .removeHeaders("*").id("strip-incoming-headers")
                .process("koreRequestFactory").id("build-request")
                .process("jwtSigner").id("sign-jwt")
                .to(endpoint).id("post-create-contact-list")
                .process("koreResponseParser").id("parse-response")
                // The token and Kore's response headers must not travel on to Kafka.
                .removeHeaders("*").id("strip-response-headers")
                .end();
    }
}
