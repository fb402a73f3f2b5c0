package com.contactlistbridge.routes;

import com.contactlistbridge.config.BridgeSettings;
import com.contactlistbridge.kore.KoreRetryPolicy;
import org.apache.camel.builder.DeadLetterChannelBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;

/**
 * The one place where errors are handled: every failure of a business route is classified, retried with Camel's
 * redelivery (exponential backoff with jitter, Retry-After honoured) when that can help, and otherwise sent with the
 * original record to the dead-letter route.
 *
 * <p>If the dead-letter publish itself fails, the failure is NOT swallowed: the exchange fails, its offset is not
 * committed and the Kafka consumer seeks back to the record (breakOnFirstError), so nothing is lost.
 */
public class BridgeRouteConfiguration extends RouteConfigurationBuilder {

    /** Business routes opt in with {@code routeConfigurationId: bridge-error-handling}. */
    public static final String ID = "bridge-error-handling";

    @Override
    public void configuration() {
        BridgeSettings settings = getContext().getRegistry().findSingleByType(BridgeSettings.class);
        KoreRetryPolicy retryPolicy = getContext().getRegistry().findSingleByType(KoreRetryPolicy.class);

        DeadLetterChannelBuilder deadLetterChannel = deadLetterChannel(OutcomeRoutes.DEAD_LETTER);
        deadLetterChannel.deadLetterHandleNewException(false);
        deadLetterChannel.useOriginalMessage()
                .onExceptionOccurred(retryPolicy)
                .retryWhile(method(retryPolicy, "shouldRetry"))
                .maximumRedeliveries(settings.maxAttempts())
                .redeliveryDelay(settings.initialDelayMillis())
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .useCollisionAvoidance()
                .collisionAvoidancePercent(25)
                .maximumRedeliveryDelay(settings.maxDelayMillis())
                // A stopping bridge does not wait out backoffs; OutcomeRecords leaves such records uncommitted.
                .allowRedeliveryWhileStopping(false)
                // koreRetryPolicy logs each retry and the dead-letter route each outcome, without stack traces.
                .logRetryAttempted(false)
                .logStackTrace(false)
                .logExhausted(false)
                .logHandled(false)
                // The dead-letter route throws on purpose to hold a record back during a Kore.ai outage (logged once
                // per pause by koreOutagePolicy); any other failure there is logged once by RecordBatches.
                .logNewException(false);

        routeConfiguration(ID)
                .description("Classify failures, retry what can succeed, dead-letter the original record otherwise")
                .errorHandler(deadLetterChannel);
    }
}
