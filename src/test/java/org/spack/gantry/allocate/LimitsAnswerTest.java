package org.spack.gantry.allocate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.predict.LiveHistory;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.predict.Predictor;
import org.spack.gantry.predict.ReferencePredictor;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.Database;
import org.spack.gantry.testing.GeneratedHistory;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.testing.TestWorkers;

/** Limits mode answers as spack-gantry's add/resource-limits branch does, with requests never above limits. */
class LimitsAnswerTest {
    /** The branch's gantry/tests/defs/prediction.py specs (its NORMAL_BUILD, EXPENSIVE_VARIANT_BUILD, BAD_VARIANT_BUILD). */
    private static final String NORMAL = "py-torch@2.2.1 ~caffe2+cuda+cudnn~debug+distributed+fbgemm+gloo+kineto~magma~metal"
            + "+mkldnn+mpi~nccl+nnpack+numa+numpy+onnx_ml+openmp+qnnpack~rocm+tensorpipe~test+valgrind+xnnpack"
            + " build_system=python_pip cuda_arch=80 arch=x86_64%gcc@11.4.0";
    private static final String EXPENSIVE = NORMAL.replace(" build_system=python_pip", "");
    private static final String PARTIAL = NORMAL.replace("%gcc@", "%gcc-different@");
    private static final String BAD = "py-torch@2.2.1 +no~expensive~variants+match arch=x86_64%gcc@11.4.0";
    /**
     * The branch's NORMAL_PREDICTION and DEFAULT_PREDICTION, in the order its predict()
     * builds the dict, as aiohttp's json_response (json.dumps) writes them.
     */
    private static final String BRANCH_NORMAL = "{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"11779m\","
            + " \"KUBERNETES_MEMORY_REQUEST\": \"9577M\", \"KUBERNETES_CPU_LIMIT\": \"12001m\","
            + " \"KUBERNETES_MEMORY_LIMIT\": \"49424M\", \"SPACK_BUILD_JOBS\": 12, \"CI_JOB_SIZE\": \"custom\"}}";
    private static final String BRANCH_DEFAULT = "{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"1000m\","
            + " \"KUBERNETES_MEMORY_REQUEST\": \"2000M\", \"KUBERNETES_CPU_LIMIT\": \"5000m\","
            + " \"KUBERNETES_MEMORY_LIMIT\": \"5000M\", \"SPACK_BUILD_JOBS\": 1, \"CI_JOB_SIZE\": \"custom\"}}";

    @TempDir
    Path dir;

    private final SpecParser parser = new SpecParser();

    @Test
    void theBranchsOwnTestDataGetsTheBranchsOwnExpectedAnswersByteForByte() throws Exception {
        Path file = TestDatabases.migrated(dir);
        // the branch's gantry/tests/sql/insert_samples.sql is the parity history, unchanged
        TestDatabases.execute(file, Parity.text("insert_samples.sql"));
        LimitsAnswer limits = new LimitsAnswer(LimitsAnswer.DEFAULT_MEMORY_FACTOR);
        try (Database db = Database.open(file, 2); LiveHistory live = new LiveHistory(db, TestWorkers.worker("history"))) {
            for (Predictor predictor : List.of(new ReferencePredictor(db), live.load())) {
                String name = predictor.getClass().getSimpleName();
                assertEquals(BRANCH_NORMAL, body(limits, predictor, NORMAL), name + ": test_exact_match");
                assertEquals(BRANCH_NORMAL, body(limits, predictor, EXPENSIVE), name + ": test_expensive_variants");
                assertEquals(BRANCH_NORMAL, body(limits, predictor, PARTIAL), name + ": test_partial_match");
                assertEquals(BRANCH_DEFAULT, body(limits, predictor, BAD), name + ": test_no_variant_match");
            }
        }
        try (Database db = Database.open(TestDatabases.migrated(java.nio.file.Files.createDirectories(dir.resolve("empty"))), 1)) {
            assertEquals(BRANCH_DEFAULT, body(limits, new ReferencePredictor(db), NORMAL), "test_empty_sample");
        }
    }

    @Test
    void theMemoryFactorIsConfigurableAndNoLimitIsBelowItsRequest() throws Exception {
        Path file = TestDatabases.migrated(dir);
        GeneratedHistory history = GeneratedHistory.random(19, 60, 3_000);
        int withHistory = 0;
        try (Database db = Database.open(file, 2); LiveHistory live = new LiveHistory(db, TestWorkers.worker("history"))) {
            db.write(c -> {
                GeneratedHistory.insert(c, history.jobs());
                return null;
            });
            Predictor index = live.load();
            for (String text : history.queries(5)) {
                Spec spec;
                try {
                    spec = parser.parse(text);
                } catch (RuntimeException refused) {
                    continue;
                }
                Prediction p = index.predict(spec);
                for (double factor : new double[] {1.0, 1.2, 1.5, 2.0}) {
                    Allocation a = new LimitsAnswer(factor).allocation(spec, p);
                    Allocation reference = Allocation.requests(p);
                    String what = text + " at " + factor;
                    assertEquals(reference.cpuRequestMillis(), a.cpuRequestMillis(), what + ": the reference's CPU request");
                    assertEquals(reference.memRequestMb(), a.memRequestMb(), what + ": the reference's memory request");
                    assertTrue(a.cpuLimitMillis().getAsLong() >= a.cpuRequestMillis(), what + ": CPU limit below request");
                    assertTrue(a.memLimitMb().getAsLong() >= a.memRequestMb(), what + ": memory limit below request");
                    assertTrue(a.buildJobs().getAsLong() >= 1, what);
                    if (!"default".equals(p.predictor())) {
                        assertEquals(Math.max(p.megabytes(), Math.round(factor * p.sampleMemMax() / 1e6)),
                                a.memLimitMb().getAsLong(), 1, what + ": the factor times the sample's largest mem_max");
                        assertEquals(new MemoryLimit(factor).megabytes(p).getAsLong(), a.memLimitMb().getAsLong(),
                                what + ": the same memory limit as GANTRY_MEMORY_LIMIT_FACTOR alone");
                    }
                }
                if (!"default".equals(p.predictor())) withHistory++;
            }
        }
        assertTrue(withHistory > 100, "answers backed by history: " + withHistory);
    }

    private String body(AnswerRule rule, Predictor predictor, String spec) {
        Spec s = parser.parse(spec);
        return new String(rule.variables(s, predictor.predict(s)).json(), StandardCharsets.US_ASCII);
    }
}
