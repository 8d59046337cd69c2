-- The legacy ids by what they became, for the person page's "imported
-- from": by trygg id first. With the kind second, an import's lookup of
-- a batch's legacy ids (by source, kind and legacy id) could be planned
-- over this index instead of the key while the kind's rows were new to
-- PostgreSQL's statistics, reading every row of the kind for each batch.
DROP INDEX legacy_ids_trygg;
CREATE INDEX legacy_ids_trygg ON legacy_ids (tenant_id, trygg_id, kind);
