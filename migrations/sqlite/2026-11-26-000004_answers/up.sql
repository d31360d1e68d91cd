-- Suppliers' answers. A draft is edited freely; each submission copies it
-- into an immutable revision (1, 2, ...). Decimals are TEXT: exactly as
-- reported, and the canonical conversion beside them.
CREATE TABLE answer_drafts (
    request_id       TEXT NOT NULL REFERENCES requests (id),
    metric_code      TEXT NOT NULL,
    value_text       TEXT,
    unit             TEXT,
    canonical_value  TEXT,
    canonical_unit   TEXT,
    method           TEXT,
    obtained         TEXT NOT NULL,
    period_start     DATE NOT NULL,
    period_end       DATE NOT NULL,
    comment          TEXT,
    evidence         TEXT NOT NULL,
    source           TEXT,
    updated_by       TEXT NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (request_id, metric_code)
);

CREATE TABLE answer_revisions (
    request_id      TEXT NOT NULL REFERENCES requests (id),
    revision        INTEGER NOT NULL,
    status          TEXT NOT NULL,
    share_upstream  BOOLEAN NOT NULL,
    submitted_by    TEXT NOT NULL,
    submitted_at    TIMESTAMP NOT NULL,
    reviewed_by     TEXT,
    reviewed_at     TIMESTAMP,
    review_comment  TEXT,
    PRIMARY KEY (request_id, revision)
);

CREATE TABLE answer_revision_entries (
    request_id       TEXT NOT NULL,
    revision         INTEGER NOT NULL,
    metric_code      TEXT NOT NULL,
    value_text       TEXT,
    unit             TEXT,
    canonical_value  TEXT,
    canonical_unit   TEXT,
    method           TEXT,
    obtained         TEXT NOT NULL,
    period_start     DATE NOT NULL,
    period_end       DATE NOT NULL,
    comment          TEXT,
    evidence         TEXT NOT NULL,
    source           TEXT,
    review_comment   TEXT,
    PRIMARY KEY (request_id, revision, metric_code),
    FOREIGN KEY (request_id, revision) REFERENCES answer_revisions (request_id, revision)
);

-- A tier-1 attaches the answers of the requests it forwarded to its own
-- answer; what its customer sees of them follows each tier-2's consent.
CREATE TABLE answer_attachments (
    request_id        TEXT NOT NULL REFERENCES requests (id),
    child_request_id  TEXT NOT NULL REFERENCES requests (id),
    attached_by       TEXT NOT NULL,
    attached_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (request_id, child_request_id)
);

-- Evidence files: the bytes live in the object store under storage_key;
-- this row is written only after the bytes are stored, and the bytes are
-- deleted again if the row cannot be written.
CREATE TABLE evidence_files (
    id           TEXT NOT NULL PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    request_id   TEXT NOT NULL REFERENCES requests (id),
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    storage_key  TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX evidence_files_request_idx ON evidence_files (request_id);
