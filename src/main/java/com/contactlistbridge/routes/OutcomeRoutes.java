package com.contactlistbridge.routes;

import com.contactlistbridge.ops.BridgeMetrics;
import org.apache.camel.builder.RouteBuilder;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Building block "publish an outcome": the flow's outcome record ({@value #PUBLISH_OUTCOME}, a flow's last step) and
 * the dead letter ({@value #DEAD_LETTER}, sent by the error handler), to the topics of the flow's consume-topic block. Each publish waits for Kafka's acknowledgement (acks=all), so by the time the
 * exchange completes and its offset may be committed, the outcome is safely stored. The processed-events store is
 * written before, by the Kore.ai route, under the event's lock.
 */
public class OutcomeRoutes extends RouteBuilder {

    /** Flows end by sending their outcome (the body) here. */
    public static final String PUBLISH_OUTCOME = "direct:publish-outcome";
    public static final String DEAD_LETTER = "direct:dead-letter";

    @Override
    public void configure() {
        OutcomeRecords outcomes = getContext().getRegistry().findSingleByType(OutcomeRecords.class);
        BridgeMetrics metrics = getContext().getRegistry().findSingleByType(BridgeMetrics.class);
        KoreCallSlots slots = getContext().getRegistry().findSingleByType(KoreCallSlots.class);
        // The topics are the flow's, set by its consume-topic block from settings: never from message data.
        String outcomeTopic = "kafka:${exchangeProperty." + ConsumeTopicTemplate.OUTCOME_TOPIC + "}";
        String deadLetterTopic = "kafka:${exchangeProperty." + ConsumeTopicTemplate.DEAD_LETTER_TOPIC + "}";
        from(PUBLISH_OUTCOME)
                .routeId("publish-outcome")
                .description("Publish the flow's outcome record (the body) to the flow's outcome topic, keyed like "
                        + "the input")
                .errorHandler(noErrorHandler())
                // The flow's Kore.ai work is done and safe (the processed events are written before): writing the
                // outcome need not hold a bridge.max-in-flight slot, the next event may call meanwhile.
                .process(slots::giveBack).id("give-back-call-slot")
                // Sized against the producer's limit: a record Kafka would refuse is dead-lettered instead.
                .process(outcomes::toOutcomeRecord).id("build-outcome-record")
                .toD(outcomeTopic).id("send-outcome")
                .process(metrics::outcomePublished).id("count-outcome")
                .setProperty(ConsumeTopicTemplate.OUTCOME_PUBLISHED, constant(true)).id("outcome-published")
                .process(outcomes::logOutcome).id("log-outcome");

        from(DEAD_LETTER)
                .routeId("dead-letter")
                .description("Publish the original record to the dead-letter topic with headers that say why")
                // Errors here must reach the Kafka consumer (offset not committed), never loop back into this route.
                .errorHandler(noErrorHandler())
                // Sized against the producer's limit: what does not fit is left out, and named in a header.
                .process(outcomes::toDeadLetterRecord).id("build-dead-letter-record")
                .doTry()
                    .toD(deadLetterTopic).id("send-dead-letter")
                .doCatch(RecordTooLargeException.class, RecordBatchTooLargeException.class,
                        InvalidRecordException.class)
                    // The topic takes less than the producer (max.message.bytes): send what must be carried.
                    .process(outcomes::trimDeadLetter).id("trim-dead-letter")
                    .toD(deadLetterTopic).id("send-trimmed-dead-letter")
                .end()
                .process(metrics::deadLettered).id("count-dead-letter")
                .setProperty(ConsumeTopicTemplate.OUTCOME_PUBLISHED, constant(true)).id("dead-letter-published")
                .process(outcomes::logDeadLettered).id("log-dead-lettered");
    }
}
