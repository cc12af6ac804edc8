-- Where reconciliation got to, by job id, so that each run asks GitLab only for what
-- changed since the previous one (the SQLite script's port: BIGINT for INTEGER, DOUBLE
-- PRECISION for REAL, text compared byte by byte). Shared by every host.

-- Every job with an id up to newest_id was seen finished (and queued, when it was an
-- eligible success) or is listed in reconcile_unfinished. listed_at: when the run that
-- set it listed the newest jobs (unix seconds).
CREATE TABLE reconcile_frontier (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    newest_id BIGINT NOT NULL,
    listed_at DOUBLE PRECISION NOT NULL
);

-- Build jobs at or below newest_id that were not finished when last looked at.
CREATE TABLE reconcile_unfinished (
    build_id BIGINT PRIMARY KEY,
    -- when a run first saw it unfinished (unix seconds)
    seen_at DOUBLE PRECISION NOT NULL
);

-- The last run, successful or not, and what it cost GitLab.
CREATE TABLE reconcile_last_run (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    started_at DOUBLE PRECISION NOT NULL,
    finished_at DOUBLE PRECISION NOT NULL,
    -- success or failure
    result TEXT COLLATE "C" NOT NULL,
    reason TEXT COLLATE "C",
    requests BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    jobs_seen BIGINT NOT NULL,
    queued BIGINT NOT NULL
);
