package org.spack.gantry.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ConfigSource;
import org.spack.gantry.evaluate.Evaluation;
import org.spack.gantry.evaluate.HistoryWithout;
import org.spack.gantry.evaluate.LimitsReport;
import org.spack.gantry.evaluate.LimitsReportFormat;
import org.spack.gantry.evaluate.LimitsSimulation;
import org.spack.gantry.evaluate.Report;
import org.spack.gantry.evaluate.ReportFormat;
import org.spack.gantry.predict.HistoryIndex;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.spec.SpecParser;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.StoredJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Measure the predictions against what the newest jobs really used.",
                "The newest jobs are predicted from the history without them, as the allocation API",
                "would have answered, and their real usage is compared with the prediction and with",
                "what the job itself requested. Reads DB_FILE only."})
public final class EvaluateCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    public EvaluateCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    enum Format { text, json }

    @Spec
    CommandSpec spec;

    @Option(names = "--holdout", paramLabel = "N", defaultValue = "2000",
            description = "how many of the newest jobs (by id, every ref) to predict; default ${DEFAULT-VALUE}")
    int holdout;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (a table) or json (one object); default ${DEFAULT-VALUE}")
    Format format;

    @Option(names = "--memory-limit-factor", paramLabel = "F",
            description = "also report how many jobs would exceed a memory limit of F x the sample's largest mem_max (1 to 10)")
    String limitFactor;

    @Option(names = "--limits", description = {"instead: replay the held-out jobs with limits mode (GANTRY_LIMITS)"
            + " and the OOM loop simulated, for each of --factors, beside the jobs' own static allocation"})
    boolean limits;

    @Option(names = "--factors", paramLabel = "F,F,...", split = ",", defaultValue = "1.0,1.1,1.2,1.5",
            description = "the memory factors --limits replays (each 1 to 10); default ${DEFAULT-VALUE}")
    List<String> factors;

    @Override
    public Integer call() {
        if (holdout < 1) {
            throw new ParameterException(spec.commandLine(), "--holdout must be at least 1, not " + holdout);
        }
        MemoryLimit limit = memoryLimit();
        List<Double> limitsFactors = limitsFactors();
        Config config = configSource.load();
        if (!config.sharedDatabase() && !Files.exists(config.dbFile())) {
            throw new CommandFailure("database " + config.dbFile() + " does not exist");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<StoredJob> jobs;
        HistoryIndex history;
        boolean wholeHistory;
        // one read transaction: the held-out jobs and the history they are taken from agree
        try (Database db = Database.open(config.database(), 1)) {
            record Read(List<StoredJob> newest, HistoryIndex history) {}
            // one more than held out: is any history left?
            Read read = db.read(c -> {
                List<StoredJob> newest = new JobStore().newest(c, (int) Math.min(Integer.MAX_VALUE, holdout + 1L));
                List<StoredJob> heldOut = newest.size() <= holdout ? newest : newest.subList(0, holdout);
                return new Read(newest, HistoryWithout.index(c, db.historyStore(), heldOut));
            });
            wholeHistory = read.newest().size() <= holdout;
            jobs = wholeHistory ? read.newest() : read.newest().subList(0, holdout);
            history = read.history();
        }
        if (jobs.isEmpty()) {
            err.println("gantry: warning: " + (config.sharedDatabase() ? config.database().describe() : config.dbFile())
                    + " holds no jobs: nothing to evaluate");
        } else if (wholeHistory) {
            err.println("gantry: warning: --holdout " + holdout + " holds out all " + jobs.size() + " stored jobs, leaving"
                    + " no history: every prediction is the default answer; use a holdout below " + jobs.size());
        }
        // on the error stream, so that the report alone is on the output
        Progress progress = new Progress(err, System.console() != null);
        int total = jobs.size();
        if (limits) {
            LimitsReport report = new LimitsSimulation(jobs, new SpecParser(), history::predict).run(limitsFactors);
            out.println(format == Format.json ? LimitsReportFormat.json(report) : LimitsReportFormat.text(report));
            out.flush();
            return 0;
        }
        Report report = new Evaluation(new SpecParser(), history::predict)
                .run(jobs, limit,
                        done -> progress.update(done + " of " + total + " jobs predicted", (double) done / total, done == total));
        out.println(format == Format.json ? ReportFormat.json(report) : ReportFormat.text(report));
        out.flush();
        return 0;
    }

    /** Each checked as GANTRY_MEMORY_LIMIT_FACTOR is. */
    private List<Double> limitsFactors() {
        List<Double> out = new java.util.ArrayList<>();
        for (String f : factors) {
            try {
                out.add(MemoryLimit.parse(f).factor());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--factors: each " + e.getMessage(), e);
            }
        }
        return out;
    }

    private MemoryLimit memoryLimit() {
        if (limitFactor == null) return MemoryLimit.NONE;
        try {
            return MemoryLimit.parse(limitFactor);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--memory-limit-factor " + e.getMessage(), e);
        }
    }
}
