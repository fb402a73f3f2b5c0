package com.contactlistbridge.kore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.contactlistbridge.event.InvalidEventException;
import com.contactlistbridge.event.JsonTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Builds the HTTP request of one Kore.ai call (the kore-call building block): the path, the JSON body and the headers
 * Kore.ai needs ({@code iid}, {@code accountId}, Content-Type).
 *
 * <p>It rebuilds everything from variables, so a redelivery starts from a clean request. The body is the JSON of the
 * variable {@value #REQUEST} (any object: a map, a record, a list), or, when a flow has none, a JSON object of its
 * variables named {@code koreRequest.<field>}. Path segments written {@code {name}} take the variable of that name,
 * which must be a plain id (letters, digits, {@code . _ : -}, at most 256 characters): message data never chooses
 * anything else of the URL.
 */
public class KoreRequestFactory implements Processor {

    /** Variable: the request body (serialized as JSON). */
    public static final String REQUEST = "koreRequest";
    /** Variables named {@code koreRequest.<field>} become the body's fields when {@value #REQUEST} is not set. */
    public static final String REQUEST_FIELD_PREFIX = REQUEST + ".";
    /** Variable set by the kore-call block: its HTTP method. */
    public static final String METHOD = "koreCallMethod";
    /** Variable set by the kore-call block: its path template. */
    public static final String PATH = "koreCallPath";
    private static final Pattern PATH_VARIABLE = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)}");
    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9._:-]{1,256}");

    private final ObjectMapper mapper;
    private final String iid;
    private final String accountId;

    public KoreRequestFactory(ObjectMapper mapper, String iid, String accountId) {
        this.mapper = mapper;
        this.iid = iid;
        this.accountId = accountId;
    }

    @Override
    public void process(Exchange exchange) throws JsonProcessingException, InvalidEventException {
        String method = exchange.getVariable(METHOD, String.class);
        String path = exchange.getVariable(PATH, String.class);
        if (method == null || path == null) {
            throw new IllegalStateException("koreRequestFactory runs inside the kore-call building block only");
        }
        Message message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_PATH, expandPath(path, exchange));
        if (method.equals("GET") || method.equals("DELETE")) {
            message.setBody(null);
        } else {
            message.setBody(mapper.writeValueAsBytes(body(exchange)));
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
        message.setHeader("iid", iid);
        message.setHeader("accountId", accountId);
    }

    /** The request body: the variable koreRequest, else the koreRequest.* variables as one JSON object. */
    static Object body(Exchange exchange) {
        Object request = exchange.getVariable(REQUEST);
        if (request != null) {
            return request;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        exchange.getVariables().forEach((name, value) -> {
            if (name.startsWith(REQUEST_FIELD_PREFIX) && value != null) {
                fields.put(name.substring(REQUEST_FIELD_PREFIX.length()), value);
            }
        });
        if (fields.isEmpty()) {
            throw new IllegalStateException("no request body: the flow sets the variable koreRequest (or "
                    + "koreRequest.<field> variables) before calling Kore.ai");
        }
        return fields;
    }

    /**
     * Fills the path's {@code {name}} segments from variables.
     *
     * @throws InvalidEventException when a variable is missing or not a plain id
     */
    static String expandPath(String template, Exchange exchange) throws InvalidEventException {
        Matcher matcher = PATH_VARIABLE.matcher(template);
        StringBuilder path = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            Object value = exchange.getVariable(name);
            String text = value instanceof String || value instanceof Integer || value instanceof Long
                    ? value.toString() : null;
            if (text == null || !SAFE_SEGMENT.matcher(text).matches()) {
                throw new InvalidEventException(name + " must be an id of 1 to 256 letters, digits or . _ : - "
                        + "(it goes into the Kore.ai URL path), got " + (value == null ? "nothing"
                        : value instanceof String ? "a string with other characters or of another length"
                        : JsonTypes.describe(value)));
            }
            matcher.appendReplacement(path, Matcher.quoteReplacement(text));
        }
        matcher.appendTail(path);
        return path.toString();
    }
}
