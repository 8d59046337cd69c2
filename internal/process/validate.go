package process

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"

	"github.com/trygg/trygg/internal/calendar"

	"github.com/trygg/trygg/internal/trygg"
)

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)

var fieldTypes = map[string]bool{FieldText: true, FieldLongText: true, FieldNumber: true, FieldMoney: true, FieldDate: true,
	FieldYesNo: true, FieldChoice: true, FieldMultiChoice: true, FieldPerson: true, FieldGroup: true, FieldAssessment: true}

var fields = map[string]bool{"AO": true, "IFO": true, "FH": true, "HSL": true}

type validator struct {
	b     *Bundle
	probs Problems
	codes map[string]*CodeSystem
	forms map[string]*Form
}

// add adds the problem id (a message of the message files) with its
// arguments as name, value pairs at p.
func (v *validator) add(p Pos, id string, kv ...any) {
	v.addNote(p, newNote(id, kv...))
}

func (v *validator) addNote(p Pos, n note) {
	v.probs = append(v.probs, problemAt(p, n))
}

// Validate checks the whole bundle: ids, references between case types,
// forms and code systems, reachability of steps, and every expression's
// type. It returns every problem, sorted by position; none means the bundle
// can be published.
func Validate(b *Bundle) Problems {
	v := &validator{b: b, codes: map[string]*CodeSystem{}, forms: map[string]*Form{}}
	for _, cs := range b.CodeSystems {
		v.codeSystem(cs)
	}
	for _, f := range b.Forms {
		if v.exprID(f.ID, "check.noun.form") {
			if _, dup := v.forms[f.ID.Value]; dup {
				v.add(f.ID.Pos, "check.form.twice", "Form", f.ID.Value)
			}
			v.forms[f.ID.Value] = f
		}
	}
	for _, f := range b.Forms {
		v.form(f)
	}
	tables := map[string]bool{}
	for _, t := range b.Tables {
		if v.id(t.ID, "check.noun.table") && tables[t.ID.Value] {
			v.add(t.ID.Pos, "check.table.twice", "Table", t.ID.Value)
		}
		tables[t.ID.Value] = true
		v.table(t)
	}
	seen := map[string]bool{}
	for _, ct := range b.CaseTypes {
		if v.id(ct.ID, "check.noun.case_type") && seen[ct.ID.Value] {
			v.add(ct.ID.Pos, "check.case_type.twice", "CaseType", ct.ID.Value)
		}
		seen[ct.ID.Value] = true
		v.caseType(ct)
	}
	reports := map[string]bool{}
	for _, r := range b.Reports {
		if reports[r.ID.Value] && r.ID.Value != "" {
			v.add(r.ID.Pos, "check.report.twice", "Report", r.ID.Value)
		}
		reports[r.ID.Value] = true
		v.report(r, seen)
	}
	if len(b.Registers) > 0 {
		env, err := registerEnv(b.Forms, nil)
		if err != nil {
			v.add(b.Registers[0].ID.Pos, "check.expr.env", "Detail", err.Error())
		}
		registers := map[string]bool{}
		for _, r := range b.Registers {
			if registers[r.ID.Value] && r.ID.Value != "" {
				v.add(r.ID.Pos, "check.register.twice", "Register", r.ID.Value)
			}
			registers[r.ID.Value] = true
			v.register(r, seen, env)
		}
	}
	v.retentions(b, seen)
	v.legacyMappings(b)
	return v.probs.sorted()
}

// id checks that s is present and well formed; what is the message
// naming what s is the id of (check.noun.*).
func (v *validator) id(s Str, what string) bool {
	switch {
	case s.Value == "":
		v.add(s.Pos, "check.id.missing", "What", newNote(what))
		return false
	case !idPattern.MatchString(s.Value):
		v.add(s.Pos, "check.id.bad", "What", newNote(what), "ID", s.Value)
		return false
	}
	return true
}

var exprIDPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// celReserved are words CEL keeps for itself; a form or field with such an
// id could not be named in an expression.
var celReserved = map[string]bool{"in": true, "true": true, "false": true, "null": true, "as": true, "break": true,
	"const": true, "continue": true, "else": true, "for": true, "function": true, "if": true, "import": true, "let": true,
	"loop": true, "package": true, "namespace": true, "return": true, "var": true, "void": true, "while": true}

// exprID checks an id that expressions name (forms.<form>.<field>): no
// '-', which an expression would read as a minus, and no reserved word.
func (v *validator) exprID(s Str, what string) bool {
	if !v.id(s, what) {
		return false
	}
	switch {
	case !exprIDPattern.MatchString(s.Value):
		v.add(s.Pos, "check.id.expr_chars", "What", newNote(what), "ID", s.Value, "Suggest", strings.ReplaceAll(s.Value, "-", "_"))
		return false
	case celReserved[s.Value]:
		v.add(s.Pos, "check.id.reserved", "What", newNote(what), "ID", s.Value)
		return false
	}
	return true
}

// text checks that t has Swedish, and adds the problem id with its
// arguments at p if not.
func (v *validator) text(t Text, p Pos, id string, kv ...any) {
	if t.SV == "" {
		v.add(p, id, kv...)
	}
}

