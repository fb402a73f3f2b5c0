package com.contactlistbridge.ops;

/**
 * Keeps every log call on one line whatever the logged values hold (ids, names, Kore.ai's error texts): characters
 * that end a line or steer a terminal are written as escapes instead.
 *
 * <p>Escaped: CR, LF and TAB as {@code \r}, {@code \n}, {@code \t}; every other control character (U+0000..U+001F,
 * DEL, U+0080..U+009F, NEL included) and the Unicode line and paragraph separators U+2028/U+2029 as {@code \}{@code
 * uXXXX}. Text logs leave everything else as is, backslashes included; JSON logs also escape quotes and backslashes,
 * so the JSON value reads back as the original text.
 */
public final class LogEscaping {

    private LogEscaping() {
    }

    /** For a text log line. */
    public static String text(String value) {
        return escape(value, false);
    }

    /** For the content of a JSON string value (without the surrounding quotes). */
    public static String json(String value) {
        return escape(value, true);
    }

    private static String escape(String value, boolean json) {
        if (value == null) {
            return "";
        }
        int first = 0;
        while (first < value.length() && !needsEscape(value.charAt(first), json)) {
            first++;
        }
        if (first == value.length()) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 16).append(value, 0, first);
        for (int i = first; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!needsEscape(c, json)) {
                out.append(c);
                continue;
            }
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(char c, boolean json) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || (json && (c == '"' || c == '\\'));
    }
}
