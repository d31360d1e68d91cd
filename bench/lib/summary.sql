-- Scenario c's ceiling: the requirement summary as direct SQL. Request
-- counts by tier and status, then per-metric counts and sums over each
-- tier-1's latest revision (accepted or awaiting review) and over the
-- tier-2 answers attached with consent. :requirement is replaced by run.sh;
-- NUMERIC is PostgreSQL's exact decimal (SQLite sums REAL: approximate).
SELECT depth, status, COUNT(*) FROM requests WHERE requirement_id = ':requirement' GROUP BY depth, status;
SELECT e.metric_code, r.status, COUNT(*), SUM(CAST(e.canonical_value AS :numeric))
FROM requests q
JOIN answer_revisions r ON r.request_id = q.id
JOIN answer_revision_entries e ON e.request_id = r.request_id AND e.revision = r.revision
WHERE q.requirement_id = ':requirement' AND q.depth = 1
  AND r.status IN ('accepted', 'submitted')
  AND NOT EXISTS (SELECT 1 FROM answer_revisions n WHERE n.request_id = r.request_id AND n.revision > r.revision)
GROUP BY e.metric_code, r.status
UNION ALL
SELECT e.metric_code, 'attached', COUNT(*), SUM(CAST(e.canonical_value AS :numeric))
FROM requests q
JOIN answer_attachments a ON a.request_id = q.id
JOIN answer_revisions r ON r.request_id = a.child_request_id
JOIN answer_revision_entries e ON e.request_id = r.request_id AND e.revision = r.revision
WHERE q.requirement_id = ':requirement' AND q.depth = 1
  AND r.status = 'accepted' AND r.share_upstream
  AND NOT EXISTS (SELECT 1 FROM answer_revisions n WHERE n.request_id = r.request_id AND n.revision > r.revision)
GROUP BY e.metric_code;
