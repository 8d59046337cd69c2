package process

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"

	"github.com/trygg/trygg/internal/trygg"
)

// KindReport is a report definition document.
const KindReport = "report"

// Report is a report definition: which records it reads, which of them it
// lists (Filter), what it shows of each (Columns) and how it counts them
// (Summary), for a period of time. Reports read only what the engine
// records generally (decisions, their execution, cases, units, and a
// person's sex and birth year), never free text about the person.
type Report struct {
	Kind        string `yaml:"kind"`
	ID          Str    `yaml:"id"`
	Name        Text   `yaml:"name"`
	Description Text   `yaml:"description,omitempty"`
	// Source is what one row is: "decisions" (final decisions).
	Source Str `yaml:"source"`
	// CaseTypes limits the rows to cases of these types.
	CaseTypes []Str `yaml:"case_types"`
	// Period is the report's period: month, quarter or year.
	Period Str `yaml:"period"`
	// Roles may run the report, for the units where they hold the role.
	Roles []Str `yaml:"roles"`
	// Filter must be true for a record to be listed.
	Filter  Str            `yaml:"filter"`
	Columns []ReportColumn `yaml:"columns"`
	Summary *ReportSummary `yaml:"summary,omitempty"`
	// Export, if set, is the file the listed records make for another
	// authority's service (IVO's e-service): see report_export.go.
	Export *ReportExport `yaml:"export,omitempty"`
}

// ReportColumn is one column: its value is an expression over the row.
type ReportColumn struct {
	ID    Str  `yaml:"id"`
	Label Text `yaml:"label"`
	Value Str  `yaml:"value"`
}

// ReportSummary counts the listed rows by the values of some columns.
type ReportSummary struct {
	By []Str `yaml:"by"`
}

// Report sources and periods.
const (
	SourceDecisions = "decisions"
	PeriodMonth     = "month"
	PeriodQuarter   = "quarter"
	PeriodYear      = "year"
)

// Execution entry kinds (verkställighet).
const (
	ExecExecuted    = "executed"
	ExecInterrupted = "interrupted"
	ExecResumed     = "resumed"
	// ExecEnded: the decision ended without being (fully) executed: the
	// application was withdrawn, the need is gone, the person moved or
	// died. Nothing is recorded after it.
	ExecEnded = "ended"
	ExecDelay = "delay" // a note: reason for delay, offers, interim help
)

// ExecEntry is one entry of a decision's execution record. Amount is, for
// an execution, how much of the decided amount is executed from On, in the
// decision's unit (hundredths of an hour: 3 of 5 hours is 300); 0 is all
// of it.
type ExecEntry struct {
	Kind, On                    string
	Amount                      int64
	Reason, Offers, InterimHelp string
}

// ExecState is where a decision's execution stands on a day.
type ExecState struct {
	// ExecutedOn is the first execution, InterruptedOn the latest
	// interruption that was not resumed by the day, ResumedOn the latest
	// resumption; "" when there is none.
	ExecutedOn, InterruptedOn, ResumedOn string
	// WaitingSince is when the current wait began (the decision day, or
	// the interruption), and EndedOn when it ended (execution or
	// resumption after the wait began) or "" if it still runs.
	WaitingSince, EndedOn string
	// EndKind says how the wait ended: executed (in full), resumed or
	// ended (the decision ended without execution); "" while it runs.
	EndKind string
	// DaysWaiting counts the days from WaitingSince to EndedOn, or to the
	// day asked about while the wait runs; 0 when executed and running.
	DaysWaiting int
	// ExecutedAmount is how much of the decided amount is executed (all
	// of it once executed in full), MissingAmount the part not executed
	// while a partial execution waits for the rest; both 0 when the
	// decision has no amount.
	ExecutedAmount, MissingAmount int64
	// FullyExecutedOn is the day the decision was executed in full.
	FullyExecutedOn string
	// DecisionEndedOn is the day the decision ended without (full)
	// execution.
	DecisionEndedOn string
	// The latest delay note.
	Reason, Offers, InterimHelp string
}

