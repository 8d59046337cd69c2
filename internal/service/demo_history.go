package service

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// DemoHistoryStats is what LoadDemoHistory wrote.
type DemoHistoryStats struct {
	Persons, Cases, Open, Events int
	// Months is how many months (transactions) this call wrote; Left, how
	// many are still to write (0: the history is complete).
	Months, Left int
}

// historyDaysPerTx is how many days of the demo's past one transaction
// writes.
const historyDaysPerTx = 31

// DemoHistoryWritten is the event that records how far the demo's past
// has been written (events.DemoHistoryWritten).
const DemoHistoryWritten = events.DemoHistoryWritten

// demoHistoryMark is DemoHistoryWritten's payload: the history's options,
// the definition version and the key of its ids, and the last day
// written ("" none yet).
type demoHistoryMark struct {
	Today   string `json:"today"`
	Weeks   int    `json:"weeks"`
	PerWeek int    `json:"per_week"`
	Seed    int64  `json:"seed"`
	Version int64  `json:"definition_version"`
	Key     string `json:"id_key"`
	Through string `json:"through,omitempty"`
	Done    bool   `json:"done,omitempty"`
}

func (m demoHistoryMark) options() demo.HistoryOptions {
	today, _ := time.Parse(time.DateOnly, m.Today)
	return demo.HistoryOptions{Weeks: m.Weeks, PerWeek: m.PerWeek, Seed: m.Seed, Today: today, IDKey: m.Key}
}

// demoHistoryMark returns the tenant's latest DemoHistoryWritten mark, and
// false if the history was never planned.
func (s *Service) demoHistoryMark(ctx context.Context, tenant trygg.TenantID) (demoHistoryMark, bool, error) {
	var m demoHistoryMark
	es, err := s.db.LatestEventsOfType(ctx, tenant, DemoHistoryWritten, 1)
	if err != nil || len(es) == 0 {
		return m, false, err
	}
	if err := json.Unmarshal(es[0].Payload, &m); err != nil {
		return m, false, fmt.Errorf("demo history: mark %d: %w", es[0].Seq, err)
	}
	return m, true, nil
}

// PlanDemoHistory records that the tenant's demo gets a past of opt
// (demo.History), written by LoadDemoHistory, with the definitions
// published now and a new random key for its ids. The server plans it
// with the demo, before it takes requests, and writes it after; a server
// that stops before the history is complete finds the plan at its next
// start and continues it. Does nothing if a history is planned already.
func (s *Service) PlanDemoHistory(ctx context.Context, tenant trygg.TenantID, opt demo.HistoryOptions) error {
	if _, ok, err := s.demoHistoryMark(ctx, tenant); err != nil || ok {
		return err
	}
	opt = opt.WithDefaults()
	version, err := s.db.LatestDefinitionVersion(ctx, tenant)
	if err != nil {
		return err
	}
	if opt.IDKey == "" {
		var b [16]byte
		crand.Read(b[:])
		opt.IDKey = hex.EncodeToString(b[:])
	}
	m := demoHistoryMark{Today: opt.Today.Format(time.DateOnly), Weeks: opt.Weeks, PerWeek: opt.PerWeek, Seed: opt.Seed,
		Version: version, Key: opt.IDKey}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.AppendEvent(ctx, events.New(SystemActor(tenant), DemoHistoryWritten, "tenant", string(tenant), m))
		return err
	})
}

// DemoHistoryPending returns the day the tenant's planned demo past ends
// on (the day its demo was generated), and whether some of it is still to
// be written (false also when none was planned).
func (s *Service) DemoHistoryPending(ctx context.Context, tenant trygg.TenantID) (time.Time, bool, error) {
	m, ok, err := s.demoHistoryMark(ctx, tenant)
	if err != nil || !ok || m.Done {
		return time.Time{}, false, err
	}
	return m.options().Today, true, nil
}

