package com.contactlistbridge.sandbox;

/**
 * Obviously fake credentials shared by the demo mode, docker compose and the {@link KoreSandbox}, never valid at Kore.ai.
 */
public final class DemoCredentials {

    /** Bot / stream id used in the API path. */
    public static final String STREAM_ID = "st-demo-stream";

    /** Account id sent as query parameter and {@code accountId} header. */
    public static final String ACCOUNT_ID = "demo-account";

    /** Application id sent in the {@code iid} header. */
    public static final String IID = "st-demo-app";

    /** JWT app client id, carried in the {@code appId} claim. */
    public static final String CLIENT_ID = "cs-demo-client";

    /**
     * JWT app client secret; HS256 needs at least 32 bytes of key, and the wording makes a leak
     * into a real configuration easy to spot.
     */
    public static final String CLIENT_SECRET = "demo-secret-not-for-production-0123456789abcdef";

    private DemoCredentials() {
    }
}