// ExecutionState works out the execution on day asOf of a decision
// without an amount; see ExecutionStateOf.
func ExecutionState(decidedOn string, entries []ExecEntry, asOf string) ExecState {
	return ExecutionStateOf(decidedOn, 0, entries, asOf)
}

// ExecutionStateOf works out the execution on day asOf (YYYY-MM-DD) of a
// decision of amount (0: none) from its entries (in date order): entries
// after asOf do not count yet. A decision waits from its decision day
// until executed in full (a partial execution leaves the rest waiting,
// still from the decision day) or ended; an interruption starts a new
// wait, which a resumption ends.
func ExecutionStateOf(decidedOn string, amount int64, entries []ExecEntry, asOf string) ExecState {
	st := ExecState{WaitingSince: decidedOn}
	for _, e := range entries {
		if e.On > asOf || st.DecisionEndedOn != "" {
			break
		}
		switch e.Kind {
		case ExecExecuted:
			if st.FullyExecutedOn != "" || st.InterruptedOn != "" {
				continue
			}
			if st.ExecutedOn == "" {
				st.ExecutedOn = e.On
			}
			if amount > 0 && e.Amount > 0 && e.Amount < amount {
				st.ExecutedAmount, st.MissingAmount = max(st.ExecutedAmount, e.Amount), amount-max(st.ExecutedAmount, e.Amount)
				continue
			}
			st.ExecutedAmount, st.MissingAmount = amount, 0
			st.FullyExecutedOn, st.EndedOn, st.EndKind = e.On, e.On, ExecExecuted
		case ExecInterrupted:
			// A partial execution still waits for the rest from the
			// decision day; only a decision executed in full is
			// interrupted.
			if st.FullyExecutedOn != "" && st.InterruptedOn == "" {
				st.InterruptedOn, st.WaitingSince, st.EndedOn, st.EndKind = e.On, e.On, "", ""
			}
		case ExecResumed:
			if st.InterruptedOn != "" {
				st.ResumedOn, st.EndedOn, st.EndKind, st.InterruptedOn = e.On, e.On, ExecResumed, ""
			}
		case ExecEnded:
			st.DecisionEndedOn, st.InterruptedOn = e.On, ""
			if st.EndedOn == "" {
				st.EndedOn, st.EndKind = e.On, ExecEnded
			}
		case ExecDelay:
			st.Reason, st.Offers, st.InterimHelp = e.Reason, e.Offers, e.InterimHelp
		}
	}
	end := st.EndedOn
	if end == "" {
		end = asOf
	}
	st.DaysWaiting = daysBetween(st.WaitingSince, end)
	return st
}

func daysBetween(from, to string) int {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || b.Before(a) {
		return 0
	}
	return int(b.Sub(a).Hours() / 24)
}

// ReportPeriod is the stretch of days a report covers.
type ReportPeriod struct {
	Name  string `json:"name"`  // 2026-Q3, 2026-07 or 2026
	Start string `json:"start"` // YYYY-MM-DD, both included
	End   string `json:"end"`
}

// ParseReportPeriod reads a period of kind: "2026-07" for a month,
// "2026-Q3" for a quarter, "2026" for a year.
func ParseReportPeriod(kind, s string) (ReportPeriod, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	bad := func(example string) error {
		return trygg.Invalid("The period is not valid.", map[string]string{"period": fmt.Sprintf("Write the %s as %s.", kind, example)})
	}
	var year, first, months int
	switch kind {
	case PeriodMonth:
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return ReportPeriod{}, bad("2026-07")
		}
		year, first, months = t.Year(), int(t.Month()), 1
	case PeriodQuarter:
		y, q, ok := strings.Cut(s, "-Q")
		n, err1 := strconv.Atoi(y)
		qn, err2 := strconv.Atoi(q)
		if !ok || err1 != nil || err2 != nil || qn < 1 || qn > 4 || n < 1900 || n > 9999 {
			return ReportPeriod{}, bad("2026-Q3")
		}
		year, first, months = n, (qn-1)*3+1, 3
	case PeriodYear:
		n, err := strconv.Atoi(s)
		if err != nil || n < 1900 || n > 9999 {
			return ReportPeriod{}, bad("2026")
		}
		year, first, months = n, 1, 12
	default:
		return ReportPeriod{}, fmt.Errorf("unknown period kind %q", kind)
	}
	start := time.Date(year, time.Month(first), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, months, -1)
	return ReportPeriod{Name: s, Start: start.Format(time.DateOnly), End: end.Format(time.DateOnly)}, nil
}

