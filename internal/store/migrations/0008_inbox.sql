-- The inbox sorts open cases by their nearest deadline: kept on the case
-- (maintained with its timers) so an index serves it at any size.
-- '9999-12-31' means no running deadline.
ALTER TABLE cases ADD COLUMN next_due TEXT NOT NULL DEFAULT '9999-12-31';
CREATE INDEX cases_inbox_assigned ON cases (tenant_id, assigned_to, status, next_due);
CREATE INDEX cases_inbox_unit ON cases (tenant_id, unit_id, status, next_due);
