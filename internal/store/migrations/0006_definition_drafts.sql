-- The tenant's working draft of its definitions: the files process
-- designers edit before they publish them as a version.

CREATE TABLE definition_drafts (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    content    TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
