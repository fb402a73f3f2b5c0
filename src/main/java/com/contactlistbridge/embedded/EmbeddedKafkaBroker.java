package com.contactlistbridge.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft mode, combined broker and controller) running inside this JVM on
 * loopback ports, for the demo mode and the tests.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /*
     * Operational notes:
     * - Kafka's server classes log a lot (INFO on every segment, partition and coordinator change, DEBUG floods).
     *   This class does not touch the logging set-up: whoever embeds it should keep the "kafka",
     *   "org.apache.kafka" and "state.change.logger" loggers at WARN in its logback configuration.
     * - Kafka's default fault handlers halt the JVM on fatal controller faults (a controller start-up failure
     *   included), exactly as for a standalone broker. That is global Kafka state (Exit.setHaltProcedure), so it
     *   is deliberately not overridden here; the ports are probed before each start to keep the likeliest cause,
     *   a taken port, an ordinary exception.
     * - Several instances may run in one JVM, each with its own ports and log directory.
     */

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    /** The broker's listener name (clients) and the KRaft controller's listener name. */
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** The optional extra listener with SASL and/or TLS (see {@link SecuredListener}). */
    private static final String SECURED_LISTENER = "SECURED";
    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";

    /** Upper bound for start-up (cold JVM class loading included) and for waits on topic creation. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /** Pause between two probes of a polling loop; each loop is bounded by its own deadline. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    /** A free port picked by the OS can be taken by someone else before Kafka binds it: retry a few times. */
    private static final int MAX_START_ATTEMPTS = 3;

    private enum State { RUNNING, STOPPED, CLOSED }

    /**
     * An extra client listener named {@code SECURED} next to the plain one, e.g. for testing clients against SASL and
     * TLS. The plain listener stays the inter-broker listener (and serves {@link #createTopics}), so the broker and
     * its own tooling need no credentials; clients given only {@link #securedBootstrapServers()} see only this one.
     *
     * @param securityProtocol SASL_PLAINTEXT, SASL_SSL or SSL
     * @param serverProperties broker settings for it, e.g. {@code sasl.enabled.mechanisms} or
     *                         {@code listener.name.secured.ssl.keystore.location}
     */
    public record SecuredListener(String securityProtocol, Map<String, String> serverProperties) {
        public SecuredListener {
            Objects.requireNonNull(securityProtocol, "securityProtocol");
            serverProperties = Map.copyOf(serverProperties);
        }
    }

    private final boolean autoCreateTopics;
    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private final SecuredListener securedListener;
    private final int securedPort;
    private final KafkaConfig config;

    private KafkaRaftServer server;
    private State state;

    private EmbeddedKafkaBroker(boolean autoCreateTopics, Path logDir, int brokerPort, int controllerPort,
                                SecuredListener securedListener, int securedPort) {
        this.autoCreateTopics = autoCreateTopics;
        this.logDir = Objects.requireNonNull(logDir, "logDir");
        if (brokerPort <= 0 || controllerPort <= 0 || brokerPort == controllerPort) {
            throw new IllegalArgumentException(
                    "Need two distinct positive ports, got broker " + brokerPort + " and controller " + controllerPort);
        }
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.securedListener = securedListener;
        this.securedPort = securedPort;
        // The constructor rather than KafkaConfig.fromProps: resolving that static method makes javac load the
        // superclass from kafka-server, which the pom only has on the runtime classpath. Invalid settings fail here.
        this.config = new KafkaConfig(serverProperties(), true);
        this.state = State.STOPPED;
    }

    /**
     * Starts a broker that does not auto-create topics and waits until it serves requests.
     *
     * @return the running broker; close it when done
     * @throws IllegalStateException if the broker did not come up within the start timeout
     */
    public static EmbeddedKafkaBroker start() {
        return start(false);
    }

    /**
     * Starts a broker and waits until it serves requests.
     *
     * @param autoCreateTopics value of {@code auto.create.topics.enable}: whether producing to (or fetching metadata
     *                         of) an unknown topic creates it
     * @return the running broker; close it when done
     * @throws IllegalStateException if the broker did not come up within the start timeout
     */
    public static EmbeddedKafkaBroker start(boolean autoCreateTopics) {
        return start(autoCreateTopics, null);
    }

    /**
     * Starts a broker with an extra secured listener (see {@link SecuredListener}) and waits until it serves requests.
     *
     * @param securedListener the extra listener, or null for none
     * @throws IllegalStateException if the broker did not come up within the start timeout
     */
    public static EmbeddedKafkaBroker start(boolean autoCreateTopics, SecuredListener securedListener) {
        RuntimeException lastFailure = null;
        for (int attempt = 1; attempt <= MAX_START_ATTEMPTS; attempt++) {
            Path dir = null;
            EmbeddedKafkaBroker broker = null;
            try {
                int[] ports = freeLoopbackPorts(securedListener == null ? 2 : 3);
                dir = Files.createTempDirectory("embedded-kafka-");
                broker = new EmbeddedKafkaBroker(autoCreateTopics, dir, ports[0], ports[1], securedListener,
                        securedListener == null ? -1 : ports[2]);
                broker.format();
                broker.startServer();
                return broker;
            } catch (IOException e) {
                lastFailure = new UncheckedIOException("Cannot prepare the embedded Kafka broker", e);
            } catch (RuntimeException e) {
                lastFailure = e;
            }
            // Never leave a half-started server or its temp dir behind.
            if (broker != null) {
                broker.close();
            } else if (dir != null) {
                deleteRecursively(dir);
            }
            if (!causedByBindFailure(lastFailure)) {
                break;
            }
            LOG.warn("Embedded Kafka broker could not bind its port (attempt {} of {}), retrying with new ports",
                    attempt, MAX_START_ATTEMPTS);
        }
        throw lastFailure;
    }

    /** Returns the client bootstrap address, {@code 127.0.0.1:PORT}; it stays the same across stop and restart. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /**
     * Returns the address of the secured listener, {@code 127.0.0.1:PORT}.
     *
     * @throws IllegalStateException if the broker was started without one
     */
    public String securedBootstrapServers() {
        if (securedListener == null) {
            throw new IllegalStateException("This embedded Kafka broker has no secured listener");
        }
        return HOST + ":" + securedPort;
    }

    /** Returns the directory holding the broker's data and metadata logs; it is deleted by {@link #close()}. */
    public Path logDir() {
        return logDir;
    }

    /** Returns whether {@code auto.create.topics.enable} is on for this broker. */
    public boolean autoCreateTopics() {
        return autoCreateTopics;
    }

    /** Returns whether the broker is currently up (started and neither stopped nor closed). */
    public synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    /**
     * Creates topics with replication factor 1 and waits until every partition has a leader. Topics that already
     * exist are left as they are (whatever their partition count), so calling this twice is harmless.
     *
     * @param partitions number of partitions of each new topic, at least 1
     * @param names      topic names, at least one
     */
    public void createTopics(int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        Objects.requireNonNull(names, "names");
        if (names.length == 0) {
            throw new IllegalArgumentException("At least one topic name is required");
        }
        List<NewTopic> newTopics = new ArrayList<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("Topic names must not be null or blank: " + Arrays.toString(names));
            }
            newTopics.add(new NewTopic(name, partitions, (short) 1));
        }
        requireRunning("create topics");

        try (Admin admin = newAdmin()) {
            for (Map.Entry<String, ? extends Future<Void>> created : admin.createTopics(newTopics).values().entrySet()) {
                try {
                    created.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    // Idempotent by design: an existing topic is what the caller wants.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + created.getKey(), e.getCause());
                    }
                }
            }
            // The controller has committed the topics; the broker applies that metadata asynchronously. Wait
            // until the broker itself reports a leader for every partition so that callers can produce at once.
            List<String> topicNames = List.of(names);
            pollUntil("topics " + topicNames + " to have a leader on every partition", ADMIN_TIMEOUT,
                    () -> allPartitionsLed(admin, topicNames));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics " + Arrays.toString(names), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Creating topics " + Arrays.toString(names) + " timed out after "
                    + ADMIN_TIMEOUT, e);
        }
    }

    /**
     * Shuts the broker down and keeps its data, so that {@link #restart()} can bring it back. Does nothing if the
     * broker is already stopped.
     *
     * @throws IllegalStateException if the broker is closed
     */
    public synchronized void stop() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("Embedded Kafka broker is closed");
        }
        shutdownServer();
    }

    /**
     * Starts the broker again on the same ports with the same data (stopping it first if it is running) and waits
     * until it serves requests. Committed records, topics and consumer group offsets survive.
     *
     * @throws IllegalStateException if the broker is closed or did not come up within the start timeout
     */
    public synchronized void restart() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("Embedded Kafka broker is closed");
        }
        shutdownServer();
        startServer();
    }

    /** Shuts the broker down and deletes its log directory. Calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        try {
            shutdownServer();
        } finally {
            state = State.CLOSED;
            deleteRecursively(logDir);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + ", " + stateName() + ", " + logDir + "]";
    }

    // ------------------------------------------------------------------------------------------------------------

    private Properties serverProperties() {
        Properties props = new Properties();
        props.put("node.id", String.valueOf(NODE_ID));
        props.put("process.roles", "broker,controller");
        props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        String listeners = BROKER_LISTENER + "://" + HOST + ":" + brokerPort;
        String protocols = BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT";
        if (securedListener != null) {
            listeners += "," + SECURED_LISTENER + "://" + HOST + ":" + securedPort;
            protocols += "," + SECURED_LISTENER + ":" + securedListener.securityProtocol();
        }
        props.put("listeners", listeners + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", listeners);
        props.put("listener.security.protocol.map", protocols);
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        props.put("auto.create.topics.enable", String.valueOf(autoCreateTopics));

        // One node: every replication factor and ISR minimum must be 1 or internal topics cannot be created.
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        // Few internal partitions: the broker creates and loads them on first use, so fewer means faster.
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("num.partitions", "1");
        // A consumer group's first rebalance would otherwise wait 3 s for more members.
        props.put("group.initial.rebalance.delay.ms", "0");

        // Keep the footprint small: the log cleaner would allocate a 128 MB dedupe buffer up front.
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        if (securedListener != null) {
            props.putAll(securedListener.serverProperties());
        }
        return props;
    }

    /** The in-code equivalent of {@code kafka-storage format}: writes meta.properties and the bootstrap metadata. */
    private void format() {
        ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
        String dir = logDir.toAbsolutePath().toString();
        try (PrintStream out = new PrintStream(formatterOutput, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(out)
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(dir)
                    .addDirectory(dir)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format the embedded Kafka log directory " + dir, e);
        }
        LOG.debug("Kafka storage formatter: {}", formatterOutput.toString(StandardCharsets.UTF_8).trim());
    }

    /**
     * Starts a new server instance on the existing (formatted) log directory and waits until it serves requests.
     * A {@link KafkaRaftServer} cannot be started twice, hence a fresh instance per start.
     */
    private synchronized void startServer() {
        if (state == State.RUNNING) {
            return;
        }
        // Kafka halts the whole JVM (fatal fault handler) when the controller cannot bind its port, whereas a
        // broker bind failure is just an exception. A port can be taken between picking it and a (re)start, so
        // probe both first and fail with an ordinary exception; the window left is a few milliseconds.
        requirePortFree(controllerPort, CONTROLLER_LISTENER);
        requirePortFree(brokerPort, BROKER_LISTENER);
        if (securedListener != null) {
            requirePortFree(securedPort, SECURED_LISTENER);
        }

        long startNanos = System.nanoTime();
        KafkaRaftServer newServer = new KafkaRaftServer(config, Time.SYSTEM);
        server = newServer;
        state = State.RUNNING;

        // KafkaRaftServer.startup() blocks until the broker is unfenced but has no timeout of its own: run it on a
        // helper thread so that a broker that never becomes ready fails the caller instead of hanging it.
        ExecutorService starter = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "embedded-kafka-startup");
            thread.setDaemon(true);
            return thread;
        });
        try {
            starter.submit(newServer::startup).get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long remainingMillis = START_TIMEOUT.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            awaitClusterReady(Duration.ofMillis(Math.max(remainingMillis, 1000)));
        } catch (ExecutionException e) {
            shutdownServer();
            throw new IllegalStateException("Embedded Kafka broker failed to start on " + bootstrapServers(),
                    e.getCause());
        } catch (TimeoutException e) {
            shutdownServer();
            throw new IllegalStateException("Embedded Kafka broker did not start within " + START_TIMEOUT
                    + " on " + bootstrapServers(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdownServer();
            throw new IllegalStateException("Interrupted while starting the embedded Kafka broker", e);
        } catch (RuntimeException e) {
            shutdownServer();
            throw e;
        } finally {
            starter.shutdownNow();
        }
        LOG.info("Embedded Kafka broker ready at {} in {} ms (log dir {})", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), logDir);
    }

    /** Confirms from the client side that the broker answers metadata requests and lists itself. */
    private void awaitClusterReady(Duration timeout) {
        AtomicReference<Throwable> lastError = new AtomicReference<>();
        try (Admin admin = newAdmin()) {
            pollUntil("the embedded Kafka broker at " + bootstrapServers() + " to answer describeCluster", timeout,
                    () -> {
                        try {
                            // The admin client retries internally up to timeoutMs, so one probe covers many tries.
                            Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions()
                                            .timeoutMs((int) Math.min(timeout.toMillis(), 5000)))
                                    .nodes().get();
                            return !nodes.isEmpty();
                        } catch (ExecutionException e) {
                            lastError.set(e.getCause());
                            return false;
                        }
                    });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the embedded Kafka broker", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e.getMessage()
                    + (lastError.get() == null ? "" : "; last error: " + lastError.get()), e);
        }
    }

    private synchronized void shutdownServer() {
        KafkaRaftServer running = server;
        server = null;
        if (state == State.RUNNING) {
            state = State.STOPPED;
        }
        if (running == null) {
            return;
        }
        long startNanos = System.nanoTime();
        try {
            running.shutdown();
            running.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Embedded Kafka broker at {} did not shut down cleanly", bootstrapServers(), e);
        }
        LOG.info("Embedded Kafka broker at {} stopped in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    private void requireRunning(String action) {
        if (!isRunning()) {
            throw new IllegalStateException("Cannot " + action + ": embedded Kafka broker is " + stateName());
        }
    }

    private synchronized String stateName() {
        return state.name().toLowerCase(Locale.ROOT);
    }

    private Admin newAdmin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        // Retry quickly while the broker is coming up; the defaults back off up to 1 s.
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        props.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 200);
        return Admin.create(props);
    }

    private static boolean allPartitionsLed(Admin admin, List<String> topics) throws InterruptedException {
        try {
            Map<String, TopicDescription> descriptions = admin
                    .describeTopics(topics, new DescribeTopicsOptions().timeoutMs(5000))
                    .allTopicNames().get();
            return descriptions.values().stream()
                    .flatMap(description -> description.partitions().stream())
                    .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
        } catch (ExecutionException e) {
            // Typically UnknownTopicOrPartitionException until the broker has applied the new metadata.
            return false;
        }
    }

    /** Polling functional interface that may be interrupted. */
    @FunctionalInterface
    private interface Probe {
        boolean test() throws InterruptedException;
    }

    /**
     * Evaluates {@code probe} until it returns true or {@code timeout} has passed. Between two probes it parks for
     * {@link #POLL_INTERVAL} so that a fast-failing probe does not spin; this is back-off, not a fixed wait.
     */
    private static void pollUntil(String what, Duration timeout, Probe probe)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (probe.test()) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new TimeoutException("Timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(POLL_INTERVAL.toNanos());
            if (Thread.interrupted()) {
                throw new InterruptedException("Interrupted while waiting for " + what);
            }
        }
    }

    /** Reserves {@code count} distinct free loopback ports; sockets stay open until all are chosen. */
    private static int[] freeLoopbackPorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                socket.setReuseAddress(true);
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /** Throws an exception caused by a {@link BindException} if {@code port} cannot be listened on right now. */
    private static void requirePortFree(int port, String listener) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(HOST, port), 1);
        } catch (IOException e) {
            throw new IllegalStateException("Port " + port + " of the embedded Kafka " + listener
                    + " listener is in use by someone else", e);
        }
    }

    private static boolean causedByBindFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            // Children before parents.
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not delete embedded Kafka log directory {}", dir, e);
        }
    }
}
