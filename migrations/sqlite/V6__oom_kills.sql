-- OOM kills of build jobs, the failed build jobs they are found among, and the failed
-- pipelines that may be run again. Additive: jobs keeps meaning "successful builds", so
-- the reference can still read the database, and a previous release ignores all of this.
-- "end" is quoted: it is a reserved word in PostgreSQL.

-- A failed build job's queue row has job_status 'failed' and no job_start, job_end or ref
-- (they are in failed_jobs): a previous release, which knows only successful jobs, falls
-- back to the row's payload, reads a job that did not succeed, and skips it.
-- NULL (every row of a previous release) means a successful job.
ALTER TABLE collection_queue ADD COLUMN job_status TEXT;

-- A failed build job as its Job Hook (or its pipeline's Pipeline Hook) described it.
CREATE TABLE failed_jobs (
    build_id INTEGER PRIMARY KEY,
    job_start INTEGER NOT NULL,
    job_end INTEGER NOT NULL,
    ref TEXT NOT NULL,
    pipeline_id INTEGER
);

-- A build container the kernel killed for exceeding its memory limit
-- (kube-state-metrics: kube_pod_container_status_terminated_reason{reason="OOMKilled"}).
CREATE TABLE oom_kills (
    build_id INTEGER PRIMARY KEY,
    pipeline_id INTEGER,
    ref TEXT NOT NULL,
    pod TEXT NOT NULL,
    pkg_name TEXT NOT NULL,
    pkg_version TEXT NOT NULL,
    pkg_variants TEXT NOT NULL,
    compiler_name TEXT NOT NULL,
    compiler_version TEXT NOT NULL,
    arch TEXT NOT NULL,
    -- the killed container's memory request and limit, bytes (NULL when it had none)
    mem_request REAL,
    mem_limit REAL,
    "end" INTEGER NOT NULL,
    -- the spec's kills whose job ended after its last successful build, this one included,
    -- when it was recorded; 0 when a successful build of the spec had already ended after it
    kills_since_success INTEGER NOT NULL,
    recorded_at REAL NOT NULL
);

CREATE INDEX oom_kills_spec ON oom_kills(pkg_name, pkg_version, pkg_variants, compiler_name, compiler_version, arch, "end");

-- A failed pipeline (Pipeline Hook), and what became of it: one outcome each.
CREATE TABLE failed_pipelines (
    pipeline_id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL,
    -- pending, starting, started, not_oom, capped, not_started, failed
    state TEXT NOT NULL,
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    -- when a new pipeline was first asked for (a retry looks for it before asking again)
    first_tried_at REAL,
    finished_at REAL,
    new_pipeline_id INTEGER
);

CREATE INDEX failed_pipelines_due ON failed_pipelines(state, next_attempt_at);

-- The failed build jobs of a failed pipeline.
CREATE TABLE failed_pipeline_jobs (
    pipeline_id INTEGER NOT NULL REFERENCES failed_pipelines (pipeline_id),
    build_id INTEGER NOT NULL,
    PRIMARY KEY (pipeline_id, build_id)
);
