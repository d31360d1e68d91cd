DROP INDEX requests_awaiting_by_due;
DROP TABLE reminders_sent;
DROP INDEX events_by_actor_org;
ALTER TABLE events DROP COLUMN request_id;
ALTER TABLE events DROP COLUMN actor_org_id;
