CREATE TABLE request_items (
    request_id          TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    metric_code         TEXT NOT NULL,
    required            BOOLEAN NOT NULL,
    guidance            TEXT,
    estimates_accepted  BOOLEAN NOT NULL,
    part_numbers        TEXT,
    PRIMARY KEY (request_id, position)
);
INSERT INTO request_items
SELECT r.id, (e.ord - 1)::integer, e.item->>0, (e.item->>1)::boolean, e.item->>2,
       (e.item->>3)::boolean,
       CASE WHEN json_array_length(e.item->4) > 0 THEN (e.item->4)::text END
FROM requests r, json_array_elements(r.items::json) WITH ORDINALITY AS e(item, ord);
ALTER TABLE requests DROP COLUMN items;
