package org.spack.gantry.trace;

/**
 * What the rules that make an answer tell as they compute it, so that an explanation is
 * made by the same code as the answer ({@code GET /v1/allocation/explain}, {@code gantry
 * explain}). A rule passes a literal text and the numbers it computed with; {@link #OFF},
 * which every answer of {@code /v1/allocation} is made with, does nothing with them, and
 * costs nothing: no text is formatted and nothing is allocated.
 */
public interface Trace {
    /** One of the reference's sample queries, in the order tried. */
    void query(Query query);

    /**
     * A step of the arithmetic: what it computes (a variable's name, or a quantity), the
     * rule with each {@code %s} standing for an operand, in order, and the result (NaN when
     * the step computes no number: a note).
     */
    void step(String quantity, String rule, double result);

    void step(String quantity, String rule, double a, double result);

    void step(String quantity, String rule, double a, double b, double result);

    void step(String quantity, String rule, double a, double b, double c, double result);

    /** An OOM kill of the spec since its last successful build, in the order the raise reads them. */
    void kill(long buildId, long end, double memLimitBytes);

    /** Records nothing: the answers themselves are made with it. */
    Trace OFF = new Trace() {
        @Override
        public void query(Query query) {}

        @Override
        public void step(String quantity, String rule, double result) {}

        @Override
        public void step(String quantity, String rule, double a, double result) {}

        @Override
        public void step(String quantity, String rule, double a, double b, double result) {}

        @Override
        public void step(String quantity, String rule, double a, double b, double c, double result) {}

        @Override
        public void kill(long buildId, long end, double memLimitBytes) {}
    };
}