// ReportRecord is one decision with the facts a report may show. The
// service fills it from the store; the engine never sees identities.
type ReportRecord struct {
	DecisionID, Insats, Outcome, LegalBasis string
	DecidedOn, ValidFrom, ValidTo           string
	Amount                                  int64
	Executions                              []ExecEntry
	CaseID, CaseType, CaseStep, UnitID      string
	UnitName                                string
	PersonSex                               string
	BirthYear                               int
	// Municipality and MunicipalityCode are the tenant's name and its
	// four-digit code (SCB's kommunkod).
	Municipality, MunicipalityCode string
}

// ReportResult is a report run: its columns, the listed rows (cell texts in
// column order) with the cases they come from, and the summary counts.
type ReportResult struct {
	ID      string          `json:"id"`
	Name    string          `json:"name"`
	Period  ReportPeriod    `json:"period"`
	AsOf    string          `json:"as_of"`
	Columns []ReportColHead `json:"columns"`
	Rows    []ReportRow     `json:"rows"`
	Summary []ReportCount   `json:"summary,omitempty"`
}

// ReportColHead names a column.
type ReportColHead struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// ReportRow is one listed record.
type ReportRow struct {
	CaseID string   `json:"case_id"`
	Cells  []string `json:"cells"`
}

// ReportCount is how many rows share the summary columns' values.
type ReportCount struct {
	Values []string `json:"values"`
	Count  int      `json:"count"`
}

type compiledReport struct {
	def     *Report
	filter  cel.Program
	columns []cel.Program
	export  *compiledExport
}

// reportVars are the report environment: each a map of the keys that
// reportActivation fills (documented in docs/definitions.md).
var reportVars = []string{"decision", "person", "case", "unit", "period", "tenant"}

func reportEnv() (*cel.Env, error) {
	opts := append([]cel.EnvOption{}, helperFunctions...)
	opts = append(opts, dateFunctions...)
	for _, v := range reportVars {
		opts = append(opts, cel.Variable(v, cel.MapType(cel.StringType, cel.DynType)))
	}
	return cel.NewEnv(opts...)
}

// reportActivation is the row as expressions see it.
func (c *Compiled) reportActivation(r ReportRecord, p ReportPeriod, asOf, lang string) map[string]any {
	st := ExecutionStateOf(r.DecidedOn, r.Amount, r.Executions, asOf)
	insatsName := c.InsatsLabel(r.CaseType, r.Insats, lang)
	typeName := r.CaseType
	m := Measure{Unit: UnitCount}
	if ct, ok := c.caseTypes[r.CaseType]; ok {
		typeName = ct.def.Name.In(lang)
		m = ct.def.Decisions.Measure()
	}
	amountText := func(n int64) string {
		if n == 0 {
			return ""
		}
		return m.Format(n, lang)
	}
	return map[string]any{
		"decision": map[string]any{
			"id": r.DecisionID, "insats": r.Insats, "insats_name": insatsName, "outcome": r.Outcome, "legal_basis": r.LegalBasis,
			"decided_on": r.DecidedOn, "valid_from": r.ValidFrom, "valid_to": r.ValidTo, "amount": r.Amount,
			"executed": st.FullyExecutedOn != "", "executed_on": st.ExecutedOn, "executed_in_full_on": st.FullyExecutedOn,
			"interrupted_on": st.InterruptedOn, "resumed_on": st.ResumedOn, "ended_on": st.DecisionEndedOn,
			"waiting_since": st.WaitingSince, "waiting_ended_on": st.EndedOn, "end_kind": st.EndKind, "days_waiting": int64(st.DaysWaiting),
			"partly_executed": st.MissingAmount > 0, "amount_executed": st.ExecutedAmount, "amount_missing": st.MissingAmount,
			"amount_text": amountText(r.Amount), "amount_executed_text": amountText(st.ExecutedAmount), "amount_missing_text": amountText(st.MissingAmount),
			"delay_reason": st.Reason, "offers": st.Offers, "interim_help": st.InterimHelp,
		},
		"tenant": map[string]any{"name": r.Municipality, "municipality_code": r.MunicipalityCode},
		"person": map[string]any{"sex": r.PersonSex, "birth_year": int64(r.BirthYear)},
		"case":   map[string]any{"id": r.CaseID, "type": r.CaseType, "type_name": typeName, "step": r.CaseStep},
		"unit":   map[string]any{"id": r.UnitID, "name": r.UnitName},
		"period": map[string]any{"name": p.Name, "start": p.Start, "end": p.End, "as_of": asOf},
	}
}

