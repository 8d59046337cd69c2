package process

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cel.dev/cel-go/cel"

	"github.com/trygg/trygg/internal/trygg"
)

// KindRegister is a register definition document: an individual-level
// register an authority collects (Socialstyrelsen's registers), as a file.
const KindRegister = "register"

// Register is a register definition: which records it has (Records, over
// the cases of CaseTypes, narrowed by Filter), what each record reports
// (Fields, expressions over the record), the file's layout (File), and
// when it is due. Nothing in the engine knows a register by name.
type Register struct {
	Kind        string `yaml:"kind"`
	ID          Str    `yaml:"id"`
	Name        Text   `yaml:"name"`
	Description Text   `yaml:"description,omitempty"`
	// Regulation is the föreskrift that asks for the register, for people
	// ("HSLF-FS 2015:30").
	Regulation Str `yaml:"regulation"`
	// Records is what one record (one line of the file) is: decisions,
	// cases, case_months or persons.
	Records   Str   `yaml:"records"`
	CaseTypes []Str `yaml:"case_types"`
	// Period is month, year or status_day (one day a year, StatusDay,
	// written MM-DD).
	Period    Str `yaml:"period"`
	StatusDay Str `yaml:"status_day,omitempty"`
	// Due is when the file is due after the period.
	Due   RegisterDue `yaml:"due"`
	Roles []Str       `yaml:"roles"`
	// Filter must be true for a record to be in the file.
	Filter Str             `yaml:"filter"`
	Fields []RegisterField `yaml:"fields"`
	File   RegisterLayout  `yaml:"file"`
}

// RegisterDue says when a register's file is due: on Day of the month
// MonthsAfter months after the period's last month (the month's last day
// when it is shorter).
type RegisterDue struct {
	MonthsAfter Str `yaml:"months_after"`
	Day         Str `yaml:"day"`
}

// RegisterField is one field of a record: a column of the file.
type RegisterField struct {
	ID    Str  `yaml:"id"`
	Label Text `yaml:"label"`
	// Header is the column's name in the file's header line; the id when
	// empty.
	Header Str `yaml:"header,omitempty"`
	// Type is text (the default), number, amount (öre, written as the
	// file's amounts say) or date (YYYY-MM-DD, written as its dates say).
	Type  Str `yaml:"type,omitempty"`
	Value Str `yaml:"value"`
	// Required fields must have a value for the file to be made; so must
	// a field whose RequiredIf is true for the record.
	Required   bool `yaml:"required,omitempty"`
	RequiredIf Str  `yaml:"required_if,omitempty"`
	// Codes maps a value to the code written in the file; a value not in
	// the map is reported as missing its code.
	Codes map[string]Str `yaml:"codes,omitempty"`
	// Width: numbers are written with leading zeros to this width, and a
	// longer value is refused.
	Width Str `yaml:"width,omitempty"`
	// Missing says in plain words what the officer should do when the
	// value is missing; "<label> saknas" when empty.
	Missing Text `yaml:"missing,omitempty"`
}

// RegisterLayout is how the file is written.
type RegisterLayout struct {
	// Name is the file name; {municipality}, {period}, {year}, {month}
	// and {register} are filled in.
	Name Str `yaml:"name"`
	// Separator is ";", ",", "|" or tab.
	Separator Str  `yaml:"separator"`
	Header    bool `yaml:"header,omitempty"`
	// Encoding is utf-8 or iso-8859-1.
	Encoding Str `yaml:"encoding"`
	// LineEnd is crlf or lf.
	LineEnd Str `yaml:"line_end"`
	// Dates is YYYYMMDD or YYYY-MM-DD.
	Dates Str `yaml:"dates"`
	// Amounts is kronor (rounded to whole kronor) or ore.
	Amounts Str `yaml:"amounts"`
}

// What a register's record is.
const (
	RecordsDecisions  = "decisions"
	RecordsCases      = "cases"
	RecordsCaseMonths = "case_months"
	RecordsPersons    = "persons"
	PeriodStatusDay   = "status_day"
)

// Register field types.
const (
	RegText   = "text"
	RegNumber = "number"
	RegAmount = "amount"
	RegDate   = "date"
)

