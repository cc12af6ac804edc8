-- The queue holds the job's facts, read once where the job entered, and where it came from.
ALTER TABLE collection_queue ADD COLUMN job_start BIGINT;
ALTER TABLE collection_queue ADD COLUMN job_end BIGINT;
ALTER TABLE collection_queue ADD COLUMN ref TEXT COLLATE "C";
-- webhook, backfill, reconcile
ALTER TABLE collection_queue ADD COLUMN source TEXT COLLATE "C";

-- Where automatic reconciliation got to: one row, shared by every host.
CREATE TABLE reconciliation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- every successful job finished before this instant (unix seconds) was looked at
    covered_until DOUBLE PRECISION NOT NULL,
    last_success_at DOUBLE PRECISION NOT NULL,
    last_queued BIGINT NOT NULL
);
