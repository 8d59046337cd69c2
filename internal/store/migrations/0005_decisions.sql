-- Decisions (beslut): per insats, with outcome, legal basis, period,
-- justification and, when not fully granted, the appeal notice. A final
-- decision never changes.

CREATE TABLE decisions (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    case_id       TEXT NOT NULL,
    insats        TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    legal_basis   TEXT NOT NULL,
    valid_from    TEXT NOT NULL DEFAULT '',
    valid_to      TEXT NOT NULL DEFAULT '',
    amount        BIGINT NOT NULL DEFAULT 0,
    justification TEXT NOT NULL DEFAULT '',
    appeal_notice TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    drafted_by    TEXT NOT NULL,
    decided_by    TEXT NOT NULL DEFAULT '',
    decided_at    BIGINT NOT NULL DEFAULT 0,
    appeal_by     TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX decisions_case ON decisions (tenant_id, case_id, created_at);