var (
	registerRecords      = []string{RecordsDecisions, RecordsCases, RecordsCaseMonths, RecordsPersons}
	registerPeriods      = []string{PeriodMonth, PeriodYear, PeriodStatusDay}
	registerTypes        = []string{RegText, RegNumber, RegAmount, RegDate}
	separators           = map[string]string{";": ";", ",": ",", "|": "|", "tab": "\t"}
	fileNamePattern      = regexp.MustCompile(`^[A-Za-z0-9_.{}-]{1,100}$`)
	fileNamePlaceholder  = regexp.MustCompile(`\{[^}]*\}`)
	fileNamePlaceholders = []string{"{municipality}", "{period}", "{year}", "{month}", "{register}"}
	statusDayRe          = regexp.MustCompile(`^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)
)

// RegisterCase is one case with what a register may read of it. The
// service fills it from the store; only registers see the identity number.
type RegisterCase struct {
	CaseID, Reference, CaseType, Step, UnitID, UnitName string
	// OpenedOn, ClosedOn ("" while open) and ReceivedOn: YYYY-MM-DD.
	OpenedOn, ClosedOn, ReceivedOn           string
	PersonID, IdentityNumber, Sex, BirthDate string
	// Forms are the case's latest signed values by form (as decoded from
	// JSON).
	Forms     map[string]map[string]any
	Decisions []RegisterDecision
	// Payments are the case's payment lines that pay (not stopped or
	// rejected): their month (YYYY-MM) and amount in öre.
	Payments []RegisterPayment
}

// RegisterDecision is a final decision of a case.
type RegisterDecision struct {
	ID, Insats, Outcome, LegalBasis, DecidedOn, ValidFrom, ValidTo string
	Amount                                                         int64
	Executions                                                     []ExecEntry
}

// RegisterPayment is a payment line's month and amount.
type RegisterPayment struct {
	Month  string
	Amount int64
}

// RegisterPeriod is the period a register file covers, and its due day.
type RegisterPeriod struct {
	Name  string `json:"name"`  // 2026-07, 2026
	Start string `json:"start"` // YYYY-MM-DD, both included
	End   string `json:"end"`
	// AsOf is the day records are taken as of: the period's end, or the
	// status day.
	AsOf string `json:"as_of"`
	Due  string `json:"due"`
}

// RegisterIssue is something a record lacks, for the officer to fix.
type RegisterIssue struct {
	CaseID        string `json:"case_id"`
	CaseReference string `json:"case_reference"`
	// Month is the record's month for case_months records.
	Month string `json:"month,omitempty"`
	Field string `json:"field"`
	// Label names the field, and Message says what to do, in Swedish;
	// MessageEN in English.
	Label     string `json:"label"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
}

// RegisterRow is one record of a register run: its cells in field order
// and the cases (and their persons) it comes from.
type RegisterRow struct {
	CaseIDs   []string
	PersonIDs []string
	Cells     []string
}

// RegisterRun is a register worked out for a period: its rows and what
// they lack. A file may be made only when Issues is empty.
type RegisterRun struct {
	ID     string
	Period RegisterPeriod
	Rows   []RegisterRow
	Issues []RegisterIssue
}

type compiledRegister struct {
	def      *Register
	filter   cel.Program
	values   []cel.Program
	required []cel.Program
}

// Registers returns the bundle's register definitions.
func (c *Compiled) Registers() []*Register { return c.Bundle.Registers }

// RegisterDef returns register id, if the bundle has it.
func (c *Compiled) RegisterDef(id string) (*Register, bool) {
	r, ok := c.registers[id]
	if !ok {
		return nil, false
	}
	return r.def, true
}

// registerVars are the variables a register's expressions see besides
// forms.<form>.<field> and the base variables (docs/definitions.md).
var registerVars = map[string]*cel.Type{
	"record.month": cel.StringType, "record.amount": cel.IntType,
	"record.months":            cel.MapType(cel.StringType, cel.IntType),
	"record.insatser":          cel.ListType(cel.StringType),
	"record.insatser_in_force": cel.ListType(cel.StringType),
	"decision.started_on":      cel.StringType, "decision.ended_on": cel.StringType,
	"decision.in_force": cel.BoolType, "decision.started_in_period": cel.BoolType, "decision.ended_in_period": cel.BoolType,
	"decision.id": cel.StringType, "decision.insats": cel.StringType, "decision.outcome": cel.StringType,
	"decision.legal_basis": cel.StringType, "decision.decided_on": cel.StringType, "decision.valid_from": cel.StringType,
	"decision.valid_to": cel.StringType, "decision.amount": cel.IntType, "decision.executed_on": cel.StringType,
	"case.id": cel.StringType, "case.reference": cel.StringType, "case.opened_on": cel.StringType,
	"case.closed_on": cel.StringType, "case.received_on": cel.StringType,
	"unit.id": cel.StringType, "unit.name": cel.StringType,
	"person.identity_number": cel.StringType, "person.birth_date": cel.StringType, "person.birth_year": cel.IntType,
	"municipality.code": cel.StringType,
	"period.name":       cel.StringType, "period.start": cel.StringType, "period.end": cel.StringType,
	"period.as_of": cel.StringType, "period.year": cel.IntType, "period.month": cel.IntType,
}

func registerEnv(forms []*Form, tables map[string]*compiledTable) (*cel.Env, error) {
	env, err := newEnv(forms, "", tables)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(registerVars))
	for n := range registerVars {
		names = append(names, n)
	}
	slices.Sort(names)
	var opts []cel.EnvOption
	for _, n := range names {
		opts = append(opts, cel.Variable(n, registerVars[n]))
	}
	return env.Extend(opts...)
}

