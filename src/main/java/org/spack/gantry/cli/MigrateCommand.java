package org.spack.gantry.cli;

import java.time.Clock;
import java.util.concurrent.Callable;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ConfigSource;
import org.spack.gantry.store.Backup;
import org.spack.gantry.store.Migrations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Back up the database if migrations are pending, apply them, and exit.",
                "A database made by the reference implementation is adopted with every row kept."})
public final class MigrateCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    public MigrateCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Config config = configSource.load();
        Migrations migrations = new Migrations(config.database(),
                new Backup(config.dbFile(), config.backupDir(), Clock.systemUTC()));
        Migrations.Result result = migrations.migrate();
        var out = spec.commandLine().getOut();
        if (result.applied() == 0) {
            out.println("database " + config.database().describe() + " is up to date at schema version " + result.schemaVersion());
        } else {
            if (result.backupFile() != null) {
                out.println("backed up to " + result.backupFile());
            }
            out.println("applied " + result.applied() + " migration(s) to " + config.database().describe()
                    + ": schema version " + result.before().schemaVersion() + " -> " + result.schemaVersion());
        }
        out.flush();
        return 0;
    }
}
