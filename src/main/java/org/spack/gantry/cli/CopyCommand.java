package org.spack.gantry.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ConfigSource;
import org.spack.gantry.store.Copy;
import org.spack.gantry.store.DatabaseLocation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "copy", mixinStandardHelpOptions = true,
        description = {"Copy a SQLite history into the empty PostgreSQL database of GANTRY_DATABASE_URL.",
                "The SQLite file may be Gantry's or the reference's; it is only read. The target is migrated,",
                "every row is copied in one transaction, then every row is compared with the source.",
                "Stop the servers that write to the SQLite file first."})
public final class CopyCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    public CopyCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "FILE", description = "the SQLite file to copy; default DB_FILE")
    Path from;

    @Override
    public Integer call() {
        Config config = configSource.load();
        if (!(config.database() instanceof DatabaseLocation.Postgres target)) {
            throw new CommandFailure("copy needs GANTRY_DATABASE_URL: the PostgreSQL database to copy into");
        }
        Path source = from != null ? from : config.dbFile();
        var out = spec.commandLine().getOut();
        Copy.Result result = new Copy(source, target).run((table, rows) -> {
            out.println("copied " + rows + " row(s) of " + table);
            out.flush();
        });
        out.println("copied " + source + " to " + target.describe() + " and compared every row: "
                + String.join(", ", result.rows().entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList()));
        out.flush();
        return 0;
    }
}
