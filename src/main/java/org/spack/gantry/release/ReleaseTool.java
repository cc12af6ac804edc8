package org.spack.gantry.release;

import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.ZipFile;

/**
 * What the launcher asks of Java once it has verified the archive:
 * {@code unpack ARCHIVE DIR OFFSET SIZE SHA256 VERSION COMMIT BUILT_AT} or {@code list ARCHIVE}.
 * Not meant to be called by hand.
 */
public final class ReleaseTool {
    private ReleaseTool() {}

    public static void main(String[] args) {
        try {
            if (args.length == 9 && args[0].equals("unpack")) {
                Path dest = Path.of(args[2]);
                new Unpacker().unpack(Path.of(args[1]), dest,
                        new Unpacker.Payload(Long.parseLong(args[3]), Long.parseLong(args[4]), args[5]),
                        new Unpacker.ReleaseInfo(args[6], args[7], args[8], args[5]));
                ClassArchive.make(dest.toAbsolutePath().normalize());
                System.out.println("unpacked gantry " + args[6] + " into " + dest.toAbsolutePath().normalize());
            } else if (args.length == 2 && args[0].equals("list")) {
                try (ZipFile zip = new ZipFile(args[1])) {
                    System.out.println(ReleaseFiles.JAR);
                    System.out.println(ClassArchive.PATH);
                    System.out.println(ReleaseFiles.RELEASE_JSON);
                    for (ReleaseFiles.File f : ReleaseFiles.of(zip)) {
                        System.out.println(f.path());
                    }
                }
            } else {
                System.err.println("gantry.run: internal usage error (ReleaseTool " + String.join(" ", args) + ")");
                System.exit(2);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("gantry.run: " + e.getMessage() + "; nothing was written");
            System.exit(1);
        }
    }
}
