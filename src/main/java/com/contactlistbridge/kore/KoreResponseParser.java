package com.contactlistbridge.kore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.contactlistbridge.event.BridgeExchange;
import com.contactlistbridge.event.ContactListRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Reads Kore.ai's answer: a 2xx with {@code data._id} becomes a {@link CreatedContactList}; anything else becomes a
 * {@link KoreApiException} carrying the status and Kore's own error message (redacted and truncated).
 */
public class KoreResponseParser implements Processor {

    /**
     * Kore.ai's documented answer to its per-minute limit ("You've exceeded the per-minute rate limit. Please wait for
     * sometime before retrying."), matched against a whole error message of the error envelope, never as a substring:
     * error texts quote event data (a list name), and a name holding these words must not pass for a refusal.
     */
    private static final Pattern RATE_LIMIT_ERROR = Pattern.compile(
            "you(?:'|\u2019| ha)ve exceeded the per-minute rate limit\\.?(?: please wait for some ?time before "
                    + "retrying\\.?)?", Pattern.CASE_INSENSITIVE);

    /** Variable: Kore.ai's JSON answer to an accepted call (a map). */
    public static final String ANSWER = "koreAnswer";

    private final ObjectMapper mapper;
    private final SecretRedactor redactor;
    private final Clock clock;

    public KoreResponseParser(ObjectMapper mapper, SecretRedactor redactor, Clock clock) {
        this.mapper = mapper;
        this.redactor = redactor;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) throws KoreApiException {
        Message message = exchange.getMessage();
        Integer status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        byte[] body = message.getBody(byte[].class);
        String retryAfter = message.getHeader("Retry-After", String.class);
        CreatedContactList created = parse(status == null ? 0 : status, body, retryAfter,
                exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID, String.class),
                exchange.getProperty(BridgeExchange.REQUEST, ContactListRequest.class));
        exchange.setProperty(BridgeExchange.CREATED, created);
    }

    /** Answer of a Create Contact List call: a 2xx with {@code data._id} becomes the created list. */
    public void createdList(Exchange exchange) throws KoreApiException {
        process(exchange);
    }

    /**
     * Answer of any other call: a 2xx is accepted and its JSON object (empty when the body is not one) becomes the
     * variable {@value #ANSWER} for the flow's outcome; any other status fails as {@link #requireSuccess} does.
     */
    public void accepted(Exchange exchange) throws KoreApiException {
        requireSuccess(exchange);
        JsonNode json = readJson(exchange.getMessage().getBody(byte[].class));
        exchange.setVariable(ANSWER, json == null ? new java.util.LinkedHashMap<>() : mapper.convertValue(json,
                java.util.Map.class));
    }

    /**
     * Lets a 2xx answer through and turns any other into the same {@link KoreApiException} a creation would get.
     */
    public void requireSuccess(Exchange exchange) throws KoreApiException {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        int code = status == null ? 0 : status;
        if (code < 200 || code >= 300) {
            byte[] body = exchange.getMessage().getBody(byte[].class);
            throw failure(code, readJson(body), body, exchange.getMessage().getHeader("Retry-After", String.class));
        }
    }

    /**
     * Interprets one answer.
     *
     * @throws KoreApiException for every status other than 2xx, and for a 2xx without a usable {@code data._id}
     *                          (see {@link CreatedContactList#idProblem})
     */
    public CreatedContactList parse(int status, byte[] body, String retryAfterHeader, String eventId,
                                    ContactListRequest request) throws KoreApiException {
        JsonNode json = readJson(body);
        if (status >= 200 && status < 300) {
            JsonNode data = json == null ? null : json.path("data");
            String id = data == null ? null : text(data.get("_id"));
            if (id == null) {
                throw new KoreApiException(status, "Kore.ai answered " + status + " without data._id: "
                        + redactor.redact(raw(body)), false, -1);
            }
            String idProblem = CreatedContactList.idProblem(id);
            if (idProblem != null) {
                // The list may exist, but its id cannot name it anywhere downstream; the id itself is not repeated.
                throw new KoreApiException(status, "Kore.ai answered " + status + " with a data._id the bridge does "
                        + "not pass on (" + idProblem + ")", false, -1);
            }
            String name = text(data.get("name"));
            String createdAt = text(data.get("createdAt"));
            return new CreatedContactList(eventId, id, name != null ? name : request == null ? null : request.name(),
                    text(data.get("status")), createdAt != null ? createdAt : clock.instant().toString());
        }
        throw failure(status, json, body, retryAfterHeader);
    }

    private KoreApiException failure(int status, JsonNode json, byte[] body, String retryAfterHeader) {
        String kore = errorMessage(json, body);
        return new KoreApiException(status, "Kore.ai answered " + status + ": " + redactor.redact(kore),
                rateLimitRefusal(status, json), retryAfterMillis(retryAfterHeader));
    }

    /**
     * True when Kore.ai refused the call for its rate limit: a 429, or (status undocumented) an error of its error
     * envelope {@code {"errors":[{"msg":...,"code":...}]}} whose whole message is the documented rate-limit text. No
     * rate-limit code is documented, so the code is not consulted; plain-text bodies and other shapes never count.
     */
    static boolean rateLimitRefusal(int status, JsonNode json) {
        if (status == 429) {
            return true;
        }
        JsonNode errors = json == null ? null : json.get("errors");
        if (errors == null || !errors.isArray()) {
            return false;
        }
        for (JsonNode error : errors) {
            String msg = text(error.get("msg"));
            if (msg != null && RATE_LIMIT_ERROR.matcher(msg.strip().replaceAll("\\s+", " ")).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Parses Retry-After as delta-seconds or an HTTP date; -1 when absent or unreadable. */
    long retryAfterMillis(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        String value = header.strip();
        try {
            long seconds = Long.parseLong(value);
            // Absurd values saturate instead of overflowing; the retry policy caps the wait anyway.
            return seconds < 0 ? -1 : seconds > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : seconds * 1000;
        } catch (NumberFormatException notSeconds) {
            if (value.chars().allMatch(Character::isDigit)) {
                return Long.MAX_VALUE;
            }
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Math.max(0, Duration.between(clock.instant(), at).toMillis());
            } catch (DateTimeParseException notDate) {
                return -1;
            }
        }
    }

    private String errorMessage(JsonNode json, byte[] body) {
        if (json != null) {
            List<String> messages = new ArrayList<>();
            for (JsonNode error : json.path("errors")) {
                String msg = text(error.get("msg"));
                if (msg == null) {
                    msg = text(error.get("message"));
                }
                JsonNode code = error.get("code");
                if (msg != null) {
                    messages.add(code != null && !code.isNull() ? msg + " (code " + code.asText() + ")" : msg);
                }
            }
            if (!messages.isEmpty()) {
                return String.join("; ", messages);
            }
            String message = text(json.get("message"));
            if (message != null) {
                String status = text(json.get("status"));
                return status != null ? status + ": " + message : message;
            }
        }
        String raw = raw(body);
        return raw.isBlank() ? "(empty body)" : raw;
    }

    private JsonNode readJson(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = mapper.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String raw(byte[] body) {
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }

    private static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        String text = node.asText();
        return text.isBlank() ? null : text;
    }
}
