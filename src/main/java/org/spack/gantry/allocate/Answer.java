package org.spack.gantry.allocate;

/**
 * One allocation answer: the body sent, the predictor that gave it, and what it depends
 * on: the package and its revision (its history's revision plus the answer rule's, see
 * {@link AnswerRule#revision}), which change whenever an answer about the package may.
 */
public record Answer(String pkgName, long revision, byte[] body, String predictor) {}
