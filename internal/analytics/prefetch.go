package analytics

import (
	"encoding/json"

	"github.com/trygg/trygg/internal/events"
)

// prefetch reads what the store holds of every record evs name, with
// extra (the batch's cursor) in front: one round trip on PostgreSQL.
// Applying the events then reads nothing more. Every query reads by a
// table's primary key, so it needs none of the indexes a rebuild drops.
func (a *applier) prefetch(evs []events.Event, extra ...readQuery) error {
	type keys struct {
		list []string
		seen map[string]bool
	}
	add := func(k *keys, key string) {
		if k.seen == nil {
			k.seen = map[string]bool{}
		}
		if !k.seen[key] {
			k.seen[key] = true
			k.list = append(k.list, key)
		}
	}
	var cases, persons, decisions, orders, lines, running, steps, plans keys
	units := false
	for _, e := range evs {
		switch e.Type {
		case events.UnitCreated:
			units = true
		case events.CaseOpened:
			add(&cases, a.caseKey(e))
			add(&persons, a.of("person", e.PersonID))
			units = true
		case events.ApplicationSubmitted:
			add(&cases, a.caseKey(e))
		case events.CaseTransitioned, events.CaseMigrated:
			add(&cases, a.caseKey(e))
			add(&steps, a.caseKey(e))
		case events.CaseClosed:
			add(&cases, a.caseKey(e))
			add(&steps, a.caseKey(e))
			add(&running, a.caseKey(e))
		case events.DecisionMade:
			add(&cases, a.caseKey(e))
			add(&decisions, a.of("decision", e.SubjectID))
		case events.DecisionExecution:
			add(&decisions, a.of("decision", e.SubjectID))
		case events.DeadlineStarted, events.DeadlineMet, events.DeadlineOverdue, events.DeadlineExtended, events.DeadlineMoved:
			add(&cases, a.caseKey(e))
			add(&running, a.caseKey(e))
		case events.OrderSent, events.OrderChanged, events.OrderAccepted, events.OrderReturned, events.OrderEnded:
			add(&cases, a.caseKey(e))
			add(&orders, a.of("order", e.SubjectID))
			var o struct {
				DecisionID string `json:"decision_id"`
			}
			if json.Unmarshal(e.Payload, &o) == nil {
				add(&decisions, a.of("decision", o.DecisionID))
			}
			units = true
		case events.OrderPlanWritten:
			add(&cases, a.caseKey(e))
			add(&orders, a.of("order", e.SubjectID))
			add(&plans, a.of("order", e.SubjectID))
		case events.OrderPerformed:
			add(&orders, a.of("order", e.SubjectID))
		case events.FormSigned:
			add(&cases, a.caseKey(e))
		case events.PaymentProposed, events.PaymentPayeeChosen, events.PaymentAttested, events.PaymentPaid, events.PaymentRejected:
			add(&cases, a.caseKey(e))
			add(&lines, a.of("payment_line", e.SubjectID))
		case events.PaymentStopped:
			add(&cases, a.caseKey(e))
			add(&lines, a.of("payment_line", e.SubjectID))
			var p struct {
				Reverses string `json:"reverses"`
			}
			if json.Unmarshal(e.Payload, &p) == nil {
				add(&lines, a.of("payment_line", p.Reverses))
			}
		}
	}
	qs := extra
	if len(cases.list) > 0 {
		qs = append(qs, a.fetchCases(cases.list))
	}
	if len(persons.list) > 0 {
		qs = append(qs, a.fetchPersons(persons.list))
	}
	if units {
		qs = append(qs, a.fetchUnits())
	}
	if len(decisions.list) > 0 {
		qs = append(qs, a.fetchDecisions(decisions.list))
	}
	if len(orders.list) > 0 {
		qs = append(qs, a.fetchOrders(orders.list))
	}
	if len(lines.list) > 0 {
		qs = append(qs, a.fetchLines(lines.list))
	}
	if len(running.list) > 0 {
		qs = append(qs, a.fetchRunning(running.list))
	}
	if len(steps.list) > 0 {
		qs = append(qs, a.fetchOpenSteps(steps.list))
	}
	if len(plans.list) > 0 {
		qs = append(qs, a.fetchPlanCodes(plans.list))
	}
	if len(qs) == 0 {
		return nil
	}
	return a.tx.read(qs...)
}

