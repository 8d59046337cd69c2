package service

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// PlayDemoWalks gives up to perType generated cases of each walk (a case
// type's unnamed one, or the one a case names) their history: each step is taken through the ordinary services
// by the case's officer (a provider's steps by one of the provider's
// staff), on the day it falls on (the store's clock is set back to it), so
// forms, decisions, orders, deadlines, events and access-log rows are what
// real work would have left. A case's history stops at today, and some
// stop earlier at random (by the case's id, so the same demo is the same
// every time). It returns how many cases were walked.
func (s *Service) PlayDemoWalks(ctx context.Context, ds *demo.Dataset, walks []demo.Walk, perType int) (int, error) {
	now := s.db.Now()
	defer s.db.ReplayAt(time.Time{})
	staff := walkStaff{}
	for _, u := range ds.Users {
		if u.Provider == "" {
			continue
		}
		a, err := s.actorFor(ctx, ds.Tenant.ID, u.ID)
		if err != nil {
			return 0, err
		}
		staff[a.ProviderID] = append(staff[a.ProviderID], a)
	}
	// A case follows its case type's unnamed walk, or the one it names.
	byType := map[string]*demo.Walk{}
	for i := range walks {
		byType[walks[i].CaseType+"/"+walks[i].Name] = &walks[i]
	}
	// The team lead of each unit, for decisions only team leads may make.
	leads := map[string]string{}
	for _, u := range ds.Users {
		for _, g := range u.Grants {
			if g.Role == trygg.RoleTeamLead && leads[g.UnitID] == "" {
				leads[g.UnitID] = u.ID
			}
		}
	}
	// Protected persons' cases are left to the officers with permission.
	protected := map[string]bool{}
	for _, p := range ds.Persons {
		protected[p.ID] = p.Protection != persons.ProtectionNone
	}
	// The journeys' units come first, so a newcomer signed in as one of
	// the journeys' officers finds history in their own unit.
	journeyUnits := map[string]bool{}
	for _, c := range ds.Cases {
		if c.Journey {
			journeyUnits[c.UnitID] = true
		}
	}
	cases := slices.Clone(ds.Cases)
	slices.SortStableFunc(cases, func(x, y demo.Case) int {
		switch {
		case journeyUnits[x.UnitID] == journeyUnits[y.UnitID]:
			return 0
		case journeyUnits[x.UnitID]:
			return -1
		}
		return 1
	})
	count := map[string]int{}
	walked := 0
	for _, c := range cases {
		key := c.CaseType + "/" + c.Walk
		w := byType[key]
		if w == nil || c.Journey || c.AssignedTo == "" || protected[c.PersonID] || count[key] >= perType {
			continue
		}
		count[key]++
		a, err := s.actorFor(ctx, ds.Tenant.ID, c.AssignedTo)
		if err != nil {
			return walked, err
		}
		lead := a
		if leads[c.UnitID] != "" {
			if lead, err = s.actorFor(ctx, ds.Tenant.ID, leads[c.UnitID]); err != nil {
				return walked, err
			}
		}
		if err := s.walkCase(ctx, a, lead, c, w, now, staff); err != nil {
			return walked, fmt.Errorf("demo: %s case %s: %w", c.CaseType, c.ID, err)
		}
		walked++
	}
	return walked, nil
}

// walkStaff are the providers' staff, by provider id, who take the
// providers' steps.
type walkStaff map[string][]trygg.Actor

// of returns the one of the provider's staff who works on the case.
func (ws walkStaff) of(providerID, key string) (trygg.Actor, error) {
	list := ws[providerID]
	if len(list) == 0 {
		return trygg.Actor{}, fmt.Errorf("provider %s has no staff in the demo", providerID)
	}
	return list[walkHash(key, "staff")%uint64(len(list))], nil
}

// walkKey is what a case's played choices are made by: its reference,
// given in the dataset's order, so the same seed plays the same history
// although ids are random (the id if the case cannot be read).
func (s *Service) walkKey(ctx context.Context, tenant trygg.TenantID, caseID string) string {
	if c, err := s.db.CaseByID(ctx, tenant, caseID); err == nil && c.Reference != "" {
		return c.Reference
	}
	return caseID
}

