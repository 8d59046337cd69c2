package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// ExecutionInput records a step in a decision's execution (verkställighet).
type ExecutionInput struct {
	// Kind is executed, interrupted, resumed or delay (a note).
	Kind string `json:"kind"`
	// On is the day it happened, YYYY-MM-DD (for a delay note: the day
	// of the note).
	On          string `json:"on"`
	Reason      string `json:"reason,omitempty"`
	Offers      string `json:"offers,omitempty"`
	InterimHelp string `json:"interim_help,omitempty"`
}

const maxExecutionText = 2000

// RecordExecution adds an entry to the execution record of a final,
// granted decision on a case the actor may work on, and returns the
// decision's record. Entries are never changed; the order of events must
// make sense (executed once, interrupted only while executed, resumed
// only while interrupted), and the day may be neither before the decision
// nor in the future.
func (s *Service) RecordExecution(ctx context.Context, a trygg.Actor, caseID, decisionID string, in ExecutionInput) ([]store.Execution, error) {
	in.Reason, in.Offers, in.InterimHelp = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Offers), strings.TrimSpace(in.InterimHelp)
	fields := map[string]string{}
	switch in.Kind {
	case process.ExecExecuted, process.ExecInterrupted, process.ExecResumed:
	case process.ExecDelay:
		if in.Reason == "" {
			fields["reason"] = "Say why the decision is not executed yet."
		}
	default:
		fields["kind"] = "Must be executed, interrupted, resumed or delay."
	}
	if _, err := time.Parse(time.DateOnly, in.On); err != nil {
		fields["on"] = "Must be a date YYYY-MM-DD."
	}
	for k, v := range map[string]string{"reason": in.Reason, "offers": in.Offers, "interim_help": in.InterimHelp} {
		if len([]rune(v)) > maxExecutionText {
			fields[k] = fmt.Sprintf("At most %d characters.", maxExecutionText)
		}
	}
	if len(fields) > 0 {
		return nil, trygg.Invalid("The execution entry is not valid.", fields)
	}
	c, ground, err := s.workableCase(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	var out []store.Execution
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		d, err := tx.Decision(ctx, a.Tenant, c.ID, decisionID)
		if err != nil {
			return err
		}
		out, err = recordExecution(ctx, tx, a, c, d, in)
		return err
	})
	return out, err
}

// recordExecution adds an execution entry for the final decision d of
// case c inside tx, checked against the decision date, today and the
// entries so far, and returns the decision's entries.
func recordExecution(ctx context.Context, tx *store.Tx, a trygg.Actor, c store.Case, d store.Decision, in ExecutionInput) ([]store.Execution, error) {
	if d.Status != "final" || d.Outcome == process.OutcomeRefused {
		return nil, trygg.Errorf(trygg.EConflict, "Only a final decision that grants something is executed.")
	}
	decided := calendar.Today(d.DecidedAt)
	today := calendar.Today(tx.Now)
	switch {
	case in.On < decided:
		return nil, trygg.Invalid("The execution entry is not valid.", map[string]string{"on": fmt.Sprintf("Cannot be before the decision (%s).", decided)})
	case in.On > today:
		return nil, trygg.Invalid("The execution entry is not valid.", map[string]string{"on": "Cannot be in the future."})
	}
	prev, err := tx.Executions(ctx, a.Tenant, d.ID)
	if err != nil {
		return nil, err
	}
	if err := checkExecutionOrder(decided, prev, in); err != nil {
		return nil, err
	}
	e := store.Execution{ID: newID(), DecisionID: d.ID, Kind: in.Kind, On: in.On, Reason: in.Reason, Offers: in.Offers,
		InterimHelp: in.InterimHelp, RecordedBy: a.UserID, RecordedAt: tx.Now}
	if err := tx.InsertExecution(ctx, a.Tenant, c.ID, e); err != nil {
		return nil, err
	}
	ev := events.New(a, events.DecisionExecution, "decision", d.ID, map[string]any{"kind": e.Kind, "on": e.On, "insats": d.Insats})
	ev.PersonID, ev.CaseID = c.PersonID, c.ID
	if _, err := tx.AppendEvent(ctx, ev); err != nil {
		return nil, err
	}
	return append(prev, e), nil
}

// checkExecutionOrder refuses an entry that does not follow from the
// record so far: the state on the latest day recorded decides what may
// come next, and a state change may not be dated before it.
func checkExecutionOrder(decided string, prev []store.Execution, in ExecutionInput) error {
	if in.Kind == process.ExecDelay {
		return nil
	}
	entries := make([]process.ExecEntry, len(prev))
	last := ""
	for i, e := range prev {
		entries[i] = process.ExecEntry{Kind: e.Kind, On: e.On}
		if e.Kind != process.ExecDelay && e.On > last {
			last = e.On
		}
	}
	if in.On < last {
		return trygg.Invalid("The execution entry is not valid.", map[string]string{"on": fmt.Sprintf("Cannot be before the latest entry (%s).", last)})
	}
	st := process.ExecutionState(decided, entries, "9999-12-31")
	switch {
	case in.Kind == process.ExecExecuted && st.ExecutedOn != "":
		return trygg.Errorf(trygg.EConflict, "The decision was executed on %s already; record an interruption or a resumption instead.", st.ExecutedOn)
	case in.Kind == process.ExecInterrupted && (st.ExecutedOn == "" || st.InterruptedOn != ""):
		return trygg.Errorf(trygg.EConflict, "Only an executed decision that is not already interrupted can be interrupted.")
	case in.Kind == process.ExecResumed && st.InterruptedOn == "":
		return trygg.Errorf(trygg.EConflict, "Only an interrupted decision can be resumed.")
	}
	return nil
}

