package org.spack.gantry.predict;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.spack.gantry.spec.Variants;
import org.spack.gantry.store.ReferenceQueries;

/**
 * The expensive-variant rule, written once: what a spec's expensive-variant query requires
 * and what a stored job's variants text is to the reference's conditions (prediction.py
 * at eaa0f3a: {@code json_extract(pkg_variants, '$.v') = int(value)} for a bool or int,
 * {@code IS NULL} for anything else). {@code ExpensiveVariantsTest} proves {@link #stored}
 * equal to those conditions as SQLite evaluates them, over a corpus of odd texts.
 *
 * <p>Both sides are packed two bits a variant, in {@link #NAMES} order, so that a
 * query's requirement and the jobs it accepts are one {@code int} compared with {@code ==}.
 */
public final class ExpensiveVariants {
    /** Variants that change a build's cost so much that a sample must agree on them. */
    public static final List<String> NAMES = List.of("sycl", "mpi", "rocm", "cuda", "python", "fortran", "openmp", "hdf5");

    /** What {@code json_extract} gives for one variant: NULL, a value equal to 0, equal to 1, or anything else. */
    static final int ABSENT = 0;
    static final int FALSE = 1;
    static final int TRUE = 2;
    static final int OTHER = 3;
    /** A text that is not JSON: the reference's condition fails on it (an error), and no spec accepts it here. */
    static final int UNREADABLE = -1;

    private ExpensiveVariants() {}

    /**
     * The integer the stored value must equal, or null for {@code IS NULL}. The parser
     * only makes booleans, strings and lists, so only {@code +v}/{@code ~v} compare.
     */
    static Long required(Variants variants, String name) {
        return variants.get(name) instanceof Boolean b ? (b ? 1L : 0L) : null;
    }

    /** A spec's expensive-variant query: the reference's conditions, one per variant, and this rule over a stored text. */
    static ReferenceQueries.ExpensiveMatch match(Variants variants) {
        List<ReferenceQueries.Expensive> conditions = new ArrayList<>(NAMES.size());
        for (String name : NAMES) {
            conditions.add(new ReferenceQueries.Expensive(name, required(variants, name)));
        }
        int requirement = requirement(variants);
        return new ReferenceQueries.ExpensiveMatch(conditions, text -> stored(text) == requirement);
    }

    /** What a spec's expensive-variant query accepts, packed: a stored job matches when {@link #stored} equals it. */
    static int requirement(Variants variants) {
        int key = 0;
        for (int i = 0; i < NAMES.size(); i++) {
            Long v = required(variants, NAMES.get(i));
            key |= (v == null ? ABSENT : v == 1 ? TRUE : FALSE) << (2 * i);
        }
        return key;
    }

    /** Whether a stored job can match some spec's expensive-variant query (nothing unreadable, no {@link #OTHER}). */
    static boolean acceptedBySomeSpec(int stored) {
        if (stored == UNREADABLE) return false;
        for (int i = 0; i < NAMES.size(); i++) {
            if (((stored >> (2 * i)) & 3) == OTHER) return false;
        }
        return true;
    }

    /**
     * What the reference's conditions see in a stored variants text, packed; {@link
     * #UNREADABLE} for a text that is not strict JSON. As SQLite's {@code json_extract}:
     * a top-level value that is not an object has no keys; of a repeated key the first
     * counts; {@code true}/{@code false} are 1/0; a number is compared by its value (so
     * {@code 1.0} and {@code 1e0} equal 1); a string (even {@code "1"}), array or object
     * equals neither; {@code null} is NULL.
     */
    static int stored(String text) {
        int[] seen = new int[NAMES.size()];
        boolean[] found = new boolean[NAMES.size()];
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            if (r.peek() == JsonToken.BEGIN_OBJECT) {
                r.beginObject();
                while (r.hasNext()) {
                    int i = NAMES.indexOf(r.nextName());
                    if (i < 0 || found[i]) {
                        r.skipValue();
                    } else {
                        found[i] = true;
                        seen[i] = value(r);
                    }
                }
                r.endObject();
            } else {
                r.skipValue();
            }
            if (r.peek() != JsonToken.END_DOCUMENT) return UNREADABLE;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            return UNREADABLE;
        }
        int key = 0;
        for (int i = 0; i < seen.length; i++) {
            key |= seen[i] << (2 * i);
        }
        return key;
    }

    private static int value(JsonReader r) throws IOException {
        switch (r.peek()) {
            case NULL -> {
                r.nextNull();
                return ABSENT;
            }
            case BOOLEAN -> {
                return r.nextBoolean() ? TRUE : FALSE;
            }
            case NUMBER -> {
                double d = Double.parseDouble(r.nextString());
                return d == 0 ? FALSE : d == 1 ? TRUE : OTHER;
            }
            default -> {
                r.skipValue();
                return OTHER;
            }
        }
    }
}