// LoadDemoHistory writes the demo's past (demo.History), planned by
// PlanDemoHistory (with opt, if it was not planned yet): each case, for
// a person of its own, worked as its case type's walk (walks) goes — forms
// signed with the codes they assess, transitions with the deadlines they
// start, meet or let run over, decisions granted, partly granted or
// refused with amounts in their case type's unit, orders sent and accepted
// by a provider of the insats in the case's area, plans and performed
// visits with deviations, payments of money decisions — and closed at the
// end, or, where it may (outside the journeys' districts), still open when
// its walk reaches today. Portal applications grow from a third to over
// half of those the case type lets citizens make. It goes straight through
// the store (AppendPastEvents), a month to a transaction, each event dated
// its day, so the event log stays in time order and carries what analysis
// counts;
// the state is the cases' rows and the events (no forms, decisions or
// orders rows: it is history, not work to continue).
//
// It continues from the month after the last one written (each month's
// transaction records it, DemoHistoryWritten), so it may be cancelled
// (ctx) and called again, by a restarted server too, and writes each
// month once: the same plan gives the same history, ids included (they
// follow the plan's key), from a dataset generated again for the plan's
// day (its staff's ids are looked up by username). opt.Months, when set,
// bounds the months this call writes.
func (s *Service) LoadDemoHistory(ctx context.Context, ds *demo.Dataset, walks []demo.Walk, opt demo.HistoryOptions) (DemoHistoryStats, error) {
	var st DemoHistoryStats
	tenant := ds.Tenant.ID
	if err := s.PlanDemoHistory(ctx, tenant, opt); err != nil {
		return st, err
	}
	mark, _, err := s.demoHistoryMark(ctx, tenant)
	if err != nil || mark.Done {
		return st, err
	}
	maxMonths := opt.Months
	opt = mark.options()
	version := mark.Version
	comp, err := s.compiled(ctx, tenant, version)
	if err != nil {
		return st, err
	}
	providers, err := s.db.Providers(ctx, tenant)
	if err != nil {
		return st, err
	}
	// The history's officers by the ids they have in this database (a
	// dataset generated again has new ones).
	staff := *ds
	staff.Users = slices.Clone(ds.Users)
	for i, u := range staff.Users {
		if su, err := s.db.UserByUsername(ctx, tenant, u.Username); err == nil {
			staff.Users[i].ID = su.ID
		} else if trygg.ErrorCode(err) != trygg.ENotFound {
			return st, err
		}
	}
	ds = &staff
	parent := map[string]string{}
	for _, u := range ds.Units {
		parent[u.ID] = u.ParentID
	}
	byType := map[string]*demo.Walk{}
	for i := range walks {
		byType[walks[i].CaseType] = &walks[i]
	}
	portal := map[string]bool{}
	for _, ct := range comp.CitizenApplications() {
		portal[ct.ID.Value] = true
	}
	cases := demo.History(ds, opt)
	if len(cases) == 0 {
		return st, nil
	}
	today := time.Date(opt.Today.Year(), opt.Today.Month(), opt.Today.Day(), 0, 0, 0, 0, time.UTC)
	first := time.Date(cases[0].Received.Year(), cases[0].Received.Month(), cases[0].Received.Day(), 0, 0, 0, 0, time.UTC)
	days := int(today.Sub(first).Hours()/24) + 1
	// The month to begin with: the one after the last written.
	begin := 0
	if mark.Through != "" {
		through, err := time.Parse(time.DateOnly, mark.Through)
		if err != nil {
			return st, fmt.Errorf("demo history: mark's day %q: %w", mark.Through, err)
		}
		begin = int(through.Sub(first).Hours()/24) + 1
	}

	// Each day's events and new cases, in the order they happen.
	type dayWork struct {
		persons []int // indexes into cases: person and case written that day
		events  []events.Event
	}
	work := make([]dayWork, days)
	rows := make([]store.Case, len(cases))
	// walkUntil walks the cases received before day to that are not walked
	// yet (oldest first: each month walks the cases it receives, so the
	// first month is written without waiting for the last one's walks).
	walked := 0
	walkUntil := func(to int) {
		for ; walked < len(cases); walked++ {
			i, hc := walked, cases[walked]
			d := int(hc.Received.Sub(first).Hours() / 24)
			if d >= to {
				return
			}
			h := &historyWalk{s: s, comp: comp, hc: hc, w: byType[hc.CaseType], providers: providers, district: parent[hc.UnitID],
				rng: rand.New(rand.NewPCG(hc.Pick, 7)), ids: historyIDs(mark.Key, hc.Pick), first: first, today: today, portal: portal[hc.CaseType],
				version: version, tenant: tenant}
			h.portalShare = 0.35 + 0.25*float64(d)/float64(days)
			cases[i].Person.ID = h.newID()
			h.hc.Person.ID = cases[i].Person.ID
			h.caseID = h.newID()
			rows[i] = h.walk()
			for _, e := range h.out {
				work[e.day].events = append(work[e.day].events, e.e)
			}
			work[d].persons = append(work[d].persons, i)
		}
	}
	// A month of days to a transaction, each day's persons, cases and
	// events dated that day (persons and cases at the month's moment),
	// and the mark of the month last.
	now := time.Now()
	dated := func(d int) time.Time {
		at := first.AddDate(0, 0, d).Add(11 * time.Hour)
		if at.After(now) {
			at = now
		}
		return at
	}
	sys := SystemActor(tenant)
	for from := begin - begin%historyDaysPerTx; from < days; from += historyDaysPerTx {
		if maxMonths > 0 && st.Months == maxMonths {
			st.Left++
			continue
		}
		if err := ctx.Err(); err != nil {
			return st, err
		}
		from := max(from, begin)
		to := min(from-from%historyDaysPerTx+historyDaysPerTx, days)
		walkUntil(to)
		var month DemoHistoryStats
		err := s.db.Update(ctx, func(tx *store.Tx) error {
			month = DemoHistoryStats{}
			tx.Now = dated(from)
			var es []events.Event
			var ps []persons.Person
			var cs []store.Case
			for d := from; d < to; d++ {
				at := dated(d)
				for _, i := range work[d].persons {
					p := cases[i].Person
					ps = append(ps, p)
					e := events.New(sys, events.PersonRegistered, "person", p.ID,
						withTraits(map[string]any{"identity_type": p.Identity.Type, "source": "demo"}, p.Identity))
					e.PersonID, e.At = p.ID, at
					es = append(es, e)
					cs = append(cs, rows[i])
					if rows[i].Status == "open" {
						month.Open++
					}
				}
				// A day's events: persons first, then each case's in its order.
				for _, e := range work[d].events {
					e.At = at
					es = append(es, e)
				}
			}
			if err := tx.InsertPastPersons(ctx, tenant, ps); err != nil {
				return err
			}
			if err := giveReferences(ctx, tx, tenant, comp, cs); err != nil {
				return err
			}
			if err := tx.InsertPastCases(ctx, tenant, cs); err != nil {
				return err
			}
			month.Persons, month.Cases = len(ps), len(cs)
			m := mark
			m.Through, m.Done = first.AddDate(0, 0, to-1).Format(time.DateOnly), to == days
			e := events.New(sys, DemoHistoryWritten, "tenant", string(tenant), m)
			e.At = dated(to - 1)
			if len(es) > 0 && e.At.Before(es[len(es)-1].At) {
				e.At = es[len(es)-1].At
			}
			es = append(es, e)
			month.Events = len(es) - 1
			_, err := tx.AppendPastEvents(ctx, es)
			return err
		})
		if err != nil {
			return st, fmt.Errorf("demo history, %s: %w", first.AddDate(0, 0, from).Format(time.DateOnly), err)
		}
		st.Persons += month.Persons
		st.Cases += month.Cases
		st.Open += month.Open
		st.Events += month.Events
		st.Months++
	}
	return st, nil
}

