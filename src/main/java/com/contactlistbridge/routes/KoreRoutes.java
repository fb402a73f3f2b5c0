package com.contactlistbridge.routes;

import com.contactlistbridge.config.BridgeSettings;
import org.apache.camel.Exchange;
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
    static final String GUARD_BY_NAME = "direct:kore-guard-by-name";
    static final String CALL = "direct:kore-call";
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
            // Two events with the same name never pass the guard together (both would find no list and create one).
            route.bean("eventLocks", "lockName").id("lock-list-name")
                    .doTry()
                        .to(GUARD_BY_NAME).id("guard-by-name")
                    .doFinally()
                        .bean("eventLocks", "unlockName").id("unlock-list-name")
                    .end();

            from(GUARD_BY_NAME)
                    .routeId("kore-guard-by-name")
                    .description("Answer an event whose list name exists already (bridge.dedupe.by-name)")
                    .errorHandler(noErrorHandler())
                    .filter(exchangeProperty(BridgeExchange.ALREADY_CREATED).isNotEqualTo(true)).id("not-stored")
                        // One refresh at a time: events that found the names stale together wait for it.
                        .bean("eventLocks", "lockListRefresh").id("lock-list-refresh")
                        .doTry()
                            .filter(method("koreListNames", "needsRefresh")).id("list-names-stale")
                                .to(GET_ALL_LISTS).id("refresh-list-names")
                            .endDoTry()
                        .doFinally()
                            .bean("eventLocks", "unlockListRefresh").id("unlock-list-refresh")
                        .end()
                        .bean("koreListNames", "match").id("match-list-name")
                        .to(CALL).id("call-if-new-by-name")
                        .filter(exchangeProperty(BridgeExchange.ALREADY_CREATED).isNotEqualTo(true)).id("new-name")
                            .bean("koreListNames", "created").id("remember-list-name")
                        .end()
                    .end();
        } else {
            route.to(CALL).id("call-if-new");
        }

        from(CALL)
                .routeId("kore-call")
                .description("Sign and send the Create Contact List request, unless the list exists already")
                .errorHandler(noErrorHandler())
                .filter(exchangeProperty(BridgeExchange.ALREADY_CREATED).isNotEqualTo(true)).id("not-created-yet")
                .to(REQUEST_BUDGET).id("wait-for-budget")
                // Incoming Kafka headers (and anything else) never reach Kore.ai; URL-steering headers die here too.
                .removeHeaders("*").id("strip-incoming-headers")
                .process("koreRequestFactory").id("build-request")
                .process("jwtSigner").id("sign-jwt")
                .to(endpoint).id("post-create-contact-list")
                .process("koreResponseParser").id("parse-response")
                // The token and Kore's response headers must not travel on to Kafka.
                .removeHeaders("*").id("strip-response-headers")
                .end();

        // One budget for every Kore.ai call of this account (Campaign Management: 60 per minute), spread evenly:
        // one call per slot, no bursts, shared by all concurrent calls. Retries pass here too; invalid events never
        // do. After a rate-limit refusal the gate holds every call back (Retry-After, else a whole window): before
        // it takes a slot, and again after, for calls that got their slot before the refusal came back.
        ProcessorDefinition<?> budget = from(REQUEST_BUDGET)
                .routeId("kore-request-budget")
                .description("Wait for a slot of the per-account Kore.ai request budget")
                .errorHandler(noErrorHandler())
                .process(exchange -> exchange.setProperty(RATE_LIMIT_STARTED, System.nanoTime()))
                .id("rate-limit-start")
                .delay(method("koreRateLimitGate", "remainingMillis")).syncDelayed().id("rate-limit-gate");
        if (settings.requestsPerMinute() > 0) {
            budget = budget.throttle(1).totalRequestsMode().timePeriodMillis(settings.requestSlotMillis())
                    .id("rate-limit")
                    .delay(method("koreRateLimitGate", "remainingMillis")).syncDelayed().id("rate-limit-gate-again");
        }
        budget.bean("bridgeMetrics", "rateLimiterWaitSince").id("rate-limit-waited");

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
