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
	// Kind is executed, interrupted, resumed, ended (without execution)
	// or delay (a note).
	Kind string `json:"kind"`
	// On is the day it happened, YYYY-MM-DD (for a delay note: the day
	// of the note).
	On string `json:"on"`
	// Amount is, for a partial execution, how much of the decided amount
	// is executed, in its unit's smallest part (3 of 5 hours: 300); 0 or
	// left out is all of it. AmountText is the same as people type it
	// ("3", "3,5 timmar"), read when Amount is 0.
	Amount      int64  `json:"amount,omitempty"`
	AmountText  string `json:"amount_text,omitempty"`
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
	case process.ExecExecuted, process.ExecInterrupted, process.ExecResumed, process.ExecEnded:
	case process.ExecDelay:
		if in.Reason == "" {
			fields["reason"] = "Say why the decision is not executed yet."
		}
	default:
		fields["kind"] = "Must be executed, interrupted, resumed, ended or delay."
	}
	if in.Kind != process.ExecExecuted && (in.Amount != 0 || strings.TrimSpace(in.AmountText) != "") {
		fields["amount"] = "Only an execution has an amount."
	}
	if in.Amount < 0 {
		fields["amount"] = "Must be more than 0."
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
	comp, err := s.compiled(ctx, a.Tenant, c.DefinitionVersion)
	if err != nil {
		return nil, err
	}
	var m process.Measure
	if ct, ok := comp.CaseType(c.CaseType); ok {
		m = amountUnit(ct)
	}
	if in.Amount == 0 && strings.TrimSpace(in.AmountText) != "" {
		if in.Amount, err = m.Parse(in.AmountText); err != nil {
			return nil, err
		}
	}
	var out []store.Execution
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		d, err := tx.Decision(ctx, a.Tenant, c.ID, decisionID)
		if err != nil {
			return err
		}
		if in.Amount > 0 && d.Amount == 0 {
			return trygg.Invalid("The execution entry is not valid.", map[string]string{"amount": "The decision has no amount; leave it empty."})
		}
		if in.Amount > d.Amount {
			return trygg.Invalid("The execution entry is not valid.", map[string]string{"amount": fmt.Sprintf("Cannot be more than the decided amount (%s).", m.Format(d.Amount, "en"))})
		}
		if out, err = recordExecution(ctx, tx, a, c, d, in); err != nil {
			return err
		}
		return followExecution(ctx, tx, a.Tenant, comp, c, d, out, in)
	})
	return out, err
}

// followExecution keeps the warning about a decision not executed in
// step with its record, inside tx: a wait that ended (executed in full,
// resumed, ended) cancels its timer and closes its task; an interruption
// starts a new one.
func followExecution(ctx context.Context, tx *store.Tx, tenant trygg.TenantID, comp *process.Compiled, c store.Case, d store.Decision,
	entries []store.Execution, in ExecutionInput) error {
	st := process.ExecutionStateOf(calendar.Today(d.DecidedAt), d.Amount, execEntries(entries), "9999-12-31")
	key := process.ExecutionWarningKey(d.ID)
	if st.EndedOn != "" || in.Kind == process.ExecInterrupted {
		if _, err := tx.CancelTimers(ctx, tenant, c.ID, key); err != nil {
			return err
		}
	}
	if in.Kind == process.ExecInterrupted && st.InterruptedOn == in.On {
		return warnIfNotExecuted(ctx, tx, tenant, comp, c, d, in.On)
	}
	return nil
}

// warnIfNotExecuted sets the timer that gives the officer a task when
// decision d, waiting since day since (YYYY-MM-DD: the decision day or an
// interruption; "" for the decision day), is not executed by its case
// type's execution_warning, inside tx. Nothing is set for a refusal, a case type without one, or a
// wait whose last day has passed.
func warnIfNotExecuted(ctx context.Context, tx *store.Tx, tenant trygg.TenantID, comp *process.Compiled, c store.Case, d store.Decision, since string) error {
	if d.Outcome == process.OutcomeRefused {
		return nil
	}
	if since == "" {
		since = calendar.Today(d.DecidedAt)
	}
	day, err := time.Parse(time.DateOnly, since)
	if err != nil {
		return err
	}
	warn, due, ok := comp.ExecutionWarningDays(c.CaseType, day)
	if !ok || due.Format(time.DateOnly) < calendar.Today(tx.Now) {
		return nil
	}
	return tx.InsertTimer(ctx, tenant, store.Timer{ID: newID(), CaseID: c.ID, DeadlineID: process.ExecutionWarningKey(d.ID),
		Kind: process.TimerExecution, DueDate: due.Format(time.DateOnly), FireAt: calendar.StartOf(warn)})
}

