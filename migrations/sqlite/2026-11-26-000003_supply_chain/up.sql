-- The supply-chain network, the metric catalogue's custom extensions,
-- reporting requirements and the requests they create, and idempotency keys.

CREATE TABLE invitations (
    id                  TEXT NOT NULL PRIMARY KEY,
    buyer_org_id        TEXT NOT NULL REFERENCES organisations (id),
    email               TEXT NOT NULL,
    business_number     TEXT,
    code_hash           TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    expires_at          TIMESTAMP NOT NULL,
    accepted_at         TIMESTAMP,
    accepted_by_org_id  TEXT,
    revoked_at          TIMESTAMP,
    CONSTRAINT invitations_code_unique UNIQUE (code_hash)
);
CREATE INDEX invitations_buyer_idx ON invitations (buyer_org_id, id);

CREATE TABLE supplier_links (
    id                  TEXT NOT NULL PRIMARY KEY,
    buyer_org_id        TEXT NOT NULL REFERENCES organisations (id),
    supplier_org_id     TEXT NOT NULL REFERENCES organisations (id),
    active              BOOLEAN NOT NULL,
    disclose_suppliers  BOOLEAN NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    ended_at            TIMESTAMP,
    CONSTRAINT supplier_links_pair_unique UNIQUE (buyer_org_id, supplier_org_id)
);
CREATE INDEX supplier_links_supplier_idx ON supplier_links (supplier_org_id);

CREATE TABLE custom_metrics (
    id          TEXT NOT NULL PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    code        TEXT NOT NULL,
    label_en    TEXT NOT NULL,
    label_ko    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    dimension   TEXT,
    guidance    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    CONSTRAINT custom_metrics_code_unique UNIQUE (org_id, code)
);

CREATE TABLE requirements (
    id              TEXT NOT NULL PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organisations (id),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    period_start    DATE NOT NULL,
    period_end      DATE NOT NULL,
    due_date        DATE NOT NULL,
    audience_all    BOOLEAN NOT NULL,
    cascade_depth   INTEGER NOT NULL,
    status          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    revision        INTEGER NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    published_at    TIMESTAMP
);
CREATE INDEX requirements_org_idx ON requirements (org_id, id);

CREATE TABLE requirement_items (
    requirement_id      TEXT NOT NULL REFERENCES requirements (id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    metric_code         TEXT NOT NULL,
    required            BOOLEAN NOT NULL,
    guidance            TEXT,
    estimates_accepted  BOOLEAN NOT NULL,
    PRIMARY KEY (requirement_id, position)
);

CREATE TABLE requirement_audience (
    requirement_id   TEXT NOT NULL REFERENCES requirements (id) ON DELETE CASCADE,
    supplier_org_id  TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (requirement_id, supplier_org_id)
);

-- One row per amendment: what changed, when, by whom.
CREATE TABLE requirement_versions (
    requirement_id  TEXT NOT NULL REFERENCES requirements (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    changes         TEXT NOT NULL,
    note            TEXT NOT NULL,
    amended_by      TEXT NOT NULL,
    amended_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (requirement_id, version)
);

-- A request to one supplier: from a requirement (depth 1) or forwarded by a
-- tier-1 from its own request (depth 2, parent_request_id set).
CREATE TABLE requests (
    id                   TEXT NOT NULL PRIMARY KEY,
    requirement_id       TEXT NOT NULL REFERENCES requirements (id),
    parent_request_id    TEXT REFERENCES requests (id),
    requester_org_id     TEXT NOT NULL REFERENCES organisations (id),
    supplier_org_id      TEXT NOT NULL REFERENCES organisations (id),
    depth                INTEGER NOT NULL,
    title                TEXT NOT NULL,
    message              TEXT NOT NULL,
    period_start         DATE NOT NULL,
    period_end           DATE NOT NULL,
    due_date             DATE NOT NULL,
    status               TEXT NOT NULL,
    decline_reason       TEXT,
    requirement_version  INTEGER NOT NULL,
    revision             INTEGER NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX requests_supplier_idx ON requests (supplier_org_id, id);
CREATE INDEX requests_requirement_idx ON requests (requirement_id, id);
CREATE INDEX requests_parent_idx ON requests (parent_request_id);

CREATE TABLE request_items (
    request_id          TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    metric_code         TEXT NOT NULL,
    required            BOOLEAN NOT NULL,
    guidance            TEXT,
    estimates_accepted  BOOLEAN NOT NULL,
    PRIMARY KEY (request_id, position)
);

-- The first answer to each (organisation, Idempotency-Key), replayed to retries.
CREATE TABLE idempotency_keys (
    org_id           TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    status           INTEGER NOT NULL,
    location         TEXT,
    etag             TEXT,
    body             TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, idempotency_key)
);
