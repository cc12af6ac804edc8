package org.spack.gantry.release;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** What this build is: written into the jar by Maven from {@code gantry-build.properties}. */
public record BuildInfo(String version, String commit, String builtAt) {

    public static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/gantry-build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BuildInfo(value(p, "version", "unknown"), value(p, "commit", ""), value(p, "built_at", ""));
    }

    private static String value(Properties p, String key, String dflt) {
        String v = p.getProperty(key, "").strip();
        // an unfiltered placeholder means the value was not known at build time
        return v.isEmpty() || v.startsWith("${") ? dflt : v;
    }
}