// execEntries are a decision's stored entries as the engine reads them.
func execEntries(es []store.Execution) []process.ExecEntry {
	out := make([]process.ExecEntry, len(es))
	for i, e := range es {
		out[i] = process.ExecEntry{Kind: e.Kind, On: e.On, Amount: e.Amount, Reason: e.Reason, Offers: e.Offers, InterimHelp: e.InterimHelp}
	}
	return out
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
	if err := checkExecutionOrder(decided, d.Amount, prev, in); err != nil {
		return nil, err
	}
	e := store.Execution{ID: newID(), DecisionID: d.ID, Kind: in.Kind, On: in.On, Amount: in.Amount, Reason: in.Reason, Offers: in.Offers,
		InterimHelp: in.InterimHelp, RecordedBy: a.UserID, RecordedAt: tx.Now}
	if err := tx.InsertExecution(ctx, a.Tenant, c.ID, e); err != nil {
		return nil, err
	}
	data := map[string]any{"kind": e.Kind, "on": e.On, "insats": d.Insats}
	if e.Amount > 0 {
		data["amount"] = e.Amount
	}
	ev := events.New(a, events.DecisionExecution, "decision", d.ID, data)
	ev.PersonID, ev.CaseID = c.PersonID, c.ID
	if _, err := tx.AppendEvent(ctx, ev); err != nil {
		return nil, err
	}
	return append(prev, e), nil
}

// checkExecutionOrder refuses an entry that does not follow from the
// record so far of a decision of amount (0: none): the state on the
// latest day recorded decides what may come next, and a state change may
// not be dated before it (a resumption not before its interruption).
func checkExecutionOrder(decided string, amount int64, prev []store.Execution, in ExecutionInput) error {
	entries := execEntries(prev)
	st := process.ExecutionStateOf(decided, amount, entries, "9999-12-31")
	if st.DecisionEndedOn != "" {
		return trygg.Errorf(trygg.EConflict, "The decision ended on %s; nothing more is recorded on it.", st.DecisionEndedOn)
	}
	if in.Kind == process.ExecDelay {
		return nil
	}
	last := ""
	for _, e := range prev {
		if e.Kind != process.ExecDelay && e.On > last {
			last = e.On
		}
	}
	if in.On < last {
		return trygg.Invalid("The execution entry is not valid.", map[string]string{"on": fmt.Sprintf("Cannot be before the latest entry (%s).", last)})
	}
	switch {
	case in.Kind == process.ExecExecuted && st.FullyExecutedOn != "":
		return trygg.Errorf(trygg.EConflict, "The decision was executed on %s already; record an interruption or a resumption instead.", st.FullyExecutedOn)
	case in.Kind == process.ExecExecuted && st.ExecutedAmount > 0 && in.Amount != 0 && in.Amount <= st.ExecutedAmount:
		return trygg.Invalid("The execution entry is not valid.", map[string]string{"amount": "Must be more than the part already executed."})
	case in.Kind == process.ExecEnded && st.FullyExecutedOn != "" && st.InterruptedOn == "":
		return trygg.Errorf(trygg.EConflict, "Only a decision waiting to be executed, or interrupted, can be ended here.")
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
	// File names the report's file for another authority's service
	// (GET /api/v1/reports/{id}/file), "" when it makes none.
	File string `json:"file,omitempty"`
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
			info := ReportInfo{ID: r.ID.Value, Name: r.Name.In(lang), Description: r.Description.In(lang), Period: r.Period.Value}
			if r.Export != nil {
				info.File = r.Export.Name.In(lang)
			}
			out = append(out, info)
		}
	}
	return out, nil
}

// reportRun is what a report is run over: the definitions, the report,
// its period and day, the records its units hold and the rows they came
// from.
type reportRun struct {
	comp    *process.Compiled
	def     *process.Report
	period  process.ReportPeriod
	asOf    string
	records []process.ReportRecord
	rows    []store.ReportDecision
}

// reportRecords reads what report id for period (as the report's period
// kind writes it) runs over: the records of the units where the actor
// holds one of its roles. Rows about persons with a protected identity
// are there only for readers who may see protected identities
// (store.ReportDecisions), like every list. Nothing is logged yet.
func (s *Service) reportRecords(ctx context.Context, a trygg.Actor, id, period string) (reportRun, error) {
	var run reportRun
	comp, err := s.latest(ctx, a.Tenant)
	if err != nil {
		return run, err
	}
	def, ok := comp.ReportDef(id)
	if !ok {
		return run, trygg.Errorf(trygg.ENotFound, "There is no such report.")
	}
	units := reportUnits(a, def)
	if len(units) == 0 {
		return run, trygg.Errorf(trygg.EForbidden, "Your roles may not run this report.")
	}
	p, err := process.ParseReportPeriod(def.Period.Value, period)
	if err != nil {
		return run, err
	}
	now := s.db.Now()
	asOf := min(p.End, calendar.Today(now))
	if p.Start > asOf {
		return run, trygg.Invalid("The period has not begun.", map[string]string{"period": "Choose a period that has begun."})
	}
	day, _ := time.ParseInLocation(time.DateOnly, asOf, calendar.Sweden)
	var types []string
	for _, ct := range def.CaseTypes {
		types = append(types, ct.Value)
	}
	rows, err := s.db.ReportDecisions(ctx, a, types, units, calendar.StartOf(day.AddDate(0, 0, 1)))
	if err != nil {
		return run, err
	}
	tenant, err := s.db.Tenant(ctx, a.Tenant)
	if err != nil {
		return run, err
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
		rec.Executions = execEntries(r.Executions)
		rec.Municipality, rec.MunicipalityCode = tenant.Name, tenant.MunicipalityCode
		records[i] = rec
	}
	return reportRun{comp: comp, def: def, period: p, asOf: asOf, records: records, rows: rows}, nil
}

