-- Why a case due under a purge rule is kept instead ("open_debt": a
-- recovery debt on it is not repaid); "" otherwise.
ALTER TABLE retention_items ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- The archivists' warning before the purge duty's deadline (31 December
-- of the year after the duty arose): one row per deadline, made once by
-- the daily check when the rules' warning months begin, closed by the
-- check when nothing due by that deadline is left. Not a case task: it
-- concerns many cases and no one officer.
CREATE TABLE retention_tasks (
    tenant_id  TEXT NOT NULL,
    deadline   TEXT NOT NULL,
    cases      BIGINT NOT NULL,
    title      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    done_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, deadline)
);
