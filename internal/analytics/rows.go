package analytics

// The rows a batch adds are kept in memory until its end, changed there
// by the batch's later events, and written a table at a time (insertRows):
// a case whose whole life is in one batch is one row of fact_cases, not
// an insert and a few updates. A statement that changes rows already in
// the store is still sent for them; what the batch holds in memory it
// changes itself, as that statement would have. Rows kept in a table
// with ON CONFLICT DO NOTHING keep the first of a key and are written
// with DO NOTHING; those an upsert writes keep the columns it would and
// are written with the same ON CONFLICT clause, so the store ends as it
// would have after each statement in turn.

// caseEntry is what the store and the batch know of a case: whether its
// row exists, what facts about its records repeat from it, and its row
// when the batch added it.
type caseEntry struct {
	exists bool
	facts  caseFacts
	row    *caseRow
}

type caseRow struct {
	key, person, caseType, unit, district, channel, received string
	openedAt                                                 int64
	openedDate                                               string
	closedAt                                                 int64
	closedDate, step, sex, ageBand                           string
}

type stepRow struct {
	caseKey           string
	seq               int64
	step              string
	enteredAt, leftAt int64
	durationSeconds   int64
}

type decisionEntry struct {
	exists bool
	period string
	row    *decisionRow
}

type decisionRow struct {
	key, caseKey, person, caseType, unit, district, channel, insats, outcome string
	amount                                                                   int64
	amountUnit, amountPeriod, validFrom, validTo                             string
	decidedAt                                                                int64
	decidedDate, received                                                    string
	days                                                                     int64
	executed, sex, ageBand, executeBy                                        string
}

type orderEntry struct {
	exists bool
	facts  orderFacts
	row    *orderRow
}

type orderRow struct {
	key, caseKey, decision, person, caseType, unit, district, provider, insats string
	amount                                                                     int64
	amountUnit, amountPeriod, validFrom, validTo, status, sent, start, ended   string
	endReason                                                                  string
	planVersion                                                                int64
	planDate                                                                   string
}

type planRow struct {
	order         string
	version       int64
	written       string
	participation string
	activities    int64
}

type performedRow struct {
	key, order, person, insats, unit, district, caseType, day string
	minutes                                                   int64
	deviation                                                 string
	corrected                                                 int64
}

// dbDeadline is a running deadline in the store.
type dbDeadline struct{ id, due string }

type deadlineRow struct {
	caseKey, id                                         string
	seq                                                 int64
	person, caseType, unit, district, started, due, met string
	overdue                                             int64
	status                                              string
	daysLate                                            int64
}

type lineEntry struct {
	exists                  bool
	decision, category, due string
	row                     *paymentRow
}

type paymentRow struct {
	key, caseKey, person, decision, caseType, unit, district, item, period string
	amount                                                                 int64
	category, due, status, proposed, attested, settled, reverses           string
}

type codeKey struct{ source, sourceKey, system, code string }

type codeRow struct {
	codeKey
	caseKey, person, district string
	qualifier                 int64
	on                        string
	gone                      bool // deleted again by the batch
}

type insatsKey struct{ caseType, insats string }

