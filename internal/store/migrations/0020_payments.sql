-- Payment lines: one row per payment a final decision makes, amounts in
-- öre. A stop or reversal is a new line with the negative amount and
-- reverses = the stopped line's id, never an edit of an amount. Status:
-- proposed -> attested -> sent (in a run) -> paid | rejected; a line
-- stopped before a run is 'stopped' and never sent.
CREATE TABLE payment_lines (
    tenant_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    decision_id  TEXT NOT NULL,
    person_id    TEXT NOT NULL,
    unit_id      TEXT NOT NULL,
    case_type    TEXT NOT NULL,
    item         TEXT NOT NULL,
    item_name    TEXT NOT NULL,
    -- once or monthly: a monthly item's next months are proposed from
    -- its first line.
    schedule     TEXT NOT NULL,
    -- The month paid for (YYYY-MM) of a monthly item, the day (YYYY-MM-DD)
    -- of a one-off.
    period       TEXT NOT NULL,
    payee_category TEXT NOT NULL,
    -- The payee (payees.id); '' until one is chosen or registered, and
    -- such a line cannot be attested.
    payee_id     TEXT NOT NULL DEFAULT '',
    amount       BIGINT NOT NULL,
    due_date     TEXT NOT NULL,
    account      TEXT NOT NULL DEFAULT '',
    cost_centre  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    reverses     TEXT NOT NULL DEFAULT '',
    prepared_by  TEXT NOT NULL,
    prepared_at  BIGINT NOT NULL,
    decided_by   TEXT NOT NULL DEFAULT '',
    attested_by  TEXT NOT NULL DEFAULT '',
    attested_at  BIGINT NOT NULL DEFAULT 0,
    run_id       TEXT NOT NULL DEFAULT '',
    bank_status  TEXT NOT NULL DEFAULT '',
    bank_reason  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, decision_id) REFERENCES decisions (tenant_id, id)
);
-- Nothing is paid twice: one line per decision, item and period, and one
-- stop of it.
CREATE UNIQUE INDEX payment_lines_once ON payment_lines (tenant_id, decision_id, item, period, reverses);
CREATE INDEX payment_lines_status ON payment_lines (tenant_id, status, unit_id);
CREATE INDEX payment_lines_run ON payment_lines (tenant_id, run_id);
CREATE INDEX payment_lines_case ON payment_lines (tenant_id, case_id);

-- Payment runs: the attested lines gathered into one bank file (pain.001),
-- kept as sent, and the status reports (pain.002) read for it.
CREATE TABLE payment_runs (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    execution_date TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    lines          BIGINT NOT NULL,
    total          BIGINT NOT NULL,
    file           BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX payment_runs_message ON payment_runs (tenant_id, message_id);
CREATE TABLE payment_status_reports (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    run_id      TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    read_by     TEXT NOT NULL,
    read_at     BIGINT NOT NULL,
    accepted    BIGINT NOT NULL,
    rejected    BIGINT NOT NULL,
    file        BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES payment_runs (tenant_id, id)
);
CREATE UNIQUE INDEX payment_status_reports_message ON payment_status_reports (tenant_id, run_id, message_id);
