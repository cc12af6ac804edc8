package org.spack.gantry.allocate;

/** Told which predictor gave each answer, for metrics. */
public interface AllocationListener {
    void answered(String predictor);

    AllocationListener NONE = predictor -> {};
}
