-- The analysis store: facts and dimensions projected from the event log
-- (docs/analytics.md). Persons, cases, decisions, orders, form entries,
-- payment lines and reports are keyed by pseudonyms (HMAC-SHA256 with the
-- operator's key); no names, identity numbers, free text or addresses.
-- Dates are YYYY-MM-DD in Sweden's time ('' when not yet), moments Unix
-- microseconds (0 when not yet).

-- How far the projector has read each tenant's event log.
CREATE TABLE cursors (
	tenant_id TEXT PRIMARY KEY,
	last_seq BIGINT NOT NULL,
	last_at BIGINT NOT NULL
);

-- key_check: a fingerprint of the key the pseudonyms were made with.
CREATE TABLE meta (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE dim_units (
	tenant_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	parent_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	path TEXT NOT NULL,
	district_id TEXT NOT NULL,
	PRIMARY KEY (tenant_id, unit_id)
);

CREATE TABLE dim_persons (
	tenant_id TEXT NOT NULL,
	person_key TEXT NOT NULL,
	birth_month TEXT NOT NULL,
	sex TEXT NOT NULL,
	PRIMARY KEY (tenant_id, person_key)
);

CREATE TABLE dim_case_types (
	tenant_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	PRIMARY KEY (tenant_id, case_type)
);

CREATE TABLE dim_insatser (
	tenant_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	insats TEXT NOT NULL,
	amount_unit TEXT NOT NULL,
	amount_period TEXT NOT NULL,
	PRIMARY KEY (tenant_id, case_type, insats)
);

CREATE TABLE dim_codes (
	tenant_id TEXT NOT NULL,
	code_system TEXT NOT NULL,
	code TEXT NOT NULL,
	PRIMARY KEY (tenant_id, code_system, code)
);

CREATE TABLE fact_cases (
	tenant_id TEXT NOT NULL,
	case_key TEXT NOT NULL,
	person_key TEXT NOT NULL,
	case_type TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	district_id TEXT NOT NULL,
	channel TEXT NOT NULL,
	received_date TEXT NOT NULL,
	opened_at BIGINT NOT NULL,
	opened_date TEXT NOT NULL,
	closed_at BIGINT NOT NULL,
	closed_date TEXT NOT NULL,
	step TEXT NOT NULL,
	sex TEXT NOT NULL,
	age_band TEXT NOT NULL,
	PRIMARY KEY (tenant_id, case_key)
);
CREATE INDEX fact_cases_received ON fact_cases (tenant_id, received_date);

CREATE TABLE fact_case_steps (
	tenant_id TEXT NOT NULL,
	case_key TEXT NOT NULL,
	entered_seq BIGINT NOT NULL,
	step TEXT NOT NULL,
	entered_at BIGINT NOT NULL,
	left_at BIGINT NOT NULL,
	duration_seconds BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, case_key, entered_seq)
);

CREATE TABLE fact_decisions (
	tenant_id TEXT NOT NULL,
	decision_key TEXT NOT NULL,
	case_key TEXT NOT NULL,
	person_key TEXT NOT NULL,
	case_type TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	district_id TEXT NOT NULL,
	channel TEXT NOT NULL,
	insats TEXT NOT NULL,
	outcome TEXT NOT NULL,
	amount BIGINT NOT NULL,
	amount_unit TEXT NOT NULL,
	amount_period TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	decided_at BIGINT NOT NULL,
	decided_date TEXT NOT NULL,
	received_date TEXT NOT NULL,
	days_to_decision BIGINT NOT NULL,
	executed_date TEXT NOT NULL,
	sex TEXT NOT NULL,
	age_band TEXT NOT NULL,
	PRIMARY KEY (tenant_id, decision_key)
);
CREATE INDEX fact_decisions_decided ON fact_decisions (tenant_id, decided_date);

CREATE TABLE fact_orders (
	tenant_id TEXT NOT NULL,
	order_key TEXT NOT NULL,
	case_key TEXT NOT NULL,
	decision_key TEXT NOT NULL,
	person_key TEXT NOT NULL,
	case_type TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	district_id TEXT NOT NULL,
	provider_id TEXT NOT NULL,
	insats TEXT NOT NULL,
	amount BIGINT NOT NULL,
	amount_unit TEXT NOT NULL,
	amount_period TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	status TEXT NOT NULL,
	sent_date TEXT NOT NULL,
	start_date TEXT NOT NULL,
	ended_on TEXT NOT NULL,
	end_reason TEXT NOT NULL,
	plan_version BIGINT NOT NULL,
	plan_date TEXT NOT NULL,
	PRIMARY KEY (tenant_id, order_key)
);

CREATE TABLE fact_plans (
	tenant_id TEXT NOT NULL,
	order_key TEXT NOT NULL,
	version BIGINT NOT NULL,
	written_date TEXT NOT NULL,
	participation TEXT NOT NULL,
	activities BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, order_key, version)
);

CREATE TABLE fact_performed (
	tenant_id TEXT NOT NULL,
	entry_key TEXT NOT NULL,
	order_key TEXT NOT NULL,
	person_key TEXT NOT NULL,
	insats TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	district_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	day TEXT NOT NULL,
	minutes BIGINT NOT NULL,
	deviation TEXT NOT NULL,
	corrected BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, entry_key)
);
CREATE INDEX fact_performed_day ON fact_performed (tenant_id, day);

CREATE TABLE fact_deadlines (
	tenant_id TEXT NOT NULL,
	case_key TEXT NOT NULL,
	deadline_id TEXT NOT NULL,
	started_seq BIGINT NOT NULL,
	person_key TEXT NOT NULL,
	case_type TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	district_id TEXT NOT NULL,
	started_date TEXT NOT NULL,
	due_date TEXT NOT NULL,
	met_date TEXT NOT NULL,
	overdue BIGINT NOT NULL,
	status TEXT NOT NULL,
	days_late BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, case_key, deadline_id, started_seq)
);

CREATE TABLE fact_payments (
	tenant_id TEXT NOT NULL,
	line_key TEXT NOT NULL,
	case_key TEXT NOT NULL,
	person_key TEXT NOT NULL,
	decision_key TEXT NOT NULL,
	case_type TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	district_id TEXT NOT NULL,
	item TEXT NOT NULL,
	period TEXT NOT NULL,
	amount BIGINT NOT NULL,
	payee_category TEXT NOT NULL,
	due_date TEXT NOT NULL,
	status TEXT NOT NULL,
	proposed_date TEXT NOT NULL,
	attested_date TEXT NOT NULL,
	settled_date TEXT NOT NULL,
	reverses_key TEXT NOT NULL,
	PRIMARY KEY (tenant_id, line_key)
);

-- Codes (ICF, BBIC's areas) where they were assessed, planned and
-- performed: source 'need' (a signed form's assessment, source_key the
-- form entry), 'plan' (an implementation plan, the order), 'performed'
-- (a provider's report, the entry).
CREATE TABLE fact_codes (
	tenant_id TEXT NOT NULL,
	source TEXT NOT NULL,
	source_key TEXT NOT NULL,
	code_system TEXT NOT NULL,
	code TEXT NOT NULL,
	case_key TEXT NOT NULL,
	person_key TEXT NOT NULL,
	district_id TEXT NOT NULL,
	qualifier BIGINT NOT NULL,
	on_date TEXT NOT NULL,
	PRIMARY KEY (tenant_id, source, source_key, code_system, code)
);
