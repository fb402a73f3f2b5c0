package com.contactlistbridge.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Validated configuration of a {@link KoreSandbox}: where it listens, which credentials it accepts and its rate budget.
 *
 * @param bindHost          address to bind, {@code 127.0.0.1} for local use, {@code 0.0.0.0} in a container
 * @param port              TCP port, 0 picks a free port
 * @param streamId          bot / stream id expected in the path
 * @param accountId         account id expected in the query parameter and the {@code accountId} header
 * @param iid               application id expected in the {@code iid} header
 * @param clientId          JWT app client id expected in the {@code appId} claim
 * @param clientSecret      HS256 key (UTF-8 bytes, at least 32 bytes); never printed by {@link #toString()}
 * @param requestsPerMinute accepted requests per account per sliding 60 s window, 0 = unlimited
 */
public record SandboxSettings(String bindHost, int port, String streamId, String accountId, String iid,
                              String clientId, String clientSecret, int requestsPerMinute) {

    /** Environment variable for the port; read directly, so camel-main's {@code *_PORT} filter does not apply. */
    public static final String ENV_PORT = "SANDBOX_PORT";
    public static final String ENV_BIND_HOST = "SANDBOX_BIND_HOST";
    public static final String ENV_STREAM_ID = "KORE_STREAM_ID";
    public static final String ENV_ACCOUNT_ID = "KORE_ACCOUNT_ID";
    public static final String ENV_IID = "KORE_IID";
    public static final String ENV_CLIENT_ID = "KORE_CLIENT_ID";
    public static final String ENV_CLIENT_SECRET = "KORE_CLIENT_SECRET";
    public static final String ENV_REQUESTS_PER_MINUTE = "KORE_RATE_LIMIT_REQUESTS_PER_MINUTE";

    public static final int DEFAULT_PORT = 8089;
    /** Containers must accept connections from other containers, hence the wildcard address by default. */
    public static final String DEFAULT_BIND_HOST = "0.0.0.0";
    /** Kore.ai's documented Campaign Management limit. */
    public static final int DEFAULT_REQUESTS_PER_MINUTE = 60;
    /** HS256 keys shorter than the 256-bit hash output are refused by nimbus-jose-jwt (RFC 7518, section 3.2). */
    public static final int MIN_SECRET_BYTES = 32;

    // streamId and accountId end up in URLs, so only URL-unreserved characters keep them unambiguous.
    private static final Pattern URL_SAFE_ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");
    private static final Pattern HEADER_SAFE_VALUE = Pattern.compile("[\\x21-\\x7E]{1,256}");

    /** Validates every setting so a bad configuration fails before the server binds. */
    public SandboxSettings {
        if (bindHost == null || bindHost.isBlank()) {
            throw new IllegalArgumentException("bindHost must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        requireMatching("streamId", streamId, URL_SAFE_ID, "1-128 URL-safe characters [A-Za-z0-9._~-]");
        requireMatching("accountId", accountId, URL_SAFE_ID, "1-128 URL-safe characters [A-Za-z0-9._~-]");
        requireMatching("iid", iid, HEADER_SAFE_VALUE, "1-256 printable ASCII characters without spaces");
        requireMatching("clientId", clientId, HEADER_SAFE_VALUE, "1-256 printable ASCII characters without spaces");
        Objects.requireNonNull(clientSecret, "clientSecret must not be null");
        int secretBytes = clientSecret.getBytes(StandardCharsets.UTF_8).length;
        if (secretBytes < MIN_SECRET_BYTES) {
            // The length is safe to report; the value never is.
            throw new IllegalArgumentException("clientSecret must be at least " + MIN_SECRET_BYTES
                    + " bytes (UTF-8) for HS256, was " + secretBytes + " bytes");
        }
        if (requestsPerMinute < 0) {
            throw new IllegalArgumentException("requestsPerMinute must be >= 0 (0 = unlimited), was " + requestsPerMinute);
        }
    }

    /**
     * Settings with the {@link DemoCredentials}, bound to {@code 127.0.0.1}, for the in-process demo mode and tests.
     *
     * @param port              TCP port, 0 picks a free port
     * @param requestsPerMinute accepted requests per sliding minute, 0 = unlimited
     */
    public static SandboxSettings demo(int port, int requestsPerMinute) {
        return new SandboxSettings("127.0.0.1", port, DemoCredentials.STREAM_ID, DemoCredentials.ACCOUNT_ID,
                DemoCredentials.IID, DemoCredentials.CLIENT_ID, DemoCredentials.CLIENT_SECRET, requestsPerMinute);
    }

    /**
     * Reads {@code SANDBOX_PORT} (default 8089), {@code SANDBOX_BIND_HOST} (default 0.0.0.0), {@code KORE_STREAM_ID},
     * {@code KORE_ACCOUNT_ID}, {@code KORE_IID}, {@code KORE_CLIENT_ID}, {@code KORE_CLIENT_SECRET} (defaults from
     * {@link DemoCredentials}) and {@code KORE_RATE_LIMIT_REQUESTS_PER_MINUTE} (default 60); blank values count as unset.
     *
     * @param env usually {@link System#getenv()}
     * @throws IllegalArgumentException naming the variable when a value is invalid
     */
    public static SandboxSettings fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        return new SandboxSettings(
                text(env, ENV_BIND_HOST, DEFAULT_BIND_HOST),
                integer(env, ENV_PORT, DEFAULT_PORT),
                text(env, ENV_STREAM_ID, DemoCredentials.STREAM_ID),
                text(env, ENV_ACCOUNT_ID, DemoCredentials.ACCOUNT_ID),
                text(env, ENV_IID, DemoCredentials.IID),
                text(env, ENV_CLIENT_ID, DemoCredentials.CLIENT_ID),
                secret(env, ENV_CLIENT_SECRET, DemoCredentials.CLIENT_SECRET),
                integer(env, ENV_REQUESTS_PER_MINUTE, DEFAULT_REQUESTS_PER_MINUTE));
    }

    /** {@code true} when no rate budget applies. */
    public boolean unlimited() {
        return requestsPerMinute == 0;
    }

    /** Lists every setting except the client secret, which is only described by its length. */
    @Override
    public String toString() {
        return "SandboxSettings[bindHost=" + bindHost + ", port=" + port + ", streamId=" + streamId
                + ", accountId=" + accountId + ", iid=" + iid + ", clientId=" + clientId
                + ", clientSecret=<redacted, " + clientSecret.getBytes(StandardCharsets.UTF_8).length + " bytes>"
                + ", requestsPerMinute=" + requestsPerMinute + "]";
    }

    private static void requireMatching(String name, String value, Pattern pattern, String rule) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(name + " must be " + rule);
        }
    }

    private static String text(Map<String, String> env, String name, String defaultValue) {
        String value = env.get(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    private static String secret(Map<String, String> env, String name, String defaultValue) {
        String value = env.get(name);
        // Not trimmed: surrounding spaces would be part of the key, exactly as the signing side reads it.
        return value == null || value.isBlank() ? defaultValue : value;
    }

    private static int integer(Map<String, String> env, String name, int defaultValue) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was '" + value.trim() + "'", e);
        }
    }
}
