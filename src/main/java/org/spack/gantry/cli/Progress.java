package org.spack.gantry.cli;

import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * Progress of a long command: a bar redrawn in place on a terminal, a plain line every
 * few seconds otherwise (cron, Ansible), and always the last one, once.
 */
final class Progress {
    private static final long PLAIN_EVERY_MS = 5_000;
    private static final int WIDTH = 20;
    private final PrintWriter out;
    private final boolean terminal;
    private final LongSupplier millis;
    private long lastPlain;
    private String lastPrinted;
    private int updates;

    Progress(PrintWriter out, boolean terminal) {
        this(out, terminal, System::currentTimeMillis);
    }

    Progress(PrintWriter out, boolean terminal, LongSupplier millis) {
        this.out = out;
        this.terminal = terminal;
        this.millis = millis;
        this.lastPlain = millis.getAsLong() - PLAIN_EVERY_MS;
    }

    /** @param fraction how much is done, 0 to 1, or NaN when the whole is unknown (the bar then cycles) */
    void update(String line, double fraction, boolean done) {
        updates++;
        if (terminal) {
            int filled = done ? WIDTH : Double.isNaN(fraction) ? updates % (WIDTH + 1) : (int) (fraction * WIDTH);
            out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + line);
            if (done) out.println();
            out.flush();
        } else if (done ? !line.equals(lastPrinted) : millis.getAsLong() - lastPlain >= PLAIN_EVERY_MS) {
            // the last line always, but once: it may be the one just printed
            lastPlain = millis.getAsLong();
            lastPrinted = line;
            out.println(line);
            out.flush();
        }
    }
}
