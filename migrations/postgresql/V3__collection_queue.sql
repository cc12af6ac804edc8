-- Webhooks acknowledged but not yet collected, and the outcome of each collection.
CREATE TABLE collection_queue (
    build_id BIGINT PRIMARY KEY,
    payload TEXT NOT NULL,
    -- pending, running, inserted, skipped, failed
    state TEXT COLLATE "C" NOT NULL,
    reason TEXT COLLATE "C",
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at DOUBLE PRECISION NOT NULL,
    -- when pending: when it is due; when running: when the claim's lease expires
    next_attempt_at DOUBLE PRECISION NOT NULL,
    finished_at DOUBLE PRECISION
);

CREATE INDEX collection_queue_due ON collection_queue (state, next_attempt_at);
