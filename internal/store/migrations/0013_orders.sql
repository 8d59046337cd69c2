-- Orders to providers (uppdrag): a granted decision sent to the provider
-- chosen for it, carrying the insats, its extent and period and the needs
-- and goals from the investigation (content, JSON). The provider accepts
-- it with a start date or returns it with a reason; a changed decision
-- updates it (revision) and closing the case ends it.
ALTER TABLE decisions ADD COLUMN provider_id TEXT NOT NULL DEFAULT '';

CREATE TABLE orders (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    case_id       TEXT NOT NULL,
    decision_id   TEXT NOT NULL,
    person_id     TEXT NOT NULL,
    provider_id   TEXT NOT NULL,
    unit_id       TEXT NOT NULL,
    insats        TEXT NOT NULL,
    amount        BIGINT NOT NULL DEFAULT 0,
    amount_unit   TEXT NOT NULL DEFAULT '',
    valid_from    TEXT NOT NULL DEFAULT '',
    valid_to      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    start_date    TEXT NOT NULL DEFAULT '',
    return_reason TEXT NOT NULL DEFAULT '',
    ended_on      TEXT NOT NULL DEFAULT '',
    end_reason    TEXT NOT NULL DEFAULT '',
    protected     INTEGER NOT NULL DEFAULT 0,
    content       TEXT NOT NULL,
    revision      INTEGER NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX orders_provider ON orders (tenant_id, provider_id, status);
CREATE INDEX orders_case ON orders (tenant_id, case_id);
CREATE INDEX orders_decision ON orders (tenant_id, decision_id);

-- The provider's implementation plan (genomförandeplan): every version
-- kept, the newest counts.
CREATE TABLE order_plans (
    tenant_id  TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    version    INTEGER NOT NULL,
    content    TEXT NOT NULL,
    written_by TEXT NOT NULL,
    written_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, order_id, version)
);

-- Performed insatser: what was done on a day, or why not (deviation).
-- Never changed; a correction is a new row naming the row it replaces.
CREATE TABLE performed (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    order_id    TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    start_time  TEXT NOT NULL DEFAULT '',
    end_time    TEXT NOT NULL DEFAULT '',
    minutes     INTEGER NOT NULL DEFAULT 0,
    activities  TEXT NOT NULL DEFAULT '[]',
    deviation   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    corrects    TEXT NOT NULL DEFAULT '',
    batch_key   TEXT NOT NULL DEFAULT '',
    reported_by TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX performed_order ON performed (tenant_id, order_id, on_date);
-- Covering the basis for payment: a provider's month is read from the
-- index alone.
CREATE INDEX performed_provider ON performed (tenant_id, provider_id, on_date, order_id, minutes, deviation, id);
CREATE UNIQUE INDEX performed_corrects ON performed (tenant_id, corrects) WHERE corrects <> '';

-- Batches of performed reports by their client-given key: a retried batch
-- returns the first answer and writes nothing again.
CREATE TABLE performed_batches (
    tenant_id   TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    batch_key   TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    result      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, provider_id, batch_key)
);

-- Report back at follow-up (återrapportering): each goal's status with
-- the qualifier now.
CREATE TABLE order_follow_ups (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    content    TEXT NOT NULL,
    written_by TEXT NOT NULL,
    written_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX order_follow_ups_order ON order_follow_ups (tenant_id, order_id, written_at);

-- The orders feed reads a provider's order events after a cursor.
CREATE INDEX events_subject ON events (tenant_id, subject_type, subject_id, seq);
