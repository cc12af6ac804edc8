package org.spack.gantry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.spack.gantry.config.ConfigException;

/** Exit codes and messages of the commands, run in-process. */
class CommandLineTest {
    private static final String[] COMMANDS = {"serve", "migrate", "backup", "restore", "backfill", "info", "evaluate", "explain", "copy"};

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        return capture(() -> Main.execute(args));
    }

    private static Run capture(IntSupplier command) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = command.getAsInt();
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : COMMANDS) {
            Run r = run(command, "--help");
            assertEquals(0, r.code(), command);
            assertTrue(r.out().contains("Usage: gantry " + command), r.out());
        }
    }

    @Test
    void theCommandListShowsEachSummaryWhole() {
        Run r = run("--help");
        assertEquals(0, r.code());
        Map<String, String> summaries = new LinkedHashMap<>();
        String current = null;
        for (String line : r.out().substring(r.out().indexOf("Commands:")).lines().skip(1).toList()) {
            Matcher m = Pattern.compile("^  (\\S+)\\s+(.*)$").matcher(line);
            if (m.matches()) {
                current = m.group(1);
                summaries.put(current, m.group(2).strip());
            } else if (current != null) {
                summaries.merge(current, line.strip(), (a, b) -> a + " " + b);
            }
        }
        assertEquals(List.of(COMMANDS), List.copyOf(summaries.keySet()).subList(0, COMMANDS.length), r.out());
        for (Map.Entry<String, String> e : summaries.entrySet()) {
            assertTrue(e.getValue().endsWith("."), e.getKey() + "'s summary is cut: " + e.getValue());
        }
    }

    @Test
    void serveLoadsItsConfigurationOnceEvenWhenItIsWrong() {
        AtomicInteger loads = new AtomicInteger();
        Run r = capture(() -> Main.run(() -> {
            loads.incrementAndGet();
            throw new ConfigException("GANTRY_PORT must be a whole number from 0 to 65535, not 'x'");
        }, "serve"));
        assertEquals(1, r.code());
        assertEquals("gantry: error: GANTRY_PORT must be a whole number from 0 to 65535, not 'x'\n", r.err());
        assertEquals(1, loads.get(), "environment.json read, logging set up: once");
    }

    @Test
    void anUnexpectedErrorIsOneLineForTheOperatorAndItsStackTraceOnceInTheLog() {
        Run r = capture(() -> Main.run(() -> {
            throw new NullPointerException();
        }, "info"));
        assertEquals(1, r.code());
        List<String> lines = r.err().lines().toList();
        assertEquals("gantry: error: NullPointerException (an unexpected error: its stack trace is in the log above)",
                lines.get(lines.size() - 1), r.err());
        assertEquals(1, lines.stream().filter(l -> l.endsWith("gantry info: unexpected error")).count(), r.err());
        assertEquals(1, lines.stream().filter(l -> l.startsWith("java.lang.NullPointerException")).count(), r.err());
        assertTrue(lines.stream().anyMatch(l -> l.strip().startsWith("at org.spack.gantry.CommandLineTest")), r.err());
    }

    @Test
    void aMemoryLimitFactorOutOfRangeIsOneLine() {
        for (String factor : new String[] {"1e308", "9e12", "1e-320", "0.5"}) {
            Run r = run("evaluate", "--memory-limit-factor", factor);
            assertEquals(2, r.code(), factor);
            assertTrue(r.err().startsWith("--memory-limit-factor must be a number from 1 to 10 (e.g. 1.15), not '" + factor
                    + "'\n"), r.err());
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
