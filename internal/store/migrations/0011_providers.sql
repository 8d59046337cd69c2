-- Providers (utförare): the municipality's own units and external
-- companies (chosen by the citizen under LOV or contracted), with the
-- insatser and the units' areas they serve.
CREATE TABLE providers (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    org_number TEXT NOT NULL DEFAULT '',
    unit_id    TEXT NOT NULL DEFAULT '',
    insatser   TEXT NOT NULL DEFAULT '[]',
    areas      TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX providers_org_number ON providers (tenant_id, org_number, unit_id);
