package org.spack.gantry.spec;

/**
 * The reference's {@code re.match(r"(.+?)@(\S+)\s+(.+?)\s+arch=(\S+)%([\w-]+)@(\S+)", s)}
 * in linear time, giving the groups Python's backtracking gives. A backtracking engine
 * takes cubic time on it ({@code a@b} and thousands of {@code +}); this one decides each
 * choice point with tables computed in one pass over the text.
 *
 * <p>How the backtracking resolves, read off the pattern: group 1 is lazy, so the first
 * {@code @} (before any newline) for which the rest matches wins. Group 2 is greedy and
 * {@code \s} follows, so it is the whole non-space run after the {@code @}. The {@code \s+}
 * after it is greedy: the longest choice that lets the rest match. Group 3 is lazy: it
 * ends at the first space whose space run is followed by {@code arch=} and a valid tail.
 * In the tail {@code (\S+)%([\w-]+)@(\S+)}, group 4 is greedy: it ends at the last
 * {@code %} of its non-space run from which {@code [\w-]+@\S} follows (the word run
 * must reach an {@code @}, which is no word character, and one non-space must follow).
 * Positions are code points, as in Python and java.util.regex.
 */
final class SpecPattern {
    private static final int NONE = Integer.MAX_VALUE;
    private static final int[] ARCH = {'a', 'r', 'c', 'h', '='};

    private SpecPattern() {}

    /** The six groups as strings, or null when the text does not match from its start. */
    static String[] match(String text) {
        int[] cp = codePoints(text);
        int n = cp.length;
        boolean[] space = new boolean[n];
        for (int i = 0; i < n; i++) space[i] = isSpace(cp[i]);

        // right to left: ends of runs, the next newline
        int[] spaceEnd = new int[n + 1];
        int[] nonSpaceEnd = new int[n + 1];
        int[] wordEnd = new int[n + 1];
        int[] nextNewline = new int[n + 1];
        spaceEnd[n] = n;
        nonSpaceEnd[n] = n;
        wordEnd[n] = n;
        nextNewline[n] = NONE;
        for (int i = n - 1; i >= 0; i--) {
            spaceEnd[i] = space[i] ? spaceEnd[i + 1] : i;
            nonSpaceEnd[i] = space[i] ? i : nonSpaceEnd[i + 1];
            wordEnd[i] = isWordOrDash(cp[i]) ? wordEnd[i + 1] : i;
            nextNewline[i] = cp[i] == '\n' ? i : nextNewline[i + 1];
        }
        // left to right: the last '%' at or before i that can end group 4
        int[] lastPercent = new int[n];
        for (int i = 0; i < n; i++) {
            int previous = i > 0 ? lastPercent[i - 1] : -1;
            lastPercent[i] = cp[i] == '%' && tailAfterPercent(cp, space, wordEnd, i) ? i : previous;
        }
        // right to left: the first space at or after i that can end group 3
        int[] nextGood = new int[n + 2];
        nextGood[n] = NONE;
        nextGood[n + 1] = NONE;
        for (int i = n - 1; i >= 0; i--) {
            boolean good = space[i] && tail(cp, space, nonSpaceEnd, lastPercent, spaceEnd[i]) >= 0;
            nextGood[i] = good ? i : nextGood[i + 1];
        }

        int lastRunTried = -1;
        for (int at = 1; at < n && at < nextNewline[0]; at++) {
            if (cp[at] != '@' || at + 1 >= n || space[at + 1]) continue;
            int versionEnd = nonSpaceEnd[at + 1];
            // a later '@' in the same run leads to the same choices, which already failed
            if (versionEnd == lastRunTried) continue;
            lastRunTried = versionEnd;
            if (versionEnd >= n) continue;
            for (int variantsStart = spaceEnd[versionEnd]; variantsStart > versionEnd; variantsStart--) {
                if (variantsStart >= n) continue;
                int variantsEnd = nextGood[variantsStart + 1];
                if (variantsEnd == NONE || variantsEnd > nextNewline[variantsStart]) continue;
                int archStart = spaceEnd[variantsEnd] + ARCH.length;
                int percent = tail(cp, space, nonSpaceEnd, lastPercent, spaceEnd[variantsEnd]);
                int at2 = wordEnd[percent + 1];
                int[] bounds = {0, at, at + 1, versionEnd, variantsStart, variantsEnd, archStart, percent,
                        percent + 1, at2, at2 + 1, nonSpaceEnd[at2 + 1]};
                return groups(text, cp, bounds);
            }
        }
        return null;
    }

    /**
     * Whether {@code arch=} and a valid tail start at {@code k}: the position of group 4's
     * closing {@code %}, or -1.
     */
    private static int tail(int[] cp, boolean[] space, int[] nonSpaceEnd, int[] lastPercent, int k) {
        int n = cp.length;
        if (k + ARCH.length > n) return -1;
        for (int j = 0; j < ARCH.length; j++) {
            if (cp[k + j] != ARCH[j]) return -1;
        }
        int p = k + ARCH.length;
        if (p >= n || space[p]) return -1;
        int percent = lastPercent[nonSpaceEnd[p] - 1];
        return percent >= p + 1 ? percent : -1;
    }

    /** Whether {@code [\w-]+@\S} follows the {@code %} at {@code q}. */
    private static boolean tailAfterPercent(int[] cp, boolean[] space, int[] wordEnd, int q) {
        int w = wordEnd[q + 1];
        return w > q + 1 && w + 1 < cp.length && cp[w] == '@' && !space[w + 1];
    }

    private static String[] groups(String text, int[] cp, int[] bounds) {
        boolean plain = cp.length == text.length(); // no surrogate pairs: code point positions are char positions
        String[] groups = new String[6];
        for (int g = 0; g < 6; g++) {
            int from = bounds[2 * g];
            int to = bounds[2 * g + 1];
            groups[g] = plain ? text.substring(from, to)
                    : text.substring(text.offsetByCodePoints(0, from), text.offsetByCodePoints(0, to));
        }
        return groups;
    }

    private static int[] codePoints(String s) {
        int[] cp = new int[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            cp[n++] = c;
            i += Character.charCount(c);
        }
        return n == cp.length ? cp : java.util.Arrays.copyOf(cp, n);
    }

    /** Python's {@code \s} on text: Unicode White_Space, and the separators 0x1c-0x1f that str.isspace() counts. */
    static boolean isSpace(int c) {
        if (c <= ' ') return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
        if (c < 0x85) return false;
        if (c == 0x85) return true;
        int type = Character.getType(c);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** Python's {@code [\w-]} on text: letters, anything numeric, the underscore and the dash. */
    static boolean isWordOrDash(int c) {
        if (c < 0x80) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }
        int type = Character.getType(c);
        return Character.isLetter(c) || type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
