package analytics

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
)

// applier writes the facts of one batch of a tenant's events inside the
// batch's transaction. Everything it writes comes from the events and
// from what earlier events wrote, so projecting the log again from the
// start gives the same rows.
//
// Before the batch's events are applied, prefetch reads what they name
// from the store (their cases, persons, orders, decisions, payment
// lines, running deadlines, units) in one round trip, so applying them
// reads nothing more; the rows they add are kept in memory and written
// at the end of the batch, many at a time (rows.go).
type applier struct {
	tx     *tx
	tenant string
	p      pseudonymizer

	// What the store holds of the records the batch names, kept equal to
	// the store and the rows the batch added as its events change them.
	// A record not there is read when met (get*).
	cases     map[string]*caseEntry
	persons   map[string][2]string
	units     map[string][2]string // every unit of the tenant: path, district; nil until read
	decisions map[string]*decisionEntry
	orders    map[string]*orderEntry
	lines     map[string]*lineEntry
	// running: by case, the deadlines running in the store (a case not
	// there: not known).
	running map[string][]dbDeadline
	// openSteps: by case, whether the store has a step of it not left;
	// planCodes: by order, whether the store has codes of its plan (a key
	// not there: not known, so the statement is sent).
	openSteps, planCodes map[string]bool

	// The rows the batch adds (rows.go), with what finds them again.
	newCases      []*caseRow
	steps         []*stepRow
	openNew       map[string][]*stepRow // by case: added steps not left
	newDecisions  []*decisionRow
	newOrders     []*orderRow
	plans         []*planRow
	planSeen      map[planKey]bool
	performedRows []*performedRow
	performedBy   map[string]*performedRow
	deadlines     []*deadlineRow
	runningNew    map[string][]*deadlineRow // by case: added deadlines running
	payments      []*paymentRow
	codeRows      []*codeRow
	codeBy        map[codeKey]*codeRow
	codesOf       map[[2]string][]*codeRow // by source and source key
	dimPersons    map[string][2]string
	dimPersonKeys []string
	dimCaseTypes  []string
	caseTypeSeen  map[string]bool
	dimInsatser   map[insatsKey][2]string
	dimInsatsKeys []insatsKey
	dimCodes      [][2]string
	codeSeen      map[[2]string]bool

	// purgedCases and purgedPersons are the keys the batch's case.purged
	// events forget at its end (purge.go).
	purgedCases, purgedPersons []string

	// pseudonyms made in the batch, by kind and id: a case's events name
	// it many times.
	pseudonyms map[[2]string]string
}

// of returns the pseudonym of id, a record of kind.
func (a *applier) of(kind, id string) string {
	k := [2]string{kind, id}
	if p, ok := a.pseudonyms[k]; ok {
		return p
	}
	if a.pseudonyms == nil {
		a.pseudonyms = map[[2]string]string{}
	}
	p := a.p.of(kind, id)
	a.pseudonyms[k] = p
	return p
}