// walkHash is a number for deterministic choices about a case, one per
// purpose, independent of the walk's own stops and days.
func walkHash(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	// FNV's bits follow its last bytes closely; mix them (splitmix64's
	// finaliser) so that nearby days and ids choose independently.
	x := h.Sum64()
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// walkCase plays w on case c as its officer a; the team lead lead takes
// the decisions the walk gives to team leads.
func (s *Service) walkCase(ctx context.Context, a, lead trygg.Actor, c demo.Case, w *demo.Walk, now time.Time, staff walkStaff) error {
	key := c.Key // the dataset's own name for the case: ids are random
	if key == "" {
		key = c.ID
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	seed := h.Sum64()
	// Each step is as likely a place to stop as any other, and two in
	// len+2 cases go to the end (if their history reaches that far).
	stopAt := min(int(seed%uint64(len(w.Steps)+2)), len(w.Steps))
	if c.WalkAll {
		stopAt = len(w.Steps)
	}
	at := c.OpenedAt
	for i, st := range w.Steps[:stopAt] {
		days, err := walkDays(st.After, seed>>uint(i%32))
		if err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
		// Office hours, a different hour for each case and step.
		day := calendar.Date(at).AddDate(0, 0, days)
		at = day.Add(time.Duration(8+int(seed>>uint(i+7))%8)*time.Hour + time.Duration(seed>>uint(i+3)%60)*time.Minute)
		last := false
		if at.After(now) {
			// Work is reported as it is done: a report falling after
			// today is made today, and the history ends there.
			if st.Report == nil {
				return nil
			}
			at, day, last = now, calendar.Date(now), true
		}
		s.db.ReplayAt(at)
		by := a
		if st.Decide != nil && st.Decide.By == demo.DecideByTeamLead {
			by = lead
		}
		if err := s.walkStep(ctx, by, c.ID, st, day, staff); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
		if last {
			return nil
		}
	}
	return nil
}

// walkDays returns the days a step's after stands for: a period, or a
// range "10d..120d" from which pick chooses.
func walkDays(after string, pick uint64) (int, error) {
	if after == "" {
		return 0, nil
	}
	from, to, isRange := strings.Cut(after, "..")
	days := func(s string) (int, error) {
		p, err := calendar.ParsePeriod(s)
		if err != nil {
			return 0, err
		}
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		return int(p.After(base).Sub(base).Hours() / 24), nil
	}
	lo, err := days(from)
	if err != nil || !isRange {
		return lo, err
	}
	hi, err := days(to)
	if err != nil || hi < lo {
		return 0, fmt.Errorf("bad range %q", after)
	}
	return lo + int(pick%uint64(hi-lo+1)), nil
}

func (s *Service) walkStep(ctx context.Context, a trygg.Actor, caseID string, st demo.Step, day time.Time, staff walkStaff) error {
	today := day.Format(time.DateOnly)
	switch {
	case st.Form != "":
		values, _ := walkValues(st.Values, day).(map[string]any)
		if _, err := s.SaveForm(ctx, a, caseID, st.Form, FormInput{Values: values}, "sv"); err != nil {
			return err
		}
		_, err := s.SignForm(ctx, a, caseID, st.Form, "sv")
		return err
	case st.Transition != "":
		_, err := s.Transition(ctx, a, caseID, TransitionInput{Transition: st.Transition}, "sv")
		return err
	case st.Decide != nil:
		ds, err := s.db.Decisions(ctx, a.Tenant, caseID)
		if err != nil {
			return err
		}
		if len(ds) == 0 && st.Decide.Insats != "" {
			d, err := s.SaveDecision(ctx, a, caseID, "", DecisionInput{Insats: st.Decide.Insats, Outcome: process.OutcomeGranted,
				LegalBasis: st.Decide.LegalBasis})
			if err != nil {
				return err
			}
			ds = append(ds, d)
		}
		for _, d := range ds {
			if d.Status != "draft" {
				continue
			}
			in := DecisionInput{Insats: d.Insats, Outcome: d.Outcome, LegalBasis: d.LegalBasis, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
				Amount: d.Amount, Justification: st.Decide.Justification}
			if in.ValidFrom == "" {
				in.ValidFrom = today
			}
			if n, ok := st.Decide.Amounts[d.Insats]; ok {
				in.Amount = n
			}
			if _, err := s.SaveDecision(ctx, a, caseID, d.ID, in); err != nil {
				return err
			}
			if _, err := s.FinaliseDecision(ctx, a, caseID, d.ID); err != nil {
				return err
			}
		}
		return nil
	case st.Execute:
		ds, err := s.db.Decisions(ctx, a.Tenant, caseID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.Status == "final" && d.Outcome != process.OutcomeRefused {
				if _, err := s.RecordExecution(ctx, a, caseID, d.ID, ExecutionInput{Kind: process.ExecExecuted, On: today}); err != nil {
					return err
				}
			}
		}
	case st.Delay != nil:
		ds, err := s.db.Decisions(ctx, a.Tenant, caseID)
		if err != nil {
			return err
		}
		execs, err := s.db.CaseExecutions(ctx, a.Tenant, caseID)
		if err != nil {
			return err
		}
		executed := map[string]bool{}
		for _, e := range execs {
			executed[e.DecisionID] = executed[e.DecisionID] || e.Kind == process.ExecExecuted
		}
		for _, d := range currentDecisions(ds) {
			if d.Status != "final" || d.Outcome == process.OutcomeRefused || executed[d.ID] {
				continue
			}
			if _, err := s.RecordExecution(ctx, a, caseID, d.ID, ExecutionInput{Kind: process.ExecDelay, On: today,
				Reason: st.Delay.Reason, Offers: st.Delay.Offers, InterimHelp: st.Delay.InterimHelp}); err != nil {
				return err
			}
		}
	case st.ChooseProvider:
		return s.walkChooseProviders(ctx, a, caseID)
	case st.Accept:
		return s.walkOrders(ctx, a, caseID, staff, func(pa trygg.Actor, o store.Order) error {
			if o.Status != store.OrderSent {
				return nil
			}
			if _, err := s.AcceptOrder(ctx, pa, o.ID, AcceptInput{StartDate: today}); err != nil {
				return err
			}
			return s.walkDevice(ctx, pa, o)
		})
	case st.Plan != nil:
		return s.walkOrders(ctx, a, caseID, staff, func(pa trygg.Actor, o store.Order) error {
			if o.Status != store.OrderAccepted || !slices.Contains(st.Plan.Insatser, o.Insats) || len(o.Content.Goals) == 0 {
				return nil
			}
			_, err := s.SavePlan(ctx, pa, o.ID, walkPlan(o, st.Plan))
			return err
		})
	case st.Report != nil:
		return s.walkReport(ctx, a, caseID, st.Report, day, staff)
	}
	return nil
}

// walkChooseProviders chooses a provider for each final granted decision
// in force that has none: the one chosen for the case's other decisions
// if it provides this insats too, else the first of those that do (by
// name) in two cases of three and another in the third, by the case.
func (s *Service) walkChooseProviders(ctx context.Context, a trygg.Actor, caseID string) error {
	ds, err := s.db.Decisions(ctx, a.Tenant, caseID)
	if err != nil {
		return err
	}
	chosen := ""
	for _, d := range currentDecisions(ds) {
		if d.Outcome == process.OutcomeRefused {
			continue
		}
		if d.ProviderID != "" {
			chosen = d.ProviderID
			continue
		}
		ps, err := s.ProvidersFor(ctx, a, caseID, d.Insats)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return fmt.Errorf("no demo provider provides %s in the case's area", d.Insats)
		}
		i := slices.IndexFunc(ps, func(p store.Provider) bool { return p.ID == chosen })
		if i < 0 {
			i = 0
			if h := walkHash(s.walkKey(ctx, a.Tenant, caseID), "provider"); h%3 == 0 && len(ps) > 1 {
				i = 1 + int(h/3%uint64(len(ps)-1))
			}
		}
		if _, err := s.ChooseProvider(ctx, a, caseID, d.ID, ChooseProviderInput{ProviderID: ps[i].ID}); err != nil {
			return err
		}
		chosen = ps[i].ID
	}
	return nil
}

// walkOrders calls fn for each order of the case with the one of its
// provider's staff who works on the case.
func (s *Service) walkOrders(ctx context.Context, a trygg.Actor, caseID string, staff walkStaff, fn func(trygg.Actor, store.Order) error) error {
	orders, err := s.db.CaseOrders(ctx, a.Tenant, caseID)
	if err != nil {
		return err
	}
	key := s.walkKey(ctx, a.Tenant, caseID)
	for _, o := range orders {
		pa, err := staff.of(o.ProviderID, key)
		if err != nil {
			return err
		}
		if err := fn(pa, o); err != nil {
			return err
		}
	}
	return nil
}

// walkDevice records a device on an order of an insats carried out with
// one (orders.devices), as the provider does when it installs a safety
// alarm: "TL-" and the end of the order's id.
func (s *Service) walkDevice(ctx context.Context, pa trygg.Actor, o store.Order) error {
	_, def, err := s.orderDefinition(ctx, pa.Tenant, o)
	if err != nil || def == nil || !slices.ContainsFunc(def.Devices, func(d process.Str) bool { return d.Value == o.Insats }) {
		return err
	}
	id := strings.ReplaceAll(o.ID, "-", "")
	return s.RegisterAlarmDevice(ctx, pa, o.ID, DeviceInput{DeviceID: "TL-" + strings.ToUpper(id[len(id)-10:])})
}

// walkPlan is the implementation plan of the order: for each goal, the
// activity the walk gives for its need.
func walkPlan(o store.Order, plan *demo.Plan) PlanInput {
	in := PlanInput{Participation: plan.Participation}
	for g, goal := range o.Content.Goals {
		act, ok := plan.Activities[goal.Need]
		if !ok {
			act = demo.PlanActivity{Activity: "Stöd för att nå målet: " + goal.Goal, When: "Vid varje besök", Who: "Utförarens personal"}
		}
		item := store.PlanItem{Goal: g, Code: goal.Need, Activity: act.Activity, When: act.When, Who: act.Who}
		if len(act.Visits) == 0 {
			in.Items = append(in.Items, item)
		}
		for _, at := range act.Visits {
			item.Time, item.Days = walkVisitTime(o.ID, at), act.Days
			in.Items = append(in.Items, item)
		}
	}
	return in
}

// walkVisitTime is a planned visit's time of day: at itself ("08:00"),
// or for a range ("07:30..10:00") a quarter hour in it chosen by the
// order and the range, so the order's activities with the same range
// share the visit.
func walkVisitTime(orderID, at string) string {
	from, to, isRange := strings.Cut(at, "..")
	lo, err1 := time.Parse("15:04", from)
	hi, err2 := time.Parse("15:04", to)
	if !isRange || err1 != nil || err2 != nil || hi.Before(lo) {
		return at // the plan refuses what is no time
	}
	quarters := uint64(hi.Sub(lo)/(15*time.Minute)) + 1
	return lo.Add(time.Duration(walkHash(orderID, at)%quarters) * 15 * time.Minute).Format("15:04")
}

// walkReport reports, as each provider, the visits on the case's accepted
// orders of the insatser named, from the day after the last one reported
// (or the order's start) to the day before day: visits spread evenly
// over the week, at an hour and of a length varying by order and day, now
// and then a "not home".
func (s *Service) walkReport(ctx context.Context, a trygg.Actor, caseID string, report map[string]demo.Visits, day time.Time, staff walkStaff) error {
	key := s.walkKey(ctx, a.Tenant, caseID)
	orders, err := s.db.CaseOrders(ctx, a.Tenant, caseID)
	if err != nil {
		return err
	}
	last := day.AddDate(0, 0, -1)
	byProvider := map[string][]PerformedInput{}
	var providers []string
	for _, o := range orders {
		v, ok := report[o.Insats]
		if !ok || o.Status != store.OrderAccepted {
			continue
		}
		from, err := time.Parse(time.DateOnly, o.StartDate)
		if err != nil {
			return fmt.Errorf("order %s: start %q: %w", o.ID, o.StartDate, err)
		}
		done, err := s.db.PerformedBetween(ctx, a.Tenant, o.ID, o.StartDate, last.Format(time.DateOnly))
		if err != nil {
			return err
		}
		if len(done) > 0 {
			if d, err := time.Parse(time.DateOnly, done[len(done)-1].On); err == nil {
				from = d.AddDate(0, 0, 1)
			}
		}
		to := last
		if end, err := time.Parse(time.DateOnly, o.ValidTo); err == nil && end.Before(to) {
			to = end
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			if n := int(d.Unix() / 86400); n*v.PerWeek%7 >= v.PerWeek {
				continue
			}
			on := d.Format(time.DateOnly)
			in := PerformedInput{OrderID: o.ID, On: on}
			if h := walkHash(key, o.Insats, on); h%15 == 0 {
				in.Deviation = "not_home"
			} else {
				start := 7*60 + int(h>>8%18)*30 // 07:00–15:30
				mins := max(v.Minutes+(int(h>>16%5)-2)*5, 5)
				in.Start, in.End = fmt.Sprintf("%02d:%02d", start/60, start%60), fmt.Sprintf("%02d:%02d", (start+mins)/60, (start+mins)%60)
				in.Activities = v.Activities
			}
			if _, ok := byProvider[o.ProviderID]; !ok {
				providers = append(providers, o.ProviderID)
			}
			byProvider[o.ProviderID] = append(byProvider[o.ProviderID], in)
		}
	}
	for _, p := range providers {
		pa, err := staff.of(p, key)
		if err != nil {
			return err
		}
		for i, entries := range slices.Collect(slices.Chunk(byProvider[p], maxBatch)) {
			key := fmt.Sprintf("demo.%s.%s.%d", caseID, day.Format(time.DateOnly), i)
			if _, err := s.ReportPerformedBatch(ctx, pa, BatchInput{Key: key, Entries: entries}); err != nil {
				return err
			}
		}
	}
	return nil
}

// walkValues replaces "$today", "$month" and "$today+<period>" in v.
func walkValues(v any, day time.Time) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = walkValues(e, day)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = walkValues(e, day)
		}
		return out
	case string:
		switch {
		case x == "$today":
			return day.Format(time.DateOnly)
		case x == "$month":
			return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		case strings.HasPrefix(x, "$today+"):
			if p, err := calendar.ParsePeriod(strings.TrimPrefix(x, "$today+")); err == nil {
				return p.After(day).Format(time.DateOnly)
			}
		}
	case int:
		return float64(x) // as JSON numbers arrive
	}
	return v
}
