package org.spack.gantry.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import org.spack.gantry.allocate.LimitsAnswer;
import org.spack.gantry.config.Config;
import org.spack.gantry.oom.OomRaise;
import org.spack.gantry.oom.OomRaises;
import org.spack.gantry.config.ConfigSource;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.store.Backup;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.Migrations;
import org.spack.gantry.store.OomKillStore;
import org.spack.gantry.store.PipelineStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.store.ReconciliationStore;
import org.spack.gantry.collect.Reconciler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the version, the database, its schema and pending migrations, and the collection queue.")
public final class InfoCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    public InfoCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Spec
    CommandSpec spec;

    /** What an operator asks first: is anything stuck, and what failed lately and why. */
    static void printQueue(PrintWriter out, Database db, QueueStore queue, double now) {
        QueueStore.Waiting w = db.read(queue::waiting);
        out.println("queue depth:        " + (w.pending() + w.running()) + " (" + w.pending() + " pending"
                + (w.retrying() > 0 ? ", " + w.retrying() + " of them retrying after a failure" : "")
                + "; " + w.running() + " being collected"
                + (w.oldestReceivedAt() == null ? "" : "; oldest received " + Math.round(now - w.oldestReceivedAt()) + " s ago")
                + ")");
        Map<String, Long> lastDay = db.read(c -> queue.outcomesSince(c, now - 86_400));
        Map<String, Long> byState = new TreeMap<>();
        lastDay.forEach((outcome, count) -> byState.merge(outcome.split(":", 2)[0], count, Long::sum));
        out.println("last 24 hours:      " + (byState.isEmpty() ? "nothing collected"
                : byState.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))));
        for (String state : new String[] {"failed", "skipped"}) {
            boolean header = false;
            for (Map.Entry<String, Long> e : lastDay.entrySet()) {
                if (!e.getKey().startsWith(state + ":")) continue;
                if (!header) {
                    out.println(state + " in the last 24 hours, by reason:");
                    header = true;
                }
                out.printf("  %6d  %s%n", e.getValue(), e.getKey().substring(state.length() + 1));
            }
        }
    }

    /**
     * Limits and OOM recovery: the answer mode, and what /metrics counts as
     * gantry_oom_kills_total, gantry_oom_raise_capped_total, gantry_oom_raises_in_force and
     * gantry_oom_pipelines_started_total, read from the database.
     */
    static void printOom(PrintWriter out, Database db, Config config, double now) {
        out.println("limits:             " + (config.limits()
                ? "GANTRY_LIMITS=true, memory limit " + LimitsAnswer.memoryFactor(config.memoryLimit())
                        + " x the sample's largest mem_max"
                : Double.isNaN(config.memoryLimit().factor()) ? "off (the reference's answers)"
                : "memory limit only, " + config.memoryLimit().factor() + " x the sample's largest mem_max"));
        if (!config.oomTracking()) {
            out.println("OOM recovery:       off (answers carry no memory limit)");
            return;
        }
        out.println("OOM recovery:       on; failed pipelines with OOM-killed build jobs "
                + (config.oomRerunPipelines() ? "run again (GANTRY_OOM_RERUN_PIPELINES=true)" : "not run again"));
        OomKillStore kills = new OomKillStore();
        OomKillStore.Counts day = db.read(c -> kills.countsSince(c, now - 86_400, OomRaise.CAP));
        OomKillStore.Counts all = db.read(c -> kills.countsSince(c, 0, OomRaise.CAP));
        out.println("OOM kills:          " + day.kills() + " in the last 24 hours (" + day.overCap() + " past the "
                + OomRaise.CAP + " raises), " + all.kills() + " in all (" + all.overCap() + " past them)");
        out.println("raises in force:    " + new OomRaises(db.read(kills::inForce)).inForce() + " spec(s)");
        Map<String, Long> pipelines = db.read(c -> new PipelineStore().outcomesSince(c, now - 86_400));
        out.println("failed pipelines:   " + (pipelines.isEmpty() ? "none in the last 24 hours"
                : pipelines.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))
                        + " in the last 24 hours"));
    }

    @Override
    public Integer call() {
        Config config = configSource.load();
        PrintWriter out = spec.commandLine().getOut();
        out.println("version:            " + BuildInfo.load().version());
        out.println("database:           " + config.database().describe());
        if (!config.sharedDatabase() && !java.nio.file.Files.exists(config.dbFile())) {
            out.println("                    (does not exist yet: 'gantry migrate' or 'gantry serve' creates it)");
            out.println("collection:         " + config.collectionStatus());
            out.flush();
            return 0;
        }
        Migrations.Status status = new Migrations(config.database(),
                new Backup(config.dbFile(), config.backupDir(), Clock.systemUTC())).status();
        out.println("schema version:     " + status.schemaVersion()
                + (status.adoptsReferenceDatabase() ? " (reference implementation's; run migrate to adopt it)" : ""));
        out.println("pending migrations: " + (status.pending().isEmpty() ? "none" : String.join(", ", status.pending())));
        out.println("collection:         " + config.collectionStatus());
        if (status.pending().isEmpty()) {
            try (Database db = Database.open(config.database(), 1)) {
                double now = System.currentTimeMillis() / 1000.0;
                out.println("reconciliation:     " + Reconciler.describe(config.reconciliation(),
                        db.read(new ReconciliationStore()::status), now));
                printQueue(out, db, new QueueStore(), now);
                printOom(out, db, config, now);
            }
        }
        out.flush();
        return 0;
    }
}
