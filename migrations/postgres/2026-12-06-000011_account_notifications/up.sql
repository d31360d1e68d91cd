-- Every replica keeps accounts' states between requests and LISTENs on
-- `tierlink_accounts` to retire them (persistence/src/account_watch.rs):
-- notify, at commit, whenever anyone's standing may have changed.
CREATE FUNCTION tierlink_accounts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tierlink_accounts', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER users_standing_changed
    AFTER INSERT OR UPDATE OF id, org_id, role, disabled_at OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION tierlink_accounts_changed();

CREATE TRIGGER api_clients_standing_changed
    AFTER INSERT OR UPDATE OF id, org_id, scopes, revoked_at OR DELETE OR TRUNCATE ON api_clients
    FOR EACH STATEMENT EXECUTE FUNCTION tierlink_accounts_changed();
