package org.spack.gantry.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import org.spack.gantry.allocate.AnswerRules;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ConfigSource;
import org.spack.gantry.explain.Explainer;
import org.spack.gantry.explain.Explanation;
import org.spack.gantry.explain.ExplanationJson;
import org.spack.gantry.explain.ExplanationText;
import org.spack.gantry.oom.OomRaises;
import org.spack.gantry.predict.ReferencePredictor;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.OomKillStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Show why a spec gets its allocation: the predictors tried, the jobs used, the arithmetic.",
                "The answer is the one GET /v1/allocation gives with the same settings (GANTRY_LIMITS,",
                "GANTRY_MEMORY_LIMIT_FACTOR, the OOM raises in force). Reads the database only."})
public final class ExplainCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    public ExplainCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SPEC",
            description = "as Spack asks for it, e.g. 'zlib@1.3 +shared arch=linux-x86_64%gcc@12.3.0' (quote it)")
    String specText;

    @Option(names = "--json", description = "one JSON object, as GET /v1/allocation/explain gives it")
    boolean json;

    @Override
    public Integer call() {
        Config config = configSource.load();
        if (!config.sharedDatabase() && !Files.exists(config.dbFile())) {
            throw new CommandFailure("database " + config.dbFile() + " does not exist");
        }
        Explanation e;
        try (Database db = Database.open(config.database(), 1)) {
            // the raises in force, as serve holds them: read from the kills no success ended
            OomRaises raises = new OomRaises(config.oomTracking() ? db.read(new OomKillStore()::inForce) : List.of());
            e = new Explainer(new ReferencePredictor(db), AnswerRules.of(config, raises)).explain(specText);
        } catch (InvalidSpecException invalid) {
            throw new CommandFailure("invalid spec: " + invalid.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? ExplanationJson.render(e) : ExplanationText.render(e));
        out.flush();
        return 0;
    }
}
