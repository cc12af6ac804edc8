package org.spack.gantry.trace;

/**
 * A step of an answer's arithmetic, as its rule told it.
 *
 * @param quantity what it computes: a variable of the answer, or a quantity it is made of
 * @param formula the rule with its operands written in
 * @param value the result, NaN for a note that computes nothing
 */
public record Step(String quantity, String formula, double value) {}
