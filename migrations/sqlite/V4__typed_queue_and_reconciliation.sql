-- The queue holds the job's facts, read once where the job entered, and where it came from.
-- Additive: a previous release ignores these columns and reads payload (a webhook body
-- for webhook events; a jobs API object for backfill and reconciliation).
ALTER TABLE collection_queue ADD COLUMN job_start INTEGER;
ALTER TABLE collection_queue ADD COLUMN job_end INTEGER;
ALTER TABLE collection_queue ADD COLUMN ref TEXT;
-- webhook, backfill, reconcile
ALTER TABLE collection_queue ADD COLUMN source TEXT;

-- Where automatic reconciliation got to: one row.
CREATE TABLE reconciliation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- every successful job finished before this instant (unix seconds) was looked at
    covered_until REAL NOT NULL,
    last_success_at REAL NOT NULL,
    last_queued INTEGER NOT NULL
);
