package com.contactlistbridge.routes;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.contactlistbridge.Application;
import com.contactlistbridge.testsupport.RunningBridge;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routing contract without a broker or a network: the real YAML and Java routes and beans, with Kafka replaced by
 * mock endpoints and the HTTP call replaced by a scripted answer.
 */
class CreateContactListRouteTest extends CamelMainTestSupport {

    private static final String EVENTS = "direct:create-contact-list";
    private static final String CREATED = "mock:kafka:route.created";
    private static final String DEAD_LETTER = "mock:kafka:route.dlq";

    /** Answers for the next HTTP calls, as status codes; the last one repeats. */
    private final List<Integer> answers = new CopyOnWriteArrayList<>();
    private final List<Map<String, Object>> httpHeadersSeen = new CopyOnWriteArrayList<>();
    private final AtomicInteger httpCalls = new AtomicInteger();

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        configuration.withUseAdviceWith(true);
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        Properties overrides = new Properties();
        overrides.putAll(RunningBridge.baseSettings("127.0.0.1:1", "http://127.0.0.1:1", "route"));
        // No broker here: the processed-events store (a Kafka topic) has its own end-to-end tests.
        overrides.put("bridge.dedupe.enabled", "false");
        configuration.withUseOverridePropertiesWithPropertiesComponent(overrides);
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return Application.PROPERTIES_LOCATION;
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        Application.configure(configuration);
    }

    private void adviseAndStart(boolean deadLetterPublishFails) throws Exception {
        // The Kafka consumer routes are not part of this test: events go straight into the business flow.
        AdviceWith.adviceWith(context, "consume-requests", route -> route.replaceFromWith("direct:no-kafka"));
        AdviceWith.adviceWith(context, "consume-add-contacts", route -> route.replaceFromWith("direct:no-kafka-2"));
        AdviceWith.adviceWith(context, "kore-create-contact-list", route -> route.weaveByToUri("http*")
                .replace().process(this::answer));
        // Kafka replaced by mock endpoints named after the topic the route chose (the flow's, from its consumer).
        AdviceWith.adviceWith(context, "publish-outcome", route -> route.weaveById("send-outcome").replace()
                .toD("mock:kafka:${exchangeProperty.bridgeOutcomeTopic}"));
        AdviceWith.adviceWith(context, "dead-letter", route -> {
            if (deadLetterPublishFails) {
                route.weaveById("send-dead-letter").replace()
                        .throwException(new KafkaException("dead-letter topic unavailable"));
            } else {
                route.weaveById("send-dead-letter").replace()
                        .toD("mock:kafka:${exchangeProperty.bridgeDeadLetterTopic}");
            }
        });
        context.start();
    }

    private void answer(Exchange exchange) {
        httpCalls.incrementAndGet();
        httpHeadersSeen.add(Map.copyOf(exchange.getMessage().getHeaders()));
        int status = answers.size() > 1 ? answers.remove(0) : answers.get(0);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setBody(status == 200
                ? "{\"status\":\"success\",\"data\":{\"_id\":\"cl-route-1\",\"name\":\"Route list\","
                        + "\"status\":\"Ready\",\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}"
                : "{\"errors\":[{\"msg\":\"failure " + status + "\",\"code\":" + status + "}]}");
    }

    private Exchange sendEvent(String json, Map<String, Object> headers) {
        return template.send(EVENTS, exchange -> {
            exchange.getMessage().setBody(json.getBytes(StandardCharsets.UTF_8));
            exchange.getMessage().setHeaders(new java.util.HashMap<>(headers));
            exchange.getMessage().setHeader(KafkaConstants.TOPIC, "route.create");
            exchange.getMessage().setHeader(KafkaConstants.PARTITION, 0);
            exchange.getMessage().setHeader(KafkaConstants.OFFSET, 7L);
            // What the flow's consume-topic block sets on every event.
            exchange.setProperty("bridgeFlow", "create-contact-list");
            exchange.setProperty("bridgeOutcomeTopic", "route.created");
            exchange.setProperty("bridgeDeadLetterTopic", "route.dlq");
        });
    }

    @Test
    void validEventReachesCreatedTopicWithKeyAndOnlyKoreHeadersAreSent() throws Exception {
        answers.add(200);
        adviseAndStart(false);
        MockEndpoint created = getMockEndpoint(CREATED);
        created.expectedMessageCount(1);
        created.expectedHeaderReceived(KafkaConstants.KEY, "crm-key".getBytes(StandardCharsets.UTF_8));
        getMockEndpoint(DEAD_LETTER).expectedMessageCount(0);

        sendEvent("{\"eventId\":\"crm-r1\",\"name\":\"Route list\",\"description\":\"d\"}",
                Map.of(KafkaConstants.KEY, "crm-key".getBytes(StandardCharsets.UTF_8),
                        "x-crm-trace", "t-1", Exchange.HTTP_URI, "http://attacker.invalid"));

        MockEndpoint.assertIsSatisfied(context);
        String body = new String(created.getExchanges().get(0).getMessage().getBody(byte[].class),
                StandardCharsets.UTF_8);
        assertThat(body).contains("\"eventId\":\"crm-r1\"").contains("\"contactListId\":\"cl-route-1\"");
        assertThat(httpHeadersSeen.get(0)).containsKeys("auth", "iid", "accountId")
                .containsEntry(Exchange.HTTP_PATH,
                        "/campaign/api/v2/public/st-test-stream/campaign/contactList/createContactList")
                .doesNotContainKeys("x-crm-trace", Exchange.HTTP_URI, KafkaConstants.KEY);
        assertThat(created.getExchanges().get(0).getMessage().getHeaders()).doesNotContainKey("auth");
    }

    @Test
    void invalidEventIsDeadLetteredWithOriginalBytesAndNoCall() throws Exception {
        answers.add(200);
        adviseAndStart(false);
        MockEndpoint deadLetter = getMockEndpoint(DEAD_LETTER);
        deadLetter.expectedMessageCount(1);
        deadLetter.expectedHeaderReceived("bridge.error.reason", "INVALID_EVENT");
        deadLetter.expectedHeaderReceived("bridge.error.attempts", "0");
        deadLetter.expectedHeaderReceived("bridge.original.offset", "7");
        getMockEndpoint(CREATED).expectedMessageCount(0);

        String original = "{\"eventId\":\"crm-r2\",\"name\":\"\",\"description\":\"d\"}";
        Exchange result = sendEvent(original, Map.of());

        MockEndpoint.assertIsSatisfied(context);
        assertThat(result.getException()).isNull();
        assertThat(deadLetter.getExchanges().get(0).getMessage().getBody(byte[].class))
                .isEqualTo(original.getBytes(StandardCharsets.UTF_8));
        assertThat(deadLetter.getExchanges().get(0).getMessage().getHeader("bridge.error.message", String.class))
                .isEqualTo("name is empty; it must have 1 to 48 characters");
        assertThat(httpCalls).hasValue(0);
    }

    @Test
    void retriedCallIsRebuiltAndSignedAfresh() throws Exception {
        answers.addAll(List.of(503, 200));
        adviseAndStart(false);
        getMockEndpoint(CREATED).expectedMessageCount(1);

        sendEvent("{\"eventId\":\"crm-r3\",\"name\":\"Route list\",\"description\":\"d\"}", Map.of());

        MockEndpoint.assertIsSatisfied(context);
        assertThat(httpCalls).hasValue(2);
        assertThat(httpHeadersSeen.get(0).get("auth")).isNotEqualTo(httpHeadersSeen.get(1).get("auth"));
        assertThat(httpHeadersSeen.get(1)).doesNotContainKey(Exchange.HTTP_RESPONSE_CODE);
    }

    @Test
    void failedDeadLetterPublishFailsTheExchangeSoTheOffsetIsNotCommitted() throws Exception {
        answers.add(400);
        adviseAndStart(true);

        Exchange result = sendEvent("{\"eventId\":\"crm-r4\",\"name\":\"Route list\",\"description\":\"d\"}",
                Map.of());

        // An exception that reaches the Kafka consumer means: no commit, seek back, try the record again.
        assertThat(result.getException()).isNotNull().hasMessageContaining("dead-letter topic unavailable");
        getMockEndpoint(CREATED).expectedMessageCount(0);
        MockEndpoint.assertIsSatisfied(context);
    }
}
