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
        String padded = text.replace("+", " +").replace("~", " ~");
        Map<String, Object> values = new LinkedHashMap<>();
        // Python's str.split(" ") keeps empty parts; they are skipped as too short below
        for (String part : padded.split(" ", -1)) {
            if (part.codePointCount(0, part.length()) < 2) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq >= 0) {
                if (part.indexOf('=', eq + 1) >= 0) {
                    throw new InvalidSpecException("variant has more than one '=': " + part);
                }
                String name = part.substring(0, eq);
                String value = part.substring(eq + 1);
                // a Python dict keeps a repeated key at its first position
                values.put(name, value.contains(",") ? List.copyOf(Arrays.asList(value.split(",", -1))) : value);
            } else if (part.charAt(0) == '+') {
                values.put(part.substring(1), Boolean.TRUE);
            } else if (part.charAt(0) == '~') {
                values.put(part.substring(1), Boolean.FALSE);
            }
        }
        return new Variants(values, PythonJson.dumps(values));
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Object get(String name) {
        return values.get(name);
    }
}
