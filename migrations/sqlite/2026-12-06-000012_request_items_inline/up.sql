-- A request's items are a list that is always read and written whole and
-- never queried item by item: they move from a child table into the
-- request's own row, as JSON text. A request is then read with one index
-- lookup, and a page of them without aggregating hundreds of child rows.
-- Each item is [metric code, required, guidance or null, estimates
-- accepted, [part numbers]], in the request's order.
ALTER TABLE requests ADD COLUMN items TEXT NOT NULL DEFAULT '[]';
UPDATE requests SET items = (
    SELECT json_group_array(json_array(
               i.metric_code,
               json(CASE WHEN i.required THEN 'true' ELSE 'false' END),
               i.guidance,
               json(CASE WHEN i.estimates_accepted THEN 'true' ELSE 'false' END),
               json(COALESCE(i.part_numbers, '[]'))) ORDER BY i.position)
    FROM request_items i
    WHERE i.request_id = requests.id)
WHERE id IN (SELECT request_id FROM request_items);
DROP TABLE request_items;