func registerFieldType(t string) string {
	if t == "" {
		return RegText
	}
	return t
}

func (v *validator) register(r *Register, caseTypes map[string]bool, env *cel.Env) {
	if r.ID.Value == "" {
		v.add(r.ID.Pos, "check.register.no_id")
		return
	}
	v.id(r.ID, "check.noun.register")
	v.text(r.Name, r.ID.Pos, "check.text.register_name")
	if r.Regulation.Value == "" {
		v.add(r.ID.Pos, "check.register.no_regulation")
	}
	if !slices.Contains(registerRecords, r.Records.Value) {
		v.add(posOr(r.Records.Pos, r.ID.Pos), "check.register.records", "Records", r.Records.Value)
	}
	if len(r.CaseTypes) == 0 {
		v.add(r.ID.Pos, "check.register.no_case_types")
	}
	for _, ct := range r.CaseTypes {
		if !caseTypes[ct.Value] {
			v.add(ct.Pos, "check.case_type.unknown", "CaseType", ct.Value)
		}
	}
	switch {
	case !slices.Contains(registerPeriods, r.Period.Value):
		v.add(posOr(r.Period.Pos, r.ID.Pos), "check.register.period", "Period", r.Period.Value)
	case r.Period.Value == PeriodStatusDay && !statusDayRe.MatchString(r.StatusDay.Value):
		v.add(posOr(r.StatusDay.Pos, r.Period.Pos), "check.register.status_day", "Day", r.StatusDay.Value)
	case r.Period.Value != PeriodStatusDay && r.StatusDay.Value != "":
		v.add(r.StatusDay.Pos, "check.register.status_day_unused")
	}
	if n, err := strconv.Atoi(r.Due.MonthsAfter.Value); err != nil || n < 0 || n > 12 {
		v.add(posOr(r.Due.MonthsAfter.Pos, r.ID.Pos), "check.register.due_months", "Value", r.Due.MonthsAfter.Value)
	}
	if n, err := strconv.Atoi(r.Due.Day.Value); err != nil || n < 1 || n > 31 {
		v.add(posOr(r.Due.Day.Pos, r.ID.Pos), "check.register.due_day", "Value", r.Due.Day.Value)
	}
	if len(r.Roles) == 0 {
		v.add(r.ID.Pos, "check.register.no_roles")
	}
	v.roles(r.Roles)
	v.registerLayout(r)
	if r.Filter.Value == "" {
		v.add(r.ID.Pos, "check.register.no_filter")
	}
	v.expr(env, r.Filter, cel.BoolType)
	if len(r.Fields) == 0 {
		v.add(r.ID.Pos, "check.register.no_fields")
	}
	seen := map[string]bool{}
	headers := map[string]bool{}
	for i := range r.Fields {
		f := &r.Fields[i]
		if v.id(f.ID, "check.noun.register_field") && seen[f.ID.Value] {
			v.add(f.ID.Pos, "check.register.field_twice", "Field", f.ID.Value)
		}
		seen[f.ID.Value] = true
		h := f.Header.Value
		if h == "" {
			h = f.ID.Value
		}
		if headers[h] && h != f.ID.Value {
			v.add(f.Header.Pos, "check.register.header_twice", "Header", h)
		}
		headers[h] = true
		if sep := separators[r.File.Separator.Value]; sep != "" && strings.Contains(h, sep) {
			v.add(posOr(f.Header.Pos, f.ID.Pos), "check.register.header_separator", "Header", h)
		}
		v.text(f.Label, f.ID.Pos, "check.text.register_field_label", "Field", f.ID.Value)
		typ := registerFieldType(f.Type.Value)
		if !slices.Contains(registerTypes, typ) {
			v.add(f.Type.Pos, "check.register.field_type", "Field", f.ID.Value, "Type", f.Type.Value)
		}
		if f.Width.Value != "" {
			if n, err := strconv.Atoi(f.Width.Value); err != nil || n < 1 || n > 100 {
				v.add(f.Width.Pos, "check.register.width", "Value", f.Width.Value)
			}
		}
		if f.Value.Value == "" {
			v.add(f.ID.Pos, "check.register.field_no_value", "Field", f.ID.Value)
			continue
		}
		var want *cel.Type
		switch typ {
		case RegAmount:
			want = cel.IntType
		case RegDate:
			want = cel.StringType
		case RegNumber:
			want = cel.DoubleType // a whole number is accepted too
		}
		if len(f.Codes) > 0 {
			want = nil // the value is looked up as text
		}
		v.expr(env, f.Value, want)
		v.expr(env, f.RequiredIf, cel.BoolType)
		if f.Required && f.RequiredIf.Value != "" {
			v.add(f.RequiredIf.Pos, "check.register.required_both", "Field", f.ID.Value)
		}
		for from, to := range f.Codes {
			if sep := separators[r.File.Separator.Value]; sep != "" && strings.Contains(to.Value, sep) {
				v.add(to.Pos, "check.register.code_separator", "Code", to.Value, "Value", from)
			}
		}
	}
}

