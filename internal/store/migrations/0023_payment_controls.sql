-- Paying again a payment the bank rejected: the new line names the
-- rejected line it replaces, and the index that keeps anything from being
-- paid twice includes it. A line is replaced only when the bank rejected
-- it (the service checks this under the line's lock), and once: a second
-- replacement of the same line breaks the index. So for a decision, item
-- and period there is at most one line not rejected by the bank.
ALTER TABLE payment_lines ADD COLUMN replaces TEXT NOT NULL DEFAULT '';
DROP INDEX payment_lines_once;
CREATE UNIQUE INDEX payment_lines_once ON payment_lines (tenant_id, decision_id, item, period, reverses, replaces);
-- A person's payments by period, for the control of payments to one
-- person from two units.
CREATE INDEX payment_lines_person ON payment_lines (tenant_id, person_id, period);
-- Payees by account, for the control of one account on several persons.
CREATE INDEX payees_account ON payees (tenant_id, account_kind, account);
-- A person's payee by person: the partial unique index payees_person
-- serves only queries that say person_id <> '' (SQLite), so a lookup by
-- person alone scanned every payee.
CREATE INDEX payees_by_person ON payees (tenant_id, person_id);

-- Controls of a payment run: what each found, once per kind and subject
-- (the payee, the account change, the decision and period, the person and
-- month), with the task it made for the team leads of the line's unit.
CREATE TABLE payment_control_findings (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    run_id      TEXT NOT NULL,
    line_id     TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    unit_id     TEXT NOT NULL,
    task_id     TEXT NOT NULL,
    -- What was compared, without names or account numbers: the amounts
    -- (decided and paid, öre), the days since an account change, how many
    -- persons or units.
    decided     BIGINT NOT NULL DEFAULT 0,
    paid        BIGINT NOT NULL DEFAULT 0,
    how_many    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX payment_control_findings_once ON payment_control_findings (tenant_id, kind, subject);
CREATE INDEX payment_control_findings_run ON payment_control_findings (tenant_id, run_id);
