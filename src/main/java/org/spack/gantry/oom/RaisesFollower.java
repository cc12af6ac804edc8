package org.spack.gantry.oom;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.DatabaseException;
import org.spack.gantry.store.OomKillStore;
import org.spack.gantry.worker.Worker;

/**
 * On a database several hosts share, the kills and successes other hosts record: the
 * raises in force are read again every second, so that every host answers a raise within
 * a second of its kill (a host is told of its own at once).
 */
public final class RaisesFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RaisesFollower.class);
    private static final Duration EVERY = Duration.ofSeconds(1);
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    private final Database db;
    private final OomRaises raises;
    private final Worker worker;
    private final OomKillStore kills = new OomKillStore();
    private volatile boolean running = true;
    private Thread thread;

    public RaisesFollower(Database db, OomRaises raises, Worker worker) {
        this.db = db;
        this.raises = raises;
        this.worker = worker;
    }

    public void start() {
        thread = worker.start("oom-raises", PATIENCE, this::loop);
    }

    private void loop() {
        while (running) {
            try {
                raises.reload(db.read(kills::inForce));
            } catch (DatabaseException e) {
                // the database is away: the raises known stay until it answers again
                log.warn("raises after OOM kills: cannot read them again: {}", e.getMessage());
            }
            worker.progressed(PATIENCE);
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        worker.stopping();
        if (thread != null) thread.interrupt();
    }
}
