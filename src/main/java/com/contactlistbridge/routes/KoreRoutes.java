package com.contactlistbridge.routes;

import com.contactlistbridge.config.BridgeSettings;
import com.contactlistbridge.kore.KoreAttempts;
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
 * The Kore.ai plumbing shared by the flows: the per-account request budget ({@value #REQUEST_BUDGET}), and the
 * building block "create a contact list at most once" (route template {@value #CREATE_LIST_ONCE}): processed events,
 * the guard by name, and the flow's Kore.ai call (a {@link KoreCallTemplate} route) only when the list is new.
 *
 * <p>These routes have no error handler of their own: a failure travels back to the flow's step, and the flow's
 * redelivery re-runs the whole block, so every attempt gets a new token and a clean request.
 */
public class KoreRoutes extends RouteBuilder {

    /** Template id: create a contact list at most once per event id. */
    public static final String CREATE_LIST_ONCE = "create-list-once";
    public static final String REQUEST_BUDGET = "direct:kore-request-budget";
    static final String GET_ALL_LISTS = "direct:kore-get-all-lists";
    /** Exchange property: System.nanoTime() when the call started waiting for the request budget. */
    public static final String RATE_LIMIT_STARTED = "bridgeRateLimitStarted";

    @Override
    public void configure() {
        BridgeSettings settings = getContext().getRegistry().findSingleByType(BridgeSettings.class);
        EventLocks locks = getContext().getRegistry().findSingleByType(EventLocks.class);
        KoreRateLimitGate gate = getContext().getRegistry().findSingleByType(KoreRateLimitGate.class);
        BridgeMetrics metrics = getContext().getRegistry().findSingleByType(BridgeMetrics.class);
        KoreListNames listNames = getContext().getRegistry().findSingleByType(KoreListNames.class);

        ProcessorDefinition<?> route = routeTemplate(CREATE_LIST_ONCE)
                .templateParameter("name", null, "flows send to direct:<name>")
                .templateParameter("call", null, "the Kore.ai Create Contact List call (a kore-call route), "
                        + "made only when the event's list is new")
                .from("direct:{{name}}")
                .description("Create the event's contact list with Kore.ai, once: look up the processed events "
                        + "(and the list names, with bridge.dedupe.by-name), call {{call}} only for a new list, "
                        + "remember the list")
                .errorHandler(noErrorHandler())
                // Every try counts, whichever step of it fails (store lookup, Get All Contact Lists, POST, store write).
                .process(KoreAttempts::startTry).id("{{name}}.count-attempt")
                // Events with the same resolved id never both get here: held until the event has its outcome.
                .process(locks::lockEventId).id("{{name}}.lock-event-id")
                // An event whose list exists already (redelivered, re-sent, replayed) is answered from the store.
                .bean("outcomeRecords", "lookUpProcessed").id("{{name}}.look-up-processed");
        if (settings.dedupeByName()) {
            // Two events with the same name never pass the guard together (both would find no list and create one).
            route.process(locks::lockName).id("{{name}}.lock-list-name")
                    .doTry()
                        .filter(exchangeProperty(BridgeExchange.CREATED).isNull()).id("{{name}}.not-stored")
                            // One refresh at a time: events that found the names stale together wait for it.
                            .process(locks::lockListRefresh).id("{{name}}.lock-list-refresh")
                            .doTry()
                                .filter(method("koreListNames", "needsRefresh")).id("{{name}}.list-names-stale")
                                    .to(GET_ALL_LISTS).id("{{name}}.refresh-list-names")
                                .endDoTry()
                            .doFinally()
                                .process(locks::unlockListRefresh).id("{{name}}.unlock-list-refresh")
                            .end()
                            .bean("koreListNames", "match").id("{{name}}.match-list-name")
                            .doTry()
                                .filter(exchangeProperty(BridgeExchange.CREATED).isNull()).id("{{name}}.new-by-name")
                                    .to("{{call}}").id("{{name}}.call-if-new-by-name")
                                .endDoTry()
                            .doCatch(Exception.class)
                                // A create that may have reached Kore.ai (no answer after sending, 5xx) may have made
                                // the list: the names are read again before any name is checked, this event's retry
                                // included.
                                .process(listNames::afterFailedCall).id("{{name}}.names-stale-after-failed-call")
                            .end()
                            .filter(exchangeProperty(BridgeExchange.ALREADY_CREATED).isNotEqualTo(true)).id("{{name}}.new-name")
                                .bean("koreListNames", "created").id("{{name}}.remember-list-name")
                            .end()
                        .endDoTry()
                    .doFinally()
                        .process(locks::unlockName).id("{{name}}.unlock-list-name")
                    .end();
        } else {
            // Not when the store knew the list, nor when an earlier try of this event got Kore.ai's answer.
            route.filter(exchangeProperty(BridgeExchange.CREATED).isNull()).id("{{name}}.not-created-yet")
                    .to("{{call}}").id("{{name}}.call-if-new")
                    .end();
        }
        // Stored before the event's lock is released and before any outcome is published: a redelivery, a re-sent
        // copy or a crash after this point finds the list. A failure here retries only this step (the list on the
        // exchange keeps the call from being made again).
        route.bean("outcomeRecords", "rememberCreated").id("{{name}}.remember-created")
                .process(KoreAttempts::endTry).id("{{name}}.end-of-try");

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
                    .process(KoreCallTemplate::clearHeaders).id("strip-headers-lists")
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
                .process(KoreCallTemplate::clearHeaders).id("strip-response-headers-lists");
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
