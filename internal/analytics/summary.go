package analytics

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/trygg/trygg/internal/events"
)

// summary is a table of counts the dashboards sum instead of counting
// facts: one row per value of its keys (a day or month, the district,
// unit and case type, and what the figures are split by), with the sums
// of its measures over the fact rows that count. It is a function of the
// facts: refresh counts it from them, and each batch takes the rows of
// the cases it touches out of it before its events are applied and puts
// them back after (delta), so a store kept up batch by batch and one
// rebuilt from zero hold the same rows.
type summary struct {
	table string
	fact  string // the fact table
	// where says which of the fact's rows count.
	where string
	// keys are the summary's key columns after tenant_id, exprs each
	// one's SQL over the fact's columns.
	keys, exprs []string
	// sums are its measures, the first, n, the rows counted; values each
	// one's SQL over a fact row, summed.
	sums, values []string
}

// granted is the SQL of a decision granting something.
const granted = `outcome IN ` + grantedOutcomes

// deadlineDecided is the SQL of a deadline decided either way: not
// started again, and not still running before it is overdue.
const deadlineDecided = "status <> 'restarted' AND NOT (status = 'running' AND overdue = 0)"

// lastDay is the SQL of the day an order ends or runs out, whichever is
// first (” while neither).
const lastDay = `CASE WHEN valid_to <> '' AND (ended_on = '' OR valid_to < ended_on) THEN valid_to ELSE ended_on END`

