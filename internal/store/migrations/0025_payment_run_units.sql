-- The units a payment run pays from: the units of its lines, recorded when
-- the run is made. A run is a team lead's only when every one of its units
-- is within the units where they are team lead (its bank file names the
-- persons of every line); anyone else is told it does not exist. Runs made
-- before this migration get the units of their lines.
CREATE TABLE payment_run_units (
    tenant_id TEXT NOT NULL,
    run_id    TEXT NOT NULL,
    unit_id   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, run_id, unit_id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES payment_runs (tenant_id, id)
);
INSERT INTO payment_run_units (tenant_id, run_id, unit_id)
    SELECT DISTINCT tenant_id, run_id, unit_id FROM payment_lines WHERE run_id <> '';
