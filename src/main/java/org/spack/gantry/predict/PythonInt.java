package org.spack.gantry.predict;

/** Python's {@code int(str)} for the values a variant can hold: sign, digits, underscores, spaces. */
final class PythonInt {
    private PythonInt() {}

    /** The value, or null where Python would raise (or it does not fit a 64-bit integer). */
    static Long parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) return null;
        int i = 0;
        boolean negative = false;
        if (s.charAt(0) == '+' || s.charAt(0) == '-') {
            negative = s.charAt(0) == '-';
            i = 1;
        }
        if (i >= s.length()) return null;
        long value = 0;
        boolean lastWasDigit = false;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '_') {
                if (!lastWasDigit) return null;
                lastWasDigit = false;
                continue;
            }
            int d = Character.digit(c, 10);
            if (d < 0) return null;
            try {
                value = Math.addExact(Math.multiplyExact(value, 10), d);
            } catch (ArithmeticException overflow) {
                return null;
            }
            lastWasDigit = true;
        }
        if (!lastWasDigit) return null;
        return negative ? -value : value;
    }
}
