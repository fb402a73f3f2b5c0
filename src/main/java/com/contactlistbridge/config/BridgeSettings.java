package com.contactlistbridge.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The bridge's own settings, read from properties (or their environment variables) and validated together, so a bad
 * start names every problem at once.
 */
public record BridgeSettings(
        String kafkaBrokers,
        String requestsTopic,
        String createdTopic,
        String deadLetterTopic,
        String consumerGroup,
        int maxEventBytes,
        URI koreBaseUrl,
        String streamId,
        String accountId,
        String iid,
        String clientId,
        String clientSecret,
        String jwtSubject,
        Duration jwtExpiry,
        int maxAttempts,
        long initialDelayMillis,
        long maxDelayMillis,
        long maxRetryAfterMillis,
        int errorMessageMaxLength,
        int requestsPerMinute,
        String truststoreLocation,
        String truststorePassword,
        String truststoreType,
        String proxyHost,
        int proxyPort,
        long outagePauseMillis,
        int outageMaxPauses,
        String processedTopic,
        boolean dedupeEnabled,
        int dedupeCacheSize,
        boolean dedupeByName,
        Duration dedupeByNameTtl,
        int deadLetterMaxValueBytes,
        int maxInFlight,
        int rateLimitHeadroomPercent,
        int maxRateLimitWaits,
        boolean allowPlainHttp,
        boolean healthDetails,
        String addContactsRequestsTopic,
        String addContactsDoneTopic,
        String addContactsDeadLetterTopic,
        int addContactsChunkSize,
        int addContactsMaxContacts) {

    /** Ids that go into the URL path and query: refusing anything else keeps message data out of the URL. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]+");

    /** Looks a property up (placeholders and environment variables already applied); empty when unset. */
    @FunctionalInterface
    public interface Source extends Function<String, Optional<String>> {
    }

    /**
     * Reads and validates every setting.
     *
     * @throws InvalidSettingsException listing every missing or invalid setting
     */
    public static BridgeSettings load(Source source) {
        Reader r = new Reader(source);
        BridgeSettings settings = new BridgeSettings(
                r.required("kafka.brokers"),
                r.required("bridge.topic.requests"),
                r.required("bridge.topic.created"),
                r.required("bridge.topic.dead-letter"),
                r.required("bridge.consumer-group"),
                (int) r.number("bridge.max-event-bytes", 1, 64L * 1024 * 1024),
                r.baseUrl("kore.base-url"),
                r.safeId("kore.stream-id"),
                r.safeId("kore.account-id"),
                r.safeId("kore.iid"),
                r.required("kore.client-id"),
                r.secret("kore.client-secret"),
                r.required("kore.jwt.subject"),
                Duration.ofSeconds(r.number("kore.jwt.expiry-seconds", 1, 3600)),
                (int) r.number("bridge.retry.max-attempts", 1, 100),
                r.number("bridge.retry.initial-delay-ms", 0, Long.MAX_VALUE),
                r.number("bridge.retry.max-delay-ms", 0, Long.MAX_VALUE),
                r.number("bridge.retry.max-retry-after-ms", 0, Long.MAX_VALUE),
                (int) r.number("bridge.error.message-max-length", 64, 16_384),
                (int) r.number("kore.rate-limit.requests-per-minute", 0, 60_000),
                r.readableFile("kore.http.truststore-location"),
                r.optional("kore.http.truststore-password"),
                r.optionalOr("kore.http.truststore-type", "PKCS12"),
                r.proxyHost("kore.http.proxy"),
                r.proxyPort("kore.http.proxy"),
                r.number("bridge.outage.pause-ms", 100, 3_600_000),
                (int) r.number("bridge.outage.max-pauses", 0, 10_000),
                r.required("bridge.topic.processed"),
                r.bool("bridge.dedupe.enabled"),
                (int) r.number("bridge.dedupe.cache-size", 1, 100_000_000),
                r.bool("bridge.dedupe.by-name"),
                Duration.ofMillis(r.number("bridge.dedupe.by-name-ttl-ms", 0, 86_400_000)),
                (int) r.number("bridge.dead-letter.max-value-bytes", 0, 1_000_000_000),
                (int) r.number("bridge.max-in-flight", 1, 1024),
                (int) r.number("kore.rate-limit.headroom-percent", 0, 50),
                (int) r.number("bridge.retry.max-rate-limit-waits", 0, 1000),
                r.optionalBool("kore.allow-plain-http"),
                r.optionalBool("management.health-details"),
                r.required("bridge.add-contacts.topic.requests"),
                r.required("bridge.add-contacts.topic.done"),
                r.required("bridge.add-contacts.topic.dead-letter"),
                (int) r.number("bridge.add-contacts.chunk-size", 1, 10_000),
                (int) r.number("bridge.add-contacts.max-contacts", 1, 1_000_000));
        r.required("bridge.add-contacts.path");
        r.httpsUnlessAllowed("kore.base-url", settings.koreBaseUrl, "kore.allow-plain-http", settings.allowPlainHttp);
        r.distinct("bridge.topic.requests", settings.requestsTopic, "bridge.topic.created", settings.createdTopic);
        r.distinct("bridge.topic.requests", settings.requestsTopic, "bridge.topic.dead-letter",
                settings.deadLetterTopic);
        r.distinct("bridge.topic.created", settings.createdTopic, "bridge.topic.dead-letter", settings.deadLetterTopic);
        for (String[] other : new String[][] {{"bridge.topic.requests", settings.requestsTopic},
                {"bridge.topic.created", settings.createdTopic}, {"bridge.topic.dead-letter", settings.deadLetterTopic}}) {
            r.distinct(other[0], other[1], "bridge.topic.processed", settings.processedTopic);
        }
        String[][] topics = {{"bridge.topic.requests", settings.requestsTopic},
                {"bridge.topic.created", settings.createdTopic}, {"bridge.topic.dead-letter", settings.deadLetterTopic},
                {"bridge.topic.processed", settings.processedTopic}};
        String[][] addContactsTopics = {{"bridge.add-contacts.topic.requests", settings.addContactsRequestsTopic},
                {"bridge.add-contacts.topic.done", settings.addContactsDoneTopic},
                {"bridge.add-contacts.topic.dead-letter", settings.addContactsDeadLetterTopic}};
        for (int i = 0; i < addContactsTopics.length; i++) {
            for (String[] other : topics) {
                r.distinct(other[0], other[1], addContactsTopics[i][0], addContactsTopics[i][1]);
            }
            for (int j = 0; j < i; j++) {
                r.distinct(addContactsTopics[j][0], addContactsTopics[j][1], addContactsTopics[i][0],
                        addContactsTopics[i][1]);
            }
        }
        r.failIfProblems();
        return settings;
    }

    /** kore.base-url without trailing slashes: the root every Kore.ai path is appended to. */
    public String koreRootUrl() {
        return koreBaseUrl.toString().replaceAll("/+$", "");
    }

    /**
     * The longest one record can take before it gets its outcome: every attempt hitting both timeouts, and every wait
     * at its longest (a capped Retry-After or the longest backoff, whichever is longer).
     */
    public long worstCaseRecordMillis(long connectTimeoutMillis, long responseTimeoutMillis) {
        long longestWait = Math.max(maxDelayMillis, maxRetryAfterMillis);
        return maxAttempts * (connectTimeoutMillis + responseTimeoutMillis) + (maxAttempts - 1L) * longestWait
                + (long) maxRateLimitWaits * maxRetryAfterMillis;
    }

    /**
     * Milliseconds between two Kore.ai calls under the request budget (0 when unlimited): 60000 / requests per minute,
     * stretched by the headroom so that network and scheduling jitter never pushes 61 calls into one minute.
     */
    public long requestSlotMillis() {
        if (requestsPerMinute <= 0) {
            return 0;
        }
        return (60_000L * (100 + rateLimitHeadroomPercent) + 100L * requestsPerMinute - 1)
                / (100L * requestsPerMinute);
    }

    /**
     * The longest one polled batch can take: its events are started at the pace of the request budget, or of Kore.ai's
     * answers when every in-flight slot waits for one, but never after half of the poll interval (the batch stops
     * starting events then); plus one event retried to the end, rate-limit waits included.
     */
    public long worstCaseBatchMillis(long connectTimeoutMillis, long responseTimeoutMillis, long pollRecords,
                                     long pollIntervalMillis) {
        long perEvent = Math.max(requestSlotMillis(), (connectTimeoutMillis + responseTimeoutMillis) / maxInFlight);
        long starting = Math.min(pollRecords * perEvent, pollIntervalMillis / 2);
        return starting + worstCaseRecordMillis(connectTimeoutMillis, responseTimeoutMillis);
    }

    /**
     * max.poll.records when camel.component.kafka.max-poll-records is not set: Kafka's own 500 without a request budget
     * (a batch waits for its slowest event before the next poll, so a large batch keeps every slot busy), and one
     * minute of the budget with one (the budget sets the pace anyway, and a batch running for minutes would hold up
     * every rebalance of the group for as long).
     */
    public int defaultMaxPollRecords() {
        return requestsPerMinute() > 0 ? Math.min(KAFKA_MAX_POLL_RECORDS, requestsPerMinute()) : KAFKA_MAX_POLL_RECORDS;
    }

    /** Kafka's default max.poll.records. */
    static final int KAFKA_MAX_POLL_RECORDS = 500;

    /** Get All Contact Lists for this stream and account (the guard by name). */
    public String getAllListsUrl() {
        String base = koreBaseUrl.toString().replaceAll("/+$", "");
        return base + "/campaign/api/v2/public/" + streamId + "/campaign/contactList/getAllListDetails?accountId="
                + accountId + "&type=call";
    }

    /** Never print the secret, not even in a toString used by a debugger or a log line. */
    @Override
    public String toString() {
        return "BridgeSettings[kafkaBrokers=" + kafkaBrokers + ", requestsTopic=" + requestsTopic + ", createdTopic="
                + createdTopic + ", deadLetterTopic=" + deadLetterTopic + ", consumerGroup=" + consumerGroup
                + ", koreBaseUrl=" + koreBaseUrl + ", streamId=" + streamId + ", accountId=" + accountId + ", iid="
                + iid + ", clientId=" + clientId + ", clientSecret=***, maxAttempts=" + maxAttempts
                + ", requestsPerMinute=" + requestsPerMinute + ", proxy=" + (proxyHost == null ? "none"
                : proxyHost + ":" + proxyPort) + "]";
    }

    /** The environment variable that overrides a property, as Camel derives it. */
    public static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static final class Reader {
        private final Source source;
        private final List<String> problems = new ArrayList<>();

        Reader(Source source) {
            this.source = source;
        }

        String optional(String key) {
            return source.apply(key).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
        }

        String required(String key) {
            String value = optional(key);
            if (value == null) {
                problem(key, "is missing");
            }
            return value;
        }

        boolean bool(String key) {
            String value = required(key);
            if (value != null && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                problem(key, "must be true or false (got '" + value + "')");
            }
            return Boolean.parseBoolean(value);
        }

        /** An optional switch: unset or empty is false. */
        boolean optionalBool(String key) {
            String value = optional(key);
            if (value != null && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                problem(key, "must be true or false (got '" + value + "')");
            }
            return Boolean.parseBoolean(value);
        }

        /** The JWT and the event data must not travel in clear text, unless an operator allows it explicitly. */
        void httpsUnlessAllowed(String key, URI url, String allowKey, boolean allowed) {
            if (url != null && "http".equalsIgnoreCase(url.getScheme()) && url.getHost() != null && !allowed) {
                problem(key, "is plain http (" + url.getScheme() + "://" + url.getHost()
                        + "): the signed JWT and the event data would travel unencrypted. Use https://, or set "
                        + allowKey + "=true (env " + envName(allowKey) + ") for a local stand-in such as the sandbox");
            }
        }

        String optionalOr(String key, String fallback) {
            String value = optional(key);
            return value == null ? fallback : value;
        }

        String readableFile(String key) {
            String value = optional(key);
            if (value != null && !Files.isReadable(Path.of(value))) {
                problem(key, "names a file that does not exist or cannot be read: " + value);
            }
            return value;
        }

        String proxyHost(String key) {
            String value = optional(key);
            if (value == null) {
                return null;
            }
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                problem(key, "must be host:port, e.g. proxy.example.com:3128 (got '" + value + "')");
                return null;
            }
            return value.substring(0, colon);
        }

        int proxyPort(String key) {
            String value = optional(key);
            int colon = value == null ? -1 : value.lastIndexOf(':');
            if (colon <= 0) {
                return -1;
            }
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    problem(key, "has a port outside 1..65535 (got " + port + ")");
                }
                return port;
            } catch (NumberFormatException e) {
                if (colon < value.length() - 1) {
                    problem(key, "has a port that is not a number (got '" + value.substring(colon + 1) + "')");
                }
                return -1;
            }
        }

        /** The secret itself, or the content of the file named by {@code <key>-file} (e.g. a mounted secret). */
        String secret(String key) {
            String value = optional(key);
            String fileKey = key + "-file";
            String file = optional(fileKey);
            if (value != null && file != null) {
                problem(fileKey, "and " + key + " are both set; set only one of them");
                return value;
            }
            if (file != null) {
                try {
                    value = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
                } catch (IOException | RuntimeException e) {
                    problem(fileKey, "names a file that cannot be read: " + file);
                    return null;
                }
                if (value.isEmpty()) {
                    problem(fileKey, "names an empty file: " + file);
                    return null;
                }
            }
            if (value == null) {
                problem(key, "is missing");
            } else if (value.getBytes(StandardCharsets.UTF_8).length < 32) {
                problem(key, "is too short: HS256 needs at least 32 bytes (the value is not shown)");
            }
            return value;
        }

        String safeId(String key) {
            String value = required(key);
            if (value != null && !SAFE_ID.matcher(value).matches()) {
                problem(key, "may contain only letters, digits and . _ : - (got '" + value + "')");
            }
            return value;
        }

        URI baseUrl(String key) {
            String value = required(key);
            if (value == null) {
                return null;
            }
            try {
                URI uri = new URI(value);
                if (uri.getUserInfo() != null) {
                    // The user info may hold a password: never repeat it in an error message.
                    problem(key, "must not contain user info (user:password@)");
                    return uri;
                }
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    problem(key, "must be an http or https URL such as https://platform.kore.ai (got '" + value + "')");
                } else if (uri.getHost() == null) {
                    problem(key, "has no host (got '" + value + "')");
                } else if (uri.getQuery() != null || uri.getFragment() != null) {
                    problem(key, "must not have a query or fragment (got '" + value + "')");
                }
                return uri;
            } catch (URISyntaxException e) {
                problem(key, "is not a valid URL: " + e.getMessage());
                return null;
            }
        }

        long number(String key, long min, long max) {
            String value = required(key);
            if (value == null) {
                return min;
            }
            try {
                long number = Long.parseLong(value);
                if (number < min || number > max) {
                    problem(key, "must be between " + min + " and " + max + " (got " + number + ")");
                }
                return number;
            } catch (NumberFormatException e) {
                problem(key, "must be a whole number (got '" + value + "')");
                return min;
            }
        }

        void distinct(String keyA, String a, String keyB, String b) {
            if (a != null && a.equals(b)) {
                problem(keyB, "must differ from " + keyA + " (both are '" + a + "')");
            }
        }

        void problem(String key, String text) {
            problems.add(key + " (env " + envName(key) + ") " + text);
        }

        void failIfProblems() {
            if (!problems.isEmpty()) {
                throw new InvalidSettingsException(problems);
            }
        }
    }
}
