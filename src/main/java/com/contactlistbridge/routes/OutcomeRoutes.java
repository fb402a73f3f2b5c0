package com.contactlistbridge.routes;

import org.apache.camel.builder.RouteBuilder;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Publishes the outcome records. Each publish waits for Kafka's acknowledgement (acks=all), so by the time the
 * exchange completes and its offset may be committed, the outcome is safely stored. The processed-events store is
 * written before, by the Kore.ai route, under the event's lock.
 */
public class OutcomeRoutes extends RouteBuilder {

    public static final String PUBLISH_CREATED = "direct:publish-created";
    public static final String DEAD_LETTER = "direct:dead-letter";

    @Override
    public void configure() {
        OutcomeRecords outcomes = getContext().getRegistry().findSingleByType(OutcomeRecords.class);
        from(PUBLISH_CREATED)
                .routeId("publish-created")
                .description("Publish the created contact list id to the created topic, keyed like the input")
                .errorHandler(noErrorHandler())
                // Sized against the producer's limit: a record Kafka would refuse is dead-lettered instead.
                .process(outcomes::toCreatedRecord).id("build-created-record")
                .to("kafka:{{bridge.topic.created}}").id("send-created")
                .process(outcomes::logCreated).id("log-created");

        from(DEAD_LETTER)
                .routeId("dead-letter")
                .description("Publish the original record to the dead-letter topic with headers that say why")
                // Errors here must reach the Kafka consumer (offset not committed), never loop back into this route.
                .errorHandler(noErrorHandler())
                // Sized against the producer's limit: what does not fit is left out, and named in a header.
                .process(outcomes::toDeadLetterRecord).id("build-dead-letter-record")
                .doTry()
                    .to("kafka:{{bridge.topic.dead-letter}}").id("send-dead-letter")
                .doCatch(RecordTooLargeException.class, RecordBatchTooLargeException.class,
                        InvalidRecordException.class)
                    // The topic takes less than the producer (max.message.bytes): send what must be carried.
                    .process(outcomes::trimDeadLetter).id("trim-dead-letter")
                    .to("kafka:{{bridge.topic.dead-letter}}").id("send-trimmed-dead-letter")
                .end()
                .process(outcomes::logDeadLettered).id("log-dead-lettered");
    }
}