// giveReferences gives cs references as giveReference does one by one,
// in their order, taking the numbers of each prefix and year at once.
func giveReferences(ctx context.Context, tx *store.Tx, tenant trygg.TenantID, comp *process.Compiled, cs []store.Case) error {
	type series struct {
		prefix string
		year   int
	}
	of := func(c store.Case) series {
		return series{process.ReferencePrefix(comp, c.CaseType), c.OpenedAt.In(calendar.Sweden).Year()}
	}
	count := map[series]int{}
	var order []series
	for _, c := range cs {
		k := of(c)
		if count[k] == 0 {
			order = append(order, k)
		}
		count[k]++
	}
	next := map[series]int64{}
	for _, k := range order {
		last, err := tx.NextCaseNumbers(ctx, tenant, k.prefix, k.year, count[k])
		if err != nil {
			return err
		}
		next[k] = last - int64(count[k]) + 1
	}
	for i := range cs {
		k := of(cs[i])
		cs[i].Reference = process.FormatReference(k.prefix, k.year, next[k])
		next[k]++
	}
	return nil
}

// historyIDs is the source of one history case's ids: random-looking,
// the same for the same key and case.
func historyIDs(key string, pick uint64) *rand.ChaCha8 {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", key, pick))
	return rand.NewChaCha8(sum)
}