type planKey struct {
	order   string
	version int64
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
		err = a.applicationSubmitted(a.caseKey(e))
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
			err = a.decisionExecuted(a.of("decision", e.SubjectID), x.On)
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

// finish writes what the batch kept in memory, then forgets what its
// case.purged events purged.
func (a *applier) finish() error {
	if err := a.writeRows(); err != nil {
		return err
	}
	return a.purgeFinish()
}

func (a *applier) caseKey(e events.Event) string {
	id := e.CaseID
	if id == "" && e.SubjectType == "case" {
		id = e.SubjectID
	}
	return a.of("case", id)
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
	if err := a.getUnits(); err != nil {
		return err
	}
	path := "/" + u.ID + "/"
	if u.ParentID != "" {
		parent := a.units[u.ParentID][0]
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
	a.units[u.ID] = [2]string{path, district}
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
	key := a.of("person", id)
	if a.persons == nil {
		a.persons = map[string][2]string{}
	}
	a.persons[key] = [2]string{p.BirthMonth, p.Sex}
	if a.dimPersons == nil {
		a.dimPersons = map[string][2]string{}
	}
	if _, ok := a.dimPersons[key]; !ok {
		a.dimPersonKeys = append(a.dimPersonKeys, key)
	}
	a.dimPersons[key] = [2]string{p.BirthMonth, p.Sex}
	return nil
}

// person returns what the analysis store knows of a person: month of
// birth and sex ("" when not known).
func (a *applier) person(key string) (birthMonth, sex string, err error) {
	if p, ok := a.persons[key]; ok {
		return p[0], p[1], nil
	}
	if err := a.tx.read(a.fetchPersons([]string{key})); err != nil {
		return "", "", err
	}
	p := a.persons[key]
	return p[0], p[1], nil
}

func (a *applier) district(unit string) (string, error) {
	if err := a.getUnits(); err != nil {
		return "", err
	}
	return a.units[unit][1], nil
}

func (a *applier) getUnits() error {
	if a.units != nil {
		return nil
	}
	return a.tx.read(a.fetchUnits())
}

func (a *applier) getCase(key string) (*caseEntry, error) {
	if c, ok := a.cases[key]; ok {
		return c, nil
	}
	if err := a.tx.read(a.fetchCases([]string{key})); err != nil {
		return nil, err
	}
	return a.cases[key], nil
}

// updateCase changes a case's row: the batch's own in memory (mem), one
// in the store with a statement (db).
func (a *applier) updateCase(key string, mem func(*caseRow), db func() error) error {
	c, err := a.getCase(key)
	if err != nil {
		return err
	}
	switch {
	case c.row != nil:
		mem(c.row)
		return nil
	case c.exists:
		return db()
	}
	return nil
}

// applicationSubmitted: the case came from Mina sidor.
func (a *applier) applicationSubmitted(key string) error {
	c, err := a.getCase(key)
	if err != nil {
		return err
	}
	c.facts.channel = "portal"
	return a.updateCase(key, func(r *caseRow) { r.channel = "portal" }, func() error {
		return a.tx.exec(`UPDATE fact_cases SET channel = 'portal' WHERE tenant_id = ? AND case_key = ?`, a.tenant, key)
	})
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
	person := a.of("person", e.PersonID)
	born, sex, err := a.person(person)
	if err != nil {
		return err
	}
	district, err := a.district(c.UnitID)
	if err != nil {
		return err
	}
	key := a.caseKey(e)
	ce, err := a.getCase(key)
	if err != nil {
		return err
	}
	if !ce.exists { // a case opened twice keeps its first facts
		ce.row = &caseRow{key: key, person: person, caseType: c.CaseType, unit: c.UnitID, district: district, channel: "paper",
			received: c.ReceivedDate, openedAt: e.At.UnixMicro(), openedDate: day(e.At), step: c.Step, sex: sex,
			ageBand: AgeBand(born, c.ReceivedDate)}
		a.newCases = append(a.newCases, ce.row)
		ce.exists = true
		ce.facts = caseFacts{person: person, caseType: c.CaseType, unit: c.UnitID, district: district, channel: "paper",
			received: c.ReceivedDate, sex: sex, exists: true}
	}
	if a.caseTypeSeen == nil {
		a.caseTypeSeen = map[string]bool{}
	}
	if !a.caseTypeSeen[c.CaseType] {
		a.caseTypeSeen[c.CaseType] = true
		a.dimCaseTypes = append(a.dimCaseTypes, c.CaseType)
	}
	a.addStep(key, e, c.Step)
	return nil
}

// addStep adds the case's stay in a step entered at e.
func (a *applier) addStep(key string, e events.Event, step string) {
	r := &stepRow{caseKey: key, seq: e.Seq, step: step, enteredAt: e.At.UnixMicro()}
	a.steps = append(a.steps, r)
	if a.openNew == nil {
		a.openNew = map[string][]*stepRow{}
	}
	a.openNew[key] = append(a.openNew[key], r)
}

// leaveStep ends the case's step being in at e.
func (a *applier) leaveStep(e events.Event, key string) error {
	at := e.At.UnixMicro()
	if open := a.openNew[key]; len(open) > 0 {
		for _, r := range open {
			r.leftAt, r.durationSeconds = at, (at-r.enteredAt)/1000000
		}
		if at != 0 { // left_at 0 is a step not left
			delete(a.openNew, key)
		}
	}
	if open, known := a.openSteps[key]; known && !open {
		return nil
	}
	if a.openSteps != nil && at != 0 {
		a.openSteps[key] = false
	}
	return a.tx.exec(`UPDATE fact_case_steps SET left_at = ?, duration_seconds = (? - entered_at) / 1000000
		WHERE tenant_id = ? AND case_key = ? AND left_at = 0`, at, at, a.tenant, key)
}

func (a *applier) enterStep(e events.Event, step string) error {
	key := a.caseKey(e)
	if err := a.leaveStep(e, key); err != nil {
		return err
	}
	err := a.updateCase(key, func(r *caseRow) { r.step = step }, func() error {
		return a.tx.exec(`UPDATE fact_cases SET step = ? WHERE tenant_id = ? AND case_key = ?`, step, a.tenant, key)
	})
	if err != nil {
		return err
	}
	a.addStep(key, e, step)
	return nil
}

func (a *applier) caseClosed(e events.Event) error {
	key := a.caseKey(e)
	if err := a.leaveStep(e, key); err != nil {
		return err
	}
	at, on := e.At.UnixMicro(), day(e.At)
	err := a.updateCase(key, func(r *caseRow) { r.closedAt, r.closedDate = at, on }, func() error {
		return a.tx.exec(`UPDATE fact_cases SET closed_at = ?, closed_date = ? WHERE tenant_id = ? AND case_key = ?`, at, on, a.tenant, key)
	})
	if err != nil {
		return err
	}
	// Deadlines still running end with the case.
	for _, r := range a.runningNew[key] {
		if r.status == "running" {
			r.status = "closed"
		}
	}
	delete(a.runningNew, key)
	if dl, known := a.running[key]; known {
		if len(dl) == 0 {
			return nil
		}
		a.running[key] = nil
	}
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
	ce, err := a.getCase(key)
	if err != nil || !ce.exists {
		return caseFacts{}, err
	}
	c := ce.facts
	c.born, _, err = a.person(c.person)
	return c, err
}

func (a *applier) getDecision(key string) (*decisionEntry, error) {
	if d, ok := a.decisions[key]; ok {
		return d, nil
	}
	if err := a.tx.read(a.fetchDecisions([]string{key})); err != nil {
		return nil, err
	}
	return a.decisions[key], nil
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
	dk := a.of("decision", e.SubjectID)
	de, err := a.getDecision(dk)
	if err != nil {
		return err
	}
	if !de.exists {
		de.row = &decisionRow{key: dk, caseKey: key, person: c.person, caseType: c.caseType, unit: c.unit, district: c.district,
			channel: c.channel, insats: d.Insats, outcome: d.Outcome, amount: d.Amount, amountUnit: d.AmountUnit, amountPeriod: d.AmountPeriod,
			validFrom: d.ValidFrom, validTo: d.ValidTo, decidedAt: e.At.UnixMicro(), decidedDate: decided, received: c.received,
			days: int64(days), sex: c.sex, ageBand: AgeBand(c.born, decided), executeBy: ExecuteBy(decided)}
		a.newDecisions = append(a.newDecisions, de.row)
		de.exists, de.period = true, d.AmountPeriod
	}
	k := insatsKey{c.caseType, d.Insats}
	if a.dimInsatser == nil {
		a.dimInsatser = map[insatsKey][2]string{}
	}
	if _, ok := a.dimInsatser[k]; !ok {
		a.dimInsatsKeys = append(a.dimInsatsKeys, k)
	}
	a.dimInsatser[k] = [2]string{d.AmountUnit, d.AmountPeriod}
	return nil
}

func (a *applier) decisionExecuted(key, on string) error {
	de, err := a.getDecision(key)
	if err != nil {
		return err
	}
	switch {
	case de.row != nil:
		if de.row.executed == "" {
			de.row.executed = on
		}
	case de.exists:
		return a.tx.exec(`UPDATE fact_decisions SET executed_date = ? WHERE tenant_id = ? AND decision_key = ? AND executed_date = ''`,
			on, a.tenant, key)
	}
	return nil
}

// getRunning returns the deadlines of a case running in the store.
func (a *applier) getRunning(key string) ([]dbDeadline, error) {
	if dl, ok := a.running[key]; ok {
		return dl, nil
	}
	if err := a.tx.read(a.fetchRunning([]string{key})); err != nil {
		return nil, err
	}
	return a.running[key], nil
}

// runningDB tells whether the store may have deadline id of the case
// running (true when not known), and forgets them when they stop running.
func (a *applier) runningDB(key, id string, stop bool) bool {
	dl, known := a.running[key]
	if !known {
		return true
	}
	found := false
	kept := dl[:0:0]
	for _, d := range dl {
		if d.id == id {
			found = true
			if stop {
				continue
			}
		}
		kept = append(kept, d)
	}
	a.running[key] = kept
	return found
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
	// the batch's own running deadlines of the case with the id
	var mine []*deadlineRow
	for _, r := range a.runningNew[key] {
		if r.id == d.DeadlineID && r.status == "running" {
			mine = append(mine, r)
		}
	}
	const running = ` WHERE tenant_id = ? AND case_key = ? AND deadline_id = ? AND status = 'running'`
	switch e.Type {
	case events.DeadlineStarted:
		// A deadline that starts again replaces the running one.
		for _, r := range mine {
			r.status = "restarted"
		}
		if a.runningDB(key, d.DeadlineID, true) {
			if err := a.tx.exec(`UPDATE fact_deadlines SET status = 'restarted'`+running, a.tenant, key, d.DeadlineID); err != nil {
				return err
			}
		}
		c, err := a.caseFacts(key)
		if err != nil {
			return err
		}
		r := &deadlineRow{caseKey: key, id: d.DeadlineID, seq: e.Seq, person: c.person, caseType: c.caseType, unit: c.unit,
			district: c.district, started: day(e.At), due: d.DueDate, status: "running"}
		a.deadlines = append(a.deadlines, r)
		if a.runningNew == nil {
			a.runningNew = map[string][]*deadlineRow{}
		}
		a.runningNew[key] = append(a.runningNew[key], r)
		return nil
	case events.DeadlineMet:
		dl, err := a.getRunning(key)
		if err != nil {
			return err
		}
		due, found := "", false
		for _, x := range dl {
			if x.id == d.DeadlineID {
				due, found = x.due, true
				break
			}
		}
		if !found && len(mine) > 0 {
			due, found = mine[0].due, true
		}
		if !found {
			return nil
		}
		met := day(e.At)
		late := int64(max(0, DaysBetween(due, met)))
		for _, r := range mine {
			r.status, r.met, r.daysLate = "met", met, late
		}
		if a.runningDB(key, d.DeadlineID, true) {
			return a.tx.exec(`UPDATE fact_deadlines SET status = 'met', met_date = ?, days_late = ?`+running,
				met, late, a.tenant, key, d.DeadlineID)
		}
		return nil
	case events.DeadlineOverdue:
		for _, r := range mine {
			r.overdue = 1
		}
		if a.runningDB(key, d.DeadlineID, false) {
			return a.tx.exec(`UPDATE fact_deadlines SET overdue = 1`+running, a.tenant, key, d.DeadlineID)
		}
		return nil
	default: // extended, moved: a new due date
		for _, r := range mine {
			r.due = d.DueDate
		}
		if a.runningDB(key, d.DeadlineID, false) {
			for i, x := range a.running[key] {
				if x.id == d.DeadlineID {
					a.running[key][i].due = d.DueDate
				}
			}
			return a.tx.exec(`UPDATE fact_deadlines SET due_date = ?`+running, d.DueDate, a.tenant, key, d.DeadlineID)
		}
		return nil
	}
}

func (a *applier) getOrder(key string) (*orderEntry, error) {
	if o, ok := a.orders[key]; ok {
		return o, nil
	}
	if err := a.tx.read(a.fetchOrders([]string{key})); err != nil {
		return nil, err
	}
	return a.orders[key], nil
}

// orderPayload is what order events say of the order.
type orderPayload struct {
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

func (a *applier) order(e events.Event) error {
	var o orderPayload
	if err := json.Unmarshal(e.Payload, &o); err != nil {
		return err
	}
	key := a.caseKey(e)
	c, err := a.caseFacts(key)
	if err != nil {
		return err
	}
	decision := a.of("decision", o.DecisionID)
	de, err := a.getDecision(decision)
	if err != nil {
		return err
	}
	period := de.period
	district, err := a.district(o.UnitID)
	if err != nil {
		return err
	}
	ok := a.of("order", e.SubjectID)
	oe, err := a.getOrder(ok)
	if err != nil {
		return err
	}
	switch {
	case oe.row != nil: // what the upsert below changes
		r := oe.row
		r.decision, r.provider, r.amount, r.amountUnit, r.amountPeriod, r.validFrom, r.validTo = decision, o.ProviderID, o.Amount,
			o.AmountUnit, period, o.ValidFrom, o.ValidTo
		r.status, r.start, r.ended, r.endReason = o.Status, o.StartDate, o.EndedOn, o.EndReason
		return nil
	case oe.exists:
		return a.tx.exec(`INSERT INTO fact_orders (tenant_id, order_key, case_key, decision_key, person_key, case_type, unit_id, district_id,
		provider_id, insats, amount, amount_unit, amount_period, valid_from, valid_to, status, sent_date, start_date, ended_on, end_reason,
		plan_version, plan_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')
		ON CONFLICT (tenant_id, order_key) DO UPDATE SET decision_key = excluded.decision_key, provider_id = excluded.provider_id,
		amount = excluded.amount, amount_unit = excluded.amount_unit, amount_period = excluded.amount_period, valid_from = excluded.valid_from,
		valid_to = excluded.valid_to, status = excluded.status, start_date = excluded.start_date, ended_on = excluded.ended_on,
		end_reason = excluded.end_reason`,
			a.tenant, ok, key, decision, c.person, c.caseType, o.UnitID, district, o.ProviderID, o.Insats, o.Amount,
			o.AmountUnit, period, o.ValidFrom, o.ValidTo, o.Status, day(e.At), o.StartDate, o.EndedOn, o.EndReason)
	}
	oe.row = &orderRow{key: ok, caseKey: key, decision: decision, person: c.person, caseType: c.caseType, unit: o.UnitID, district: district,
		provider: o.ProviderID, insats: o.Insats, amount: o.Amount, amountUnit: o.AmountUnit, amountPeriod: period, validFrom: o.ValidFrom,
		validTo: o.ValidTo, status: o.Status, sent: day(e.At), start: o.StartDate, ended: o.EndedOn, endReason: o.EndReason}
	a.newOrders = append(a.newOrders, oe.row)
	oe.exists = true
	oe.facts = orderFacts{person: c.person, insats: o.Insats, unit: o.UnitID, district: district, caseType: c.caseType}
	return nil
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
	order := a.of("order", e.SubjectID)
	written := day(e.At)
	if pk := (planKey{order, p.Version}); !a.planSeen[pk] {
		if a.planSeen == nil {
			a.planSeen = map[planKey]bool{}
		}
		a.planSeen[pk] = true
		a.plans = append(a.plans, &planRow{order: order, version: p.Version, written: written, participation: p.Participation,
			activities: p.Activities})
	}
	oe, err := a.getOrder(order)
	if err != nil {
		return err
	}
	switch {
	case oe.row != nil:
		oe.row.planVersion = p.Version
		if oe.row.planDate == "" {
			oe.row.planDate = written
		}
	case oe.exists:
		if err := a.tx.exec(`UPDATE fact_orders SET plan_version = ?, plan_date = CASE WHEN plan_date = '' THEN ? ELSE plan_date END
		WHERE tenant_id = ? AND order_key = ?`, p.Version, written, a.tenant, order); err != nil {
			return err
		}
	}
	// The newest version's codes are the plan's.
	if err := a.deleteCodes("plan", order); err != nil {
		return err
	}
	c, err := a.caseFacts(a.caseKey(e))
	if err != nil {
		return err
	}
	for _, code := range p.Codes {
		a.code("plan", order, "", code, 0, written, a.caseKey(e), c)
	}
	return nil
}

// deleteCodes deletes the codes of a source: the batch's own, and the
// store's unless it is known to have none.
func (a *applier) deleteCodes(source, sourceKey string) error {
	k := [2]string{source, sourceKey}
	for _, r := range a.codesOf[k] {
		r.gone = true
		delete(a.codeBy, r.codeKey)
	}
	delete(a.codesOf, k)
	if source == "plan" {
		if has, known := a.planCodes[sourceKey]; known && !has {
			return nil
		}
		if a.planCodes != nil {
			a.planCodes[sourceKey] = false
		}
	}
	return a.tx.exec(`DELETE FROM fact_codes WHERE tenant_id = ? AND source = ? AND source_key = ?`, a.tenant, source, sourceKey)
}

// code records a code at its source, and the code in the dimension.
func (a *applier) code(source, sourceKey, system, code string, qualifier int, on, caseKey string, c caseFacts) {
	if code == "" {
		return
	}
	k := codeKey{source, sourceKey, system, code}
	if r, ok := a.codeBy[k]; ok { // the upsert changes the qualifier alone
		r.qualifier = int64(qualifier)
	} else {
		r := &codeRow{codeKey: k, caseKey: caseKey, person: c.person, district: c.district, qualifier: int64(qualifier), on: on}
		if a.codeBy == nil {
			a.codeBy, a.codesOf = map[codeKey]*codeRow{}, map[[2]string][]*codeRow{}
		}
		a.codeBy[k] = r
		a.codesOf[[2]string{source, sourceKey}] = append(a.codesOf[[2]string{source, sourceKey}], r)
		a.codeRows = append(a.codeRows, r)
	}
	if d := [2]string{system, code}; !a.codeSeen[d] {
		if a.codeSeen == nil {
			a.codeSeen = map[[2]string]bool{}
		}
		a.codeSeen[d] = true
		a.dimCodes = append(a.dimCodes, d)
	}
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
	order := a.of("order", e.SubjectID)
	oe, err := a.getOrder(order)
	if err != nil {
		return err
	}
	o := oe.facts
	caseKey := a.caseKey(e)
	c := caseFacts{person: o.person, district: o.district}
	for _, x := range p.Entries {
		entry := a.of("performed", x.ID)
		if x.Corrects != "" {
			// The corrected report may be the batch's, the store's or
			// (a report given twice) both.
			corrected := a.of("performed", x.Corrects)
			if r, ok := a.performedBy[corrected]; ok {
				r.corrected = 1
			}
			if err := a.tx.exec(`UPDATE fact_performed SET corrected = 1 WHERE tenant_id = ? AND entry_key = ?`, a.tenant, corrected); err != nil {
				return err
			}
		}
		if _, ok := a.performedBy[entry]; !ok {
			r := &performedRow{key: entry, order: order, person: o.person, insats: o.insats, unit: o.unit, district: o.district,
				caseType: o.caseType, day: x.On, minutes: x.Minutes, deviation: x.Deviation}
			if a.performedBy == nil {
				a.performedBy = map[string]*performedRow{}
			}
			a.performedBy[entry] = r
			a.performedRows = append(a.performedRows, r)
		}
		for _, code := range x.Activities {
			a.code("performed", entry, "", code, 0, x.On, caseKey, c)
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
		if err := a.deleteCodes("need", a.of("form_entry", f.Supersedes)); err != nil {
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
	entry := a.of("form_entry", e.SubjectID)
	for _, x := range f.Codes {
		a.code("need", entry, x.CodeSystem, x.Code, x.Qualifier, day(e.At), key, c)
	}
	return nil
}

func (a *applier) getLine(key string) (*lineEntry, error) {
	if l, ok := a.lines[key]; ok {
		return l, nil
	}
	if err := a.tx.read(a.fetchLines([]string{key})); err != nil {
		return nil, err
	}
	return a.lines[key], nil
}

// updateLine changes a payment line: the batch's own in memory, one in
// the store with the statement set (a SET clause) and its arguments.
func (a *applier) updateLine(key string, mem func(*paymentRow), set string, args ...any) error {
	l, err := a.getLine(key)
	if err != nil {
		return err
	}
	switch {
	case l.row != nil:
		mem(l.row)
	case l.exists:
		return a.tx.exec(`UPDATE fact_payments SET `+set+` WHERE tenant_id = ? AND line_key = ?`, append(args, a.tenant, key)...)
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
	line := a.of("payment_line", e.SubjectID)
	on := day(e.At)
	switch e.Type {
	case events.PaymentProposed, events.PaymentStopped:
		key := a.caseKey(e)
		c, err := a.caseFacts(key)
		if err != nil {
			return err
		}
		status, reverses, decision := "proposed", "", a.of("decision", p.DecisionID)
		if e.Type == events.PaymentStopped {
			status, reverses = "stop", a.of("payment_line", p.Reverses)
			r, err := a.getLine(reverses)
			if err != nil {
				return err
			}
			decision, p.PayeeCategory, p.DueDate = r.decision, r.category, r.due
			if err := a.updateLine(reverses, func(r *paymentRow) { r.status = "stopped" }, `status = 'stopped'`); err != nil {
				return err
			}
		}
		l, err := a.getLine(line)
		if err != nil || l.exists {
			return err
		}
		l.row = &paymentRow{key: line, caseKey: key, person: c.person, decision: decision, caseType: c.caseType, unit: c.unit,
			district: c.district, item: p.Item, period: p.Period, amount: p.Amount, category: p.PayeeCategory, due: p.DueDate,
			status: status, proposed: on, reverses: reverses}
		a.payments = append(a.payments, l.row)
		l.exists, l.decision, l.category, l.due = true, decision, p.PayeeCategory, p.DueDate
		return nil
	case events.PaymentPayeeChosen:
		if l, err := a.getLine(line); err != nil {
			return err
		} else if l.exists {
			l.category = p.Category
		}
		return a.updateLine(line, func(r *paymentRow) { r.category = p.Category }, `payee_category = ?`, p.Category)
	case events.PaymentAttested:
		return a.updateLine(line, func(r *paymentRow) { r.status, r.attested = "attested", on }, `status = 'attested', attested_date = ?`, on)
	case events.PaymentPaid:
		return a.updateLine(line, func(r *paymentRow) { r.status, r.settled = "paid", on }, `status = 'paid', settled_date = ?`, on)
	default: // rejected
		return a.updateLine(line, func(r *paymentRow) { r.status, r.settled = "rejected", on }, `status = 'rejected', settled_date = ?`, on)
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
