package com.contactlistbridge.event;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Turns the raw Kafka record value into a JSON object map, rejecting anything that is not strict UTF-8 JSON. */
public class CrmEventParser {

    private final ObjectMapper mapper;
    private final int maxEventBytes;

    public CrmEventParser(int maxEventBytes) {
        if (maxEventBytes < 1) {
            throw new IllegalArgumentException("maxEventBytes must be positive, got " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
        JsonMapper jsonMapper = JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        // A hostile event must not exhaust the stack: cap nesting well below Jackson's default of 1000.
        jsonMapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
        this.mapper = jsonMapper;
    }

    /**
     * Parses the record value.
     *
     * @return the event's top-level fields (values are String, Number, Boolean, Map, List or null)
     * @throws InvalidEventException naming the problem: null or empty value, size, bad UTF-8, bad JSON, not an object
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> parse(byte[] value) throws InvalidEventException {
        if (value == null) {
            throw new InvalidEventException("record value is null (tombstone); expected a JSON object");
        }
        if (value.length == 0) {
            throw new InvalidEventException("record value is empty; expected a JSON object");
        }
        if (value.length > maxEventBytes) {
            throw new InvalidEventException("record value is " + value.length + " bytes; the limit is " + maxEventBytes
                    + " bytes (bridge.max-event-bytes)");
        }
        String text = decodeStrictUtf8(value);
        JsonNode tree;
        try {
            tree = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("record value is not valid JSON: " + withoutSource(e.getOriginalMessage())
                    + locationOf(e));
        }
        if (tree == null || tree.isMissingNode()) {
            throw new InvalidEventException("record value holds only whitespace; expected a JSON object");
        }
        if (!tree.isObject()) {
            throw new InvalidEventException("record value must be a JSON object, got " + JsonTypes.describe(tree));
        }
        return mapper.convertValue(tree, Map.class);
    }

    private static String decodeStrictUtf8(byte[] value) throws InvalidEventException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(value);
        try {
            return decoder.decode(in).toString();
        } catch (MalformedInputException e) {
            throw new InvalidEventException("record value is not valid UTF-8: malformed byte sequence at byte offset "
                    + in.position());
        } catch (CharacterCodingException e) {
            throw new InvalidEventException("record value is not valid UTF-8 at byte offset " + in.position());
        }
    }

    /** Jackson names the (redacted) source inside nested locations; keep only line and column. */
    private static String withoutSource(String message) {
        return message == null ? "" : message.replaceAll("\\[Source: [^;]*; ", "[");
    }

    private static String locationOf(JsonProcessingException e) {
        if (e.getLocation() == null) {
            return "";
        }
        return " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