// logReportRows logs the report's read of each case among caseIDs.
func (s *Service) logReportRows(ctx context.Context, a trygg.Actor, run reportRun, id string, caseIDs []string) error {
	personOf := map[string]string{}
	for _, r := range run.rows {
		personOf[r.Case.ID] = r.Case.PersonID
	}
	var logged []audit.Entry
	seen := map[string]bool{}
	for _, c := range caseIDs {
		if !seen[c] {
			seen[c] = true
			logged = append(logged, entry(a, access.RunReport, personOf[c], c, access.RelReport, id+" "+run.period.Name))
		}
	}
	if len(logged) == 0 {
		return nil
	}
	return s.logAccess(ctx, logged...)
}

// RunReport runs report id for period (as the report's period kind
// writes it) over the units where the actor holds one of its roles. Each
// case read is access-logged. Rows about persons with a protected
// identity are there only for readers who may see protected identities
// (store.ReportDecisions), like every list.
func (s *Service) RunReport(ctx context.Context, a trygg.Actor, id, period, lang string) (process.ReportResult, error) {
	run, err := s.reportRecords(ctx, a, id, period)
	if err != nil {
		return process.ReportResult{}, err
	}
	res, err := run.comp.RunReport(id, run.period, run.asOf, run.records, lang)
	if err != nil {
		return process.ReportResult{}, err
	}
	var cases []string
	for _, row := range res.Rows {
		cases = append(cases, row.CaseID)
	}
	if err := s.logReportRows(ctx, a, run, id, cases); err != nil {
		return process.ReportResult{}, err
	}
	return res, nil
}

// ReportFile makes report id's file for period (its export, as the pack
// lays it out) over the same records as RunReport, each case in it
// access-logged. The same records make the same file. It returns a
// not-found error when the report makes no file, and an invalid error
// when a value is too long for its field.
func (s *Service) ReportFile(ctx context.Context, a trygg.Actor, id, period string) (process.ReportFile, error) {
	run, err := s.reportRecords(ctx, a, id, period)
	if err != nil {
		return process.ReportFile{}, err
	}
	res, err := run.comp.RunReport(id, run.period, run.asOf, run.records, "sv")
	if err != nil {
		return process.ReportFile{}, err
	}
	f, err := run.comp.ExportReport(id, run.period, run.asOf, run.records, "sv")
	if err != nil {
		return process.ReportFile{}, err
	}
	var cases []string
	for _, row := range res.Rows {
		cases = append(cases, row.CaseID)
	}
	if err := s.logReportRows(ctx, a, run, id, cases); err != nil {
		return process.ReportFile{}, err
	}
	return f, nil
}

// warnNotExecuted fires execution warning t of case c inside tx: one task
// for the case's officer (or, when no one has the case, its unit) saying
// which decision is not executed and its last day, unless the wait has
// ended since, and an event.
func warnNotExecuted(ctx context.Context, tx *store.Tx, sys trygg.Actor, comp *process.Compiled, c store.Case, t store.Timer) error {
	id, _ := strings.CutPrefix(t.DeadlineID, "execution/")
	d, err := tx.Decision(ctx, sys.Tenant, c.ID, id)
	if err != nil {
		return err
	}
	entries, err := tx.Executions(ctx, sys.Tenant, d.ID)
	if err != nil {
		return err
	}
	if st := process.ExecutionStateOf(calendar.Today(d.DecidedAt), d.Amount, execEntries(entries), "9999-12-31"); st.EndedOn != "" {
		return nil
	}
	title := fmt.Sprintf("%s: %s, verkställ senast %s", comp.ExecutionWarningName(c.CaseType, "sv"), comp.InsatsLabel(c.CaseType, d.Insats, "sv"), t.DueDate)
	task := store.Task{ID: newID(), CaseID: c.ID, UnitID: c.UnitID, Kind: "deadline_" + t.Kind, DeadlineID: t.DeadlineID,
		Title: title, DueDate: t.DueDate, Assignee: c.AssignedTo}
	if err := tx.InsertTask(ctx, sys.Tenant, task); err != nil {
		return err
	}
	e := events.New(sys, events.DeadlineWarning, "case", c.ID, map[string]any{"deadline_id": t.DeadlineID, "due_date": t.DueDate,
		"timer_id": t.ID, "decision_id": d.ID, "late_seconds": int(tx.Now.Sub(t.FireAt).Seconds())})
	e.PersonID, e.CaseID = c.PersonID, c.ID
	_, err = tx.AppendEvent(ctx, e)
	return err
}
