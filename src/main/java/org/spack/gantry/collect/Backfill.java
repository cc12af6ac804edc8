package org.spack.gantry.collect;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.Clock;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.upstream.UpstreamException;

/**
 * Recovers jobs whose webhook never arrived: pages through GitLab's successful jobs
 * (newest first) and queues every eligible build job finished in the window that is
 * not stored yet. A running server's workers collect them.
 */
public final class Backfill {
    /** Where the walk is, after each page. */
    public record Progress(int page, int seen, int queued, int alreadyKnown, int notBuilds, boolean done) {}

    public interface ProgressListener {
        void update(Progress p);
    }

    private final GitLabClient gitlab;
    private final Database db;
    private final QueueStore queue;
    private final JobStore jobs;
    private final WebhookParser parser = new WebhookParser();
    private final Clock clock;

    public Backfill(GitLabClient gitlab, Database db, QueueStore queue, JobStore jobs, Clock clock) {
        this.gitlab = gitlab;
        this.db = db;
        this.queue = queue;
        this.jobs = jobs;
        this.clock = clock;
    }

    /** Queues the jobs finished in [since, until) (unix seconds). */
    public Progress run(long since, long until, ProgressListener listener) throws UpstreamException {
        int page = 0;
        int seen = 0;
        int queued = 0;
        int known = 0;
        int notBuilds = 0;
        while (true) {
            page++;
            boolean anyInWindowOrNewer = false;
            var list = gitlab.successfulJobs(page);
            if (list.isEmpty()) break;
            for (JsonElement element : list) {
                seen++;
                JsonObject payload = toWebhookPayload(element.getAsJsonObject());
                WebhookEvent e;
                try {
                    e = parser.parse(payload.toString()).event();
                } catch (InvalidWebhookException invalid) {
                    notBuilds++;
                    continue;
                }
                if (e == null) {
                    notBuilds++;
                    continue;
                }
                if (e.finishedAt() >= since) anyInWindowOrNewer = true;
                if (e.finishedAt() < since || e.finishedAt() >= until) continue;
                if (Eligibility.skipReason(e) != null) {
                    notBuilds++;
                    continue;
                }
                String body = payload.toString();
                boolean added = db.write(c -> !jobs.exists(c, e.buildId())
                        && queue.requeueFailedOrNew(c, e.buildId(), body, clock.millis() / 1000.0));
                if (added) queued++; else known++;
            }
            listener.update(new Progress(page, seen, queued, known, notBuilds, false));
            // newest first: a page entirely older than the window ends the walk
            if (!anyInWindowOrNewer) break;
        }
        Progress last = new Progress(page, seen, queued, known, notBuilds, true);
        listener.update(last);
        return last;
    }

    /** The jobs API's fields under the names of a Job Hook, so that one parser reads both. */
    static JsonObject toWebhookPayload(JsonObject job) {
        JsonObject p = new JsonObject();
        p.add("build_id", job.get("id"));
        p.add("build_status", job.get("status"));
        p.add("build_stage", job.get("stage"));
        p.add("build_name", job.get("name"));
        p.add("build_started_at", job.get("started_at"));
        p.add("build_finished_at", job.get("finished_at"));
        p.add("ref", job.get("ref"));
        JsonElement runner = job.get("runner");
        p.add("runner", runner == null ? com.google.gson.JsonNull.INSTANCE : runner);
        return p;
    }
}
