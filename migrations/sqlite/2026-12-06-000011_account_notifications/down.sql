-- PostgreSQL only (account-change notifications for replicas): SQLite's
-- change watch sees every commit. Kept so both engines number alike.
SELECT 1;
