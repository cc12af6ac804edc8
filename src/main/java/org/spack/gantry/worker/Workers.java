package org.spack.gantry.worker;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The service's background loops (reconcile, collect, intake, history), and whether each
 * is alive and making progress: what {@code /healthz} and {@code gantry_worker_up} show.
 */
public final class Workers {
    private final Clock clock;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();

    public Workers(Clock clock) {
        this.clock = clock;
    }

    /** A new worker named {@code name} (a metrics label), to run its loop on threads of its own. */
    public Worker register(String name) {
        Worker w = new Worker(name, clock);
        workers.add(w);
        return w;
    }

    /** Each registered worker, in the order registered. */
    public List<Worker.State> states() {
        List<Worker.State> out = new ArrayList<>(workers.size());
        for (Worker w : workers) out.add(w.state());
        return out;
    }
}
