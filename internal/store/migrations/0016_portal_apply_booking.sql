-- Applying online on Mina sidor, and booking meetings.
--
-- An application being written: one draft per person and case type,
-- resumable until it is sent (then deleted, its values becoming the new
-- case's signed form). form_values are the values as the citizen gave
-- them (JSON), mistakes included.
CREATE TABLE application_drafts (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    case_type   TEXT NOT NULL,
    form_values TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX application_drafts_person ON application_drafts (tenant_id, person_id, case_type);

-- Documents attached to an application (PDF, JPEG or PNG, the type found
-- from the content itself), kept in the database with the rest of the
-- case. An attachment belongs to a draft (draft_id) until the application
-- is sent, then to the case (case_id). The id is random, and the content
-- is served only through routes that check who may read it.
CREATE TABLE attachments (
    tenant_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    person_id    TEXT NOT NULL,
    draft_id     TEXT NOT NULL DEFAULT '',
    case_id      TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BYTEA NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX attachments_draft ON attachments (tenant_id, draft_id);
CREATE INDEX attachments_case ON attachments (tenant_id, case_id);

-- Free times an officer publishes for meetings: a start (unix
-- microseconds), a length, and where (a place, by phone, by video).
-- A withdrawn slot stays, marked.
CREATE TABLE meeting_slots (
    tenant_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    officer_id   TEXT NOT NULL,
    starts_at    BIGINT NOT NULL,
    minutes      INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    place        TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    withdrawn_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX meeting_slots_officer ON meeting_slots (tenant_id, officer_id, starts_at);

-- A citizen's booking of a slot for a case. A moved booking ends
-- (status moved, moved_to the new booking) and a new one starts; a
-- cancelled one ends. task_id is the officer's inbox task about it.
CREATE TABLE bookings (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    slot_id    TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    person_id  TEXT NOT NULL,
    booked_by  TEXT NOT NULL,
    status     TEXT NOT NULL,
    moved_to   TEXT NOT NULL DEFAULT '',
    task_id    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    ended_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
-- A slot is never double-booked: at most one booking of it is in force.
CREATE UNIQUE INDEX bookings_slot ON bookings (tenant_id, slot_id) WHERE status = 'booked';
CREATE INDEX bookings_person ON bookings (tenant_id, person_id, created_at);