// The summaries (migrations/0004_summaries.sql).
var (
	sumReceived = &summary{table: "sum_received", fact: "fact_cases",
		keys: []string{"day", "district_id", "unit_id", "case_type"}, exprs: []string{"received_date", "district_id", "unit_id", "case_type"},
		sums: []string{"n"}, values: []string{"1"}}
	sumClosed = &summary{table: "sum_closed", fact: "fact_cases", where: "closed_date <> ''",
		keys:  []string{"day", "received_after", "district_id", "unit_id", "case_type"},
		exprs: []string{"closed_date", "CASE WHEN received_date > closed_date THEN received_date ELSE '' END", "district_id", "unit_id", "case_type"},
		sums:  []string{"n"}, values: []string{"1"}}
	sumDecisions = &summary{table: "sum_decisions", fact: "fact_decisions",
		keys: []string{"day", "district_id", "unit_id", "case_type"}, exprs: []string{"decided_date", "district_id", "unit_id", "case_type"},
		sums: []string{"n", "hours_n", "hours_month", "hours_day", "hours_week", "hours_year"},
		values: []string{"1",
			`CASE WHEN ` + granted + ` AND amount_unit = 'hours' THEN 1 ELSE 0 END`,
			`CASE WHEN ` + granted + ` AND amount_unit = 'hours' AND amount_period NOT IN ('day', 'week', 'year') THEN amount ELSE 0 END`,
			`CASE WHEN ` + granted + ` AND amount_unit = 'hours' AND amount_period = 'day' THEN amount ELSE 0 END`,
			`CASE WHEN ` + granted + ` AND amount_unit = 'hours' AND amount_period = 'week' THEN amount ELSE 0 END`,
			`CASE WHEN ` + granted + ` AND amount_unit = 'hours' AND amount_period = 'year' THEN amount ELSE 0 END`}}
	sumFirstDecisions = &summary{table: "sum_first_decisions", fact: "fact_decisions", where: "first_decision = 1",
		keys:  []string{"case_type", "channel", "days", "month", "district_id", "unit_id"},
		exprs: []string{"case_type", "channel", "days_to_decision", "substr(decided_date, 1, 7)", "district_id", "unit_id"},
		sums:  []string{"n"}, values: []string{"1"}}
	sumExecution = &summary{table: "sum_execution", fact: "fact_decisions", where: granted + " AND execute_by <> ''",
		keys: []string{"unit_id", "case_type", "executed", "day", "district_id"},
		exprs: []string{"unit_id", "case_type",
			`CASE WHEN executed_date = '' THEN 'no' WHEN executed_date <= execute_by THEN 'in_time' ELSE 'late' END`, "execute_by", "district_id"},
		sums: []string{"n"}, values: []string{"1"}}
	sumDeadlines = &summary{table: "sum_deadlines", fact: "fact_deadlines", where: deadlineDecided,
		keys: []string{"day", "deadline_id", "outcome", "district_id", "unit_id", "case_type"},
		exprs: []string{"due_date", "deadline_id",
			`CASE WHEN met_date <> '' AND met_date <= due_date THEN 'met' WHEN met_date <> '' THEN 'late' ELSE 'missed' END`,
			"district_id", "unit_id", "case_type"},
		sums: []string{"n"}, values: []string{"1"}}
	sumDeadlinesLate = &summary{table: "sum_deadlines_late", fact: "fact_deadlines",
		where: deadlineDecided + " AND met_date <> '' AND met_date > due_date",
		keys:  []string{"deadline_id", "days_late", "month", "district_id", "unit_id", "case_type"},
		exprs: []string{"deadline_id", "days_late", "substr(due_date, 1, 7)", "district_id", "unit_id", "case_type"},
		sums:  []string{"n"}, values: []string{"1"}}
	sumPerformed = &summary{table: "sum_performed", fact: "fact_performed", where: "corrected = 0",
		keys: []string{"day", "insats", "district_id", "unit_id", "case_type"}, exprs: []string{"day", "insats", "district_id", "unit_id", "case_type"},
		sums:   []string{"n", "minutes", "visits", "deviations"},
		values: []string{"1", "minutes", `CASE WHEN deviation = '' AND minutes > 0 THEN 1 ELSE 0 END`, `CASE WHEN deviation <> '' THEN 1 ELSE 0 END`}}
	sumOrders = &summary{table: "sum_orders", fact: "fact_orders", where: "start_date <> ''",
		keys: []string{"start_month", "last_month", "district_id", "unit_id", "case_type", "insats", "amount_unit", "amount_period"},
		exprs: []string{"substr(start_date, 1, 7)", "substr(" + lastDay + ", 1, 7)", "district_id", "unit_id", "case_type", "insats",
			"amount_unit", "amount_period"},
		sums: []string{"n", "amount"}, values: []string{"1", "amount"}}

	sumCodeSystems = &summary{table: "sum_code_systems", fact: "fact_codes", where: "source = 'need'",
		keys: []string{"code_system"}, exprs: []string{"code_system"}, sums: []string{"n"}, values: []string{"1"}}

	summaries = []*summary{sumReceived, sumClosed, sumDecisions, sumFirstDecisions, sumExecution, sumDeadlines, sumDeadlinesLate,
		sumPerformed, sumOrders, sumCodeSystems}
)

// summaryTables are the summaries' tables, for Dump.
func summaryTables() []string {
	out := make([]string, len(summaries))
	for i, s := range summaries {
		out[i] = s.table
	}
	return out
}

// count returns the SELECT of the summary's rows from the fact rows that
// count and match cond (SQL over the fact's columns), each measure's sum
// times sign.
func (s *summary) count(sign, cond string) string {
	sel := make([]string, 0, len(s.exprs)+len(s.values))
	sel = append(sel, s.exprs...)
	for _, v := range s.values {
		sel = append(sel, sign+"SUM("+v+")")
	}
	where := "(" + cond + ")"
	if s.where != "" {
		where += " AND " + s.where
	}
	return `SELECT tenant_id, ` + strings.Join(sel, ", ") + ` FROM ` + s.fact + ` WHERE ` + where +
		` GROUP BY tenant_id, ` + strings.Join(s.exprs, ", ")
}

// columns returns the summary's columns as an INSERT lists them.
func (s *summary) columns() string {
	return "tenant_id, " + strings.Join(s.keys, ", ") + ", " + strings.Join(s.sums, ", ")
}

