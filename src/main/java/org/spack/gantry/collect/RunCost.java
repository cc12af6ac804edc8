package org.spack.gantry.collect;

import org.spack.gantry.upstream.Meter;

/** What one walk or run cost GitLab: requests made, bytes read (in the meter), and jobs seen. */
final class RunCost {
    private final Meter meter = new Meter();
    private final Runnable progress;
    private long jobsSeen;

    RunCost() {
        this(() -> {});
    }

    /** @param progress told after each answer read: the run is moving */
    RunCost(Runnable progress) {
        this.progress = progress;
    }

    Meter meter() {
        return meter;
    }

    /** An answer was read, holding this many jobs. */
    void seen(int jobs) {
        jobsSeen += jobs;
        progress.run();
    }

    long requests() {
        return meter.requests();
    }

    long bytes() {
        return meter.bytes();
    }

    long jobsSeen() {
        return jobsSeen;
    }
}
