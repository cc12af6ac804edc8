package org.spack.gantry.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import org.spack.gantry.Main;
import org.spack.gantry.config.Config;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.store.Backup;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.Migrations;
import org.spack.gantry.store.QueueStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the version, the database, its schema and pending migrations, and the collection queue.")
public final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Config config = Main.loadConfig();
        PrintWriter out = spec.commandLine().getOut();
        out.println("version:            " + BuildInfo.load().version());
        out.println("database:           " + config.dbFile().toAbsolutePath());
        if (!java.nio.file.Files.exists(config.dbFile())) {
            out.println("                    (does not exist yet: 'gantry migrate' or 'gantry serve' creates it)");
            out.println("collection:         " + config.collectionStatus());
            out.flush();
            return 0;
        }
        Migrations.Status status = new Migrations(config.dbFile(),
                new Backup(config.dbFile(), Backup.defaultDirectory(config.dbFile()), Clock.systemUTC())).status();
        out.println("schema version:     " + status.schemaVersion()
                + (status.adoptsReferenceDatabase() ? " (reference implementation's; run migrate to adopt it)" : ""));
        out.println("pending migrations: " + (status.pending().isEmpty() ? "none" : String.join(", ", status.pending())));
        out.println("collection:         " + config.collectionStatus());
        if (status.pending().isEmpty()) {
            try (Database db = Database.open(config.dbFile(), 1)) {
                QueueStore queue = new QueueStore();
                double now = System.currentTimeMillis() / 1000.0;
                long depth = db.read(queue::depth);
                Double oldest = db.read(queue::oldestWaitingSince);
                Map<String, Long> lastDay = db.read(c -> queue.outcomesSince(c, now - 86_400));
                out.println("queue depth:        " + depth
                        + (oldest == null ? "" : " (oldest waiting " + Math.round(now - oldest) + " s)"));
                out.println("last 24 hours:");
                if (lastDay.isEmpty()) {
                    out.println("  no collections");
                }
                lastDay.forEach((outcome, count) -> out.printf("  %6d  %s%n", count, outcome));
            }
        }
        out.flush();
        return 0;
    }
}
