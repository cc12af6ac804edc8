package org.spack.gantry.oom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.ExactSpec;
import org.spack.gantry.store.JobRow;
import org.spack.gantry.store.OomKillRow;
import org.spack.gantry.store.OomKillStore;

/** The raise after OOM kills: 1.2 x the killed limit, compounding, three times at most, ended by a success. */
class OomRaisesTest {
    private static final String SPEC = "gmsh@4.8.4 +mpi~openmp build_system=cmake arch=linux-ubuntu22.04-x86_64_v3%gcc@12.3.0";
    private static final Spec GMSH = new SpecParser().parse(SPEC);
    private static final ExactSpec KEY = new ExactSpec("gmsh", "4.8.4", GMSH.variants().json(), "gcc", "12.3.0",
            "linux-ubuntu22.04-x86_64_v3");

    @Test
    void theRuleIsTheBranchs() {
        assertEquals(OptionalDouble.empty(), OomRaise.raisedLimit(List.of()));
        assertEquals(1.2e9, OomRaise.raisedLimit(List.of(1e9)).getAsDouble(), 1);
        // each killed job ran with the previous raise: 1.2, 1.44, 1.728
        assertEquals(1.728e9, OomRaise.raisedLimit(List.of(1e9, 1.2e9, 1.44e9)).getAsDouble(), 1);
        // a fourth kill raises no further
        assertEquals(1.728e9, OomRaise.raisedLimit(List.of(1e9, 1.2e9, 1.44e9, 1.728e9)).getAsDouble(), 1);
        // jobs of a pipeline generated before an earlier kill ran with the older limit: the larger one counts
        assertEquals(1.44e9, OomRaise.raisedLimit(List.of(1.2e9, 1e9)).getAsDouble(), 1);
        assertEquals(1.2e9, OomRaise.raisedLimit(Arrays.asList(null, 1e9)).getAsDouble(), 1);
        assertEquals(OptionalDouble.empty(), OomRaise.raisedLimit(Arrays.asList((Double) null)));
        assertFalse(OomRaise.capped(3));
        assertTrue(OomRaise.capped(4));
        assertTrue(OomRaise.worthRerunning(1) && OomRaise.worthRerunning(3));
        assertFalse(OomRaise.worthRerunning(0) || OomRaise.worthRerunning(4));
    }

    @Test
    void killsRaiseTheirSpecUntilASuccessAndEveryChangeIsANewRevision() {
        OomRaises raises = new OomRaises(List.of());
        assertEquals(OptionalDouble.empty(), raises.raisedLimit(GMSH));
        long r0 = raises.revision("gmsh");

        raises.killed(recorded(1, 1_000, 4e9, 1));
        assertEquals(4.8e9, raises.raisedLimit(GMSH).getAsDouble(), 1);
        long r1 = raises.revision("gmsh");
        assertTrue(r1 > r0);
        assertEquals(1, raises.inForce());

        raises.killed(recorded(2, 2_000, 4.8e9, 2));
        raises.killed(recorded(3, 3_000, 5.76e9, 3));
        assertEquals(6.912e9, raises.raisedLimit(GMSH).getAsDouble(), 1);
        raises.killed(recorded(4, 4_000, 6.912e9, 4));
        assertEquals(6.912e9, raises.raisedLimit(GMSH).getAsDouble(), 1, "no raise past the third");
        long r4 = raises.revision("gmsh");

        // another spec of the package: the package's revision changes, gmsh's raise does not
        assertEquals(OptionalDouble.empty(), raises.raisedLimit(new SpecParser().parse(SPEC.replace("4.8.4", "4.9"))));

        raises.committed(99, success(3_500));
        assertEquals(1.2 * 6.912e9, raises.raisedLimit(GMSH).getAsDouble(), 1,
                "a success that ended before the last kill ends only the kills before it: the last is the first since");
        assertNotEquals(r4, raises.revision("gmsh"));
        raises.committed(100, success(5_000));
        assertEquals(OptionalDouble.empty(), raises.raisedLimit(GMSH), "a later success ends the raise");
        assertEquals(0, raises.inForce());
        long r5 = raises.revision("gmsh");
        raises.committed(101, success(6_000));
        assertEquals(r5, raises.revision("gmsh"), "nothing to end: answers stay kept");

        // a kill that a success had already ended when it was recorded raises nothing
        raises.killed(recorded(5, 5_500, 4e9, 0));
        assertEquals(OptionalDouble.empty(), raises.raisedLimit(GMSH));
        assertEquals(0, raises.revision("other"));
    }

    @Test
    void theKillsInForceAreLoadedAtTheStart() {
        OomRaises raises = new OomRaises(List.of(kill(7, 700, 2e9), kill(8, 800, 2.4e9)));
        assertEquals(2.88e9, raises.raisedLimit(GMSH).getAsDouble(), 1);
        assertTrue(raises.revision("gmsh") > 0);
    }

    @Test
    void anotherHostsKillsAndSuccessesArriveByReloading() {
        OomRaises raises = new OomRaises(List.of());
        long r0 = raises.revision("gmsh");
        raises.reload(List.of(kill(9, 900, 3e9)));
        assertEquals(3.6e9, raises.raisedLimit(GMSH).getAsDouble(), 1, "a kill another host recorded");
        long r1 = raises.revision("gmsh");
        assertTrue(r1 > r0);
        raises.reload(List.of(kill(9, 900, 3e9)));
        assertEquals(r1, raises.revision("gmsh"), "nothing changed: kept answers stay");
        raises.reload(List.of());
        assertEquals(OptionalDouble.empty(), raises.raisedLimit(GMSH), "another host stored a success");
        assertTrue(raises.revision("gmsh") > r1);
    }

    private static OomKillStore.Recorded recorded(long buildId, long end, double limit, int killsSinceSuccess) {
        return new OomKillStore.Recorded(kill(buildId, end, limit), killsSinceSuccess);
    }

    private static OomKillRow kill(long buildId, long end, double limit) {
        return new OomKillRow(buildId, 1L, "develop", "runner-" + buildId, KEY, 2e9, limit, end);
    }

    private static JobRow success(long end) {
        return new JobRow("runner-ok-" + end, end - 100, end, end, "success", "develop", "gmsh", "4.8.4",
                GMSH.variants().json(), "gcc", "12.3.0", "linux-ubuntu22.04-x86_64_v3", "e4s", 16, 1, null,
                1, 1, 1, 1, 0, 2e9, 8e9, 1e9, 1e9, 3e9, 1e8, 1e8);
    }
}