func (v *validator) codeSystem(cs *CodeSystem) {
	if !v.id(cs.ID, "check.noun.code_system") {
		return
	}
	if _, dup := v.codes[cs.ID.Value]; dup {
		v.add(cs.ID.Pos, "check.code_system.twice", "CodeSystem", cs.ID.Value)
	}
	v.codes[cs.ID.Value] = cs
	v.text(cs.Name, cs.ID.Pos, "check.text.code_system_name")
	if len(cs.Codes) == 0 {
		v.add(cs.ID.Pos, "check.code_system.no_codes", "CodeSystem", cs.ID.Value)
	}
	seen := map[string]bool{}
	var walk func([]Code)
	walk = func(codes []Code) {
		for _, c := range codes {
			if c.Code.Value == "" {
				v.add(c.Code.Pos, "check.code_system.code_missing", "CodeSystem", cs.ID.Value)
			} else if seen[c.Code.Value] {
				v.add(c.Code.Pos, "check.code_system.code_twice", "Code", c.Code.Value, "CodeSystem", cs.ID.Value)
			}
			seen[c.Code.Value] = true
			v.text(c.Label, c.Code.Pos, "check.text.code_label", "Code", c.Code.Value)
			walk(c.Children)
		}
	}
	walk(cs.Codes)
}

func (v *validator) roles(roles []Str) {
	for _, r := range roles {
		if !trygg.Role(r.Value).Valid() {
			v.add(r.Pos, "check.role.unknown", "Role", r.Value)
		}
	}
}

// expr compiles a non-empty expression and reports problems at its place.
func (v *validator) expr(env *cel.Env, s Str, want *cel.Type) {
	if s.Value == "" || env == nil {
		return
	}
	if _, err := compile(env, s.Value, want); err != nil {
		v.addNote(s.Pos, noteOf(err))
		return
	}
	if strings.Contains(s.Value, "decide(") {
		if ast, iss := env.Compile(s.Value); iss == nil || iss.Err() == nil {
			for _, n := range decideProblems(ast, v.b.Tables) {
				v.addNote(s.Pos, n)
			}
		}
	}
}

// decideProblems checks the decide(...) calls of an expression whose table
// is named by a literal: the table must exist, a literal map of inputs must
// name exactly its inputs, and a field read from the result must be one of
// its outputs. (The expression types cannot say this: decide returns a map.)
func decideProblems(a *cel.Ast, tables []*DecisionTable) []note {
	byID := map[string]*DecisionTable{}
	for _, t := range tables {
		byID[t.ID.Value] = t
	}
	tableOf := func(e celast.Expr) (*DecisionTable, string, bool) {
		if e.Kind() != celast.CallKind || e.AsCall().FunctionName() != "decide" || len(e.AsCall().Args()) != 3 {
			return nil, "", false
		}
		first := e.AsCall().Args()[0]
		if first.Kind() != celast.LiteralKind {
			return nil, "", false
		}
		id, _ := first.AsLiteral().Value().(string)
		return byID[id], id, true
	}
	var out []note
	celast.PostOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.SelectKind {
			if t, _, ok := tableOf(e.AsSelect().Operand()); ok && t != nil {
				field := e.AsSelect().FieldName()
				if !slices.ContainsFunc(t.Outputs, func(o TableIO) bool { return o.ID.Value == field }) {
					out = append(out, newNote("check.decide.no_output", "Table", t.ID.Value, "Output", field))
				}
			}
			return
		}
		t, id, ok := tableOf(e)
		if !ok {
			return
		}
		if t == nil {
			out = append(out, newNote("check.decide.unknown_table", "Table", id))
			return
		}
		inputs := e.AsCall().Args()[2]
		if inputs.Kind() != celast.MapKind {
			return
		}
		given := map[string]bool{}
		for _, entry := range inputs.AsMap().Entries() {
			key := entry.AsMapEntry().Key()
			if key.Kind() != celast.LiteralKind {
				return
			}
			name, _ := key.AsLiteral().Value().(string)
			given[name] = true
			if !slices.ContainsFunc(t.Inputs, func(i TableIO) bool { return i.ID.Value == name }) {
				out = append(out, newNote("check.decide.no_input", "Table", id, "Input", name))
			}
		}
		for _, in := range t.Inputs {
			if !given[in.ID.Value] {
				out = append(out, newNote("check.decide.input_missing", "Table", id, "Input", in.ID.Value))
			}
		}
	}))
	return out
}

func (v *validator) form(f *Form) {
	if f.ID.Value == "" {
		return
	}
	v.text(f.Name, f.ID.Pos, "check.text.form_name")
	env, err := newEnv(v.b.Forms, f.ID.Value, nil)
	if err != nil {
		v.add(f.ID.Pos, "check.form.env", "Detail", err.Error())
		env = nil
	}
	byID := map[string]*Field{}
	sections := map[string]bool{}
	for si := range f.Sections {
		s := &f.Sections[si]
		if v.id(s.ID, "check.noun.section") && sections[s.ID.Value] {
			v.add(s.ID.Pos, "check.form.section_twice", "Section", s.ID.Value)
		}
		sections[s.ID.Value] = true
		v.text(s.Label, s.ID.Pos, "check.text.section_label")
		v.roles(s.Roles)
		v.expr(env, s.VisibleIf, cel.BoolType)
		if len(s.Fields) == 0 {
			v.add(s.ID.Pos, "check.form.section_empty", "Section", s.ID.Value)
		}
		for fi := range s.Fields {
			fd := &s.Fields[fi]
			if fd.ID.Value != "" {
				if byID[fd.ID.Value] != nil {
					v.add(fd.ID.Pos, "check.form.field_twice", "Field", fd.ID.Value)
				}
				byID[fd.ID.Value] = fd
			}
			v.field(env, f, fd, byID, false)
		}
	}
	for _, val := range f.Validations {
		if val.Rule.Value == "" {
			v.add(val.Rule.Pos, "check.validation.no_rule")
		}
		v.expr(env, val.Rule, cel.BoolType)
		v.text(val.Message, val.Rule.Pos, "check.text.validation_message")
		if val.Field.Value != "" && byID[val.Field.Value] == nil {
			v.add(val.Field.Pos, "check.validation.unknown_field", "Field", val.Field.Value)
		}
	}
}

