package org.spack.gantry.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GitLab project at the rate of Spack's CI (issue 18): a job created every 6 s (600 an
 * hour) from {@code historyStart} on, for as long as its clock runs, ids by creation.
 * Each job waits 10 s to 2 min, then runs 5 to 15 minutes, one in 150 for 2 to 6 hours,
 * and ends success (92 %), failed (6 %) or canceled (2 %); one in 25 is not a build
 * (stage {@code generate}), one in 50 ran on a {@code uo} runner. One build, created at
 * {@code longBuildCreated}, runs until {@code longBuildFinished}. Its jobs API answers as
 * {@link JobsListing} does, with job objects the size and shape of GitLab's (about 1.9 KB),
 * and the single job; every request is recorded with the bytes sent.
 *
 * <p>The clock is the caller's: a test accelerates it, a bench runs it in real time
 * ({@code java -cp target/test-classes org.spack.gantry.testing.SpackCiGitLab PORT LOG}).
 */
public final class SpackCiGitLab implements AutoCloseable {
    public static final long FIRST_ID = 9_000_000;
    /** Seconds between two jobs: 600 an hour. */
    public static final int EVERY = 6;
    private static final Pattern LIST = Pattern.compile("/api/v4/projects/2/jobs");
    private static final Pattern SINGLE = Pattern.compile("/api/v4/projects/2/jobs/(\\d+)");

    /** One request as answered: when (the stand-in's clock, unix ms), what, the status and the bytes of the body. */
    public record Served(long atMillis, String pathAndQuery, int status, long bytes) {}

    /** A job as it is at some instant: null times not yet reached. */
    public record Job(long id, String stage, String runner, long created, long started, long finished, String end) {
        public boolean eligibleSuccess() {
            return end.equals("success") && stage.startsWith("stage-") && !runner.startsWith("uo");
        }

        String status(long now) {
            if (now < created + 5) return "created";
            if (now < started) return "pending";
            if (now < finished) return "running";
            return end;
        }
    }

    private final Clock clock;
    private final long historyStart;
    private final long longBuildCreated;
    private final long longBuildFinished;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Served> served = new CopyOnWriteArrayList<>();
    private final PrintStream log;

    /** @param log one line per request, or null */
    public SpackCiGitLab(Clock clock, long historyStart, long longBuildCreated, long longBuildFinished, int port,
            PrintStream log) {
        this.clock = clock;
        this.historyStart = historyStart;
        this.longBuildCreated = longBuildCreated;
        this.longBuildFinished = longBuildFinished;
        this.log = log;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** GITLAB_URL: the project API. */
    public String projectUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v4/projects/2";
    }

    public List<Served> served() {
        return served;
    }

    private long now() {
        return clock.millis() / 1000;
    }

    /** The id of the job created at or just before {@code t}. */
    public long newestIdAt(long t) {
        return t < historyStart ? FIRST_ID - 1 : FIRST_ID + (t - historyStart) / EVERY;
    }

    /** The id of the long build created {@code longBuildCreated}. */
    public long longBuildId() {
        return newestIdAt(longBuildCreated);
    }

    /** Job {@code id}, made up from its id (the same every time asked). */
    public Job job(long id) {
        long n = id - FIRST_ID;
        long created = historyStart + n * EVERY;
        long h = mix(id);
        long wait = 10 + Math.floorMod(h, 111);
        long run;
        if (id == longBuildId()) {
            run = longBuildFinished - created - wait;
        } else if (Math.floorMod(h >> 8, 150) == 0) {
            run = 2 * 3600 + Math.floorMod(h >> 16, 4 * 3600);
        } else {
            run = 300 + Math.floorMod(h >> 16, 600);
        }
        int end = (int) Math.floorMod(h >> 32, 100);
        String result = id == longBuildId() || end < 92 ? "success" : end < 98 ? "failed" : "canceled";
        String stage = id != longBuildId() && Math.floorMod(h >> 40, 25) == 0 ? "generate" : "stage-" + Math.floorMod(h >> 44, 8);
        String runner = id != longBuildId() && Math.floorMod(h >> 48, 50) == 0 ? "uo-cluster-" + Math.floorMod(h, 3)
                : "aws-runner-" + Math.floorMod(h >> 4, 40);
        return new Job(id, stage, runner, created, created + wait, created + wait + run, result);
    }

