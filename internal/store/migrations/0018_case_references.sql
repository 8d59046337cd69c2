-- A case's reference ("EB-2026-00417"): what officers, citizens and
-- letters call a case instead of its id. Numbers are counted per tenant,
-- prefix and year; cases opened before references existed are given one
-- when the server starts (service.EnsureCaseReferences).
ALTER TABLE cases ADD COLUMN reference TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX cases_reference ON cases (tenant_id, reference) WHERE reference <> '';
CREATE TABLE case_reference_counters (
    tenant_id TEXT NOT NULL,
    prefix    TEXT NOT NULL,
    year      INTEGER NOT NULL,
    last      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, prefix, year)
);
