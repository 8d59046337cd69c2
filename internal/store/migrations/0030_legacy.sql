-- Moving in from a legacy system (docs/migration.md): the legacy ids of
-- what an import brought in, the runs (dry runs, imports, persons-only
-- imports for the coexistence marker, reconciliations) with their
-- reports, and the marker that a person has records in a district still
-- in the old system. Ids, codes and counts: never a record's content.

-- The external ids: each legacy record an import brought in (created,
-- mapped onto something trygg had, or merged into another record) and
-- what it became in trygg. A re-run finds its records here and skips
-- them, so nothing is ever brought in twice. source names the export
-- (its system and district).
CREATE TABLE legacy_ids (
    tenant_id TEXT NOT NULL,
    source    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    legacy_id TEXT NOT NULL,
    trygg_id  TEXT NOT NULL,
    -- created, mapped or merged
    outcome   TEXT NOT NULL,
    run_id    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, source, kind, legacy_id)
);
CREATE INDEX legacy_ids_trygg ON legacy_ids (tenant_id, kind, trygg_id);

-- A run over one export: a dry run, an import, an import of persons only
-- (mark) or a reconciliation. checkpoint_kind and checkpoint_done are how
-- far it has read (the records of that kind done), moved in the
-- transaction that wrote them; counts are per kind and outcome (JSON),
-- summary what a reconciliation found (JSON).
CREATE TABLE legacy_runs (
    tenant_id          TEXT NOT NULL,
    id                 TEXT NOT NULL,
    source             TEXT NOT NULL,
    system             TEXT NOT NULL,
    district           TEXT NOT NULL,
    mode               TEXT NOT NULL,
    mapping_id         TEXT NOT NULL DEFAULT '',
    definition_version BIGINT NOT NULL DEFAULT 0,
    -- running, stopped, failed, done
    status             TEXT NOT NULL,
    checkpoint_kind    TEXT NOT NULL DEFAULT '',
    checkpoint_done    BIGINT NOT NULL DEFAULT 0,
    counts             TEXT NOT NULL DEFAULT '{}',
    summary            TEXT NOT NULL DEFAULT '{}',
    items              BIGINT NOT NULL DEFAULT 0,
    error              TEXT NOT NULL DEFAULT '',
    started_by         TEXT NOT NULL,
    started_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    finished_at        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX legacy_runs_source ON legacy_runs (tenant_id, source, started_at);

-- A run's report: one row per record that was not simply created (mapped
-- by a rule, merged, refused) or, in a reconciliation, per difference,
-- in the order the run met them. reason is a key (unknown_unit,
-- invalid_identity, …), detail ids or codes, never content.
CREATE TABLE legacy_run_items (
    tenant_id TEXT NOT NULL,
    run_id    TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    file      TEXT NOT NULL,
    line      BIGINT NOT NULL,
    legacy_id TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT '',
    trygg_id  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, run_id, seq)
);
CREATE INDEX legacy_run_items_outcome ON legacy_run_items (tenant_id, run_id, outcome, seq);
CREATE INDEX legacy_run_items_record ON legacy_run_items (tenant_id, kind, legacy_id);

-- Coexistence: the person has records in a district still in the old
-- system (an import of persons only wrote it); the import of the
-- district itself removes it.
CREATE TABLE legacy_markers (
    tenant_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    source    TEXT NOT NULL,
    system    TEXT NOT NULL,
    district  TEXT NOT NULL,
    marked_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, person_id, source)
);
CREATE INDEX legacy_markers_source ON legacy_markers (tenant_id, source);
