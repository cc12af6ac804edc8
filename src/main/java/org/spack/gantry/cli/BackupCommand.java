package org.spack.gantry.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ConfigSource;
import org.spack.gantry.store.Backup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Write a consistent copy of the live database (SQLite VACUUM INTO) to FILE.")
public final class BackupCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    public BackupCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--to", required = true, paramLabel = "FILE", description = "where to write the copy; must not exist")
    Path target;

    @Override
    public Integer call() {
        Config config = configSource.load();
        new Backup(config.dbFile(), Backup.defaultDirectory(config.dbFile()), Clock.systemUTC()).copyTo(target);
        spec.commandLine().getOut().println("backed up " + config.dbFile() + " to " + target);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
