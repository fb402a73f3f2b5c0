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
        from(PUBLISH_CREATED)
                .routeId("publish-created")
                .description("Publish the created contact list id to the created topic, keyed like the input")
                .errorHandler(noErrorHandler())
                .bean("outcomeRecords", "toCreatedRecord").id("build-created-record")
                // Remembered before it is published: a crash after this point cannot create a second list.
                .bean("outcomeRecords", "rememberCreated").id("remember-created")
                .to("kafka:{{bridge.topic.created}}").id("send-created")
                .bean("outcomeRecords", "logCreated").id("log-created");

        from(DEAD_LETTER)
                .routeId("dead-letter")
                .description("Publish the original record to the dead-letter topic with headers that say why")
                // Errors here must reach the Kafka consumer (offset not committed), never loop back into this route.
                .errorHandler(noErrorHandler())
                .bean("outcomeRecords", "toDeadLetterRecord").id("build-dead-letter-record")
                .to("kafka:{{bridge.topic.dead-letter}}").id("send-dead-letter")
                .bean("outcomeRecords", "logDeadLettered").id("log-dead-lettered");
    }
}
