package service

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// CaseOverview is everything the case page shows, read with one access-log
// entry: where the case stands, what may be done now, its forms, notes,
// decisions with their execution, and its timeline.
type CaseOverview struct {
	CaseProcess
	CaseTypeName string `json:"case_type_name"`
	// Person is whom the case is about: name, masked number, protection.
	Person SearchResult `json:"person"`
	Age    int          `json:"age"`
	// AssigneeName is the display name of the assigned officer.
	AssigneeName string `json:"assignee_name,omitempty"`
	// Workable says the actor may change the case (not only read it).
	Workable   bool              `json:"workable"`
	Notes      []store.Note      `json:"notes"`
	Decisions  []store.Decision  `json:"decisions"`
	Executions []store.Execution `json:"executions"`
	Timeline   []TimelineItem    `json:"timeline"`
	// Insatser names the codes decisions may be about, for the decision
	// form; LegalBases the legal bases they may cite.
	Insatser   []Choice `json:"insatser"`
	LegalBases []string `json:"legal_bases"`
	// Names maps user ids met on the page to display names.
	Names map[string]string `json:"names"`
	// Deadlines are the running time limits and follow-ups, soonest first.
	Deadlines []DeadlineView `json:"deadlines"`
	// CurrentForms are the forms the current step works with.
	CurrentForms []string `json:"current_forms"`
	// AmountUnit is what the case type's decision amounts count.
	AmountUnit process.Measure `json:"amount_unit"`
}

// DeadlineView is a running time limit or follow-up of a case.
type DeadlineView struct {
	Name    string `json:"name"`
	DueDate string `json:"due_date"`
	// Overdue is past the last day; Warned has had its warning.
	Overdue bool `json:"overdue"`
	Warned  bool `json:"warned"`
}

// Choice is a code and its label.
type Choice struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	// Parent is the code's parent in a hierarchy ("" at the top).
	Parent string `json:"parent,omitempty"`
}

// TimelineItem is one event of the case in plain words: what happened,
// when, by whom.
type TimelineItem struct {
	At     time.Time `json:"at"`
	Type   string    `json:"type"`
	Actor  string    `json:"actor"`
	Detail string    `json:"detail,omitempty"`
	// Outcome (of a decision) and Kind (of an execution entry) are codes
	// the page words in the reader's language.
	Outcome string `json:"outcome,omitempty"`
	Kind    string `json:"kind,omitempty"`
}

// timelineLength bounds the events a case page shows.
const timelineLength = 100

