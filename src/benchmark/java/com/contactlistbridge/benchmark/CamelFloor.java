package com.contactlistbridge.benchmark;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;

import com.contactlistbridge.testsupport.RunningBridge;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.impl.DefaultCamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cost of Camel itself: the least a Camel route needs for the bridge's happy path, as a yardstick between the
 * hand-written {@link Baseline} and the bridge. Kafka batches in (camel-kafka, batching, manual commit), each event on
 * a pool of {@code inFlight} threads (a split), a JWT signed per call, one POST with camel-http, the created record
 * written with camel-kafka (acknowledged), the batch committed after its outcomes. Nothing else: no validation beyond
 * reading three fields, no retries, no processed-events store, no dead letters (a failed event is only logged), no
 * metrics, no outcome log line. It is not a contract-complete contender: its figures bound from below what any Camel
 * route of this shape costs on the machine, with the same components the bridge uses.
 */
final class CamelFloor {

    private static final String STREAM_ID = "st-test-stream";
    private static final String ACCOUNT_ID = "acc-test";
    private static final String IID = "st-test-app";
    private static final String CLIENT_ID = "cs-test-client";
    private static final Logger LOG = LoggerFactory.getLogger(CamelFloor.class);

    private CamelFloor() {
    }

    /** Runs until SIGTERM; arguments as {@link Baseline#arguments}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            values.put(args[i], args[i + 1]);
        }
        Topics topics = Topics.forPrefix(values.get("--topic-prefix"));
        int inFlight = Integer.parseInt(values.get("--in-flight"));
        String maxPoll = values.getOrDefault("--max-poll-records", "500");
        String brokers = values.get("--brokers");
        String koreBaseUrl = values.get("--kore-base-url");
        MACSigner signer = new MACSigner(RunningBridge.TEST_SECRET.getBytes(StandardCharsets.UTF_8));
        ObjectMapper mapper = new ObjectMapper();

        DefaultCamelContext context = new DefaultCamelContext();
        ExecutorService workers = context.getExecutorServiceManager().newThreadPool(context, "floor-worker",
                inFlight, inFlight);
        context.getRegistry().bind("floorWorkers", workers);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("kafka:" + topics.requests() + "?brokers=" + brokers + "&groupId=" + topics.group()
                        + "&batching=true&allowManualCommit=true&autoCommitEnable=false&autoOffsetReset=earliest"
                        + "&maxPollRecords=" + maxPoll + "&pollTimeoutMs=100")
                        .split(body()).parallelProcessing().executorService("floorWorkers")
                            .process(exchange -> {
                                Exchange record = exchange.getMessage().getBody(Exchange.class);
                                byte[] value = record.getMessage().getBody(byte[].class);
                                JsonNode event = mapper.readTree(value);
                                ObjectNode request = mapper.createObjectNode();
                                request.put("name", event.path("name").asText());
                                request.put("description", event.path("description").asText());
                                request.put("source", "passiveApi");
                                request.put("allowDuplicates", event.path("allowDuplicates").asBoolean(false));
                                exchange.setProperty("eventId", event.path("eventId").asText());
                                exchange.setProperty("key", record.getMessage().getHeader(KafkaConstants.KEY));
                                exchange.getMessage().getHeaders().clear();
                                exchange.getMessage().setHeader("auth", sign(signer));
                                exchange.getMessage().setHeader("iid", IID);
                                exchange.getMessage().setHeader("accountId", ACCOUNT_ID);
                                exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                                exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
                                exchange.getMessage().setBody(mapper.writeValueAsBytes(request));
                            })
                            .to(koreBaseUrl + "/campaign/api/v2/public/" + STREAM_ID
                                    + "/campaign/contactList/createContactList?accountId=" + ACCOUNT_ID)
                            .process(exchange -> {
                                JsonNode data = mapper.readTree(exchange.getMessage().getBody(byte[].class))
                                        .path("data");
                                ObjectNode created = mapper.createObjectNode();
                                created.put("eventId", exchange.getProperty("eventId", String.class));
                                created.put("contactListId", data.path("_id").asText());
                                created.put("name", data.path("name").asText());
                                created.put("status", data.path("status").asText());
                                created.put("createdAt", Instant.now().toString());
                                exchange.getMessage().getHeaders().clear();
                                exchange.getMessage().setHeader(KafkaConstants.KEY, exchange.getProperty("key"));
                                exchange.getMessage().setHeader(OutcomeCollector.EVENT_ID_HEADER,
                                        exchange.getProperty("eventId", String.class)
                                                .getBytes(StandardCharsets.UTF_8));
                                exchange.getMessage().setBody(mapper.writeValueAsBytes(created));
                            })
                            .to("kafka:" + topics.created() + "?brokers=" + brokers
                                    + "&keySerializer=org.apache.kafka.common.serialization.ByteArraySerializer"
                                    + "&valueSerializer=org.apache.kafka.common.serialization.ByteArraySerializer")
                        .end()
                        .process(exchange -> exchange.getMessage()
                                .getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class).commit());
            }
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.stop();
            stopped.countDown();
        }, "floor-stop"));
        context.start();
        LOG.info("Started: {} workers, max.poll.records {}, requests {}", inFlight, maxPoll, topics.requests());
        stopped.await();
    }

    private static String sign(MACSigner signer) throws JOSEException {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .claim("appId", CLIENT_ID)
                .subject("contact-list-bridge")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }
}
