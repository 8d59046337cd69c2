-- Retention runs (gallring): a preview of what a run will purge or
-- deliver to the archive, its approval, its run, and per case what was
-- done. Kept forever: together they are the gallringsprotokoll (ids and
-- counts, never content).
CREATE TABLE retention_previews (
    tenant_id          TEXT NOT NULL,
    id                 TEXT NOT NULL,
    as_of              TEXT NOT NULL,
    definition_version BIGINT NOT NULL,
    fingerprint        TEXT NOT NULL,
    persons            BIGINT NOT NULL,
    purge_count        BIGINT NOT NULL,
    archive_count      BIGINT NOT NULL,
    keep_count         BIGINT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    -- previewed, approved, running, done
    status             TEXT NOT NULL,
    approved_by        TEXT NOT NULL DEFAULT '',
    approved_at        BIGINT NOT NULL DEFAULT 0,
    run_by             TEXT NOT NULL DEFAULT '',
    started_at         BIGINT NOT NULL DEFAULT 0,
    finished_at        BIGINT NOT NULL DEFAULT 0,
    access_log_removed BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);

-- One row per case a preview covers; done_at is set in the transaction
-- that purges (or delivers) the case: the run's checkpoint.
CREATE TABLE retention_items (
    tenant_id   TEXT NOT NULL,
    preview_id  TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    rule        TEXT NOT NULL,
    duty_from   TEXT NOT NULL DEFAULT '',
    deadline    TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL,
    done_at     BIGINT NOT NULL DEFAULT 0,
    counts      TEXT NOT NULL DEFAULT '',
    package_id  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, preview_id, case_id)
);

-- Archive packages a run delivered (the research sample), kept until the
-- archive has them.
CREATE TABLE retention_packages (
    tenant_id  TEXT NOT NULL,
    preview_id TEXT NOT NULL,
    package_id TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    content    BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, preview_id, package_id)
);

-- Where removed access-log rows ended: the last removed row's seq and
-- hash, signed (HMAC-SHA-256 with the retention key), so the chain still
-- verifies from there.
CREATE TABLE access_log_checkpoints (
    tenant_id TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    hash      TEXT NOT NULL,
    removed   BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    mac       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
