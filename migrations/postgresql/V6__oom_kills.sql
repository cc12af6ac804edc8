-- OOM kills of build jobs, the failed build jobs they are found among, and the failed
-- pipelines that may be run again: migrations/sqlite/V6__oom_kills.sql in PostgreSQL's
-- types (INTEGER is bigint, REAL a double, text compared byte by byte). Additive: jobs
-- keeps meaning "successful builds", and a previous release ignores all of this.

-- A failed build job's queue row has job_status 'failed' and no job_start, job_end or ref
-- (they are in failed_jobs): a previous release falls back to the row's payload, reads a
-- job that did not succeed, and skips it. NULL (every row of a previous release): a success.
ALTER TABLE collection_queue ADD COLUMN job_status TEXT COLLATE "C";

-- A failed build job as its Job Hook (or its pipeline's Pipeline Hook) described it.
CREATE TABLE failed_jobs (
    build_id BIGINT PRIMARY KEY,
    job_start BIGINT NOT NULL,
    job_end BIGINT NOT NULL,
    ref TEXT COLLATE "C" NOT NULL,
    pipeline_id BIGINT
);

-- A build container the kernel killed for exceeding its memory limit
-- (kube-state-metrics: kube_pod_container_status_terminated_reason{reason="OOMKilled"}).
CREATE TABLE oom_kills (
    build_id BIGINT PRIMARY KEY,
    pipeline_id BIGINT,
    ref TEXT COLLATE "C" NOT NULL,
    pod TEXT COLLATE "C" NOT NULL,
    pkg_name TEXT COLLATE "C" NOT NULL,
    pkg_version TEXT COLLATE "C" NOT NULL,
    pkg_variants TEXT COLLATE "C" NOT NULL,
    compiler_name TEXT COLLATE "C" NOT NULL,
    compiler_version TEXT COLLATE "C" NOT NULL,
    arch TEXT COLLATE "C" NOT NULL,
    -- the killed container's memory request and limit, bytes (NULL when it had none)
    mem_request DOUBLE PRECISION,
    mem_limit DOUBLE PRECISION,
    "end" BIGINT NOT NULL,
    -- the spec's kills whose job ended after its last successful build, this one included,
    -- when it was recorded; 0 when a successful build of the spec had already ended after it
    kills_since_success INTEGER NOT NULL,
    recorded_at DOUBLE PRECISION NOT NULL
);

CREATE INDEX oom_kills_spec ON oom_kills (pkg_name, pkg_version, pkg_variants, compiler_name, compiler_version, arch, "end");

-- A failed pipeline (Pipeline Hook), and what became of it: one outcome each.
CREATE TABLE failed_pipelines (
    pipeline_id BIGINT PRIMARY KEY,
    ref TEXT COLLATE "C" NOT NULL,
    -- pending, starting, started, not_oom, capped, not_started, failed
    state TEXT COLLATE "C" NOT NULL,
    reason TEXT COLLATE "C",
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at DOUBLE PRECISION NOT NULL,
    next_attempt_at DOUBLE PRECISION NOT NULL,
    -- when a new pipeline was first asked for (a retry looks for it before asking again)
    first_tried_at DOUBLE PRECISION,
    finished_at DOUBLE PRECISION,
    new_pipeline_id BIGINT
);

CREATE INDEX failed_pipelines_due ON failed_pipelines (state, next_attempt_at);

-- The failed build jobs of a failed pipeline.
CREATE TABLE failed_pipeline_jobs (
    pipeline_id BIGINT NOT NULL REFERENCES failed_pipelines (pipeline_id),
    build_id BIGINT NOT NULL,
    PRIMARY KEY (pipeline_id, build_id)
);