func (v *validator) registerLayout(r *Register) {
	l := r.File
	where := r.ID.Pos
	if l.Name.Value == "" {
		v.add(where, "check.register.file_no_name")
	} else if !fileNamePattern.MatchString(l.Name.Value) {
		v.add(l.Name.Pos, "check.register.file_name", "Name", l.Name.Value)
	} else {
		for _, ph := range fileNamePlaceholder.FindAllString(l.Name.Value, -1) {
			if !slices.Contains(fileNamePlaceholders, ph) {
				v.add(l.Name.Pos, "check.register.file_placeholder", "Placeholder", ph)
			}
		}
	}
	if _, ok := separators[l.Separator.Value]; !ok {
		v.add(posOr(l.Separator.Pos, where), "check.register.separator", "Value", l.Separator.Value)
	}
	if l.Encoding.Value != "utf-8" && l.Encoding.Value != "iso-8859-1" {
		v.add(posOr(l.Encoding.Pos, where), "check.register.encoding", "Value", l.Encoding.Value)
	}
	if l.LineEnd.Value != "crlf" && l.LineEnd.Value != "lf" {
		v.add(posOr(l.LineEnd.Pos, where), "check.register.line_end", "Value", l.LineEnd.Value)
	}
	if l.Dates.Value != "YYYYMMDD" && l.Dates.Value != "YYYY-MM-DD" {
		v.add(posOr(l.Dates.Pos, where), "check.register.dates", "Value", l.Dates.Value)
	}
	if l.Amounts.Value != "kronor" && l.Amounts.Value != "ore" {
		v.add(posOr(l.Amounts.Pos, where), "check.register.amounts", "Value", l.Amounts.Value)
	}
}

func compileRegister(r *Register, env *cel.Env) *compiledRegister {
	cr := &compiledRegister{def: r}
	prog := func(s Str, want *cel.Type) cel.Program {
		if s.Value == "" {
			return nil
		}
		p, err := compile(env, s.Value, want)
		if err != nil { // Validate compiled the same expression already
			panic(fmt.Sprintf("process: register %s: %s: %v", r.ID.Value, s.Value, err))
		}
		return p
	}
	cr.filter = prog(r.Filter, cel.BoolType)
	for _, f := range r.Fields {
		cr.values = append(cr.values, prog(f.Value, nil))
		cr.required = append(cr.required, prog(f.RequiredIf, cel.BoolType))
	}
	return cr
}

