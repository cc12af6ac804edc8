package org.spack.gantry.evaluate;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.spack.gantry.predict.HistoryIndex;
import org.spack.gantry.store.HistoryStore;
import org.spack.gantry.store.StoredJob;

/** The allocation index over the stored history as if the held-out jobs did not exist. */
public final class HistoryWithout {
    private HistoryWithout() {}

    public static HistoryIndex index(Connection c, HistoryStore history, List<StoredJob> heldOut) throws SQLException {
        Set<Long> ids = heldOut.stream().map(StoredJob::id).collect(Collectors.toSet());
        // removing rows keeps the order the index is built from
        return HistoryIndex.of(history.all(c).stream().filter(r -> !ids.contains(r.id())).toList());
    }
}
