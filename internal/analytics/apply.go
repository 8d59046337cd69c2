package analytics

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
)

// applier writes the facts of one batch of a tenant's events inside the
// batch's transaction. Everything it writes comes from the events and
// from what earlier events wrote, so projecting the log again from the
// start gives the same rows.
type applier struct {
	tx     *tx
	tenant string
	p      pseudonymizer

	// What the batch read or wrote of cases, persons and units' districts,
	// so the events of a case read its facts once a batch. Each is kept
	// equal to its row: what writes them updates them or forgets them.
	cases     map[string]caseFacts
	persons   map[string][2]string
	districts map[string]string
	// orders: what an order's reports repeat from it, which no later
	// event of the order changes.
	orders map[string]orderFacts
	// dims are the dimension rows the batch has written, as their
	// statement's arguments: writing one again would change nothing.
	dims map[string]bool
	// purgedCases and purgedPersons are the keys the batch's case.purged
	// events forget at its end (purge.go).
	purgedCases, purgedPersons []string
}

// dim writes a dimension row with ON CONFLICT DO NOTHING unless the
// batch wrote the same already.
func (a *applier) dim(query string, args ...any) error {
	k := query + fmt.Sprintf("%q", args)
	if a.dims[k] {
		return nil
	}
	if a.dims == nil {
		a.dims = map[string]bool{}
	}
	a.dims[k] = true
	return a.tx.exec(query, args...)
}

// apply projects one event; a type analysis does not count is skipped.
func (a *applier) apply(e events.Event) error {
	var err error
	switch e.Type {
	case events.UnitCreated:
		err = a.unitCreated(e)
	case events.PersonRegistered:
		err = a.personRegistered(e)
	case events.CaseOpened:
		err = a.caseOpened(e)
	case events.ApplicationSubmitted:
		key := a.caseKey(e)
		if c, ok := a.cases[key]; ok && c.exists {
			c.channel = "portal"
			a.cases[key] = c
		}
		err = a.tx.exec(`UPDATE fact_cases SET channel = 'portal' WHERE tenant_id = ? AND case_key = ?`, a.tenant, key)
	case events.CaseTransitioned:
		var m struct{ From, To string }
		if err = json.Unmarshal(e.Payload, &m); err == nil {
			err = a.enterStep(e, m.To)
		}
	case events.CaseMigrated:
		var m struct {
			FromStep string `json:"from_step"`
			ToStep   string `json:"to_step"`
		}
		if err = json.Unmarshal(e.Payload, &m); err == nil && m.FromStep != m.ToStep {
			err = a.enterStep(e, m.ToStep)
		}
	case events.CaseClosed:
		err = a.caseClosed(e)
	case events.DecisionMade:
		err = a.decisionMade(e)
	case events.DecisionExecution:
		var x struct{ Kind, On string }
		if err = json.Unmarshal(e.Payload, &x); err == nil && x.Kind == "executed" {
			err = a.tx.exec(`UPDATE fact_decisions SET executed_date = ? WHERE tenant_id = ? AND decision_key = ? AND executed_date = ''`,
				x.On, a.tenant, a.p.of("decision", e.SubjectID))
		}
	case events.DeadlineStarted, events.DeadlineMet, events.DeadlineOverdue, events.DeadlineExtended, events.DeadlineMoved:
		err = a.deadline(e)
	case events.OrderSent, events.OrderChanged, events.OrderAccepted, events.OrderReturned, events.OrderEnded:
		err = a.order(e)
	case events.OrderPlanWritten:
		err = a.planWritten(e)
	case events.OrderPerformed:
		err = a.performed(e)
	case events.FormSigned:
		err = a.formSigned(e)
	case events.PaymentProposed, events.PaymentPayeeChosen, events.PaymentAttested, events.PaymentStopped,
		events.PaymentPaid, events.PaymentRejected:
		err = a.payment(e)
	case events.CasePurged:
		err = a.casePurged(e)
	}
	if err != nil {
		return fmt.Errorf("analytics: event %d (%s): %w", e.Seq, e.Type, err)
	}
	return nil
}

