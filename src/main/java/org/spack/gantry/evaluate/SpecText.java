package org.spack.gantry.evaluate;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.spack.gantry.store.JobRow;

/**
 * A stored job written back as the spec Spack would send for it, the way the reference's
 * {@code dev/simulate_predict.py} does ({@code dict_to_spec}), with the {@code arch=} the
 * allocation API requires: {@code name@version VARIANTS arch=ARCH%compiler@version}.
 */
final class SpecText {
    private SpecText() {}

    static String of(JobRow job) {
        return job.pkgName() + "@" + job.pkgVersion() + " " + variants(job.pkgVariants()) + " arch=" + job.arch()
                + "%" + job.compilerName() + "@" + job.compilerVersion();
    }

    /** {@code +a~b name=value list=x,y}: booleans as +/~ glued to what precedes them. */
    static String variants(String json) {
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(json == null ? "" : json);
        } catch (RuntimeException notJson) {
            return "";
        }
        if (!parsed.isJsonObject()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : parsed.getAsJsonObject().entrySet()) {
            JsonElement v = e.getValue();
            if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean()) {
                parts.add((v.getAsBoolean() ? "+" : "~") + e.getKey());
            } else if (v.isJsonArray()) {
                parts.add(e.getKey() + "=" + StreamSupport.stream(v.getAsJsonArray().spliterator(), false)
                        .map(SpecText::pythonStr).collect(Collectors.joining(",")));
            } else {
                parts.add(e.getKey() + "=" + pythonStr(v));
            }
        }
        return String.join(" ", parts).replace(" +", "+").replace(" ~", "~");
    }

    /** What Python's {@code str()} gives for a value {@code json.loads} made. */
    private static String pythonStr(JsonElement v) {
        if (v.isJsonNull()) {
            return "None";
        }
        if (v.isJsonPrimitive()) {
            JsonPrimitive p = v.getAsJsonPrimitive();
            if (p.isBoolean()) {
                return p.getAsBoolean() ? "True" : "False";
            }
            return p.getAsString();
        }
        return v.toString();
    }
}
