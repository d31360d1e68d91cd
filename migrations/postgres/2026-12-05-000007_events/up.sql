-- The transactional outbox: every use case that changes state writes its
-- events here, in its own transaction, one row per organisation that may
-- see the event (payloads differ by audience: consent and disclosure).
-- Writers take one advisory lock just before they insert their events and
-- hold it until they commit (persistence::locks::lock_event_append), so
-- `seq` order is commit order and a reader that has seen event n never
-- meets an event below n later.
CREATE TABLE events (
    seq            BIGSERIAL PRIMARY KEY,
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
