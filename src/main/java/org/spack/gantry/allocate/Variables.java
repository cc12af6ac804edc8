package org.spack.gantry.allocate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The variables of one answer, in the order they are written. Spack merges every one
 * of them into the build job ({@code spack ci generate}), so a new variable reaches the
 * job with no change to Spack.
 */
public final class Variables {
    private final List<String> names = new ArrayList<>(4);
    private final List<String> values = new ArrayList<>(4);
    /** Which values are written as JSON strings (the others are integers). */
    private final List<Boolean> quoted = new ArrayList<>(4);

    /** Adds a variable after those already there; names and values are ASCII (Kubernetes quantities). */
    public Variables add(String name, String value) {
        names.add(name);
        values.add(value);
        quoted.add(true);
        return this;
    }

    /**
     * Adds a variable whose value is a JSON integer, as the reference's limits branch sends
     * {@code SPACK_BUILD_JOBS} (GitLab takes a number as a variable's value).
     */
    public Variables add(String name, long value) {
        names.add(name);
        values.add(Long.toString(value));
        quoted.add(false);
        return this;
    }

    /** The value of a variable, or null when the answer does not carry it. */
    public String get(String name) {
        int i = names.indexOf(name);
        return i < 0 ? null : values.get(i);
    }

    public List<String> names() {
        return List.copyOf(names);
    }

    /**
     * The response body: {@code {"variables": {"NAME": "value", ...}}}, byte for byte what
     * the reference's {@code json_response} (Python's {@code json.dumps}) writes for them.
     */
    public byte[] json() {
        StringBuilder out = new StringBuilder(96).append("{\"variables\": {");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) out.append(", ");
            out.append('"').append(names.get(i)).append("\": ");
            if (quoted.get(i)) out.append('"').append(values.get(i)).append('"');
            else out.append(values.get(i));
        }
        return out.append("}}").toString().getBytes(StandardCharsets.US_ASCII);
    }
}