// add returns the statement that adds the counts of the fact rows
// matching cond (sign "-": takes them away) to the summary's rows.
func (s *summary) add(sign, cond string) string {
	set := make([]string, len(s.sums))
	for i, m := range s.sums {
		set[i] = m + " = " + s.table + "." + m + " + excluded." + m
	}
	return `INSERT INTO ` + s.table + ` (` + s.columns() + `) ` + s.count(sign, cond) +
		` ON CONFLICT (tenant_id, ` + strings.Join(s.keys, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
}

// firstDecisions marks each decision (of those a condition after it
// selects) that is its case's first, by the moment decided, then the
// key, and unmarks the others. It writes only the rows whose mark
// changes: a decision is written marked (most are their case's first),
// and on PostgreSQL every row updated is a new row version with an entry
// in each of the table's indexes.
const firstDecisions = `UPDATE fact_decisions SET first_decision = 1 - first_decision WHERE first_decision = CASE WHEN EXISTS (SELECT 1
	FROM fact_decisions e WHERE e.tenant_id = fact_decisions.tenant_id AND e.case_key = fact_decisions.case_key
	AND (e.decided_at < fact_decisions.decided_at OR (e.decided_at = fact_decisions.decided_at AND e.decision_key < fact_decisions.decision_key)))
	THEN 1 ELSE 0 END`

// needSteps sets the step each assessed code (of the need rows a
// condition after it selects) reached on its case, for the code and for
// its chapter: 0 assessed, 1 a final decision granting something, 2 the
// code in the plan too, 3 performed with it too (a later step counts
// only when the earlier ones were reached). A batch's statement looks
// each of its rows' steps up by the indexes.
var needSteps = `UPDATE fact_codes SET step = ` + codeStep + `, chapter_step = ` + chapterStep + ` WHERE source = 'need'`

// allNeedSteps is needSteps for every row, writing only those whose
// steps change (on PostgreSQL each row updated is a new row version with
// an entry in each of the table's indexes): the condition makes
// PostgreSQL read the granted decisions once into a hash table, which
// pays over all the rows and not over a batch's, so a batch does not use
// it.
var allNeedSteps = needSteps + ` AND (step <> ` + codeStep + ` OR chapter_step <> ` + chapterStep + `)`

var (
	codeStep    = stepOf("x.code = fact_codes.code")
	chapterStep = stepOf("substr(x.code, 1, 2) = substr(fact_codes.code, 1, 2)")
)

func stepOf(same string) string {
	exists := func(source string) string {
		return `EXISTS (SELECT 1 FROM fact_codes x WHERE x.tenant_id = fact_codes.tenant_id AND x.source = '` + source +
			`' AND x.case_key = fact_codes.case_key AND ` + same + `)`
	}
	return `CASE WHEN NOT EXISTS (SELECT 1 FROM fact_decisions d WHERE d.tenant_id = fact_codes.tenant_id
		AND d.case_key = fact_codes.case_key AND d.` + granted + `) THEN 0
		WHEN NOT ` + exists("plan") + ` THEN 1 WHEN NOT ` + exists("performed") + ` THEN 2 ELSE 3 END`
}

// staleSummaries is the meta row that says the summaries, first
// decisions and steps are to be counted again from the facts: written by
// a rebuild before it projects (and by the migration that made them),
// removed by refresh.
const staleSummaries = "summaries"

// markStale records that the summaries are to be counted again.
func (s *Store) markStale(ctx context.Context) error {
	return s.update(ctx, func(t *tx) error {
		return t.exec(`INSERT INTO meta (name, value) VALUES (?, 'stale') ON CONFLICT (name) DO NOTHING`, staleSummaries)
	})
}

// refreshIfStale counts the summaries again when they are marked stale:
// after a rebuild that stopped, or the migration that made them.
func (s *Store) refreshIfStale(ctx context.Context) error {
	var v string
	err := s.read.QueryRowContext(ctx, rebind(s.pg, `SELECT value FROM meta WHERE name = ?`), staleSummaries).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("analytics: summaries: %w", err)
	}
	return s.refresh(ctx)
}

