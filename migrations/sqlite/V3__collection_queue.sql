-- Webhooks acknowledged but not yet collected, and the outcome of each collection.
-- Additive: the previous release ignores this table.
CREATE TABLE collection_queue (
    build_id INTEGER PRIMARY KEY,
    payload TEXT NOT NULL,
    -- pending, running, inserted, skipped, failed
    state TEXT NOT NULL,
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    finished_at REAL
);

CREATE INDEX collection_queue_due ON collection_queue(state, next_attempt_at);
