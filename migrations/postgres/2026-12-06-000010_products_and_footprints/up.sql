-- Suppliers' products, the footprints they answer per product, and the
-- PACT product footprints those answers publish to the customer.

-- A supplier's own catalogue: its product code, name and classification.
CREATE TABLE products (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    cpc_code     TEXT,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    CONSTRAINT products_code_unique UNIQUE (org_id, code)
);

-- The part number a customer knows a product by. A customer's part number
-- names one product of the supplier.
CREATE TABLE product_customer_parts (
    product_id       TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    supplier_org_id  TEXT NOT NULL REFERENCES organisations (id),
    customer_org_id  TEXT NOT NULL REFERENCES organisations (id),
    part_number      TEXT NOT NULL,
    PRIMARY KEY (product_id, customer_org_id),
    CONSTRAINT product_customer_parts_unique UNIQUE (supplier_org_id, customer_org_id, part_number)
);
CREATE INDEX product_customer_parts_customer_idx ON product_customer_parts (customer_org_id);

-- A supplier's working copy of one product's footprint for one request.
-- `footprint` is the validated PACT `pcf` object (JSON, decimals as strings).
CREATE TABLE footprint_drafts (
    request_id      TEXT NOT NULL REFERENCES requests (id),
    product_id      TEXT NOT NULL REFERENCES products (id),
    footprint       TEXT NOT NULL,
    comment         TEXT,
    valid_from      TIMESTAMP,
    valid_until     TIMESTAMP,
    updated_by      TEXT NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (request_id, product_id)
);

-- A published PACT ProductFootprint: immutable once made, apart from its
-- status turning Deprecated when a later revision replaces it. `document`
-- is the whole ProductFootprint without `status`; the columns beside it
-- are what the PACT filters read.
CREATE TABLE product_footprints (
    id                TEXT PRIMARY KEY,
    owner_org_id      TEXT NOT NULL REFERENCES organisations (id),
    recipient_org_id  TEXT NOT NULL REFERENCES organisations (id),
    request_id        TEXT NOT NULL REFERENCES requests (id),
    product_id        TEXT NOT NULL REFERENCES products (id),
    status            TEXT NOT NULL,
    preceding_id      TEXT REFERENCES product_footprints (id),
    created_at        TIMESTAMP NOT NULL,
    valid_from        TIMESTAMP NOT NULL,
    valid_until       TIMESTAMP NOT NULL,
    geography         TEXT,
    document          TEXT NOT NULL
);
CREATE INDEX product_footprints_recipient_idx ON product_footprints (recipient_org_id, id);
CREATE INDEX product_footprints_request_idx ON product_footprints (request_id, product_id);

-- The URNs a footprint is found by (lowercased): its product ids, company
-- ids and classifications.
CREATE TABLE product_footprint_urns (
    footprint_id  TEXT NOT NULL REFERENCES product_footprints (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    urn           TEXT NOT NULL,
    PRIMARY KEY (footprint_id, kind, urn)
);
CREATE INDEX product_footprint_urns_lookup_idx ON product_footprint_urns (kind, urn);

-- Which footprint each submitted revision answered for each product.
CREATE TABLE revision_footprints (
    request_id    TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    product_id    TEXT NOT NULL REFERENCES products (id),
    footprint_id  TEXT NOT NULL REFERENCES product_footprints (id),
    PRIMARY KEY (request_id, revision, product_id),
    FOREIGN KEY (request_id, revision) REFERENCES answer_revisions (request_id, revision)
);

-- PACT hosts of customers: the delivery engine sends PACT events
-- (RequestFulfilledEvent, RequestRejectedEvent) to them like webhooks,
-- authenticating with OAuth client credentials (`client_id` and the
-- secret) at `token_url` instead of signing.
ALTER TABLE webhook_endpoints ADD COLUMN kind TEXT NOT NULL DEFAULT 'webhook';
ALTER TABLE webhook_endpoints ADD COLUMN token_url TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN client_id TEXT;

-- A customer's PACT request that no published footprint met yet: it
-- became a requirement to the suppliers whose products it names, and is
-- fulfilled at `host_id` when one of them submits footprints that meet
-- `criteria` (JSON).
CREATE TABLE pact_requests (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organisations (id),
    requirement_id    TEXT NOT NULL REFERENCES requirements (id),
    host_id           TEXT NOT NULL,
    request_event_id  TEXT NOT NULL,
    our_source        TEXT NOT NULL,
    criteria          TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    answered_at       TIMESTAMP
);
CREATE INDEX pact_requests_requirement_idx ON pact_requests (requirement_id);

-- A footprint item may name the customer's part numbers it asks about
-- (a JSON array); without them it asks about every product sold to it.
ALTER TABLE requirement_items ADD COLUMN part_numbers TEXT;
ALTER TABLE request_items ADD COLUMN part_numbers TEXT;

-- The PACT events each organisation sent, by CloudEvents identity
-- (source, id): a retried event is acknowledged and not acted on twice.
CREATE TABLE pact_events_received (
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    source       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    received_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, source, event_id)
);

-- One PACT host per events URL and organisation.
CREATE UNIQUE INDEX webhook_endpoints_pact_url ON webhook_endpoints (org_id, url)
    WHERE kind = 'pact';

-- Precursors: a tier-1's footprint may name footprints its suppliers
-- published to it (JSON array of their ids). Those whose supplier let its
-- answer travel up the chain are shared with the tier-1's customer.
ALTER TABLE footprint_drafts ADD COLUMN precursors TEXT;
CREATE TABLE footprint_shares (
    footprint_id  TEXT NOT NULL REFERENCES product_footprints (id),
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (footprint_id, org_id)
);
CREATE INDEX footprint_shares_org_idx ON footprint_shares (org_id, footprint_id);
