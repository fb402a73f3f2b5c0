package com.contactlistbridge.kore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class JwtSignerTest {

    private static final String CLIENT_ID = "cs-5250bdc9-6bfe-5ece-92c9-ab54aa2d4285";
    private static final String SECRET = "unit-test-secret-0123456789-abcdefghijklmnop";
    private static final String SUBJECT = "contact-list-bridge";
    private static final Instant NOW = Instant.parse("2025-07-01T10:15:30Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JwtSigner signer = new JwtSigner(CLIENT_ID, SECRET, SUBJECT, Duration.ofMinutes(5), CLOCK);

    private static String[] parts(String token) {
        String[] parts = token.split("\\.", -1);
        assertThat(parts).hasSize(3);
        return parts;
    }

    private static JsonNode decodePart(String part) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(part));
    }

    /** HS256 computed by hand over base64url(header) "." base64url(payload), without nimbus. */
    private static byte[] hmacSha256(String secret, String signingInput) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean signatureMatchesByHand(String token, String secret) throws Exception {
        String[] parts = parts(token);
        byte[] expected = hmacSha256(secret, parts[0] + "." + parts[1]);
        byte[] actual = Base64.getUrlDecoder().decode(parts[2]);
        return MessageDigest.isEqual(expected, actual);
    }

    @Test
    void tokenVerifiesWithNimbusMacVerifierOverTheSecretsUtf8Bytes() throws Exception {
        SignedJWT jwt = SignedJWT.parse(signer.sign());

        assertThat(jwt.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8)))).isTrue();
    }

    @Test
    void tokenDoesNotVerifyWithAnotherSecret() throws Exception {
        String token = signer.sign();
        String otherSecret = SECRET.replace('u', 'U');

        assertThat(SignedJWT.parse(token).verify(new MACVerifier(otherSecret.getBytes(StandardCharsets.UTF_8))))
                .isFalse();
        assertThat(signatureMatchesByHand(token, otherSecret)).isFalse();
    }

    @Test
    void signatureIsHmacSha256OverBase64UrlHeaderDotPayloadComputedByHand() throws Exception {
        String token = signer.sign();
        String[] parts = parts(token);

        assertThat(signatureMatchesByHand(token, SECRET)).isTrue();
        // base64url without padding, as JWS compact serialization requires
        assertThat(parts[2]).doesNotContain("=").matches("[A-Za-z0-9_-]+")
                .isEqualTo(Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(hmacSha256(SECRET, parts[0] + "." + parts[1])));
    }

    @Test
    void multiByteSecretIsUsedAsUtf8Bytes() throws Exception {
        String secret = "é".repeat(16); // 16 characters, 32 UTF-8 bytes
        String token = new JwtSigner(CLIENT_ID, secret, SUBJECT, Duration.ofMinutes(5), CLOCK).sign();

        assertThat(signatureMatchesByHand(token, secret)).isTrue();
        assertThat(SignedJWT.parse(token).verify(new MACVerifier(secret.getBytes(StandardCharsets.UTF_8)))).isTrue();
    }

    @Test
    void headerAlgorithmIsHs256() throws Exception {
        JsonNode header = decodePart(parts(signer.sign())[0]);

        assertThat(header.path("alg").asText()).isEqualTo("HS256");
    }

    @Test
    void claimsCarryAppIdSubIatExpAndJti() throws Exception {
        JsonNode claims = decodePart(parts(signer.sign())[1]);

        assertThat(claims.path("appId").asText()).isEqualTo(CLIENT_ID);
        assertThat(claims.has("appid")).isFalse();
        assertThat(claims.has("app_id")).isFalse();
        assertThat(claims.path("sub").asText()).isEqualTo(SUBJECT);
        assertThat(claims.path("iat").isIntegralNumber()).isTrue();
        assertThat(claims.path("iat").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(claims.path("exp").asLong()).isEqualTo(NOW.getEpochSecond() + 300);
        assertThat(claims.path("jti").asText()).isNotBlank();
    }

    @Test
    void expiryOfExactlyOneHourIsAccepted() throws Exception {
        String token = new JwtSigner(CLIENT_ID, SECRET, SUBJECT, Duration.ofHours(1), CLOCK).sign();
        JsonNode claims = decodePart(parts(token)[1]);

        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(3600);
    }

    @Test
    void jtiIsUniqueOverOneThousandTokens() throws Exception {
        Set<String> jtis = new HashSet<>();
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            String token = signer.sign();
            tokens.add(token);
            jtis.add(decodePart(parts(token)[1]).path("jti").asText());
        }

        assertThat(jtis).hasSize(1_000).doesNotContain("");
        assertThat(tokens).hasSize(1_000);
    }

    @Test
    void tokenIsARawCompactJwsWithoutBearerPrefix() {
        String token = signer.sign();

        assertThat(token).startsWith("eyJ").doesNotContain("Bearer").doesNotContainAnyWhitespaces()
                .matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    }

    @Test
    void processSetsAFreshVerifiableTokenInTheAuthHeader() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);

            signer.process(exchange);
            String first = exchange.getMessage().getHeader("auth", String.class);
            signer.process(exchange);
            String second = exchange.getMessage().getHeader("auth", String.class);

            assertThat(JwtSigner.AUTH_HEADER).isEqualTo("auth");
            assertThat(first).startsWith("eyJ").doesNotContain("Bearer");
            assertThat(signatureMatchesByHand(first, SECRET)).isTrue();
            assertThat(signatureMatchesByHand(second, SECRET)).isTrue();
            assertThat(second).isNotEqualTo(first);
            assertThat(exchange.getMessage().getHeader("Authorization")).isNull();
        }
    }

    @Test
    void constructorRejectsASecretShorterThan32BytesWithoutShowingIt() {
        String shortSecret = "short-secret-0123456789-abcdefg"; // 31 bytes
        assertThat(shortSecret.getBytes(StandardCharsets.UTF_8)).hasSize(31);

        assertThatThrownBy(() -> new JwtSigner(CLIENT_ID, shortSecret, SUBJECT, Duration.ofMinutes(5), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32 bytes")
                .satisfies(e -> assertThat(e.toString()).doesNotContain(shortSecret))
                .satisfies(e -> assertThat(e.getCause()).isNull());
    }

    @Test
    void constructorAcceptsASecretOfExactly32Bytes() {
        String secret = "x".repeat(32);

        assertThat(new JwtSigner(CLIENT_ID, secret, SUBJECT, Duration.ofMinutes(5), CLOCK).sign()).isNotBlank();
    }

    @Test
    void constructorRejectsABlankSecret() {
        assertThatThrownBy(() -> new JwtSigner(CLIENT_ID, "  ", SUBJECT, Duration.ofMinutes(5), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clientSecret must not be blank");
    }

    @Test
    void constructorRejectsAnExpiryLongerThanOneHour() {
        assertThatThrownBy(() -> new JwtSigner(CLIENT_ID, SECRET, SUBJECT, Duration.ofSeconds(3601), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 second and 1 hour");
    }

    @Test
    void constructorRejectsAZeroOrNegativeExpiry() {
        assertThatThrownBy(() -> new JwtSigner(CLIENT_ID, SECRET, SUBJECT, Duration.ZERO, CLOCK))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JwtSigner(CLIENT_ID, SECRET, SUBJECT, Duration.ofSeconds(-1), CLOCK))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructorRejectsABlankClientIdOrSubject() {
        assertThatThrownBy(() -> new JwtSigner(" ", SECRET, SUBJECT, Duration.ofMinutes(5), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clientId must not be blank");
        assertThatThrownBy(() -> new JwtSigner(CLIENT_ID, SECRET, null, Duration.ofMinutes(5), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("subject must not be blank");
    }
}