func (a *applier) caseKey(e events.Event) string {
	id := e.CaseID
	if id == "" && e.SubjectType == "case" {
		id = e.SubjectID
	}
	return a.p.of("case", id)
}

// day is the Swedish date of a moment.
func day(t time.Time) string { return calendar.Today(t) }

func (a *applier) unitCreated(e events.Event) error {
	var u struct {
		ID       string `json:"id"`
		ParentID string `json:"parent_id"`
		Name     string `json:"name"`
		Kind     string `json:"kind"`
	}
	if err := json.Unmarshal(e.Payload, &u); err != nil {
		return err
	}
	if u.ID == "" {
		u.ID = e.SubjectID
	}
	path := "/" + u.ID + "/"
	if u.ParentID != "" {
		var parent string
		err := a.tx.row(`SELECT path FROM dim_units WHERE tenant_id = ? AND unit_id = ?`, a.tenant, u.ParentID).Scan(&parent)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if parent == "" {
			parent = "/" + u.ParentID + "/"
		}
		path = parent + u.ID + "/"
	}
	// The district is the unit the unit belongs to: its parent (a
	// department's units are its district's), a root its own.
	district := u.ParentID
	if district == "" {
		district = u.ID
	}
	a.districts = nil
	return a.tx.exec(`INSERT INTO dim_units (tenant_id, unit_id, parent_id, kind, name, path, district_id) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, unit_id) DO UPDATE SET parent_id = excluded.parent_id, kind = excluded.kind, name = excluded.name,
		path = excluded.path, district_id = excluded.district_id`, a.tenant, u.ID, u.ParentID, u.Kind, u.Name, path, district)
}

