-- Secrecy towards the person covers a record's whole chain: a mark on a
-- journal note also withholds its corrections (and theirs), a mark on a
-- signed form every later signing of the same form on the case. An
-- officer may decide that one later version can be given after all: a
-- release names that version and the mark it no longer withholds it by,
-- with the reason. It releases nothing else (not the marked record, not
-- an earlier or later version), and a mark set after it is not covered.
CREATE TABLE secrecy_releases (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    mark_id     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    released_by TEXT NOT NULL,
    released_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, mark_id) REFERENCES secrecy_marks (tenant_id, id)
);
CREATE INDEX secrecy_releases_case ON secrecy_releases (tenant_id, case_id, released_at);
-- A version is released from one mark once.
CREATE UNIQUE INDEX secrecy_releases_record ON secrecy_releases (tenant_id, record_kind, record_id, mark_id);
