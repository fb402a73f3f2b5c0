package com.contactlistbridge.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Verifies that {@link KoreSandbox} enforces the Create Contact List API-v2 contract over real HTTP.
 */
class KoreSandboxTest {

    private static final String STREAM_ID = "st-test-stream";
    private static final String ACCOUNT_ID = "acc-test";
    private static final String IID = "st-test-app";
    private static final String CLIENT_ID = "cs-test-client";
    // 64 bytes, so the algorithm test can also sign HS512 with it and reach the alg check.
    private static final String SECRET = "test-secret-only-for-unit-tests-0123456789abcdef0123456789abcdef";
    private static final String ISO_MILLIS_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final MutableClock CLOCK = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

    private static KoreSandbox sandbox;

    @BeforeAll
    static void startSandbox() {
        sandbox = new KoreSandbox(settings(0), CLOCK).start();
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    // ---------------------------------------------------------------- success

    @Test
    void addContactsQueuesContactsForAListCreatedBeforeAndRefusesOthers() throws Exception {
        assertThat(create(sandbox, validHeaders(CLOCK), body("Add Contacts Target", "d")).statusCode()).isEqualTo(200);
        HttpRequest.Builder add = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/api/1.1/public/" + STREAM_ID
                + "/campaign/contactList/addContacts?accountId=" + ACCOUNT_ID));

        HttpResponse<String> queued = send(add.copy().POST(HttpRequest.BodyPublishers.ofString(
                "{\"contact_list_name\":\"add contacts target\",\"data\":[{\"phoneNumber\":\"9122333445566\"}]}")),
                validHeaders(CLOCK));
        assertThat(queued.statusCode()).as(queued.body()).isEqualTo(200);
        assertThat(JSON.readTree(queued.body()).path("message").asText()).isEqualTo(KoreSandbox.CONTACTS_QUEUED_MESSAGE);

