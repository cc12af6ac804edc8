package org.spack.gantry.release;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Which jar entries make up a release directory, and where each lands. Only these
 * prefixes are ever unpacked; a name that could leave the directory is refused.
 */
final class ReleaseFiles {
    static final String RELEASE_PREFIX = "release/";
    static final String MIGRATIONS_PREFIX = "db/migration/";
    static final String JAR = "lib/gantry.jar";
    static final String RELEASE_JSON = "RELEASE";

    /** One file to write: the entry it comes from, its relative path, whether it is executable. */
    record File(ZipEntry entry, String path, boolean executable) {}

    private ReleaseFiles() {}

    static List<File> of(ZipFile zip) throws IOException {
        List<File> files = new ArrayList<>();
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            String name = e.getName();
            String path;
            if (name.startsWith(RELEASE_PREFIX)) {
                path = name.substring(RELEASE_PREFIX.length());
            } else if (name.startsWith(MIGRATIONS_PREFIX)) {
                path = "migrations/" + name.substring(MIGRATIONS_PREFIX.length());
            } else {
                continue;
            }
            if (e.isDirectory() || path.isEmpty() || path.endsWith("/")) {
                continue;
            }
            checkSafe(name, path);
            files.add(new File(e, path, path.startsWith("bin/")));
        }
        return files;
    }

    /** No absolute names, no parent steps, no backslashes: an entry stays inside the release. */
    static void checkSafe(String entryName, String path) throws IOException {
        if (path.startsWith("/") || path.contains("\\") || path.contains("\0")) {
            throw new UnsafeEntryException(entryName);
        }
        for (String part : path.split("/", -1)) {
            if (part.equals("..") || part.equals(".") || part.isEmpty()) {
                throw new UnsafeEntryException(entryName);
            }
        }
    }

    static final class UnsafeEntryException extends IOException {
        UnsafeEntryException(String name) {
            super("the archive holds an entry that would land outside the release directory: " + name);
        }
    }
}
