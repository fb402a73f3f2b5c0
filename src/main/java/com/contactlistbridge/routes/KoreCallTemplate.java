package com.contactlistbridge.routes;

import com.contactlistbridge.config.BridgeSettings;
import com.contactlistbridge.kore.KoreAttempts;
import com.contactlistbridge.kore.KoreRequestFactory;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * Building block "call a Kore.ai API" (route template {@value #ID}): one try of one call, from the request budget to
 * the classified answer. A flow sends to {@code direct:<name>}; the route has no error handler, so a failure goes back
 * to the flow's step and the flow's redelivery runs the whole block again: a new budget slot, clean headers, a freshly
 * signed token.
 *
 * <p>Steps: wait for the per-account request budget; drop every incoming header (nothing from Kafka reaches Kore.ai);
 * body = JSON of the variable {@code koreRequest}; {@code iid}, {@code accountId}, Content-Type; a fresh JWT from the
 * {@code signer} bean; the call to {@code kore.base-url} + {@code path} (fixed at start-up; {@code {name}} segments
 * filled from validated variables); the answer read by {@code koreResponseParser} (non-2xx answers become failures the
 * error handler classifies); Kore.ai's response headers dropped.
 */
public class KoreCallTemplate extends RouteBuilder {

    /** The template id flows instantiate with {@code templatedRoute: routeTemplateRef: kore-call}. */
    public static final String ID = "kore-call";

    @Override
    public void configure() {
        BridgeSettings settings = getContext().getRegistry().findSingleByType(BridgeSettings.class);
        EventLocks locks = getContext().getRegistry().findSingleByType(EventLocks.class);
        // throwExceptionOnFailure=false: koreResponseParser reads every status itself and classifies it.
        // httpMethod fixed on the endpoint: cheaper than camel-http working it out from a header for every call.
        String endpoint = settings.koreRootUrl() + "?accountId=" + settings.accountId()
                + "&throwExceptionOnFailure=false&httpMethod={{method}}";

        routeTemplate(ID)
                .templateParameter("name", null, "flows send to direct:<name>")
                .templateParameter("method", "POST", "HTTP method: POST, PUT, GET or DELETE")
                .templateParameter("path", null, "path after kore.base-url, e.g. "
                        + "/campaign/api/v2/public/{{kore.stream-id}}/campaign/contactList/createContactList; "
                        + "{{...}} are settings, {name} segments come from the variable of that name (letters, digits, "
                        + ". _ : - only)")
                .templateParameter("signer", "jwtSigner", "the bean that signs a fresh JWT into the auth header")
                .templateParameter("answer", "accepted", "koreResponseParser method reading a 2xx answer: accepted "
                        + "(variable koreAnswer = the JSON answer) or createdList (data._id required)")
                .from("direct:{{name}}")
                .description("Call Kore.ai: {{method}} {{path}}, signed by {{signer}}")
                .errorHandler(noErrorHandler())
                .process(KoreAttempts::startTry).id("{{name}}.count-attempt")
                // Events with the same resolved id never call Kore.ai at the same time (idempotent for the event).
                .process(locks::lockEventId).id("{{name}}.lock-event-id")
                .to(KoreRoutes.REQUEST_BUDGET).id("{{name}}.wait-for-budget")
                // Incoming Kafka headers (and anything else) never reach Kore.ai; URL-steering headers die here too.
                .process(KoreCallTemplate::clearHeaders).id("{{name}}.strip-incoming-headers")
                .setVariable(KoreRequestFactory.METHOD, constant("{{method}}")).id("{{name}}.request-method")
                .setVariable(KoreRequestFactory.PATH, constant("{{path}}")).id("{{name}}.request-path")
                .process("koreRequestFactory").id("{{name}}.build-request")
                .process("{{signer}}").id("{{name}}.sign-jwt")
                .to(endpoint).id("{{name}}.call-kore")
                .bean("koreResponseParser", "{{answer}}").id("{{name}}.read-answer")
                // The token and Kore's response headers must not travel on to Kafka.
                .process(KoreCallTemplate::clearHeaders).id("{{name}}.strip-response-headers")
                .process(KoreAttempts::endTry).id("{{name}}.end-of-try");
    }

    /** Drops every header: nothing from Kafka reaches Kore.ai, nothing from Kore.ai (the token included) reaches Kafka. */
    static void clearHeaders(Exchange exchange) {
        exchange.getMessage().getHeaders().clear();
    }
}
