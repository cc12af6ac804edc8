package org.spack.gantry.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonElement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spack.gantry.testing.Parity;

class SpecParserTest {
    private final SpecParser parser = new SpecParser();

    @Test
    void parsesEveryParitySpec() {
        for (JsonElement c : Parity.json("prediction.json").getAsJsonArray("cases")) {
            Spec spec = parser.parse(c.getAsJsonObject().get("spec").getAsString());
            assertEquals("py-torch", spec.pkgName());
            assertEquals("2.2.1", spec.pkgVersion());
            assertEquals("x86_64", spec.arch());
            assertEquals("11.4.0", spec.compilerVersion());
        }
    }

    @Test
    void rendersVariantsAsTheReferenceStoresThem() {
        // the first parity spec's variants are exactly those of the stored history
        String spec = Parity.json("prediction.json").getAsJsonArray("cases").get(0).getAsJsonObject()
                .get("spec").getAsString();
        String stored = Parity.text("insert_samples.sql").lines().filter(l -> l.contains("6781"))
                .findFirst().orElseThrow();
        String json = parser.parse(spec).variants().json();
        assertEquals(true, stored.contains("'" + json + "'"), json);
    }

    @Test
    void splitsFieldsLikeTheReferencePattern() {
        Spec s = parser.parse("emacs@29.2 +json+native~treesitter arch=linux-x86_64%gcc@12.3.0 trailing words");
        assertEquals("emacs", s.pkgName());
        assertEquals("29.2", s.pkgVersion());
        assertEquals("linux-x86_64", s.arch());
        assertEquals("gcc", s.compilerName());
        assertEquals("12.3.0", s.compilerVersion());
        assertEquals("{\"json\": true, \"native\": true, \"treesitter\": false}", s.variants().json());
    }

    @Test
    void variantForms() {
        assertEquals("{\"a\": true, \"b\": false}", Variants.parse("+a~b").json());
        assertEquals("{\"key\": [\"v1\", \"v2\"]}", Variants.parse("key=v1,v2").json());
        assertEquals("{\"key\": [\"v1\", \"\"]}", Variants.parse("key=v1,").json());
        assertEquals("{\"build_system\": \"cmake\"}", Variants.parse("build_system=cmake").json());
        // a repeated name keeps its first position and its last value, as a Python dict does
        assertEquals("{\"a\": false, \"b\": true}", Variants.parse("+a+b~a").json());
        // parts that are not +name, ~name or name=value are ignored
        assertEquals("{\"x\": true}", Variants.parse("junk +x").json());
    }

    @Test
    void nonAsciiIsEscapedAsPythonDoes() {
        assertEquals("{\"caf\\u00e9\": true, \"n\": \"\\ud83d\\ude00\"}", Variants.parse("+café n=😀").json());
        assertEquals("{\"q\": \"a\\\"b\\\\c\"}", Variants.parse("q=a\"b\\c").json());
        assertEquals("{\"t\": \"\\u007f\\u0001\"}", Variants.parse("t=\u007f\u0001").json());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "garbage", "py-torch@2.2.1", "py-torch@2.2.1 +cuda",
        "py-torch@2.2.1 ++++ arch=x86_64%gcc@11.4.0",
        "py-torch@2.2.1 a arch=x86_64%gcc@11.4.0",
        "py-torch@2.2.1 +cuda arch=x86_64%gcc",
        "py-torch@2.2.1 +cuda arch=x86_64%gcc@",
        "py-torch@2.2.1 +cuda arch=x86_64%g!cc@1",
        "py-torch@2.2.1 a=b=c arch=x86_64%gcc@11.4.0"
    })
    void rejectsInvalidSpecs(String text) {
        assertThrows(InvalidSpecException.class, () -> parser.parse(text));
    }

    @Test
    void whitespaceIncludesNewlinesAsInPython() {
        assertEquals("{\"a\": true}", parser.parse("x@1 +a\narch=x86_64%gcc@1").variants().json());
    }

    @Test
    void sqlInASpecIsJustText() {
        Spec s = parser.parse("x'; DROP TABLE jobs; --@1 +a arch=x86_64%gcc@1");
        assertEquals("x';", s.pkgName().substring(0, 3));
    }

    @Test
    void garbageOfEightKilobytesIsRejected() {
        assertThrows(InvalidSpecException.class, () -> parser.parse("@".repeat(8192)));
        assertThrows(InvalidSpecException.class, () -> parser.parse("a@b ".repeat(2048)));
    }
}
