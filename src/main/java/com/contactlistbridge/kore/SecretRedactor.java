package com.contactlistbridge.kore;

import java.util.regex.Pattern;

/** Removes the client secret and anything shaped like a JWT from text that may reach logs or Kafka headers. */
public class SecretRedactor {

    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final String MASK = "***";

    private final String clientSecret;
    private final int maxLength;

    public SecretRedactor(String clientSecret, int maxLength) {
        if (maxLength < 16) {
            throw new IllegalArgumentException("maxLength must be at least 16, got " + maxLength);
        }
        this.clientSecret = clientSecret == null || clientSecret.isEmpty() ? null : clientSecret;
        this.maxLength = maxLength;
    }

    /** Returns the text with secrets masked, single-lined and cut to the configured length. */
    public String redact(String text) {
        if (text == null) {
            return "";
        }
        String clean = text;
        if (clientSecret != null) {
            clean = clean.replace(clientSecret, MASK);
        }
        clean = JWT.matcher(clean).replaceAll(MASK);
        clean = clean.replaceAll("[\\r\\n\\t]+", " ").strip();
        if (clean.length() > maxLength) {
            int cut = maxLength - 3;
            if (Character.isHighSurrogate(clean.charAt(cut - 1))) {
                cut--; // never split a character outside the BMP (an emoji) in half
            }
            clean = clean.substring(0, cut) + "...";
        }
        return clean;
    }
}
