package com.contactlistbridge.routes;

import org.apache.camel.builder.RouteBuilder;

/**
 * Building block "consume a topic into a flow" (route template {@value #ID}): polls batches of events from a Kafka
 * topic and hands each event to a flow ({@code direct:<flow>}, a route of a routes/*.camel.yaml file), on a worker
 * pool of twice {@code bridge.max-in-flight} threads (at most {@code bridge.max-in-flight} events before their outcome,
 * see {@link KoreCallSlots}), then commits the offsets whose outcomes are acknowledged.
 *
 * <p>An offset is committed only when it and every earlier offset of its partition have their outcome record
 * acknowledged by Kafka (see {@link RecordBatch}). Events of one partition are started in offset order but may finish
 * and publish their outcomes in any order when {@code bridge.max-in-flight} is above 1. Every route made from this
 * template is in the route group {@value #GROUP}, which gets the outage circuit breaker (see BridgeConfiguration).
 */
public class ConsumeTopicTemplate extends RouteBuilder {

    /** The template id flows instantiate with {@code templatedRoute: routeTemplateRef: consume-topic}. */
    public static final String ID = "consume-topic";
    /** Route group of every consumer made from this template: each gets its own outage circuit breaker. */
    public static final String GROUP = "bridge-consumers";
    /** The worker pool shared by every consumer: twice {@code bridge.max-in-flight} events at a time in all. */
    public static final String WORKERS = "bridgeWorkers";

    /** Exchange property on each event: the flow (its route id) the event belongs to. */
    public static final String FLOW = "bridgeFlow";
    /** Exchange property on each event: the flow's outcome topic (publish-outcome sends there). */
    public static final String OUTCOME_TOPIC = "bridgeOutcomeTopic";
    /** Exchange property on each event: the flow's dead-letter topic (the error handler sends there). */
    public static final String DEAD_LETTER_TOPIC = "bridgeDeadLetterTopic";

    /** Exchange property set by publish-outcome and dead-letter: the event has its outcome record. */
    public static final String OUTCOME_PUBLISHED = "bridgeOutcomePublished";

    @Override
    public void configure() throws Exception {
        RecordBatches batches = getContext().getRegistry().findSingleByType(RecordBatches.class);
        OutcomeRecords outcomes = getContext().getRegistry().findSingleByType(OutcomeRecords.class);
        EventLocks locks = getContext().getRegistry().findSingleByType(EventLocks.class);
        KoreCallSlots slots = getContext().getRegistry().findSingleByType(KoreCallSlots.class);

        routeTemplate(ID)
                .templateParameter("flow", null, "the flow's route id: events go to direct:<flow>")
                .templateParameter("topic", null, "the Kafka topic with the flow's events")
                .templateParameter("outcomeTopic", null, "where direct:publish-outcome sends the flow's outcomes")
                .templateParameter("deadLetterTopic", null, "where failed events go: original key, value and headers "
                        + "plus bridge.error.* headers")
                .templateParameter("consumerGroup", "{{bridge.consumer-group}}", "the Kafka consumer group")
                // Static membership (see StaticGroupMembership): a consumer that camel-kafka replaces during a broker
                // outage takes its old place at once instead of waiting out session.timeout.ms.
                .from("kafka:{{topic}}?groupId={{consumerGroup}}&batching=true"
                        + "&groupInstanceId=contact-list-bridge-{{flow}}-{{bean:staticGroupMembership.process}}")
                .routeGroup(GROUP)
                .description("Consume {{topic}} in batches, run up to bridge.max-in-flight events at a time through "
                        + "the flow {{flow}}, commit the offsets whose outcomes are stored")
                // A failure here (only an event without outcome) reaches the Kafka consumer: it resumes at the
                // first uncommitted offset, after a pause when Kore.ai is unavailable.
                .errorHandler(noErrorHandler())
                .setProperty(FLOW, constant("{{flow}}")).id("consume-{{flow}}.flow-name")
                .setProperty(OUTCOME_TOPIC, constant("{{outcomeTopic}}")).id("consume-{{flow}}.flow-outcome-topic")
                .setProperty(DEAD_LETTER_TOPIC, constant("{{deadLetterTopic}}")).id("consume-{{flow}}.flow-dead-letter-topic")
                .process(batches::open).id("consume-{{flow}}.open-batch")
                // One thread per event in progress: the flow, its Kore.ai calls, their retries and the outcome's
                // publication run on it, and the split waits for the whole batch.
                .split(body(), batches).parallelProcessing().executorService(WORKERS).synchronous().id("consume-{{flow}}.each-event")
                    // bridge.max-in-flight: an event starts only with a Kore.ai call slot (KoreCallSlots), and is
                    // admitted only if its batch still runs once it has one (a failure stops the batch meanwhile).
                    .process(slots::take).id("consume-{{flow}}.take-call-slot")
                    .doTry()
                        .filter(batches::admit).id("consume-{{flow}}.admit-event")
                            .to("direct:{{flow}}").id("consume-{{flow}}.run-flow")
                            // Every record ends in exactly one outcome: a flow that returned without publishing one
                            // (no publish-outcome step on its path) dead-letters the record rather than committing
                            // it silently.
                            .filter(exchangeProperty(OUTCOME_PUBLISHED).isNull()).id("consume-{{flow}}.no-outcome")
                                .process(outcomes::withoutOutcome).id("consume-{{flow}}.flow-without-outcome")
                                .to(OutcomeRoutes.DEAD_LETTER).id("consume-{{flow}}.dead-letter-without-outcome")
                            .end()
                        .endDoTry()
                    .doCatch(Exception.class)
                        .process(batches::failed).id("consume-{{flow}}.event-without-outcome")
                    .doFinally()
                        // What the event still holds: its event id (taken by the Kore.ai step: a same-id event waits
                        // until this one has its outcome) and its call slot, unless publish-outcome gave it back. One
                        // step: for an event the error handler dead-lettered, Camel runs only the first step of a
                        // doFinally.
                        .process(exchange -> {
                            locks.unlockEventId(exchange);
                            slots.giveBack(exchange);
                        }).id("consume-{{flow}}.release-event")
                    .end()
                .end()
                .process(batches::close).id("consume-{{flow}}.commit-batch");
    }
}
