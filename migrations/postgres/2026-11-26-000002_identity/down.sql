DROP TABLE refresh_tokens;
DROP TABLE api_clients;
DROP TABLE users;
