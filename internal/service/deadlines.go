package service

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// applyDeadlines starts and meets the case's deadlines on entering step,
// inside tx, with their events. forms are the case's signed forms, for
// deadlines that count from a date in one.
func applyDeadlines(ctx context.Context, tx *store.Tx, a trygg.Actor, comp *process.Compiled, c store.Case, step string, opened bool,
	forms map[string]map[string]any) error {
	ch := comp.OnEnter(c.CaseType, step, tx.Now, opened, forms)
	for _, id := range ch.Met {
		n, err := tx.CancelTimers(ctx, a.Tenant, c.ID, id)
		if err != nil {
			return err
		}
		if n > 0 {
			e := events.New(a, events.DeadlineMet, "case", c.ID, map[string]any{"deadline_id": id, "step": step})
			e.PersonID, e.CaseID = c.PersonID, c.ID
			if _, err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
	}
	started := map[string]string{}
	for _, t := range ch.Start {
		if _, ok := started[t.DeadlineID]; !ok {
			// A deadline that starts again (the case came back to its
			// start step) replaces the running one.
			if _, err := tx.CancelTimers(ctx, a.Tenant, c.ID, t.DeadlineID); err != nil {
				return err
			}
		}
		started[t.DeadlineID] = t.DueDate
		if err := tx.InsertTimer(ctx, a.Tenant, store.Timer{ID: newID(), CaseID: c.ID, DeadlineID: t.DeadlineID, Kind: t.Kind,
			DueDate: t.DueDate, FireAt: t.FireAt}); err != nil {
			return err
		}
	}
	for id, due := range started {
		e := events.New(a, events.DeadlineStarted, "case", c.ID, map[string]any{"deadline_id": id, "due_date": due, "step": step})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// applyActions carries out a move's actions besides closing, inside tx:
// a follow-up becomes a durable timer that puts a task in the inbox when
// due; a notice to the citizen is recorded in the event log, from which
// notifications are sent after commit.
func applyActions(ctx context.Context, tx *store.Tx, a trygg.Actor, c store.Case, move process.Move) error {
	for i, act := range move.Details {
		switch act.Type.Value {
		case process.ActionScheduleFollowUp:
			period, err := calendar.ParsePeriod(act.Period.Value)
			if err != nil {
				return err
			}
			due := period.After(calendar.Date(tx.Now))
			key := process.FollowUpKey(move.Transition, i)
			if err := tx.InsertTimer(ctx, a.Tenant, store.Timer{ID: newID(), CaseID: c.ID, DeadlineID: key, Kind: process.TimerFollowUp,
				DueDate: due.Format("2006-01-02"), FireAt: calendar.StartOf(due)}); err != nil {
				return err
			}
			e := events.New(a, events.FollowUpScheduled, "case", c.ID, map[string]any{"key": key, "due_date": due.Format("2006-01-02")})
			e.PersonID, e.CaseID = c.PersonID, c.ID
			if _, err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		case process.ActionNotifyCitizen:
			e := events.New(a, events.CitizenNotice, "case", c.ID, map[string]any{"message": act.Message, "transition": move.Transition})
			e.PersonID, e.CaseID = c.PersonID, c.ID
			if _, err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// extension is a deadline a transition extends, with its new timers.
type extension struct {
	deadline, from, to, form string
	timers                   []process.Timer
}

// extensions works out the extend_deadline actions of move before its
// transaction: the deadline must be running (its overdue notice pending)
// and the signed form's date must be after the current last day.
func (s *Service) extensions(ctx context.Context, tenant trygg.TenantID, w *caseWork, move process.Move) ([]extension, error) {
	var out []extension
	for _, act := range move.Details {
		if act.Type.Value != process.ActionExtendDeadline {
			continue
		}
		timers, err := s.db.CaseTimers(ctx, tenant, w.c.ID)
		if err != nil {
			return nil, err
		}
		current := ""
		for _, t := range timers {
			if t.DeadlineID == act.Deadline.Value && t.Kind == process.TimerOverdue && t.Status == "pending" {
				current = t.DueDate
			}
		}
		if current == "" {
			return nil, trygg.Errorf(trygg.EConflict, "The time limit %q is not running (it is met, has not started or has already passed), so it cannot be extended.", act.Deadline.Value)
		}
		due, _ := w.ctx.Forms[act.Form.Value][act.Field.Value].(string)
		ts, err := w.comp.ExtendTimers(w.c.CaseType, act.Deadline.Value, current, due, s.db.Now())
		if err != nil {
			return nil, err
		}
		out = append(out, extension{deadline: act.Deadline.Value, from: current, to: due, form: act.Form.Value, timers: ts})
	}
	return out, nil
}

// extendDeadlines replaces the extended deadlines' pending timers inside
// tx, with an event each.
func extendDeadlines(ctx context.Context, tx *store.Tx, a trygg.Actor, c store.Case, exts []extension) error {
	for _, x := range exts {
		n, err := tx.CancelTimers(ctx, a.Tenant, c.ID, x.deadline)
		if err != nil {
			return err
		}
		if n == 0 {
			return trygg.Errorf(trygg.EConflict, "The time limit %q passed a moment ago and can no longer be extended.", x.deadline)
		}
		for _, t := range x.timers {
			if err := tx.InsertTimer(ctx, a.Tenant, store.Timer{ID: newID(), CaseID: c.ID, DeadlineID: t.DeadlineID, Kind: t.Kind,
				DueDate: t.DueDate, FireAt: t.FireAt}); err != nil {
				return err
			}
		}
		e := events.New(a, events.DeadlineExtended, "case", c.ID, map[string]any{"deadline_id": x.deadline, "from_due_date": x.from,
			"due_date": x.to, "form_id": x.form})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// recount is a running deadline that a form being signed moves: it
// counts from a date in the form, and the date gives a new last day.
type recount struct {
	deadline, from, to, form string
	timers                   []process.Timer
}

// recounts works out, before the signing's transaction, which deadlines
// of the case that count from a date in form get a new last day from
// values, the entry being signed. Only a running deadline moves (its
// overdue notice still pending, as for extend_deadline): one that is met
// stays met, and one that has passed keeps the notice already sent.
func (s *Service) recounts(ctx context.Context, tenant trygg.TenantID, w *caseWork, form string, values map[string]any) ([]recount, error) {
	ids := w.comp.DeadlinesFrom(w.c.CaseType, form)
	if len(ids) == 0 {
		return nil, nil
	}
	timers, err := s.db.CaseTimers(ctx, tenant, w.c.ID)
	if err != nil {
		return nil, err
	}
	forms := maps.Clone(w.ctx.Forms)
	if forms == nil {
		forms = map[string]map[string]any{}
	}
	forms[form] = values
	var out []recount
	for _, id := range ids {
		current := ""
		for _, t := range timers {
			if t.DeadlineID == id && t.Kind == process.TimerOverdue && t.Status == "pending" {
				current = t.DueDate
			}
		}
		if current == "" {
			continue
		}
		ts, ok := w.comp.RecountTimers(w.c.CaseType, id, forms, s.db.Now())
		if !ok || ts[len(ts)-1].DueDate == current {
			continue
		}
		out = append(out, recount{deadline: id, from: current, to: ts[len(ts)-1].DueDate, form: form, timers: ts})
	}
	return out, nil
}

// recountDeadlines replaces the moved deadlines' pending timers inside tx,
// closing the tasks the old ones made (a warning naming the old day), with
// an event each. A deadline that has fired or been met since recounts
// read it refuses the signing (nothing is signed), which can then be
// tried again.
func recountDeadlines(ctx context.Context, tx *store.Tx, a trygg.Actor, c store.Case, rs []recount) error {
	for _, r := range rs {
		n, err := tx.CancelTimers(ctx, a.Tenant, c.ID, r.deadline)
		if err != nil {
			return err
		}
		if n == 0 {
			return trygg.Errorf(trygg.EConflict, "The case changed while you were working on it; reload it and try again.")
		}
		for _, t := range r.timers {
			if err := tx.InsertTimer(ctx, a.Tenant, store.Timer{ID: newID(), CaseID: c.ID, DeadlineID: t.DeadlineID, Kind: t.Kind,
				DueDate: t.DueDate, FireAt: t.FireAt}); err != nil {
				return err
			}
		}
		e := events.New(a, events.DeadlineMoved, "case", c.ID, map[string]any{"deadline_id": r.deadline, "from_due_date": r.from,
			"due_date": r.to, "form_id": r.form})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// FireDueTimers fires up to limit of the tenant's due timers: for each, in
// one transaction with the timer's claim, it creates the tasks the deadline
// names (a task for the assigned officer, a notice for the unit's team
// leads) and appends an event. It returns how many fired. Several servers
// may run it at once; a timer fires once.
func (s *Service) FireDueTimers(ctx context.Context, tenant trygg.TenantID, limit int) (int, error) {
	sys := SystemActor(tenant)
	fired := 0
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		timers, err := tx.ClaimDueTimers(ctx, tenant, limit)
		if err != nil {
			return err
		}
		for _, t := range timers {
			c, err := tx.CaseByID(ctx, tenant, t.CaseID)
			if err != nil {
				return err
			}
			comp, err := s.compiled(ctx, tenant, c.DefinitionVersion)
			if err != nil {
				return err
			}
			if t.Kind == process.TimerExecution {
				if err := warnNotExecuted(ctx, tx, sys, comp, c, t); err != nil {
					return err
				}
				continue
			}
			name, recipients := comp.DeadlineRecipients(c.CaseType, t.DeadlineID, t.Kind, "sv")
			title := fmt.Sprintf("%s: tidsfristen går ut %s", name, t.DueDate)
			switch t.Kind {
			case process.TimerOverdue:
				title = fmt.Sprintf("%s: tidsfristen gick ut %s", name, t.DueDate)
				// The overdue notice replaces the warning in the inbox.
				if err := tx.CloseTasks(ctx, tenant, c.ID, t.DeadlineID, "deadline_"+process.TimerWarning); err != nil {
					return err
				}
			case process.TimerFollowUp:
				title = "Uppföljning: " + comp.FollowUpName(c.CaseType, t.DeadlineID, "sv")
				recipients = []string{process.RecipientAssignee, process.RecipientTeamLead}
			}
			for _, r := range recipients {
				task := store.Task{ID: newID(), CaseID: c.ID, UnitID: c.UnitID, Kind: "deadline_" + t.Kind, DeadlineID: t.DeadlineID,
					Title: title, DueDate: t.DueDate}
				if r == process.RecipientAssignee {
					if c.AssignedTo == "" {
						continue // an unassigned case's task goes to the team below
					}
					task.Assignee = c.AssignedTo
				} else if t.Kind == process.TimerFollowUp && c.AssignedTo != "" {
					continue // a follow-up goes to the team only when no one has the case
				}
				if err := tx.InsertTask(ctx, tenant, task); err != nil {
					return err
				}
			}
			typ := map[string]string{process.TimerWarning: events.DeadlineWarning, process.TimerOverdue: events.DeadlineOverdue,
				process.TimerFollowUp: events.FollowUpDue}[t.Kind]
			e := events.New(sys, typ, "case", c.ID, map[string]any{"deadline_id": t.DeadlineID, "due_date": t.DueDate, "timer_id": t.ID,
				"late_seconds": int(tx.Now.Sub(t.FireAt).Seconds())})
			e.PersonID, e.CaseID = c.PersonID, c.ID
			if _, err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		fired = len(timers)
		return nil
	})
	if trygg.ErrorCode(err) == trygg.EConflict {
		return 0, nil // another server took them; it fires them
	}
	return fired, err
}

// RunTimers fires due timers of every tenant every interval until ctx
// ends, and once a day checks each tenant's purge deadlines
// (RetentionWarn).
func (s *Service) RunTimers(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	checked := map[trygg.TenantID]string{} // the retention warnings' daily check
	for {
		tenants, err := s.db.Tenants(ctx)
		if err == nil {
			for _, tn := range tenants {
				s.retentionDaily(ctx, tn.ID, checked)
				for {
					n, err := s.FireDueTimers(ctx, tn.ID, 200)
					if err != nil {
						s.log.Error("firing timers failed", "tenant", tn.ID, "err", err)
						break
					}
					if n < 200 {
						break
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// InboxInput selects an inbox: mine, or my team's (the units where I am
// team lead or officer), filtered and sorted.
type InboxInput struct {
	Team     bool
	CaseType string
	// UnitID narrows a team's inbox to a unit and the units under it.
	UnitID string
	// Step keeps the cases in that step of their case type, with their
	// tasks.
	Step string
	// Search keeps the cases whose person's name or whose reference holds
	// the text.
	Search string
	// Overdue keeps the cases and tasks past their last day.
	Overdue bool
	// Sort orders the cases: "" (the nearest deadline first), "received"
	// (the day the report or application came in), "name" (the person's
	// family name) or "reference"; Desc turns it round. Tasks are always
	// soonest due first.
	Sort string
	Desc bool
	// Limit is how many tasks and how many cases to return (at most, and
	// by default, inboxLimit); the rest are counted in TasksHidden and
	// CasesHidden.
	Limit int
}

// InboxView is an inbox: open tasks and open cases, each saying whose
// case it is.
type InboxView struct {
	Tasks []store.Task      `json:"tasks"`
	Cases []store.InboxCase `json:"cases"`
	// TasksHidden and CasesHidden are how many more match than are
	// returned (counted up to inboxLimit).
	TasksHidden int `json:"tasks_hidden,omitempty"`
	CasesHidden int `json:"cases_hidden,omitempty"`
}

// Inbox returns the actor's open tasks and open cases, or their team's,
// filtered and sorted as asked (the nearest deadline first by default),
// overdue ones marked. Each row names the case's person (name and masked
// identity number), so the persons shown are access-logged, one entry
// per person on the ground of reading their case (access.ReadPersonName).
func (s *Service) Inbox(ctx context.Context, a trygg.Actor, in InboxInput) (InboxView, error) {
	switch in.Sort {
	case store.InboxByDue, store.InboxByReceived, store.InboxByName, store.InboxByRef:
	default:
		return InboxView{}, trygg.Invalid("The inbox cannot be sorted that way.", map[string]string{"sort": "Sort by received, name or reference, or leave it out."})
	}
	if len([]rune(in.Search)) > 100 {
		return InboxView{}, trygg.Invalid("The search text is too long.", map[string]string{"search": "At most 100 characters."})
	}
	q := store.InboxQuery{CaseType: in.CaseType, Step: in.Step, Search: in.Search, Overdue: in.Overdue, Sort: in.Sort, Desc: in.Desc, Limit: inboxLimit}
	if in.Team {
		var paths []string
		for _, g := range a.Grants {
			if g.Role == trygg.RoleTeamLead || g.Role == trygg.RoleOfficer {
				paths = append(paths, g.UnitPath)
			}
		}
		if len(paths) == 0 {
			return InboxView{}, trygg.Errorf(trygg.EForbidden, "You belong to no team with cases.")
		}
		if in.UnitID != "" {
			u, err := s.db.Unit(ctx, a.Tenant, in.UnitID)
			if err != nil {
				return InboxView{}, trygg.Invalid("The unit does not exist.", map[string]string{"unit_id": "No such unit."})
			}
			var within []string
			for _, p := range paths {
				switch {
				case strings.HasPrefix(u.Path, p): // the unit is in my team
					within = []string{u.Path}
				case strings.HasPrefix(p, u.Path): // my team is in the unit
					within = append(within, p)
				}
			}
			if len(within) == 0 {
				return InboxView{}, trygg.Invalid("The unit is not one of your team's.", map[string]string{"unit_id": "Not your team's unit."})
			}
			paths = within
		}
		var err error
		if q.UnitIDs, err = s.db.UnitIDsUnder(ctx, a.Tenant, paths); err != nil {
			return InboxView{}, err
		}
	} else {
		q.UserID = a.UserID
	}
	today := calendar.Today(s.db.Now())
	// A team's inbox asks unit by unit, so each query walks one index in
	// due order and stops at the limit; the results are merged here.
	queries := []store.InboxQuery{q}
	if in.Team {
		queries = queries[:0]
		for _, id := range q.UnitIDs {
			uq := q
			uq.UnitIDs = []string{id}
			queries = append(queries, uq)
		}
	}
	view := InboxView{Tasks: []store.Task{}, Cases: []store.InboxCase{}}
	for _, uq := range queries {
		tasks, err := s.db.Inbox(ctx, a, uq, today)
		if err != nil {
			return InboxView{}, err
		}
		cases, err := s.db.InboxCases(ctx, a, uq, today)
		if err != nil {
			return InboxView{}, err
		}
		view.Tasks = append(view.Tasks, tasks...)
		view.Cases = append(view.Cases, cases...)
	}
	for i := range view.Tasks {
		receivedOn(&view.Tasks[i].InboxRow)
	}
	for i := range view.Cases {
		receivedOn(&view.Cases[i].InboxRow)
	}
	sort.Slice(view.Tasks, func(i, j int) bool {
		a, b := view.Tasks[i], view.Tasks[j]
		if a.DueDate != b.DueDate {
			return a.DueDate < b.DueDate
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	})
	sort.SliceStable(view.Cases, caseOrder(view.Cases, in.Sort, in.Desc))
	limit := in.Limit
	if limit <= 0 || limit > inboxLimit {
		limit = inboxLimit
	}
	view.Tasks = view.Tasks[:min(len(view.Tasks), inboxLimit)]
	view.Cases = view.Cases[:min(len(view.Cases), inboxLimit)]
	view.TasksHidden, view.CasesHidden = max(0, len(view.Tasks)-limit), max(0, len(view.Cases)-limit)
	view.Tasks = view.Tasks[:min(len(view.Tasks), limit)]
	view.Cases = view.Cases[:min(len(view.Cases), limit)]
	var scope []string
	if in.Team {
		scope = q.UnitIDs
	}
	entries, err := s.inboxEntries(ctx, a, view, scope)
	if err != nil {
		return InboxView{}, err
	}
	return view, s.logAccess(ctx, entries...)
}

// receivedOn gives a case opened before the received day was kept the day
// it was opened.
func receivedOn(r *store.InboxRow) {
	if r.ReceivedDate == "" && !r.CaseOpenedAt.IsZero() {
		r.ReceivedDate = calendar.Today(r.CaseOpenedAt)
	}
}

// caseOrder returns the less function of an inbox's cases sorted by
// sortBy (desc turns it round): the nearest deadline first (cases
// without one last either way), the day received, the person's name in
// Swedish alphabetical order, or the reference; ties by the day opened.
func caseOrder(cs []store.InboxCase, sortBy string, desc bool) func(i, j int) bool {
	col := collate.New(language.Swedish)
	return func(i, j int) bool {
		a, b := cs[i], cs[j]
		c := 0
		switch sortBy {
		case store.InboxByReceived:
			c = strings.Compare(a.ReceivedDate, b.ReceivedDate)
		case store.InboxByName:
			c = col.CompareString(a.SortName, b.SortName)
		case store.InboxByRef:
			c = strings.Compare(a.Reference, b.Reference)
		default:
			if (a.NextDue == "") != (b.NextDue == "") {
				return b.NextDue == ""
			}
			c = strings.Compare(a.NextDue, b.NextDue)
		}
		if c == 0 {
			if !a.OpenedAt.Equal(b.OpenedAt) {
				return a.OpenedAt.Before(b.OpenedAt)
			}
			return a.ID < b.ID
		}
		return (c < 0) != desc
	}
}

// inboxEntries are the access-log entries of an inbox's rows: one per
// person named, with the first of their cases shown, on the ground of
// reading that case (assigned to the actor, in their units, or an
// emergency opening). units are the ids of the actor's units when the
// caller knows them (a team's inbox), else nil.
func (s *Service) inboxEntries(ctx context.Context, a trygg.Actor, v InboxView, units []string) ([]audit.Entry, error) {
	type row struct{ person, caseID, unit, assigned string }
	var rows []row
	for _, t := range v.Tasks {
		rows = append(rows, row{t.PersonID, t.CaseID, t.UnitID, t.CaseAssignedTo})
	}
	for _, c := range v.Cases {
		rows = append(rows, row{c.PersonID, c.ID, c.UnitID, c.AssignedTo})
	}
	var scope map[string]bool // the units of the actor's case roles, when needed
	if units != nil {
		scope = map[string]bool{}
		for _, id := range units {
			scope[id] = true
		}
	}
	seen := map[string]bool{}
	var out []audit.Entry
	for _, r := range rows {
		if seen[r.person] {
			continue
		}
		seen[r.person] = true
		ground := access.RelAssigned
		if r.assigned != a.UserID {
			if scope == nil {
				var paths []string
				for _, g := range a.Grants {
					if g.Role == trygg.RoleTeamLead || g.Role == trygg.RoleOfficer {
						paths = append(paths, g.UnitPath)
					}
				}
				ids, err := s.db.UnitIDsUnder(ctx, a.Tenant, paths)
				if err != nil {
					return nil, err
				}
				scope = map[string]bool{}
				for _, id := range ids {
					scope[id] = true
				}
			}
			ground = access.RelEmergency
			if scope[r.unit] {
				ground = access.RelUnit
			}
		}
		out = append(out, entry(a, access.ReadPersonName, r.person, r.caseID, ground, ""))
	}
	return out, nil
}

// inboxLimit is how many tasks and cases an inbox shows.
const inboxLimit = 200