// refresh counts every tenant's first decisions, steps of assessed codes
// and summaries from the facts, in one transaction that waits for any
// batch being projected.
func (s *Store) refresh(ctx context.Context) error {
	err := s.update(ctx, func(t *tx) error {
		if t.pg {
			if err := t.exec(pgPlanning); err != nil {
				return err
			}
			if err := t.exec(`SELECT tenant_id FROM cursors FOR UPDATE`); err != nil {
				return err
			}
		}
		for _, q := range []string{firstDecisions, allNeedSteps} {
			if err := t.exec(q); err != nil {
				return err
			}
		}
		if err := refreshNeeds(t); err != nil {
			return fmt.Errorf("sum_needs: %w", err)
		}
		for _, sm := range summaries {
			if err := t.exec(`DELETE FROM ` + sm.table); err != nil {
				return err
			}
			if err := t.exec(`INSERT INTO ` + sm.table + ` (` + sm.columns() + `) ` + sm.count("", "1 = 1")); err != nil {
				return fmt.Errorf("%s: %w", sm.table, err)
			}
		}
		return t.exec(`DELETE FROM meta WHERE name = ?`, staleSummaries)
	})
	if err != nil {
		return fmt.Errorf("analytics: count summaries: %w", err)
	}
	return nil
}

// delta keeps the summaries, first decisions and steps of one batch: the
// records its events touch, taken out of the summaries before the events
// are applied (take) and put back after (put).
type delta struct {
	t      *tx
	tenant string
	// The cases an event of the batch may change a counted column of: of
	// the case (opened, closed, purged), its decisions (made, executed),
	// deadlines, orders, assessed codes (signed); decisions and orders:
	// those named by their events; entries: providers' reports written
	// or corrected; purged: cases purged; firsts and steps: cases whose
	// first decision or assessed codes' steps may change. (Each purged
	// case is in every set of cases.)
	cases, decisionCases, deadlineCases, orderCases, codeCases keySet
	decisions, orders, entries, purged, firsts, steps          keySet
	// pending: the sets of persons assessed that the last batch left to
	// write (needs.go), read with what the batch's events name.
	pending pendingNeeds
}

// keySet is a set of keys in the order first added.
type keySet struct {
	list []string
	seen map[string]bool
}

func (k *keySet) add(key string) {
	if key == "" || k.seen[key] {
		return
	}
	if k.seen == nil {
		k.seen = map[string]bool{}
	}
	k.seen[key] = true
	k.list = append(k.list, key)
}

// newDelta returns the delta of a batch of tenant's events.
func newDelta(t *tx, tenant string, p pseudonymizer, evs []events.Event) *delta {
	d := &delta{t: t, tenant: tenant}
	for _, e := range evs {
		id := e.CaseID
		if id == "" && e.SubjectType == "case" {
			id = e.SubjectID
		}
		c := p.of("case", id)
		switch e.Type {
		case events.CaseOpened:
			d.cases.add(c)
		case events.CaseClosed:
			d.cases.add(c)
			d.deadlineCases.add(c)
		case events.DecisionMade:
			d.decisionCases.add(c)
			d.firsts.add(c)
			d.steps.add(c)
			d.decisions.add(p.of("decision", e.SubjectID))
		case events.DecisionExecution:
			d.decisionCases.add(c)
			d.decisions.add(p.of("decision", e.SubjectID))
		case events.DeadlineStarted, events.DeadlineMet, events.DeadlineOverdue, events.DeadlineExtended, events.DeadlineMoved:
			d.deadlineCases.add(c)
		case events.OrderSent, events.OrderChanged, events.OrderAccepted, events.OrderReturned, events.OrderEnded:
			d.orderCases.add(c)
			d.orders.add(p.of("order", e.SubjectID))
		case events.FormSigned:
			d.codeCases.add(c)
			d.steps.add(c)
		case events.OrderPlanWritten:
			d.steps.add(c)
		case events.OrderPerformed:
			d.steps.add(c)
			var x struct {
				Entries []struct{ ID, Corrects string } `json:"entries"`
			}
			if json.Unmarshal(e.Payload, &x) == nil {
				for _, en := range x.Entries {
					d.entries.add(p.of("performed", en.ID))
					d.entries.add(p.of("performed", en.Corrects))
				}
			}
		case events.CasePurged:
			d.purged.add(c)
			for _, k := range []*keySet{&d.cases, &d.decisionCases, &d.deadlineCases, &d.orderCases, &d.codeCases} {
				k.add(c)
			}
		}
	}
	return d
}

