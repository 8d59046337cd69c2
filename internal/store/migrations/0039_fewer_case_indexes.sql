-- Every case written wrote two indexes no query needs: cases_unit
-- (tenant_id, unit_id) and cases_assigned (tenant_id, assigned_to) are
-- the first columns of the inbox's cases_inbox_unit and
-- cases_inbox_assigned, which serve the same lookups. Fewer index writes
-- per case opened, moved and closed (docs/benchmarks.md, "Fewer
-- statements per write").
DROP INDEX cases_unit;
DROP INDEX cases_assigned;
