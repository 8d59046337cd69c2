-- Letters to citizens (docs/integrations.md, "Digital post"): one row per
-- letter and recipient, written by the letters sender after the letter
-- went to the recipient's digital mailbox or into the print queue. The
-- id is the letter's own, the same on every try (the mailbox drops a
-- repeat), so a row is written once.
CREATE TABLE letters_out (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    decision_id TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    -- recipient_id is the person the letter is addressed to: the case's
    -- person, or a guardian of a child.
    recipient_id TEXT NOT NULL,
    -- channel is 'digital' or 'print'; status 'delivered' (digital),
    -- 'queued' or 'printed' (print).
    channel     TEXT NOT NULL,
    status      TEXT NOT NULL,
    operator    TEXT NOT NULL DEFAULT '',
    delivery_id TEXT NOT NULL DEFAULT '',
    -- forwarding: the letter goes through the Tax Agency's forwarding of
    -- post to a person with protected registration, without an address.
    forwarding  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    printed_at  BIGINT NOT NULL DEFAULT 0,
    printed_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX letters_out_case ON letters_out (tenant_id, case_id);
CREATE INDEX letters_out_status ON letters_out (tenant_id, status, created_at);