func (v *validator) field(env *cel.Env, f *Form, fd *Field, byID map[string]*Field, inGroup bool) {
	v.exprID(fd.ID, "check.noun.field")
	v.text(fd.Label, fd.ID.Pos, "check.text.field_label", "Field", fd.ID.Value)
	t := fd.Type.Value
	if !fieldTypes[t] {
		pos := fd.Type.Pos
		if t == "" {
			pos = fd.ID.Pos
		}
		v.add(pos, "check.field.unknown_type", "Type", t)
		return
	}
	v.roles(fd.Roles)
	if fd.Required && fd.RequiredIf.Value != "" {
		v.add(fd.RequiredIf.Pos, "check.field.required_twice")
	}
	if !inGroup {
		v.expr(env, fd.VisibleIf, cel.BoolType)
		v.expr(env, fd.RequiredIf, cel.BoolType)
		v.expr(env, fd.Compute, celType(t))
	} else if fd.VisibleIf.Value != "" || fd.RequiredIf.Value != "" || fd.Compute.Value != "" {
		v.add(fd.ID.Pos, "check.field.group_expr")
	}
	switch t {
	case FieldChoice, FieldMultiChoice, FieldAssessment:
		if fd.CodeSystem.Value == "" {
			v.add(fd.ID.Pos, "check.field.no_code_system", "Type", t, "Field", fd.ID.Value)
		} else if v.codes[fd.CodeSystem.Value] == nil {
			v.add(fd.CodeSystem.Pos, "check.code_system.unknown", "CodeSystem", fd.CodeSystem.Value)
		}
	}
	if fd.ParentField.Value != "" {
		parent := byID[fd.ParentField.Value]
		switch {
		case parent == nil || parent == fd:
			v.add(fd.ParentField.Pos, "check.field.parent_unknown", "Field", fd.ParentField.Value)
		case parent.Type.Value != FieldChoice:
			v.add(fd.ParentField.Pos, "check.field.parent_not_choice", "Field", fd.ParentField.Value)
		case parent.CodeSystem.Value != fd.CodeSystem.Value:
			v.add(fd.ParentField.Pos, "check.field.parent_code_system", "Field", fd.ParentField.Value)
		}
	}
	if fd.Min != nil && fd.Max != nil && *fd.Min > *fd.Max {
		v.add(fd.ID.Pos, "check.field.min_max")
	}
	if fd.MaxLength != 0 {
		switch {
		case t != FieldText && t != FieldLongText && t != FieldPerson:
			v.add(fd.ID.Pos, "check.field.max_length_type")
		case fd.MaxLength < 1 || fd.MaxLength > MaxFieldLength:
			v.add(fd.ID.Pos, "check.field.max_length_range", "Max", MaxFieldLength)
		}
	}
	if t == FieldGroup {
		if len(fd.Fields) == 0 {
			v.add(fd.ID.Pos, "check.group.empty", "Field", fd.ID.Value)
		}
		if fd.MinRows < 0 || fd.MaxRows < 0 || fd.MaxRows > MaxFieldRows {
			v.add(fd.ID.Pos, "check.group.rows_range", "Max", MaxFieldRows)
		} else if fd.MaxRows > 0 && fd.MinRows > fd.MaxRows {
			v.add(fd.ID.Pos, "check.group.min_max_rows")
		} else if fd.MinRows > maxRows(fd) {
			v.add(fd.ID.Pos, "check.group.min_rows_default", "Max", DefaultMaxRows)
		}
		sub := map[string]*Field{}
		for i := range fd.Fields {
			sf := &fd.Fields[i]
			if sub[sf.ID.Value] != nil {
				v.add(sf.ID.Pos, "check.group.field_twice", "Field", sf.ID.Value)
			}
			sub[sf.ID.Value] = sf
			if sf.Type.Value == FieldGroup {
				v.add(sf.ID.Pos, "check.group.nested")
				continue
			}
			v.field(env, f, sf, sub, true)
		}
		if fd.RowSummary.Value != "" {
			v.rowSummary(fd)
		}
		v.household(fd)
	} else if len(fd.Fields) > 0 || fd.MinRows > 0 || fd.MaxRows > 0 {
		v.add(fd.ID.Pos, "check.field.group_keys")
	} else if fd.Household != nil {
		v.household(fd)
	}
}

// rowEnv is the environment of a group's row summary: row.<field> for
// each sub-field, and label.<field> for each choice sub-field (the chosen
// code's label, in the reader's language).
func rowEnv(fd *Field) (*cel.Env, error) {
	opts := append([]cel.EnvOption{}, helperFunctions...)
	for _, sf := range fd.Fields {
		opts = append(opts, cel.Variable("row."+sf.ID.Value, celType(sf.Type.Value)))
		if sf.Type.Value == FieldChoice {
			opts = append(opts, cel.Variable("label."+sf.ID.Value, cel.StringType))
		}
	}
	return cel.NewEnv(opts...)
}

// rowSummary checks a group's row summary, an expression over row.<field>.
func (v *validator) rowSummary(fd *Field) {
	env, err := rowEnv(fd)
	if err != nil {
		v.add(fd.RowSummary.Pos, "check.group.summary_env", "Detail", err.Error())
		return
	}
	v.expr(env, fd.RowSummary, cel.StringType)
}

