-- The transactional outbox (see the PostgreSQL migration). SQLite commits
-- one writer at a time, so `seq` order is commit order.
CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id       TEXT NOT NULL,
    org_id         TEXT NOT NULL,
    event_type     TEXT NOT NULL,
    resource_type  TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    actor          TEXT NOT NULL,
    payload        TEXT NOT NULL,
    occurred_at    TIMESTAMP NOT NULL
);
CREATE INDEX events_feed ON events (org_id, seq);
CREATE INDEX events_age ON events (occurred_at);
