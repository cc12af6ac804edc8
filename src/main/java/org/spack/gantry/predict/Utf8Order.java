package org.spack.gantry.predict;

/**
 * SQLite's BINARY collation on UTF-8 text is {@code memcmp} of the bytes, which is
 * code point order. Java's {@code String.compareTo} compares UTF-16 units and puts
 * U+E000..U+FFFF after the supplementary planes, so it cannot be used for tie order.
 */
final class Utf8Order {
    private Utf8Order() {}

    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