var actionTypes = map[string]bool{ActionCloseCase: true, ActionScheduleFollowUp: true, ActionNotifyCitizen: true,
	ActionCreateDecisions: true, ActionExtendDeadline: true, ActionCreateOrders: true}

func (v *validator) caseType(ct *CaseType) {
	if ct.ID.Value == "" {
		return
	}
	v.text(ct.Name, ct.ID.Pos, "check.text.case_type_name")
	if !fields[ct.Field.Value] {
		pos := ct.Field.Pos
		if pos.Line == 0 {
			pos = ct.ID.Pos
		}
		v.add(pos, "check.case_type.field", "Field", ct.Field.Value)
	}
	if ct.Reference.Value != "" && !ValidReferencePrefix(ct.Reference.Value) {
		v.add(ct.Reference.Pos, "check.case_type.reference", "Reference", ct.Reference.Value, "Max", MaxReferencePrefix)
	}
	env, err := newEnv(v.b.Forms, "", nil)
	if err != nil {
		v.add(ct.ID.Pos, "check.expr.env", "Detail", err.Error())
		env = nil
	}
	steps := map[string]*Step{}
	for i := range ct.Steps {
		s := &ct.Steps[i]
		if v.id(s.ID, "check.noun.step") && steps[s.ID.Value] != nil {
			v.add(s.ID.Pos, "check.step.twice", "Step", s.ID.Value)
		}
		steps[s.ID.Value] = s
		v.text(s.Name, s.ID.Pos, "check.text.step_name", "Step", s.ID.Value)
		v.citizenText(s)
		for _, f := range s.Forms {
			if v.forms[f.Value] == nil {
				v.add(f.Pos, "check.form.unknown", "Form", f.Value)
			}
		}
	}
	if len(ct.Steps) == 0 {
		v.add(ct.ID.Pos, "check.case_type.no_steps")
		return
	}
	if ct.Start.Value == "" {
		v.add(ct.ID.Pos, "check.case_type.no_start")
	} else if steps[ct.Start.Value] == nil {
		v.add(ct.Start.Pos, "check.case_type.unknown_start", "Step", ct.Start.Value)
	}
	next := map[string][]string{}
	ids := map[string]bool{}
	for i := range ct.Transitions {
		t := &ct.Transitions[i]
		if v.id(t.ID, "check.noun.transition") && ids[t.ID.Value] {
			v.add(t.ID.Pos, "check.transition.twice", "Transition", t.ID.Value)
		}
		ids[t.ID.Value] = true
		v.text(t.Name, t.ID.Pos, "check.text.transition_name", "Transition", t.ID.Value)
		if len(t.From) == 0 {
			v.add(t.ID.Pos, "check.transition.no_from", "Transition", t.ID.Value)
		}
		for _, f := range t.From {
			if steps[f.Value] == nil {
				v.add(f.Pos, "check.transition.unknown_from", "Transition", t.ID.Value, "Step", f.Value)
			} else if steps[f.Value].Final {
				v.add(f.Pos, "check.transition.from_final", "Transition", t.ID.Value, "Step", f.Value)
			}
			next[f.Value] = append(next[f.Value], t.To.Value)
		}
		switch {
		case t.To.Value == "":
			v.add(t.ID.Pos, "check.transition.no_to", "Transition", t.ID.Value)
		case steps[t.To.Value] == nil:
			v.add(t.To.Pos, "check.transition.unknown_to", "Transition", t.ID.Value, "Step", t.To.Value)
		}
		if len(t.Roles) == 0 {
			v.add(t.ID.Pos, "check.transition.no_roles", "Transition", t.ID.Value)
		}
		v.roles(t.Roles)
		v.expr(env, t.Guard, cel.BoolType)
		for _, f := range t.Forms {
			if v.forms[f.Value] == nil {
				v.add(f.Pos, "check.form.unknown", "Form", f.Value)
			}
		}
		for _, a := range t.Actions {
			switch a.Type.Value {
			case ActionScheduleFollowUp:
				if _, err := calendar.ParsePeriod(a.Period.Value); err != nil {
					v.add(a.Type.Pos, "check.action.follow_up_period", "Problem", periodNote(a.Period.Value))
				}
				v.text(a.Name, a.Type.Pos, "check.text.follow_up_name")
			case ActionNotifyCitizen:
				v.text(a.Message, a.Type.Pos, "check.text.notice_message")
			case ActionCreateDecisions:
				v.createDecisions(ct, t, a)
			case ActionExtendDeadline:
				v.extendDeadline(ct, t, a)
			case ActionCreateOrders:
				if ct.Orders == nil || ct.Decisions == nil {
					v.add(a.Type.Pos, "check.action.create_orders")
				}
			}
			if !actionTypes[a.Type.Value] {
				v.add(a.Type.Pos, "check.action.unknown", "Action", a.Type.Value)
			} else if a.Type.Value == ActionCloseCase && (a.Period.Value != "" || a.Name.SV != "" || a.Message.SV != "" || a.Form.Value != "") {
				v.add(a.Type.Pos, "check.action.close_case")
			}
		}
	}
	// Every step must be reachable from the start, and every step that is
	// not final must have a way out.
	if steps[ct.Start.Value] != nil {
		reached := map[string]bool{ct.Start.Value: true}
		queue := []string{ct.Start.Value}
		for len(queue) > 0 {
			s := queue[0]
			queue = queue[1:]
			for _, n := range next[s] {
				if !reached[n] {
					reached[n] = true
					queue = append(queue, n)
				}
			}
		}
		for _, s := range ct.Steps {
			if !reached[s.ID.Value] {
				v.add(s.ID.Pos, "check.step.unreachable", "Step", s.ID.Value, "Start", ct.Start.Value)
			}
			if !s.Final && len(next[s.ID.Value]) == 0 {
				v.add(s.ID.Pos, "check.step.dead_end", "Step", s.ID.Value)
			}
		}
	}
	for _, u := range ct.Units {
		if u.Value == "" {
			v.add(u.Pos, "check.case_type.empty_unit")
		}
	}
	v.deadlines(ct, steps)
	v.decisions(ct)
	v.orders(ct)
	v.variants(ct)
	v.citizenApplication(ct, steps)
	v.registration(ct, steps)
	v.incomeCheck(ct)
}

