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
SELECT r.id, CAST(e.key AS INTEGER), json_extract(e.value, '$[0]'),
       json_extract(e.value, '$[1]'), json_extract(e.value, '$[2]'),
       json_extract(e.value, '$[3]'),
       CASE WHEN json_array_length(e.value, '$[4]') > 0 THEN json_extract(e.value, '$[4]') END
FROM requests r, json_each(r.items) e;
ALTER TABLE requests DROP COLUMN items;