// sampleRecord fills every key, so validation can run each expression once
// and report a misspelt key before publishing.
var sampleRecord = ReportRecord{DecisionID: "d", Insats: "x", Outcome: OutcomeGranted, DecidedOn: "2026-01-02", CaseType: "t",
	Executions: []ExecEntry{{Kind: ExecExecuted, On: "2026-02-01"}}, BirthYear: 1944, PersonSex: "F"}

func (v *validator) report(r *Report, caseTypes map[string]bool) {
	if r.ID.Value == "" {
		v.add(Pos{}, "check.report.no_id")
		return
	}
	v.id(r.ID, "check.noun.report")
	v.text(r.Name, r.ID.Pos, "check.text.report_name")
	if r.Source.Value != SourceDecisions {
		v.add(r.ID.Pos, "check.report.source", "Source", r.Source.Value)
	}
	if len(r.CaseTypes) == 0 {
		v.add(r.ID.Pos, "check.report.no_case_types")
	}
	for _, ct := range r.CaseTypes {
		if !caseTypes[ct.Value] {
			v.add(ct.Pos, "check.case_type.unknown", "CaseType", ct.Value)
		}
	}
	if !slices.Contains([]string{PeriodMonth, PeriodQuarter, PeriodYear}, r.Period.Value) {
		v.add(r.ID.Pos, "check.report.period", "Period", r.Period.Value)
	}
	if len(r.Roles) == 0 {
		v.add(r.ID.Pos, "check.report.no_roles")
	}
	v.roles(r.Roles)
	if len(r.Columns) == 0 {
		v.add(r.ID.Pos, "check.report.no_columns")
	}
	cols := map[string]bool{}
	for _, col := range r.Columns {
		if v.id(col.ID, "check.noun.column") && cols[col.ID.Value] {
			v.add(col.ID.Pos, "check.report.column_twice", "Column", col.ID.Value)
		}
		cols[col.ID.Value] = true
		v.text(col.Label, col.ID.Pos, "check.text.column_label", "Column", col.ID.Value)
		if col.Value.Value == "" {
			v.add(col.ID.Pos, "check.report.column_no_value", "Column", col.ID.Value)
		}
	}
	if r.Summary != nil {
		if len(r.Summary.By) == 0 {
			v.add(r.ID.Pos, "check.report.summary_no_by")
		}
		for _, b := range r.Summary.By {
			if !cols[b.Value] {
				v.add(b.Pos, "check.report.summary_unknown_column", "Column", b.Value)
			}
		}
	}
	if r.Filter.Value == "" {
		v.add(r.ID.Pos, "check.report.no_filter")
	}
	// Compile and run each expression once on a full sample row: a
	// misspelt key (decision.dayz_waiting) is caught here, not by the
	// first person to run the report.
	env, err := reportEnv()
	if err != nil {
		v.add(r.ID.Pos, "check.expr.env", "Detail", err.Error())
		return
	}
	act := (&Compiled{caseTypes: map[string]*compiledCaseType{}}).reportActivation(sampleRecord, ReportPeriod{Name: "2026-Q1", Start: "2026-01-01", End: "2026-03-31"}, "2026-03-31", "sv")
	try := func(s Str, want *cel.Type) {
		if s.Value == "" {
			return
		}
		prg, err := compile(env, s.Value, want)
		if err != nil {
			v.addNote(s.Pos, noteOf(err))
			return
		}
		out, _, err := prg.Eval(act)
		if err != nil {
			v.add(s.Pos, "check.report.expr_error", "Detail", firstLine(err.Error()))
			return
		}
		if want == cel.BoolType {
			if _, ok := out.Value().(bool); !ok {
				v.add(s.Pos, "check.report.expr_not_bool", "Got", runtimeTypeName(out.Value()))
			}
		}
	}
	try(r.Filter, cel.BoolType)
	for _, col := range r.Columns {
		try(col.Value, nil)
	}
	v.validateExport(r, try)
}

