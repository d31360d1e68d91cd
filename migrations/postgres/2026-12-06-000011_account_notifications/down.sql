DROP TRIGGER api_clients_standing_changed ON api_clients;
DROP TRIGGER users_standing_changed ON users;
DROP FUNCTION tierlink_accounts_changed();