    private static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        x = (x ^ (x >>> 33)) * 0xc4ceb34fe1a85ec5L;
        return x ^ (x >>> 33);
    }

    /** Every job created at or before {@code t}, newest first. */
    public List<Job> jobsUntil(long t) {
        List<Job> out = new ArrayList<>();
        for (long id = newestIdAt(t); id >= FIRST_ID; id--) out.add(job(id));
        return out;
    }

    private JobsListing.Jobs view(long now) {
        long newest = newestIdAt(now);
        return new JobsListing.Jobs() {
            @Override
            public int size() {
                return (int) (newest - FIRST_ID + 1);
            }

            @Override
            public long id(int index) {
                return newest - index;
            }

            @Override
            public String status(int index) {
                return job(id(index)).status(now);
            }

            @Override
            public String json(int index) {
                return SpackCiGitLab.json(job(id(index)), now);
            }

            @Override
            public int firstBelow(long id) {
                return (int) Math.max(0, Math.min(size(), newest - id + 1));
            }
        };
    }

    private void handle(HttpExchange ex) throws IOException {
        long now = now();
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery();
        JobsListing.Answer a;
        Matcher single = SINGLE.matcher(path);
        if (!"glpat-scale".equals(ex.getRequestHeaders().getFirst("PRIVATE-TOKEN"))) {
            a = JobsListing.Answer.error(401, "401 Unauthorized");
        } else if (LIST.matcher(path).matches()) {
            a = JobsListing.answer(path, query, view(now), true, 50_000);
        } else if (single.matches()) {
            long id = Long.parseLong(single.group(1));
            a = id <= newestIdAt(now) && id >= FIRST_ID ? new JobsListing.Answer(200,
                    java.util.Map.of("Content-Type", "application/json"), json(job(id), now))
                    : JobsListing.single(view(now), -1);
        } else {
            a = JobsListing.Answer.error(404, "404 Not found");
        }
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        a.headers().forEach(ex.getResponseHeaders()::set);
        ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        } catch (IOException clientLeft) {
            // the client hung up (a refused page is not read to its end)
        }
        String what = path + (query == null ? "" : "?" + query);
        served.add(new Served(clock.millis(), what, a.status(), body.length));
        if (log != null) {
            synchronized (log) {
                log.println(System.currentTimeMillis() + " " + a.status() + " " + body.length + " " + what);
                log.flush();
            }
        }
    }

    /** The job as the jobs API writes it: the fields of GitLab's documented example, about 1.9 KB. */
    static String json(Job j, long now) {
        String status = j.status(now);
        boolean started = now >= j.started();
        boolean finished = now >= j.finished();
        long pipeline = 1_000_000 + (j.id() - FIRST_ID) / 400;
        String sha = String.format("%040x", mix(pipeline) & Long.MAX_VALUE).substring(0, 40);
        StringBuilder b = new StringBuilder(1800);
        b.append("{\"commit\":{\"author_email\":\"spackbot@spack.io\",\"author_name\":\"spackbot\",\"created_at\":\"")
                .append(iso(j.created() - 3600)).append("\",\"id\":\"").append(sha).append("\",\"message\":\"Merge pull")
                .append(" request #").append(pipeline % 50_000).append(" from spack/develop\\n\\npackages: update versions")
                .append("\",\"short_id\":\"").append(sha, 0, 8).append("\",\"title\":\"Merge pull request #")
                .append(pipeline % 50_000).append(" from spack/develop\"},")
                .append("\"coverage\":null,\"allow_failure\":false,")
                .append("\"created_at\":\"").append(iso(j.created())).append("\",")
                .append("\"started_at\":").append(started ? "\"" + iso(j.started()) + "\"" : "null").append(',')
                .append("\"finished_at\":").append(finished ? "\"" + iso(j.finished()) + "\"" : "null").append(',')
                .append("\"erased_at\":null,")
                .append("\"duration\":").append(started ? (Math.min(now, j.finished()) - j.started()) + ".532" : "null")
                .append(",\"queued_duration\":").append(Math.min(now, j.started()) - j.created()).append(".271,")
                .append("\"artifacts_file\":{\"filename\":\"artifacts.zip\",\"size\":").append(1000 + j.id() % 9000)
                .append("},\"artifacts\":[{\"file_type\":\"archive\",\"size\":").append(1000 + j.id() % 9000)
                .append(",\"filename\":\"artifacts.zip\",\"file_format\":\"zip\"},{\"file_type\":\"metadata\",\"size\":186,")
                .append("\"filename\":\"metadata.gz\",\"file_format\":\"gzip\"},{\"file_type\":\"trace\",\"size\":")
                .append(20_000 + j.id() % 90_000).append(",\"filename\":\"job.log\",\"file_format\":\"raw\"}],")
                .append("\"artifacts_expire_at\":\"").append(iso(j.created() + 30 * 86_400)).append("\",")
                .append("\"tag_list\":[\"spack\",\"public\",\"medium\",\"x86_64_v3\"],")
                .append("\"id\":").append(j.id()).append(',')
                .append("\"name\":\"").append(j.stage().equals("generate") ? "e4s-generate"
                        : "zlib-ng@2.1.6 /" + sha.substring(0, 7) + " %gcc@12.3.0 arch=linux-ubuntu22.04-x86_64_v3 E4S")
                .append("\",\"pipeline\":{\"id\":").append(pipeline)
                .append(",\"project_id\":2,\"ref\":\"develop\",\"sha\":\"").append(sha).append("\",\"status\":\"running\"},")
                .append("\"ref\":\"develop\",")
                .append("\"runner\":").append(started ? "{\"id\":" + (100 + j.id() % 40) + ",\"description\":\"" + j.runner()
                        + "\",\"ip_address\":null,\"active\":true,\"paused\":false,\"is_shared\":true,\"runner_type\":"
                        + "\"instance_type\",\"name\":\"gitlab-runner\",\"online\":true,\"status\":\"online\"}" : "null")
                .append(",\"stage\":\"").append(j.stage()).append("\",\"status\":\"").append(status)
                .append("\",").append(status.equals("failed") ? "\"failure_reason\":\"script_failure\"," : "")
                .append("\"tag\":false,\"web_url\":\"https://gitlab.spack.io/spack/spack/-/jobs/").append(j.id())
                .append("\",\"project\":{\"ci_job_token_scope_enabled\":false},")
                .append("\"user\":{\"id\":61,\"name\":\"spackbot\",\"username\":\"spackbot\",\"state\":\"active\",")
                .append("\"avatar_url\":\"https://gitlab.spack.io/uploads/-/system/user/avatar/61/avatar.png\",")
                .append("\"web_url\":\"https://gitlab.spack.io/spackbot\",\"created_at\":\"2021-02-23T02:41:37.000Z\",")
                .append("\"bio\":null,\"location\":null,\"public_email\":\"\",\"skype\":\"\",\"linkedin\":\"\",")
                .append("\"twitter\":\"\",\"website_url\":\"\",\"organization\":\"\"}}");
        return b.toString();
    }

    private static String iso(long t) {
        return Instant.ofEpochSecond(t).plusMillis(t % 1000).toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * For a bench: {@code PORT LOG [HISTORY_HOURS [LONG_BUILD_HOURS_AGO LONG_BUILD_FINISHES_IN_MINUTES]]}
     * on the real clock; runs until killed.
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        long now = System.currentTimeMillis() / 1000;
        long history = args.length > 2 ? Long.parseLong(args[2]) : 60;
        long longAgo = args.length > 3 ? Long.parseLong(args[3]) : 5;
        long finishesIn = args.length > 4 ? Long.parseLong(args[4]) : 10;
        try (PrintStream log = new PrintStream(new java.io.FileOutputStream(args[1], true), true, StandardCharsets.UTF_8);
                SpackCiGitLab gitlab = new SpackCiGitLab(Clock.systemUTC(), now - history * 3600, now - longAgo * 3600,
                        now + finishesIn * 60, port, log)) {
            System.out.println("GitLab at Spack's rate on " + gitlab.projectUrl() + " (token glpat-scale); long build "
                    + gitlab.longBuildId());
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
