-- Citizens' accounts and their records (issue 7, "My records").
--
-- A citizen who signs in with e-identification gets one account, linked
-- to their person; it is found again by the person on later sign-ins.
CREATE UNIQUE INDEX users_person ON users (tenant_id, person_id) WHERE person_id <> '';

-- Secrecy towards the person themselves (sekretess mot den enskilde): an
-- officer marks a signed journal note or a signed form entry, giving the
-- legal ground; the person's extract of their records (registerutdrag)
-- then lists it as withheld, without its content. A mark is lifted, never
-- deleted: lifted_at and lifted_by are set.
CREATE TABLE secrecy_marks (
    tenant_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    record_kind  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    legal_ground TEXT NOT NULL,
    marked_by    TEXT NOT NULL,
    marked_at    BIGINT NOT NULL,
    lifted_by    TEXT NOT NULL DEFAULT '',
    lifted_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX secrecy_marks_case ON secrecy_marks (tenant_id, case_id, marked_at);
-- At most one mark in force per record.
CREATE UNIQUE INDEX secrecy_marks_record ON secrecy_marks (tenant_id, record_kind, record_id) WHERE lifted_at = 0;
