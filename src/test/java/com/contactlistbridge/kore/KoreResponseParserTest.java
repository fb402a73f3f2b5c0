package com.contactlistbridge.kore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import com.contactlistbridge.event.BridgeExchange;
import com.contactlistbridge.event.ContactListRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class KoreResponseParserTest {

    private static final String SECRET = "unit-test-secret-0123456789-abcdefghijklmnop";
    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJhcHBJZCI6ImNzLTEifQ.c2lnbmF0dXJlLXZhbHVlXy0";
    private static final Instant NOW = Instant.parse("2025-12-05T09:22:00Z");
    private static final int MAX_MESSAGE = 200;
    private static final ContactListRequest REQUEST = new ContactListRequest("Renewal Due 1- July 2025",
            "Customers with services expiring in July 2025", "passiveApi", true);

    /** The sample response of the vendor's Create Contact List API-v2 page. */
    private static final String SAMPLE_SUCCESS = """
            {
                "status": "success",
                "message": "Contact list Renewal Due 1- July 2025 created successfully",
                "data": {
                    "isActive": true,
                    "name": "Renewal Due 1- July 2025",
                    "description": "This list contains customers with services expiring in July 2025. It includes contact details and subscription info to help agents provide tailored support during live calls.",
                    "totalRecordCount": 0,
                    "status": "Ready",
                    "createdBy": "u-eb5bbee1-6af9-5b9a-b471-03a3fe4xxxxx",
                    "updatedBy": "u-eb5bbee1-6af9-5b9a-b471-03a3fe4xxxxx",
                    "mapping": {
                        "firstName": "firstName",
                        "lastName": "lastName",
                        "phoneNumber": "phoneNumber",
                        "timeZone": "timeZone",
                        "uniqueId": "uniqueId",
                        "contactPriority": "contactPriority"
                    },
                    "isListInUse": false,
                    "listType": "call",
                    "isGlobalDNC": false,
                    "isDefault": false,
                    "campaignInUse": [],
                    "source": "passiveApi",
                    "apiConfigurations": {
                        "dataSyncMode": "allowDuplicates"
                    },
                    "columns": [],
                    "files": [],
                    "createdAt": "2025-12-05T09:22:51.001Z",
                    "updatedAt": "2025-12-05T09:22:51.001Z",
                    "_id": "cl-67a405c-ae3b-4a42-8cd2-5dcd699xxxxx",
                    "allowDuplicates": true
                }
            }
            """;

    private final KoreResponseParser parser = new KoreResponseParser(new ObjectMapper(),
            new SecretRedactor(SECRET, MAX_MESSAGE), Clock.fixed(NOW, ZoneOffset.UTC));

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private KoreApiException failure(int status, String body, String retryAfter) {
        return catchThrowableOfType(KoreApiException.class,
                () -> parser.parse(status, body == null ? null : utf8(body), retryAfter, "crm-0001", REQUEST));
    }

    @Test
    void sampleSuccessBodyBecomesCreatedContactListWithDataId() throws Exception {
        CreatedContactList created = parser.parse(200, utf8(SAMPLE_SUCCESS), null, "crm-0001", REQUEST);

        assertThat(created).isEqualTo(new CreatedContactList("crm-0001", "cl-67a405c-ae3b-4a42-8cd2-5dcd699xxxxx",
                "Renewal Due 1- July 2025", "Ready", "2025-12-05T09:22:51.001Z"));
    }

    @Test
    void status201WithDataIdIsAlsoASuccess() throws Exception {
        CreatedContactList created = parser.parse(201, utf8("{\"data\":{\"_id\":\"cl-1\",\"name\":\"n\"}}"), null,
                "e-1", REQUEST);

        assertThat(created.contactListId()).isEqualTo("cl-1");
        assertThat(created.name()).isEqualTo("n");
    }

    @Test
    void successWithoutNameOrCreatedAtFallsBackToRequestNameAndClock() throws Exception {
        CreatedContactList created = parser.parse(200, utf8("{\"data\":{\"_id\":\"cl-1\"}}"), null, "e-1", REQUEST);

        assertThat(created).isEqualTo(new CreatedContactList("e-1", "cl-1", "Renewal Due 1- July 2025", null,
                NOW.toString()));
    }

    @Test
    void status200WithoutDataIdIsAKoreApiException() {
        KoreApiException e = failure(200, "{\"status\":\"success\",\"data\":{\"name\":\"x\"}}", null);

        assertThat(e).isNotNull();
        assertThat(e.httpStatus()).isEqualTo(200);
        assertThat(e.rateLimited()).isFalse();
        assertThat(e.retryAfterMillis()).isEqualTo(-1);
        assertThat(e.getMessage()).startsWith("Kore.ai answered 200 without data._id: ");
    }

    @Test
    void status200WithEmptyOrNonJsonOrBlankIdBodyIsAKoreApiException() {
        assertThat(failure(200, "", null).getMessage()).startsWith("Kore.ai answered 200 without data._id");
        assertThat(failure(200, null, null).getMessage()).startsWith("Kore.ai answered 200 without data._id");
        assertThat(failure(200, "<html>ok</html>", null).getMessage())
                .isEqualTo("Kore.ai answered 200 without data._id: <html>ok</html>");
        assertThat(failure(200, "{\"data\":{\"_id\":\"  \"}}", null)).isNotNull();
        assertThat(failure(200, "{\"data\":{\"_id\":{\"$oid\":\"x\"}}}", null)).isNotNull();
    }

    @Test
    void aListIdTooLongOrWithSpacesOrControlCharactersIsRefusedWithoutRepeatingIt() throws Exception {
        String longest = "cl-" + "a".repeat(CreatedContactList.MAX_ID_LENGTH - 3);
        assertThat(parser.parse(200, utf8("{\"data\":{\"_id\":\"" + longest + "\"}}"), null, "e-1", REQUEST)
                .contactListId()).isEqualTo(longest);

        String tooLong = longest + "b";
        KoreApiException e = failure(201, "{\"data\":{\"_id\":\"" + tooLong + "\"}}", null);
        assertThat(e.httpStatus()).isEqualTo(201);
        assertThat(e.getMessage()).isEqualTo("Kore.ai answered 201 with a data._id the bridge does not pass on (129 "
                + "characters, at most 128)");
        for (String id : List.of("cl-1 2", "cl-1\\nFAKE LOG LINE", "cl-1\\u2028x", "cl-\\u200b1", "cl-1\\u0000",
                "cl-1\\t")) {
            KoreApiException refused = failure(200, "{\"data\":{\"_id\":\"" + id + "\"}}", null);
            assertThat(refused).as(id).isNotNull();
            assertThat(refused.getMessage()).as(id).startsWith("Kore.ai answered 200 with a data._id the bridge does "
                    + "not pass on (character ").doesNotContain("cl-1", "FAKE");
        }
    }

    @Test
    void errorsEnvelopeMessageContainsMsgAndCode() {
        KoreApiException e = failure(400, "{\"errors\":[{\"msg\":\"name too long\",\"code\":400}]}", null);

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.getMessage()).isEqualTo("Kore.ai answered 400: name too long (code 400)");
        assertThat(e.rateLimited()).isFalse();
        assertThat(e.retryAfterMillis()).isEqualTo(-1);
    }

    @Test
    void severalErrorsAreJoined() {
        KoreApiException e = failure(422,
                "{\"errors\":[{\"msg\":\"name too long\",\"code\":400},{\"message\":\"bad source\"}]}", null);

        assertThat(e.getMessage()).isEqualTo("Kore.ai answered 422: name too long (code 400); bad source");
    }

    @Test
    void statusAndMessageShapeIsUsed() {
        KoreApiException e = failure(409, "{\"status\":\"failure\",\"message\":\"x\"}", null);

        assertThat(e.httpStatus()).isEqualTo(409);
        assertThat(e.getMessage()).isEqualTo("Kore.ai answered 409: failure: x");
    }

    @Test
    void nonJsonBodyIsKeptSingleLinedAndTruncated() {
        String html = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>" + "x".repeat(5_000)
                + "</body>\n</html>";

        KoreApiException e = failure(502, html, null);

        String prefix = "Kore.ai answered 502: ";
        assertThat(e.getMessage()).startsWith(prefix + "<html> <head><title>502 Bad Gateway</title>")
                .doesNotContain("\n").endsWith("...");
        assertThat(e.getMessage().length() - prefix.length()).isEqualTo(MAX_MESSAGE);
    }

    @Test
    void emptyErrorBodyIsNamed() {
        assertThat(failure(503, "", null).getMessage()).isEqualTo("Kore.ai answered 503: (empty body)");
    }

    @Test
    void status429WithRetryAfterSecondsIsRateLimitedWithMillis() {
        KoreApiException e = failure(429, "{\"errors\":[{\"msg\":\"Too many requests\"}]}", "7");

        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.rateLimited()).isTrue();
        assertThat(e.retryAfterMillis()).isEqualTo(7_000);
    }

    @Test
    void status429WithoutRetryAfterIsRateLimitedWithMinusOne() {
        KoreApiException e = failure(429, "", null);

        assertThat(e.rateLimited()).isTrue();
        assertThat(e.retryAfterMillis()).isEqualTo(-1);
    }

    @Test
    void retryAfterAsHttpDateIsTheTimeUntilThatDate() {
        // 30 s after the fixed clock
        KoreApiException e = failure(429, "", "Fri, 05 Dec 2025 09:22:30 GMT");

        assertThat(e.retryAfterMillis()).isEqualTo(30_000);
    }

    @Test
    void retryAfterAsHttpDateInThePastIsZero() {
        assertThat(failure(429, "", "Fri, 05 Dec 2025 09:00:00 GMT").retryAfterMillis()).isZero();
    }

    @Test
    void unreadableOrNegativeRetryAfterIsMinusOne() {
        assertThat(failure(429, "", "soon").retryAfterMillis()).isEqualTo(-1);
        assertThat(failure(429, "", "-5").retryAfterMillis()).isEqualTo(-1);
        assertThat(failure(429, "", " ").retryAfterMillis()).isEqualTo(-1);
    }

    @Test
    void retryAfterIsKeptFor503Too() {
        KoreApiException e = failure(503, "", " 2 ");

        assertThat(e.rateLimited()).isFalse();
        assertThat(e.retryAfterMillis()).isEqualTo(2_000);
    }

    @Test
    void status400WithKoresRateLimitMessageIsRateLimited() {
        KoreApiException e = failure(400, "{\"errors\":[{\"msg\":\"You've exceeded the per-minute rate limit. "
                + "Please wait for sometime before retrying.\"}]}", null);

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.rateLimited()).isTrue();
        assertThat(e.getMessage()).contains("You've exceeded the per-minute rate limit");
    }

    @Test
    void theRateLimitMessageIsRecognisedInItsDocumentedWordings() {
        for (String msg : List.of("You've exceeded the per-minute rate limit.",
                "You have exceeded the per-minute rate limit",
                "  you\u2019ve exceeded the per-minute rate limit.\n Please wait for some time before retrying. ",
                "YOU'VE EXCEEDED THE PER-MINUTE RATE LIMIT. PLEASE WAIT FOR SOMETIME BEFORE RETRYING.")) {
            assertThat(failure(400, "{\"errors\":[{\"msg\":\"" + msg.replace("\n", "\\n") + "\"}]}", null)
                    .rateLimited()).as(msg).isTrue();
        }
        assertThat(failure(500, "{\"errors\":[{\"msg\":\"bad\"},{\"msg\":\"You've exceeded the per-minute "
                + "rate limit.\",\"code\":4029}]}", null).rateLimited()).as("any error of the envelope").isTrue();
    }

    @Test
    void rateLimitTextOutsideTheErrorEnvelopeIsNotARefusal() {
        String text = "You've exceeded the per-minute rate limit. Please wait for sometime before retrying.";

        assertThat(failure(403, text, null).rateLimited()).as("plain text body").isFalse();
        assertThat(failure(400, "{\"status\":\"failure\",\"message\":\"" + text + "\"}", null).rateLimited())
                .as("status/message shape").isFalse();
        assertThat(failure(400, "{\"errors\":{\"msg\":\"" + text + "\"}}", null).rateLimited())
                .as("errors not an array").isFalse();
        assertThat(failure(400, "{\"errors\":[{\"message\":\"" + text + "\"}]}", null).rateLimited())
                .as("message instead of the documented msg").isFalse();
    }

    @Test
    void aListNameQuotingTheRateLimitTextInAClientErrorIsNotARefusal() {
        String name = "You've exceeded the per-minute rate limit. Please wait for sometime before retrying.";
        KoreApiException quoted = failure(400, "{\"errors\":[{\"msg\":\"Contact list name '" + name
                + "' is longer than 48 characters\",\"code\":400}]}", null);
        KoreApiException prefixed = failure(409, "{\"errors\":[{\"msg\":\"" + name + " already exists\"}]}", null);

        assertThat(quoted.rateLimited()).isFalse();
        assertThat(quoted.httpStatus()).isEqualTo(400);
        assertThat(quoted.getMessage()).contains("exceeded the per-minute rate limit");
        assertThat(prefixed.rateLimited()).isFalse();
    }

    @Test
    void ordinary400IsNotRateLimited() {
        assertThat(failure(400, "{\"errors\":[{\"msg\":\"bad request\"}]}", "7").rateLimited()).isFalse();
    }

    @Test
    void jwtEchoedInTheBodyIsRedacted() {
        KoreApiException e = failure(401, "{\"errors\":[{\"msg\":\"Invalid token " + JWT + "\",\"code\":4002}]}",
                null);

        assertThat(e.getMessage()).doesNotContain(JWT).doesNotContain("eyJ")
                .isEqualTo("Kore.ai answered 401: Invalid token *** (code 4002)");
    }

    @Test
    void clientSecretEchoedInTheBodyIsRedacted() {
        KoreApiException json = failure(401, "{\"status\":\"failure\",\"message\":\"secret " + SECRET
                + " is wrong\"}", null);
        KoreApiException html = failure(500, "<pre>key=" + SECRET + "</pre>", null);
        KoreApiException noId = failure(200, "{\"echo\":\"" + SECRET + "\"}", null);

        assertThat(json.getMessage()).doesNotContain(SECRET).contains("***");
        assertThat(html.getMessage()).doesNotContain(SECRET).contains("***");
        assertThat(noId.getMessage()).doesNotContain(SECRET).contains("***");
    }

    @Test
    void processReadsStatusBodyAndRetryAfterFromTheExchange() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(BridgeExchange.RESOLVED_EVENT_ID, "crm-0001");
            exchange.setProperty(BridgeExchange.REQUEST, REQUEST);
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            exchange.getMessage().setBody(utf8(SAMPLE_SUCCESS));

            parser.process(exchange);

            assertThat(exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class))
                    .extracting(CreatedContactList::eventId, CreatedContactList::contactListId)
                    .containsExactly("crm-0001", "cl-67a405c-ae3b-4a42-8cd2-5dcd699xxxxx");

            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 429);
            exchange.getMessage().setHeader("Retry-After", "3");
            exchange.getMessage().setBody(utf8(""));
            assertThatThrownBy(() -> parser.process(exchange))
                    .isInstanceOfSatisfying(KoreApiException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(429);
                        assertThat(e.retryAfterMillis()).isEqualTo(3_000);
                    });
        }
    }

    @Test
    void hugeRetryAfterSaturatesInsteadOfOverflowing() {
        KoreApiException e = failure(429, "", "10000000000000000");
        assertThat(e.rateLimited()).isTrue();
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.retryAfterMillis()).isEqualTo(Long.MAX_VALUE);
        assertThat(failure(429, "", "99999999999999999999999").retryAfterMillis()).isEqualTo(Long.MAX_VALUE);
    }
}
