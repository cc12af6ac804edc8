package org.spack.gantry;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import org.spack.gantry.cli.BackfillCommand;
import org.spack.gantry.cli.BackupCommand;
import org.spack.gantry.cli.BenchCeilingCommand;
import org.spack.gantry.cli.CommandFailure;
import org.spack.gantry.cli.CopyCommand;
import org.spack.gantry.cli.EvaluateCommand;
import org.spack.gantry.cli.ExplainCommand;
import org.spack.gantry.cli.InfoCommand;
import org.spack.gantry.cli.MigrateCommand;
import org.spack.gantry.cli.RestoreCommand;
import org.spack.gantry.cli.ServeCommand;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ConfigException;
import org.spack.gantry.config.ConfigLoader;
import org.spack.gantry.config.ConfigSource;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.store.DatabaseException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gantry} command: wires configuration, logging and the subcommands together. */
@Command(name = "gantry", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Predicts CPU and memory requests for Spack CI build jobs.",
        subcommands = {ServeCommand.class, MigrateCommand.class, BackupCommand.class, RestoreCommand.class, BackfillCommand.class,
                InfoCommand.class, EvaluateCommand.class, ExplainCommand.class, CopyCommand.class, BenchCeilingCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    static final int EXIT_ERROR = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(run(Main::loadConfig, args));
    }

    /** The command line as {@code main} runs it, with the configuration loaded by {@code loader}, once. */
    static int run(ConfigSource loader, String... args) {
        ConfigSource config = ConfigSource.once(loader);
        if (args.length > 0 && "serve".equals(args[0])) {
            startLoadingSqlite(config);
        }
        return execute(config, args);
    }

    public static int execute(String... args) {
        return execute(ConfigSource.once(Main::loadConfig), args);
    }

    /** Runs the command line; every command that takes a configuration loads it from {@code config}. */
    static int execute(ConfigSource config, String... args) {
        CommandLine cli = new CommandLine(new Main(), new CommandFactory(config));
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            PrintWriter err = commandLine.getErr();
            err.println("gantry: error: " + oneLine(e, commandLine.getCommandName()));
            err.flush();
            return EXIT_ERROR;
        });
        return cli.execute(args);
    }

    /**
     * What the operator reads: a refusal's own message; for anything else, a fault in Gantry,
     * its type and message, after its stack trace has gone to the log, once.
     */
    private static String oneLine(Exception e, String command) {
        if (e instanceof ConfigException || e instanceof DatabaseException || e instanceof CommandFailure) {
            return e.getMessage();
        }
        LoggerFactory.getLogger(Main.class).error("gantry {}: unexpected error", command, e);
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + " (an unexpected error: its stack trace is in the log above)";
    }

    /**
     * A restart is on every deploy's critical path and loading SQLite's native library is
     * a good part of it: start it early, but after logging is set up from the configuration
     * (the driver logs, and the first logger fixes the level). A configuration error is
     * left for the command to report.
     */
    private static void startLoadingSqlite(ConfigSource config) {
        try {
            config.load();
        } catch (RuntimeException reportedByTheCommand) {
            return;
        }
        org.spack.gantry.store.Database.loadNativeLibraryInBackground();
    }

    /** Loads the configuration (environment and environment.json) and sets up logging from it. */
    private static Config loadConfig() {
        String home = System.getProperty("gantry.home");
        Config config = new ConfigLoader(System.getenv(), home == null ? null : Path.of(home)).load();
        Logging.configure(config.logLevel(), config.logFormat(), config.accessLog());
        return config;
    }

    /** Gives each command that takes one the configuration source: commands do not reach back into Main. */
    private static final class CommandFactory implements CommandLine.IFactory {
        private final ConfigSource config;

        CommandFactory(ConfigSource config) {
            this.config = config;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                return cls.getDeclaredConstructor(ConfigSource.class).newInstance(config);
            } catch (NoSuchMethodException takesNoConfiguration) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"gantry " + BuildInfo.load().version()};
        }
    }
}
