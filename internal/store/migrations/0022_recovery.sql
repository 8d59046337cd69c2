-- Recovery (återkrav, SoL 9 kap. 1-2 §§) of amounts paid wrongly: a
-- decision on a case that the person owes an amount (in öre), with its
-- reason and legal basis, and the repayments registered against it.
-- repaid is the sum of the repayments, kept beside the amount so that a
-- repayment is added by one guarded UPDATE and a debt never goes below
-- zero, whatever runs at the same time.
CREATE TABLE recovery_debts (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    repaid      BIGINT NOT NULL DEFAULT 0,
    reason      TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    decided_by  TEXT NOT NULL,
    decided_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK (amount > 0 AND repaid >= 0 AND repaid <= amount)
);
CREATE INDEX recovery_debts_case ON recovery_debts (tenant_id, case_id);

-- The payments (payment lines) a recovery decision concerns, if it names
-- any.
CREATE TABLE recovery_debt_payments (
    tenant_id       TEXT NOT NULL,
    debt_id         TEXT NOT NULL,
    payment_line_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, debt_id, payment_line_id)
);

-- A repayment: the day it was paid (YYYY-MM-DD), the amount in öre, who
-- registered it and when.
CREATE TABLE recovery_repayments (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    debt_id       TEXT NOT NULL,
    paid_on       TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK (amount > 0)
);
CREATE INDEX recovery_repayments_debt ON recovery_repayments (tenant_id, debt_id, paid_on);