// Executions returns the execution records of the case's decisions, after
// logging the read.
func (s *Service) Executions(ctx context.Context, a trygg.Actor, caseID string) ([]store.Execution, error) {
	c, ground, err := s.readableCase(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	out, err := s.db.CaseExecutions(ctx, a.Tenant, c.ID)
	if err != nil {
		return nil, err
	}
	return out, s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}

// ReportInfo describes a report the actor may run.
type ReportInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Period      string `json:"period"`
}

// latest returns the tenant's newest published definitions, or a not-found
// error when nothing is published.
func (s *Service) latest(ctx context.Context, tenant trygg.TenantID) (*process.Compiled, error) {
	v, err := s.db.LatestDefinitionVersion(ctx, tenant)
	if err != nil {
		return nil, err
	}
	if v == 0 {
		return nil, trygg.Errorf(trygg.ENotFound, "No process definitions are published yet.")
	}
	return s.compiled(ctx, tenant, v)
}

// reportUnits returns the unit subtrees in which the actor holds one of
// the report's roles.
func reportUnits(a trygg.Actor, r *process.Report) []string {
	var paths []string
	for _, g := range a.Grants {
		if slices.ContainsFunc(r.Roles, func(s process.Str) bool { return s.Value == string(g.Role) }) && !slices.Contains(paths, g.UnitPath) {
			paths = append(paths, g.UnitPath)
		}
	}
	return paths
}

// Reports lists the reports of the newest published definitions that the
// actor may run.
func (s *Service) Reports(ctx context.Context, a trygg.Actor, lang string) ([]ReportInfo, error) {
	comp, err := s.latest(ctx, a.Tenant)
	if err != nil {
		if trygg.ErrorCode(err) == trygg.ENotFound {
			return []ReportInfo{}, nil
		}
		return nil, err
	}
	out := []ReportInfo{}
	for _, r := range comp.Reports() {
		if len(reportUnits(a, r)) > 0 {
			out = append(out, ReportInfo{ID: r.ID.Value, Name: r.Name.In(lang), Description: r.Description.In(lang), Period: r.Period.Value})
		}
	}
	return out, nil
}

// RunReport runs report id for period (as the report's period kind
// writes it) over the units where the actor holds one of its roles. Each
// case read is access-logged. Rows about persons with a protected
// identity are there only for readers who may see protected identities
// (store.ReportDecisions), like every list.
func (s *Service) RunReport(ctx context.Context, a trygg.Actor, id, period, lang string) (process.ReportResult, error) {
	comp, err := s.latest(ctx, a.Tenant)
	if err != nil {
		return process.ReportResult{}, err
	}
	def, ok := comp.ReportDef(id)
	if !ok {
		return process.ReportResult{}, trygg.Errorf(trygg.ENotFound, "There is no such report.")
	}
	units := reportUnits(a, def)
	if len(units) == 0 {
		return process.ReportResult{}, trygg.Errorf(trygg.EForbidden, "Your roles may not run this report.")
	}
	p, err := process.ParseReportPeriod(def.Period.Value, period)
	if err != nil {
		return process.ReportResult{}, err
	}
	now := s.db.Now()
	asOf := min(p.End, calendar.Today(now))
	if p.Start > asOf {
		return process.ReportResult{}, trygg.Invalid("The period has not begun.", map[string]string{"period": "Choose a period that has begun."})
	}
	day, _ := time.ParseInLocation(time.DateOnly, asOf, calendar.Sweden)
	var types []string
	for _, ct := range def.CaseTypes {
		types = append(types, ct.Value)
	}
	rows, err := s.db.ReportDecisions(ctx, a, types, units, calendar.StartOf(day.AddDate(0, 0, 1)))
	if err != nil {
		return process.ReportResult{}, err
	}
	records := make([]process.ReportRecord, len(rows))
	for i, r := range rows {
		rec := process.ReportRecord{DecisionID: r.Decision.ID, Insats: r.Decision.Insats, Outcome: r.Decision.Outcome,
			LegalBasis: r.Decision.LegalBasis, DecidedOn: calendar.Today(r.Decision.DecidedAt), ValidFrom: r.Decision.ValidFrom,
			ValidTo: r.Decision.ValidTo, Amount: r.Decision.Amount, CaseID: r.Case.ID, CaseType: r.Case.CaseType, CaseStep: r.Case.Step,
			UnitID: r.Case.UnitID, UnitName: r.UnitName, PersonSex: r.PersonSex}
		if len(r.BirthDate) >= 4 {
			fmt.Sscan(r.BirthDate[:4], &rec.BirthYear)
		}
		for _, e := range r.Executions {
			rec.Executions = append(rec.Executions, process.ExecEntry{Kind: e.Kind, On: e.On, Reason: e.Reason, Offers: e.Offers, InterimHelp: e.InterimHelp})
		}
		records[i] = rec
	}
	res, err := comp.RunReport(id, p, asOf, records, lang)
	if err != nil {
		return process.ReportResult{}, err
	}
	personOf := map[string]string{}
	for _, r := range rows {
		personOf[r.Case.ID] = r.Case.PersonID
	}
	var logged []audit.Entry
	seen := map[string]bool{}
	for _, row := range res.Rows {
		if !seen[row.CaseID] {
			seen[row.CaseID] = true
			logged = append(logged, entry(a, access.RunReport, personOf[row.CaseID], row.CaseID, access.RelReport, id+" "+p.Name))
		}

	}
	if len(logged) > 0 {
		if err := s.logAccess(ctx, logged...); err != nil {
			return process.ReportResult{}, err
		}
	}
	return res, nil
}
