package com.contactlistbridge.routes;

import com.contactlistbridge.config.BridgeSettings;
import com.contactlistbridge.kore.KoreListNames;
import com.contactlistbridge.kore.KoreRateLimitGate;
import com.contactlistbridge.ops.BridgeMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.support.ExpressionAdapter;
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
        // httpMethod fixed on the endpoint: cheaper than camel-http working it out from a header for every call.
        String endpoint = settings.createContactListUrl() + "&throwExceptionOnFailure=false&httpMethod=POST";
        EventLocks locks = getContext().getRegistry().findSingleByType(EventLocks.class);
        KoreRateLimitGate gate = getContext().getRegistry().findSingleByType(KoreRateLimitGate.class);
        BridgeMetrics metrics = getContext().getRegistry().findSingleByType(BridgeMetrics.class);
        KoreListNames listNames = getContext().getRegistry().findSingleByType(KoreListNames.class);

        ProcessorDefinition<?> route = from(CREATE_CONTACT_LIST)
                .routeId("kore-create-contact-list")
                .description("Create the event's contact list with Kore.ai Create Contact List API-v2, once")
                .errorHandler(noErrorHandler())
                // Every try counts, whichever step of it fails (store lookup, Get All Contact Lists, POST, store write).
                .process(KoreRoutes::countAttempt).id("count-attempt")
                // Events with the same resolved id never both get here: held until the event has its outcome.
                .process(locks::lockEventId).id("lock-event-id")
                // An event whose list exists already (redelivered, re-sent, replayed) is answered from the store.
                .bean("outcomeRecords", "lookUpProcessed").id("look-up-processed");
        if (settings.dedupeByName()) {
            // Two events with the same name never pass the guard together (both would find no list and create one).
            route.process(locks::lockName).id("lock-list-name")
                    .doTry()
                        .to(GUARD_BY_NAME).id("guard-by-name")
                    .doFinally()
                        .process(locks::unlockName).id("unlock-list-name")
                    .end();

            from(GUARD_BY_NAME)
                    .routeId("kore-guard-by-name")
                    .description("Answer an event whose list name exists already (bridge.dedupe.by-name)")
                    .errorHandler(noErrorHandler())
                    .filter(exchangeProperty(BridgeExchange.CREATED).isNull()).id("not-stored")
                        // One refresh at a time: events that found the names stale together wait for it.
                        .process(locks::lockListRefresh).id("lock-list-refresh")
                        .doTry()
                            .filter(method("koreListNames", "needsRefresh")).id("list-names-stale")
                                .to(GET_ALL_LISTS).id("refresh-list-names")
                            .endDoTry()
                        .doFinally()
                            .process(locks::unlockListRefresh).id("unlock-list-refresh")
                        .end()
                        .bean("koreListNames", "match").id("match-list-name")
                        .doTry()
                            .to(CALL).id("call-if-new-by-name")
                        .doCatch(Exception.class)
                            // A create that may have reached Kore.ai (no answer after sending, 5xx) may have made the
                            // list: the names are read again before any name is checked, this event's retry included.
                            .process(listNames::afterFailedCall).id("names-stale-after-failed-call")
                        .end()
                        .filter(exchangeProperty(BridgeExchange.ALREADY_CREATED).isNotEqualTo(true)).id("new-name")
                            .bean("koreListNames", "created").id("remember-list-name")
                        .end()
                    .end();
        } else {
            route.to(CALL).id("call-if-new");
        }
        // Stored before the event's lock is released and before any outcome is published: a redelivery, a re-sent
        // copy or a crash after this point finds the list. A failure here retries only this step (the list on the
        // exchange keeps the call from being made again).
        route.bean("outcomeRecords", "rememberCreated").id("remember-created");

        from(CALL)
                .routeId("kore-call")
                .description("Sign and send the Create Contact List request, unless the list exists already")
                .errorHandler(noErrorHandler())
                // Not when the store knew the list, nor when an earlier try of this event got Kore.ai's answer.
                .filter(exchangeProperty(BridgeExchange.CREATED).isNull()).id("not-created-yet")
                .to(REQUEST_BUDGET).id("wait-for-budget")
                // Incoming Kafka headers (and anything else) never reach Kore.ai; URL-steering headers die here too.
                .process(KoreRoutes::clearHeaders).id("strip-incoming-headers")
                .process("koreRequestFactory").id("build-request")
                .process("jwtSigner").id("sign-jwt")
                .to(endpoint).id("post-create-contact-list")
                .process("koreResponseParser").id("parse-response")
                // The token and Kore's response headers must not travel on to Kafka.
                .process(KoreRoutes::clearHeaders).id("strip-response-headers")
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
                .delay(gateWait(gate)).syncDelayed().id("rate-limit-gate");
        if (settings.requestsPerMinute() > 0) {
            budget = budget.throttle(1).totalRequestsMode().timePeriodMillis(settings.requestSlotMillis())
                    .id("rate-limit")
                    .delay(gateWait(gate)).syncDelayed().id("rate-limit-gate-again");
        }
        budget.process(metrics::rateLimiterWaitSince).id("rate-limit-waited");

        // Get All Contact Lists, for the guard by name: same headers and token as a creation, every page within the
        // request budget; the names readers see change only once the last page is in.
        from(GET_ALL_LISTS)
                .routeId("kore-get-all-lists")
                .description("GET every page of the account's contact lists, then swap the names in "
                        + "(bridge.dedupe.by-name)")
                .errorHandler(noErrorHandler())
                .bean("koreListNames", "startRefresh").id("start-refresh")
                .loopDoWhile(method("koreListNames", "hasMorePages")).id("each-page")
                    .to(REQUEST_BUDGET).id("wait-for-budget-lists")
                    .process(KoreRoutes::clearHeaders).id("strip-headers-lists")
                    .setBody(constant(null)).id("no-body-lists")
                    .setHeader(Exchange.HTTP_METHOD, constant("GET")).id("method-get")
                    .setHeader("iid", constant(settings.iid())).id("iid-lists")
                    .setHeader("accountId", constant(settings.accountId())).id("account-id-lists")
                    .bean("koreListNames", "preparePage").id("page-query")
                    .process("jwtSigner").id("sign-jwt-lists")
                    .to(settings.getAllListsUrl() + "&throwExceptionOnFailure=false&httpMethod=GET")
                    .id("get-all-lists")
                    .bean("koreResponseParser", "requireSuccess").id("require-success-lists")
                    .bean("koreListNames", "readPage").id("read-page")
                .end()
                .bean("koreListNames", "finishRefresh").id("swap-in-names")
                .process(KoreRoutes::clearHeaders).id("strip-response-headers-lists");
    }

    /** One more try of the event's Kore.ai step ({@code bridge.error.attempts}). */
    private static void countAttempt(Exchange exchange) {
        exchange.setProperty(BridgeExchange.ATTEMPTS, exchange.getProperty(BridgeExchange.ATTEMPTS, 0, Integer.class)
                + 1);
    }

    /** Drops every header: nothing from Kafka reaches Kore.ai, nothing from Kore.ai (the token included) reaches Kafka. */
    private static void clearHeaders(Exchange exchange) {
        exchange.getMessage().getHeaders().clear();
    }

    /** The Delay EIP's wait: how long the rate-limit gate stays closed (0 when open). */
    private static Expression gateWait(KoreRateLimitGate gate) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return gate.remainingMillis();
            }
        };
    }
}
