-- After a submission a request's draft is its latest revision: the flag
-- says so, and answer_drafts holds no rows for it until the supplier
-- changes the draft again (the revision's entries are then copied in).
-- A submission writes its entries once instead of twice.
ALTER TABLE requests ADD COLUMN draft_is_latest_revision BOOLEAN NOT NULL DEFAULT FALSE;
