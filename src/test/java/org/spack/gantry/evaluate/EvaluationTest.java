package org.spack.gantry.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.predict.HistoryIndex;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.StoredJob;
import org.spack.gantry.testing.TestDatabases;

/** The ratios of {@link EvaluationTestHistory}, worked out by hand below. */
class EvaluationTest {

    @TempDir
    Path dir;

    @Test
    void ratiosOfTheHeldOutJobsAgainstTheHistoryWithoutThem() {
        Path db = EvaluationTestHistory.write(dir);
        List<StoredJob> holdout = newest(db, 3);
        assertEquals(List.of(9L, 8L, 7L), holdout.stream().map(StoredJob::id).toList());

        Report r = evaluate(db, holdout, MemoryLimit.NONE);
        JsonObject json = JsonParser.parseString(ReportFormat.json(r)).getAsJsonObject();

        // zlib (job 7) is predicted from jobs 1-5 only: 3000m, 3000M. Were job 7 itself in the
        // history, the sample would be jobs 7,5,4,3,2 and the CPU request 4000m.
        // job 7: memory 3.3e9/3e9 = 1.1, cpu 6/3 = 2.0; baseline 3.3e9/4e9 = 0.825, 6/2 = 3
        // job 8 (default 1000m, 2000M): memory 1e9/2e9 = 0.5, cpu 0.5/1 = 0.5; baseline 0.5, 0.5
        assertEquals(2, json.get("jobs").getAsInt());
        assertEquals(1, json.get("refused").getAsInt());
        assertEquals(0.8, json.get("mem_ratio_mean").getAsDouble(), 1e-12);
        assertEquals(0.8, json.get("mem_ratio_median").getAsDouble(), 1e-12);
        assertEquals(1.25, json.get("cpu_ratio_mean").getAsDouble(), 1e-12);
        assertEquals(1.25, json.get("cpu_ratio_median").getAsDouble(), 1e-12);
        assertEquals(0.5, json.get("mem_over_request_share").getAsDouble(), 1e-12, "3.5 GB max over a 3 GB request");
        JsonObject baseline = json.getAsJsonObject("baseline");
        assertEquals(0.6625, baseline.get("mem_ratio_mean").getAsDouble(), 1e-12);
        assertEquals(1.75, baseline.get("cpu_ratio_mean").getAsDouble(), 1e-12);
        assertEquals(0.6625, baseline.get("mem_ratio_median").getAsDouble(), 1e-12);
        assertEquals(1.75, baseline.get("cpu_ratio_median").getAsDouble(), 1e-12);
        JsonObject predictors = json.getAsJsonObject("predictors");
        assertEquals(1, predictors.get("exact:1").getAsInt());
        assertEquals(1, predictors.get("default").getAsInt());
        assertEquals("zlib", json.getAsJsonArray("worst_memory").get(0).getAsJsonObject().get("pkg_name").getAsString());
        assertTrue(ReportFormat.text(r).contains("3 newest (2 predicted, 1 refused by the API)"), ReportFormat.text(r));
        assertFalse(json.has("memory_limit"), "no factor asked for");
    }

    @Test
    void theOomRiskOfAMemoryLimitFactor() {
        Path db = EvaluationTestHistory.write(dir);
        List<StoredJob> holdout = newest(db, 3);
        // zlib's sample (jobs 1-5) has mem_max up to 6 GB; its request is 3000M; the default
        // answer for newpkg carries no limit
        Report.LimitRisk generous = evaluate(db, holdout, new MemoryLimit(1.5)).limit();
        assertEquals(1.5, generous.factor());
        assertEquals(1, generous.jobsWithLimit());
        assertEquals(0.0, generous.overLimitShare(), "3.5 GB under a 9000M limit");
        assertEquals(3.5e9 / 9e9, generous.maxOverLimitMean(), 1e-12);
        // 0.5 x 6 GB is below the request: the limit is the request, 3000M, and job 7 (3.5 GB) exceeds it
        Report.LimitRisk tight = evaluate(db, holdout, new MemoryLimit(0.5)).limit();
        assertEquals(1.0, tight.overLimitShare());
        assertEquals(3.5e9 / 3e9, tight.maxOverLimitMean(), 1e-12);
        JsonObject json = JsonParser.parseString(ReportFormat.json(evaluate(db, holdout, new MemoryLimit(0.5))))
                .getAsJsonObject().getAsJsonObject("memory_limit");
        assertEquals(1.0, json.get("over_limit_share").getAsDouble());
    }

    private static List<StoredJob> newest(Path db, int n) {
        try (Database d = Database.open(db, 1)) {
            return d.read(c -> new JobStore().newest(c, n));
        }
    }

    private static Report evaluate(Path db, List<StoredJob> holdout, MemoryLimit limit) {
        try (Database d = Database.open(db, 1)) {
            HistoryIndex history = d.read(c -> HistoryWithout.index(c, d.historyStore(), holdout));
            return new Evaluation(new SpecParser(), history::predict).run(holdout, limit, done -> {});
        }
    }
}
