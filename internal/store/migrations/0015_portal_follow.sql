-- Following a case on Mina sidor: the secure conversation per case
-- between the citizen (or whoever acts for the person) and the case's
-- officers, who read what, the citizen's comments on the goals of an
-- order's implementation plan, and the outbound notifier's contacts and
-- cursor. Messages and comments are never changed; new ones are added.

-- A message of a case's conversation. seq numbers the case's messages
-- from 1; side is citizen or staff; relation says how a citizen writer
-- acts for the person (self, guardian, representative).
CREATE TABLE case_messages (
    tenant_id  TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    id         TEXT NOT NULL,
    side       TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    relation   TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    written_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, case_id, seq),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);

-- How far each user has read a case's conversation (the seq of the last
-- message they saw), for the unread counts.
CREATE TABLE case_message_reads (
    tenant_id TEXT NOT NULL,
    case_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    read_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, case_id, user_id)
);

-- A citizen's comment on a goal of an order (goal is the index into the
-- order's goals), shown to the officer and the provider.
CREATE TABLE goal_comments (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    goal       INTEGER NOT NULL,
    author_id  TEXT NOT NULL,
    relation   TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    written_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX goal_comments_order ON goal_comments (tenant_id, order_id, written_at);
CREATE INDEX goal_comments_case ON goal_comments (tenant_id, case_id, written_at);

-- Where a citizen account wants its notices: e-mail or SMS, and the
-- address. Without a row the account gets no outbound notice.
CREATE TABLE notice_contacts (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

-- The notifier's place in the event log (the last event it handled) and
-- the lease that lets one server at a time send.
CREATE TABLE notifier_cursors (
    tenant_id    TEXT NOT NULL,
    consumer     TEXT NOT NULL,
    seq          BIGINT NOT NULL DEFAULT 0,
    leased_by    TEXT NOT NULL DEFAULT '',
    leased_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, consumer)
);

-- The notifier asks for citizen.notice events after its cursor.
CREATE INDEX events_type ON events (tenant_id, type, seq);