// datedEvent is an event of the history and the day (from the first) it
// happens on.
type datedEvent struct {
	day int
	e   events.Event
}

// historyWalk walks one case of the history.
type historyWalk struct {
	s           *Service
	comp        *process.Compiled
	hc          demo.HistoryCase
	w           *demo.Walk
	providers   []store.Provider
	district    string
	rng         *rand.Rand
	ids         *rand.ChaCha8 // the case's ids (historyIDs)
	first       time.Time
	today       time.Time
	portal      bool
	portalShare float64
	version     int64
	caseID      string
	tenant      trygg.TenantID

	step      string
	running   map[string]string // deadline id -> due date
	overdue   map[string]bool
	decisions []historyDecision
	orders    []historyOrder
	applied   []string // insatser in the signed forms' lists
	out       []datedEvent
}

type historyDecision struct {
	id, insats, outcome string
	amount              int64
	provider            string
}

type historyOrder struct {
	id, decision, insats, provider string
	amount                         int64
	start                          time.Time
	reported                       time.Time // the last day reported
	accepted                       bool
}

// newID returns the case's next id.
func (h *historyWalk) newID() string {
	return uuid.Must(uuid.NewRandomFromReader(h.ids)).String()
}

func (h *historyWalk) dayOf(t time.Time) int { return int(t.Sub(h.first).Hours() / 24) }

func (h *historyWalk) emit(at time.Time, typ, subjectType, subjectID string, payload map[string]any) {
	p, _ := json.Marshal(payload)
	h.out = append(h.out, datedEvent{h.dayOf(at), events.Event{Tenant: h.tenant, ActorID: h.hc.AssignedTo, Type: typ,
		SubjectType: subjectType, SubjectID: subjectID, PersonID: h.hc.Person.ID, CaseID: h.caseID, Payload: p}})
}

// walk makes the case's events and returns its row as it ends.
func (h *historyWalk) walk() store.Case {
	hc := h.hc
	c := store.Case{ID: h.caseID, PersonID: hc.Person.ID, UnitID: hc.UnitID, CaseType: hc.CaseType, Title: "Ärende", Status: "open",
		DefinitionVersion: h.version, AssignedTo: hc.AssignedTo, OpenedAt: hc.Received.Add(9 * time.Hour), ReceivedDate: calendar.Today(hc.Received)}
	if ct, ok := h.comp.CaseType(hc.CaseType); ok {
		if reg := ct.Registration; reg != nil {
			c.Title = h.comp.RegistrationTitle(hc.CaseType, "sv")
		}
	}
	if c.Title == "" {
		c.Title = "Ärende"
	}
	h.running, h.overdue = map[string]string{}, map[string]bool{}
	start, _ := h.comp.Start(hc.CaseType)
	h.step = start
	c.Step = start
	day := hc.Received
	h.emit(day, events.CaseOpened, "case", h.caseID, map[string]any{"unit_id": hc.UnitID, "case_type": hc.CaseType,
		"assigned_to": hc.AssignedTo, "step": start, "received_date": calendar.Today(day)})
	if h.portal && h.rng.Float64() < h.portalShare {
		h.emit(day, events.ApplicationSubmitted, "case", h.caseID, map[string]any{"case_type": hc.CaseType, "unit_id": hc.UnitID})
	}
	h.deadlines(day, start, true)
	last := day
	if h.w != nil {
		for _, st := range h.w.Steps {
			n, err := walkDays(st.After, h.rng.Uint64())
			if err != nil {
				break
			}
			// Some cases take longer: a tenth twice as long a step.
			if h.rng.IntN(10) == 0 {
				n *= 2
			}
			next := day.AddDate(0, 0, n)
			if !next.Before(h.today) {
				if st.Report != nil && day.Before(h.today.AddDate(0, 0, -1)) {
					h.report(st.Report, h.today.AddDate(0, 0, -1))
				}
				return h.end(c, last, true)
			}
			day = next
			h.overdueUntil(day)
			h.doStep(st, day)
			last = day
		}
	}
	return h.end(c, last, false)
}

