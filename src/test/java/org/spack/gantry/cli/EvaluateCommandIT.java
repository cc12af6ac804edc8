package org.spack.gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.evaluate.EvaluationTestHistory;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.TestDatabases;

/** {@code gantry evaluate} from the packaged archive, as an operator runs it. */
class EvaluateCommandIT {
    @TempDir
    Path dir;

    @Test
    void printsOneJsonObjectWithTheDocumentedKeys() throws Exception {
        Path db = EvaluationTestHistory.write(dir);
        GantryProcess.Result r = GantryProcess.run(dir, Map.of("DB_FILE", db.toString()), Duration.ofSeconds(60),
                "evaluate", "--holdout", "3", "--format", "json", "--memory-limit-factor", "1.5");
        assertEquals(0, r.exit(), r.err());
        JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
        for (String key : new String[] {"jobs", "refused", "mem_ratio_mean", "mem_ratio_median", "cpu_ratio_mean",
                "cpu_ratio_median", "mem_over_request_share", "predictors", "baseline"}) {
            assertTrue(json.has(key), key + " in " + r.out());
        }
        assertEquals(2, json.get("jobs").getAsInt());
        assertEquals(1.25, json.get("cpu_ratio_mean").getAsDouble(), 1e-12);
        assertEquals(1, json.getAsJsonObject("memory_limit").get("jobs_with_limit").getAsInt());
        assertTrue(r.err().contains("3 of 3 jobs predicted"), "plain progress lines off a terminal: " + r.err());
    }

    @Test
    void anEmptyDatabaseKeepsEveryKeyAndAHoldoutOfTheWholeHistoryIsSaidInOneLine() throws Exception {
        Path empty = TestDatabases.migrated(Files.createDirectory(dir.resolve("empty")));
        GantryProcess.Result r = GantryProcess.run(dir, Map.of("DB_FILE", empty.toString()), Duration.ofSeconds(60),
                "evaluate", "--format", "json");
        assertEquals(0, r.exit(), r.err());
        JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
        for (JsonObject o : List.of(json, json.getAsJsonObject("baseline"))) {
            for (String key : new String[] {"mem_ratio_mean", "mem_ratio_median", "cpu_ratio_mean", "cpu_ratio_median"}) {
                assertTrue(o.has(key) && o.get(key).isJsonNull(), key + " is there, null: " + r.out());
            }
        }
        assertTrue(json.has("mem_over_request_share") && json.get("mem_over_request_share").isJsonNull(), r.out());
        assertEquals(0, json.get("jobs").getAsInt());
        assertEquals("gantry: warning: " + empty + " holds no jobs: nothing to evaluate", r.err().lines().findFirst().orElse(""));

        Path db = EvaluationTestHistory.write(dir);
        GantryProcess.Result all = GantryProcess.run(dir, Map.of("DB_FILE", db.toString()), Duration.ofSeconds(60),
                "evaluate", "--holdout", "50");
        assertEquals(0, all.exit(), all.err());
        assertEquals("gantry: warning: --holdout 50 holds out all 9 stored jobs, leaving no history: every prediction is"
                + " the default answer; use a holdout below 9", all.err().lines().findFirst().orElse(""), all.err());
    }

    @Test
    void aTableByDefaultAndOneLineErrorsForBadArguments() throws Exception {
        Path db = EvaluationTestHistory.write(dir);
        GantryProcess.Result text = GantryProcess.run(dir, Map.of("DB_FILE", db.toString()), Duration.ofSeconds(60),
                "evaluate", "--holdout", "3");
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("memory, mean"), text.out());

        GantryProcess.Result bad = GantryProcess.run(dir, Map.of("DB_FILE", db.toString()), Duration.ofSeconds(60),
                "evaluate", "--holdout", "0");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().startsWith("--holdout must be at least 1"), bad.err());
    }
}
