package org.spack.gantry.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptIncludesTest {
    @TempDir
    Path dir;

    @Test
    void anIncludeLineBecomesTheFragment() throws IOException {
        Files.writeString(dir.resolve("part.sh"), "a=1\nb() { echo $a; }\n\n");
        Path script = Files.writeString(dir.resolve("s"), "#!/bin/sh\n# @@INCLUDE part.sh@@\nb\n");
        assertEquals("#!/bin/sh\na=1\nb() { echo $a; }\nb\n", ScriptIncludes.expand(script, dir));
    }

    @Test
    void onlyAWholeLineIncludes() throws IOException {
        String text = "#!/bin/sh\necho '# @@INCLUDE part.sh@@'\n";
        assertEquals(text, ScriptIncludes.expand(Files.writeString(dir.resolve("s"), text), dir));
    }

    @Test
    void aMissingFragmentIsNamed() throws IOException {
        Path script = Files.writeString(dir.resolve("s"), "# @@INCLUDE absent.sh@@\n");
        IOException e = assertThrows(IOException.class, () -> ScriptIncludes.expand(script, dir));
        assertTrue(e.getMessage().contains("includes absent.sh, which is not in " + dir), e.getMessage());
    }

    @Test
    void aFragmentIncludesNothing() throws IOException {
        Files.writeString(dir.resolve("part.sh"), "# @@INCLUDE other.sh@@\n");
        Path script = Files.writeString(dir.resolve("s"), "# @@INCLUDE part.sh@@\n");
        assertThrows(IOException.class, () -> ScriptIncludes.expand(script, dir));
    }
}
