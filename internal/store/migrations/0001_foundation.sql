-- Foundation: tenants, units, persons, users, cases, the event log and the
-- access log. Portable SQL for SQLite and PostgreSQL: times are BIGINT unix
-- microseconds (UTC), booleans SMALLINT 0/1, JSON as TEXT.
-- Every tenant-owned table has tenant_id leading its primary key.

CREATE TABLE tenants (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    event_seq         BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL
);

-- units form a tree: förvaltning (administration) → avdelning (department) → enhet (unit).
-- path is the materialised path of ids ("/a/b/c/") used for scope checks.
CREATE TABLE units (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    id         TEXT NOT NULL,
    parent_id  TEXT,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    field      TEXT NOT NULL,
    path       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES units (tenant_id, id)
);
CREATE INDEX units_path ON units (tenant_id, path);

CREATE TABLE persons (
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    id                TEXT NOT NULL,
    id_type           TEXT NOT NULL,
    id_value          TEXT NOT NULL,
    id_issuer         TEXT NOT NULL DEFAULT '',
    given_name        TEXT NOT NULL,
    family_name       TEXT NOT NULL,
    name_search       TEXT NOT NULL,
    birth_date        TEXT NOT NULL DEFAULT '',
    sex               TEXT NOT NULL DEFAULT '',
    street            TEXT NOT NULL DEFAULT '',
    postal_code       TEXT NOT NULL DEFAULT '',
    city              TEXT NOT NULL DEFAULT '',
    protection        SMALLINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, id_type, id_issuer, id_value)
);
CREATE INDEX persons_name ON persons (tenant_id, name_search);

-- from_person acts for to_person: guardian (vårdnadshavare), representative
-- (ombud), god man, förvaltare.
CREATE TABLE person_relations (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    from_person_id TEXT NOT NULL,
    to_person_id   TEXT NOT NULL,
    kind           TEXT NOT NULL,
    valid_from     TEXT NOT NULL DEFAULT '',
    valid_to       TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, from_person_id) REFERENCES persons (tenant_id, id),
    FOREIGN KEY (tenant_id, to_person_id) REFERENCES persons (tenant_id, id)
);
CREATE INDEX person_relations_from ON person_relations (tenant_id, from_person_id);
CREATE INDEX person_relations_to ON person_relations (tenant_id, to_person_id);

CREATE TABLE users (
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    id                 TEXT NOT NULL,
    username           TEXT NOT NULL,
    display_name       TEXT NOT NULL,
    password_hash      TEXT NOT NULL DEFAULT '',
    oidc_issuer        TEXT NOT NULL DEFAULT '',
    oidc_subject       TEXT NOT NULL DEFAULT '',
    person_id          TEXT NOT NULL DEFAULT '',
    protected_identity SMALLINT NOT NULL DEFAULT 0,
    disabled           SMALLINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, username)
);
CREATE INDEX users_oidc ON users (tenant_id, oidc_issuer, oidc_subject);

CREATE TABLE role_grants (
    tenant_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    role      TEXT NOT NULL,
    unit_id   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, role, unit_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);

-- Sessions are looked up by the hash of the token; the token names its tenant.
CREATE TABLE sessions (
    tenant_id  TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

-- The case envelope: whose case, which unit, who is assigned. The process
-- engine adds its state in later migrations.
CREATE TABLE cases (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    unit_id     TEXT NOT NULL,
    case_type   TEXT NOT NULL,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL,
    assigned_to TEXT NOT NULL DEFAULT '',
    opened_at   BIGINT NOT NULL,
    closed_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES persons (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);
CREATE INDEX cases_person ON cases (tenant_id, person_id);
CREATE INDEX cases_unit ON cases (tenant_id, unit_id);
CREATE INDEX cases_assigned ON cases (tenant_id, assigned_to);

-- The event log: one row per change, written in the change's transaction.
-- seq is gap-free per tenant (allocated from tenants.event_seq).
CREATE TABLE events (
    tenant_id    TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    actor_id     TEXT NOT NULL,
    type         TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    person_id    TEXT NOT NULL DEFAULT '',
    case_id      TEXT NOT NULL DEFAULT '',
    payload      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

-- The access log: one row per read of personal data, hash-chained per tenant.
CREATE TABLE access_log (
    tenant_id TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    actor_id  TEXT NOT NULL,
    action    TEXT NOT NULL,
    person_id TEXT NOT NULL DEFAULT '',
    case_id   TEXT NOT NULL DEFAULT '',
    ground    TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX access_log_actor ON access_log (tenant_id, actor_id, at);
CREATE INDEX access_log_person ON access_log (tenant_id, person_id, at);
CREATE INDEX access_log_ground ON access_log (tenant_id, ground, at);

-- The head of each tenant's chain, locked while a batch is appended.
CREATE TABLE access_log_heads (
    tenant_id TEXT PRIMARY KEY,
    seq       BIGINT NOT NULL,
    hash      TEXT NOT NULL
);

-- Emergency openings (nödöppning): a reasoned, time-limited override,
-- queued for log review.
CREATE TABLE emergency_openings (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    opened_at   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    reviewed_at BIGINT NOT NULL DEFAULT 0,
    reviewed_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES persons (tenant_id, id)
);
CREATE INDEX emergency_openings_user ON emergency_openings (tenant_id, user_id, person_id, expires_at);