func compileReport(r *Report) *compiledReport {
	env, _ := reportEnv()
	cr := &compiledReport{def: r}
	cr.filter, _ = compile(env, r.Filter.Value, cel.BoolType)
	for _, col := range r.Columns {
		prg, _ := compile(env, col.Value.Value, nil)
		cr.columns = append(cr.columns, prg)
	}
	cr.export = compileExport(r.Export)
	return cr
}

// Reports returns the bundle's report definitions.
func (c *Compiled) Reports() []*Report { return c.Bundle.Reports }

// ReportDef returns report id, if the bundle has it.
func (c *Compiled) ReportDef(id string) (*Report, bool) {
	r, ok := c.reports[id]
	if !ok {
		return nil, false
	}
	return r.def, true
}

// RunReport runs report id over records for period p as of asOf (the
// period's end, or today while the period runs): the records its filter
// lists, their cells, and the summary counts.
func (c *Compiled) RunReport(id string, p ReportPeriod, asOf string, records []ReportRecord, lang string) (ReportResult, error) {
	cr, ok := c.reports[id]
	if !ok {
		return ReportResult{}, trygg.Errorf(trygg.ENotFound, "There is no report %q.", id)
	}
	res := ReportResult{ID: id, Name: cr.def.Name.In(lang), Period: p, AsOf: asOf, Rows: []ReportRow{}}
	for _, col := range cr.def.Columns {
		res.Columns = append(res.Columns, ReportColHead{ID: col.ID.Value, Label: col.Label.In(lang)})
	}
	counts := map[string]*ReportCount{}
	var order []string
	for _, r := range records {
		act := c.reportActivation(r, p, asOf, lang)
		ok, err := evalBool(cr.filter, act)
		if err != nil {
			return ReportResult{}, fmt.Errorf("report %s: filter: %w", id, err)
		}
		if !ok {
			continue
		}
		row := ReportRow{CaseID: r.CaseID}
		for i, prg := range cr.columns {
			out, _, err := prg.Eval(act)
			if err != nil {
				return ReportResult{}, fmt.Errorf("report %s: column %s: %w", id, cr.def.Columns[i].ID.Value, err)
			}
			row.Cells = append(row.Cells, fmt.Sprint(out.Value()))
		}
		res.Rows = append(res.Rows, row)
		if cr.def.Summary != nil {
			var vals []string
			for _, b := range cr.def.Summary.By {
				i := slices.IndexFunc(cr.def.Columns, func(col ReportColumn) bool { return col.ID.Value == b.Value })
				vals = append(vals, row.Cells[i])
			}
			key := strings.Join(vals, "\x00")
			if counts[key] == nil {
				counts[key] = &ReportCount{Values: vals}
				order = append(order, key)
			}
			counts[key].Count++
		}
	}
	slices.Sort(order)
	for _, k := range order {
		res.Summary = append(res.Summary, *counts[k])
	}
	return res, nil
}

// runtimeTypeName names the type of an expression's value v.
func runtimeTypeName(v any) note {
	switch v.(type) {
	case int64:
		return newNote("check.want.int")
	case float64:
		return newNote("check.want.number")
	case string:
		return newNote("check.want.text")
	}
	return newNote("check.detail", "Detail", fmt.Sprintf("%T", v))
}

// PeriodOf names the period of kind that holds day: "2026-11", "2026-Q4"
// or "2026".
func PeriodOf(kind string, day time.Time) string {
	switch kind {
	case PeriodMonth:
		return day.Format("2006-01")
	case PeriodQuarter:
		return fmt.Sprintf("%d-Q%d", day.Year(), (int(day.Month())-1)/3+1)
	}
	return strconv.Itoa(day.Year())
}
