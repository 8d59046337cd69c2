-- Summaries for the dashboards (docs/analytics.md): counts the projector
-- keeps per day (a month for the days to first decision and the days
-- late, the start and end months for orders), district, unit and case
-- type, so a dashboard sums a few thousand rows instead of counting
-- millions of facts; the first decision of each case marked on its row;
-- and the step each assessed code reached on its case kept on its
-- fact_codes row. Each key lists first what its queries group by, so
-- they add up rows in the order they read them.

ALTER TABLE fact_decisions ADD COLUMN first_decision BIGINT NOT NULL DEFAULT 0;
-- step: 0 assessed, 1 a final decision granting something on the case,
-- 2 the same code in the case's plan too, 3 performed with it too;
-- chapter_step the same for the code's chapter ("d5").
ALTER TABLE fact_codes ADD COLUMN step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fact_codes ADD COLUMN chapter_step BIGINT NOT NULL DEFAULT 0;

-- Cases received on a day.
CREATE TABLE sum_received (
	tenant_id TEXT NOT NULL,
	day TEXT NOT NULL,
	district_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, day, district_id, unit_id, case_type)
);

-- Cases closed on a day; received_after is the received date of a case
-- received after it was closed (wrong data), '' for every other.
CREATE TABLE sum_closed (
	tenant_id TEXT NOT NULL,
	day TEXT NOT NULL,
	district_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	received_after TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, day, received_after, district_id, unit_id, case_type)
);

-- Final decisions made on a day; hours_n of them granting hours, and
-- the amounts of those (hundredths of hours) by the period they are per.
CREATE TABLE sum_decisions (
	tenant_id TEXT NOT NULL,
	day TEXT NOT NULL,
	district_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	n BIGINT NOT NULL,
	hours_n BIGINT NOT NULL,
	hours_month BIGINT NOT NULL,
	hours_day BIGINT NOT NULL,
	hours_week BIGINT NOT NULL,
	hours_year BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, day, district_id, unit_id, case_type)
);

-- Cases' first decisions made in a month, by channel and days from
-- received to decided.
CREATE TABLE sum_first_decisions (
	tenant_id TEXT NOT NULL,
	month TEXT NOT NULL,
	district_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	channel TEXT NOT NULL,
	days BIGINT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, case_type, channel, days, month, district_id, unit_id)
);

-- Final decisions granting something, by the day they are to be
-- executed by: executed in time, late, or not ('no').
CREATE TABLE sum_execution (
	tenant_id TEXT NOT NULL,
	day TEXT NOT NULL,
	district_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	executed TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, unit_id, case_type, executed, day, district_id)
);

-- Deadlines due on a day that are decided either way: met, late (met
-- after the due date) or missed.
CREATE TABLE sum_deadlines (
	tenant_id TEXT NOT NULL,
	day TEXT NOT NULL,
	district_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	deadline_id TEXT NOT NULL,
	outcome TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, day, deadline_id, outcome, district_id, unit_id, case_type)
);

-- Deadlines met late, by the month they were due and the days late.
CREATE TABLE sum_deadlines_late (
	tenant_id TEXT NOT NULL,
	month TEXT NOT NULL,
	district_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	deadline_id TEXT NOT NULL,
	days_late BIGINT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, deadline_id, days_late, month, district_id, unit_id, case_type)
);

-- Providers' reports of a day (corrected ones left out): minutes, visits
-- (time and no deviation) and deviations.
CREATE TABLE sum_performed (
	tenant_id TEXT NOT NULL,
	day TEXT NOT NULL,
	district_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	insats TEXT NOT NULL,
	n BIGINT NOT NULL,
	minutes BIGINT NOT NULL,
	visits BIGINT NOT NULL,
	deviations BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, day, insats, district_id, unit_id, case_type)
);

-- Orders with a start date, by the month they start and the month they
-- end or run out ('' while neither), with their amounts.
CREATE TABLE sum_orders (
	tenant_id TEXT NOT NULL,
	start_month TEXT NOT NULL,
	last_month TEXT NOT NULL,
	district_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	insats TEXT NOT NULL,
	amount_unit TEXT NOT NULL,
	amount_period TEXT NOT NULL,
	n BIGINT NOT NULL,
	amount BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, start_month, last_month, district_id, unit_id, case_type, insats, amount_unit, amount_period)
);

-- A batch leaves no summary row at 0: these find the ones to remove.
CREATE INDEX sum_received_empty ON sum_received (tenant_id) WHERE n = 0;
CREATE INDEX sum_closed_empty ON sum_closed (tenant_id) WHERE n = 0;
CREATE INDEX sum_decisions_empty ON sum_decisions (tenant_id) WHERE n = 0;
CREATE INDEX sum_first_decisions_empty ON sum_first_decisions (tenant_id) WHERE n = 0;
CREATE INDEX sum_execution_empty ON sum_execution (tenant_id) WHERE n = 0;
CREATE INDEX sum_deadlines_empty ON sum_deadlines (tenant_id) WHERE n = 0;
CREATE INDEX sum_deadlines_late_empty ON sum_deadlines_late (tenant_id) WHERE n = 0;
CREATE INDEX sum_performed_empty ON sum_performed (tenant_id) WHERE n = 0;
CREATE INDEX sum_orders_empty ON sum_orders (tenant_id) WHERE n = 0;

-- What a batch's summaries read by case, order and report, and what
-- counting a figure's persons reads.
CREATE INDEX fact_orders_case ON fact_orders (tenant_id, case_key);
CREATE INDEX fact_performed_order ON fact_performed (tenant_id, order_key);
CREATE INDEX fact_decisions_first ON fact_decisions (tenant_id, decided_date) WHERE first_decision = 1;
CREATE INDEX fact_decisions_executed ON fact_decisions (tenant_id, executed_date);
CREATE INDEX fact_decisions_unit_execute ON fact_decisions (tenant_id, unit_id, case_type, execute_by);
CREATE INDEX fact_performed_deviations ON fact_performed (tenant_id, day) WHERE deviation <> '';
CREATE INDEX fact_codes_needs ON fact_codes (tenant_id, source, code_system, on_date, district_id, code, person_key, step, chapter_step);

-- The summaries of the facts already here are counted when a projector
-- next starts (refresh in summary.go), not projected again from the log.
INSERT INTO meta (name, value) VALUES ('summaries', 'stale') ON CONFLICT (name) DO NOTHING;
