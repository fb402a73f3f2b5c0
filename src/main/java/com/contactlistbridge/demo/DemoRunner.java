package com.contactlistbridge.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.contactlistbridge.Application;
import com.contactlistbridge.embedded.EmbeddedKafkaBroker;
import com.contactlistbridge.routes.OutcomeRecords;
import com.contactlistbridge.sandbox.DemoCredentials;
import com.contactlistbridge.sandbox.KoreSandbox;
import com.contactlistbridge.sandbox.SandboxSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.LoggerFactory;

/**
 * The one-command demo: a real in-process Kafka broker, the Kore.ai SANDBOX and the production bridge on one
 * machine; publishes the sample events from examples/events and prints every outcome as it arrives.
 */
public final class DemoRunner {

    public static final Path EXAMPLES = Path.of("examples", "events");
    /** Sample events of the add-contacts flow, published once the lists exist. */
    public static final Path ADD_CONTACTS_EXAMPLES = Path.of("examples", "add-contacts");
    private static final String REQUESTS = "contact-list.create";
    private static final String CREATED = "contact-list.created";
    private static final String DEAD_LETTER = "contact-list.create.dlq";
    private static final String ADD_CONTACTS = "contact-list.add-contacts";
    private static final String CONTACTS_DONE = "contact-list.add-contacts.done";
    private static final String ADD_CONTACTS_DEAD_LETTER = "contact-list.add-contacts.dlq";
    private static final Duration OUTCOME_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Loggers the demo quiets unless --verbose, with the level it sets: the framework's start-up summary and the
     * broker's chatter at WARN or ERROR, and the bridge's own outcome lines, which the demo prints itself.
     */
    private static final Map<String, Level> QUIET_LEVELS = Map.of(
            org.slf4j.Logger.ROOT_LOGGER_NAME, Level.WARN,
            "com.contactlistbridge", Level.WARN,
            "contact-list-bridge", Level.ERROR,
            "kafka", Level.ERROR,
            "org.apache.kafka", Level.ERROR,
            // Set to INFO in logback.xml (partition assignments), so not covered by org.apache.kafka above.
            "org.apache.kafka.clients.consumer.internals.ConsumerRebalanceListenerInvoker", Level.ERROR,
            "state.change.logger", Level.ERROR);

    private final PrintStream out;
    private final boolean keepRunning;
    private final boolean verbose;
    private final ObjectMapper json = new ObjectMapper();
    /** Lets a Ctrl+C hook wait until the broker's temp dir is deleted and the bridge stopped. */
    private final CountDownLatch finished = new CountDownLatch(1);

    public DemoRunner(PrintStream out, boolean keepRunning) {
        this(out, keepRunning, false);
    }

    /** @param verbose keep the framework's logs (Camel's start-up summary, Kafka, the bridge's own lines) */
    public DemoRunner(PrintStream out, boolean keepRunning, boolean verbose) {
        this.out = out;
        this.keepRunning = keepRunning;
        this.verbose = verbose;
    }

    /** Runs the demo; returns the process exit code (0 when every sample event got its outcome). */
    public int run() throws Exception {
        Map<String, Level> previous = verbose ? Map.of() : quietLogging();
        try {
            return runDemo();
        } finally {
            restoreLogging(previous);
            finished.countDown();
        }
    }