// CaseOverview reads the case page: the case, its process as the actor may
// work it, its person's name (no full identity number), notes, decisions,
// execution and timeline. The read is access-logged once.
func (s *Service) CaseOverview(ctx context.Context, a trygg.Actor, caseID, lang string) (CaseOverview, error) {
	w, ground, err := s.loadWork(ctx, a, caseID, false)
	if err != nil {
		return CaseOverview{}, err
	}
	out := CaseOverview{Names: map[string]string{}}
	if out.CaseProcess, err = s.caseProcess(ctx, a, w, lang); err != nil {
		return CaseOverview{}, err
	}
	ct, _ := w.comp.CaseType(w.c.CaseType)
	out.CaseTypeName = ct.Name.In(lang)
	for _, st := range ct.Steps {
		if st.ID.Value == w.c.Step {
			for _, f := range st.Forms {
				out.CurrentForms = append(out.CurrentForms, f.Value)
			}
		}
	}
	out.Insatser, out.LegalBases = decisionChoices(w.comp, ct, lang)
	out.AmountUnit = amountUnit(ct)
	p, err := s.db.PersonByID(ctx, a.Tenant, w.c.PersonID)
	if err != nil {
		return CaseOverview{}, err
	}
	out.Person = SearchResult{ID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName, BirthDate: p.BirthDate,
		IdentityMasked: p.Identity.Masked(), Protection: p.Protection}
	if age, ok := p.Identity.Age(s.db.Now()); ok {
		out.Age = age
	}
	rels, err := s.db.CaseRelations(ctx, a, w.c)
	if err != nil {
		return CaseOverview{}, err
	}
	_, werr := access.Decide(a, access.WorkCase, access.Subject{Relations: rels, Protection: p.Protection})
	out.Workable = werr == nil && w.c.Status == "open"
	if out.Notes, err = s.db.Notes(ctx, a.Tenant, w.c.ID, a.UserID); err != nil {
		return CaseOverview{}, err
	}
	if out.Decisions, err = s.db.Decisions(ctx, a.Tenant, w.c.ID); err != nil {
		return CaseOverview{}, err
	}
	if out.Executions, err = s.db.CaseExecutions(ctx, a.Tenant, w.c.ID); err != nil {
		return CaseOverview{}, err
	}
	evs, err := s.db.CaseEvents(ctx, a.Tenant, w.c.ID, timelineLength)
	if err != nil {
		return CaseOverview{}, err
	}
	out.Timeline = timeline(w.comp, w.c.CaseType, evs, lang)
	today := calendar.Today(s.db.Now())
	tasks, err := s.db.CaseOpenTasks(ctx, a.Tenant, w.c.ID, today)
	if err != nil {
		return CaseOverview{}, err
	}
	out.Deadlines = deadlineViews(w.comp, w.c.CaseType, out.Timers, tasks, today, lang)
	ids := []string{w.c.AssignedTo}
	for _, it := range out.Timeline {
		ids = append(ids, it.Actor)
	}
	for _, n := range out.Notes {
		ids = append(ids, n.Author)
	}
	for _, d := range out.Decisions {
		ids = append(ids, d.DraftedBy, d.DecidedBy)
	}
	// Citizens act on a case too (messages, comments, applications): a
	// protected one is not named to a reader without the permission.
	if _, err := s.shownNames(ctx, a, ids, out.Names); err != nil {
		return CaseOverview{}, err
	}
	out.AssigneeName = out.Names[w.c.AssignedTo]
	return out, s.caseSeen(ctx, a, w.c, tasks, out.Workable, entry(a, access.ReadCase, w.c.PersonID, w.c.ID, ground, ""))
}

// names fills m with the display names of the user ids (system actions
// and unknown ids are left out).
func (s *Service) names(ctx context.Context, tenant trygg.TenantID, ids []string, m map[string]string) error {
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if id == "" || m[id] != "" {
			continue
		}
		u, err := s.db.UserByID(ctx, tenant, id)
		if trygg.ErrorCode(err) == trygg.ENotFound {
			continue
		}
		if err != nil {
			return err
		}
		m[id] = u.DisplayName
	}
	return nil
}

// caseProcess is CaseProcess without its access-log entry, for pages that
// log their read once.
func (s *Service) caseProcess(ctx context.Context, a trygg.Actor, w *caseWork, lang string) (CaseProcess, error) {
	ct, _ := w.comp.CaseType(w.c.CaseType)
	out := CaseProcess{Case: w.c, Transitions: w.comp.Available(w.c.CaseType, w.ctx, w.signed, lang), Forms: []FormView{}}
	var err error
	if out.Timers, err = s.db.CaseTimers(ctx, a.Tenant, w.c.ID); err != nil {
		return CaseProcess{}, err
	}
	if out.Transitions == nil {
		out.Transitions = []process.Available{}
	}
	forms := []string{}
	for _, st := range ct.Steps {
		out.Steps = append(out.Steps, StepView{ID: st.ID.Value, Name: st.Name.In(lang), Current: st.ID.Value == w.c.Step, Final: st.Final})
		for _, f := range st.Forms {
			if !slices.Contains(forms, f.Value) {
				forms = append(forms, f.Value)
			}
		}
	}
	for _, fid := range forms {
		fv, err := s.formView(w, fid, lang)
		if err != nil {
			return CaseProcess{}, err
		}
		out.Forms = append(out.Forms, fv)
	}
	return out, nil
}

