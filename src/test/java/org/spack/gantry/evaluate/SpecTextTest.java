package org.spack.gantry.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The reference script's {@code dict_to_spec}, worked by hand in Python. */
class SpecTextTest {
    @Test
    void booleansGlueToWhatPrecedesThemListsJoinWithCommas() {
        assertEquals("+shared~debug build_system=cmake patches=a,b",
                SpecText.variants("{\"shared\": true, \"debug\": false, \"build_system\": \"cmake\", \"patches\": [\"a\", \"b\"]}"));
        assertEquals("build_system=cmake+shared~mpi", SpecText.variants("{\"build_system\": \"cmake\", \"shared\": true, \"mpi\": false}"));
        assertEquals("hdf5=none mpi=1 python=True", SpecText.variants("{\"hdf5\": \"none\", \"mpi\": \"1\", \"python\": \"True\"}"));
        assertEquals("", SpecText.variants("{}"));
    }
}