// end closes the case some days after its last step, or leaves it open
// where it may when its walk runs on past today.
func (h *historyWalk) end(c store.Case, last time.Time, running bool) store.Case {
	c.Step = h.step
	if running && h.hc.MayStayOpen {
		return c
	}
	closeOn := last.AddDate(0, 0, 1+h.rng.IntN(30))
	if running || !closeOn.Before(h.today) {
		closeOn = last.AddDate(0, 0, 1)
	}
	if !closeOn.Before(h.today) {
		closeOn = h.today.AddDate(0, 0, -1)
	}
	h.overdueUntil(closeOn)
	// The case's way to a final step, when there is one from here.
	if ct, ok := h.comp.CaseType(h.hc.CaseType); ok && !h.comp.StepFinal(h.hc.CaseType, h.step) {
		for _, t := range ct.Transitions {
			if h.comp.StepFinal(h.hc.CaseType, t.To.Value) && slices.ContainsFunc(t.From, func(f process.Str) bool { return f.Value == h.step }) {
				h.transition(t.ID.Value, closeOn)
				break
			}
		}
	}
	for i := range h.orders {
		o := &h.orders[i]
		if o.accepted {
			h.emit(closeOn, events.OrderEnded, "order", o.id, h.orderPayload(*o, store.OrderEnded, calendar.Today(closeOn), "case_closed"))
		}
	}
	h.emit(closeOn, events.CaseClosed, "case", h.caseID, map[string]any{"step": h.step})
	c.Step, c.Status, c.ClosedAt = h.step, "closed", closeOn.Add(15*time.Hour)
	return c
}

// deadlines starts and meets the case's deadlines on entering step.
func (h *historyWalk) deadlines(day time.Time, step string, opened bool) {
	ch := h.comp.OnEnter(h.hc.CaseType, step, day.Add(10*time.Hour), opened, nil)
	for _, id := range ch.Met {
		if _, ok := h.running[id]; ok {
			h.emit(day, events.DeadlineMet, "case", h.caseID, map[string]any{"deadline_id": id, "step": step})
			delete(h.running, id)
		}
	}
	for _, t := range ch.Start {
		if t.Kind != process.TimerOverdue {
			continue
		}
		h.running[t.DeadlineID], h.overdue[t.DeadlineID] = t.DueDate, false
		h.emit(day, events.DeadlineStarted, "case", h.caseID, map[string]any{"deadline_id": t.DeadlineID, "due_date": t.DueDate, "step": step})
	}
}

// overdueUntil marks the deadlines whose due date passed before day.
func (h *historyWalk) overdueUntil(day time.Time) {
	for _, id := range slices.Sorted(maps.Keys(h.running)) {
		due, err := time.Parse(time.DateOnly, h.running[id])
		if err != nil || h.overdue[id] || !due.AddDate(0, 0, 1).Before(day.AddDate(0, 0, 1)) {
			continue
		}
		h.overdue[id] = true
		h.emit(due.AddDate(0, 0, 1), events.DeadlineOverdue, "case", h.caseID, map[string]any{"deadline_id": id, "due_date": h.running[id]})
	}
}

func (h *historyWalk) transition(id string, day time.Time) {
	ct, ok := h.comp.CaseType(h.hc.CaseType)
	if !ok {
		return
	}
	for _, t := range ct.Transitions {
		if t.ID.Value != id || !slices.ContainsFunc(t.From, func(f process.Str) bool { return f.Value == h.step }) {
			continue
		}
		from := h.step
		h.step = t.To.Value
		h.emit(day, events.CaseTransitioned, "case", h.caseID, map[string]any{"from": from, "to": h.step, "transition": id})
		h.deadlines(day, h.step, false)
		return
	}
}

