package org.spack.gantry.spec;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A package's variants in order of first appearance, as the reference's
 * {@code spec_variants} builds them: {@code +name} true, {@code ~name} false,
 * {@code name=value} a string, or a list of strings when the value has commas.
 */
public record Variants(Map<String, Object> values, String json) {

    public Variants {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Parses a variant string such as {@code +cuda~mpi build_system=cmake patches=a,b}. */
    public static Variants parse(String text) {
        // The reference puts a space before every '+' and '~' and splits on spaces. The
        // same parts, without building the padded copy: a part ends at a space, and a
        // '+' or '~' ends the part before it and begins the next.
        Map<String, Object> values = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ' ';
            if (c == ' ') {
                part(text, start, i, values);
                start = i + 1;
            } else if (c == '+' || c == '~') {
                part(text, start, i, values);
                start = i;
            }
        }
        return new Variants(values, PythonJson.dumps(values));
    }

    /** One part, {@code text[start, end)}: skipped when shorter than two characters, as the reference does. */
    private static void part(String text, int start, int end, Map<String, Object> values) {
        if (end - start < 2 || text.codePointCount(start, end) < 2) {
            return;
        }
        int eq = text.indexOf('=', start);
        if (eq >= 0 && eq < end) {
            int second = text.indexOf('=', eq + 1);
            if (second >= 0 && second < end) {
                throw new InvalidSpecException("variant has more than one '=': " + text.substring(start, end));
            }
            String name = text.substring(start, eq);
            String value = text.substring(eq + 1, end);
            // a Python dict keeps a repeated key at its first position
            values.put(name, value.indexOf(',') >= 0 ? List.copyOf(Arrays.asList(value.split(",", -1))) : value);
        } else if (text.charAt(start) == '+') {
            values.put(text.substring(start + 1, end), Boolean.TRUE);
        } else if (text.charAt(start) == '~') {
            values.put(text.substring(start + 1, end), Boolean.FALSE);
        }
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public Object get(String name) {
        return values.get(name);
    }
}
