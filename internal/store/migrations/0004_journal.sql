-- Journal notes on cases: a draft its author edits, then signed and never
-- changed; a correction is a new note pointing at the one it corrects.

CREATE TABLE journal_notes (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    status     TEXT NOT NULL,
    body       TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    signed_at  BIGINT NOT NULL DEFAULT 0,
    corrects   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX journal_notes_case ON journal_notes (tenant_id, case_id, created_at);
