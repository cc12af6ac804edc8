package org.spack.gantry.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ConfigSource;
import org.spack.gantry.store.Backup;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Write a consistent, checked copy of the live database.",
                "SQLite VACUUM INTO, then PRAGMA integrity_check; the file takes its name only once",
                "complete. Without --to: into GANTRY_BACKUP_DIR (default: backups/ beside DB_FILE) as",
                "gantry-<UTC time>.db, what gantry-backup.timer runs."})
public final class BackupCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    public BackupCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true)
    Where where = new Where();

    static final class Where {
        @Option(names = "--to", paramLabel = "FILE", description = "where to write the copy; must not exist")
        Path target;

        @Option(names = "--keep", paramLabel = "N",
                description = "into the backup directory, then remove all but the newest N scheduled backups (default: keep all)")
        Integer keep;
    }

    @Override
    public Integer call() {
        Config config = configSource.load();
        if (config.sharedDatabase()) {
            throw new CommandFailure(OnPostgres.BACKUPS);
        }
        Backup backup = new Backup(config.dbFile(), config.backupDir(), Clock.systemUTC());
        if (where.keep != null && where.keep < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--keep must be at least 1");
        }
        Path written;
        if (where.target != null) {
            backup.copyTo(where.target);
            written = where.target;
        } else {
            written = backup.scheduled(where.keep == null ? Integer.MAX_VALUE : where.keep);
        }
        spec.commandLine().getOut().println("backed up " + config.dbFile() + " to " + written);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
