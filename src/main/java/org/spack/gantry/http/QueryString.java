package org.spack.gantry.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A query string's parameters read as the reference reads them: aiohttp's
 * {@code request.query} is yarl's, which is Python's {@code parse_qsl(query,
 * keep_blank_values=True)}: split on {@code &}, a name without {@code =} has an empty
 * value, {@code +} is a space, then {@code unquote} (UTF-8, invalid bytes replaced).
 * A {@code %} not followed by two hex digits is kept as it is: {@code spec=%zz} is the
 * spec {@code %zz} (then refused as an invalid spec), and a spec sent with its compiler's
 * {@code %} unencoded is read as the reference reads it. Nothing is refused here.
 */
final class QueryString {
    private QueryString() {}

    /** The first value of {@code name} in the raw (undecoded) query, or null. */
    static String first(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) return null;
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) end = rawQuery.length();
            if (end > start) {
                String pair = rawQuery.substring(start, end);
                int eq = pair.indexOf('=');
                String rawName = eq < 0 ? pair : pair.substring(0, eq);
                if (decode(rawName).equals(name)) {
                    return eq < 0 ? "" : decode(pair.substring(eq + 1));
                }
            }
            start = end + 1;
        }
        return null;
    }

    /** {@code +} as a space, then Python's {@code unquote(s, 'utf-8', 'replace')}. */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) return raw;
        String s = raw.replace('+', ' ');
        if (s.indexOf('%') < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x7f) {
                // unquote decodes runs of ASCII only and keeps any other character as it is
                flush(bytes, out);
                out.append(c);
            } else if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                bytes.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        flush(bytes, out);
        return out.toString();
    }

    private static void flush(ByteArrayOutputStream bytes, StringBuilder out) {
        if (bytes.size() > 0) {
            // malformed UTF-8 becomes U+FFFD, as Python's errors='replace'
            out.append(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
            bytes.reset();
        }
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