// in returns SQL for "col is one of keys" and its argument: one
// argument however many keys.
func (d *delta) in(col string, keys keySet) (string, any) { return d.t.anyOf(col, keys.list) }

// cond returns the condition on a fact table's rows that the batch may
// change, and its arguments ("" when none).
func (d *delta) cond(fact string) (string, []any) {
	var conds []string
	var args []any
	or := func(col string, keys keySet) {
		if len(keys.list) == 0 {
			return
		}
		c, a := d.in(col, keys)
		conds, args = append(conds, c), append(args, a)
	}
	switch fact {
	case "fact_cases":
		or("case_key", d.cases)
	case "fact_deadlines":
		or("case_key", d.deadlineCases)
	case "fact_decisions":
		or("case_key", d.decisionCases)
		or("decision_key", d.decisions)
	case "fact_orders":
		or("case_key", d.orderCases)
		or("order_key", d.orders)
	case "fact_codes":
		or("case_key", d.codeCases)
	case "fact_performed":
		or("entry_key", d.entries)
		if len(d.purged.list) > 0 {
			c, a := d.in("case_key", d.purged)
			conds = append(conds, `order_key IN (SELECT order_key FROM fact_orders WHERE tenant_id = ? AND `+c+`)`)
			args = append(args, d.tenant, a)
		}
	}
	return strings.Join(conds, " OR "), args
}

// reads returns what the batch reads before its events (with what they
// name): the sets the last batch left to write.
func (d *delta) reads() []readQuery {
	if d == nil {
		return nil
	}
	return pendingReads(d.tenant, &d.pending)
}

// take writes the sets the last batch left, takes the rows the batch
// may change out of the summaries, and marks the persons whose sets it
// may change. A nil delta (a rebuild's, which counts the summaries
// afterwards) does nothing.
func (d *delta) take() error {
	if d == nil {
		return nil
	}
	if err := writePending(d.t, d.tenant, &d.pending); err != nil {
		return err
	}
	if err := d.markNeeds(true); err != nil {
		return err
	}
	return d.apply("-")
}

// put marks the first decisions and sets the steps of the cases the
// batch touched, puts the rows it may have changed back into the
// summaries, and removes the summary rows left at 0.
func (d *delta) put() error {
	if d == nil {
		return nil
	}
	for _, x := range []struct {
		q    string
		keys keySet
	}{{firstDecisions + ` AND tenant_id = ?`, d.firsts}, {needSteps + ` AND tenant_id = ?`, d.steps}} {
		if len(x.keys.list) == 0 {
			continue
		}
		c, a := d.in("case_key", x.keys)
		if err := d.t.exec(x.q+` AND `+c, d.tenant, a); err != nil {
			return err
		}
	}
	if err := d.apply(""); err != nil {
		return err
	}
	if err := d.markNeeds(false); err != nil {
		return err
	}
	for _, sm := range summaries {
		if err := d.t.exec(`DELETE FROM `+sm.table+` WHERE tenant_id = ? AND n = 0`, d.tenant); err != nil {
			return err
		}
	}
	return nil
}

func (d *delta) apply(sign string) error {
	if d == nil {
		return nil
	}
	for _, sm := range summaries {
		c, args := d.cond(sm.fact)
		if c == "" {
			continue
		}
		if err := d.t.exec(sm.add(sign, "tenant_id = ? AND ("+c+")"), append([]any{d.tenant}, args...)...); err != nil {
			return fmt.Errorf("%s: %w", sm.table, err)
		}
	}
	return nil
}