func (a *applier) personRegistered(e events.Event) error {
	var p struct {
		BirthMonth string `json:"birth_month"`
		Sex        string `json:"sex"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return err
	}
	id := e.PersonID
	if id == "" {
		id = e.SubjectID
	}
	key := a.p.of("person", id)
	if a.persons == nil {
		a.persons = map[string][2]string{}
	}
	a.persons[key] = [2]string{p.BirthMonth, p.Sex}
	return a.tx.exec(`INSERT INTO dim_persons (tenant_id, person_key, birth_month, sex) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, person_key) DO UPDATE SET birth_month = excluded.birth_month, sex = excluded.sex`,
		a.tenant, key, p.BirthMonth, p.Sex)
}

// person returns what the analysis store knows of a person: month of
// birth and sex ("" when not known).
func (a *applier) person(key string) (birthMonth, sex string, err error) {
	if p, ok := a.persons[key]; ok {
		return p[0], p[1], nil
	}
	err = a.tx.row(`SELECT birth_month, sex FROM dim_persons WHERE tenant_id = ? AND person_key = ?`, a.tenant, key).Scan(&birthMonth, &sex)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	if err == nil {
		if a.persons == nil {
			a.persons = map[string][2]string{}
		}
		a.persons[key] = [2]string{birthMonth, sex}
	}
	return birthMonth, sex, err
}

func (a *applier) district(unit string) (string, error) {
	if d, ok := a.districts[unit]; ok {
		return d, nil
	}
	var d string
	err := a.tx.row(`SELECT district_id FROM dim_units WHERE tenant_id = ? AND unit_id = ?`, a.tenant, unit).Scan(&d)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	if err != nil {
		return "", err
	}
	if a.districts == nil {
		a.districts = map[string]string{}
	}
	a.districts[unit] = d
	return d, nil
}

func (a *applier) caseOpened(e events.Event) error {
	var c struct {
		UnitID       string `json:"unit_id"`
		CaseType     string `json:"case_type"`
		Step         string `json:"step"`
		ReceivedDate string `json:"received_date"`
	}
	if err := json.Unmarshal(e.Payload, &c); err != nil {
		return err
	}
	if c.ReceivedDate == "" {
		c.ReceivedDate = day(e.At)
	}
	person := a.p.of("person", e.PersonID)
	born, sex, err := a.person(person)
	if err != nil {
		return err
	}
	district, err := a.district(c.UnitID)
	if err != nil {
		return err
	}
	key := a.caseKey(e)
	delete(a.cases, key) // read again: a case opened twice keeps its first facts
	if err := a.tx.exec(`INSERT INTO fact_cases (tenant_id, case_key, person_key, case_type, unit_id, district_id, channel, received_date,
		opened_at, opened_date, closed_at, closed_date, step, sex, age_band) VALUES (?, ?, ?, ?, ?, ?, 'paper', ?, ?, ?, 0, '', ?, ?, ?)
		ON CONFLICT (tenant_id, case_key) DO NOTHING`,
		a.tenant, key, person, c.CaseType, c.UnitID, district, c.ReceivedDate, e.At.UnixMicro(), day(e.At), c.Step, sex,
		AgeBand(born, c.ReceivedDate)); err != nil {
		return err
	}
	if err := a.dim(`INSERT INTO dim_case_types (tenant_id, case_type) VALUES (?, ?) ON CONFLICT (tenant_id, case_type) DO NOTHING`,
		a.tenant, c.CaseType); err != nil {
		return err
	}
	return a.tx.exec(`INSERT INTO fact_case_steps (tenant_id, case_key, entered_seq, step, entered_at, left_at, duration_seconds)
		VALUES (?, ?, ?, ?, ?, 0, 0) ON CONFLICT (tenant_id, case_key, entered_seq) DO NOTHING`, a.tenant, key, e.Seq, c.Step, e.At.UnixMicro())
}

// leaveStep ends the case's step being in at e.
func (a *applier) leaveStep(e events.Event, key string) error {
	at := e.At.UnixMicro()
	return a.tx.exec(`UPDATE fact_case_steps SET left_at = ?, duration_seconds = (? - entered_at) / 1000000
		WHERE tenant_id = ? AND case_key = ? AND left_at = 0`, at, at, a.tenant, key)
}

func (a *applier) enterStep(e events.Event, step string) error {
	key := a.caseKey(e)
	if err := a.leaveStep(e, key); err != nil {
		return err
	}
	if err := a.tx.exec(`UPDATE fact_cases SET step = ? WHERE tenant_id = ? AND case_key = ?`, step, a.tenant, key); err != nil {
		return err
	}
	return a.tx.exec(`INSERT INTO fact_case_steps (tenant_id, case_key, entered_seq, step, entered_at, left_at, duration_seconds)
		VALUES (?, ?, ?, ?, ?, 0, 0) ON CONFLICT (tenant_id, case_key, entered_seq) DO NOTHING`, a.tenant, key, e.Seq, step, e.At.UnixMicro())
}

func (a *applier) caseClosed(e events.Event) error {
	key := a.caseKey(e)
	if err := a.leaveStep(e, key); err != nil {
		return err
	}
	if err := a.tx.exec(`UPDATE fact_cases SET closed_at = ?, closed_date = ? WHERE tenant_id = ? AND case_key = ?`,
		e.At.UnixMicro(), day(e.At), a.tenant, key); err != nil {
		return err
	}
	// Deadlines still running end with the case.
	return a.tx.exec(`UPDATE fact_deadlines SET status = 'closed' WHERE tenant_id = ? AND case_key = ? AND status = 'running'`, a.tenant, key)
}

// orderFacts is what a report's facts repeat from its order.
type orderFacts struct{ person, insats, unit, district, caseType string }

// caseFacts is what facts about a case's records repeat from the case.
type caseFacts struct {
	person, caseType, unit, district, channel, received, sex, born string
	exists                                                         bool
}

func (a *applier) caseFacts(key string) (caseFacts, error) {
	c, ok := a.cases[key]
	if !ok {
		err := a.tx.row(`SELECT person_key, case_type, unit_id, district_id, channel, received_date, sex FROM fact_cases
		WHERE tenant_id = ? AND case_key = ?`, a.tenant, key).Scan(&c.person, &c.caseType, &c.unit, &c.district, &c.channel, &c.received, &c.sex)
		if errors.Is(err, sql.ErrNoRows) {
			return caseFacts{}, nil
		}
		if err != nil {
			return c, err
		}
		c.exists = true
		if a.cases == nil {
			a.cases = map[string]caseFacts{}
		}
		a.cases[key] = c
	}
	var err error
	c.born, _, err = a.person(c.person)
	return c, err
}

func (a *applier) decisionMade(e events.Event) error {
	var d struct {
		Insats       string `json:"insats"`
		Outcome      string `json:"outcome"`
		ValidFrom    string `json:"valid_from"`
		ValidTo      string `json:"valid_to"`
		Amount       int64  `json:"amount"`
		AmountUnit   string `json:"amount_unit"`
		AmountPeriod string `json:"amount_period"`
	}
	if err := json.Unmarshal(e.Payload, &d); err != nil {
		return err
	}
	key := a.caseKey(e)
	c, err := a.caseFacts(key)
	if err != nil {
		return err
	}
	decided := day(e.At)
	days := 0
	if c.received != "" {
		// A decision dated before its case was received is wrong data
		// (a received date typed in the future): it counts as decided the
		// day it was received, never as a negative time.
		days = max(0, DaysBetween(c.received, decided))
	}
	if err := a.tx.exec(`INSERT INTO fact_decisions (tenant_id, decision_key, case_key, person_key, case_type, unit_id, district_id, channel,
		insats, outcome, amount, amount_unit, amount_period, valid_from, valid_to, decided_at, decided_date, received_date, days_to_decision,
		executed_date, sex, age_band, execute_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)
		ON CONFLICT (tenant_id, decision_key) DO NOTHING`,
		a.tenant, a.p.of("decision", e.SubjectID), key, c.person, c.caseType, c.unit, c.district, c.channel, d.Insats, d.Outcome, d.Amount,
		d.AmountUnit, d.AmountPeriod, d.ValidFrom, d.ValidTo, e.At.UnixMicro(), decided, c.received, days, c.sex, AgeBand(c.born, decided),
		ExecuteBy(decided)); err != nil {
		return err
	}
	return a.tx.exec(`INSERT INTO dim_insatser (tenant_id, case_type, insats, amount_unit, amount_period) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, case_type, insats) DO UPDATE SET amount_unit = excluded.amount_unit, amount_period = excluded.amount_period`,
		a.tenant, c.caseType, d.Insats, d.AmountUnit, d.AmountPeriod)
}

func (a *applier) deadline(e events.Event) error {
	var d struct {
		DeadlineID string `json:"deadline_id"`
		DueDate    string `json:"due_date"`
	}
	if err := json.Unmarshal(e.Payload, &d); err != nil {
		return err
	}
	key := a.caseKey(e)
	const running = ` WHERE tenant_id = ? AND case_key = ? AND deadline_id = ? AND status = 'running'`
	switch e.Type {
	case events.DeadlineStarted:
		// A deadline that starts again replaces the running one.
		if err := a.tx.exec(`UPDATE fact_deadlines SET status = 'restarted'`+running, a.tenant, key, d.DeadlineID); err != nil {
			return err
		}
		c, err := a.caseFacts(key)
		if err != nil {
			return err
		}
		return a.tx.exec(`INSERT INTO fact_deadlines (tenant_id, case_key, deadline_id, started_seq, person_key, case_type, unit_id, district_id,
			started_date, due_date, met_date, overdue, status, days_late) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, 'running', 0)
			ON CONFLICT (tenant_id, case_key, deadline_id, started_seq) DO NOTHING`,
			a.tenant, key, d.DeadlineID, e.Seq, c.person, c.caseType, c.unit, c.district, day(e.At), d.DueDate)
	case events.DeadlineMet:
		var due string
		err := a.tx.row(`SELECT due_date FROM fact_deadlines`+running, a.tenant, key, d.DeadlineID).Scan(&due)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		met := day(e.At)
		return a.tx.exec(`UPDATE fact_deadlines SET status = 'met', met_date = ?, days_late = ?`+running,
			met, max(0, DaysBetween(due, met)), a.tenant, key, d.DeadlineID)
	case events.DeadlineOverdue:
		return a.tx.exec(`UPDATE fact_deadlines SET overdue = 1`+running, a.tenant, key, d.DeadlineID)
	default: // extended, moved: a new due date
		return a.tx.exec(`UPDATE fact_deadlines SET due_date = ?`+running, d.DueDate, a.tenant, key, d.DeadlineID)
	}
}

func (a *applier) order(e events.Event) error {
	var o struct {
		DecisionID string `json:"decision_id"`
		ProviderID string `json:"provider_id"`
		UnitID     string `json:"unit_id"`
		Insats     string `json:"insats"`
		Amount     int64  `json:"amount"`
		AmountUnit string `json:"amount_unit"`
		ValidFrom  string `json:"valid_from"`
		ValidTo    string `json:"valid_to"`
		Status     string `json:"status"`
		StartDate  string `json:"start_date"`
		EndedOn    string `json:"ended_on"`
		EndReason  string `json:"end_reason"`
	}
	if err := json.Unmarshal(e.Payload, &o); err != nil {
		return err
	}
	key := a.caseKey(e)
	c, err := a.caseFacts(key)
	if err != nil {
		return err
	}
	decision := a.p.of("decision", o.DecisionID)
	var period string
	err = a.tx.row(`SELECT amount_period FROM fact_decisions WHERE tenant_id = ? AND decision_key = ?`, a.tenant, decision).Scan(&period)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	district, err := a.district(o.UnitID)
	if err != nil {
		return err
	}
	return a.tx.exec(`INSERT INTO fact_orders (tenant_id, order_key, case_key, decision_key, person_key, case_type, unit_id, district_id,
		provider_id, insats, amount, amount_unit, amount_period, valid_from, valid_to, status, sent_date, start_date, ended_on, end_reason,
		plan_version, plan_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')
		ON CONFLICT (tenant_id, order_key) DO UPDATE SET decision_key = excluded.decision_key, provider_id = excluded.provider_id,
		amount = excluded.amount, amount_unit = excluded.amount_unit, amount_period = excluded.amount_period, valid_from = excluded.valid_from,
		valid_to = excluded.valid_to, status = excluded.status, start_date = excluded.start_date, ended_on = excluded.ended_on,
		end_reason = excluded.end_reason`,
		a.tenant, a.p.of("order", e.SubjectID), key, decision, c.person, c.caseType, o.UnitID, district, o.ProviderID, o.Insats, o.Amount,
		o.AmountUnit, period, o.ValidFrom, o.ValidTo, o.Status, day(e.At), o.StartDate, o.EndedOn, o.EndReason)
}

func (a *applier) planWritten(e events.Event) error {
	var p struct {
		Version       int64    `json:"version"`
		Participation string   `json:"participation"`
		Activities    int64    `json:"activities"`
		Codes         []string `json:"codes"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return err
	}
	order := a.p.of("order", e.SubjectID)
	written := day(e.At)
	if err := a.tx.exec(`INSERT INTO fact_plans (tenant_id, order_key, version, written_date, participation, activities) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, order_key, version) DO NOTHING`, a.tenant, order, p.Version, written, p.Participation, p.Activities); err != nil {
		return err
	}
	if err := a.tx.exec(`UPDATE fact_orders SET plan_version = ?, plan_date = CASE WHEN plan_date = '' THEN ? ELSE plan_date END
		WHERE tenant_id = ? AND order_key = ?`, p.Version, written, a.tenant, order); err != nil {
		return err
	}
	// The newest version's codes are the plan's.
	if err := a.tx.exec(`DELETE FROM fact_codes WHERE tenant_id = ? AND source = 'plan' AND source_key = ?`, a.tenant, order); err != nil {
		return err
	}
	c, err := a.caseFacts(a.caseKey(e))
	if err != nil {
		return err
	}
	for _, code := range p.Codes {
		if err := a.code("plan", order, "", code, 0, written, a.caseKey(e), c); err != nil {
			return err
		}
	}
	return nil
}

