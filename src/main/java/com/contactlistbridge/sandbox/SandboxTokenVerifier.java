package com.contactlistbridge.sandbox;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks an {@code auth} header JWT the way a Kore.ai JWT app with "Enforce JTI" switched on does.
 */
final class SandboxTokenVerifier {

    /** Kore.ai's "Enforce JTI" rule: exp at most one hour after iat. */
    static final Duration MAX_LIFETIME = Duration.ofHours(1);
    /** Tolerated clock difference for iat in the future, so a one-hour lifetime cannot be stretched by a future iat. */
    static final Duration MAX_IAT_SKEW = Duration.ofMinutes(1);

    private final String clientId;
    private final byte[] secret;
    private final Clock clock;
    // Kept for the sandbox's life, like Kore.ai: a jti may never be reused, even after its token expired.
    private final Map<String, Instant> seenJtis = new ConcurrentHashMap<>();

    SandboxTokenVerifier(String clientId, String clientSecret, Clock clock) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.secret = Objects.requireNonNull(clientSecret, "clientSecret").getBytes(StandardCharsets.UTF_8);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Accepts the token or throws a 401 rejection whose message names the broken rule (never the token itself).
     * An accepted token's jti is consumed, whatever happens to the request afterwards.
     */
    void verify(String token) throws SandboxRejection {
        if (token == null || token.isBlank()) {
            throw SandboxRejection.invalidCredentials("the auth header with a JWT is required");
        }
        if (token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw SandboxRejection.invalidCredentials("the auth header carries the raw JWT, without a 'Bearer' prefix");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token.trim());
        } catch (ParseException e) {
            throw SandboxRejection.invalidCredentials("the auth header is not a well-formed signed JWT");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw SandboxRejection.invalidCredentials("only HS256 is accepted for apps mapped to an API scope, got "
                    + jwt.getHeader().getAlgorithm());
        }
        try {
            if (!jwt.verify(new MACVerifier(secret))) {
                throw SandboxRejection.invalidCredentials("the signature does not match the app's client secret");
            }
        } catch (JOSEException e) {
            throw SandboxRejection.invalidCredentials("the signature cannot be verified");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw SandboxRejection.invalidCredentials("the claims are not a valid JWT claims set");
        }
        verifyAppId(claims);
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        if (exp == null) {
            throw SandboxRejection.invalidCredentials("the exp claim is required");
        }
        if (iat == null) {
            throw SandboxRejection.invalidCredentials("the iat claim is required");
        }
        if (!exp.toInstant().isAfter(now)) {
            throw SandboxRejection.invalidCredentials("the token has expired");
        }
        if (iat.toInstant().isAfter(now.plus(MAX_IAT_SKEW))) {
            throw SandboxRejection.invalidCredentials("the iat claim lies in the future");
        }
        if (Duration.between(iat.toInstant(), exp.toInstant()).compareTo(MAX_LIFETIME) > 0) {
            throw SandboxRejection.invalidCredentials("exp must be at most 3600 seconds after iat");
        }
        String jti = claims.getJWTID();
        if (jti == null || jti.isBlank()) {
            throw SandboxRejection.invalidCredentials("the jti claim is required");
        }
        // putIfAbsent makes "check and remember" atomic, so two concurrent requests cannot share one jti.
        if (seenJtis.putIfAbsent(jti, now) != null) {
            throw SandboxRejection.invalidCredentials("the jti has already been used (possibly a replay)");
        }
    }

    private void verifyAppId(JWTClaimsSet claims) throws SandboxRejection {
        Object appId = claims.getClaim("appId");
        if (appId == null) {
            boolean misspelled = claims.getClaims().keySet().stream()
                    .anyMatch(name -> name.equalsIgnoreCase("appId"));
            throw SandboxRejection.invalidCredentials(misspelled
                    ? "the client id claim must be spelled exactly 'appId'"
                    : "the appId claim is required");
        }
        if (!clientId.equals(appId)) {
            throw SandboxRejection.invalidCredentials("the appId claim does not match the app's client id");
        }
    }
}
