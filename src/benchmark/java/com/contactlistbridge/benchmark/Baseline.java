package com.contactlistbridge.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import com.contactlistbridge.benchmark.ContenderProcess.Config;
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
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The yardstick: the bridge's contract hand-written with a plain KafkaConsumer, java.net.http.HttpClient and a
 * KafkaProducer. Each polled batch is worked off by {@code inFlight} threads; offsets are committed after every
 * record of the batch has an acknowledged outcome. The harness runs it as its own JVM ({@link #main}); SIGTERM
 * stops it.
 */
final class Baseline implements AutoCloseable {

    // Same identity as the bridge under test (RunningBridge.baseSettings).
    private static final String STREAM_ID = "st-test-stream";
    private static final String ACCOUNT_ID = "acc-test";
    private static final String IID = "st-test-app";
    private static final String CLIENT_ID = "cs-test-client";
    private static final String SUBJECT = "contact-list-bridge";
    private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(300);
    // Production retry defaults of the bridge (config/application.properties).
    private static final int MAX_ATTEMPTS = 5;
    private static final long INITIAL_DELAY_MS = 1000;
    private static final long MAX_DELAY_MS = 30_000;
    private static final long MAX_RETRY_AFTER_MS = 60_000;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    private static final String RATE_LIMIT_TEXT = "exceeded the per-minute rate limit";
    private static final Logger LOG = LoggerFactory.getLogger(Baseline.class);

    private final Config config;
    private final ObjectMapper mapper = new ObjectMapper();
    private final URI createUri;
    private final MACSigner signer;
    private final EvenLimiter limiter;

    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private HttpClient http;
    private ExecutorService workers;
    private Thread pollThread;
    private volatile boolean running;
    private volatile Throwable failure;

    Baseline(Config config) throws JOSEException {
        this.config = config;
        this.createUri = URI.create(config.koreBaseUrl() + "/campaign/api/v2/public/" + STREAM_ID
                + "/campaign/contactList/createContactList?accountId="
                + URLEncoder.encode(ACCOUNT_ID, StandardCharsets.UTF_8));
        this.signer = new MACSigner(RunningBridge.TEST_SECRET.getBytes(StandardCharsets.UTF_8));
        this.limiter = config.requestsPerMinute() > 0 ? new EvenLimiter(config.requestsPerMinute()) : null;
    }

    /**
     * Runs the baseline until SIGTERM. Arguments, as {@link #arguments} writes them: {@code --brokers B
     * --kore-base-url URL --topic-prefix P --in-flight N --requests-per-minute R [--max-poll-records N]}.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            values.put(args[i], args[i + 1]);
        }
        String maxPoll = values.get("--max-poll-records");
        Config config = new Config(required(values, "--brokers"), required(values, "--kore-base-url"),
                Topics.forPrefix(required(values, "--topic-prefix")),
                Integer.parseInt(required(values, "--in-flight")), maxPoll == null ? null : Integer.valueOf(maxPoll),
                Integer.parseInt(required(values, "--requests-per-minute")));
        Baseline baseline = new Baseline(config);
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            try {
                baseline.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "baseline-stop"));
        baseline.start();
        LOG.info("Started: {} workers, max.poll.records {}, requests {}", config.inFlight(),
                maxPoll == null ? "Kafka's default" : maxPoll, config.topics().requests());
        baseline.pollThread.join();
        if (baseline.failure != null && !stopping.get()) {
            LOG.error("The poll loop failed", baseline.failure);
            System.exit(1);
        }
    }

    /** The arguments of {@link #main} for this configuration. */
    static List<String> arguments(Config config) {
        List<String> args = new ArrayList<>(List.of("--brokers", config.brokers(),
                "--kore-base-url", config.koreBaseUrl(),
                "--topic-prefix", config.topics().prefix(),
                "--in-flight", String.valueOf(config.inFlight()),
                "--requests-per-minute", String.valueOf(config.requestsPerMinute())));
        if (config.maxPollRecords() != null) {
            args.add("--max-poll-records");
            args.add(String.valueOf(config.maxPollRecords()));
        }
        return args;
    }

    private static String required(Map<String, String> values, String option) {
        String value = values.get(option);
        if (value == null) {
            throw new IllegalArgumentException("Baseline needs " + option);
        }
        return value;
    }

    void start() {
        Topics topics = config.topics();
        consumer = new KafkaConsumer<>(Clients.baselineConsumer(config.brokers(), topics.group(),
                config.maxPollRecords()));
        producer = new KafkaProducer<>(Clients.producer(config.brokers()));
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        workers = Executors.newFixedThreadPool(config.inFlight(), LatencyStub.daemonThreads("baseline-worker"));
        running = true;
        consumer.subscribe(List.of(topics.requests()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // Nothing in flight between polls: a batch is committed before the next poll.
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                // The harness reads this line for "launch -> partitions assigned" (the bridge's Kafka client logs
                // its own at INFO, which the shipped logback.xml hides).
                if (!partitions.isEmpty()) {
                    LOG.info("Partitions assigned: {}", partitions);
                }
            }
        });
        pollThread = new Thread(this::pollLoop, "baseline-poll");
        pollThread.setDaemon(true);
        pollThread.start();
    }

    @Override
    public void close() throws Exception {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (pollThread != null) {
            pollThread.join(30_000);
        }
        if (workers != null) {
            workers.shutdownNow();
            workers.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (failure != null) {
            throw new IllegalStateException("baseline poll loop failed", failure);
        }
    }

    // ---------------------------------------------------------------- consumer side

    private void pollLoop() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(records.count());
                List<Future<?>> outcomes = new ArrayList<>(records.count());
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    batch.add(record);
                    outcomes.add(workers.submit(() -> {
                        process(record);
                        return null;
                    }));
                }
                commitCompleted(batch, outcomes);
            }
        } catch (WakeupException stopping) {
            // close() woke the poll up.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(Duration.ofSeconds(10));
        }
    }

    /**
     * Waits for every outcome of the batch, then commits each partition up to its first record without an
     * acknowledged outcome (all of it when none failed) and seeks back there, so a failed record is consumed again.
     */
    private void commitCompleted(List<ConsumerRecord<byte[], byte[]>> batch, List<Future<?>> outcomes)
            throws InterruptedException {
        Map<TopicPartition, Long> next = new HashMap<>();
        Map<TopicPartition, Long> firstFailed = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = batch.get(i);
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            try {
                outcomes.get(i).get();
                next.merge(partition, record.offset() + 1, Math::max);
            } catch (ExecutionException e) {
                firstFailed.merge(partition, record.offset(), Math::min);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        next.forEach((partition, offset) -> commit.put(partition, new OffsetAndMetadata(offset)));
        firstFailed.forEach((partition, offset) -> {
            commit.put(partition, new OffsetAndMetadata(offset));
            consumer.seek(partition, offset);
        });
        if (!commit.isEmpty()) {
            consumer.commitSync(commit);
        }
    }

    // ---------------------------------------------------------------- one record

    /** Ends the record in exactly one acknowledged outcome; throws only if even the dead letter failed. */
    private void process(ConsumerRecord<byte[], byte[]> record) throws Exception {
        Request request;
        try {
            request = parse(record);
        } catch (InvalidEvent e) {
            deadLetter(record, fallbackEventId(record), "INVALID_EVENT", e.getMessage(), null, 0, null);
            return;
        }
        Answer answer = call(request);
        if (answer.contactListId == null) {
            deadLetter(record, request.eventId, answer.reason, answer.message, answer.status, answer.attempts, null);
            return;
        }
        ObjectNode created = mapper.createObjectNode();
        created.put("eventId", request.eventId);
        created.put("contactListId", answer.contactListId);
        created.put("name", answer.name != null ? answer.name : request.name);
        created.put("status", answer.listStatus);
        created.put("createdAt", answer.createdAt != null ? answer.createdAt : Instant.now().toString());
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(config.topics().created(), null, record.key(),
                mapper.writeValueAsBytes(created));
        out.headers().add(OutcomeCollector.EVENT_ID_HEADER, request.eventId.getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(out).get();
        } catch (ExecutionException e) {
            deadLetter(record, request.eventId, "UNAVAILABLE", "created record not published: " + e.getCause(),
                    answer.status, answer.attempts, answer.contactListId);
        }
    }

    private record Request(String eventId, String name, String description, boolean allowDuplicates) {
    }

    private static final class InvalidEvent extends Exception {
        InvalidEvent(String message) {
            super(message);
        }
    }

    private Request parse(ConsumerRecord<byte[], byte[]> record) throws InvalidEvent {
        byte[] value = record.value();
        if (value == null || value.length == 0) {
            throw new InvalidEvent("record value is empty");
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value));
        } catch (CharacterCodingException e) {
            throw new InvalidEvent("record value is not valid UTF-8");
        }
        JsonNode json;
        try {
            json = mapper.readTree(value);
        } catch (IOException e) {
            throw new InvalidEvent("malformed JSON: " + e.getMessage());
        }
        if (json == null || !json.isObject()) {
            throw new InvalidEvent("the event must be a JSON object");
        }
        JsonNode id = json.get("eventId");
        String eventId = id != null && (id.isTextual() || id.isIntegralNumber()) && !id.asText().isBlank()
                ? id.asText() : fallbackEventId(record);
        String name = text(json, "name", 48);
        String description = text(json, "description", 256);
        JsonNode duplicates = json.get("allowDuplicates");
        if (duplicates != null && !duplicates.isNull() && !duplicates.isBoolean()) {
            throw new InvalidEvent("allowDuplicates must be a boolean");
        }
        return new Request(eventId, name, description, duplicates != null && duplicates.asBoolean(false));
    }

    private static String text(JsonNode json, String field, int maxLength) throws InvalidEvent {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidEvent(field + " is required");
        }
        if (!node.isTextual()) {
            throw new InvalidEvent(field + " must be a string");
        }
        String value = node.asText();
        // String.length() counts UTF-16 code units, as Kore.ai (JavaScript) does.
        if (value.isBlank() || value.length() > maxLength) {
            throw new InvalidEvent(field + " must have 1.." + maxLength + " characters, has " + value.length());
        }
        return value;
    }

    private static String fallbackEventId(ConsumerRecord<byte[], byte[]> record) {
        return record.key() != null && record.key().length > 0
                ? new String(record.key(), StandardCharsets.UTF_8)
                : record.topic() + "-" + record.partition() + "-" + record.offset();
    }

    // ---------------------------------------------------------------- Kore.ai call with the bridge's retry rules

    private static final class Answer {
        String contactListId;
        String name;
        String listStatus;
        String createdAt;
        String reason;
        String message;
        Integer status;
        int attempts;
    }

    private Answer call(Request request) throws IOException, InterruptedException {
        ObjectNode body = mapper.createObjectNode();
        body.put("name", request.name);
        body.put("description", request.description);
        body.put("source", "passiveApi");
        body.put("allowDuplicates", request.allowDuplicates);
        byte[] bytes = mapper.writeValueAsBytes(body);

        Answer answer = new Answer();
        boolean resignedAfter401 = false;
        while (true) {
            if (limiter != null) {
                limiter.acquire();
            }
            answer.attempts++;
            HttpRequest httpRequest = HttpRequest.newBuilder(createUri)
                    .timeout(RESPONSE_TIMEOUT)
                    .header("auth", sign())
                    .header("iid", IID)
                    .header("accountId", ACCOUNT_ID)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                    .build();
            long retryAfterMs = -1;
            boolean retryable;
            try {
                HttpResponse<byte[]> response = http.send(httpRequest, HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                answer.status = status;
                JsonNode json = readJson(response.body());
                if (status >= 200 && status < 300) {
                    JsonNode data = json == null ? null : json.path("data");
                    String id = data == null ? null : data.path("_id").asText(null);
                    if (id == null || id.isBlank()) {
                        return fail(answer, "REJECTED", "answered " + status + " without data._id");
                    }
                    answer.contactListId = id;
                    answer.name = data.path("name").asText(null);
                    answer.listStatus = data.path("status").asText(null);
                    answer.createdAt = data.path("createdAt").asText(null);
                    return answer;
                }
                String message = "Kore.ai answered " + status + ": " + errorText(json);
                if (status == 401 && !resignedAfter401) {
                    resignedAfter401 = true;
                    answer.attempts--; // the re-signed try does not count against the retry budget
                    continue;
                }
                if (status == 401 || status == 403) {
                    return fail(answer, "AUTH_FAILED", message);
                }
                retryable = status >= 500 || status == 408 || status == 429
                        || message.toLowerCase(Locale.ROOT).contains(RATE_LIMIT_TEXT);
                if (!retryable) {
                    return fail(answer, "REJECTED", message);
                }
                answer.message = message;
                retryAfterMs = retryAfterMillis(response.headers().firstValue("Retry-After").orElse(null));
            } catch (IOException e) {
                // Connect and read timeouts, refused connections: retryable, no status.
                answer.status = null;
                answer.message = "no answer: " + e;
            }
            if (answer.attempts >= MAX_ATTEMPTS || !running) {
                return fail(answer, "UNAVAILABLE", answer.message);
            }
            Thread.sleep(backoffMillis(answer.attempts, retryAfterMs));
        }
    }

    private static Answer fail(Answer answer, String reason, String message) {
        answer.reason = reason;
        answer.message = message;
        return answer;
    }

    private static long backoffMillis(int attempt, long retryAfterMs) {
        if (retryAfterMs >= 0) {
            return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
        }
        long delay = Math.min(MAX_DELAY_MS, INITIAL_DELAY_MS << Math.min(attempt - 1, 20));
        double jitter = 0.75 + ThreadLocalRandom.current().nextDouble() * 0.5;
        return Math.round(delay * jitter);
    }

    private static long retryAfterMillis(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Math.max(0, Long.parseLong(header.strip())) * 1000;
        } catch (NumberFormatException notSeconds) {
            return -1;
        }
    }

    private String sign() {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .claim("appId", CLIENT_ID)
                .subject(SUBJECT)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the JWT", e);
        }
        return jwt.serialize();
    }

    private JsonNode readJson(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return mapper.readTree(body);
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String errorText(JsonNode json) {
        if (json == null) {
            return "(no JSON body)";
        }
        List<String> messages = new ArrayList<>();
        for (JsonNode error : json.path("errors")) {
            messages.add(error.path("msg").asText(error.path("message").asText("")));
        }
        return messages.isEmpty() ? json.path("message").asText("") : String.join("; ", messages);
    }

    // ---------------------------------------------------------------- dead letter

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, String eventId, String reason, String message,
                            Integer status, int attempts, String contactListId) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            headers.add(header);
        }
        put(headers, "bridge.error.reason", reason);
        put(headers, "bridge.error.message", message == null ? "" : message);
        if (status != null) {
            put(headers, "bridge.error.http-status", status.toString());
        }
        put(headers, "bridge.error.attempts", Integer.toString(attempts));
        put(headers, "bridge.original.topic", record.topic());
        put(headers, "bridge.original.partition", Integer.toString(record.partition()));
        put(headers, "bridge.original.offset", Long.toString(record.offset()));
        put(headers, OutcomeCollector.EVENT_ID_HEADER, eventId);
        if (contactListId != null) {
            put(headers, "bridge.contact-list-id", contactListId);
        }
        producer.send(new ProducerRecord<>(config.topics().deadLetter(), null, record.key(), record.value(),
                headers)).get();
    }

    private static void put(RecordHeaders headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** One call every {@code 60000 / requestsPerMinute} ms across all workers, no bursts (as the bridge's budget). */
    static final class EvenLimiter {

        private final long intervalNanos;
        private long nextSlot = Long.MIN_VALUE;

        EvenLimiter(int requestsPerMinute) {
            long intervalMillis = (60_000L + requestsPerMinute - 1) / requestsPerMinute;
            this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        }

        void acquire() throws InterruptedException {
            long slot;
            synchronized (this) {
                long now = System.nanoTime();
                slot = nextSlot == Long.MIN_VALUE ? now : Math.max(now, nextSlot);
                nextSlot = slot + intervalNanos;
            }
            for (long wait = slot - System.nanoTime(); wait > 0; wait = slot - System.nanoTime()) {
                LockSupport.parkNanos(wait);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        }
    }
}
