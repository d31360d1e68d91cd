DROP TABLE evidence_files;
DROP TABLE answer_attachments;
DROP TABLE answer_revision_entries;
DROP TABLE answer_revisions;
DROP TABLE answer_drafts;
