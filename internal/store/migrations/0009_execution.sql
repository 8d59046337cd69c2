-- A decision's calculation (line by line, from the form that drafted it),
-- and its execution (verkställighet): when it was executed, interrupted or
-- resumed, and notes on why it is delayed, what was offered and what
-- interim help was given. Entries are never changed; a correction is a
-- new entry. The report of decisions not executed is computed from them.
ALTER TABLE decisions ADD COLUMN calculation TEXT NOT NULL DEFAULT '';

CREATE TABLE decision_execution (
    tenant_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    decision_id  TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    on_date      TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    offers       TEXT NOT NULL DEFAULT '',
    interim_help TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, decision_id) REFERENCES decisions (tenant_id, id)
);
CREATE INDEX decision_execution_decision ON decision_execution (tenant_id, decision_id, on_date);
CREATE INDEX decisions_final ON decisions (tenant_id, status, decided_at);
