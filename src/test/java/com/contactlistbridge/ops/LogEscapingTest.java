package com.contactlistbridge.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogEscapingTest {

    /** Every character of the Basic Multilingual Plane that is not half of a surrogate pair. */
    private static final String ALL_CHARACTERS;

    static {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0xFFFF; c++) {
            if (!Character.isSurrogate(c)) {
                all.append(c);
            }
        }
        ALL_CHARACTERS = all.toString();
    }

    @Test
    void textEscapesLineBreaksControlCharactersAndSeparators() {
        assertThat(LogEscaping.text("a\r\nb\tc\u0000d\u001be\u007ff\u0085g\u009fh\u2028i\u2029j\u000bk\u000cl"))
                .isEqualTo("a\\r\\nb\\tc\\u0000d\\u001be\\u007ff\\u0085g\\u009fh\\u2028i\\u2029j\\u000bk\\u000cl");
    }

    @Test
    void textLeavesEverythingElseAsIsAndReturnsCleanTextUnchanged() {
        String clean = "Überprüfung \"quoted\" C:\\path 😀 Renewal Due 1- July 2025";

        assertThat(LogEscaping.text(clean)).isSameAs(clean);
        assertThat(LogEscaping.text(null)).isEmpty();
    }

    @Test
    void textOfEveryCharacterHoldsNoLineBreakingCharacter() {
        assertThat(LogEscaping.text(ALL_CHARACTERS)).doesNotContainPattern("[\\p{Cntrl}\\u0085\\u2028\\u2029]");
    }

    @Test
    void jsonReadsBackAsTheOriginalForEveryCharacterAndHoldsNoRawLineBreak() throws Exception {
        String escaped = LogEscaping.json(ALL_CHARACTERS);

        assertThat(escaped).doesNotContainPattern("[\\p{Cntrl}\\u0085\\u2028\\u2029]");
        assertThat(new ObjectMapper().readValue("\"" + escaped + "\"", String.class)).isEqualTo(ALL_CHARACTERS);
        assertThat(LogEscaping.json("q\"b\\")).isEqualTo("q\\\"b\\\\");
    }
}
