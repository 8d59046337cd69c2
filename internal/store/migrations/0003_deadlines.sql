-- Deadlines: durable timers (a warning and an overdue notice per running
-- deadline) and the tasks they create in officers' and team leads' inboxes.

CREATE TABLE timers (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    deadline_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    fire_at     BIGINT NOT NULL,
    status      TEXT NOT NULL,
    fired_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX timers_due ON timers (tenant_id, status, fire_at);
CREATE INDEX timers_case ON timers (tenant_id, case_id, deadline_id);

-- A task with an assignee is that officer's; one without is for the team
-- leads of its unit.
CREATE TABLE tasks (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    unit_id     TEXT NOT NULL,
    assignee    TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    deadline_id TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL,
    due_date    TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    done_at     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX tasks_assignee ON tasks (tenant_id, assignee, done_at, due_date);
CREATE INDEX tasks_unit ON tasks (tenant_id, unit_id, done_at, due_date);
CREATE INDEX tasks_case ON tasks (tenant_id, case_id, deadline_id);
