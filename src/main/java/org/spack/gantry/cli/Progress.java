package org.spack.gantry.cli;

import java.io.PrintWriter;

/**
 * Progress of a long command on its error stream (so that its output stays clean): a bar
 * redrawn in place on a terminal, a plain line every few seconds otherwise.
 */
final class Progress {
    private static final long PLAIN_EVERY_MS = 5_000;
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final boolean terminal;
    private final int total;
    private long lastPlain = System.currentTimeMillis();

    Progress(PrintWriter out, boolean terminal, int total) {
        this.out = out;
        this.terminal = terminal;
        this.total = total;
    }

    void update(int done) {
        boolean finished = done >= total;
        if (terminal) {
            int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
            out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
            if (finished) {
                out.println();
            }
            out.flush();
        } else if (finished || System.currentTimeMillis() - lastPlain >= PLAIN_EVERY_MS) {
            lastPlain = System.currentTimeMillis();
            out.println(done + " of " + total + " jobs predicted");
            out.flush();
        }
    }
}