// fetchCases reads cases and their persons. What the batch knows
// already stays: the store's rows are as they were before it.
func (a *applier) fetchCases(keys []string) readQuery {
	in, arg := a.tx.anyOf("c.case_key", keys)
	return readQuery{
		sql: `SELECT c.case_key, c.person_key, c.case_type, c.unit_id, c.district_id, c.channel, c.received_date, c.sex,
			COALESCE(p.birth_month, ''), COALESCE(p.sex, '')
			FROM fact_cases c LEFT JOIN dim_persons p ON p.tenant_id = c.tenant_id AND p.person_key = c.person_key
			WHERE c.tenant_id = ? AND ` + in,
		args: []any{a.tenant, arg},
		row: func(r rowsIter) error {
			var k, born, sex string
			c := caseFacts{exists: true}
			if err := r.Scan(&k, &c.person, &c.caseType, &c.unit, &c.district, &c.channel, &c.received, &c.sex, &born, &sex); err != nil {
				return err
			}
			if a.cases == nil {
				a.cases = map[string]*caseEntry{}
			}
			if _, ok := a.cases[k]; !ok {
				a.cases[k] = &caseEntry{exists: true, facts: c}
			}
			if a.persons == nil {
				a.persons = map[string][2]string{}
			}
			if _, ok := a.persons[c.person]; !ok {
				a.persons[c.person] = [2]string{born, sex}
			}
			return nil
		},
		done: func() {
			if a.cases == nil {
				a.cases = map[string]*caseEntry{}
			}
			for _, k := range keys {
				if _, ok := a.cases[k]; !ok {
					a.cases[k] = &caseEntry{}
				}
			}
		},
	}
}

func (a *applier) fetchPersons(keys []string) readQuery {
	in, arg := a.tx.anyOf("person_key", keys)
	if a.persons == nil {
		a.persons = map[string][2]string{}
	}
	found := map[string][2]string{}
	return readQuery{
		sql:  `SELECT person_key, birth_month, sex FROM dim_persons WHERE tenant_id = ? AND ` + in,
		args: []any{a.tenant, arg},
		row: func(r rowsIter) error {
			var k, born, sex string
			if err := r.Scan(&k, &born, &sex); err != nil {
				return err
			}
			found[k] = [2]string{born, sex}
			return nil
		},
		done: func() {
			for _, k := range keys {
				if _, ok := a.persons[k]; !ok {
					a.persons[k] = found[k] // a person not registered: "", ""
				}
			}
		},
	}
}

func (a *applier) fetchUnits() readQuery {
	units := map[string][2]string{}
	return readQuery{
		sql:  `SELECT unit_id, path, district_id FROM dim_units WHERE tenant_id = ?`,
		args: []any{a.tenant},
		row: func(r rowsIter) error {
			var id, path, district string
			if err := r.Scan(&id, &path, &district); err != nil {
				return err
			}
			units[id] = [2]string{path, district}
			return nil
		},
		done: func() {
			if a.units == nil {
				a.units = units
			}
		},
	}
}

func (a *applier) fetchDecisions(keys []string) readQuery {
	in, arg := a.tx.anyOf("decision_key", keys)
	if a.decisions == nil {
		a.decisions = map[string]*decisionEntry{}
	}
	return readQuery{
		sql:  `SELECT decision_key, amount_period FROM fact_decisions WHERE tenant_id = ? AND ` + in,
		args: []any{a.tenant, arg},
		row: func(r rowsIter) error {
			var k, period string
			if err := r.Scan(&k, &period); err != nil {
				return err
			}
			if _, ok := a.decisions[k]; !ok {
				a.decisions[k] = &decisionEntry{exists: true, period: period}
			}
			return nil
		},
		done: func() {
			for _, k := range keys {
				if _, ok := a.decisions[k]; !ok {
					a.decisions[k] = &decisionEntry{}
				}
			}
		},
	}
}

