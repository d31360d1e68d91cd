-- The drafts the flag stood for are written out again before it goes
-- (where rows were left beside the flag, the flag wins: they go first).
DELETE FROM answer_drafts
WHERE request_id IN (SELECT id FROM requests WHERE draft_is_latest_revision);
INSERT INTO answer_drafts (request_id, metric_code, value_text, unit, canonical_value, canonical_unit,
    method, obtained, period_start, period_end, comment, evidence, source, updated_by, updated_at)
SELECT e.request_id, e.metric_code, e.value_text, e.unit, e.canonical_value, e.canonical_unit,
    e.method, e.obtained, e.period_start, e.period_end, e.comment, e.evidence, e.source,
    v.submitted_by, v.submitted_at
FROM requests r
JOIN answer_revisions v ON v.request_id = r.id
    AND v.revision = (SELECT MAX(m.revision) FROM answer_revisions m WHERE m.request_id = r.id)
JOIN answer_revision_entries e ON e.request_id = v.request_id AND e.revision = v.revision
WHERE r.draft_is_latest_revision;
ALTER TABLE requests DROP COLUMN draft_is_latest_revision;
