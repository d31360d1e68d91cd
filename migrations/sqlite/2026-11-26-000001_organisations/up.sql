-- Organisations: large firms and their suppliers. Keep in step with
-- migrations/postgres (a test compares the two schemas).
CREATE TABLE organisations (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    country     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE organisation_identifiers (
    org_id    TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    scheme    TEXT NOT NULL,
    issuer    TEXT NOT NULL DEFAULT '',
    value     TEXT NOT NULL,
    PRIMARY KEY (org_id, position),
    CONSTRAINT organisation_identifiers_unique UNIQUE (scheme, issuer, value)
);
