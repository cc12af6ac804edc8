package org.spack.gantry.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ConfigSource;
import org.spack.gantry.store.Backup;
import org.spack.gantry.store.Restore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Put a backup in the database's place.",
                "The backup must pass PRAGMA integrity_check and hold Gantry's tables, of a schema",
                "this release has; the current database is kept in the backup directory first; the",
                "content is replaced in one transaction. Refused while a server holds the database,",
                "unless --force."})
public final class RestoreCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    public RestoreCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "FILE", description = "the backup to restore")
    Path source;

    @Option(names = "--force", description = {"restore even while a server holds the database: it waits for the restore, then stores",
                    "into the restored database; restart it at once after, to read the restored history"})
    boolean force;

    @Override
    public Integer call() {
        Config config = configSource.load();
        if (config.sharedDatabase()) {
            throw new CommandFailure(OnPostgres.BACKUPS);
        }
        Restore.Result r = new Restore(config.dbFile(), new Backup(config.dbFile(), config.backupDir(), Clock.systemUTC()))
                .from(source, force);
        var out = spec.commandLine().getOut();
        if (r.keptAs() != null) {
            out.println("kept the database as it was in " + r.keptAs());
        }
        out.println("restored " + config.dbFile() + " from " + source + ": " + r.jobs() + " jobs, " + r.nodes() + " nodes");
        if (r.besideServer()) {
            out.println("a server holds the database: restart it now (systemctl restart gantry) so that it reads the"
                    + " restored history; what it stores meanwhile goes into the restored database");
        }
        out.flush();
        return 0;
    }
}
