package org.spack.gantry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** Exit codes and messages of the commands, run in-process. */
class CommandLineTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = Main.execute(args);
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"serve", "migrate", "backup", "restore", "backfill", "info"}) {
            Run r = run(command, "--help");
            assertEquals(0, r.code(), command);
            assertTrue(r.out().contains("Usage: gantry " + command), r.out());
        }
    }

    @Test
    void badArgumentsExitTwoWithUsage() {
        Run r = run("serve", "--bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("Unknown option: '--bogus'"), r.err());
        assertTrue(r.err().contains("Usage: gantry serve"), r.err());
        assertEquals(2, run("frobnicate").code());
        assertEquals(2, run().code());
        assertEquals(2, run("backup", "--to", "x.db", "--keep", "2").code(), "a file, or the backup directory: not both");
        Run keep = run("backup", "--keep", "0");
        assertEquals(2, keep.code());
        assertTrue(keep.err().contains("--keep must be at least 1"), keep.err());
        assertEquals(2, run("restore").code(), "restore needs --from");
        Run dates = run("backfill", "--since", "yesterday");
        assertEquals(2, dates.code());
        assertTrue(dates.err().contains("--since must be a date"), dates.err());
    }
}
