package com.contactlistbridge.ops;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * The last line of defence for secrets in logs: every log line (message and stack trace) passes through here, so a
 * JWT or the client secret is masked even when a library logs it (e.g. HTTP wire logging at DEBUG).
 */
public final class LogRedaction {

    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final List<String> SECRETS = new CopyOnWriteArrayList<>();

    private LogRedaction() {
    }

    /** Adds a secret value to mask from now on (values shorter than 8 characters are ignored as too common). */
    public static void register(String secret) {
        if (secret != null && secret.length() >= 8 && !SECRETS.contains(secret)) {
            SECRETS.add(secret);
        }
    }

    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String clean = text;
        for (String secret : SECRETS) {
            clean = clean.replace(secret, "***");
        }
        if (clean.contains("eyJ")) {
            clean = JWT.matcher(clean).replaceAll("***");
        }
        return clean;
    }
}
