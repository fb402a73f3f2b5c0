package com.contactlistbridge.kore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretRedactorTest {

    private static final String SECRET = "unit-test-secret-0123456789-abcdefghijklmnop";
    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJhcHBJZCI6ImNzLTEifQ.c2lnbmF0dXJlLXZhbHVlXy0";

    private final SecretRedactor redactor = new SecretRedactor(SECRET, 512);

    @Test
    void masksTheClientSecret() {
        assertThat(redactor.redact("bad key " + SECRET + " given"))
                .isEqualTo("bad key *** given")
                .doesNotContain(SECRET);
    }

    @Test
    void masksEveryOccurrenceOfTheSecret() {
        assertThat(redactor.redact(SECRET + "/" + SECRET)).isEqualTo("***/***");
    }

    @Test
    void masksJwtShapedStrings() {
        assertThat(redactor.redact("token " + JWT + " rejected"))
                .isEqualTo("token *** rejected")
                .doesNotContain("eyJ");
    }

    @Test
    void masksJwtsEvenWithoutAConfiguredSecret() {
        assertThat(new SecretRedactor(null, 64).redact("auth: " + JWT)).isEqualTo("auth: ***");
        assertThat(new SecretRedactor("", 64).redact("auth: " + JWT)).isEqualTo("auth: ***");
    }

    @Test
    void joinsLinesIntoOneLine() {
        assertThat(redactor.redact("  line one\r\nline two\n\n\tline three  ")).isEqualTo("line one line two line three");
    }

    @Test
    void truncatesLongTextToMaxLengthEndingWithDots() {
        String redacted = new SecretRedactor(SECRET, 16).redact("abcdefghijklmnopqrstuvwxyz");

        assertThat(redacted).hasSize(16).isEqualTo("abcdefghijklm...");
    }

    @Test
    void keepsTextOfExactlyMaxLength() {
        assertThat(new SecretRedactor(SECRET, 16).redact("abcdefghijklmnop")).isEqualTo("abcdefghijklmnop");
    }

    @Test
    void masksTheSecretBeforeTruncatingSoNoPartOfItLeaks() {
        String redacted = new SecretRedactor(SECRET, 20).redact("0123456789ABCDEF" + SECRET);

        assertThat(redacted).isEqualTo("0123456789ABCDEF***").doesNotContain("unit-test");
    }

    @Test
    void returnsEmptyTextForNull() {
        assertThat(redactor.redact(null)).isEmpty();
    }

    @Test
    void rejectsAMaxLengthBelow16() {
        assertThatThrownBy(() -> new SecretRedactor(SECRET, 15))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 16");
    }

    @Test
    void truncationNeverSplitsAnEmojiInHalf() {
        SecretRedactor redactor = new SecretRedactor(null, 16);
        String cut = redactor.redact("abcdefghijkl\uD83D\uDE00rest of the text");
        assertThat(cut).endsWith("...").doesNotContain("\uD83D.");
        assertThat(cut.chars().noneMatch(ch -> Character.isSurrogate((char) ch))).isTrue();
    }
}