// orders checks a case type's orders section: a form of the case type's
// steps with an assessment field of needs and a group field of goals
// whose rows name a need of the same code system, and a code system of
// activities.
func (v *validator) orders(ct *CaseType) {
	o := ct.Orders
	if o == nil {
		return
	}
	if ct.Decisions == nil {
		v.add(ct.ID.Pos, "check.orders.no_decisions")
	}
	if o.Activities.Value == "" {
		v.add(o.Form.Pos, "check.orders.no_activities")
	} else if v.codes[o.Activities.Value] == nil {
		v.add(o.Activities.Pos, "check.code_system.unknown", "CodeSystem", o.Activities.Value)
	}
	if o.DeviationTaskAfter < 0 {
		v.add(o.Form.Pos, "check.orders.deviation_negative")
	}
	if cs := ct.Decisions; cs != nil && v.codes[cs.Insatser.Value] != nil {
		known := map[string]bool{}
		var walk func([]Code)
		walk = func(codes []Code) {
			for _, c := range codes {
				known[c.Code.Value] = true
				walk(c.Children)
			}
		}
		walk(v.codes[cs.Insatser.Value].Codes)
		for _, d := range o.Devices {
			if !known[d.Value] {
				v.add(d.Pos, "check.decisions.unknown_insats", "Insats", d.Value, "CodeSystem", cs.Insatser.Value)
			}
		}
	}
	f := v.forms[o.Form.Value]
	if f == nil {
		v.add(o.Form.Pos, "check.orders.no_form", "Form", o.Form.Value)
		return
	}
	needs := v.formField(f, o.Needs, o.Form.Pos, "check.orders.needs_field")
	if needs != nil && needs.Type.Value != FieldAssessment {
		v.add(o.Needs.Pos, "check.orders.needs_type", "Field", o.Needs.Value, "Type", needs.Type.Value)
	}
	goals := v.formField(f, o.Goals, o.Form.Pos, "check.orders.goals_field")
	if goals == nil {
		return
	}
	if goals.Type.Value != FieldGroup {
		v.add(o.Goals.Pos, "check.orders.goals_type", "Field", o.Goals.Value, "Type", goals.Type.Value)
		return
	}
	// sub checks ref, the key key of orders, which names a field of the
	// goals' group of one of types.
	sub := func(ref Str, key string, types ...string) {
		if ref.Value == "" {
			v.add(o.Goals.Pos, "check.orders.goal_key_missing", "Key", key, "Group", o.Goals.Value)
			return
		}
		for _, fd := range goals.Fields {
			if fd.ID.Value == ref.Value {
				if !slices.Contains(types, fd.Type.Value) {
					v.add(ref.Pos, "check.orders.goal_key_type", "Key", key, "Types", orList(types), "Group", o.Goals.Value, "Field", ref.Value, "Type", fd.Type.Value)
				} else if key == "goal_need" && needs != nil && fd.CodeSystem.Value != needs.CodeSystem.Value {
					v.add(ref.Pos, "check.orders.goal_need_code_system", "CodeSystem", needs.CodeSystem.Value)
				}
				return
			}
		}
		v.add(ref.Pos, "check.orders.goal_key_unknown", "Key", key, "Group", o.Goals.Value, "Field", ref.Value)
	}
	sub(o.GoalNeed, "goal_need", FieldChoice)
	sub(o.GoalText, "goal_text", FieldText, FieldLongText)
	if o.GoalFollowUp.Value != "" {
		sub(o.GoalFollowUp, "goal_follow_up", FieldDate)
	}
}

func (v *validator) variants(ct *CaseType) {
	used := map[string]bool{}
	for _, s := range ct.Steps {
		for _, f := range s.Forms {
			used[f.Value] = true
		}
	}
	for _, t := range ct.Transitions {
		for _, f := range t.Forms {
			used[f.Value] = true
		}
	}
	for _, vr := range ct.Variants {
		if len(vr.Units) == 0 {
			v.add(ct.ID.Pos, "check.variant.no_units")
		}
		for base, local := range vr.Forms {
			switch {
			case !used[base]:
				v.add(local.Pos, "check.variant.unused_form", "Form", base)
			case v.forms[local.Value] == nil:
				v.add(local.Pos, "check.form.unknown", "Form", local.Value)
			case !v.b.extendsForm(local.Value, base):
				v.add(local.Pos, "check.variant.not_extending", "Form", local.Value, "Base", base)
			}
		}
	}
}