func (h *historyWalk) doStep(st demo.Step, day time.Time) {
	switch {
	case st.Form != "":
		values, _ := walkValues(st.Values, day).(map[string]any)
		b, _ := json.Marshal(values)
		var v map[string]any
		_ = json.Unmarshal(b, &v)
		codes := assessedCodes(h.comp, st.Form, v)
		// Each case's assessment differs a little: a qualifier one up or down.
		for i := range codes {
			codes[i].Qualifier = min(4, max(0, codes[i].Qualifier+h.rng.IntN(3)-1))
		}
		if ct, ok := h.comp.CaseType(h.hc.CaseType); ok && ct.Decisions != nil {
			for _, x := range v {
				if list, ok := x.([]any); ok {
					for _, e := range list {
						if code, ok := e.(string); ok && h.comp.KnownCode(ct.Decisions.Insatser.Value, code) {
							h.applied = append(h.applied, code)
						}
					}
				}
			}
		}
		h.emit(day, events.FormSigned, "form_entry", h.newID(), map[string]any{"form_id": st.Form, "supersedes": "", "codes": codes})
	case st.Transition != "":
		h.transition(st.Transition, day)
	case st.Decide != nil:
		h.decide(st.Decide, day)
	case st.Execute:
		for _, d := range h.decisions {
			if d.outcome != process.OutcomeRefused {
				h.emit(day, events.DecisionExecution, "decision", d.id, map[string]any{"kind": "executed", "on": calendar.Today(day), "insats": d.insats})
			}
		}
	case st.ChooseProvider:
		for i := range h.decisions {
			d := &h.decisions[i]
			if d.outcome == process.OutcomeRefused {
				continue
			}
			var fit []string
			for _, p := range h.providers {
				if slices.Contains(p.Insatser, d.insats) && (len(p.Areas) == 0 || slices.Contains(p.Areas, h.district)) {
					fit = append(fit, p.ID)
				}
			}
			if len(fit) == 0 {
				continue
			}
			d.provider = fit[h.rng.IntN(len(fit))]
			o := historyOrder{id: h.newID(), decision: d.id, insats: d.insats, provider: d.provider, amount: d.amount}
			h.orders = append(h.orders, o)
			h.emit(day, events.OrderSent, "order", o.id, h.orderPayload(o, store.OrderSent, "", ""))
		}
	case st.Accept:
		for i := range h.orders {
			o := &h.orders[i]
			o.accepted, o.start, o.reported = true, day, day.AddDate(0, 0, -1)
			h.emit(day, events.OrderAccepted, "order", o.id, h.orderPayload(*o, store.OrderAccepted, "", ""))
			h.emit(day, events.DecisionExecution, "decision", o.decision, map[string]any{"kind": "executed", "on": calendar.Today(day), "insats": o.insats})
		}
	case st.Plan != nil:
		for _, o := range h.orders {
			if !o.accepted || !slices.Contains(st.Plan.Insatser, o.insats) {
				continue
			}
			codes := slices.Sorted(maps.Keys(st.Plan.Activities))
			h.emit(day, events.OrderPlanWritten, "order", o.id, map[string]any{"version": 1, "participation": st.Plan.Participation,
				"activities": len(codes), "codes": codes})
		}
	case st.Report != nil:
		h.report(st.Report, day.AddDate(0, 0, -1))
	}
}

