package com.contactlistbridge.routes;

import java.util.concurrent.ExecutorService;

import com.contactlistbridge.config.BridgeSettings;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.ThreadPoolBuilder;

/**
 * Kafka in: polls batches of CRM events and hands each event to the business flow ({@value #CREATE_CONTACT_LIST},
 * the YAML route), up to {@code bridge.max-in-flight} events at a time, then commits the offsets whose outcomes are
 * acknowledged.
 *
 * <p>An offset is committed only when it and every earlier offset of its partition have their outcome record
 * acknowledged by Kafka (see {@link RecordBatch}). Events of one partition are started in offset order but may finish
 * and publish their outcomes in any order when {@code bridge.max-in-flight} is above 1.
 */
public class ConsumerRoutes extends RouteBuilder {

    public static final String ROUTE_ID = "consume-requests";
    /** The business flow of one event (routes/create-contact-list.camel.yaml). */
    public static final String CREATE_CONTACT_LIST = "direct:create-contact-list";

    @Override
    public void configure() throws Exception {
        BridgeSettings settings = getContext().getRegistry().findSingleByType(BridgeSettings.class);
        RecordBatches batches = getContext().getRegistry().findSingleByType(RecordBatches.class);
        EventLocks locks = getContext().getRegistry().findSingleByType(EventLocks.class);
        // One thread per event in flight: the Kore.ai call, its retries and the outcome's publication run on it.
        // The split hands over a whole batch at once, so the queue must hold max-poll-records events (unbounded).
        // Not maxQueueSize(-1): Camel makes that a hand-over queue whose overflow runs in the submitting worker,
        // which then starts no further event until its own is done (a slow event left slots idle).
        ExecutorService workers = new ThreadPoolBuilder(getContext()).poolSize(settings.maxInFlight())
                .maxPoolSize(settings.maxInFlight()).maxQueueSize(Integer.MAX_VALUE).build(this, "kore-call");

        // Static membership: a consumer that camel-kafka replaces during a broker outage takes its old place at once.
        String instanceId = getContext().getRegistry().findSingleByType(StaticGroupMembership.class)
                .instanceId(settings.consumerGroup(), ROUTE_ID);

        from("kafka:{{bridge.topic.requests}}?groupId={{bridge.consumer-group}}&groupInstanceId=" + instanceId
                + "&batching=true")
                .routeId(ROUTE_ID)
                .description("Consume CRM events in batches, run up to bridge.max-in-flight of them at a time through "
                        + "the business flow, commit the offsets whose outcomes are stored")
                // A failure here (only an event without outcome) reaches the Kafka consumer: it resumes at the
                // first uncommitted offset, after a pause when Kore.ai is unavailable.
                .errorHandler(noErrorHandler())
                .process(batches::open).id("open-batch")
                .split(body(), batches).parallelProcessing().executorService(workers).synchronous().id("each-event")
                    .filter(batches::admit).id("admit-event")
                        .doTry()
                            .to(CREATE_CONTACT_LIST).id("run-business-flow")
                        .doCatch(Exception.class)
                            .process(batches::failed).id("event-without-outcome")
                        .doFinally()
                            // Taken by the Kore.ai step: a same-id event waits until this one has its outcome.
                            .process(locks::unlockEventId).id("unlock-event-id")
                        .end()
                    .end()
                .end()
                .process(batches::close).id("commit-batch");
    }
}
