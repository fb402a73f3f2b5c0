package com.contactlistbridge.benchmark;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for Kore.ai's Create Contact List v2 endpoint that answers after a fixed latency, optionally enforcing
 * a sliding-window rate limit, and counts what it saw (it checks that a token is present, never its signature).
 */
final class LatencyStub implements AutoCloseable {

    /** Kore.ai's documented text for the per-minute limit (reference/kore-api.md). */
    static final String RATE_LIMIT_MESSAGE =
            "You've exceeded the per-minute rate limit. Please wait for sometime before retrying.";
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final Pattern CREATE_PATH =
            Pattern.compile("/campaign/api/v2/public/[^/]+/campaign/contactList/createContactList");

    static {
        // The JDK server leaves Nagle's algorithm on by default; with delayed ACKs that adds ~40 ms to answers
        // written in two parts (headers, body). Must be set before the server classes read their configuration.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final long latencyMillis;
    private final int requestsPerMinute;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper mapper = new ObjectMapper();

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();
    private final AtomicLong missingAuth = new AtomicLong();
    private final AtomicLong otherErrors = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    // Guarded by "this": arrival times (System.nanoTime) of accepted calls, and the sliding window.
    private final List<Long> acceptedArrivals = new ArrayList<>();
    private final Deque<Long> window = new ArrayDeque<>();

    /**
     * @param latencyMillis     time each accepted call takes before its answer is written
     * @param requestsPerMinute accepted calls per rolling 60 s, 0 = unlimited
     * @param threads           server threads (each sleeping call occupies one)
     */
    LatencyStub(long latencyMillis, int requestsPerMinute, int threads) throws IOException {
        this.latencyMillis = latencyMillis;
        this.requestsPerMinute = requestsPerMinute;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        this.executor = Executors.newFixedThreadPool(threads, daemonThreads("latency-stub"));
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Base URL for {@code kore.base-url}, e.g. {@code http://127.0.0.1:40123}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Stats stats() {
        synchronized (this) {
            return new Stats(requests.get(), accepted.get(), rateLimited.get(), missingAuth.get(), otherErrors.get(),
                    maxInFlight.get(), List.copyOf(acceptedArrivals));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long arrival = System.nanoTime();
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            String query = exchange.getRequestURI().getRawQuery();
            if (!"POST".equals(exchange.getRequestMethod())
                    || !CREATE_PATH.matcher(exchange.getRequestURI().getRawPath()).matches()
                    || query == null || !query.contains("accountId=")) {
                otherErrors.incrementAndGet();
                respond(exchange, 404, error("No such endpoint", 404), null);
                return;
            }
            String token = exchange.getRequestHeaders().getFirst("auth");
            if (token == null || token.isBlank()) {
                missingAuth.incrementAndGet();
                respond(exchange, 401, error("Invalid SDK credentials", 4002), null);
                return;
            }
            long retryAfterSeconds = admit(arrival);
            if (retryAfterSeconds > 0) {
                rateLimited.incrementAndGet();
                respond(exchange, 429, error(RATE_LIMIT_MESSAGE, 429), Long.toString(retryAfterSeconds));
                return;
            }
            accepted.incrementAndGet();
            if (latencyMillis > 0) {
                Thread.sleep(latencyMillis);
            }
            respond(exchange, 200, created(body), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            otherErrors.incrementAndGet();
            respond(exchange, 400, error(String.valueOf(e.getMessage()), 400), null);
        } finally {
            if (exchange.getAttribute(COUNTED_OUT) == null) {
                inFlight.decrementAndGet(); // no answer was written
            }
            exchange.close();
        }
    }

    /**
     * Exchange attribute: this call no longer counts as in flight. Set just before its answer is written: a client may
     * start its next call the moment it has read the answer, before this thread gets to run again.
     */
    private static final String COUNTED_OUT = "latency-stub.counted-out";

    /** Records an accepted call; returns 0 when admitted, else whole seconds until the window has room. */
    private synchronized long admit(long arrival) {
        if (requestsPerMinute > 0) {
            while (!window.isEmpty() && window.peekFirst() <= arrival - WINDOW_NANOS) {
                window.removeFirst();
            }
            if (window.size() >= requestsPerMinute) {
                long untilFree = window.peekFirst() + WINDOW_NANOS - arrival;
                return Math.max(1, (untilFree + 999_999_999L) / 1_000_000_000L);
            }
            window.addLast(arrival);
        }
        acceptedArrivals.add(arrival);
        return 0;
    }

    private byte[] created(byte[] requestBody) throws IOException {
        JsonNode request = mapper.readTree(requestBody);
        if (request == null || !request.path("name").isTextual()) {
            throw new IllegalArgumentException("name is required");
        }
        String now = Instant.now().toString();
        ObjectNode response = mapper.createObjectNode();
        response.put("status", "success");
        response.put("message", "Contact list " + request.path("name").asText() + " created successfully");
        ObjectNode data = response.putObject("data");
        data.put("_id", "cl-" + UUID.randomUUID());
        data.put("name", request.path("name").asText());
        data.put("description", request.path("description").asText());
        data.put("status", "Ready");
        data.put("source", request.path("source").asText("passiveApi"));
        data.put("allowDuplicates", request.path("allowDuplicates").asBoolean(false));
        data.put("createdAt", now);
        data.put("updatedAt", now);
        return mapper.writeValueAsBytes(response);
    }

    private byte[] error(String message, int code) {
        ObjectNode envelope = mapper.createObjectNode();
        ObjectNode error = envelope.putArray("errors").addObject();
        error.put("msg", message);
        error.put("code", code);
        try {
            return mapper.writeValueAsBytes(envelope);
        } catch (IOException e) {
            return message.getBytes(StandardCharsets.UTF_8);
        }
    }

    private void respond(HttpExchange exchange, int status, byte[] body, String retryAfter) throws IOException {
        inFlight.decrementAndGet();
        exchange.setAttribute(COUNTED_OUT, Boolean.TRUE);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** What the stub saw; {@code acceptedArrivals} are System.nanoTime() values in arrival order. */
    record Stats(long requests, long accepted, long rateLimited, long missingAuth, long otherErrors,
                 int maxConcurrent, List<Long> acceptedArrivals) {

        /** Accepted calls per minute between the first and the last accepted call; NaN with fewer than two. */
        double achievedPerMinute() {
            if (acceptedArrivals.size() < 2) {
                return Double.NaN;
            }
            long span = acceptedArrivals.get(acceptedArrivals.size() - 1) - acceptedArrivals.get(0);
            return span <= 0 ? Double.NaN : (acceptedArrivals.size() - 1) * 60e9 / span;
        }

        /** Most accepted calls that fell into any rolling 60 s window (what a sliding-window limit sees). */
        int maxInAnyMinute() {
            int best = 0;
            int from = 0;
            for (int to = 0; to < acceptedArrivals.size(); to++) {
                while (acceptedArrivals.get(to) - acceptedArrivals.get(from) >= WINDOW_NANOS) {
                    from++;
                }
                best = Math.max(best, to - from + 1);
            }
            return best;
        }

        /** Shortest time between two consecutive accepted calls, in ms; NaN with fewer than two. */
        double minGapMillis() {
            long min = Long.MAX_VALUE;
            for (int i = 1; i < acceptedArrivals.size(); i++) {
                min = Math.min(min, acceptedArrivals.get(i) - acceptedArrivals.get(i - 1));
            }
            return min == Long.MAX_VALUE ? Double.NaN : min / 1e6;
        }

        /** System.nanoTime() of the first accepted call, or -1. */
        long firstArrival() {
            return acceptedArrivals.isEmpty() ? -1 : acceptedArrivals.get(0);
        }
    }
}
