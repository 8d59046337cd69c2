-- Cases delivered to the archive (FGS / E-ARK archive packages), with or
-- without being purged: which delivery and package holds each, and when.
-- A case delivered again (a later delivery) gets another row. No foreign
-- key to cases: the mark outlives a case a retention run purges.
CREATE TABLE case_archivings (
    tenant_id   TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    package_id  TEXT NOT NULL,
    archived_by TEXT NOT NULL,
    archived_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, case_id, delivery_id)
);