// code records a code at its source, and the code in the dimension.
func (a *applier) code(source, sourceKey, system, code string, qualifier int, on, caseKey string, c caseFacts) error {
	if code == "" {
		return nil
	}
	if err := a.tx.exec(`INSERT INTO fact_codes (tenant_id, source, source_key, code_system, code, case_key, person_key, district_id, qualifier, on_date)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, source, source_key, code_system, code) DO UPDATE SET qualifier = excluded.qualifier`,
		a.tenant, source, sourceKey, system, code, caseKey, c.person, c.district, qualifier, on); err != nil {
		return err
	}
	return a.dim(`INSERT INTO dim_codes (tenant_id, code_system, code) VALUES (?, ?, ?) ON CONFLICT (tenant_id, code_system, code) DO NOTHING`,
		a.tenant, system, code)
}

func (a *applier) performed(e events.Event) error {
	var p struct {
		Entries []struct {
			ID         string   `json:"id"`
			On         string   `json:"on"`
			Minutes    int64    `json:"minutes"`
			Activities []string `json:"activities"`
			Deviation  string   `json:"deviation"`
			Corrects   string   `json:"corrects"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return err
	}
	order := a.p.of("order", e.SubjectID)
	o, ok := a.orders[order]
	if !ok {
		err := a.tx.row(`SELECT person_key, insats, unit_id, district_id, case_type FROM fact_orders WHERE tenant_id = ? AND order_key = ?`,
			a.tenant, order).Scan(&o.person, &o.insats, &o.unit, &o.district, &o.caseType)
		if err == nil {
			if a.orders == nil {
				a.orders = map[string]orderFacts{}
			}
			a.orders[order] = o
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	caseKey := a.caseKey(e)
	c := caseFacts{person: o.person, district: o.district}
	for _, x := range p.Entries {
		entry := a.p.of("performed", x.ID)
		if x.Corrects != "" {
			if err := a.tx.exec(`UPDATE fact_performed SET corrected = 1 WHERE tenant_id = ? AND entry_key = ?`,
				a.tenant, a.p.of("performed", x.Corrects)); err != nil {
				return err
			}
		}
		if err := a.tx.exec(`INSERT INTO fact_performed (tenant_id, entry_key, order_key, person_key, insats, unit_id, district_id, case_type,
			day, minutes, deviation, corrected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (tenant_id, entry_key) DO NOTHING`,
			a.tenant, entry, order, o.person, o.insats, o.unit, o.district, o.caseType, x.On, x.Minutes, x.Deviation); err != nil {
			return err
		}
		for _, code := range x.Activities {
			if err := a.code("performed", entry, "", code, 0, x.On, caseKey, c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *applier) formSigned(e events.Event) error {
	var f struct {
		Supersedes string `json:"supersedes"`
		Codes      []struct {
			CodeSystem string `json:"code_system"`
			Code       string `json:"code"`
			Qualifier  int    `json:"qualifier"`
		} `json:"codes"`
	}
	if err := json.Unmarshal(e.Payload, &f); err != nil {
		return err
	}
	// A new version of a form replaces the earlier one's assessment.
	if f.Supersedes != "" {
		if err := a.tx.exec(`DELETE FROM fact_codes WHERE tenant_id = ? AND source = 'need' AND source_key = ?`,
			a.tenant, a.p.of("form_entry", f.Supersedes)); err != nil {
			return err
		}
	}
	if len(f.Codes) == 0 {
		return nil
	}
	key := a.caseKey(e)
	c, err := a.caseFacts(key)
	if err != nil {
		return err
	}
	entry := a.p.of("form_entry", e.SubjectID)
	for _, x := range f.Codes {
		if err := a.code("need", entry, x.CodeSystem, x.Code, x.Qualifier, day(e.At), key, c); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) payment(e events.Event) error {
	var p struct {
		DecisionID    string `json:"decision_id"`
		Item          string `json:"item"`
		Period        string `json:"period"`
		Amount        int64  `json:"amount"`
		PayeeCategory string `json:"payee_category"`
		Category      string `json:"category"`
		DueDate       string `json:"due_date"`
		Reverses      string `json:"reverses"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return err
	}
	line := a.p.of("payment_line", e.SubjectID)
	on := day(e.At)
	where := ` WHERE tenant_id = ? AND line_key = ?`
	switch e.Type {
	case events.PaymentProposed, events.PaymentStopped:
		key := a.caseKey(e)
		c, err := a.caseFacts(key)
		if err != nil {
			return err
		}
		status, reverses, decision := "proposed", "", a.p.of("decision", p.DecisionID)
		if e.Type == events.PaymentStopped {
			status, reverses = "stop", a.p.of("payment_line", p.Reverses)
			var d, category, due string
			err := a.tx.row(`SELECT decision_key, payee_category, due_date FROM fact_payments`+where, a.tenant, reverses).Scan(&d, &category, &due)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			decision, p.PayeeCategory, p.DueDate = d, category, due
			if err := a.tx.exec(`UPDATE fact_payments SET status = 'stopped'`+where, a.tenant, reverses); err != nil {
				return err
			}
		}
		return a.tx.exec(`INSERT INTO fact_payments (tenant_id, line_key, case_key, person_key, decision_key, case_type, unit_id, district_id,
			item, period, amount, payee_category, due_date, status, proposed_date, attested_date, settled_date, reverses_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?) ON CONFLICT (tenant_id, line_key) DO NOTHING`,
			a.tenant, line, key, c.person, decision, c.caseType, c.unit, c.district, p.Item, p.Period, p.Amount, p.PayeeCategory, p.DueDate,
			status, on, reverses)
	case events.PaymentPayeeChosen:
		return a.tx.exec(`UPDATE fact_payments SET payee_category = ?`+where, p.Category, a.tenant, line)
	case events.PaymentAttested:
		return a.tx.exec(`UPDATE fact_payments SET status = 'attested', attested_date = ?`+where, on, a.tenant, line)
	case events.PaymentPaid:
		return a.tx.exec(`UPDATE fact_payments SET status = 'paid', settled_date = ?`+where, on, a.tenant, line)
	default: // rejected
		return a.tx.exec(`UPDATE fact_payments SET status = 'rejected', settled_date = ?`+where, on, a.tenant, line)
	}
}

// DaysBetween returns the number of days from the date from to the date
// to (YYYY-MM-DD), negative when to is earlier; 0 when either is not a
// date.
func DaysBetween(from, to string) int {
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(t.Sub(f).Hours() / 24)
}

// AgeBands are the age bands persons are counted in, by age in whole
// years at the date of the fact.
var AgeBands = []struct {
	Name     string
	From, To int // inclusive
}{
	{"0-6", 0, 6}, {"7-12", 7, 12}, {"13-17", 13, 17}, {"18-24", 18, 24}, {"25-44", 25, 44},
	{"45-64", 45, 64}, {"65-79", 65, 79}, {"80+", 80, 200},
}

// AgeBand returns the age band of a person born in birthMonth
// ("YYYY-MM") on the date ("YYYY-MM-DD"), or "" when either is unknown.
// The age is counted in whole months from the first of the birth month
// (the event log keeps no day of birth), so a person counts a year older
// from the start of their birthday's month.
func AgeBand(birthMonth, date string) string {
	b, err1 := time.Parse("2006-01", birthMonth)
	d, err2 := time.Parse(time.DateOnly, date)
	if err1 != nil || err2 != nil {
		return ""
	}
	months := (d.Year()*12 + int(d.Month())) - (b.Year()*12 + int(b.Month()))
	if months < 0 {
		return ""
	}
	age := months / 12
	for _, band := range AgeBands {
		if age >= band.From && age <= band.To {
			return band.Name
		}
	}
	return ""
}
