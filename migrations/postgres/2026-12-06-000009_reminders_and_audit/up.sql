-- The audit trail reads the outbox: who acted for which organisation, and
-- the request id of the call that made the change (NULL for the server's
-- own work, such as reminders).
ALTER TABLE events ADD COLUMN actor_org_id TEXT;
ALTER TABLE events ADD COLUMN request_id TEXT;
CREATE INDEX events_by_actor_org ON events (actor_org_id, seq);

-- One row per reminder sent: the primary key is what makes a reminder go
-- out once, whichever replica's scheduler gets there first. A moved due
-- date is a new date, so its reminders go out again.
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
