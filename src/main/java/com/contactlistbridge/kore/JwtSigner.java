package com.contactlistbridge.kore;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.KeyLengthException;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Signs a fresh HS256 JWT for every Kore.ai call and puts it in the {@code auth} header.
 *
 * <p>Every token has its own {@code jti}, so apps with "Enforce JTI" accept it, and a retry never replays a token.
 */
public class JwtSigner implements Processor {

    /** Kore.ai's header for the token: the raw JWT, no "Bearer" prefix. */
    public static final String AUTH_HEADER = "auth";
    /** Kore.ai refuses tokens that live longer than this when "Enforce JTI" is on. */
    public static final Duration MAX_EXPIRY = Duration.ofHours(1);

    private final String clientId;
    private final String subject;
    private final Duration expiry;
    private final Clock clock;
    private final JWSSigner signer;

    public JwtSigner(String clientId, String clientSecret, String subject, Duration expiry, Clock clock) {
        this.clientId = requireText(clientId, "clientId");
        this.subject = requireText(subject, "subject");
        this.expiry = Objects.requireNonNull(expiry, "expiry");
        if (expiry.isNegative() || expiry.isZero() || expiry.compareTo(MAX_EXPIRY) > 0) {
            throw new IllegalArgumentException("JWT expiry must be between 1 second and 1 hour, got " + expiry);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            this.signer = new MACSigner(requireText(clientSecret, "clientSecret").getBytes(StandardCharsets.UTF_8));
        } catch (KeyLengthException e) {
            // The message deliberately omits the secret itself.
            throw new IllegalArgumentException("the client secret must be at least 32 bytes (256 bits) for HS256");
        }
    }

    @Override
    public void process(Exchange exchange) {
        exchange.getMessage().setHeader(AUTH_HEADER, sign());
    }

    /** Returns a new compact JWS with claims appId, sub, iat, exp and a unique jti. */
    public String sign() {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .claim("appId", clientId)
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(expiry)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign the Kore.ai JWT: " + e.getClass().getSimpleName(), e);
        }
        return jwt.serialize();
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }
}