func (v *validator) decisions(ct *CaseType) {
	d := ct.Decisions
	if d == nil {
		return
	}
	codes := v.codes[d.Insatser.Value]
	if d.Insatser.Value == "" {
		v.add(ct.ID.Pos, "check.decisions.no_insatser")
	} else if codes == nil {
		v.add(d.Insatser.Pos, "check.code_system.unknown", "CodeSystem", d.Insatser.Value)
	}
	if len(d.LegalBases) == 0 {
		v.add(d.Insatser.Pos, "check.decisions.no_legal_bases")
	}
	if d.AppealPeriod.Value != "" {
		if _, err := calendar.ParsePeriod(d.AppealPeriod.Value); err != nil {
			v.add(d.AppealPeriod.Pos, "check.decisions.appeal_period", "Problem", periodNote(d.AppealPeriod.Value))
		}
	}
	if len(d.Delegation) == 0 {
		v.add(d.Insatser.Pos, "check.decisions.no_delegation")
	}
	v.recovery(d)
	v.executionWarning(d.ExecutionWarning, d.Insatser.Pos)
	switch d.AmountUnit.Value {
	case "", UnitMoney, UnitHours, UnitCount:
	default:
		v.add(d.AmountUnit.Pos, "check.decisions.amount_unit", "Unit", d.AmountUnit.Value)
	}
	switch d.AmountPeriod.Value {
	case "", PerDay, PerWeek, PerMonth, PerYear:
	default:
		v.add(d.AmountPeriod.Pos, "check.decisions.amount_period", "Period", d.AmountPeriod.Value)
	}
	appealed := map[string]bool{}
	for _, at := range d.AppealTexts {
		switch {
		case !slices.ContainsFunc(d.LegalBases, func(s Str) bool { return s.Value == at.LegalBasis.Value }):
			v.add(at.LegalBasis.Pos, "check.decisions.appeal_text_basis", "LegalBasis", at.LegalBasis.Value)
		case appealed[at.LegalBasis.Value]:
			v.add(at.LegalBasis.Pos, "check.decisions.appeal_text_twice", "LegalBasis", at.LegalBasis.Value)
		}
		appealed[at.LegalBasis.Value] = true
		v.text(at.Text, at.LegalBasis.Pos, "check.decisions.appeal_text_empty", "LegalBasis", at.LegalBasis.Value)
		if utf8.RuneCountInString(at.Text.SV) > maxDecisionText || utf8.RuneCountInString(at.Text.EN) > maxDecisionText {
			v.add(at.LegalBasis.Pos, "check.decisions.appeal_text_long", "LegalBasis", at.LegalBasis.Value)
		}
	}
	known := map[string]bool{}
	if codes != nil {
		var walk func([]Code)
		walk = func(cs []Code) {
			for _, c := range cs {
				known[c.Code.Value] = true
				walk(c.Children)
			}
		}
		walk(codes.Codes)
	}
	for _, dl := range d.Delegation {
		if len(dl.Roles) == 0 {
			v.add(d.Insatser.Pos, "check.decisions.delegation_no_roles")
		}
		v.roles(dl.Roles)
		for _, i := range dl.Insatser {
			if codes != nil && !known[i.Value] {
				v.add(i.Pos, "check.decisions.unknown_insats", "Insats", i.Value, "CodeSystem", d.Insatser.Value)
			}
		}
		if dl.MaxAmount < 0 {
			v.add(d.Insatser.Pos, "check.decisions.max_amount_negative")
		}
	}
	if codes == nil {
		known = nil
	}
	v.payments(ct, known)
}

func (v *validator) deadlines(ct *CaseType, steps map[string]*Step) {
	seen := map[string]bool{}
	for i := range ct.Deadlines {
		d := &ct.Deadlines[i]
		if v.id(d.ID, "check.noun.deadline") && seen[d.ID.Value] {
			v.add(d.ID.Pos, "check.deadline.twice", "Deadline", d.ID.Value)
		}
		seen[d.ID.Value] = true
		v.text(d.Name, d.ID.Pos, "check.text.deadline_name", "Deadline", d.ID.Value)
		switch {
		case d.Start.Value == "":
			v.add(d.ID.Pos, "check.deadline.no_start", "Deadline", d.ID.Value)
		case d.Start.Value != StartCaseOpened && steps[d.Start.Value] == nil:
			v.add(d.Start.Pos, "check.deadline.unknown_start", "Step", d.Start.Value)
		}
		if d.From != nil {
			v.deadlineFrom(ct, d)
		}
		period, err := calendar.ParsePeriod(d.Period.Value)
		if err != nil {
			pos := d.Period.Pos
			if pos.Line == 0 {
				pos = d.ID.Pos
			}
			v.add(pos, "check.deadline.period", "Problem", periodNote(d.Period.Value))
		}
		if d.WarnBefore.Value != "" {
			warn, err := calendar.ParsePeriod(d.WarnBefore.Value)
			if err != nil {
				v.add(d.WarnBefore.Pos, "check.deadline.warn_before", "Problem", periodNote(d.WarnBefore.Value))
			} else if period.N > 0 && !warn.Before(period.After(refDay)).After(refDay) {
				v.add(d.WarnBefore.Pos, "check.deadline.warn_too_early", "Warn", warn.String(), "Period", period.String())
			}
		}
		if len(d.MetBy) == 0 {
			v.add(d.ID.Pos, "check.deadline.no_met_by", "Deadline", d.ID.Value)
		}
		for _, m := range d.MetBy {
			if steps[m.Value] == nil {
				v.add(m.Pos, "check.deadline.unknown_met_by", "Step", m.Value)
			}
		}
		for _, r := range append(append([]Str{}, d.OnWarning...), d.OnOverdue...) {
			if r.Value != RecipientAssignee && r.Value != RecipientTeamLead {
				v.add(r.Pos, "check.deadline.unknown_recipient", "Recipient", r.Value)
			}
		}
	}
}

