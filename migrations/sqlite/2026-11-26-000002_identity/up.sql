-- People, machine clients and refresh tokens.
CREATE TABLE users (
    id                TEXT NOT NULL PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organisations (id),
    email             TEXT NOT NULL,
    email_normalised  TEXT NOT NULL,
    display_name      TEXT NOT NULL,
    role              TEXT NOT NULL,
    password_hash     TEXT NOT NULL,
    disabled_at       TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    CONSTRAINT users_email_unique UNIQUE (email_normalised)
);
CREATE INDEX users_org_idx ON users (org_id, id);

-- Machine clients (ERP systems). The secret is 256 random bits, stored as
-- its SHA-256 only.
CREATE TABLE api_clients (
    id                 TEXT NOT NULL PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES organisations (id),
    name               TEXT NOT NULL,
    scopes             TEXT NOT NULL,
    secret_hash        TEXT NOT NULL,
    secret_rotated_at  TIMESTAMP NOT NULL,
    revoked_at         TIMESTAMP,
    created_at         TIMESTAMP NOT NULL
);
CREATE INDEX api_clients_org_idx ON api_clients (org_id, id);

-- Opaque refresh tokens, stored as SHA-256 only. Each use replaces the
-- token with a new one of the same family; presenting a replaced token
-- revokes the whole family.
CREATE TABLE refresh_tokens (
    id           TEXT NOT NULL PRIMARY KEY,
    family_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    token_hash   TEXT NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    replaced_at  TIMESTAMP,
    revoked_at   TIMESTAMP,
    CONSTRAINT refresh_tokens_hash_unique UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
