-- A provider's list of orders is read a page at a time, newest first,
-- by status: the index gives each status's orders in that order, so a
-- page reads its own rows and no more, however many orders the provider
-- has (ProviderOrdersAfter).
DROP INDEX orders_provider;
CREATE INDEX orders_provider ON orders (tenant_id, provider_id, status, created_at, id);
