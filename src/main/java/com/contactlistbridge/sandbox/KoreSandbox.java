package com.contactlistbridge.sandbox;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A local HTTP sandbox that behaves like Kore.ai's Create Contact List API-v2 for demos and tests; it is NOT Kore.ai.
 *
 * <p>Endpoints (everything else answers 404):
 * <ul>
 *   <li>{@code POST /campaign/api/v2/public/{streamId}/campaign/contactList/createContactList?accountId=..}</li>
 *   <li>{@code GET|POST /campaign/api/v2/public/{streamId}/campaign/contactList/getAllListDetails?accountId=..&type=call}
 *       (the lists created so far, in creation order)</li>
 *   <li>{@code POST /api/1.1/public/{streamId}/campaign/contactList/addContacts?accountId=..} (contacts for a list
 *       created here, answered "Contacts queued for addition.")</li>
 * </ul>
 *
 * <p>Checks, in this order; every refusal uses Kore.ai's envelope {@code {"errors":[{"msg":"...","code":...}]}}:
 * <ol>
 *   <li>path: unknown path or another streamId 404; known path, other method 405 with {@code Allow};</li>
 *   <li>{@code auth} header (raw JWT): HS256 only, signed with the client secret's UTF-8 bytes, {@code appId} equal
 *       to the client id, {@code exp} in the future, {@code iat} present, {@code exp - iat <= 3600 s}, a {@code jti}
 *       never seen before: otherwise 401, code 4002 ("Invalid SDK credentials: reason");</li>
 *   <li>{@code iid} header: missing or another application is answered 401, code 4002, because it identifies the
 *       JWT app, so the bridge classifies it as a credentials problem; {@code accountId} header and query parameter
 *       missing or different: 400;</li>
 *   <li>rate budget: more than {@code requestsPerMinute} admitted requests per account in a sliding 60 s window:
 *       429 with {@link #RATE_LIMIT_MESSAGE}, code 429, and {@code Retry-After} in seconds (at least 1);
 *       refused requests do not use budget;</li>
 *   <li>body (create only): {@code Content-Type: application/json}, at most 64 KiB (413 otherwise), one JSON
 *       object; {@code name} non-blank string of at most 48 UTF-16 code units ({@link String#length()}, as in
 *       JavaScript), {@code description} non-blank string of at most 256, {@code source} exactly "passiveApi",
 *       {@code allowDuplicates} a boolean when present (null is refused); unknown fields are ignored: 400.</li>
 * </ol>
 * Success is 200 with the documented response shape; createdBy is "u-sandbox" and {@code _id} is "cl-" + UUID.
 * Other 4xx envelopes carry the HTTP status as code. Every response has {@code X-Sandbox: kore-contact-list-sandbox}.
 * Duplicate names are accepted, since Kore.ai documents no rule for them.
 *
 * <p>Thread-safe. Logs one INFO line per request and never logs tokens or the client secret.
 */
public final class KoreSandbox implements AutoCloseable {

    /** Response header that marks every answer as coming from the sandbox. */
    public static final String SANDBOX_HEADER = "X-Sandbox";
    public static final String SANDBOX_HEADER_VALUE = "kore-contact-list-sandbox";
    /** Kore.ai's documented rate-limit message. */
    public static final String RATE_LIMIT_MESSAGE =
            "You've exceeded the per-minute rate limit. Please wait for sometime before retrying.";
    public static final int MAX_NAME_LENGTH = 48;
    public static final int MAX_DESCRIPTION_LENGTH = 256;
    public static final String REQUIRED_SOURCE = "passiveApi";
    /** The fake user id the sandbox writes into createdBy and updatedBy. */
    public static final String SANDBOX_USER = "u-sandbox";

    static final int MAX_BODY_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(KoreSandbox.class);
    private static final String API_PREFIX = "/campaign/api/v2/public/";
    /** Add Contacts lives under Kore's v1.1 public API. */
    private static final String ADD_CONTACTS_PREFIX = "/api/1.1/public/";
    /** Kore.ai's answer to Add Contacts (newer page): the contacts are queued, not added yet. */
    public static final String CONTACTS_QUEUED_MESSAGE = "Contacts queued for addition.";
    /** Most contacts the sandbox takes in one Add Contacts call (Kore.ai documents none). */
    public static final int MAX_CONTACTS_PER_CALL = 1000;
    private static final String CONTACT_LIST_SEGMENT = "/campaign/contactList/";
    private static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    // More than one worker so a slow client cannot stall the others (the JDK default runs handlers on one thread).
    private static final int WORKER_THREADS = 4;
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);

    private enum Operation {
        CREATE("createContactList", List.of("POST")),
        LIST_ALL("getAllListDetails", List.of("GET", "POST")),
        /** Add Contacts, under the v1.1 prefix (newer page: stream id and accountId query). */
        ADD_CONTACTS("addContacts", List.of("POST"));

        private final String pathSuffix;
        private final List<String> methods;

        Operation(String pathSuffix, List<String> methods) {
            this.pathSuffix = pathSuffix;
            this.methods = methods;
        }
    }

    private enum State { NEW, RUNNING, CLOSED }

    private record Outcome(int status, byte[] body, Map<String, String> headers, String logDetail) {
    }

    private record CreateRequest(String name, String description, boolean allowDuplicates) {
    }

    private final SandboxSettings settings;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final SandboxTokenVerifier tokenVerifier;
    private final RequestBudget budget;
    private final ConcurrentLinkedQueue<ObjectNode> createdLists = new ConcurrentLinkedQueue<>();
    private final AtomicLong requestsServed = new AtomicLong();
    private final Map<Integer, LongAdder> rejectionsByStatus = new ConcurrentHashMap<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Object inFlightLock = new Object();
    private int inFlight;          // guarded by inFlightLock
    private boolean draining;      // guarded by inFlightLock

    private State state = State.NEW;   // guarded by this
    private HttpServer server;         // guarded by this
    private ExecutorService executor;  // guarded by this

    /** A sandbox using the system UTC clock; call {@link #start()} to listen. */
    public KoreSandbox(SandboxSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /**
     * A sandbox whose token expiry and rate window follow the given clock, so tests can move time without waiting.
     */
    public KoreSandbox(SandboxSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.mapper = new ObjectMapper()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.tokenVerifier = new SandboxTokenVerifier(settings.clientId(), settings.clientSecret(), clock);
        this.budget = new RequestBudget(settings.requestsPerMinute(), clock);
    }

    /**
     * A sandbox configured from environment variables, see {@link SandboxSettings#fromEnvironment(Map)}; not started.
     */
    public static KoreSandbox fromEnvironment(Map<String, String> env) {
        return new KoreSandbox(SandboxSettings.fromEnvironment(env));
    }

    /** The create path for a stream id, e.g. for building the bridge's URL. */
    public static String createContactListPath(String streamId) {
        return API_PREFIX + streamId + CONTACT_LIST_SEGMENT + Operation.CREATE.pathSuffix;
    }

    /** The list-all path for a stream id. */
    public static String getAllListDetailsPath(String streamId) {
        return API_PREFIX + streamId + CONTACT_LIST_SEGMENT + Operation.LIST_ALL.pathSuffix;
    }

    /**
     * Binds and starts serving; call once.
     *
     * @throws IllegalStateException when already started or closed
     * @throws UncheckedIOException  when the address cannot be bound
     */
    public synchronized KoreSandbox start() {
        if (state != State.NEW) {
            throw new IllegalStateException("Kore.ai sandbox already " + (state == State.RUNNING ? "started" : "closed"));
        }
        HttpServer created;
        try {
            created = HttpServer.create(new InetSocketAddress(settings.bindHost(), settings.port()), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Kore.ai sandbox cannot bind " + settings.bindHost() + ":" + settings.port(), e);
        }
        executor = Executors.newFixedThreadPool(WORKER_THREADS, workerThreads());
        created.setExecutor(executor);
        created.createContext("/", this::handle);
        created.start();
        server = created;
        state = State.RUNNING;
        LOG.info("Kore.ai SANDBOX (not Kore.ai) listening on {} (bound to {}) - POST {}?accountId={} "
                        + "for accountId={}, iid={}, clientId={}, rate limit {}",
                baseUrl(), settings.bindHost(), createContactListPath(settings.streamId()), settings.accountId(),
                settings.accountId(), settings.iid(), settings.clientId(),
                settings.unlimited() ? "off" : settings.requestsPerMinute() + " requests/minute");
        return this;
    }

    /** The bound port, useful when the settings asked for port 0. */
    public synchronized int port() {
        requireRunning();
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT} when bound to a wildcard address, otherwise {@code http://<bind address>:PORT}. */
    public synchronized String baseUrl() {
        requireRunning();
        InetAddress address = server.getAddress().getAddress();
        String host;
        if (address.isAnyLocalAddress()) {
            host = "127.0.0.1";
        } else if (address instanceof Inet6Address) {
            host = "[" + address.getHostAddress() + "]";
        } else {
            host = address.getHostAddress();
        }
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    /** The settings this sandbox enforces. */
    public SandboxSettings settings() {
        return settings;
    }

    /** Ids of the lists created so far, in creation order. */
    public List<String> createdIds() {
        List<String> ids = new ArrayList<>();
        for (ObjectNode list : createdLists) {
            ids.add(list.get("_id").asText());
        }
        return List.copyOf(ids);
    }

    /** Number of lists created so far. */
    public int listsCreated() {
        return createdLists.size();
    }

    /** Requests answered so far, successful or not. */
    public long requestsServed() {
        return requestsServed.get();
    }

    /** Refused requests so far by HTTP status (4xx and 5xx), sorted by status. */
    public Map<Integer, Long> rejectionsByStatus() {
        Map<Integer, Long> snapshot = new TreeMap<>();
        rejectionsByStatus.forEach((status, count) -> snapshot.put(status, count.sum()));
        return Map.copyOf(snapshot);
    }

    /** Refused requests so far with the given HTTP status. */
    public long rejections(int status) {
        LongAdder count = rejectionsByStatus.get(status);
        return count == null ? 0 : count.sum();
    }

    /**
     * Starts the sandbox if needed and blocks until {@link #close()}, which a JVM shutdown hook calls on SIGTERM.
     */
    public void run() throws InterruptedException {
        synchronized (this) {
            if (state == State.NEW) {
                start();
            } else if (state == State.CLOSED) {
                throw new IllegalStateException("Kore.ai sandbox already closed");
            }
        }
        Thread shutdownHook = new Thread(this::close, "kore-sandbox-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            awaitTermination();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting and the hook is the one that closed us: nothing left to undo.
            }
        }
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Blocks until {@link #close()} has finished or the timeout passed; {@code true} when closed. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops listening after giving requests in progress up to two seconds to finish; idempotent.
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        State previous = state;
        state = State.CLOSED;
        if (previous == State.RUNNING) {
            drainInFlight();
            server.stop(0);
            executor.shutdown();
            try {
                if (!executor.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
            LOG.info("Kore.ai SANDBOX (not Kore.ai) stopped after {} requests, {} lists created",
                    requestsServed.get(), createdLists.size());
        }
        terminated.countDown();
    }

    private void requireRunning() {
        if (state != State.RUNNING) {
            throw new IllegalStateException("Kore.ai sandbox is not running (" + state + ")");
        }
    }

    private static ThreadFactory workerThreads() {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "kore-sandbox-worker-" + counter.incrementAndGet());
            // Daemon: the sandbox must never be the reason a demo JVM refuses to exit.
            thread.setDaemon(true);
            return thread;
        };
    }

    // ---------------------------------------------------------------- request handling

    private void handle(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        try (exchange) {
            if (!enterRequest()) {
                // Closing: a 503 tells a client (such as the bridge) to retry rather than to give up.
                respond(exchange, method, path, error(503, 503, "Kore.ai sandbox is shutting down", Map.of("Retry-After", "1")));
                return;
            }
            try {
                Outcome outcome;
                try {
                    outcome = dispatch(exchange, method, path);
                } catch (SandboxRejection rejection) {
                    outcome = error(rejection.status(), rejection.code(), rejection.getMessage(), rejection.headers());
                } catch (RuntimeException e) {
                    LOG.warn("Kore.ai SANDBOX failed on {} {}", method, path, e);
                    outcome = error(500, 500, "Kore.ai sandbox internal error", Map.of());
                }
                respond(exchange, method, path, outcome);
            } finally {
                exitRequest();
            }
        } catch (IOException e) {
            // The client went away; nothing to answer and nothing the sandbox can fix.
            LOG.debug("Kore.ai SANDBOX could not complete {} {}: {}", method, path, e.toString());
        }
    }

    private Outcome dispatch(HttpExchange exchange, String method, String path) throws SandboxRejection, IOException {
        Operation operation = resolve(path);
        if (!operation.methods.contains(method)) {
            throw new SandboxRejection(405, 405, "Method " + method + " is not allowed here, use "
                    + String.join(" or ", operation.methods), Map.of("Allow", String.join(", ", operation.methods)));
        }
        tokenVerifier.verify(exchange.getRequestHeaders().getFirst("auth"));
        Map<String, List<String>> query = parseQuery(exchange.getRequestURI().getRawQuery());
        verifyApplicationAndAccount(exchange, query);
        OptionalLong retryAfter = budget.tryAcquire(settings.accountId());
        if (retryAfter.isPresent()) {
            throw new SandboxRejection(429, 429, RATE_LIMIT_MESSAGE,
                    Map.of("Retry-After", Long.toString(retryAfter.getAsLong())));
        }
        return switch (operation) {
            case CREATE -> create(exchange);
            case LIST_ALL -> listAll(query);
            case ADD_CONTACTS -> addContacts(exchange);
        };
    }

    private Operation resolve(String path) throws SandboxRejection {
        if (path != null && path.startsWith(ADD_CONTACTS_PREFIX)) {
            String rest = path.substring(ADD_CONTACTS_PREFIX.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && rest.substring(slash).equals(CONTACT_LIST_SEGMENT + Operation.ADD_CONTACTS.pathSuffix)) {
                if (!rest.substring(0, slash).equals(settings.streamId())) {
                    throw SandboxRejection.of(404, "No bot or stream with this streamId");
                }
                return Operation.ADD_CONTACTS;
            }
        }
        if (path != null && path.startsWith(API_PREFIX)) {
            String rest = path.substring(API_PREFIX.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                String streamId = rest.substring(0, slash);
                String tail = rest.substring(slash);
                for (Operation operation : Operation.values()) {
                    if (tail.equals(CONTACT_LIST_SEGMENT + operation.pathSuffix)) {
                        if (!streamId.equals(settings.streamId())) {
                            throw SandboxRejection.of(404, "No bot or stream with this streamId");
                        }
                        return operation;
                    }
                }
            }
        }
        throw SandboxRejection.of(404, "Not found");
    }

    private void verifyApplicationAndAccount(HttpExchange exchange, Map<String, List<String>> query)
            throws SandboxRejection {
        String iid = exchange.getRequestHeaders().getFirst("iid");
        if (iid == null || iid.isBlank()) {
            throw SandboxRejection.invalidCredentials("the iid header (application id) is required");
        }
        if (!iid.trim().equals(settings.iid())) {
            throw SandboxRejection.invalidCredentials("the iid header does not match the application");
        }
        String accountHeader = exchange.getRequestHeaders().getFirst("accountId");
        if (accountHeader == null || accountHeader.isBlank()) {
            throw SandboxRejection.of(400, "The accountId header is required");
        }
        if (!accountHeader.trim().equals(settings.accountId())) {
            throw SandboxRejection.of(400, "The accountId header does not match the account");
        }
        List<String> accountParameter = query.getOrDefault("accountId", List.of());
        if (accountParameter.isEmpty() || accountParameter.get(0).isBlank()) {
            throw SandboxRejection.of(400, "The query parameter accountId is required");
        }
        if (accountParameter.size() > 1 || !accountParameter.get(0).equals(settings.accountId())) {
            throw SandboxRejection.of(400, "The query parameter accountId does not match the account");
        }
    }

    private Outcome create(HttpExchange exchange) throws SandboxRejection, IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw SandboxRejection.of(400, "Content-Type must be application/json");
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            throw SandboxRejection.of(413, "The request body must be at most " + MAX_BODY_BYTES + " bytes");
        }
        CreateRequest request = validate(parseObject(body));

        String now = ISO_MILLIS.format(clock.instant().truncatedTo(ChronoUnit.MILLIS));
        String id = "cl-" + UUID.randomUUID();
        ObjectNode data = mapper.createObjectNode();
        data.put("isActive", true);
        data.put("name", request.name());
        data.put("description", request.description());
        data.put("totalRecordCount", 0);
        data.put("status", "Ready");
        data.put("createdBy", SANDBOX_USER);
        data.put("updatedBy", SANDBOX_USER);
        ObjectNode mapping = data.putObject("mapping");
        for (String field : List.of("firstName", "lastName", "phoneNumber", "timeZone", "uniqueId", "contactPriority")) {
            mapping.put(field, field);
        }
        data.put("isListInUse", false);
        data.put("listType", "call");
        data.put("isGlobalDNC", false);
        data.put("isDefault", false);
        data.putArray("campaignInUse");
        data.put("source", REQUIRED_SOURCE);
        data.putObject("apiConfigurations").put("dataSyncMode", "allowDuplicates");
        data.putArray("columns");
        data.putArray("files");
        data.put("createdAt", now);
        data.put("updatedAt", now);
        data.put("_id", id);
        data.put("allowDuplicates", request.allowDuplicates());
        // Stored nodes are never mutated again, so concurrent readers can serialise them safely.
        createdLists.add(data);

        ObjectNode response = mapper.createObjectNode();
        response.put("status", "success");
        response.put("message", "Contact list " + request.name() + " created successfully");
        response.set("data", data);
        return json(200, response, id);
    }

    private Outcome listAll(Map<String, List<String>> query) throws SandboxRejection {
        List<String> type = query.getOrDefault("type", List.of());
        if (!type.isEmpty() && (type.size() > 1 || !type.get(0).equals("call"))) {
            throw SandboxRejection.of(400, "The query parameter type must be call");
        }
        ObjectNode response = mapper.createObjectNode();
        response.put("status", "success");
        response.put("message", "");
        ArrayNode data = response.putArray("data");
        createdLists.forEach(data::add);
        return json(200, response, data.size() + " lists");
    }

    /**
     * Add Contacts: {@code contact_list_name} must name a list created in this sandbox, {@code data} holds 1 to
     * {@value #MAX_CONTACTS_PER_CALL} objects each with a {@code phoneNumber} of digits (an optional leading +).
     */
    private Outcome addContacts(HttpExchange exchange) throws SandboxRejection, IOException {
        byte[] raw = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES * 16 + 1);
        if (raw.length > MAX_BODY_BYTES * 16) {
            throw SandboxRejection.of(413, "The request body must be at most " + MAX_BODY_BYTES * 16 + " bytes");
        }
        JsonNode body = parseObject(raw);
        String listName = requiredText(body, "contact_list_name", MAX_NAME_LENGTH);
        boolean known = createdLists.stream().anyMatch(list -> list.path("name").asText().equalsIgnoreCase(listName));
        if (!known) {
            throw SandboxRejection.of(400, "No contact list with this name");
        }
        JsonNode data = body.get("data");
        if (data == null || !data.isArray() || data.isEmpty() || data.size() > MAX_CONTACTS_PER_CALL) {
            throw SandboxRejection.of(400, "data must be an array of 1 to " + MAX_CONTACTS_PER_CALL + " contacts");
        }
        for (JsonNode contact : data) {
            JsonNode phone = contact.get("phoneNumber");
            if (phone == null || !phone.isTextual() || !phone.textValue().matches("\\+?[0-9]{6,15}")) {
                throw SandboxRejection.of(400, "every contact needs a phoneNumber of 6 to 15 digits");
            }
        }
        ObjectNode response = mapper.createObjectNode();
        response.put("status", "success");
        response.put("message", CONTACTS_QUEUED_MESSAGE);
        return json(200, response, data.size() + " contacts queued for " + listName.length() + "-character list");
    }

    private JsonNode parseObject(byte[] body) throws SandboxRejection {
        JsonNode tree;
        try {
            tree = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            // Position only: the parser's own message may quote the body.
            throw SandboxRejection.of(400, "The request body is not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw SandboxRejection.of(400, "The request body cannot be read as JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw SandboxRejection.of(400, "The request body must be a JSON object");
        }
        return tree;
    }

    private static CreateRequest validate(JsonNode body) throws SandboxRejection {
        String name = requiredText(body, "name", MAX_NAME_LENGTH);
        String description = requiredText(body, "description", MAX_DESCRIPTION_LENGTH);
        JsonNode source = body.get("source");
        if (source == null || source.isNull()) {
            throw SandboxRejection.of(400, "source is required and must be \"" + REQUIRED_SOURCE + "\"");
        }
        if (!source.isTextual() || !source.textValue().equals(REQUIRED_SOURCE)) {
            throw SandboxRejection.of(400, "source must be \"" + REQUIRED_SOURCE + "\"");
        }
        JsonNode allowDuplicates = body.get("allowDuplicates");
        if (allowDuplicates != null && !allowDuplicates.isBoolean()) {
            throw SandboxRejection.of(400, "allowDuplicates must be a boolean value (true or false)");
        }
        return new CreateRequest(name, description, allowDuplicates != null && allowDuplicates.booleanValue());
    }

    private static String requiredText(JsonNode body, String field, int maxLength) throws SandboxRejection {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            throw SandboxRejection.of(400, field + " is required");
        }
        if (!node.isTextual()) {
            throw SandboxRejection.of(400, field + " must be a string");
        }
        String value = node.textValue();
        if (value.isBlank()) {
            throw SandboxRejection.of(400, field + " must not be blank");
        }
        // String.length() counts UTF-16 code units, the same as JavaScript's length on Kore.ai's Node.js side.
        if (value.length() > maxLength) {
            throw SandboxRejection.of(400, field + " must be at most " + maxLength + " characters, was " + value.length());
        }
        return value;
    }

    private static Map<String, List<String>> parseQuery(String rawQuery) throws SandboxRejection {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        try {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                parameters.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        } catch (IllegalArgumentException e) {
            throw SandboxRejection.of(400, "The query string is not valid URL encoding");
        }
        return parameters;
    }

    // ---------------------------------------------------------------- responses

    private Outcome json(int status, JsonNode body, String logDetail) {
        return json(status, body, Map.of(), logDetail);
    }

    private Outcome json(int status, JsonNode body, Map<String, String> headers, String logDetail) {
        try {
            return new Outcome(status, mapper.writeValueAsBytes(body), headers, logDetail);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a sandbox response", e);
        }
    }

    private Outcome error(int status, int code, String message, Map<String, String> headers) {
        ObjectNode envelope = mapper.createObjectNode();
        ObjectNode error = envelope.putArray("errors").addObject();
        error.put("msg", message);
        error.put("code", code);
        return json(status, envelope, headers, message);
    }

    private void respond(HttpExchange exchange, String method, String path, Outcome outcome) throws IOException {
        requestsServed.incrementAndGet();
        if (outcome.status() >= 400) {
            rejectionsByStatus.computeIfAbsent(outcome.status(), status -> new LongAdder()).increment();
        }
        LOG.info("Kore.ai SANDBOX {} {} -> {} {}", method, path, outcome.status(), outcome.logDetail());
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", JSON_CONTENT_TYPE);
        headers.set(SANDBOX_HEADER, SANDBOX_HEADER_VALUE);
        outcome.headers().forEach(headers::set);
        if ("HEAD".equals(method)) {
            // HEAD answers carry no body; a length here would make the JDK server warn and drop it anyway.
            exchange.sendResponseHeaders(outcome.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(outcome.status(), outcome.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(outcome.body());
        }
    }

    // ---------------------------------------------------------------- graceful shutdown

    private boolean enterRequest() {
        synchronized (inFlightLock) {
            if (draining) {
                return false;
            }
            inFlight++;
            return true;
        }
    }

    private void exitRequest() {
        synchronized (inFlightLock) {
            inFlight--;
            if (inFlight == 0) {
                inFlightLock.notifyAll();
            }
        }
    }

    private void drainInFlight() {
        long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
        synchronized (inFlightLock) {
            draining = true;
            while (inFlight > 0) {
                long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remainingMillis <= 0) {
                    LOG.warn("Kore.ai SANDBOX closing with {} requests still in progress", inFlight);
                    return;
                }
                try {
                    inFlightLock.wait(remainingMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
