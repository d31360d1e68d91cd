-- Logins for the real-traffic scenario's suppliers. The seed gives only
-- the first 16 tier-1s a user; this gives each tier-1 up to the one named
-- in the WHERE clause (put there by bench/lib/traffic.sh) a user as the
-- seed would: its id, bench-supplier-NNNNN@tierlink.example, admin, and
-- the seed's password hash, copied. Both engines. Tier-1s are "Bench
-- Supplier 00001" up to their number; tier-2s come after.
INSERT INTO users (id, org_id, email, email_normalised, display_name, role, password_hash, disabled_at, created_at, updated_at)
SELECT '01900002' || substr(o.id, 9), o.id,
       'bench-supplier-' || substr(o.name, 16) || '@tierlink.example',
       'bench-supplier-' || substr(o.name, 16) || '@tierlink.example',
       'Bench user', 'admin',
       (SELECT password_hash FROM users WHERE email_normalised = 'bench-supplier-00001@tierlink.example'),
       NULL, o.created_at, o.updated_at
FROM organisations o
WHERE o.name LIKE 'Bench Supplier %' AND o.name <= ':last'
  AND NOT EXISTS (SELECT 1 FROM users u WHERE u.org_id = o.id);
