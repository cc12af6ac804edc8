package org.spack.gantry.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Variants#parse} splits without building the reference's padded copy; this
 * checks it against the reference's steps done literally (pad, split, skip short parts)
 * on many random variant strings made of the characters that matter.
 */
class VariantsEquivalenceTest {
    /** The reference's {@code spec_variants}, step by step. */
    private static Object literally(String text) {
        String padded = text.replace("+", " +").replace("~", " ~");
        Map<String, Object> values = new LinkedHashMap<>();
        for (String part : padded.split(" ", -1)) {
            if (part.codePointCount(0, part.length()) < 2) continue;
            int eq = part.indexOf('=');
            if (eq >= 0) {
                if (part.indexOf('=', eq + 1) >= 0) return "invalid";
                String value = part.substring(eq + 1);
                values.put(part.substring(0, eq), value.contains(",") ? List.copyOf(Arrays.asList(value.split(",", -1))) : value);
            } else if (part.charAt(0) == '+') {
                values.put(part.substring(1), Boolean.TRUE);
            } else if (part.charAt(0) == '~') {
                values.put(part.substring(1), Boolean.FALSE);
            }
        }
        return PythonJson.dumps(values);
    }

    private static Object parsed(String text) {
        try {
            return Variants.parse(text).json();
        } catch (InvalidSpecException e) {
            return "invalid";
        }
    }

    @Test
    void splitsAsThePaddedCopyWouldOnRandomText() {
        String alphabet = "ab+~ =,\u00e9\uD83D\uDE00";
        Random rng = new Random(6);
        for (int n = 0; n < 200_000; n++) {
            StringBuilder s = new StringBuilder();
            int len = rng.nextInt(14);
            for (int i = 0; i < len; i++) {
                char c = alphabet.charAt(rng.nextInt(alphabet.length()));
                if (Character.isHighSurrogate(c) && rng.nextBoolean()) {
                    s.append(c).append('\uDE00'); // a whole pair, or a lone half
                } else {
                    s.append(c);
                }
            }
            String text = s.toString();
            assertEquals(literally(text), parsed(text), text);
        }
    }
}
