package org.spack.gantry.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.spack.gantry.testing.MonitoringFiles;
import org.spack.gantry.testing.MonitoringFiles.Alert;
import org.spack.gantry.testing.PrometheusServer;
import org.spack.gantry.testing.Processes;

/**
 * packaging/prometheus/gantry-alerts.yml as an operator loads it: promtool accepts it, every
 * alert fires on the series its promtool tests give it and stays quiet on healthy ones, and
 * every alert names its runbook, a section of docs/operations.md.
 */
class AlertRulesTest {
    private static final Path TESTS = Path.of("src/test/resources/prometheus").toAbsolutePath();
    private static final List<String> TEST_FILES = List.of("gantry-alerts-test.yml", "gantry-alerts-hours-test.yml");
    private static final Path OPERATIONS = Path.of("docs/operations.md").toAbsolutePath();

    @Test
    void promtoolAcceptsTheRulesFile() throws Exception {
        PrometheusServer.assumeInstalled();
        Processes.Result check = Processes.run(TESTS, Map.of(),
                List.of("promtool", "check", "rules", MonitoringFiles.ALERT_RULES.toString()));
        assertEquals(0, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("SUCCESS: " + MonitoringFiles.alerts().size() + " rules found"), check.out());
    }

    @Test
    void everyAlertFiresOnItsSeriesAndStaysQuietOnHealthyOnes() throws Exception {
        PrometheusServer.assumeInstalled();
        List<String> command = new ArrayList<>(List.of("promtool", "test", "rules"));
        command.addAll(TEST_FILES);
        long start = System.nanoTime();
        Processes.Result test = Processes.run(TESTS, Map.of(), command);
        System.out.printf("promtool test rules (%d alerts): %d ms%n", MonitoringFiles.alerts().size(),
                (System.nanoTime() - start) / 1_000_000);
        assertEquals(0, test.code(), test.out() + test.err());
    }

    /** A test of an alert that does not exist passes without testing anything: both kinds of case, real names only. */
    @Test
    @SuppressWarnings("unchecked")
    void everyAlertHasACaseWhereItFiresAndOneWhereItDoesNot() {
        Set<String> fires = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (String file : TEST_FILES) {
            Map<String, Object> tests = MonitoringFiles.yaml(TESTS.resolve(file));
            assertEquals(List.of("../../../../packaging/prometheus/gantry-alerts.yml"), tests.get("rule_files"), file);
            for (Map<String, Object> group : (List<Map<String, Object>>) tests.get("tests")) {
                for (Map<String, Object> c : (List<Map<String, Object>>) group.get("alert_rule_test")) {
                    List<?> expected = (List<?>) c.get("exp_alerts");
                    (expected == null || expected.isEmpty() ? quiet : fires).add((String) c.get("alertname"));
                }
            }
        }
        Set<String> alerts = new TreeSet<>(MonitoringFiles.alerts().stream().map(Alert::name).toList());
        assertEquals(alerts.size(), MonitoringFiles.alerts().size(), "alert names are unique");
        assertEquals(alerts, fires, "alerts with a case where they fire");
        assertEquals(alerts, quiet, "alerts with a case where they stay quiet");
    }

    @Test
    void everyAlertHasASeveritySummaryDescriptionAndItsRunbookSection() throws Exception {
        List<String> headings = Files.readAllLines(OPERATIONS).stream().filter(l -> l.startsWith("#")).toList();
        Set<String> seen = new HashSet<>();
        for (Alert alert : MonitoringFiles.alerts()) {
            String name = alert.name();
            assertTrue(name.matches("Gantry[A-Z][A-Za-z]+"), name);
            assertTrue(seen.add(name), "one rule per alert name: " + name);
            assertTrue(Set.of("critical", "warning").contains(alert.labels().get("severity")), name + ": severity");
            for (String annotation : List.of("summary", "description")) {
                Object text = alert.annotations().get(annotation);
                assertTrue(text instanceof String s && !s.isBlank(), name + " has no " + annotation);
            }
            assertEquals("docs/operations.md#" + name.toLowerCase(java.util.Locale.ROOT), alert.annotations().get("runbook"), name);
            assertTrue(headings.contains("#### " + name), "docs/operations.md has no section '#### " + name + "'");
            assertFalse(alert.expr().isBlank(), name);
        }
    }
}
