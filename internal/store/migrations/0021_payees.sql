-- Payees: who a payment goes to (a person in the register, or an
-- organisation: a landlord, an energy company, a provider, another), with
-- the one account payments are sent to. An account is personal data: it
-- is read only through the service, never logged.
CREATE TABLE payees (
    tenant_id          TEXT NOT NULL,
    id                 TEXT NOT NULL,
    category           TEXT NOT NULL,
    name               TEXT NOT NULL,
    name_search        TEXT NOT NULL,
    person_id          TEXT NOT NULL DEFAULT '',
    org_number         TEXT NOT NULL DEFAULT '',
    account_kind       TEXT NOT NULL,
    account            TEXT NOT NULL,
    account_changed_at BIGINT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- A person has at most one payee.
CREATE UNIQUE INDEX payees_person ON payees (tenant_id, person_id) WHERE person_id <> '';
CREATE INDEX payees_name ON payees (tenant_id, name_search);
-- Every account a payee is given, the first included: who gave it and
-- when, and who reviewed it (someone else) and when; an unreviewed change
-- has reviewed_by ''.
CREATE TABLE payee_account_changes (
    tenant_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    payee_id     TEXT NOT NULL,
    old_kind     TEXT NOT NULL,
    old_account  TEXT NOT NULL,
    new_kind     TEXT NOT NULL,
    new_account  TEXT NOT NULL,
    changed_by   TEXT NOT NULL,
    changed_at   BIGINT NOT NULL,
    reviewed_by  TEXT NOT NULL DEFAULT '',
    reviewed_at  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, payee_id) REFERENCES payees (tenant_id, id)
);
CREATE INDEX payee_account_changes_payee ON payee_account_changes (tenant_id, payee_id, changed_at);
CREATE INDEX payee_account_changes_unreviewed ON payee_account_changes (tenant_id, changed_at) WHERE reviewed_by = '';
