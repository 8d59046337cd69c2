-- Welfare-technology alarms (trygghetslarm): an alarm receiving centre
-- (larmcentral) posts alarms and their handling, naming the alarm device;
-- the device finds the running order it is recorded on, and so the person,
-- the case and the provider who answers.

-- Alarm receiving centres: API clients (users with api_client = 1 and no
-- provider or roles) that may post alarms and nothing else.
CREATE TABLE alarm_centres (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

-- The devices the providers record on orders of device insatser. A device
-- is on one order at a time.
CREATE TABLE alarm_devices (
    tenant_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    order_id      TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, device_id)
);
CREATE INDEX alarm_devices_order ON alarm_devices (tenant_id, order_id);

-- Alarms: one row per alarm of a centre (its own alarm id), with the status
-- of its latest event. The provider's open alarms are its tasks.
CREATE TABLE alarms (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    centre_id   TEXT NOT NULL,
    alarm_ref   TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    order_id    TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    status      TEXT NOT NULL,
    raised_at   BIGINT NOT NULL,
    status_at   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, centre_id, alarm_ref)
);
CREATE INDEX alarms_provider ON alarms (tenant_id, provider_id, status, raised_at);

-- Each event a centre posted, by its own event id: a repeat of the same
-- body returns the stored result and writes nothing; another body under
-- the same id is a conflict.
CREATE TABLE alarm_posts (
    tenant_id  TEXT NOT NULL,
    centre_id  TEXT NOT NULL,
    event_ref  TEXT NOT NULL,
    body_hash  TEXT NOT NULL,
    alarm_id   TEXT NOT NULL,
    result     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, centre_id, event_ref)
);
