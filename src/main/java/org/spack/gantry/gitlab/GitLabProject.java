package org.spack.gantry.gitlab;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Map;
import java.util.Optional;

/**
 * The project API both GitLab clients address: its URL (no trailing slash), the token
 * header GitLab reads ({@code PRIVATE-TOKEN}), and GitLab's own words in an error answer.
 */
record GitLabProject(String url, Map<String, String> headers) {
    /** An error's words are cut to this many characters: one log line. */
    static final int MAX_MESSAGE = 200;

    /** @param projectUrl ends in the project API, e.g. {@code /api/v4/projects/2} */
    static GitLabProject of(String projectUrl, String apiToken) {
        return new GitLabProject(projectUrl.endsWith("/") ? projectUrl.substring(0, projectUrl.length() - 1) : projectUrl,
                Map.of("PRIVATE-TOKEN", apiToken));
    }

    /**
     * GitLab's words in an error answer, {@code {"error": ...}} or {@code {"message": ...}}
     * (a text, or an object of validation errors written as JSON), on one line and short;
     * empty for anything else (a proxy's page, or a body cut at the read limit).
     */
    static Optional<String> errorMessage(String body) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(body);
            if (!e.isJsonObject()) return Optional.empty();
            o = e.getAsJsonObject();
        } catch (RuntimeException notJson) {
            return Optional.empty();
        }
        for (String field : new String[] {"error", "message"}) {
            JsonElement e = o.get(field);
            if (e == null || e.isJsonNull()) continue;
            String text = (e.isJsonPrimitive() ? e.getAsString() : e.toString()).replaceAll("[\\s\\p{Cntrl}]+", " ").strip();
            return Optional.of(shortened(text));
        }
        return Optional.empty();
    }

    static String shortened(String text) {
        return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "..." : text;
    }
}
