package org.spack.gantry.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.MonitoringFiles;
import org.spack.gantry.testing.PrometheusServer;
import org.spack.gantry.testing.Processes;

/**
 * packaging/grafana/gantry-dashboard.json as Grafana imports it: a current schema, every
 * query on the data source the importer chooses, every panel titled and queried, and every
 * expression one that Prometheus parses.
 */
class DashboardTest {
    private static final String DATASOURCE = "${datasource}";
    private static final int GRID_COLUMNS = 24;

    @TempDir
    Path dir;

    private final JsonObject dashboard = MonitoringFiles.dashboard();

    @Test
    void aCurrentDashboardWithThePrometheusDataSourceAsAVariable() {
        assertTrue(dashboard.get("schemaVersion").getAsInt() >= 39, "schemaVersion of Grafana 10.4 or later");
        assertEquals("gantry", dashboard.get("uid").getAsString());
        assertFalse(dashboard.get("title").getAsString().isBlank());
        JsonObject datasource = variable("datasource");
        assertEquals("datasource", datasource.get("type").getAsString());
        assertEquals("prometheus", datasource.get("query").getAsString());
        for (JsonElement v : dashboard.getAsJsonObject("templating").getAsJsonArray("list")) {
            JsonObject variable = v.getAsJsonObject();
            if (variable.get("type").getAsString().equals("query")) {
                assertUsesTheDataSourceVariable(variable, "variable " + variable.get("name").getAsString());
            }
        }
        for (JsonElement a : dashboard.getAsJsonObject("annotations").getAsJsonArray("list")) {
            assertUsesTheDataSourceVariable(a.getAsJsonObject(), "annotation " + a.getAsJsonObject().get("name"));
        }
    }

    @Test
    void everyPanelHasATitleAndQueriesTheDataSourceVariable() {
        List<JsonObject> panels = MonitoringFiles.panels(dashboard);
        int queried = 0;
        for (JsonObject panel : panels) {
            String title = panel.has("title") ? panel.get("title").getAsString() : "";
            assertFalse(title.isBlank(), "a panel without a title: " + panel.get("id"));
            if (panel.get("type").getAsString().equals("row")) continue;
            JsonArray targets = panel.getAsJsonArray("targets");
            assertTrue(targets != null && !targets.isEmpty(), title + " has no query");
            assertUsesTheDataSourceVariable(panel, title);
            Set<String> refIds = new HashSet<>();
            for (JsonElement t : targets) {
                JsonObject target = t.getAsJsonObject();
                assertUsesTheDataSourceVariable(target, title);
                assertTrue(refIds.add(target.get("refId").getAsString()), title + ": refIds are unique");
                assertFalse(target.get("expr").getAsString().isBlank(), title + " has an empty query");
                queried++;
            }
        }
        assertTrue(queried >= 20, "the dashboard's queries: " + queried);
    }

    @Test
    void panelsHaveUniqueIdsAndTileTheGridWithoutOverlapping() {
        List<JsonObject> panels = MonitoringFiles.panels(dashboard);
        Set<Integer> ids = new HashSet<>();
        List<int[]> cells = new ArrayList<>();
        for (JsonObject panel : panels) {
            assertTrue(ids.add(panel.get("id").getAsInt()), "panel id " + panel.get("id") + " is used twice");
            JsonObject g = panel.getAsJsonObject("gridPos");
            int x = g.get("x").getAsInt(), y = g.get("y").getAsInt(), w = g.get("w").getAsInt(), h = g.get("h").getAsInt();
            assertTrue(x >= 0 && w > 0 && h > 0 && x + w <= GRID_COLUMNS, panel.get("title") + " lies outside the grid");
            for (int[] other : cells) {
                boolean overlaps = x < other[0] + other[2] && other[0] < x + w && y < other[1] + other[3] && other[1] < y + h;
                assertFalse(overlaps, panel.get("title") + " overlaps another panel");
            }
            cells.add(new int[] {x, y, w, h});
        }
    }

    /** Each query becomes a recording rule, with Grafana's variables filled in as Grafana does; promtool parses them all. */
    @Test
    void promtoolParsesEveryExpression() throws Exception {
        PrometheusServer.assumeInstalled();
        List<Map<String, String>> rules = new ArrayList<>();
        for (String expr : MonitoringFiles.dashboardExpressions(dashboard)) {
            String promql = MonitoringFiles.asPrometheusReceivesIt(expr);
            assertFalse(promql.contains("$"), "a Grafana variable this test does not know: " + expr);
            Map<String, String> rule = new LinkedHashMap<>();
            rule.put("record", "dashboard:query_" + (rules.size() + 1));
            rule.put("expr", promql);
            rules.add(rule);
        }
        // JSON is YAML: promtool reads the file as it reads any rules file
        Path file = dir.resolve("dashboard-rules.yml");
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create()
                .toJson(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules)))));
        Processes.Result check = Processes.run(dir, Map.of(), List.of("promtool", "check", "rules", file.toString()));
        assertEquals(0, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("SUCCESS: " + rules.size() + " rules found"), check.out());
    }

    private JsonObject variable(String name) {
        for (JsonElement v : dashboard.getAsJsonObject("templating").getAsJsonArray("list")) {
            if (v.getAsJsonObject().get("name").getAsString().equals(name)) return v.getAsJsonObject();
        }
        throw new AssertionError("no variable " + name);
    }

    private static void assertUsesTheDataSourceVariable(JsonObject o, String what) {
        JsonObject ds = o.getAsJsonObject("datasource");
        assertTrue(ds != null, what + " names no data source");
        assertEquals(DATASOURCE, ds.get("uid").getAsString(), what + " must query the data source variable");
        assertEquals("prometheus", ds.get("type").getAsString(), what);
    }
}