// timeline turns a case's events into plain-language items, newest first;
// events that say nothing to the officer (draft autosaves) are left out.
func timeline(comp *process.Compiled, caseType string, evs []events.Event, lang string) []TimelineItem {
	out := []TimelineItem{}
	for _, e := range evs {
		var p map[string]any
		_ = json.Unmarshal(e.Payload, &p)
		str := func(k string) string { v, _ := p[k].(string); return v }
		it := TimelineItem{At: e.At, Type: e.Type, Actor: e.ActorID}
		switch e.Type {
		case events.FormDraftSaved, events.NoteDraftSaved, events.DecisionDrafted, events.OrderPerformed:
			// Reports of work done are many; the orders section sums them.
			continue
		case events.CaseTransitioned:
			it.Detail = comp.StepName(caseType, str("from"), lang) + " → " + comp.StepName(caseType, str("to"), lang)
		case events.FormSigned:
			if f, ok := comp.Form(str("form_id")); ok {
				it.Detail = f.Name.In(lang)
			}
		case events.DecisionMade:
			it.Detail, it.Outcome = comp.InsatsLabel(caseType, str("insats"), lang), str("outcome")
		case events.DecisionExecution:
			it.Detail, it.Kind = comp.InsatsLabel(caseType, str("insats"), lang)+" "+str("on"), str("kind")
		case events.DeadlineStarted, events.DeadlineMet, events.DeadlineWarning, events.DeadlineOverdue, events.DeadlineExtended,
			events.DeadlineMoved:
			name, _ := comp.DeadlineRecipients(caseType, str("deadline_id"), "", lang)
			it.Detail = name
			if d := str("due_date"); d != "" {
				it.Detail += " (" + d + ")"
			}
		case events.FollowUpScheduled, events.FollowUpDue:
			it.Detail = comp.FollowUpName(caseType, str("key"), lang) + " " + str("due_date")
		case events.CaseOpened:
			it.Detail = comp.StepName(caseType, str("step"), lang)
		case events.DecisionProviderChosen, events.OrderSent, events.OrderChanged, events.OrderEnded:
			it.Detail = comp.InsatsLabel(caseType, str("insats"), lang)
		case events.OrderAccepted:
			it.Detail = comp.InsatsLabel(caseType, str("insats"), lang) + " " + str("start_date")
		case events.OrderReturned:
			it.Detail = comp.InsatsLabel(caseType, str("insats"), lang) + ": " + str("return_reason")
		case events.AlarmReceived, events.AlarmStaffOnTheWay, events.AlarmResolved, events.AlarmDeviceFault, events.AlarmDeviceRegistered:
			it.Detail = comp.InsatsLabel(caseType, str("insats"), lang)
		case events.LetterDue:
			continue // the letter's own entry says how it went
		case events.LetterSentDigital:
			// Which mailbox, and the delivery's id to ask the operator by.
			it.Detail = comp.InsatsLabel(caseType, str("insats"), lang) + " · " + str("operator") + " · " + str("delivery_id")
		case events.LetterPrintQueued, events.LetterPrinted:
			it.Detail = comp.InsatsLabel(caseType, str("insats"), lang)
		}
		out = append(out, it)
	}
	return out
}

// Labels are the names lists show for case types and steps, from the
// newest published definitions.
type Labels struct {
	CaseTypes map[string]string            `json:"case_types"`
	Steps     map[string]map[string]string `json:"steps"`
	// Insatser maps a case type to its insatser's labels, AmountUnits to
	// what its decision amounts count.
	Insatser    map[string]map[string]string `json:"insatser"`
	AmountUnits map[string]process.Measure   `json:"amount_units"`
	// Lang is the language of the labels, which amounts are written in.
	Lang string `json:"-"`
	// Order lists the case types in the order written, StepOrder each
	// case type's steps.
	Order     []string            `json:"order"`
	StepOrder map[string][]string `json:"step_order"`
}