// deadlineFrom checks a deadline's from: a date field of a form the case
// type uses, required and always shown, so that every signed entry of
// the form holds the date the deadline counts from.
func (v *validator) deadlineFrom(ct *CaseType, d *Deadline) {
	from := d.From
	if from.Form.Value == "" {
		v.add(from.Form.Pos, "check.deadline.from_no_form", "Deadline", d.ID.Value)
		return
	}
	f := v.forms[from.Form.Value]
	if f == nil {
		v.add(from.Form.Pos, "check.form.unknown", "Form", from.Form.Value)
		return
	}
	used := func(list []Str) bool {
		return slices.ContainsFunc(list, func(s Str) bool { return s.Value == from.Form.Value })
	}
	if !slices.ContainsFunc(ct.Steps, func(s Step) bool { return used(s.Forms) }) &&
		!slices.ContainsFunc(ct.Transitions, func(t Transition) bool { return used(t.Forms) }) {
		v.add(from.Form.Pos, "check.deadline.from_unused_form", "Form", from.Form.Value)
	}
	fd := v.formField(f, from.Field, from.Form.Pos, "check.deadline.from_field")
	if fd == nil {
		return
	}
	if fd.Type.Value != FieldDate {
		v.add(from.Field.Pos, "check.deadline.from_not_date", "Field", from.Field.Value, "Type", fd.Type.Value)
		return
	}
	var sec *Section
	for i := range f.Sections {
		if slices.ContainsFunc(f.Sections[i].Fields, func(x Field) bool { return x.ID.Value == fd.ID.Value }) {
			sec = &f.Sections[i]
		}
	}
	if !fd.Required || fd.RequiredIf.Value != "" || fd.VisibleIf.Value != "" || len(fd.Roles) > 0 || fd.Compute.Value != "" ||
		(sec != nil && (sec.VisibleIf.Value != "" || len(sec.Roles) > 0)) {
		v.add(from.Field.Pos, "check.deadline.from_not_required", "Field", from.Field.Value)
	}
}

// periodNote says why calendar.ParsePeriod refuses s: too short, not a
// number, or not a unit (tried with a unit it knows).
func periodNote(s string) note {
	s = strings.TrimSpace(s)
	switch {
	case len(s) < 2:
		return newNote("check.period.short")
	case func() bool { _, err := calendar.ParsePeriod(s[:len(s)-1] + "d"); return err == nil }():
		return newNote("check.period.unit", "Period", s)
	}
	return newNote("check.period.number", "Period", s)
}

// orList says "a", "a or b", "a, b or c".
func orList(items []string) note {
	if len(items) == 1 {
		return newNote("check.list.one", "A", items[0])
	}
	return newNote("check.list.two", "A", strings.Join(items[:len(items)-1], ", "), "B", items[len(items)-1])
}

// refDay is a fixed day for checking that a warning falls inside its
// deadline's period.
var refDay = time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)

var ioTypes = map[string]bool{"number": true, "text": true, "yes_no": true}

func (v *validator) table(t *DecisionTable) {
	v.text(t.Name, t.ID.Pos, "check.text.table_name")
	switch t.HitPolicy.Value {
	case HitFirst, HitUnique, HitCollectSum:
	default:
		pos := t.HitPolicy.Pos
		if pos.Line == 0 {
			pos = t.ID.Pos
		}
		v.add(pos, "check.table.hit_policy", "Policy", t.HitPolicy.Value)
	}
	if len(t.Inputs) == 0 || len(t.Outputs) == 0 {
		v.add(t.ID.Pos, "check.table.no_io")
	}
	ids := map[string]bool{}
	for _, io := range append(append([]TableIO{}, t.Inputs...), t.Outputs...) {
		if v.id(io.ID, "check.noun.column") && ids[io.ID.Value] {
			v.add(io.ID.Pos, "check.table.column_twice", "Column", io.ID.Value)
		}
		ids[io.ID.Value] = true
		if !ioTypes[io.Type.Value] {
			v.add(io.ID.Pos, "check.table.column_type", "Column", io.ID.Value)
		}
	}
	if t.HitPolicy.Value == HitCollectSum {
		for _, o := range t.Outputs {
			if o.Type.Value != "number" {
				v.add(o.ID.Pos, "check.table.collect_sum", "Output", o.ID.Value)
			}
		}
	}
	if len(t.RuleSets) == 0 {
		v.add(t.ID.Pos, "check.table.no_rule_sets")
	}
	type span struct {
		from, to string
		pos      Pos
	}
	var spans []span
	for _, rs := range t.RuleSets {
		from, err := time.Parse("2006-01-02", rs.ValidFrom.Value)
		if err != nil {
			v.add(rs.ValidFrom.Pos, "check.table.valid_from")
			continue
		}
		to := "9999-12-31"
		if rs.ValidTo.Value != "" {
			end, err := time.Parse("2006-01-02", rs.ValidTo.Value)
			if err != nil || end.Before(from) {
				v.add(rs.ValidTo.Pos, "check.table.valid_to")
				continue
			}
			to = rs.ValidTo.Value
		}
		for _, o := range spans {
			if rs.ValidFrom.Value <= o.to && o.from <= to {
				where := newNote("check.table.at_line", "Line", o.pos.Line)
				if o.pos.File != rs.ValidFrom.Pos.File {
					where = newNote("check.table.at_file_line", "File", o.pos.File, "Line", o.pos.Line)
				}
				v.add(rs.ValidFrom.Pos, "check.table.rule_sets_overlap", "Where", where)
			}
		}
		spans = append(spans, span{rs.ValidFrom.Value, to, rs.ValidFrom.Pos})
		if len(rs.Rules) == 0 {
			v.add(rs.ValidFrom.Pos, "check.table.no_rules")
		}
	}
	if len(v.probs) > 0 && (len(t.Inputs) == 0 || len(t.Outputs) == 0) {
		return
	}
	ct, probs := compileTable(t)
	v.probs = append(v.probs, probs...)
	if len(probs) == 0 && t.HitPolicy.Value == HitUnique {
		v.probs = append(v.probs, ct.checkCoverage()...)
	}
}

