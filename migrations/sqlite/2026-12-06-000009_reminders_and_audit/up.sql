-- See the PostgreSQL migration.
ALTER TABLE events ADD COLUMN actor_org_id TEXT;
ALTER TABLE events ADD COLUMN request_id TEXT;
CREATE INDEX events_by_actor_org ON events (actor_org_id, seq);

-- One row per reminder sent (see the PostgreSQL migration).
CREATE TABLE reminders_sent (
    request_id  TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    due_date    DATE NOT NULL,
    sent_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (request_id, kind, due_date)
);

-- The scheduler's candidates: requests still awaiting an answer, by date.
CREATE INDEX requests_awaiting_by_due ON requests (due_date)
    WHERE status IN ('open', 'in_progress', 'changes_requested');