// writeRows writes the rows the batch added and forgets them. The rows
// of cases, decisions, orders and payment lines are new (prefetch found
// their keys missing), as are steps and deadlines (keyed by the sequence
// number of the event that started them, which no batch projects twice):
// insertNew. The others may meet a row of theirs in the store.
func (a *applier) writeRows() error {
	tn := a.tenant
	var rows [][]any
	for _, r := range a.newCases {
		rows = append(rows, []any{tn, r.key, r.person, r.caseType, r.unit, r.district, r.channel, r.received, r.openedAt, r.openedDate,
			r.closedAt, r.closedDate, r.step, r.sex, r.ageBand})
	}
	if err := a.tx.insertNew("fact_cases", []string{"tenant_id", "case_key", "person_key", "case_type", "unit_id", "district_id",
		"channel", "received_date", "opened_at", "opened_date", "closed_at", "closed_date", "step", "sex", "age_band"},
		"tenant_id, case_key", rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range a.steps {
		rows = append(rows, []any{tn, r.caseKey, r.seq, r.step, r.enteredAt, r.leftAt, r.durationSeconds})
	}
	if err := a.tx.insertNew("fact_case_steps", []string{"tenant_id", "case_key", "entered_seq", "step", "entered_at", "left_at",
		"duration_seconds"}, "tenant_id, case_key, entered_seq", rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range a.newDecisions {
		rows = append(rows, []any{tn, r.key, r.caseKey, r.person, r.caseType, r.unit, r.district, r.channel, r.insats, r.outcome,
			r.amount, r.amountUnit, r.amountPeriod, r.validFrom, r.validTo, r.decidedAt, r.decidedDate, r.received, r.days, r.executed,
			r.sex, r.ageBand, r.executeBy, int64(1)})
	}
	// Marked first: most are their case's, and the summaries' statements
	// (firstDecisions) change only the marks that are wrong.
	if err := a.tx.insertNew("fact_decisions", []string{"tenant_id", "decision_key", "case_key", "person_key", "case_type", "unit_id",
		"district_id", "channel", "insats", "outcome", "amount", "amount_unit", "amount_period", "valid_from", "valid_to", "decided_at",
		"decided_date", "received_date", "days_to_decision", "executed_date", "sex", "age_band", "execute_by", "first_decision"},
		"tenant_id, decision_key", rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range a.newOrders {
		rows = append(rows, []any{tn, r.key, r.caseKey, r.decision, r.person, r.caseType, r.unit, r.district, r.provider, r.insats,
			r.amount, r.amountUnit, r.amountPeriod, r.validFrom, r.validTo, r.status, r.sent, r.start, r.ended, r.endReason,
			r.planVersion, r.planDate})
	}
	if err := a.tx.insertNew("fact_orders", []string{"tenant_id", "order_key", "case_key", "decision_key", "person_key", "case_type",
		"unit_id", "district_id", "provider_id", "insats", "amount", "amount_unit", "amount_period", "valid_from", "valid_to", "status",
		"sent_date", "start_date", "ended_on", "end_reason", "plan_version", "plan_date"},
		"tenant_id, order_key", rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range a.plans {
		rows = append(rows, []any{tn, r.order, r.version, r.written, r.participation, r.activities})
	}
	if err := a.tx.insertRows("fact_plans", []string{"tenant_id", "order_key", "version", "written_date", "participation", "activities"},
		`ON CONFLICT (tenant_id, order_key, version) DO NOTHING`, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range a.performedRows {
		rows = append(rows, []any{tn, r.key, r.order, r.person, r.insats, r.unit, r.district, r.caseType, r.day, r.minutes, r.deviation,
			r.corrected})
	}
	if err := a.tx.insertRows("fact_performed", []string{"tenant_id", "entry_key", "order_key", "person_key", "insats", "unit_id",
		"district_id", "case_type", "day", "minutes", "deviation", "corrected"}, `ON CONFLICT (tenant_id, entry_key) DO NOTHING`, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range a.deadlines {
		rows = append(rows, []any{tn, r.caseKey, r.id, r.seq, r.person, r.caseType, r.unit, r.district, r.started, r.due, r.met,
			r.overdue, r.status, r.daysLate})
	}
	if err := a.tx.insertNew("fact_deadlines", []string{"tenant_id", "case_key", "deadline_id", "started_seq", "person_key", "case_type",
		"unit_id", "district_id", "started_date", "due_date", "met_date", "overdue", "status", "days_late"},
		"tenant_id, case_key, deadline_id, started_seq", rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range a.payments {
		rows = append(rows, []any{tn, r.key, r.caseKey, r.person, r.decision, r.caseType, r.unit, r.district, r.item, r.period, r.amount,
			r.category, r.due, r.status, r.proposed, r.attested, r.settled, r.reverses})
	}
	if err := a.tx.insertNew("fact_payments", []string{"tenant_id", "line_key", "case_key", "person_key", "decision_key", "case_type",
		"unit_id", "district_id", "item", "period", "amount", "payee_category", "due_date", "status", "proposed_date", "attested_date",
		"settled_date", "reverses_key"}, "tenant_id, line_key", rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range a.codeRows {
		if !r.gone {
			rows = append(rows, []any{tn, r.source, r.sourceKey, r.system, r.code, r.caseKey, r.person, r.district, r.qualifier, r.on})
		}
	}
	if err := a.tx.insertRows("fact_codes", []string{"tenant_id", "source", "source_key", "code_system", "code", "case_key", "person_key",
		"district_id", "qualifier", "on_date"},
		`ON CONFLICT (tenant_id, source, source_key, code_system, code) DO UPDATE SET qualifier = excluded.qualifier`, rows); err != nil {
		return err
	}
	rows = nil
	for _, k := range a.dimPersonKeys {
		p := a.dimPersons[k]
		rows = append(rows, []any{tn, k, p[0], p[1]})
	}
	if err := a.tx.insertRows("dim_persons", []string{"tenant_id", "person_key", "birth_month", "sex"},
		`ON CONFLICT (tenant_id, person_key) DO UPDATE SET birth_month = excluded.birth_month, sex = excluded.sex`, rows); err != nil {
		return err
	}
	rows = nil
	for _, ct := range a.dimCaseTypes {
		rows = append(rows, []any{tn, ct})
	}
	if err := a.tx.insertRows("dim_case_types", []string{"tenant_id", "case_type"}, `ON CONFLICT (tenant_id, case_type) DO NOTHING`, rows); err != nil {
		return err
	}
	rows = nil
	for _, k := range a.dimInsatsKeys {
		v := a.dimInsatser[k]
		rows = append(rows, []any{tn, k.caseType, k.insats, v[0], v[1]})
	}
	if err := a.tx.insertRows("dim_insatser", []string{"tenant_id", "case_type", "insats", "amount_unit", "amount_period"},
		`ON CONFLICT (tenant_id, case_type, insats) DO UPDATE SET amount_unit = excluded.amount_unit, amount_period = excluded.amount_period`,
		rows); err != nil {
		return err
	}
	rows = nil
	for _, k := range a.dimCodes {
		rows = append(rows, []any{tn, k[0], k[1]})
	}
	if err := a.tx.insertRows("dim_codes", []string{"tenant_id", "code_system", "code"}, `ON CONFLICT (tenant_id, code_system, code) DO NOTHING`,
		rows); err != nil {
		return err
	}
	*a = applier{tx: a.tx, tenant: a.tenant, p: a.p, purgedCases: a.purgedCases, purgedPersons: a.purgedPersons, pseudonyms: a.pseudonyms}
	return nil
}
