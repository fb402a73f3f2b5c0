package com.contactlistbridge.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CrmEventParserTest {

    private static final int ONE_MIB = 1024 * 1024;

    private final CrmEventParser parser = new CrmEventParser(ONE_MIB);

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void parsesAValidEventIntoATopLevelMapWithJsonTypes() throws Exception {
        Map<String, Object> event = parser.parse(utf8("""
                {"eventId":"crm-0001","name":"Renewal Due 1- July 2025","description":"Für Kunden",
                 "allowDuplicates":true,"count":3,"extra":null,"tags":["a"],"meta":{"k":"v"}}"""));

        assertThat(event)
                .containsEntry("eventId", "crm-0001")
                .containsEntry("name", "Renewal Due 1- July 2025")
                .containsEntry("description", "Für Kunden")
                .containsEntry("allowDuplicates", true)
                .containsEntry("count", 3)
                .containsEntry("extra", null)
                .containsEntry("tags", List.of("a"))
                .containsEntry("meta", Map.of("k", "v"));
    }

    @Test
    void rejectsANullValueAsTombstone() {
        assertThatThrownBy(() -> parser.parse(null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value is null (tombstone); expected a JSON object");
    }

    @Test
    void rejectsAnEmptyValue() {
        assertThatThrownBy(() -> parser.parse(new byte[0]))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value is empty; expected a JSON object");
    }

    @Test
    void acceptsAValueOfExactlyTheByteLimit() throws Exception {
        byte[] value = utf8("{\"a\":\"0123456\"}");
        assertThat(value).hasSize(15);

        assertThat(new CrmEventParser(15).parse(value)).containsEntry("a", "0123456");
    }

    @Test
    void rejectsAValueOneByteOverTheLimitNamingSizeLimitAndSetting() {
        byte[] value = utf8("{\"a\":\"01234567\"}");
        assertThat(value).hasSize(16);

        assertThatThrownBy(() -> new CrmEventParser(15).parse(value))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value is 16 bytes; the limit is 15 bytes (bridge.max-event-bytes)");
    }

    @Test
    void constructorRejectsANonPositiveLimit() {
        assertThatThrownBy(() -> new CrmEventParser(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxEventBytes must be positive, got 0");
    }

    @Test
    void rejectsInvalidUtf8ReportingTheByteOffsetOfTheMalformedSequence() {
        // {"a":" is 6 bytes, so the bad sequence C3 28 starts at byte offset 6
        byte[] value = concat(utf8("{\"a\":\""), new byte[] {(byte) 0xC3, 0x28}, utf8("\"}"));

        assertThatThrownBy(() -> parser.parse(value))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value is not valid UTF-8: malformed byte sequence at byte offset 6");
    }

    @Test
    void invalidUtf8OffsetCountsBytesNotCharactersAfterMultiByteText() {
        // {"name":"  = 9 bytes, Ü = 2 bytes (C3 9C), so the lone 0xFF is at byte offset 11 (character index 10)
        byte[] value = concat(utf8("{\"name\":\"Ü"), new byte[] {(byte) 0xFF}, utf8("\"}"));

        assertThatThrownBy(() -> parser.parse(value))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageEndingWith("at byte offset 11");
    }

    @Test
    void rejectsATruncatedMultiByteSequenceAtTheEnd() {
        // E2 82 is the start of a 3-byte sequence (e.g. the euro sign) cut short at the end of the value
        byte[] value = concat(utf8("{\"a\":\""), new byte[] {(byte) 0xE2, (byte) 0x82});

        assertThatThrownBy(() -> parser.parse(value))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("record value is not valid UTF-8")
                .hasMessageEndingWith("at byte offset 6");
    }

    @Test
    void rejectsOverlongAndSurrogateEncodingsAsInvalidUtf8() {
        byte[] overlong = concat(utf8("{\"a\":\""), new byte[] {(byte) 0xC0, (byte) 0xAF}, utf8("\"}"));
        byte[] surrogate = concat(utf8("{\"a\":\""), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                utf8("\"}"));

        assertThatThrownBy(() -> parser.parse(overlong))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value is not valid UTF-8: malformed byte sequence at byte offset 6");
        assertThatThrownBy(() -> parser.parse(surrogate))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value is not valid UTF-8: malformed byte sequence at byte offset 6");
    }

    @Test
    void rejectsInvalidJsonWithLineAndColumn() {
        byte[] value = utf8("{\"name\":\"x\",\n\"b\": }");

        assertThatThrownBy(() -> parser.parse(value))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("record value is not valid JSON: ")
                .hasMessageEndingWith("(line 2, column 6)");
    }

    @Test
    void rejectsAnUnterminatedObjectAsInvalidJson() {
        assertThatThrownBy(() -> parser.parse(utf8("{\"name\":\"x\"")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("record value is not valid JSON: ")
                .hasMessageContaining("(line 1, column ");
    }

    @Test
    void rejectsTrailingTokensAfterTheObject() {
        assertThatThrownBy(() -> parser.parse(utf8("{\"a\":1} {\"b\":2}")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("record value is not valid JSON: ")
                .hasMessageContaining("Trailing token");
    }

    @Test
    void rejectsTrailingGarbageAfterTheObject() {
        assertThatThrownBy(() -> parser.parse(utf8("{\"a\":1}x")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("record value is not valid JSON: ");
    }

    @Test
    void rejectsDuplicateKeysNamingTheKey() {
        assertThatThrownBy(() -> parser.parse(utf8("{\"name\":\"a\",\"name\":\"b\"}")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("record value is not valid JSON: ")
                .hasMessageContaining("Duplicate field 'name'");
    }

    @Test
    void rejectsTenThousandNestedArraysWithInvalidEventNotStackOverflow() {
        byte[] value = utf8("{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}");

        assertThatThrownBy(() -> parser.parse(value))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("record value is not valid JSON: ")
                .hasMessageContaining("nesting depth");
    }

    @Test
    void rejectsTenThousandNestedTopLevelArraysWithInvalidEventNotStackOverflow() {
        byte[] value = utf8("[".repeat(10_000) + "]".repeat(10_000));

        assertThatThrownBy(() -> parser.parse(value))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("nesting depth");
    }

    @Test
    void rejectsTenThousandNestedObjectsWithInvalidEventNotStackOverflow() {
        byte[] value = utf8("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000));

        assertThatThrownBy(() -> parser.parse(value))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("nesting depth");
    }

    @Test
    void acceptsModerateNesting() throws Exception {
        Map<String, Object> event = parser.parse(utf8("{\"a\":" + "[".repeat(20) + "]".repeat(20) + "}"));

        assertThat(event).containsKey("a");
    }

    @Test
    void rejectsATopLevelArray() {
        assertThatThrownBy(() -> parser.parse(utf8("[{\"name\":\"x\"}]")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value must be a JSON object, got an array");
    }

    @Test
    void rejectsATopLevelString() {
        assertThatThrownBy(() -> parser.parse(utf8("\"hello\"")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value must be a JSON object, got a string");
    }

    @Test
    void rejectsATopLevelNumber() {
        assertThatThrownBy(() -> parser.parse(utf8("42")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value must be a JSON object, got a number");
    }

    @Test
    void rejectsTopLevelBooleanAndNullLiterals() {
        assertThatThrownBy(() -> parser.parse(utf8("true")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value must be a JSON object, got a boolean");
        assertThatThrownBy(() -> parser.parse(utf8("null")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value must be a JSON object, got null");
    }

    @Test
    void rejectsWhitespaceOnly() {
        assertThatThrownBy(() -> parser.parse(utf8(" \n\t\r ")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("record value holds only whitespace; expected a JSON object");
    }
}