// createDecisions checks a create_decisions action: the form must be
// signed before the transition, and the field must choose insatser from
// the case type's decision code system.
func (v *validator) createDecisions(ct *CaseType, t *Transition, a Action) {
	if ct.Decisions == nil {
		v.add(a.Type.Pos, "check.create_decisions.no_decisions")
		return
	}
	f := v.forms[a.Form.Value]
	if f == nil {
		v.add(a.Type.Pos, "check.create_decisions.no_form")
		return
	}
	if !slices.ContainsFunc(t.Forms, func(s Str) bool { return s.Value == a.Form.Value }) {
		v.add(a.Form.Pos, "check.create_decisions.form_not_signed", "Form", a.Form.Value)
	}
	if fd := v.formField(f, a.Field, a.Type.Pos, "check.create_decisions.field"); fd != nil {
		if (fd.Type.Value != FieldChoice && fd.Type.Value != FieldMultiChoice) || fd.CodeSystem.Value != ct.Decisions.Insatser.Value {
			v.add(a.Field.Pos, "check.create_decisions.field_type", "Field", a.Field.Value, "CodeSystem", ct.Decisions.Insatser.Value)
		}
	}
	// optional checks ref, when given, a field of the form of one of
	// types: missing is the problem when the form has no such field,
	// wrong when it has another type.
	optional := func(ref Str, missing, wrong string, types ...string) {
		if ref.Value == "" {
			return
		}
		if fd := v.formField(f, ref, ref.Pos, missing); fd != nil && !slices.Contains(types, fd.Type.Value) {
			v.add(ref.Pos, wrong, "Form", a.Form.Value, "Field", ref.Value, "Type", fd.Type.Value)
		}
	}
	optional(a.Amount, "check.create_decisions.amount_field", "check.create_decisions.amount_type", FieldMoney, FieldNumber)
	optional(a.ValidFrom, "check.create_decisions.valid_from_field", "check.create_decisions.valid_from_type", FieldDate)
	optional(a.Calculation, "check.create_decisions.calculation_field", "check.create_decisions.calculation_type", FieldText, FieldLongText)
	optional(a.Partly, "check.create_decisions.partly_field", "check.create_decisions.partly_type", FieldYesNo, FieldChoice, FieldMultiChoice, FieldText)
	if a.ValidTo.Value == ValidToMonthEnd {
		if a.ValidFrom.Value == "" {
			v.add(a.ValidTo.Pos, "check.create_decisions.month_end_no_from")
		}
	} else {
		optional(a.ValidTo, "check.create_decisions.valid_to_field", "check.create_decisions.valid_to_type", FieldDate)
	}
}

// formField returns the top-level field ref of form f, or adds the
// problem id (with the arguments Form and Field) and returns nil.
func (v *validator) formField(f *Form, ref Str, pos Pos, id string) *Field {
	for _, fd := range f.allFields() {
		if fd.ID.Value == ref.Value {
			return fd
		}
	}
	if ref.Pos.Line > 0 {
		pos = ref.Pos
	}
	v.add(pos, id, "Form", f.ID.Value, "Field", ref.Value)
	return nil
}

// extendDeadline checks an extend_deadline action: a deadline of the case
// type, and a date field of a form the transition requires signed, which
// holds the new due date. The extension is thereby always a signed record
// with its reason in the same form.
func (v *validator) extendDeadline(ct *CaseType, t *Transition, a Action) {
	if i := slices.IndexFunc(ct.Deadlines, func(d Deadline) bool { return d.ID.Value == a.Deadline.Value }); i < 0 {
		v.add(a.Type.Pos, "check.extend_deadline.no_deadline", "Deadline", a.Deadline.Value)
	} else if ct.Deadlines[i].From != nil {
		// Signing the from form again would count the deadline anew and
		// undo the extension without a word.
		v.add(a.Deadline.Pos, "check.extend_deadline.from", "Deadline", a.Deadline.Value)
	}
	f := v.forms[a.Form.Value]
	if f == nil {
		v.add(a.Type.Pos, "check.extend_deadline.no_form")
		return
	}
	if !slices.ContainsFunc(t.Forms, func(s Str) bool { return s.Value == a.Form.Value }) {
		v.add(a.Form.Pos, "check.extend_deadline.form_not_signed", "Form", a.Form.Value)
	}
	if fd := v.formField(f, a.Field, a.Type.Pos, "check.extend_deadline.field"); fd != nil && fd.Type.Value != FieldDate {
		v.add(a.Field.Pos, "check.extend_deadline.not_date", "Field", a.Field.Value)
	}
	if len(t.From) != 1 || t.From[0].Value != t.To.Value {
		v.add(a.Type.Pos, "check.extend_deadline.stay", "Step", t.To.Value)
	}
}

// UnknownUnit is the problem of a unit id u the municipality does not
// have: the engine does not know the units, its caller checks them.
func UnknownUnit(u Str) Problem {
	return problemAt(u.Pos, newNote("check.unit.unknown", "Unit", u.Value))
}
