-- Provider accounts: a user may work for a provider (utförare), as one of
-- its staff or as an API client of the provider's own system. An API
-- client signs in only with OAuth2 client credentials: its secret is kept
-- as a SHA-256 hash (it is random, not a password) and it has no password.
ALTER TABLE users ADD COLUMN provider_id TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN api_client SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN secret_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX users_provider ON users (tenant_id, provider_id);
