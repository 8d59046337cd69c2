-- One access-log row per request: a row names the first record read in
-- its own columns, and every further one (a person's cases, an inbox's
-- persons, a search's hits) here, written in the same transaction. The
-- row's hash covers them (audit.ComputeHash).
CREATE TABLE access_log_subjects (
    tenant_id TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    n         INTEGER NOT NULL,
    action    TEXT NOT NULL,
    person_id TEXT NOT NULL DEFAULT '',
    case_id   TEXT NOT NULL DEFAULT '',
    ground    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq, n)
);
-- Who read this person: the review's person filter and the person's own
-- register extract.
CREATE INDEX access_log_subjects_person ON access_log_subjects (tenant_id, person_id, seq);

-- The entries the review reads: each row's first record (n = 0) and its
-- further ones, with the row's time, actor, reason and hashes.
CREATE VIEW access_log_entries AS
SELECT tenant_id, seq, 0 AS n, at, actor_id, action, person_id, case_id, ground, reason, prev_hash, hash FROM access_log
UNION ALL
SELECT s.tenant_id, s.seq, s.n, l.at, l.actor_id, s.action, s.person_id, s.case_id, s.ground, l.reason, l.prev_hash, l.hash
FROM access_log_subjects s JOIN access_log l ON l.tenant_id = s.tenant_id AND l.seq = s.seq;
