package org.spack.gantry.allocate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.oom.OomRaises;
import org.spack.gantry.predict.LiveHistory;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.predict.ReferencePredictor;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.ExactSpec;
import org.spack.gantry.store.JobRow;
import org.spack.gantry.store.OomKillRow;
import org.spack.gantry.store.OomKillStore;
import org.spack.gantry.testing.GeneratedHistory;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.testing.TestWorkers;

/** Answers served from memory follow the raises: a kept answer is not given after a raise begins, grows or ends. */
class OomRaisedAnswerTest {
    private static final String SPEC = "zlib@1.3 +shared arch=x86_64%gcc@12.3.0";
    private static final double MEM_MEAN = 3e9;

    @TempDir
    Path dir;

    @Test
    void theKeptAnswerFollowsEachKillAndTheSuccessThatEndsTheRaise() {
        Path file = TestDatabases.migrated(dir);
        List<GeneratedHistory.Job> jobs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            jobs.add(new GeneratedHistory.Job("develop", "zlib", "1.3", Map.of("shared", true), "{\"shared\": true}",
                    "gcc", "12.3.0", 1_700_000_000L + i, 1.5, MEM_MEAN));
        }
        try (Database db = Database.open(file, 2); LiveHistory live = new LiveHistory(db, TestWorkers.worker("history"))) {
            db.write(c -> {
                GeneratedHistory.insert(c, jobs);
                return null;
            });
            live.load();
            OomRaises raises = new OomRaises(List.of());
            Allocations allocations = new Allocations(live, new ReferencePredictor(db),
                    new OomRaisedAnswer(new LimitsAnswer(1.2), raises), 1 << 20, AllocationListener.NONE);
            // GeneratedHistory's mem_max is 1.3 x mem_mean: the limit is 1.2 x that
            long limit0 = Math.round(1.2 * 1.3 * MEM_MEAN / 1e6);
            assertEquals(limit0, memoryLimit(allocations.answer(SPEC)));
            Answer kept = allocations.answer(SPEC);
            assertSame(kept, allocations.answer(SPEC), "kept: asked for a second time, nothing changed");

            long limit = limit0;
            for (int kill = 1; kill <= 4; kill++) {
                raises.killed(new OomKillStore.Recorded(kill(kill, 1_800_000_000L + kill, limit * 1e6), kill));
                Answer after = allocations.answer(SPEC);
                long expected = kill <= 3 ? Math.round(1.2 * limit) : limit;
                assertEquals(expected, memoryLimit(after), "after kill " + kill);
                assertEquals(Math.round(MEM_MEAN / 1e6), variable(after, "KUBERNETES_MEMORY_REQUEST"), "request unchanged");
                limit = expected;
            }
            raises.committed(1, new JobRow("runner-ok", 1_800_000_100L, 1_800_000_200L, 77, "success", "pr1", "zlib",
                    "1.3", "{\"shared\": true}", "gcc", "12.3.0", "x86_64", "e4s", 16, 1, null, 1, 1, 1, 1, 0,
                    1e9, 1e10, 1e9, 1e9, 2e9, 1, 1));
            assertEquals(limit0, memoryLimit(allocations.answer(SPEC)), "a successful build ends the raise");
        }
    }

    @Test
    void theRequestFollowsALimitRaisedBelowIt() {
        Path file = TestDatabases.migrated(dir);
        try (Database db = Database.open(file, 1); LiveHistory live = new LiveHistory(db, TestWorkers.worker("history"))) {
            live.load();
            OomRaises raises = new OomRaises(List.of());
            // GANTRY_MEMORY_LIMIT_FACTOR alone: the default answer (no history) carries no limit...
            Allocations allocations = new Allocations(live, new ReferencePredictor(db),
                    new OomRaisedAnswer(new ReferenceAnswer(new MemoryLimit(1.2)), raises), 1 << 20, AllocationListener.NONE);
            assertEquals("{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"1000m\", \"KUBERNETES_MEMORY_REQUEST\": \"2000M\"}}",
                    body(allocations.answer(SPEC)));
            // ...until its job is killed at a static 1 GB limit: 1.2 GB, and the 2 GB request follows it down
            raises.killed(new OomKillStore.Recorded(kill(1, 1_800_000_000L, 1e9), 1));
            assertEquals("{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"1000m\", \"KUBERNETES_MEMORY_REQUEST\": \"1200M\","
                    + " \"KUBERNETES_MEMORY_LIMIT\": \"1200M\"}}", body(allocations.answer(SPEC)));
        }
    }

    private static OomKillRow kill(long buildId, long end, double limitBytes) {
        var s = new SpecParser().parse(SPEC);
        return new OomKillRow(buildId, 5L, "develop", "runner-" + buildId,
                new ExactSpec("zlib", "1.3", s.variants().json(), "gcc", "12.3.0", "x86_64"), 2e9, limitBytes, end);
    }

    private static String body(Answer a) {
        return new String(a.body(), StandardCharsets.US_ASCII);
    }

    private static long memoryLimit(Answer a) {
        return variable(a, "KUBERNETES_MEMORY_LIMIT");
    }

    private static long variable(Answer a, String name) {
        JsonObject vars = JsonParser.parseString(body(a)).getAsJsonObject().getAsJsonObject("variables");
        String v = vars.get(name).getAsString();
        return Long.parseLong(v.substring(0, v.length() - 1));
    }
}
