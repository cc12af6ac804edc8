package org.spack.gantry.collect;

import org.spack.gantry.store.OomKillStore;

/** Told of each OOM kill this process recorded, right after its commit. */
public interface KillListener {
    void killed(OomKillStore.Recorded kill);

    KillListener NONE = kill -> {};
}
