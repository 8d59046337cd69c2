-- A case's timeline reads its events newest first.
CREATE INDEX events_case ON events (tenant_id, case_id, seq);
