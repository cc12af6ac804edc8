package org.spack.gantry.http;

/**
 * A client's text made safe for a log read on a terminal: one line, no control
 * characters (ESC could recolour or rewrite the operator's screen, NUL or a vertical
 * tab garble it). Backslashes are doubled so that an escape cannot be forged.
 */
public final class LogText {
    private LogText() {}

    public static String escape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String replacement = replacement(c);
            if (replacement != null && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (replacement != null) out.append(replacement);
                else out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    private static String replacement(char c) {
        switch (c) {
            case '\\': return "\\\\";
            case '\n': return "\\n";
            case '\r': return "\\r";
            case '\t': return "\\t";
            default:
                if (c < 0x20 || c == 0x7f) return String.format("\\x%02x", (int) c);
                // C1 controls: some terminals take U+009B as the start of an escape sequence
                if (c >= 0x80 && c <= 0x9f) return String.format("\\u%04x", (int) c);
                return null;
        }
    }
}
