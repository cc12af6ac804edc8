package org.spack.gantry.evaluate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.spack.gantry.predict.IndexedPredictor;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.predict.ReferencePredictor;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.store.Backup;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.StoredJob;

/**
 * The allocation algorithm over the stored history as if the held-out jobs did not exist.
 * INTERIM: a private copy of the database without them; to be replaced by an index built
 * from rows once the predict package offers it.
 */
public final class HistoryWithout implements AutoCloseable {
    private final Path dir;
    private final Database db;
    private final IndexedPredictor predictor;

    private HistoryWithout(Path dir, Database db, IndexedPredictor predictor) {
        this.dir = dir;
        this.db = db;
        this.predictor = predictor;
    }

    public static HistoryWithout open(Path dbFile, List<StoredJob> heldOut) {
        try {
            Path dir = Files.createTempDirectory("gantry-evaluate");
            Path copy = dir.resolve("history.db");
            new Backup(dbFile, dir, Clock.systemUTC()).copyTo(copy);
            Database db = Database.open(copy, 2);
            db.write(c -> {
                try (PreparedStatement st = c.prepareStatement("DELETE FROM jobs WHERE id=?")) {
                    for (StoredJob j : heldOut) {
                        st.setLong(1, j.id());
                        st.addBatch();
                    }
                    return st.executeBatch();
                }
            });
            IndexedPredictor predictor = new IndexedPredictor(db, new ReferencePredictor(db));
            predictor.load();
            return new HistoryWithout(dir, db, predictor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Prediction predict(Spec spec) {
        return predictor.predict(spec);
    }

    public long memoryLimitMegabytes(Prediction p, Double factor) {
        return -1;
    }

    @Override
    public void close() {
        predictor.close();
        db.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
