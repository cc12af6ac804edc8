package org.spack.gantry.spec;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses allocation specs with the reference's pattern
 * {@code (.+?)@(\S+)\s+(.+?)\s+arch=(\S+)%([\w-]+)@(\S+)}, matched from the start.
 * The character classes are spelled out to mean what Python's {@code re} means by
 * them on text, which is not quite what Java's do.
 */
public final class SpecParser {
    // Python's str.isspace() also counts the ASCII separators 0x1c-0x1f
    private static final String SPACE = "[\\s\\x1c-\\x1f]";
    private static final String NON_SPACE = "[^\\s\\x1c-\\x1f]";
    // Python's \w on text: letters, anything numeric, and the underscore
    private static final String WORD_OR_DASH = "[\\p{L}\\p{N}_-]";
    private static final Pattern SPEC = Pattern.compile(
            "(.+?)@(" + NON_SPACE + "+)" + SPACE + "+(.+?)" + SPACE + "+arch=(" + NON_SPACE + "+)%("
                    + WORD_OR_DASH + "+)@(" + NON_SPACE + "+)",
            // UNIX_LINES: like Python, '.' stops only at '\n'
            Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES);

    public Spec parse(String text) {
        Matcher m = SPEC.matcher(text);
        if (!m.lookingAt()) {
            throw new InvalidSpecException("spec does not match name@version variants arch=ARCH%compiler@version");
        }
        Variants variants = Variants.parse(m.group(3));
        if (variants.isEmpty()) {
            throw new InvalidSpecException("spec has no variants");
        }
        return new Spec(m.group(1), m.group(2), variants, m.group(4), m.group(5), m.group(6));
    }
}
