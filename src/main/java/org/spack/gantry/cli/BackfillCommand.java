package org.spack.gantry.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import org.spack.gantry.collect.JobsScan;
import org.spack.gantry.collect.RetryPolicy;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ConfigSource;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.Migrations;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.UpstreamException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = {"Queue finished build jobs that no webhook delivered, from the GitLab jobs API.",
                "A running 'gantry serve' on the same database collects them."})
public final class BackfillCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    public BackfillCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--since", required = true, paramLabel = "DATE",
            description = "first day or instant to recover, e.g. 2024-01-24 or 2024-01-24T17:00:00Z")
    String since;

    @Option(names = "--until", paramLabel = "DATE", description = "end of the window; default now")
    String until;

    @Option(names = "--max-build-hours", paramLabel = "HOURS", defaultValue = "" + JobsScan.DEFAULT_MAX_BUILD_HOURS,
            description = {"the longest a build runs: jobs created this long before --since are still looked at,",
                    "since GitLab lists jobs by creation and a long build may finish in the window (default: ${DEFAULT-VALUE})"})
    int maxBuildHours;

    @Override
    public Integer call() throws Exception {
        long from = parseDate(since, "--since");
        long to = until == null ? Instant.now().getEpochSecond() : parseDate(until, "--until");
        if (to <= from) {
            throw new ParameterException(spec.commandLine(), "--until must be after --since");
        }
        if (maxBuildHours < 0 || maxBuildHours > 24 * 30) {
            throw new ParameterException(spec.commandLine(), "--max-build-hours must be between 0 and 720");
        }
        Config config = configSource.load();
        if (config.gitlabUrl() == null || config.gitlabApiToken() == null) {
            throw new CommandFailure("backfill needs GITLAB_URL and GITLAB_API_TOKEN");
        }
        if (!new Migrations(config.database(), null).status().pending().isEmpty()) {
            throw new CommandFailure("the database has pending migrations; run 'gantry migrate' first");
        }
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = new Progress(out, System.console() != null);
        try (HttpFetcher http = HttpFetcher.withTimeout(config.httpTimeoutSeconds(), 2);
                Database db = Database.open(config.database(), 1)) {
            JobsScan scan = new JobsScan(new GitLabClient(config.gitlabUrl(), config.gitlabApiToken(), http),
                    db, new QueueStore(), new JobStore(), RetryPolicy.defaults(), JobsScan.Sleeper.THREAD, Clock.systemUTC());
            JobsScan.Progress last = scan.run(from, to, maxBuildHours * 3600L, "backfill", true,
                    p -> progress.update(String.format("page %d: %d jobs read, %d queued, %d already known, %d not builds",
                            p.page(), p.seen(), p.queued(), p.alreadyKnown(), p.notBuilds()), Double.NaN, p.done()));
            out.println("queued " + last.queued() + " job(s) for collection; " + last.alreadyKnown()
                    + " already stored or queued; " + last.seen() + " job(s) read from " + last.page() + " page(s)");
            out.flush();
        } catch (UpstreamException e) {
            // the message carries GitLab's own words ({"error": ...}) when it gave any
            throw new CommandFailure(e.getMessage(), e);
        }
        return 0;
    }

    private long parseDate(String text, String option) {
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        } catch (DateTimeParseException notADate) {
            try {
                return Instant.parse(text).getEpochSecond();
            } catch (DateTimeParseException e) {
                throw new ParameterException(spec.commandLine(),
                        option + " must be a date (2024-01-24) or an instant (2024-01-24T17:00:00Z), not '" + text + "'");
            }
        }
    }
}
