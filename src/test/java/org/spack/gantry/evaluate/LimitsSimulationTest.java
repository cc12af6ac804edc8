package org.spack.gantry.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.JobRow;
import org.spack.gantry.store.StoredJob;

/** The OOM loop replayed: killed above the limit, run again at 1.2 x, three times at most, a success ends the raise. */
class LimitsSimulationTest {
    /** Every answer: the sample's largest mem_max 1 GB, so 1,200 MB at factor 1.2; a 500 MB request. */
    private static final Prediction SAMPLE = new Prediction(1.0, 5e8, "exact:1", 1e9, 1.5);

    @Test
    void eachJobIsKilledRunAgainAtTheRaisedLimitAndCappedAsTheServerWouldDo() {
        List<StoredJob> holdout = new ArrayList<>();
        // newest first, as JobStore.newest gives them: the simulation replays them in the order they ended
        holdout.add(job(4, 4_000, 1.0e9)); // starts at the raise the capped job 3 left: 2,074 MB
        holdout.add(job(3, 3_000, 2.2e9)); // killed at 1,200, 1,440, 1,728 and 2,074 MB: past the cap, fails
        holdout.add(job(2, 2_000, 1.3e9)); // killed at 1,200 MB, runs again at 1,440 MB and succeeds
        holdout.add(job(1, 1_000, 1.0e9)); // under its limit
        LimitsReport r = new LimitsSimulation(holdout, new SpecParser(), spec -> SAMPLE).run(List.of(1.2));
        LimitsReport.Row row = r.factors().get(0);
        assertEquals(4, r.jobs());
        assertEquals(0.5, row.killedShare(), "jobs 2 and 3");
        assertEquals(4, row.reruns(), "one for job 2, three for job 3");
        assertEquals(1000.0, row.rerunsPerThousand(r.jobs()));
        assertEquals(1, row.stillFailing());
        assertEquals(0, row.stillFailingWithoutHistory());
        assertEquals((1200 + 1440 + 2074 + 2074) * 1e6 / 5.5e9, row.limitOverUsed(), 1e-12);
        assertEquals(4 * 500e6 / 5.5e9, row.requestOverUsed(), 1e-12);

        // the jobs' own: 8 GB limits, 2 GB requests, nothing raised
        LimitsReport.Row own = r.staticAllocation();
        assertEquals(0.0, own.killedShare());
        assertEquals(0, own.reruns());
        assertEquals(4 * 8e9 / 5.5e9, own.limitOverUsed(), 1e-12);
        assertEquals(4 * 2e9 / 5.5e9, own.requestOverUsed(), 1e-12);

        JsonObject json = JsonParser.parseString(LimitsReportFormat.json(r)).getAsJsonObject();
        assertEquals(4, json.getAsJsonArray("factors").get(0).getAsJsonObject().get("reruns").getAsInt());
        assertEquals(3, json.get("raise_cap").getAsInt());
    }

    @Test
    void aLooserFactorKillsFewer() {
        List<StoredJob> holdout = List.of(job(2, 2_000, 1.3e9), job(1, 1_000, 1.05e9));
        LimitsReport r = new LimitsSimulation(holdout, new SpecParser(), spec -> SAMPLE).run(List.of(1.0, 1.5));
        assertEquals(1.0, r.factors().get(0).killedShare(), "both exceed 1,000 MB");
        assertEquals(0.0, r.factors().get(1).killedShare(), "neither exceeds 1,500 MB");
    }

    private static StoredJob job(long id, long end, double memMax) {
        return new StoredJob(id, new JobRow("runner-" + id, end - 600, end, 9000 + id, "success", "develop", "zlib", "1.3",
                "{\"shared\": true}", "gcc", "12.3.0", "x86_64", "e4s", 16, 2, null, 1, 1, 1.5, 0.1, 0.1,
                2e9, 8e9, memMax / 1.3, memMax / 1.3, memMax, 1e8, 1e8));
    }
}