// ParseRegisterPeriod reads the period s of register def: "2026-07" for a
// month, "2026" for a year or a status day's year. It returns an invalid
// error naming how to write it.
func ParseRegisterPeriod(def *Register, s string) (RegisterPeriod, error) {
	var p RegisterPeriod
	switch def.Period.Value {
	case PeriodMonth, PeriodYear:
		rp, err := ParseReportPeriod(def.Period.Value, s)
		if err != nil {
			return p, err
		}
		p = RegisterPeriod{Name: rp.Name, Start: rp.Start, End: rp.End, AsOf: rp.End}
	case PeriodStatusDay:
		rp, err := ParseReportPeriod(PeriodYear, s)
		if err != nil {
			return p, err
		}
		day := rp.Name + "-" + def.StatusDay.Value
		p = RegisterPeriod{Name: rp.Name, Start: day, End: day, AsOf: day}
	default:
		return p, fmt.Errorf("process: register %s: unknown period kind %q", def.ID.Value, def.Period.Value)
	}
	end, _ := time.Parse(time.DateOnly, p.End)
	months, _ := strconv.Atoi(def.Due.MonthsAfter.Value)
	day, _ := strconv.Atoi(def.Due.Day.Value)
	first := time.Date(end.Year(), end.Month()+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	p.Due = first.AddDate(0, 0, min(day, last)-1).Format(time.DateOnly)
	return p, nil
}

// LatestRegisterPeriod names the latest period of def that has ended by
// today (YYYY-MM-DD): last month, last year, or this year's status day
// once it has passed.
func LatestRegisterPeriod(def *Register, today string) string {
	t, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return ""
	}
	switch def.Period.Value {
	case PeriodMonth:
		return time.Date(t.Year(), t.Month()-1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	case PeriodStatusDay:
		if today >= strconv.Itoa(t.Year())+"-"+def.StatusDay.Value {
			return strconv.Itoa(t.Year())
		}
	}
	return strconv.Itoa(t.Year() - 1)
}

// months lists the months (YYYY-MM) from start to end.
func monthsOf(start, end string) []string {
	var out []string
	for m := start[:7]; m <= end[:7]; {
		out = append(out, m)
		t, _ := time.Parse("2006-01", m)
		m = t.AddDate(0, 1, 0).Format("2006-01")
	}
	return out
}

// registerRecord is one record before its expressions run.
type registerRecord struct {
	cases    []*RegisterCase // the record's cases, the main one last
	month    string
	decision *RegisterDecision
	months   []string // the months its money counts
}

// money returns a case's amount for month m: its payment lines' when it
// has any, else its granted decisions' that run in the month.
func (rc *RegisterCase) money(m string) (int64, []string) {
	var sum int64
	var insatser []string
	if len(rc.Payments) > 0 {
		for _, p := range rc.Payments {
			if p.Month == m {
				sum += p.Amount
			}
		}
	}
	first, last := m+"-01", m+"-31"
	for _, d := range rc.Decisions {
		if d.Outcome == OutcomeRefused || d.ValidFrom == "" || d.ValidFrom > last || (d.ValidTo != "" && d.ValidTo < first) {
			continue
		}
		if len(rc.Payments) == 0 {
			sum += d.Amount
		}
		if !slices.Contains(insatser, d.Insats) {
			insatser = append(insatser, d.Insats)
		}
	}
	return sum, insatser
}

// span returns the days decision d's insats started and ended: it
// started on its first recorded execution, or on its valid_from when no
// execution is recorded; it ends on the earlier of its valid_to and the
// day it was recorded as ended ("" while no end is known). A refused
// decision has neither.
func (d *RegisterDecision) span() (started, ended string) {
	if d.Outcome == OutcomeRefused {
		return "", ""
	}
	st := ExecutionState(d.DecidedOn, d.Executions, "9999-12-31")
	started = st.ExecutedOn
	if started == "" {
		started = d.ValidFrom
	}
	ended = d.ValidTo
	if st.DecisionEndedOn != "" && (ended == "" || st.DecisionEndedOn < ended) {
		ended = st.DecisionEndedOn
	}
	return started, ended
}

// inForce reports whether decision d's insats runs on day (both its first
// and its last day count).
func (d *RegisterDecision) inForce(day string) bool {
	started, ended := d.span()
	return started != "" && started <= day && (ended == "" || ended >= day)
}

// records expands the cases into the register's records, in a fixed order.
func (r *Register) records(cases []RegisterCase, p RegisterPeriod) []registerRecord {
	sorted := make([]*RegisterCase, len(cases))
	for i := range cases {
		sorted[i] = &cases[i]
	}
	slices.SortFunc(sorted, func(a, b *RegisterCase) int {
		return strings.Compare(a.Reference+"\x00"+a.CaseID, b.Reference+"\x00"+b.CaseID)
	})
	periodMonths := monthsOf(p.Start, p.End)
	var out []registerRecord
	switch r.Records.Value {
	case RecordsDecisions:
		for _, c := range sorted {
			ds := slices.Clone(c.Decisions)
			slices.SortFunc(ds, func(a, b RegisterDecision) int {
				return strings.Compare(a.DecidedOn+a.ID, b.DecidedOn+b.ID)
			})
			for i := range ds {
				out = append(out, registerRecord{cases: []*RegisterCase{c}, decision: &ds[i], months: periodMonths})
			}
		}
	case RecordsCases:
		for _, c := range sorted {
			out = append(out, registerRecord{cases: []*RegisterCase{c}, months: periodMonths})
		}
	case RecordsCaseMonths:
		for _, c := range sorted {
			for _, m := range periodMonths {
				if amount, ins := c.money(m); amount != 0 || len(ins) > 0 {
					out = append(out, registerRecord{cases: []*RegisterCase{c}, month: m, months: []string{m}})
				}
			}
		}
	case RecordsPersons:
		byPerson := map[string][]*RegisterCase{}
		var order []string
		for _, c := range sorted {
			if byPerson[c.PersonID] == nil {
				order = append(order, c.PersonID)
			}
			byPerson[c.PersonID] = append(byPerson[c.PersonID], c)
		}
		for _, pid := range order {
			cs := byPerson[pid]
			// The main case is the latest opened; the list keeps the
			// reference order otherwise.
			slices.SortStableFunc(cs, func(a, b *RegisterCase) int { return strings.Compare(a.OpenedOn, b.OpenedOn) })
			out = append(out, registerRecord{cases: cs, months: periodMonths})
		}
	}
	return out
}

// activation is the record as expressions see it.
func (c *Compiled) registerActivation(rec registerRecord, p RegisterPeriod, municipality string) map[string]any {
	main := rec.cases[len(rec.cases)-1]
	var decided int
	for _, cs := range rec.cases {
		decided += len(cs.Decisions)
	}
	opened, _ := time.Parse(time.DateOnly, main.OpenedOn)
	asOf, _ := time.Parse(time.DateOnly, p.AsOf)
	ctx := Context{PersonSex: main.Sex, CaseType: main.CaseType, CaseStep: main.Step, CaseOpened: opened, Decisions: decided,
		Today: asOf, Forms: main.Forms}
	if b, err := time.Parse(time.DateOnly, main.BirthDate); err == nil {
		age := asOf.Year() - b.Year()
		if asOf.Month() < b.Month() || (asOf.Month() == b.Month() && asOf.Day() < b.Day()) {
			age--
		}
		ctx.PersonAge = age
	}
	vars := c.activation(ctx, "", nil)
	months := map[string]int64{}
	var total int64
	var insatser []string
	for _, m := range rec.months {
		var sum int64
		for _, cs := range rec.cases {
			a, ins := cs.money(m)
			sum += a
			for _, i := range ins {
				if !slices.Contains(insatser, i) {
					insatser = append(insatser, i)
				}
			}
		}
		months[m[5:7]] = sum
		total += sum
	}
	if insatser == nil {
		insatser = []string{}
	}
	slices.Sort(insatser)
	inForce := []string{}
	for _, cs := range rec.cases {
		for i := range cs.Decisions {
			if x := &cs.Decisions[i]; x.inForce(p.AsOf) && !slices.Contains(inForce, x.Insats) {
				inForce = append(inForce, x.Insats)
			}
		}
	}
	slices.Sort(inForce)
	d := rec.decision
	if d == nil {
		// The latest final decision of the main case that runs in the
		// record's months (or the latest of all).
		for i := range main.Decisions {
			x := &main.Decisions[i]
			if d == nil || x.DecidedOn+x.ID > d.DecidedOn+d.ID {
				d = x
			}
		}
	}
	if d == nil {
		d = &RegisterDecision{}
	}
	st := ExecutionState(d.DecidedOn, d.Executions, p.AsOf)
	started, ended := d.span()
	birthYear := 0
	if len(main.BirthDate) >= 4 {
		birthYear, _ = strconv.Atoi(main.BirthDate[:4])
	}
	year, _ := strconv.Atoi(p.Start[:4])
	month := 0
	if len(p.Name) == 7 {
		month, _ = strconv.Atoi(p.Name[5:])
	}
	for k, val := range map[string]any{
		"record.month": rec.month, "record.amount": total, "record.months": months, "record.insatser": insatser,
		"record.insatser_in_force": inForce,
		"decision.started_on":      started, "decision.ended_on": ended, "decision.in_force": d.inForce(p.AsOf),
		"decision.started_in_period": started != "" && started >= p.Start && started <= p.End,
		"decision.ended_in_period":   ended != "" && ended >= p.Start && ended <= p.End,
		"decision.id":                d.ID, "decision.insats": d.Insats, "decision.outcome": d.Outcome, "decision.legal_basis": d.LegalBasis,
		"decision.decided_on": d.DecidedOn, "decision.valid_from": d.ValidFrom, "decision.valid_to": d.ValidTo,
		"decision.amount": d.Amount, "decision.executed_on": st.ExecutedOn,
		"case.id": main.CaseID, "case.reference": main.Reference, "case.opened_on": main.OpenedOn, "case.closed_on": main.ClosedOn,
		"case.received_on": main.ReceivedOn, "unit.id": main.UnitID, "unit.name": main.UnitName,
		"person.identity_number": main.IdentityNumber, "person.birth_date": main.BirthDate, "person.birth_year": int64(birthYear),
		"municipality.code": municipality,
		"period.name":       p.Name, "period.start": p.Start, "period.end": p.End, "period.as_of": p.AsOf,
		"period.year": int64(year), "period.month": int64(month),
	} {
		vars[k] = val
	}
	return vars
}

// RunRegister works out register id for period p over cases: the records
// its filter keeps, each field's cell as the file writes it, and every
// issue (a required value missing, a value without its code, too long,
// or one the file cannot hold). municipality is the tenant's code.
func (c *Compiled) RunRegister(id string, p RegisterPeriod, municipality string, cases []RegisterCase) (RegisterRun, error) {
	cr, ok := c.registers[id]
	if !ok {
		return RegisterRun{}, trygg.Errorf(trygg.ENotFound, "There is no register %q.", id)
	}
	def := cr.def
	run := RegisterRun{ID: id, Period: p, Rows: []RegisterRow{}, Issues: []RegisterIssue{}}
	for _, rec := range def.records(cases, p) {
		act := c.registerActivation(rec, p, municipality)
		keep, err := evalBool(cr.filter, act)
		if err != nil {
			return RegisterRun{}, fmt.Errorf("register %s: filter: %w", id, err)
		}
		if !keep {
			continue
		}
		main := rec.cases[len(rec.cases)-1]
		row := RegisterRow{}
		for _, cs := range rec.cases {
			row.CaseIDs = append(row.CaseIDs, cs.CaseID)
			if !slices.Contains(row.PersonIDs, cs.PersonID) {
				row.PersonIDs = append(row.PersonIDs, cs.PersonID)
			}
		}
		issue := func(f *RegisterField, sv, en string) {
			run.Issues = append(run.Issues, RegisterIssue{CaseID: main.CaseID, CaseReference: main.Reference, Month: rec.month,
				Field: f.ID.Value, Label: f.Label.SV, Message: sv, MessageEN: en})
		}
		for i := range def.Fields {
			f := &def.Fields[i]
			out, _, err := cr.values[i].Eval(act)
			if err != nil {
				return RegisterRun{}, fmt.Errorf("register %s: field %s: %w", id, f.ID.Value, err)
			}
			cell, bad := def.cell(f, out.Value())
			required := f.Required
			if cr.required[i] != nil {
				if required, err = evalBool(cr.required[i], act); err != nil {
					return RegisterRun{}, fmt.Errorf("register %s: field %s: required_if: %w", id, f.ID.Value, err)
				}
			}
			switch {
			case bad != "":
				issue(f, fmt.Sprintf("%s: värdet %q kan inte skrivas i filen (%s).", f.Label.SV, short(bad), badSV[badKind(bad)]), fmt.Sprintf("%s: the value %q cannot be written to the file.", f.Label.In("en"), short(bad)))
			case cell == "" && len(f.Codes) > 0 && fmt.Sprint(out.Value()) != "" && required:
				issue(f, fmt.Sprintf("%s: värdet %q har ingen kod i registret. Välj ett annat värde eller rätta registrets koder.", f.Label.SV, short(fmt.Sprint(out.Value()))),
					fmt.Sprintf("%s: the value %q has no code in the register.", f.Label.In("en"), short(fmt.Sprint(out.Value()))))
			case cell == "" && required:
				sv, en := f.Missing.SV, f.Missing.In("en")
				if sv == "" {
					sv = f.Label.SV + " saknas."
				}
				if f.Missing.EN == "" {
					en = f.Label.In("en") + " is missing."
				}
				issue(f, sv, en)
			}
			row.Cells = append(row.Cells, cell)
		}
		run.Rows = append(run.Rows, row)
	}
	return run, nil
}

// badSV says why a value cannot be written, by badKind.
var badSV = map[string]string{"width": "för långt", "separator": "innehåller avgränsaren eller en radbrytning", "encoding": "tecken som filens teckenkodning saknar"}

// badKind returns the reason part of a bad value marker "reason\x00value".
func badKind(b string) string {
	k, _, _ := strings.Cut(b, "\x00")
	return k
}

func short(s string) string {
	if _, v, ok := strings.Cut(s, "\x00"); ok {
		s = v
	}
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// cell writes value v of field f as the file does. bad is "reason\x00value"
// when the value cannot be written (too long, holds the separator or a
// line break, or a character the encoding lacks); "" otherwise.
func (r *Register) cell(f *RegisterField, v any) (cell, bad string) {
	if len(f.Codes) > 0 {
		code, ok := f.Codes[fmt.Sprint(v)]
		if !ok {
			return "", ""
		}
		cell = code.Value
	} else {
		switch registerFieldType(f.Type.Value) {
		case RegAmount:
			n, _ := v.(int64)
			if r.File.Amounts.Value == "kronor" {
				if n >= 0 {
					n = (n + 50) / 100
				} else {
					n = -((-n + 50) / 100)
				}
			}
			cell = strconv.FormatInt(n, 10)
		case RegNumber:
			switch n := v.(type) {
			case int64:
				cell = strconv.FormatInt(n, 10)
			case float64:
				cell = strconv.FormatFloat(n, 'f', -1, 64)
			default:
				cell = fmt.Sprint(v)
			}
		case RegDate:
			s, _ := v.(string)
			if _, err := time.Parse(time.DateOnly, s); s != "" && err != nil {
				return "", "width\x00" + s
			}
			if r.File.Dates.Value == "YYYYMMDD" {
				s = strings.ReplaceAll(s, "-", "")
			}
			cell = s
		default:
			switch x := v.(type) {
			case bool:
				cell = map[bool]string{true: "1", false: "0"}[x]
			case float64:
				cell = strconv.FormatFloat(x, 'f', -1, 64)
			default:
				cell = fmt.Sprint(v)
			}
		}
	}
	if w, err := strconv.Atoi(f.Width.Value); err == nil && cell != "" {
		if t := registerFieldType(f.Type.Value); (t == RegNumber || t == RegAmount) && len(f.Codes) == 0 && len(cell) < w && !strings.HasPrefix(cell, "-") {
			cell = strings.Repeat("0", w-len(cell)) + cell
		}
		if utf8.RuneCountInString(cell) > w {
			return "", "width\x00" + cell
		}
	}
	if strings.ContainsAny(cell, "\r\n") || strings.Contains(cell, separators[r.File.Separator.Value]) {
		return "", "separator\x00" + cell
	}
	if r.File.Encoding.Value == "iso-8859-1" {
		for _, c := range cell {
			if c > 0xff {
				return "", "encoding\x00" + cell
			}
		}
	}
	return cell, ""
}

// RegisterFileName is the file name of register def for period p and the
// municipality's code.
func RegisterFileName(def *Register, p RegisterPeriod, municipality string) string {
	compact := strings.ReplaceAll(p.Name, "-", "")
	month := ""
	if len(p.Name) == 7 {
		month = p.Name[5:]
	}
	return strings.NewReplacer("{municipality}", municipality, "{period}", compact, "{year}", p.Name[:4],
		"{month}", month, "{register}", def.ID.Value).Replace(def.File.Name.Value)
}

// RegisterFile writes run as register id's file: the header line if the
// layout has one, then one line per row, in the layout's separator, line
// end and encoding. The same run gives the same bytes. It refuses (a
// conflict) a run with issues.
func (c *Compiled) RegisterFile(id string, run RegisterRun) ([]byte, error) {
	cr, ok := c.registers[id]
	if !ok {
		return nil, trygg.Errorf(trygg.ENotFound, "There is no register %q.", id)
	}
	if len(run.Issues) > 0 {
		return nil, trygg.Errorf(trygg.EConflict, "The register file cannot be made while records lack required fields.")
	}
	l := cr.def.File
	sep := separators[l.Separator.Value]
	eol := "\n"
	if l.LineEnd.Value == "crlf" {
		eol = "\r\n"
	}
	var b bytes.Buffer
	if l.Header {
		heads := make([]string, len(cr.def.Fields))
		for i, f := range cr.def.Fields {
			heads[i] = f.Header.Value
			if heads[i] == "" {
				heads[i] = f.ID.Value
			}
		}
		b.WriteString(strings.Join(heads, sep) + eol)
	}
	for _, row := range run.Rows {
		b.WriteString(strings.Join(row.Cells, sep) + eol)
	}
	if l.Encoding.Value != "iso-8859-1" {
		return b.Bytes(), nil
	}
	out := make([]byte, 0, b.Len())
	for _, r := range b.String() {
		if r > 0xff { // the run's cells were checked; a header may not be
			r = '?'
		}
		out = append(out, byte(r))
	}
	return out, nil
}
