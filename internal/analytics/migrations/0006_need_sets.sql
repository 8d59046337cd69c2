-- What NeedsMatch counts (docs/analytics.md): per code system, code (or
-- its chapter, level 'chapter'), day assessed, district, unit and case
-- type, the persons assessed with it and the furthest step each reached
-- on the case (0-3, as fact_codes.step). persons holds them sorted by
-- pseudonym, 17 bytes each: the pseudonym's 16 bytes and the step; n is
-- how many. A dashboard merges the sets of a period, which counts each
-- person once however many days, units or districts they were assessed
-- in.
CREATE TABLE sum_needs (
	tenant_id TEXT NOT NULL,
	code_system TEXT NOT NULL,
	level TEXT NOT NULL,
	day TEXT NOT NULL,
	code TEXT NOT NULL,
	district_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	n BIGINT NOT NULL,
	persons BYTEA NOT NULL,
	PRIMARY KEY (tenant_id, code_system, level, day, code, district_id, unit_id, case_type)
);

-- The persons whose sets a batch may have changed, and the cells they
-- were in before it: the next batch, or the end of the catch-up, writes
-- those cells again (needs.go).
CREATE TABLE need_pending_persons (
	tenant_id TEXT NOT NULL,
	person_key TEXT NOT NULL,
	PRIMARY KEY (tenant_id, person_key)
);
CREATE TABLE need_pending_cells (
	tenant_id TEXT NOT NULL,
	code_system TEXT NOT NULL,
	level TEXT NOT NULL,
	day TEXT NOT NULL,
	code TEXT NOT NULL,
	district_id TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	case_type TEXT NOT NULL,
	PRIMARY KEY (tenant_id, code_system, level, day, code, district_id, unit_id, case_type)
);

-- The need rows of each code system (NeedsMatch follows the one with the
-- most when not told which).
CREATE TABLE sum_code_systems (
	tenant_id TEXT NOT NULL,
	code_system TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, code_system)
);
CREATE INDEX sum_code_systems_empty ON sum_code_systems (tenant_id) WHERE n = 0;

-- A person's assessed codes, read when a batch changes any of them; the
-- index the needs were counted by before is no longer read.
CREATE INDEX fact_codes_need_person ON fact_codes (tenant_id, person_key) WHERE source = 'need';
DROP INDEX IF EXISTS fact_codes_needs;

-- The sets of the codes already here are made when a projector next
-- starts (refresh in summary.go).
INSERT INTO meta (name, value) VALUES ('summaries', 'stale') ON CONFLICT (name) DO NOTHING;
