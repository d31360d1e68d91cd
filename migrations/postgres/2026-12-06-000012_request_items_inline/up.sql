-- A request's items are a list that is always read and written whole and
-- never queried item by item: they move from a child table into the
-- request's own row, as JSON text. A request is then read with one index
-- lookup, and a page of them without aggregating hundreds of child rows.
-- Each item is [metric code, required, guidance or null, estimates
-- accepted, [part numbers]], in the request's order.
ALTER TABLE requests ADD COLUMN items TEXT NOT NULL DEFAULT '[]';
UPDATE requests r SET items = i.items
FROM (
    SELECT request_id,
           json_agg(json_build_array(metric_code, required, guidance, estimates_accepted,
                                     COALESCE(part_numbers::json, '[]'::json))
                    ORDER BY position)::text AS items
    FROM request_items
    GROUP BY request_id
) i
WHERE i.request_id = r.id;
DROP TABLE request_items;