        assertError(send(add.copy().POST(HttpRequest.BodyPublishers.ofString(
                "{\"contact_list_name\":\"No Such List\",\"data\":[{\"phoneNumber\":\"9122333445566\"}]}")),
                validHeaders(CLOCK)), 400, 400, "No contact list with this name");
        assertError(send(add.copy().POST(HttpRequest.BodyPublishers.ofString(
                "{\"contact_list_name\":\"Add Contacts Target\",\"data\":[{\"phoneNumber\":\"12-34\"}]}")),
                validHeaders(CLOCK)), 400, 400, "phoneNumber");
        assertError(send(add.copy().POST(HttpRequest.BodyPublishers.ofString("{}")), Map.of()), 401, 4002, "");
    }

    @Test
    void createsListWithTheDocumentedResponseShape() throws Exception {
        HttpResponse<String> response = create(sandbox, validHeaders(CLOCK), body("Renewal Due 1- July 2025", "Customers renewing in July"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Sandbox")).hasValue("kore-contact-list-sandbox");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.path("status").asText()).isEqualTo("success");
        assertThat(json.path("message").asText()).isEqualTo("Contact list Renewal Due 1- July 2025 created successfully");
        JsonNode data = json.path("data");
        List<String> fields = new ArrayList<>();
        data.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("isActive", "name", "description", "totalRecordCount", "status", "createdBy",
                "updatedBy", "mapping", "isListInUse", "listType", "isGlobalDNC", "isDefault", "campaignInUse", "source",
                "apiConfigurations", "columns", "files", "createdAt", "updatedAt", "_id", "allowDuplicates");
        assertThat(data.path("_id").asText()).startsWith("cl-");
        assertThat(data.path("name").asText()).isEqualTo("Renewal Due 1- July 2025");
        assertThat(data.path("description").asText()).isEqualTo("Customers renewing in July");
        assertThat(data.path("isActive").asBoolean()).isTrue();
        assertThat(data.path("totalRecordCount").isInt()).isTrue();
        assertThat(data.path("totalRecordCount").asInt()).isZero();
        assertThat(data.path("status").asText()).isEqualTo("Ready");
        assertThat(data.path("createdBy").asText()).isEqualTo("u-sandbox");
        assertThat(data.path("mapping").path("contactPriority").asText()).isEqualTo("contactPriority");
        assertThat(data.path("mapping").size()).isEqualTo(6);
        assertThat(data.path("listType").asText()).isEqualTo("call");
        assertThat(data.path("campaignInUse").isArray()).isTrue();
        assertThat(data.path("campaignInUse").isEmpty()).isTrue();
        assertThat(data.path("source").asText()).isEqualTo("passiveApi");
        assertThat(data.path("apiConfigurations").path("dataSyncMode").asText()).isEqualTo("allowDuplicates");
        assertThat(data.path("allowDuplicates").isBoolean()).isTrue();
        assertThat(data.path("allowDuplicates").asBoolean()).isFalse();
        assertThat(data.path("createdAt").asText()).matches(ISO_MILLIS_UTC);
        assertThat(Instant.parse(data.path("createdAt").asText())).isEqualTo(CLOCK.instant().truncatedTo(ChronoUnit.MILLIS));
        assertThat(data.path("updatedAt").asText()).isEqualTo(data.path("createdAt").asText());
        assertThat(sandbox.createdIds()).contains(data.path("_id").asText());
    }

    @Test
    void echoesAllowDuplicatesAndIgnoresUnknownFields() throws Exception {
        Map<String, Object> body = body("With duplicates", "desc");
        body.put("allowDuplicates", true);
        body.put("crmReference", "ignored-by-the-api");

        HttpResponse<String> response = create(sandbox, validHeaders(CLOCK), body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("data").path("allowDuplicates").asBoolean()).isTrue();
    }

    @Test
    void acceptsJsonContentTypeWithCharset() throws Exception {
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("Content-Type", "application/json; charset=UTF-8");

        assertThat(create(sandbox, headers, body("Charset list", "desc")).statusCode()).isEqualTo(200);
    }

    @Test
    void listsCreatedContactLists() throws Exception {
        String id = JSON.readTree(create(sandbox, validHeaders(CLOCK), body("Listed list", "desc")).body())
                .path("data").path("_id").asText();

        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl()
                        + KoreSandbox.getAllListDetailsPath(STREAM_ID) + "?accountId=" + ACCOUNT_ID + "&type=call")).GET(),
                validHeaders(CLOCK));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.path("status").asText()).isEqualTo("success");
        List<String> ids = new ArrayList<>();
        json.path("data").forEach(list -> ids.add(list.path("_id").asText()));
        assertThat(ids).contains(id);
    }

    @Test
    void servesConcurrentRequestsWithDistinctIds() {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(HTTP.sendAsync(createRequest(sandbox, validHeaders(CLOCK), json(body("Parallel " + i, "desc"))),
                    HttpResponse.BodyHandlers.ofString()));
        }

        List<String> ids = calls.stream().map(CompletableFuture::join)
                .peek(response -> assertThat(response.statusCode()).isEqualTo(200))
                .map(response -> readTree(response.body()).path("data").path("_id").asText())
                .toList();

        assertThat(new HashSet<>(ids)).hasSize(20);
    }

    // ---------------------------------------------------------------- routing

    @Test
    void unknownPathIs404() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl()
                + "/campaign/api/v2/public/" + STREAM_ID + "/campaign/contactList/nope?accountId=" + ACCOUNT_ID))
                .POST(HttpRequest.BodyPublishers.ofString("{}")), validHeaders(CLOCK));

        assertError(response, 404, 404, "Not found");
        assertThat(response.headers().firstValue("X-Sandbox")).hasValue("kore-contact-list-sandbox");
    }

    @Test
    void otherStreamIdIs404() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl()
                        + KoreSandbox.createContactListPath("st-other") + "?accountId=" + ACCOUNT_ID))
                .POST(HttpRequest.BodyPublishers.ofString(json(body("n", "d")))), validHeaders(CLOCK));

        assertError(response, 404, 404, "streamId");
    }

    @Test
    void wrongMethodIs405() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl()
                + KoreSandbox.createContactListPath(STREAM_ID) + "?accountId=" + ACCOUNT_ID)).GET(), validHeaders(CLOCK));

        assertError(response, 405, 405, "POST");
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    }

    // ---------------------------------------------------------------- authentication

    @Test
    void missingAuthIs401() throws Exception {
        Map<String, String> headers = validHeaders(CLOCK);
        headers.remove("auth");

        assertError(create(sandbox, headers, body("n", "d")), 401, 4002, "Invalid SDK credentials");
    }

    @Test
    void bearerPrefixIs401() throws Exception {
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("auth", "Bearer " + headers.get("auth"));

        assertError(create(sandbox, headers, body("n", "d")), 401, 4002, "Bearer");
    }

    @Test
    void badSignatureIs401() throws Exception {
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("auth", sign(claims(CLOCK, b -> { }), JWSAlgorithm.HS256, "another-secret-that-is-long-enough-0123456789"));

        HttpResponse<String> response = create(sandbox, headers, body("n", "d"));

        assertError(response, 401, 4002, "signature");
        assertThat(response.body()).doesNotContain(headers.get("auth")).doesNotContain(SECRET);
    }

    @Test
    void garbageTokenIs401() throws Exception {
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("auth", "not-a-jwt");

        assertError(create(sandbox, headers, body("n", "d")), 401, 4002, "well-formed");
    }

    @Test
    void algorithmOtherThanHs256Is401() throws Exception {
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("auth", sign(claims(CLOCK, b -> { }), JWSAlgorithm.HS512, SECRET));

        assertError(create(sandbox, headers, body("n", "d")), 401, 4002, "HS256");
    }

    @Test
    void wrongAppIdIs401() throws Exception {
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("auth", sign(claims(CLOCK, b -> b.claim("appId", "cs-someone-else")), JWSAlgorithm.HS256, SECRET));

        assertError(create(sandbox, headers, body("n", "d")), 401, 4002, "appId");
    }

    @Test
    void misspelledAppIdClaimIs401() throws Exception {
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("auth", sign(claims(CLOCK, b -> b.claim("appId", null).claim("appID", CLIENT_ID)), JWSAlgorithm.HS256, SECRET));

        assertError(create(sandbox, headers, body("n", "d")), 401, 4002, "spelled exactly 'appId'");
    }

    @Test
    void lifetimeLongerThanOneHourIs401() throws Exception {
        Instant now = CLOCK.instant();
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("auth", sign(claims(CLOCK, b -> b.issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3601)))),
                JWSAlgorithm.HS256, SECRET));

        assertError(create(sandbox, headers, body("n", "d")), 401, 4002, "3600");
    }

    @Test
    void lifetimeOfExactlyOneHourIsAccepted() throws Exception {
        Instant now = CLOCK.instant();
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("auth", sign(claims(CLOCK, b -> b.issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600)))),
                JWSAlgorithm.HS256, SECRET));

        assertThat(create(sandbox, headers, body("One hour token", "d")).statusCode()).isEqualTo(200);
    }

    @Test
    void expiredTokenIs401() throws Exception {
        Instant now = CLOCK.instant();
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("auth", sign(claims(CLOCK, b -> b.issueTime(Date.from(now.minusSeconds(120)))
                .expirationTime(Date.from(now.minusSeconds(60)))), JWSAlgorithm.HS256, SECRET));

        assertError(create(sandbox, headers, body("n", "d")), 401, 4002, "expired");
    }

    @Test
    void missingExpIatOrJtiIs401() throws Exception {
        for (Consumer<JWTClaimsSet.Builder> removal : List.<Consumer<JWTClaimsSet.Builder>>of(
                b -> b.expirationTime(null), b -> b.issueTime(null), b -> b.jwtID(null))) {
            Map<String, String> headers = validHeaders(CLOCK);
            headers.put("auth", sign(claims(CLOCK, removal), JWSAlgorithm.HS256, SECRET));

            assertError(create(sandbox, headers, body("n", "d")), 401, 4002, "claim is required");
        }
    }

    @Test
    void reusedJtiIs401() throws Exception {
        String token = sign(claims(CLOCK, b -> { }), JWSAlgorithm.HS256, SECRET);
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("auth", token);

        assertThat(create(sandbox, headers, body("First use", "d")).statusCode()).isEqualTo(200);
        assertError(create(sandbox, headers, body("Replayed", "d")), 401, 4002, "possibly a replay");
    }

    // ---------------------------------------------------------------- application and account

    @Test
    void wrongOrMissingIidIs401() throws Exception {
        Map<String, String> wrong = validHeaders(CLOCK);
        wrong.put("iid", "st-other-app");
        Map<String, String> missing = validHeaders(CLOCK);
        missing.remove("iid");

        assertError(create(sandbox, wrong, body("n", "d")), 401, 4002, "iid");
        assertError(create(sandbox, missing, body("n", "d")), 401, 4002, "iid");
    }

    @Test
    void wrongOrMissingAccountIdHeaderIs400() throws Exception {
        Map<String, String> wrong = validHeaders(CLOCK);
        wrong.put("accountId", "acc-other");
        Map<String, String> missing = validHeaders(CLOCK);
        missing.remove("accountId");

        assertError(create(sandbox, wrong, body("n", "d")), 400, 400, "accountId header");
        assertError(create(sandbox, missing, body("n", "d")), 400, 400, "accountId header");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "?accountId=acc-other", "?other=1"})
    void wrongOrMissingAccountIdQueryIs400(String query) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl()
                        + KoreSandbox.createContactListPath(STREAM_ID) + query))
                .POST(HttpRequest.BodyPublishers.ofString(json(body("n", "d")))), validHeaders(CLOCK));

        assertError(response, 400, 400, "query parameter accountId");
    }

    // ---------------------------------------------------------------- body validation

    @Test
    void nameOf48CharactersIsAcceptedAnd49Rejected() throws Exception {
        assertThat(create(sandbox, validHeaders(CLOCK), body("n".repeat(48), "d")).statusCode()).isEqualTo(200);
        assertError(create(sandbox, validHeaders(CLOCK), body("n".repeat(49), "d")), 400, 400, "name must be at most 48");
    }

    @Test
    void descriptionOf256CharactersIsAcceptedAnd257Rejected() throws Exception {
        assertThat(create(sandbox, validHeaders(CLOCK), body("Long description", "d".repeat(256))).statusCode()).isEqualTo(200);
        assertError(create(sandbox, validHeaders(CLOCK), body("Too long description", "d".repeat(257))), 400, 400,
                "description must be at most 256");
    }

    @Test
    void nonAsciiNameIsCountedInUtf16CodeUnits() throws Exception {
        String emoji = "\uD83D\uDCDE"; // one code point, two UTF-16 code units, like JavaScript's length
        String twentyFour = emoji.repeat(24);
        String twentyFive = emoji.repeat(25);
        assertThat(twentyFour.length()).isEqualTo(48);

        HttpResponse<String> accepted = create(sandbox, validHeaders(CLOCK), body(twentyFour, "d"));
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(accepted.body()).path("data").path("name").asText()).isEqualTo(twentyFour);
        assertError(create(sandbox, validHeaders(CLOCK), body(twentyFive, "d")), 400, 400, "was 50");
        assertThat(create(sandbox, validHeaders(CLOCK), body("é".repeat(48), "d")).statusCode()).isEqualTo(200);
    }

    @Test
    void missingBlankOrNonStringNameIsRejected() throws Exception {
        Map<String, Object> missing = body("x", "d");
        missing.remove("name");
        Map<String, Object> number = body("x", "d");
        number.put("name", 42);

        assertError(create(sandbox, validHeaders(CLOCK), missing), 400, 400, "name is required");
        assertError(create(sandbox, validHeaders(CLOCK), body("   ", "d")), 400, 400, "name must not be blank");
        assertError(create(sandbox, validHeaders(CLOCK), number), 400, 400, "name must be a string");
    }

    @Test
    void missingDescriptionIsRejected() throws Exception {
        Map<String, Object> missing = body("x", "d");
        missing.remove("description");

        assertError(create(sandbox, validHeaders(CLOCK), missing), 400, 400, "description is required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"<missing>", "file", "PassiveApi", "passiveApiIntegration"})
    void sourceOtherThanPassiveApiIsRejected(String source) throws Exception {
        Map<String, Object> body = body("x", "d");
        if (source.equals("<missing>")) {
            body.remove("source");
        } else {
            body.put("source", source);
        }

        assertError(create(sandbox, validHeaders(CLOCK), body), 400, 400, "source");
    }

    @Test
    void allowDuplicatesAsStringIsRejected() throws Exception {
        Map<String, Object> body = body("x", "d");
        body.put("allowDuplicates", "true");

        assertError(create(sandbox, validHeaders(CLOCK), body), 400, 400, "allowDuplicates must be a boolean");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":", "not json", "[]", "\"text\"", "", "{\"name\":\"a\"} trailing"})
    void malformedOrNonObjectJsonIsRejected(String rawBody) throws Exception {
        HttpResponse<String> response = send(createBuilder(sandbox).POST(HttpRequest.BodyPublishers.ofString(rawBody)),
                validHeaders(CLOCK));

        assertError(response, 400, 400, "JSON");
    }

    @Test
    void otherContentTypeIsRejected() throws Exception {
        Map<String, String> headers = validHeaders(CLOCK);
        headers.put("Content-Type", "text/plain");

        assertError(create(sandbox, headers, body("x", "d")), 400, 400, "Content-Type must be application/json");
    }

    // ---------------------------------------------------------------- rate limit

    @Test
    void fourthRequestInAMinuteIs429WithRetryAfterUntilTheWindowMoves() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2025-07-01T10:00:00Z"));
        try (KoreSandbox limited = new KoreSandbox(settings(3), clock).start()) {
            for (int i = 0; i < 3; i++) {
                assertThat(create(limited, validHeaders(clock), body("Within budget " + i, "d")).statusCode()).isEqualTo(200);
            }

            HttpResponse<String> refused = create(limited, validHeaders(clock), body("Over budget", "d"));
            assertError(refused, 429, 429, KoreSandbox.RATE_LIMIT_MESSAGE);
            assertThat(JSON.readTree(refused.body()).path("errors").get(0).path("msg").asText())
                    .isEqualTo("You've exceeded the per-minute rate limit. Please wait for sometime before retrying.");
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("60");

            clock.advance(Duration.ofSeconds(20));
            assertThat(create(limited, validHeaders(clock), body("Still over", "d")).headers().firstValue("Retry-After"))
                    .hasValue("40");

            clock.advance(Duration.ofSeconds(40));
            assertThat(create(limited, validHeaders(clock), body("Window moved", "d")).statusCode()).isEqualTo(200);
            assertThat(limited.rejections(429)).isEqualTo(2);
            assertThat(limited.listsCreated()).isEqualTo(4);
        }
    }

    @Test
    void concurrentRequestsNeverOvershootTheBudget() {
        try (KoreSandbox limited = new KoreSandbox(settings(5), CLOCK).start()) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(HTTP.sendAsync(createRequest(limited, validHeaders(CLOCK), json(body("Burst " + i, "d"))),
                        HttpResponse.BodyHandlers.ofString()));
            }

            List<Integer> statuses = calls.stream().map(call -> call.join().statusCode()).toList();

            assertThat(statuses).filteredOn(status -> status == 200).hasSize(5);
            assertThat(statuses).filteredOn(status -> status == 429).hasSize(15);
            assertThat(limited.rejectionsByStatus()).containsEntry(429, 15L);
        }
    }

    // ---------------------------------------------------------------- lifecycle and settings

    @Nested
    class Lifecycle {

        @Test
        void runBlocksUntilClosedAndCloseIsIdempotent() throws Exception {
            KoreSandbox runnable = new KoreSandbox(settings(0), CLOCK);
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    runnable.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> runnable.port() > 0);
            assertThat(runnable.baseUrl()).isEqualTo("http://127.0.0.1:" + runnable.port());
            assertThat(create(runnable, validHeaders(CLOCK), body("Before close", "d")).statusCode()).isEqualTo(200);
            assertThat(running).isNotDone();

            runnable.close();
            runnable.close();

            running.get(10, TimeUnit.SECONDS);
            assertThat(runnable.awaitTermination(Duration.ZERO)).isTrue();
            assertThatThrownBy(runnable::start).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(runnable::port).isInstanceOf(IllegalStateException.class);
        }

        @Test
        void startTwiceIsRefused() {
            try (KoreSandbox once = new KoreSandbox(settings(0), CLOCK).start()) {
                assertThatThrownBy(once::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("started");
            }
        }

        @Test
        void countsRequestsAndRejections() throws Exception {
            try (KoreSandbox counted = new KoreSandbox(settings(0), CLOCK).start()) {
                create(counted, validHeaders(CLOCK), body("Counted", "d"));
                Map<String, String> noAuth = validHeaders(CLOCK);
                noAuth.remove("auth");
                create(counted, noAuth, body("Counted", "d"));

                assertThat(counted.requestsServed()).isEqualTo(2);
                assertThat(counted.listsCreated()).isEqualTo(1);
                assertThat(counted.createdIds()).hasSize(1).allSatisfy(id -> assertThat(id).startsWith("cl-"));
                assertThat(counted.rejectionsByStatus()).containsExactlyEntriesOf(Map.of(401, 1L));
            }
        }
    }

    @Nested
    class Settings {

        @Test
        void environmentDefaultsToDemoCredentials() {
            SandboxSettings settings = SandboxSettings.fromEnvironment(Map.of());

            assertThat(settings).isEqualTo(new SandboxSettings("0.0.0.0", 8089, DemoCredentials.STREAM_ID,
                    DemoCredentials.ACCOUNT_ID, DemoCredentials.IID, DemoCredentials.CLIENT_ID,
                    DemoCredentials.CLIENT_SECRET, 60));
            assertThat(DemoCredentials.CLIENT_SECRET.length()).isGreaterThanOrEqualTo(40);
        }

        @Test
        void environmentOverridesEverySetting() {
            Map<String, String> env = new HashMap<>();
            env.put("SANDBOX_PORT", "0");
            env.put("SANDBOX_BIND_HOST", "127.0.0.1");
            env.put("KORE_STREAM_ID", STREAM_ID);
            env.put("KORE_ACCOUNT_ID", ACCOUNT_ID);
            env.put("KORE_IID", IID);
            env.put("KORE_CLIENT_ID", CLIENT_ID);
            env.put("KORE_CLIENT_SECRET", SECRET);
            env.put("KORE_RATE_LIMIT_REQUESTS_PER_MINUTE", "0");

            assertThat(SandboxSettings.fromEnvironment(env)).isEqualTo(settings(0));
            try (KoreSandbox fromEnv = KoreSandbox.fromEnvironment(env).start()) {
                assertThat(fromEnv.baseUrl()).startsWith("http://127.0.0.1:");
            }
        }

        @Test
        void invalidValuesAreRefusedWithTheirName() {
            assertThatThrownBy(() -> SandboxSettings.fromEnvironment(Map.of("SANDBOX_PORT", "eighty")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SANDBOX_PORT");
            assertThatThrownBy(() -> SandboxSettings.fromEnvironment(Map.of("KORE_RATE_LIMIT_REQUESTS_PER_MINUTE", "-1")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestsPerMinute");
            assertThatThrownBy(() -> new SandboxSettings("127.0.0.1", 70_000, STREAM_ID, ACCOUNT_ID, IID, CLIENT_ID, SECRET, 0))
                    .hasMessageContaining("port");
            assertThatThrownBy(() -> new SandboxSettings("127.0.0.1", 0, "st/with/slash", ACCOUNT_ID, IID, CLIENT_ID, SECRET, 0))
                    .hasMessageContaining("streamId");
            assertThatThrownBy(() -> new SandboxSettings("127.0.0.1", 0, STREAM_ID, ACCOUNT_ID, " ", CLIENT_ID, SECRET, 0))
                    .hasMessageContaining("iid");
        }

        @Test
        void shortSecretIsRefusedWithoutEchoingIt() {
            assertThatThrownBy(() -> new SandboxSettings("127.0.0.1", 0, STREAM_ID, ACCOUNT_ID, IID, CLIENT_ID, "too-short-secret", 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least 32 bytes")
                    .hasMessageNotContaining("too-short-secret");
        }

        @Test
        void toStringHidesTheSecret() {
            assertThat(settings(0).toString()).doesNotContain(SECRET).contains("redacted").contains(CLIENT_ID);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static SandboxSettings settings(int requestsPerMinute) {
        return new SandboxSettings("127.0.0.1", 0, STREAM_ID, ACCOUNT_ID, IID, CLIENT_ID, SECRET, requestsPerMinute);
    }

    private static Map<String, String> validHeaders(Clock clock) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("auth", sign(claims(clock, b -> { }), JWSAlgorithm.HS256, SECRET));
        headers.put("iid", IID);
        headers.put("accountId", ACCOUNT_ID);
        headers.put("Content-Type", "application/json");
        return headers;
    }

    /** Claims the bridge sends (appId, sub, iat, exp, a fresh jti), adjusted by the test. */
    private static JWTClaimsSet claims(Clock clock, Consumer<JWTClaimsSet.Builder> adjustment) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .claim("appId", CLIENT_ID)
                .subject("contact-list-bridge-test")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .jwtID(UUID.randomUUID().toString());
        adjustment.accept(builder);
        return builder.build();
    }

    private static String sign(JWTClaimsSet claims, JWSAlgorithm algorithm, String secret) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
            jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> body(String name, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("description", description);
        body.put("source", "passiveApi");
        return body;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode readTree(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpRequest.Builder createBuilder(KoreSandbox target) {
        return HttpRequest.newBuilder(URI.create(target.baseUrl() + KoreSandbox.createContactListPath(STREAM_ID)
                + "?accountId=" + ACCOUNT_ID)).timeout(Duration.ofSeconds(10));
    }

    private static HttpRequest createRequest(KoreSandbox target, Map<String, String> headers, String body) {
        HttpRequest.Builder builder = createBuilder(target).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(builder::header);
        return builder.build();
    }

    private static HttpResponse<String> create(KoreSandbox target, Map<String, String> headers, Map<String, Object> body)
            throws IOException, InterruptedException {
        return HTTP.send(createRequest(target, headers, json(body)), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(HttpRequest.Builder builder, Map<String, String> headers)
            throws IOException, InterruptedException {
        headers.forEach(builder::header);
        return HTTP.send(builder.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> response, int status, int code, String messagePart)
            throws IOException {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode error = JSON.readTree(response.body()).path("errors").path(0);
        assertThat(error.path("code").asInt()).isEqualTo(code);
        assertThat(error.path("msg").asText()).contains(messagePart);
    }

    /** A clock the tests move by hand, so expiry and the rate window are tested without waiting. */
    private static final class MutableClock extends Clock {

        private final AtomicReference<Instant> now;

        MutableClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void advance(Duration duration) {
            now.updateAndGet(instant -> instant.plus(duration));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
