package org.spack.gantry.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class PythonIntTest {
    @Test
    void acceptsWhatPythonIntAccepts() {
        assertEquals(1L, PythonInt.parse("1"));
        assertEquals(-7L, PythonInt.parse(" -7 "));
        assertEquals(1000L, PythonInt.parse("1_000"));
        assertEquals(3L, PythonInt.parse("\u0663"));
    }

    @Test
    void rejectsWhatPythonIntRejects() {
        assertNull(PythonInt.parse(""));
        assertNull(PythonInt.parse("none"));
        assertNull(PythonInt.parse("1.5"));
        assertNull(PythonInt.parse("_1"));
        assertNull(PythonInt.parse("1__0"));
        assertNull(PythonInt.parse("-"));
        assertNull(PythonInt.parse("99999999999999999999999"));
    }
}
