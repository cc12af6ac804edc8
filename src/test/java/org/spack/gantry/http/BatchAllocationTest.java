package org.spack.gantry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.Application;
import org.spack.gantry.config.ConfigLoader;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.TestDatabases;

/** {@code POST /v1/allocations} through a real server: the single endpoint's answers, in order, or a clear refusal. */
class BatchAllocationTest {
    private static final String GOOD_SPEC = "py-torch@2.2.1 ~caffe2+cuda+cudnn~debug+distributed+fbgemm+gloo+kineto~magma"
            + "~metal+mkldnn+mpi~nccl+nnpack+numa+numpy+onnx_ml+openmp+qnnpack~rocm+tensorpipe~test+valgrind+xnnpack"
            + " build_system=python_pip cuda_arch=80 arch=x86_64%gcc@11.4.0";
    private static final String INVALID = "{\"error\": \"invalid spec\"}";

    @TempDir
    Path dir;

    private Application app;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        Path db = TestDatabases.migrated(dir);
        TestDatabases.execute(db, Parity.text("insert_samples.sql"));
        app = new Application(new ConfigLoader(Map.of("DB_FILE", db.toString(), "GANTRY_PORT", "0",
                "GANTRY_HOST", "127.0.0.1"), null).load(), BuildInfo.load(), Clock.systemUTC());
        app.start();
    }

    @AfterEach
    void stop() {
        app.close();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/allocations"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> single(String spec) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/allocation?spec="
                + URLEncoder.encode(spec, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String list(List<String> specs) {
        JsonArray a = new JsonArray();
        specs.forEach(s -> a.add(new JsonPrimitive(s)));
        return a.toString();
    }

    @Test
    void answersEachSpecAsTheSingleEndpointDoesInTheSameOrder() throws Exception {
        List<String> specs = List.of(
                GOOD_SPEC,
                "garbage",
                GOOD_SPEC.replace("build_system=python_pip ", ""), // expensive-variant fallback
                "unknown@1.0 +mpi arch=x86_64%gcc@11.4.0",
                "x@1 cuda=a,b arch=x%gcc@1", // refused when the expensive variants are evaluated
                "",
                GOOD_SPEC.replace("%gcc@", "%gcc-different@"),
                "x@1 a=b=c arch=x%gcc@1",
                "caf\u00e9@1 +mpi arch=x%gcc@1");
        HttpResponse<String> r = post(list(specs));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));

        List<String> expected = new ArrayList<>();
        for (String spec : specs) {
            HttpResponse<String> one = spec.isEmpty() ? null : single(spec);
            expected.add(one != null && one.statusCode() == 200 ? one.body() : INVALID);
        }
        assertEquals("[" + String.join(", ", expected) + "]", r.body());
        assertEquals("[{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"11779m\", \"KUBERNETES_MEMORY_REQUEST\": \"9577M\"}}, "
                + INVALID + ", ", r.body().substring(0, r.body().indexOf(INVALID) + INVALID.length() + 2));
        assertEquals(specs.size(), JsonParser.parseString(r.body()).getAsJsonArray().size());
    }

    @Test
    void anEmptyListGetsAnEmptyList() throws Exception {
        HttpResponse<String> r = post("[]");
        assertEquals(200, r.statusCode());
        assertEquals("[]", r.body());
    }

    @Test
    void badJsonIsRefusedAsInvalidJson() throws Exception {
        for (String bad : new String[] {"", "[", "not json", "['single quotes']", "[\"a\"] trailing", "[\"a\",]",
                "[\"a\"][\"b\"]", "{\"a\": }"}) {
            HttpResponse<String> r = post(bad);
            assertEquals(400, r.statusCode(), bad);
            assertEquals("invalid json", r.body(), bad);
        }
    }

    @Test
    void jsonThatIsNotAListOfStringsIsRefusedSayingSo() throws Exception {
        for (String bad : new String[] {"{\"specs\": []}", "\"" + GOOD_SPEC + "\"", "[1]", "[\"a\", null]",
                "[[\"a\"]]", "null"}) {
            HttpResponse<String> r = post(bad);
            assertEquals(400, r.statusCode(), bad);
            assertEquals("expected a JSON list of spec strings", r.body(), bad);
        }
    }

    @Test
    void takesTenThousandSpecsAndRefusesOneMore() throws Exception {
        List<String> specs = new ArrayList<>(Collections.nCopies(BatchAllocationHandler.MAX_SPECS, GOOD_SPEC));
        HttpResponse<String> r = post(list(specs));
        assertEquals(200, r.statusCode());
        JsonArray answers = JsonParser.parseString(r.body()).getAsJsonArray();
        assertEquals(10_000, answers.size());
        assertEquals("11779m", answers.get(9_999).getAsJsonObject().getAsJsonObject("variables")
                .get("KUBERNETES_CPU_REQUEST").getAsString());

        specs.add(GOOD_SPEC);
        r = post(list(specs));
        assertEquals(413, r.statusCode());
        assertEquals("too many specs: 10001, at most 10000 per request", r.body());
    }

    @Test
    void refusesABodyOverEightMebibytes() throws Exception {
        String huge = list(List.of("x".repeat((int) BatchAllocationHandler.MAX_BODY)));
        HttpResponse<String> r = post(huge);
        assertEquals(413, r.statusCode());
        assertEquals("request body too large: at most 8 MiB", r.body());
        // sent in chunks, without a length: refused once the limit is passed
        byte[] bytes = huge.getBytes(StandardCharsets.UTF_8);
        r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/allocations"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode());
        assertEquals("request body too large: at most 8 MiB", r.body());
        // and the server goes on answering
        assertEquals(200, post("[]").statusCode());
    }

    @Test
    void aSpecLongerThanARequestLineIsInvalid() throws Exception {
        String longSpec = GOOD_SPEC.replace("cuda_arch=80", "cuda_arch=" + "8".repeat(9000));
        assertEquals("[" + INVALID + "]", post(list(List.of(longSpec))).body());
    }

    @Test
    void onlyPost() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/v1/allocations")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
    }
}