    /** Sets the quiet levels and returns the levels they replace (null = inherited), to restore them afterwards. */
    private static Map<String, Level> quietLogging() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext logging)) {
            return Map.of();
        }
        Map<String, Level> previous = new HashMap<>();
        QUIET_LEVELS.forEach((name, level) -> {
            Logger logger = logging.getLogger(name);
            previous.put(name, logger.getLevel());
            logger.setLevel(level);
        });
        return previous;
    }

    private static void restoreLogging(Map<String, Level> previous) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) {
            previous.forEach((name, level) -> logging.getLogger(name).setLevel(level));
        }
    }

    private int runDemo() throws Exception {
        List<Path> samples = samples(EXAMPLES);
        List<Path> contactSamples = samples(ADD_CONTACTS_EXAMPLES);
        long started = System.nanoTime();
        say("starting an in-process Kafka broker (KRaft, single node, data in a temp dir)...");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(false);
             KoreSandbox sandbox = new KoreSandbox(SandboxSettings.demo(0, SandboxSettings.DEFAULT_REQUESTS_PER_MINUTE))
                     .start()) {
            broker.createTopics(3, REQUESTS, CREATED, DEAD_LETTER, ADD_CONTACTS, CONTACTS_DONE, ADD_CONTACTS_DEAD_LETTER);
            say("Kafka broker at " + broker.bootstrapServers() + "; Kore.ai SANDBOX (not Kore.ai) at "
                    + sandbox.baseUrl());
            int managementPort = freePort();
            Main bridge = Application.newMain();
            demoSettings(broker.bootstrapServers(), sandbox.baseUrl(), managementPort)
                    .forEach(bridge::addOverrideProperty);
            bridge.start();
            try {
                publish(broker.bootstrapServers(), REQUESTS, samples);
                int failures = printOutcomes(broker.bootstrapServers(), samples.size(), started, CREATED, DEAD_LETTER);
                // Second flow: contacts for the lists just created (routes/add-contacts.camel.yaml).
                publish(broker.bootstrapServers(), ADD_CONTACTS, contactSamples);
                failures += printOutcomes(broker.bootstrapServers(), contactSamples.size(), started, CONTACTS_DONE,
                        ADD_CONTACTS_DEAD_LETTER);
                if (keepRunning) {
                    say("health: http://127.0.0.1:" + managementPort + "/observe/health, metrics: http://127.0.0.1:"
                            + managementPort + "/observe/metrics");
                    waitForCtrlC(broker.bootstrapServers());
                } else {
                    printWhatToTryNext();
                }
                return failures == 0 ? 0 : 1;
            } finally {
                bridge.stop();
                bridge.shutdown();
            }
        }
    }

    /** The bridge's settings in demo mode: the embedded broker, the sandbox, and the sandbox's demo credentials. */
    static Map<String, String> demoSettings(String brokers, String sandboxUrl, int managementPort) {
        Map<String, String> settings = new TreeMap<>();
        settings.put("kafka.brokers", brokers);
        settings.put("kore.base-url", sandboxUrl);
        // The sandbox answers plain http on loopback; nothing leaves the machine.
        settings.put("kore.allow-plain-http", "true");
        settings.put("kore.stream-id", DemoCredentials.STREAM_ID);
        settings.put("kore.account-id", DemoCredentials.ACCOUNT_ID);
        settings.put("kore.iid", DemoCredentials.IID);
        settings.put("kore.client-id", DemoCredentials.CLIENT_ID);
        settings.put("kore.client-secret", DemoCredentials.CLIENT_SECRET);
        settings.put("bridge.topic.requests", REQUESTS);
        settings.put("bridge.topic.created", CREATED);
        settings.put("bridge.topic.dead-letter", DEAD_LETTER);
        settings.put("bridge.add-contacts.topic.requests", ADD_CONTACTS);
        settings.put("bridge.add-contacts.topic.done", CONTACTS_DONE);
        settings.put("bridge.add-contacts.topic.dead-letter", ADD_CONTACTS_DEAD_LETTER);
        settings.put("camel.component.kafka.poll-timeout-ms", "500");
        settings.put("camel.management.port", String.valueOf(managementPort));
        settings.put("management.host", "127.0.0.1");
        return settings;
    }

    /** The demo never assumes port 8080 is free: the management server takes any free port. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static List<Path> samples(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException("sample events not found at " + folder.toAbsolutePath()
                    + ": run the demo from the project directory");
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private void publish(String brokers, String topic, List<Path> samples) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (Path sample : samples) {
                byte[] key = keyOf(sample).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, key, Files.readAllBytes(sample))).get();
            }
        }
        say("published " + samples.size() + " sample events from "
                + (samples.isEmpty() ? "" : samples.get(0).getParent()) + " to " + topic);
    }

    /** The record key of a sample: its file name without extension. */
    static String keyOf(Path sample) {
        String name = sample.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private int printOutcomes(String brokers, int expected, long started, String outcomeTopic, String deadLetterTopic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        int created = 0;
        Map<String, Integer> deadLettered = new TreeMap<>();
        long deadline = System.nanoTime() + OUTCOME_TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(outcomeTopic, deadLetterTopic)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (created + total(deadLettered) < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(outcomeTopic)) {
                        created++;
                        printOutcome(record);
                    } else {
                        String reason = header(record, OutcomeRecords.REASON);
                        deadLettered.merge(reason, 1, Integer::sum);
                        say("DEAD-LETTER " + header(record, OutcomeRecords.EVENT_ID) + " -> " + reason + ": "
                                + header(record, OutcomeRecords.MESSAGE));
                    }
                }
            }
        }
        int missing = expected - created - total(deadLettered);
        say(String.format("summary: %d events, %d %s, %d dead-lettered %s, %d without outcome, %.1f s",
                expected, created, outcomeTopic.equals(CREATED) ? "created" : "done", total(deadLettered), deadLettered, missing,
                (System.nanoTime() - started) / 1e9));
        return missing;
    }

    private void printOutcome(ConsumerRecord<byte[], byte[]> record) {
        try {
            JsonNode value = json.readTree(record.value());
            if (value.has("contactListId")) {
                say("CREATED     " + value.path("eventId").asText() + " -> " + value.path("contactListId").asText()
                        + " (\"" + value.path("name").asText() + "\")");
            } else {
                say("CONTACTS    " + value.path("eventId").asText() + " -> " + value.path("contacts").asInt()
                        + " contact(s) " + value.path("status").asText() + " for \"" + value.path("listName").asText()
                        + "\"");
            }
        } catch (IOException e) {
            say("CREATED     (unreadable created record: " + e.getMessage() + ")");
        }
    }

    private void printWhatToTryNext() {
        say("try next:");
        say("  java -jar target/contact-list-bridge.jar demo --keep-running    keeps broker, sandbox and bridge up "
                + "for your own events (Ctrl+C stops it)");
        say("  topics: " + REQUESTS + " in; " + CREATED + " and " + DEAD_LETTER + " out (sample events: "
                + EXAMPLES + ")");
        say("          " + ADD_CONTACTS + " in; " + CONTACTS_DONE + " and " + ADD_CONTACTS_DEAD_LETTER
                + " out (sample events: " + ADD_CONTACTS_EXAMPLES + ")");
        say("  while it runs: health /observe/health and Prometheus metrics /observe/metrics on the port it prints");
        say("  --verbose shows Camel's and Kafka's logs; README \"Run it against Kore.ai\" for the real API");
    }

    private void waitForCtrlC(String brokers) throws InterruptedException {
        say("keep-running: Kafka at " + brokers + "; produce events to " + REQUESTS + " (outcomes: " + CREATED
                + ", " + DEAD_LETTER + ") or " + ADD_CONTACTS + " (outcomes: " + CONTACTS_DONE + ", "
                + ADD_CONTACTS_DEAD_LETTER + "). Press Ctrl+C to stop.");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                finished.await(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-stop"));
        stop.await();
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private void say(String line) {
        out.println("[demo] " + line);
        out.flush();
    }
}
