package com.contactlistbridge.routes;

import com.contactlistbridge.config.BridgeSettings;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
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
    static final String REQUEST_BUDGET = "direct:kore-request-budget";
    static final String GET_ALL_LISTS = "direct:kore-get-all-lists";
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
                .bean("outcomeRecords", "lookUpProcessed").id("look-up-processed");
        if (settings.dedupeByName()) {
            route = route.filter(method("koreListNames", "needsRefresh")).id("list-names-stale")
                    .to(GET_ALL_LISTS).id("refresh-list-names")
                    .end()
                    .bean("koreListNames", "match").id("match-list-name");
        }
        route = route.filter(exchangeProperty(BridgeExchange.ALREADY_CREATED).isNotEqualTo(true)).id("not-created-yet")
                .to(REQUEST_BUDGET).id("wait-for-budget")
                // Incoming Kafka headers (and anything else) never reach Kore.ai; URL-steering headers die here too.
                .removeHeaders("*").id("strip-incoming-headers")
                .process("koreRequestFactory").id("build-request")
                .process("jwtSigner").id("sign-jwt")
                .to(endpoint).id("post-create-contact-list")
                .process("koreResponseParser").id("parse-response")
                // The token and Kore's response headers must not travel on to Kafka.
                .removeHeaders("*").id("strip-response-headers");
        if (settings.dedupeByName()) {
            route = route.bean("koreListNames", "created").id("remember-list-name");
        }
        route.end();

        // One budget for every Kore.ai call of this account (Campaign Management: 60 per minute), spread evenly:
        // one call per slot, no bursts. Retries pass here too; invalid events never do.
        ProcessorDefinition<?> budget = from(REQUEST_BUDGET)
                .routeId("kore-request-budget")
                .description("Wait for a slot of the per-account Kore.ai request budget")
                .errorHandler(noErrorHandler());
        if (settings.requestsPerMinute() > 0) {
            long slotMillis = (60_000L + settings.requestsPerMinute() - 1) / settings.requestsPerMinute();
            budget.process(exchange -> exchange.setProperty(RATE_LIMIT_STARTED, System.nanoTime()))
                    .id("rate-limit-start")
                    .throttle(1).totalRequestsMode().timePeriodMillis(slotMillis).id("rate-limit")
                    .bean("bridgeMetrics", "rateLimiterWaitSince").id("rate-limit-waited");
        } else {
            budget.log(LoggingLevel.TRACE, "unlimited request budget").id("no-rate-limit");
        }

        // Get All Contact Lists, for the guard by name: same headers and token as a creation.
        from(GET_ALL_LISTS)
                .routeId("kore-get-all-lists")
                .description("GET the account's contact lists (bridge.dedupe.by-name)")
                .errorHandler(noErrorHandler())
                .to(REQUEST_BUDGET).id("wait-for-budget-lists")
                .removeHeaders("*").id("strip-headers-lists")
                .setBody(constant(null)).id("no-body-lists")
                .setHeader(Exchange.HTTP_METHOD, constant("GET")).id("method-get")
                .setHeader("iid", constant(settings.iid())).id("iid-lists")
                .setHeader("accountId", constant(settings.accountId())).id("account-id-lists")
                .process("jwtSigner").id("sign-jwt-lists")
                .to(settings.getAllListsUrl() + "&throwExceptionOnFailure=false").id("get-all-lists")
                .bean("koreResponseParser", "requireSuccess").id("require-success-lists")
                .bean("koreListNames", "refresh").id("refresh-names")
                .removeHeaders("*").id("strip-response-headers-lists");
    }
}
