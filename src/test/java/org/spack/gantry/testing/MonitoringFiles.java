package org.spack.gantry.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The alert rules and the Grafana dashboard a release ships (packaging/prometheus,
 * packaging/grafana), read as Prometheus and Grafana read them.
 */
public final class MonitoringFiles {
    public static final Path ALERT_RULES = Path.of("packaging/prometheus/gantry-alerts.yml").toAbsolutePath();
    public static final Path DASHBOARD = Path.of("packaging/grafana/gantry-dashboard.json").toAbsolutePath();

    /** Grafana's built-in interval variables, as a Prometheus query would see them once Grafana filled them in. */
    private static final Map<String, String> GRAFANA_INTERVALS = Map.of(
            "$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h");
    /** The dashboard's own label variables, as Grafana fills them in for "All": a regex matcher's value. */
    private static final Pattern LABEL_VARIABLE = Pattern.compile("\\$(job|instance)\\b");
    /** Gantry's own series and the JVM and process series of the Prometheus Java client. */
    private static final Pattern METRIC_NAME = Pattern.compile("\\b(?:gantry|jvm|process)_[a-zA-Z0-9_]+");

    private MonitoringFiles() {}

    /** One alerting rule: its name, expression, labels and annotations. */
    public record Alert(String name, String expr, Map<String, Object> labels, Map<String, Object> annotations) {}

    /** Every alerting rule of every group of the rules file. */
    @SuppressWarnings("unchecked")
    public static List<Alert> alerts() {
        Map<String, Object> file = yaml(ALERT_RULES);
        List<Alert> alerts = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                if (rule.containsKey("alert")) {
                    alerts.add(new Alert((String) rule.get("alert"), (String) rule.get("expr"),
                            (Map<String, Object>) rule.getOrDefault("labels", Map.of()),
                            (Map<String, Object>) rule.getOrDefault("annotations", Map.of())));
                }
            }
        }
        return alerts;
    }

    public static Map<String, Object> yaml(Path file) {
        try {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonObject dashboard() {
        try {
            return JsonParser.parseString(Files.readString(DASHBOARD)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel, those inside collapsed rows included, rows themselves included. */
    public static List<JsonObject> panels(JsonObject dashboard) {
        List<JsonObject> all = new ArrayList<>();
        for (JsonElement p : dashboard.getAsJsonArray("panels")) {
            JsonObject panel = p.getAsJsonObject();
            all.add(panel);
            if (panel.has("panels")) {
                for (JsonElement nested : panel.getAsJsonArray("panels")) all.add(nested.getAsJsonObject());
            }
        }
        return all;
    }

    /** Every PromQL expression of the dashboard: the panels' queries and the annotations' queries. */
    public static List<String> dashboardExpressions(JsonObject dashboard) {
        List<String> exprs = new ArrayList<>();
        for (JsonObject panel : panels(dashboard)) {
            JsonArray targets = panel.getAsJsonArray("targets");
            if (targets == null) continue;
            for (JsonElement t : targets) {
                JsonElement expr = t.getAsJsonObject().get("expr");
                if (expr != null) exprs.add(expr.getAsString());
            }
        }
        JsonObject annotations = dashboard.getAsJsonObject("annotations");
        if (annotations != null) {
            for (JsonElement a : annotations.getAsJsonArray("list")) {
                JsonElement expr = a.getAsJsonObject().get("expr");
                if (expr != null) exprs.add(expr.getAsString());
            }
        }
        return exprs;
    }

    /** The expression as Prometheus receives it from Grafana, with "All" chosen in every variable. */
    public static String asPrometheusReceivesIt(String grafanaExpr) {
        String expr = grafanaExpr;
        for (Map.Entry<String, String> v : GRAFANA_INTERVALS.entrySet()) {
            expr = expr.replace(v.getKey(), v.getValue());
        }
        return LABEL_VARIABLE.matcher(expr).replaceAll(".+");
    }

    /** The names of Gantry's, the JVM's and the process's series an expression reads. */
    public static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC_NAME.matcher(expr);
        while (m.find()) names.add(m.group());
        return names;
    }

    /** Every such name the rules file and the dashboard read. */
    public static Set<String> metricNamesUsed() {
        Set<String> names = new TreeSet<>();
        for (Alert a : alerts()) names.addAll(metricNames(a.expr()));
        for (String expr : dashboardExpressions(dashboard())) names.addAll(metricNames(expr));
        return names;
    }
}
