-- Population registry changes (docs/integrations.md): the day a person
-- died, as the registry said ("" while they live).
ALTER TABLE persons ADD COLUMN died_on TEXT NOT NULL DEFAULT '';

-- Where each tenant is in the registry's change feed: the position of
-- the last change handled, moved in the change's own transaction, and a
-- lease so that one server at a time applies changes.
CREATE TABLE registry_cursors (
    tenant_id    TEXT NOT NULL,
    position     TEXT NOT NULL DEFAULT '',
    leased_by    TEXT NOT NULL DEFAULT '',
    leased_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id)
);

-- Every change handled, by the registry's change id: a change whose id is
-- here is not applied again. outcome is applied, not_registered (trygg
-- holds no such person), refused (the record could not be read or
-- applied; detail says why, naming fields and never their values).
CREATE TABLE registry_changes (
    tenant_id   TEXT NOT NULL,
    change_id   TEXT NOT NULL,
    position    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    change_date TEXT NOT NULL,
    person_id   TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    applied_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, change_id)
);
CREATE INDEX registry_changes_applied ON registry_changes (tenant_id, applied_at);
