-- Webhooks: endpoints an organisation's admins register, and one delivery
-- row per (endpoint, event), written in the event's own transaction (the
-- outbox fan-out) and worked off by the delivery workers of every replica:
-- a worker claims due rows with FOR UPDATE SKIP LOCKED and pushes
-- `next_attempt_at` past its lease, so no two workers send one attempt.
CREATE TABLE webhook_endpoints (
    id                      TEXT PRIMARY KEY,
    org_id                  TEXT NOT NULL,
    url                     TEXT NOT NULL,
    description             TEXT NOT NULL,
    -- JSON array of event type names; empty means every type.
    event_types             TEXT NOT NULL,
    enabled                 BOOLEAN NOT NULL,
    -- `whsec_…`: HMAC keys must be kept to sign; never returned after
    -- creation or rotation, never logged.
    secret                  TEXT NOT NULL,
    previous_secret         TEXT,
    previous_secret_until   TIMESTAMP,
    -- Why the endpoint was switched off by the server, if it was.
    disabled_reason         TEXT,
    failing_since           TIMESTAMP,
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id, created_at);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    org_id           TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    -- The envelope as sent, so a delivery outlives its event's retention.
    body             TEXT NOT NULL,
    -- pending, succeeded or failed.
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  TIMESTAMP NOT NULL,
    last_attempt_at  TIMESTAMP,
    response_status  INTEGER,
    error            TEXT,
    duration_ms      INTEGER,
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, created_at);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (created_at);
