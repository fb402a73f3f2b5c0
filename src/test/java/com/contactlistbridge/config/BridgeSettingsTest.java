package com.contactlistbridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class BridgeSettingsTest {

    private static final String SECRET = "unit-test-secret-0123456789-abcdefghijklmnop";

    /** Every key BridgeSettings reads, with its environment variable. */
    private static final Map<String, String> REQUIRED_KEYS_AND_ENV = Map.ofEntries(
            Map.entry("kafka.brokers", "KAFKA_BROKERS"),
            Map.entry("bridge.topic.requests", "BRIDGE_TOPIC_REQUESTS"),
            Map.entry("bridge.topic.created", "BRIDGE_TOPIC_CREATED"),
            Map.entry("bridge.topic.dead-letter", "BRIDGE_TOPIC_DEAD_LETTER"),
            Map.entry("bridge.consumer-group", "BRIDGE_CONSUMER_GROUP"),
            Map.entry("bridge.max-event-bytes", "BRIDGE_MAX_EVENT_BYTES"),
            Map.entry("kore.base-url", "KORE_BASE_URL"),
            Map.entry("kore.stream-id", "KORE_STREAM_ID"),
            Map.entry("kore.account-id", "KORE_ACCOUNT_ID"),
            Map.entry("kore.iid", "KORE_IID"),
            Map.entry("kore.client-id", "KORE_CLIENT_ID"),
            Map.entry("kore.client-secret", "KORE_CLIENT_SECRET"),
            Map.entry("kore.jwt.subject", "KORE_JWT_SUBJECT"),
            Map.entry("kore.jwt.expiry-seconds", "KORE_JWT_EXPIRY_SECONDS"),
            Map.entry("bridge.retry.max-attempts", "BRIDGE_RETRY_MAX_ATTEMPTS"),
            Map.entry("bridge.retry.initial-delay-ms", "BRIDGE_RETRY_INITIAL_DELAY_MS"),
            Map.entry("bridge.retry.max-delay-ms", "BRIDGE_RETRY_MAX_DELAY_MS"),
            Map.entry("bridge.retry.max-retry-after-ms", "BRIDGE_RETRY_MAX_RETRY_AFTER_MS"),
            Map.entry("bridge.error.message-max-length", "BRIDGE_ERROR_MESSAGE_MAX_LENGTH"),
            Map.entry("kore.rate-limit.requests-per-minute", "KORE_RATE_LIMIT_REQUESTS_PER_MINUTE"),
            Map.entry("bridge.outage.pause-ms", "BRIDGE_OUTAGE_PAUSE_MS"),
            Map.entry("bridge.outage.max-pauses", "BRIDGE_OUTAGE_MAX_PAUSES"),
            Map.entry("bridge.topic.processed", "BRIDGE_TOPIC_PROCESSED"),
            Map.entry("bridge.dedupe.enabled", "BRIDGE_DEDUPE_ENABLED"),
            Map.entry("bridge.dedupe.cache-size", "BRIDGE_DEDUPE_CACHE_SIZE"),
            Map.entry("bridge.dedupe.by-name", "BRIDGE_DEDUPE_BY_NAME"),
            Map.entry("bridge.dedupe.by-name-ttl-ms", "BRIDGE_DEDUPE_BY_NAME_TTL_MS"),
            Map.entry("bridge.dead-letter.max-value-bytes", "BRIDGE_DEAD_LETTER_MAX_VALUE_BYTES"),
            Map.entry("bridge.max-in-flight", "BRIDGE_MAX_IN_FLIGHT"),
            Map.entry("kore.rate-limit.headroom-percent", "KORE_RATE_LIMIT_HEADROOM_PERCENT"),
            Map.entry("bridge.retry.max-rate-limit-waits", "BRIDGE_RETRY_MAX_RATE_LIMIT_WAITS"),
            Map.entry("bridge.add-contacts.topic.requests", "BRIDGE_ADD_CONTACTS_TOPIC_REQUESTS"),
            Map.entry("bridge.add-contacts.topic.done", "BRIDGE_ADD_CONTACTS_TOPIC_DONE"),
            Map.entry("bridge.add-contacts.topic.dead-letter", "BRIDGE_ADD_CONTACTS_TOPIC_DEAD_LETTER"),
            Map.entry("bridge.add-contacts.chunk-size", "BRIDGE_ADD_CONTACTS_CHUNK_SIZE"),
            Map.entry("bridge.add-contacts.max-contacts", "BRIDGE_ADD_CONTACTS_MAX_CONTACTS"),
            Map.entry("bridge.add-contacts.path", "BRIDGE_ADD_CONTACTS_PATH"));

    private static Map<String, String> validSettings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.brokers", "kafka-1:9092,kafka-2:9092");
        settings.put("bridge.add-contacts.topic.requests", "contact-list.add-contacts");
        settings.put("bridge.add-contacts.topic.done", "contact-list.add-contacts.done");
        settings.put("bridge.add-contacts.topic.dead-letter", "contact-list.add-contacts.dlq");
        settings.put("bridge.add-contacts.chunk-size", "100");
        settings.put("bridge.add-contacts.max-contacts", "10000");
        settings.put("bridge.add-contacts.path", "/api/1.1/public/{{kore.stream-id}}/campaign/contactList/addContacts");
        settings.put("bridge.topic.requests", "contact-list.create");
        settings.put("bridge.topic.created", "contact-list.created");
        settings.put("bridge.topic.dead-letter", "contact-list.create.dlq");
        settings.put("bridge.consumer-group", "contact-list-bridge");
        settings.put("bridge.max-event-bytes", "1048576");
        settings.put("kore.base-url", "https://platform.kore.ai");
        settings.put("kore.stream-id", "st-0603182c-7ffb-53c3-b307-47ca14b00001");
        settings.put("kore.account-id", "67777ce93e25326494e00001");
        settings.put("kore.iid", "st-0603182c-7ffb-53c3-b307-47ca14b00001");
        settings.put("kore.client-id", "cs-5250bdc9-6bfe-5ece-92c9-ab54aa2d4285");
        settings.put("kore.client-secret", SECRET);
        settings.put("kore.jwt.subject", "contact-list-bridge");
        settings.put("kore.jwt.expiry-seconds", "300");
        settings.put("bridge.retry.max-attempts", "5");
        settings.put("bridge.retry.initial-delay-ms", "1000");
        settings.put("bridge.retry.max-delay-ms", "30000");
        settings.put("bridge.retry.max-retry-after-ms", "60000");
        settings.put("bridge.error.message-max-length", "512");
        settings.put("kore.rate-limit.requests-per-minute", "60");
        settings.put("bridge.outage.pause-ms", "60000");
        settings.put("bridge.outage.max-pauses", "10");
        settings.put("bridge.topic.processed", "contact-list.processed");
        settings.put("bridge.dedupe.enabled", "true");
        settings.put("bridge.dedupe.cache-size", "100000");
        settings.put("bridge.dedupe.by-name", "false");
        settings.put("bridge.dedupe.by-name-ttl-ms", "30000");
        settings.put("bridge.dead-letter.max-value-bytes", "1000000");
        settings.put("bridge.max-in-flight", "4");
        settings.put("kore.rate-limit.headroom-percent", "2");
        settings.put("bridge.retry.max-rate-limit-waits", "3");
        return settings;
    }

    private static BridgeSettings load(Map<String, String> settings) {
        return BridgeSettings.load(key -> Optional.ofNullable(settings.get(key)));
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> settings = validSettings();
        settings.put(key, value);
        return settings;
    }

    private static InvalidSettingsException invalid(Map<String, String> settings) {
        try {
            load(settings);
        } catch (InvalidSettingsException e) {
            return e;
        }
        throw new AssertionError("expected InvalidSettingsException");
    }

    @Test
    void aFullValidMapLoadsEverySetting() {
        BridgeSettings s = load(validSettings());

        assertThat(s.kafkaBrokers()).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(s.requestsTopic()).isEqualTo("contact-list.create");
        assertThat(s.createdTopic()).isEqualTo("contact-list.created");
        assertThat(s.deadLetterTopic()).isEqualTo("contact-list.create.dlq");
        assertThat(s.consumerGroup()).isEqualTo("contact-list-bridge");
        assertThat(s.maxEventBytes()).isEqualTo(1_048_576);
        assertThat(s.maxInFlight()).isEqualTo(4);
        assertThat(s.koreBaseUrl()).hasToString("https://platform.kore.ai");
        assertThat(s.streamId()).isEqualTo("st-0603182c-7ffb-53c3-b307-47ca14b00001");
        assertThat(s.accountId()).isEqualTo("67777ce93e25326494e00001");
        assertThat(s.iid()).isEqualTo("st-0603182c-7ffb-53c3-b307-47ca14b00001");
        assertThat(s.clientId()).isEqualTo("cs-5250bdc9-6bfe-5ece-92c9-ab54aa2d4285");
        assertThat(s.clientSecret()).isEqualTo(SECRET);
        assertThat(s.jwtSubject()).isEqualTo("contact-list-bridge");
        assertThat(s.jwtExpiry()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.maxAttempts()).isEqualTo(5);
        assertThat(s.initialDelayMillis()).isEqualTo(1_000);
        assertThat(s.maxDelayMillis()).isEqualTo(30_000);
        assertThat(s.maxRetryAfterMillis()).isEqualTo(60_000);
        assertThat(s.errorMessageMaxLength()).isEqualTo(512);
    }

    @Test
    void addContactsTopicsMustDifferFromEachOtherAndFromTheOtherTopics() {
        assertThat(invalid(with("bridge.add-contacts.topic.done", "contact-list.created")).problems())
                .containsExactly("bridge.add-contacts.topic.done (env BRIDGE_ADD_CONTACTS_TOPIC_DONE) must differ from "
                        + "bridge.topic.created (both are 'contact-list.created')");
        assertThat(invalid(with("bridge.add-contacts.topic.dead-letter", "contact-list.add-contacts")).problems())
                .containsExactly("bridge.add-contacts.topic.dead-letter (env BRIDGE_ADD_CONTACTS_TOPIC_DEAD_LETTER) "
                        + "must differ from bridge.add-contacts.topic.requests (both are 'contact-list.add-contacts')");
    }

    @Test
    void batchesAreKafkasDefaultWithoutABudgetAndOneMinuteOfTheBudgetWithOne() {
        assertThat(load(with("kore.rate-limit.requests-per-minute", "0")).defaultMaxPollRecords()).isEqualTo(500);
        assertThat(load(with("kore.rate-limit.requests-per-minute", "60")).defaultMaxPollRecords()).isEqualTo(60);
        assertThat(load(with("kore.rate-limit.requests-per-minute", "1")).defaultMaxPollRecords()).isEqualTo(1);
        assertThat(load(with("kore.rate-limit.requests-per-minute", "6000")).defaultMaxPollRecords())
                .as("never more than Kafka's default").isEqualTo(500);
    }

    @Test
    void koreRootUrlIsTheBaseUrl() {
        assertThat(load(validSettings()).koreRootUrl()).isEqualTo("https://platform.kore.ai");
    }

    @Test
    void koreRootUrlDropsTrailingSlashesOfTheBaseUrl() {
        assertThat(load(with("kore.base-url", "https://localhost:8089//")).koreRootUrl())
                .isEqualTo("https://localhost:8089");
    }

    @Test
    void refusesAPlainHttpBaseUrlUnlessAllowed() {
        assertThat(invalid(with("kore.base-url", "http://kore.example.com")).problems()).containsExactly(
                "kore.base-url (env KORE_BASE_URL) is plain http (http://kore.example.com): the signed JWT and the "
                        + "event data would travel unencrypted. Use https://, or set kore.allow-plain-http=true "
                        + "(env KORE_ALLOW_PLAIN_HTTP) for a local stand-in such as the sandbox");
        assertThat(invalid(with("kore.base-url", "HTTP://kore.example.com")).problems()).singleElement().asString()
                .contains("is plain http");

        Map<String, String> allowed = with("kore.base-url", "http://localhost:8089");
        allowed.put("kore.allow-plain-http", "true");
        assertThat(load(allowed).koreRootUrl()).isEqualTo("http://localhost:8089");
        assertThat(load(validSettings()).allowPlainHttp()).as("off unless set").isFalse();
    }

    @Test
    void theSwitchesMustBeTrueOrFalse() {
        Map<String, String> settings = validSettings();
        settings.put("kore.allow-plain-http", "yes");
        settings.put("management.health-details", "1");
        assertThat(invalid(settings).problems()).containsExactlyInAnyOrder(
                "kore.allow-plain-http (env KORE_ALLOW_PLAIN_HTTP) must be true or false (got 'yes')",
                "management.health-details (env MANAGEMENT_HEALTH_DETAILS) must be true or false (got '1')");
    }

    @Test
    void valuesAreStripped() {
        assertThat(load(with("kafka.brokers", "  localhost:9092 ")).kafkaBrokers()).isEqualTo("localhost:9092");
    }

    @Test
    void anEmptyMapNamesEveryRequiredKeyWithItsEnvVarInOneMessage() {
        InvalidSettingsException e = invalid(Map.of());

        assertThat(e.problems()).hasSize(REQUIRED_KEYS_AND_ENV.size());
        assertThat(e.getMessage()).startsWith("contact-list-bridge cannot start: " + REQUIRED_KEYS_AND_ENV.size()
                + " settings need fixing");
        REQUIRED_KEYS_AND_ENV.forEach((key, env) ->
                assertThat(e.getMessage()).contains(key + " (env " + env + ") is missing"));
    }

    @Test
    void blankValuesCountAsMissing() {
        InvalidSettingsException e = invalid(with("kore.stream-id", "   "));

        assertThat(e.problems()).containsExactly("kore.stream-id (env KORE_STREAM_ID) is missing");
        assertThat(e.getMessage()).startsWith("contact-list-bridge cannot start: 1 setting needs fixing");
    }

    @Test
    void severalProblemsAreReportedTogether() {
        Map<String, String> settings = validSettings();
        settings.remove("kafka.brokers");
        settings.put("kore.base-url", "ftp://x");
        settings.put("kore.jwt.expiry-seconds", "3601");

        assertThat(invalid(settings).problems()).hasSize(3);
    }

    @Test
    void shippedApplicationPropertiesNeedOnlyTheDeploymentSpecificSettings() throws Exception {
        Properties shipped = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("config/application.properties"),
                StandardCharsets.UTF_8)) {
            shipped.load(reader);
        }

        InvalidSettingsException e = invalid(toMap(shipped));
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "kafka.brokers (env KAFKA_BROKERS) is missing",
                "kore.stream-id (env KORE_STREAM_ID) is missing",
                "kore.account-id (env KORE_ACCOUNT_ID) is missing",
                "kore.iid (env KORE_IID) is missing",
                "kore.client-id (env KORE_CLIENT_ID) is missing",
                "kore.client-secret (env KORE_CLIENT_SECRET) is missing");

        Map<String, String> completed = toMap(shipped);
        for (String key : List.of("kafka.brokers", "kore.stream-id", "kore.account-id", "kore.iid",
                "kore.client-id", "kore.client-secret")) {
            completed.put(key, validSettings().get(key));
        }
        BridgeSettings settings = load(completed);
        assertThat(settings.requestsTopic()).isEqualTo("contact-list.create");
        assertThat(settings.koreBaseUrl()).hasToString("https://platform.kore.ai");
    }

    private static Map<String, String> toMap(Properties properties) {
        Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }

    @Test
    void rejectsANonHttpBaseUrl() {
        assertThat(invalid(with("kore.base-url", "ftp://x")).problems()).containsExactly(
                "kore.base-url (env KORE_BASE_URL) must be an http or https URL such as https://platform.kore.ai "
                        + "(got 'ftp://x')");
    }

    @Test
    void rejectsABaseUrlThatIsNotAUrl() {
        assertThat(invalid(with("kore.base-url", "not a url")).problems()).singleElement().asString()
                .startsWith("kore.base-url (env KORE_BASE_URL) is not a valid URL");
    }

    @Test
    void rejectsABaseUrlWithoutScheme() {
        assertThat(invalid(with("kore.base-url", "platform.kore.ai")).problems()).singleElement().asString()
                .contains("must be an http or https URL");
    }

    @Test
    void rejectsABaseUrlWithAQuery() {
        assertThat(invalid(with("kore.base-url", "https://platform.kore.ai?x=1")).problems()).singleElement()
                .asString().contains("must not have a query or fragment");
    }

    @Test
    void rejectsABaseUrlWithAFragmentOrUserInfo() {
        assertThat(invalid(with("kore.base-url", "https://platform.kore.ai#top")).problems()).singleElement()
                .asString().contains("must not have a query or fragment");
        assertThat(invalid(with("kore.base-url", "https://user:hunter2@platform.kore.ai")).problems())
                .singleElement().asString().contains("must not contain user info").doesNotContain("hunter2");
    }

    @Test
    void rejectsABaseUrlWithoutHost() {
        assertThat(invalid(with("kore.base-url", "https:///path")).problems()).singleElement().asString()
                .contains("has no host");
    }

    @Test
    void rejectsAStreamIdWithASlash() {
        assertThat(invalid(with("kore.stream-id", "st-1/../admin")).problems()).containsExactly(
                "kore.stream-id (env KORE_STREAM_ID) may contain only letters, digits and . _ : - "
                        + "(got 'st-1/../admin')");
    }

    @Test
    void rejectsAStreamIdWithAQuestionMark() {
        assertThat(invalid(with("kore.stream-id", "st-1?x=1")).problems()).singleElement().asString()
                .startsWith("kore.stream-id (env KORE_STREAM_ID) may contain only");
    }

    @Test
    void rejectsAnAccountIdOrIidWithUnsafeCharacters() {
        assertThat(invalid(with("kore.account-id", "acc&x=1")).problems()).singleElement().asString()
                .startsWith("kore.account-id (env KORE_ACCOUNT_ID) may contain only");
        assertThat(invalid(with("kore.iid", "st 1")).problems()).singleElement().asString()
                .startsWith("kore.iid (env KORE_IID) may contain only");
    }

    @Test
    void rejectsASecretShorterThan32BytesWithoutShowingIt() {
        String shortSecret = "short-secret-0123456789-abcdefg"; // 31 bytes

        InvalidSettingsException e = invalid(with("kore.client-secret", shortSecret));

        assertThat(e.problems()).containsExactly("kore.client-secret (env KORE_CLIENT_SECRET) is too short: HS256 "
                + "needs at least 32 bytes (the value is not shown)");
        assertThat(e.getMessage()).doesNotContain(shortSecret);
        assertThat(e.toString()).doesNotContain(shortSecret);
    }

    @Test
    void countsTheSecretLengthInUtf8Bytes() {
        assertThat(load(with("kore.client-secret", "é".repeat(16))).clientSecret()).isEqualTo("é".repeat(16));
        assertThat(invalid(with("kore.client-secret", "é".repeat(15) + "x")).problems()).hasSize(1);
    }

    @Test
    void acceptsAJwtExpiryOfOneHour() {
        assertThat(load(with("kore.jwt.expiry-seconds", "3600")).jwtExpiry()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void rejectsAJwtExpiryOf3601Seconds() {
        assertThat(invalid(with("kore.jwt.expiry-seconds", "3601")).problems()).containsExactly(
                "kore.jwt.expiry-seconds (env KORE_JWT_EXPIRY_SECONDS) must be between 1 and 3600 (got 3601)");
    }

    @Test
    void rejectsANonNumericNumber() {
        assertThat(invalid(with("bridge.retry.max-attempts", "five")).problems()).containsExactly(
                "bridge.retry.max-attempts (env BRIDGE_RETRY_MAX_ATTEMPTS) must be a whole number (got 'five')");
    }

    @Test
    void rejectsEqualRequestsAndCreatedTopics() {
        assertThat(invalid(with("bridge.topic.created", "contact-list.create")).problems()).containsExactly(
                "bridge.topic.created (env BRIDGE_TOPIC_CREATED) must differ from bridge.topic.requests "
                        + "(both are 'contact-list.create')");
    }

    @Test
    void rejectsEqualRequestsAndDeadLetterTopics() {
        assertThat(invalid(with("bridge.topic.dead-letter", "contact-list.create")).problems()).singleElement()
                .asString().contains("must differ from bridge.topic.requests");
    }

    @Test
    void rejectsEqualCreatedAndDeadLetterTopics() {
        assertThat(invalid(with("bridge.topic.dead-letter", "contact-list.created")).problems()).singleElement()
                .asString().contains("must differ from bridge.topic.created");
    }

    @Test
    void toStringNeverContainsTheSecret() {
        BridgeSettings settings = load(validSettings());

        assertThat(settings.toString()).doesNotContain(SECRET).contains("clientSecret=***")
                .contains("cs-5250bdc9-6bfe-5ece-92c9-ab54aa2d4285");
    }

    @Test
    void envNameFollowsCamelsRule() {
        assertThat(BridgeSettings.envName("kore.client-secret")).isEqualTo("KORE_CLIENT_SECRET");
        assertThat(BridgeSettings.envName("bridge.topic.dead-letter")).isEqualTo("BRIDGE_TOPIC_DEAD_LETTER");
    }

    @Test
    void clientSecretCanComeFromAFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("kore-secret");
        Files.writeString(file, SECRET + "\n");
        Map<String, String> settings = validSettings();
        settings.remove("kore.client-secret");
        settings.put("kore.client-secret-file", file.toString());

        assertThat(load(settings).clientSecret()).isEqualTo(SECRET);
    }

    @Test
    void clientSecretAndSecretFileTogetherAreRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("kore-secret");
        Files.writeString(file, SECRET);
        Map<String, String> settings = validSettings();
        settings.put("kore.client-secret-file", file.toString());

        assertThat(invalid(settings).problems()).singleElement().asString()
                .contains("kore.client-secret-file (env KORE_CLIENT_SECRET_FILE) and kore.client-secret are both set");
    }

    @Test
    void unreadableSecretFileIsNamedWithoutContent() {
        Map<String, String> settings = validSettings();
        settings.remove("kore.client-secret");
        settings.put("kore.client-secret-file", "/nonexistent/kore-secret");

        assertThat(invalid(settings).problems()).singleElement().asString()
                .contains("names a file that cannot be read: /nonexistent/kore-secret");
    }

    @Test
    void proxyIsHostColonPort() {
        BridgeSettings settings = load(with("kore.http.proxy", "proxy.example.com:3128"));
        assertThat(settings.proxyHost()).isEqualTo("proxy.example.com");
        assertThat(settings.proxyPort()).isEqualTo(3128);
        assertThat(load(validSettings()).proxyHost()).isNull();
        assertThat(invalid(with("kore.http.proxy", "proxy.example.com")).problems()).singleElement().asString()
                .contains("must be host:port");
        assertThat(invalid(with("kore.http.proxy", "proxy:99999")).problems()).singleElement().asString()
                .contains("outside 1..65535");
    }

    @Test
    void missingTruststoreFileIsRefused() {
        assertThat(invalid(with("kore.http.truststore-location", "/nonexistent/trust.p12")).problems())
                .singleElement().asString().contains("kore.http.truststore-location")
                .contains("does not exist or cannot be read");
    }

    @Test
    void rateLimitZeroMeansUnlimitedAndNegativeIsRefused() {
        assertThat(load(with("kore.rate-limit.requests-per-minute", "0")).requestsPerMinute()).isZero();
        assertThat(invalid(with("kore.rate-limit.requests-per-minute", "-1")).problems()).hasSize(1);
    }

    @Test
    void worstCasePerRecordWithTheShippedDefaultsFitsTheShippedPollInterval() {
        // 5 x (5 s + 30 s) + 4 x 60 s + 3 rate-limit waits x 60 s, see config/application.properties
        // (max-poll-interval-ms = 1200000).
        assertThat(load(validSettings()).worstCaseRecordMillis(5_000, 30_000)).isEqualTo(595_000);
        Map<String, String> settings = validSettings();
        settings.put("bridge.retry.max-rate-limit-waits", "0");
        assertThat(load(settings).worstCaseRecordMillis(5_000, 30_000)).isEqualTo(415_000);
    }

    @Test
    void requestSlotsAreSpreadEvenlyWithTheHeadroom() {
        Map<String, String> settings = validSettings();
        settings.put("kore.rate-limit.requests-per-minute", "60");
        assertThat(load(settings).requestSlotMillis()).isEqualTo(1_020);
        settings.put("kore.rate-limit.headroom-percent", "0");
        assertThat(load(settings).requestSlotMillis()).isEqualTo(1_000);
        settings.put("kore.rate-limit.requests-per-minute", "7");
        assertThat(load(settings).requestSlotMillis()).as("rounded up").isEqualTo(8_572);
        settings.put("kore.rate-limit.requests-per-minute", "0");
        assertThat(load(settings).requestSlotMillis()).as("unlimited").isZero();
        settings.put("kore.rate-limit.headroom-percent", "51");
        assertThatThrownBy(() -> load(settings)).hasMessageContaining("kore.rate-limit.headroom-percent");
    }

    @Test
    void worstCasePerBatchWithTheShippedDefaultsFitsTheShippedPollInterval() {
        // Events start at the pace of the budget (1020 ms apart) or of Kore.ai's answers when all 4 slots wait for
        // one (35 s / 4), but never after half of the poll interval; plus one event retried to the end (595 s).
        Map<String, String> settings = validSettings();
        settings.put("kore.rate-limit.requests-per-minute", "60");
        assertThat(load(settings).worstCaseBatchMillis(5_000, 30_000, 10, 1_200_000)).isEqualTo(87_500 + 595_000);
        assertThat(load(settings).worstCaseBatchMillis(5_000, 30_000, 500, 1_200_000))
                .as("the start window caps the batch").isEqualTo(600_000 + 595_000);
        settings.put("bridge.max-in-flight", "64");
        assertThat(load(settings).worstCaseBatchMillis(5_000, 30_000, 100, 1_200_000))
                .as("the budget paces the starts").isEqualTo(102_000 + 595_000);
        settings.put("kore.rate-limit.requests-per-minute", "0");
        assertThat(load(settings).worstCaseBatchMillis(5_000, 30_000, 64, 1_200_000)).isEqualTo(64 * (35_000 / 64) + 595_000);
    }
}
