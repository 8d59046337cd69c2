-- The process engine: published definition versions (immutable), each
-- case pinned to the version it runs on and its current step, and the forms
-- filled on cases (drafts, then signed entries that are never changed).

CREATE TABLE definition_versions (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    version      BIGINT NOT NULL,
    checksum     TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, version)
);

CREATE TABLE definition_files (
    tenant_id TEXT NOT NULL,
    version   BIGINT NOT NULL,
    name      TEXT NOT NULL,
    content   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, version, name),
    FOREIGN KEY (tenant_id, version) REFERENCES definition_versions (tenant_id, version)
);

ALTER TABLE cases ADD COLUMN definition_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN step TEXT NOT NULL DEFAULT '';

CREATE TABLE form_entries (
    tenant_id          TEXT NOT NULL,
    id                 TEXT NOT NULL,
    case_id            TEXT NOT NULL,
    form_id            TEXT NOT NULL,
    definition_version BIGINT NOT NULL,
    status             TEXT NOT NULL,
    form_values        TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at         BIGINT NOT NULL,
    signed_by          TEXT NOT NULL DEFAULT '',
    signed_at          BIGINT NOT NULL DEFAULT 0,
    supersedes         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX form_entries_case ON form_entries (tenant_id, case_id, form_id, updated_at);
