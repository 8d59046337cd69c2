-- Events out (docs/integrations.md): an administrator's subscriptions
-- to the event log, each delivered to a webhook or a NATS JetStream
-- stream from its own cursor (notifier_cursors, consumer
-- "subscription:<id>"). event_types are patterns separated by spaces
-- ("case.*", "decision.made", "*"); destination is a webhook's URL or a
-- NATS server's; config the kind's other settings (JSON). secret signs a
-- webhook's messages; while it is rotated previous_secret signs too,
-- until previous_until. state is active, paused or disabled (reason
-- says why: gone, given_up, or an administrator's pause); attempts,
-- failing_since and next_attempt_at are the retries of the message the
-- cursor stands before.
CREATE TABLE subscriptions (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    event_types     TEXT NOT NULL,
    destination     TEXT NOT NULL,
    config          TEXT NOT NULL DEFAULT '{}',
    secret          TEXT NOT NULL DEFAULT '',
    previous_secret TEXT NOT NULL DEFAULT '',
    previous_until  BIGINT NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    attempts        BIGINT NOT NULL DEFAULT 0,
    failing_since   BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    last_error_at   BIGINT NOT NULL DEFAULT 0,
    delivered       BIGINT NOT NULL DEFAULT 0,
    last_delivered_at BIGINT NOT NULL DEFAULT 0,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX subscriptions_name ON subscriptions (tenant_id, name);
