package org.spack.gantry.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The linear-time matcher against the reference's pattern run by a backtracking engine
 * with Python's meaning of {@code \s}, {@code \S}, {@code \w} and {@code .}, on strings
 * short enough for backtracking to be cheap: the same match or none, the same groups.
 */
class SpecPatternEquivalenceTest {
    private static final String SPACE = "[\\s\\x1c-\\x1f]";
    private static final String NON_SPACE = "[^\\s\\x1c-\\x1f]";
    private static final String WORD_OR_DASH = "[\\p{L}\\p{N}_-]";
    /** The reference's pattern; UNIX_LINES: like Python, '.' stops only at '\n'. */
    static final Pattern PYTHON = Pattern.compile(
            "(.+?)@(" + NON_SPACE + "+)" + SPACE + "+(.+?)" + SPACE + "+arch=(" + NON_SPACE + "+)%("
                    + WORD_OR_DASH + "+)@(" + NON_SPACE + "+)",
            Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES);

    /** Pieces that meet the pattern's choice points, and characters on the edges of its classes. */
    private static final String[] PIECES = {
        "@", "@", "%", "%", " ", " ", " ", "\t", "\n", "arch=", "arch=", "a", "x", "-", "_", "1", "+", "~", "=", ",",
        "gcc@1", "%gcc@1", "\u00a0", "\u2028", "\u001c", "\u0085", "\u000b", "\u00e9", "\u0663", "\u00b2",
        "\uD835\uDD18", "\uD800", "\uDC00", "\u3000", "\u200b", "\u180e", "ar", "ch=", "@1", " +a", "~b", "k=v,w",
    };

    private static String[] regex(String s) {
        Matcher m = PYTHON.matcher(s);
        if (!m.lookingAt()) return null;
        String[] g = new String[6];
        for (int i = 0; i < 6; i++) g[i] = m.group(i + 1);
        return g;
    }

    private static void check(String s) {
        String[] expected = regex(s);
        String[] actual = SpecPattern.match(s);
        assertArrayEquals(expected, actual, () -> "for " + escape(s));
    }

    @Test
    void givesTheRegexGroupsOnAMillionRandomAndAdversarialStrings() {
        SplittableRandom random = new SplittableRandom(9);
        StringBuilder sb = new StringBuilder();
        int matched = 0;
        int total = 1_000_000;
        for (int i = 0; i < total; i++) {
            sb.setLength(0);
            if (i % 2 == 0) {
                // shaped like a spec, each field and separator now and then replaced
                sb.append(field(random, "py-x")).append(field(random, "@")).append(field(random, "1.2"))
                        .append(field(random, " "));
                int parts = 1 + random.nextInt(3);
                for (int p = 0; p < parts; p++) sb.append(field(random, "+a"));
                sb.append(field(random, " arch=")).append(field(random, "x86")).append(field(random, "%"))
                        .append(field(random, "gcc")).append(field(random, "@")).append(field(random, "1"));
                if (random.nextInt(3) == 0) sb.append(piece(random));
            } else {
                int len = random.nextInt(16);
                for (int p = 0; p < len; p++) sb.append(piece(random));
            }
            String s = sb.toString();
            check(s);
            if (regex(s) != null) matched++;
        }
        // both outcomes well represented
        assertTrue(matched > total / 20 && matched < total * 9 / 10, matched + " of " + total + " matched");
    }

    @Test
    void adversarialShapes() {
        check("a@b " + "+".repeat(300) + "x");
        check("a@b" + " ".repeat(50) + "arch=x%y@z");
        check("a@b  arch=x%y@z");
        check("a@b " + "@".repeat(200));
        check("@".repeat(100) + " x arch=x%y@z");
        check("a@b c arch=x%y@z%w@v");
        check("a@b c arch=x%y@%w@v");
        check("a@b c arch=x%%y@z");
        check("a@b c\narch=x%y@z");
        check("a\n@b c arch=x%y@z");
        check("a@b c arch=x%y@z arch=p%q@r");
        check("a@b \nc arch=x%y@z");
        check("a@b\n c arch=x%y@z");
        check(" @b c arch=x%y@z");
        check("a@b c arch=%y@z");
        check("a@b c arch=x%y@");
        check("a@b c arch=x%y@ z");
    }

    /** Mostly the field as a spec has it; else one or two random pieces. */
    private static String field(SplittableRandom random, String usual) {
        int r = random.nextInt(8);
        return r < 5 ? usual : r < 7 ? piece(random) : usual + piece(random);
    }

    private static String piece(SplittableRandom random) {
        return PIECES[random.nextInt(PIECES.length)];
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out.toString();
    }
}
