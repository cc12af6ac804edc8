package org.spack.gantry.testing;

import java.time.Clock;
import org.spack.gantry.worker.Worker;
import org.spack.gantry.worker.Workers;

/** A worker of its own for a part a test builds without the service around it. */
public final class TestWorkers {
    private TestWorkers() {}

    public static Worker worker(String name) {
        return new Workers(Clock.systemUTC()).register(name);
    }
}
