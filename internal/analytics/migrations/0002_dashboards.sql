-- What the remaining dashboards count (docs/analytics.md): the day by
-- which a final decision is to be executed (three months after it was
-- made, IVO's rule), and indexes for the queries at a million persons.

ALTER TABLE fact_decisions ADD COLUMN execute_by TEXT NOT NULL DEFAULT '';

CREATE INDEX fact_decisions_case ON fact_decisions (tenant_id, case_key, outcome);
CREATE INDEX fact_decisions_execute_by ON fact_decisions (tenant_id, execute_by);
CREATE INDEX fact_decisions_unit ON fact_decisions (tenant_id, unit_id, decided_date);
CREATE INDEX fact_codes_case ON fact_codes (tenant_id, source, case_key, code);
CREATE INDEX fact_codes_on ON fact_codes (tenant_id, source, on_date);
CREATE INDEX fact_cases_month ON fact_cases (tenant_id, received_date, person_key);
CREATE INDEX fact_cases_unit ON fact_cases (tenant_id, unit_id, received_date);
CREATE INDEX fact_deadlines_unit ON fact_deadlines (tenant_id, unit_id, due_date);
CREATE INDEX fact_orders_unit ON fact_orders (tenant_id, unit_id);
CREATE INDEX fact_performed_unit ON fact_performed (tenant_id, unit_id, day);

-- The new column is filled only from the log: the store is emptied, and
-- the projector projects every tenant's log again from the start.
DELETE FROM cursors;
DELETE FROM dim_units;
DELETE FROM dim_persons;
DELETE FROM dim_case_types;
DELETE FROM dim_insatser;
DELETE FROM dim_codes;
DELETE FROM fact_cases;
DELETE FROM fact_case_steps;
DELETE FROM fact_decisions;
DELETE FROM fact_orders;
DELETE FROM fact_plans;
DELETE FROM fact_performed;
DELETE FROM fact_deadlines;
DELETE FROM fact_payments;
DELETE FROM fact_codes;