// decide makes the case's decisions on day: granted (most), partly
// granted or refused, amounts near the walk's in the case type's unit.
func (h *historyWalk) decide(d *demo.Decide, day time.Time) {
	ct, ok := h.comp.CaseType(h.hc.CaseType)
	if !ok || ct.Decisions == nil {
		return
	}
	insatser := slices.Sorted(maps.Keys(d.Amounts))
	if d.Insats != "" {
		insatser = []string{d.Insats}
	}
	if len(insatser) == 0 {
		insatser = slices.Compact(slices.Sorted(slices.Values(h.applied)))
	}
	unit, period := ct.Decisions.AmountUnit.Value, ct.Decisions.AmountPeriod.Value
	for _, insats := range insatser {
		outcome := process.OutcomeGranted
		switch r := h.rng.IntN(100); {
		case r < 8:
			outcome = process.OutcomeRefused
		case r < 15:
			outcome = process.OutcomePartly
		}
		amount := d.Amounts[insats]
		switch {
		case amount > 0:
			amount = max(100, (amount*int64(60+h.rng.IntN(81))/100)/100*100)
		case unit == process.UnitMoney:
			amount = int64(3000+h.rng.IntN(12000)) * 100
		}
		if outcome == process.OutcomeRefused {
			amount = 0
		}
		from := calendar.Today(day)
		to := calendar.Today(day.AddDate(1, 0, 0))
		if period == "month" || unit == process.UnitMoney {
			to = calendar.Today(time.Date(day.Year(), day.Month()+1, 0, 0, 0, 0, 0, time.UTC))
		}
		hd := historyDecision{id: h.newID(), insats: insats, outcome: outcome, amount: amount}
		h.decisions = append(h.decisions, hd)
		h.emit(day, events.DecisionMade, "decision", hd.id, map[string]any{"insats": insats, "outcome": outcome, "valid_from": from,
			"valid_to": to, "amount": amount, "amount_unit": unit, "amount_period": period})
		if unit == process.UnitMoney && amount > 0 && h.comp.Payments(h.hc.CaseType) != nil {
			line := h.newID()
			due := day.AddDate(0, 0, 2+h.rng.IntN(5))
			h.emit(day, events.PaymentProposed, "payment_line", line, map[string]any{"decision_id": hd.id, "item": insats,
				"period": day.Format("2006-01"), "amount": amount, "payee_category": "person", "due_date": calendar.Today(due)})
			if day.AddDate(0, 0, 1).Before(h.today) {
				h.emit(day.AddDate(0, 0, 1), events.PaymentAttested, "payment_line", line, map[string]any{"amount": amount, "item": insats})
			}
			if due.Before(h.today) {
				typ := events.PaymentPaid
				if h.rng.IntN(50) == 0 {
					typ = events.PaymentRejected
				}
				h.emit(due, typ, "payment_line", line, map[string]any{})
			}
		}
	}
}

// report reports the visits of the accepted orders of the insatser in r
// up to the day to, a month at a time (one report per order and month,
// sent the day after, as a provider's system sends them): per_week visits of about minutes,
// one in fifteen not home.
func (h *historyWalk) report(r map[string]demo.Visits, to time.Time) {
	for i := range h.orders {
		o := &h.orders[i]
		v, ok := r[o.insats]
		if !ok || !o.accepted {
			continue
		}
		for week := o.reported.AddDate(0, 0, 1); !week.After(to); {
			var entries []map[string]any
			end := time.Date(week.Year(), week.Month()+1, 0, 0, 0, 0, 0, time.UTC)
			if end.After(to) {
				end = to
			}
			for d := week; !d.After(end); d = d.AddDate(0, 0, 1) {
				if n := int(d.Unix() / 86400); n*v.PerWeek%7 >= v.PerWeek {
					continue
				}
				e := map[string]any{"id": h.newID(), "on": calendar.Today(d)}
				if h.rng.IntN(15) == 0 {
					e["deviation"], e["minutes"] = "not_home", 0
				} else {
					e["minutes"], e["activities"] = max(5, v.Minutes+(h.rng.IntN(5)-2)*5), v.Activities
				}
				entries = append(entries, e)
			}
			o.reported, week = end, end.AddDate(0, 0, 1)
			if len(entries) > 0 {
				h.emit(week, events.OrderPerformed, "order", o.id, map[string]any{"entries": entries})
			}
		}
	}
}

func (h *historyWalk) orderPayload(o historyOrder, status, endedOn, reason string) map[string]any {
	start := ""
	if !o.start.IsZero() {
		start = calendar.Today(o.start)
	}
	ct, _ := h.comp.CaseType(h.hc.CaseType)
	unit := ""
	if ct != nil && ct.Decisions != nil {
		unit = ct.Decisions.AmountUnit.Value
	}
	return map[string]any{"decision_id": o.decision, "provider_id": o.provider, "unit_id": h.hc.UnitID, "insats": o.insats,
		"amount": o.amount, "amount_unit": unit, "status": status, "start_date": start, "ended_on": endedOn, "end_reason": reason}
}