// Labels returns the case type and step names in lang (empty when nothing
// is published). They are not personal data.
func (s *Service) Labels(ctx context.Context, a trygg.Actor, lang string) (Labels, error) {
	out := Labels{CaseTypes: map[string]string{}, Steps: map[string]map[string]string{}, Insatser: map[string]map[string]string{},
		AmountUnits: map[string]process.Measure{}, Lang: lang, StepOrder: map[string][]string{}}
	comp, err := s.latest(ctx, a.Tenant)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	for _, ct := range comp.Bundle.CaseTypes {
		id := ct.ID.Value
		out.Order = append(out.Order, id)
		out.CaseTypes[id] = ct.Name.In(lang)
		out.Steps[id] = map[string]string{}
		for _, st := range ct.Steps {
			out.Steps[id][st.ID.Value] = st.Name.In(lang)
			out.StepOrder[id] = append(out.StepOrder[id], st.ID.Value)
		}
		out.Insatser[id] = map[string]string{}
		out.AmountUnits[id] = amountUnit(ct)
		if ct.Decisions != nil {
			for _, c := range comp.Codes(ct.Decisions.Insatser.Value) {
				out.Insatser[id][c.Code.Value] = c.Label.In(lang)
			}
		}
	}
	return out, nil
}

// AssignableUsers returns who a case in the unit may be assigned to, for a
// team lead of the unit.
func (s *Service) AssignableUsers(ctx context.Context, a trygg.Actor, unitID string) ([]store.User, error) {
	u, err := s.db.Unit(ctx, a.Tenant, unitID)
	if err != nil {
		return nil, err
	}
	if _, err := access.Decide(a, access.AssignCase, access.Subject{UnitPath: u.Path}); err != nil {
		return nil, err
	}
	return s.db.CaseWorkers(ctx, a.Tenant, u.Path)
}

// PersonOverview is the person page: the person as the actor may see them,
// with the decisions of the cases the actor may read.
type PersonOverview struct {
	PersonView
	// Decisions maps a case id to its final decisions.
	Decisions map[string][]store.Decision `json:"decisions"`
	Labels    Labels                      `json:"labels"`
	// Legacy are the districts still in an old system where the person
	// has records; ImportedCases where the cases shown came from, by case
	// id (legacy_web.go).
	Legacy        []store.LegacyMarker          `json:"legacy,omitempty"`
	ImportedCases map[string]store.LegacyOrigin `json:"imported_cases,omitempty"`
}

// PersonOverview reads the person page (logged as Person logs it), adding
// the final decisions of the cases shown.
func (s *Service) PersonOverview(ctx context.Context, a trygg.Actor, id, lang string) (PersonOverview, error) {
	pv, err := s.Person(ctx, a, id)
	if err != nil {
		return PersonOverview{}, err
	}
	return s.personOverview(ctx, a, pv, lang)
}

func (s *Service) personOverview(ctx context.Context, a trygg.Actor, pv PersonView, lang string) (PersonOverview, error) {
	out := PersonOverview{PersonView: pv, Decisions: map[string][]store.Decision{}}
	for _, c := range pv.Cases {
		ds, err := s.db.Decisions(ctx, a.Tenant, c.ID)
		if err != nil {
			return PersonOverview{}, err
		}
		for _, d := range ds {
			if d.Status == "final" {
				out.Decisions[c.ID] = append(out.Decisions[c.ID], d)
			}
		}
	}
	if err := s.legacyOverview(ctx, a, &out); err != nil {
		return PersonOverview{}, err
	}
	var err error
	out.Labels, err = s.Labels(ctx, a, lang)
	return out, err
}

// EmergencyOverview opens a person's records in an emergency (see
// EmergencyOpen) and returns the person page.
func (s *Service) EmergencyOverview(ctx context.Context, a trygg.Actor, in EmergencyInput, lang string) (PersonOverview, error) {
	pv, err := s.EmergencyOpen(ctx, a, in)
	if err != nil {
		return PersonOverview{}, err
	}
	return s.personOverview(ctx, a, pv, lang)
}