func (a *applier) fetchOrders(keys []string) readQuery {
	in, arg := a.tx.anyOf("order_key", keys)
	if a.orders == nil {
		a.orders = map[string]*orderEntry{}
	}
	return readQuery{
		sql:  `SELECT order_key, person_key, insats, unit_id, district_id, case_type FROM fact_orders WHERE tenant_id = ? AND ` + in,
		args: []any{a.tenant, arg},
		row: func(r rowsIter) error {
			var k string
			var o orderFacts
			if err := r.Scan(&k, &o.person, &o.insats, &o.unit, &o.district, &o.caseType); err != nil {
				return err
			}
			if _, ok := a.orders[k]; !ok {
				a.orders[k] = &orderEntry{exists: true, facts: o}
			}
			return nil
		},
		done: func() {
			for _, k := range keys {
				if _, ok := a.orders[k]; !ok {
					a.orders[k] = &orderEntry{}
				}
			}
		},
	}
}

func (a *applier) fetchLines(keys []string) readQuery {
	in, arg := a.tx.anyOf("line_key", keys)
	if a.lines == nil {
		a.lines = map[string]*lineEntry{}
	}
	return readQuery{
		sql:  `SELECT line_key, decision_key, payee_category, due_date FROM fact_payments WHERE tenant_id = ? AND ` + in,
		args: []any{a.tenant, arg},
		row: func(r rowsIter) error {
			var k string
			l := &lineEntry{exists: true}
			if err := r.Scan(&k, &l.decision, &l.category, &l.due); err != nil {
				return err
			}
			if _, ok := a.lines[k]; !ok {
				a.lines[k] = l
			}
			return nil
		},
		done: func() {
			for _, k := range keys {
				if _, ok := a.lines[k]; !ok {
					a.lines[k] = &lineEntry{}
				}
			}
		},
	}
}

// fetchRunning reads the cases' running deadlines, in the order they
// started.
func (a *applier) fetchRunning(keys []string) readQuery {
	in, arg := a.tx.anyOf("case_key", keys)
	if a.running == nil {
		a.running = map[string][]dbDeadline{}
	}
	found := map[string][]dbDeadline{}
	return readQuery{
		sql: `SELECT case_key, deadline_id, due_date FROM fact_deadlines WHERE tenant_id = ? AND ` + in + ` AND status = 'running'
			ORDER BY case_key, deadline_id, started_seq`,
		args: []any{a.tenant, arg},
		row: func(r rowsIter) error {
			var k string
			var d dbDeadline
			if err := r.Scan(&k, &d.id, &d.due); err != nil {
				return err
			}
			found[k] = append(found[k], d)
			return nil
		},
		done: func() {
			for _, k := range keys {
				if _, ok := a.running[k]; !ok {
					a.running[k] = found[k]
				}
			}
		},
	}
}

// fetchOpenSteps reads which of the cases have a step not left.
func (a *applier) fetchOpenSteps(keys []string) readQuery {
	in, arg := a.tx.anyOf("case_key", keys)
	if a.openSteps == nil {
		a.openSteps = map[string]bool{}
	}
	found := map[string]bool{}
	return readQuery{
		sql:  `SELECT DISTINCT case_key FROM fact_case_steps WHERE tenant_id = ? AND ` + in + ` AND left_at = 0`,
		args: []any{a.tenant, arg},
		row: func(r rowsIter) error {
			var k string
			if err := r.Scan(&k); err != nil {
				return err
			}
			found[k] = true
			return nil
		},
		done: func() {
			for _, k := range keys {
				if _, ok := a.openSteps[k]; !ok {
					a.openSteps[k] = found[k]
				}
			}
		},
	}
}

// fetchPlanCodes reads which of the orders have their plan's codes in
// the store.
func (a *applier) fetchPlanCodes(keys []string) readQuery {
	in, arg := a.tx.anyOf("source_key", keys)
	if a.planCodes == nil {
		a.planCodes = map[string]bool{}
	}
	found := map[string]bool{}
	return readQuery{
		sql:  `SELECT DISTINCT source_key FROM fact_codes WHERE tenant_id = ? AND source = 'plan' AND ` + in,
		args: []any{a.tenant, arg},
		row: func(r rowsIter) error {
			var k string
			if err := r.Scan(&k); err != nil {
				return err
			}
			found[k] = true
			return nil
		},
		done: func() {
			for _, k := range keys {
				if _, ok := a.planCodes[k]; !ok {
					a.planCodes[k] = found[k]
				}
			}
		},
	}
}
