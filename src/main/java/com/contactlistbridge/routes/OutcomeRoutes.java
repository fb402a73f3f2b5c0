package com.contactlistbridge.routes;

import org.apache.camel.builder.RouteBuilder;

/**
 * Publishes the outcome records. Each publish waits for Kafka's acknowledgement (acks=all), so by the time the
 * exchange completes and its offset may be committed, the outcome is safely stored.
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
                .process(outcomes::toCreatedRecord).id("build-created-record")
                // Remembered before it is published: a crash after this point cannot create a second list.
                .process(outcomes::rememberCreated).id("remember-created")
                .to("kafka:{{bridge.topic.created}}").id("send-created")
                .process(outcomes::logCreated).id("log-created");

        from(DEAD_LETTER)
                .routeId("dead-letter")
                .description("Publish the original record to the dead-letter topic with headers that say why")
                // Errors here must reach the Kafka consumer (offset not committed), never loop back into this route.
                .errorHandler(noErrorHandler())
                .process(outcomes::toDeadLetterRecord).id("build-dead-letter-record")
                .to("kafka:{{bridge.topic.dead-letter}}").id("send-dead-letter")
                .process(outcomes::logDeadLettered).id("log-dead-lettered");
    }
}