// deadlineViews lists the running deadlines and follow-ups: those with a
// pending timer, and those whose overdue notice fired and whose task is
// still open (not met).
func deadlineViews(comp *process.Compiled, caseType string, timers []store.Timer, tasks []store.Task, today, lang string) []DeadlineView {
	byID := map[string]*DeadlineView{}
	var order []string
	add := func(id, kind, due string) *DeadlineView {
		d := byID[id]
		if d == nil {
			name := ""
			if kind == process.TimerFollowUp {
				name = comp.FollowUpName(caseType, id, lang)
			} else if kind == process.TimerExecution {
				name = comp.ExecutionWarningName(caseType, lang)
			} else {
				name, _ = comp.DeadlineRecipients(caseType, id, "", lang)
			}
			d = &DeadlineView{Name: name, DueDate: due}
			byID[id] = d
			order = append(order, id)
		}
		return d
	}
	for _, t := range timers {
		if t.Status == "pending" && t.Kind != process.TimerWarning {
			d := add(t.DeadlineID, t.Kind, t.DueDate)
			d.DueDate, d.Overdue = t.DueDate, t.DueDate < today
		}
	}
	for _, t := range tasks {
		if t.DeadlineID == "" {
			continue
		}
		kind := process.TimerOverdue
		if strings.HasPrefix(t.DeadlineID, "follow_up/") {
			kind = process.TimerFollowUp
		} else if strings.HasPrefix(t.DeadlineID, "execution/") {
			kind = process.TimerExecution
		}
		d := add(t.DeadlineID, kind, t.DueDate)
		if t.Kind == "deadline_"+process.TimerWarning {
			d.Warned = true
		} else {
			d.Overdue = d.Overdue || t.Overdue
		}
	}
	out := []DeadlineView{}
	for _, id := range order {
		out = append(out, *byID[id])
	}
	slices.SortFunc(out, func(a, b DeadlineView) int { return strings.Compare(a.DueDate, b.DueDate) })
	return out
}

// FormDefinition returns the definition of the form in slot formID as the
// case's unit fills it, for reading a posted form, if the actor may work
// on the case. It returns no personal data, so nothing is logged.
func (s *Service) FormDefinition(ctx context.Context, a trygg.Actor, caseID, formID string) (*process.Form, error) {
	c, _, _, err := s.caseFor(ctx, a, caseID, true)
	if err != nil {
		return nil, err
	}
	if c.DefinitionVersion == 0 {
		return nil, trygg.Errorf(trygg.EConflict, "The case type %q has no published process, so the case cannot have forms.", c.CaseType)
	}
	comp, err := s.compiled(ctx, a.Tenant, c.DefinitionVersion)
	if err != nil {
		return nil, err
	}
	f, ok := comp.Form(comp.FormFor(c.CaseType, c.UnitPath, formID))
	if !ok {
		return nil, trygg.Errorf(trygg.ENotFound, "The case's process has no form %q.", formID)
	}
	return f, nil
}

// decisionChoices returns the insatser a case type's decisions may be
// about and the legal bases they may cite.
func decisionChoices(comp *process.Compiled, ct *process.CaseType, lang string) ([]Choice, []string) {
	if ct.Decisions == nil {
		return nil, nil
	}
	var insatser []Choice
	for _, c := range comp.Codes(ct.Decisions.Insatser.Value) {
		insatser = append(insatser, Choice{Code: c.Code.Value, Label: c.Label.In(lang)})
	}
	var bases []string
	for _, lb := range ct.Decisions.LegalBases {
		bases = append(bases, lb.Value)
	}
	return insatser, bases
}

// amountUnit is what a case type's decision amounts count and over what
// period.
func amountUnit(ct *process.CaseType) process.Measure {
	return ct.Decisions.Measure()
}
