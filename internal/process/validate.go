package process

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

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

func (v *validator) add(p Pos, format string, args ...any) {
	v.probs = append(v.probs, Problem{p, fmt.Sprintf(format, args...)})
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
		if v.exprID(f.ID, "form") {
			if _, dup := v.forms[f.ID.Value]; dup {
				v.add(f.ID.Pos, "a form with id %q is defined twice", f.ID.Value)
			}
			v.forms[f.ID.Value] = f
		}
	}
	for _, f := range b.Forms {
		v.form(f)
	}
	tables := map[string]bool{}
	for _, t := range b.Tables {
		if v.id(t.ID, "decision table") && tables[t.ID.Value] {
			v.add(t.ID.Pos, "a decision table with id %q is defined twice", t.ID.Value)
		}
		tables[t.ID.Value] = true
		v.table(t)
	}
	seen := map[string]bool{}
	for _, ct := range b.CaseTypes {
		if v.id(ct.ID, "case type") && seen[ct.ID.Value] {
			v.add(ct.ID.Pos, "a case type with id %q is defined twice", ct.ID.Value)
		}
		seen[ct.ID.Value] = true
		v.caseType(ct)
	}
	reports := map[string]bool{}
	for _, r := range b.Reports {
		if reports[r.ID.Value] && r.ID.Value != "" {
			v.add(r.ID.Pos, "a report with id %q is defined twice", r.ID.Value)
		}
		reports[r.ID.Value] = true
		v.report(r, seen)
	}
	return v.probs.sorted()
}

// id checks that s is present and well formed.
func (v *validator) id(s Str, what string) bool {
	switch {
	case s.Value == "":
		v.add(s.Pos, "the %s has no id", what)
		return false
	case !idPattern.MatchString(s.Value):
		v.add(s.Pos, "the %s id %q must start with a lower-case letter and use only a-z, 0-9, '-' and '_' (at most 63)", what, s.Value)
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
		v.add(s.Pos, "the %s id %q is used in expressions, so it may use only a-z, 0-9 and '_' (write %q)", what, s.Value, strings.ReplaceAll(s.Value, "-", "_"))
		return false
	case celReserved[s.Value]:
		v.add(s.Pos, "the %s id %q is a reserved word in expressions; choose another", what, s.Value)
		return false
	}
	return true
}

func (v *validator) text(t Text, p Pos, what string) {
	if t.SV == "" {
		v.add(p, "%s needs a Swedish text (sv)", what)
	}
}

func (v *validator) codeSystem(cs *CodeSystem) {
	if !v.id(cs.ID, "code system") {
		return
	}
	if _, dup := v.codes[cs.ID.Value]; dup {
		v.add(cs.ID.Pos, "a code system with id %q is defined twice", cs.ID.Value)
	}
	v.codes[cs.ID.Value] = cs
	v.text(cs.Name, cs.ID.Pos, "the code system's name")
	if len(cs.Codes) == 0 {
		v.add(cs.ID.Pos, "the code system %q has no codes", cs.ID.Value)
	}
	seen := map[string]bool{}
	var walk func([]Code)
	walk = func(codes []Code) {
		for _, c := range codes {
			if c.Code.Value == "" {
				v.add(c.Code.Pos, "a code in %q has no code", cs.ID.Value)
			} else if seen[c.Code.Value] {
				v.add(c.Code.Pos, "the code %q appears twice in %q", c.Code.Value, cs.ID.Value)
			}
			seen[c.Code.Value] = true
			v.text(c.Label, c.Code.Pos, fmt.Sprintf("the code %q", c.Code.Value))
			walk(c.Children)
		}
	}
	walk(cs.Codes)
}

func (v *validator) roles(roles []Str) {
	for _, r := range roles {
		if !trygg.Role(r.Value).Valid() {
			v.add(r.Pos, "unknown role %q", r.Value)
		}
	}
}

// expr compiles a non-empty expression and reports problems at its place.
func (v *validator) expr(env *cel.Env, s Str, want *cel.Type) {
	if s.Value == "" || env == nil {
		return
	}
	if _, err := compile(env, s.Value, want); err != nil {
		v.add(s.Pos, "%v", err)
		return
	}
	if strings.Contains(s.Value, "decide(") {
		if ast, iss := env.Compile(s.Value); iss == nil || iss.Err() == nil {
			for _, m := range decideProblems(ast, v.b.Tables) {
				v.add(s.Pos, "%s", m)
			}
		}
	}
}

// decideProblems checks the decide(...) calls of an expression whose table
// is named by a literal: the table must exist, a literal map of inputs must
// name exactly its inputs, and a field read from the result must be one of
// its outputs. (The expression types cannot say this: decide returns a map.)
func decideProblems(a *cel.Ast, tables []*DecisionTable) []string {
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
	var out []string
	celast.PostOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.SelectKind {
			if t, _, ok := tableOf(e.AsSelect().Operand()); ok && t != nil {
				field := e.AsSelect().FieldName()
				if !slices.ContainsFunc(t.Outputs, func(o TableIO) bool { return o.ID.Value == field }) {
					out = append(out, fmt.Sprintf("the decision table %q has no output %q", t.ID.Value, field))
				}
			}
			return
		}
		t, id, ok := tableOf(e)
		if !ok {
			return
		}
		if t == nil {
			out = append(out, fmt.Sprintf("decide() names the decision table %q, which is not in the set", id))
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
				out = append(out, fmt.Sprintf("the decision table %q has no input %q", id, name))
			}
		}
		for _, in := range t.Inputs {
			if !given[in.ID.Value] {
				out = append(out, fmt.Sprintf("decide(%q, …) does not give the input %q", id, in.ID.Value))
			}
		}
	}))
	return out
}

func (v *validator) form(f *Form) {
	if f.ID.Value == "" {
		return
	}
	v.text(f.Name, f.ID.Pos, "the form's name")
	env, err := newEnv(v.b.Forms, f.ID.Value, nil)
	if err != nil {
		v.add(f.ID.Pos, "the form's fields cannot be used in expressions: %v", err)
		env = nil
	}
	byID := map[string]*Field{}
	sections := map[string]bool{}
	for si := range f.Sections {
		s := &f.Sections[si]
		if v.id(s.ID, "section") && sections[s.ID.Value] {
			v.add(s.ID.Pos, "the section id %q is used twice in the form", s.ID.Value)
		}
		sections[s.ID.Value] = true
		v.text(s.Label, s.ID.Pos, "the section's label")
		v.roles(s.Roles)
		v.expr(env, s.VisibleIf, cel.BoolType)
		if len(s.Fields) == 0 {
			v.add(s.ID.Pos, "the section %q has no fields", s.ID.Value)
		}
		for fi := range s.Fields {
			fd := &s.Fields[fi]
			if fd.ID.Value != "" {
				if byID[fd.ID.Value] != nil {
					v.add(fd.ID.Pos, "the field id %q is used twice in the form", fd.ID.Value)
				}
				byID[fd.ID.Value] = fd
			}
			v.field(env, f, fd, byID, false)
		}
	}
	for _, val := range f.Validations {
		if val.Rule.Value == "" {
			v.add(val.Rule.Pos, "the validation has no rule")
		}
		v.expr(env, val.Rule, cel.BoolType)
		v.text(val.Message, val.Rule.Pos, "the validation's message")
		if val.Field.Value != "" && byID[val.Field.Value] == nil {
			v.add(val.Field.Pos, "the validation points at field %q, which the form does not have", val.Field.Value)
		}
	}
}

func (v *validator) field(env *cel.Env, f *Form, fd *Field, byID map[string]*Field, inGroup bool) {
	v.exprID(fd.ID, "field")
	v.text(fd.Label, fd.ID.Pos, fmt.Sprintf("the field %q's label", fd.ID.Value))
	t := fd.Type.Value
	if !fieldTypes[t] {
		pos := fd.Type.Pos
		if t == "" {
			pos = fd.ID.Pos
		}
		v.add(pos, "unknown field type %q: use text, long_text, number, money, date, yes_no, choice, multi_choice, person, group or assessment", t)
		return
	}
	v.roles(fd.Roles)
	if fd.Required && fd.RequiredIf.Value != "" {
		v.add(fd.RequiredIf.Pos, "the field is both required and required_if: keep one")
	}
	if !inGroup {
		v.expr(env, fd.VisibleIf, cel.BoolType)
		v.expr(env, fd.RequiredIf, cel.BoolType)
		v.expr(env, fd.Compute, celType(t))
	} else if fd.VisibleIf.Value != "" || fd.RequiredIf.Value != "" || fd.Compute.Value != "" {
		v.add(fd.ID.Pos, "fields inside a group cannot have visible_if, required_if or compute yet")
	}
	switch t {
	case FieldChoice, FieldMultiChoice, FieldAssessment:
		if fd.CodeSystem.Value == "" {
			v.add(fd.ID.Pos, "the %s field %q needs a code_system", t, fd.ID.Value)
		} else if v.codes[fd.CodeSystem.Value] == nil {
			v.add(fd.CodeSystem.Pos, "unknown code system %q", fd.CodeSystem.Value)
		}
	}
	if fd.ParentField.Value != "" {
		parent := byID[fd.ParentField.Value]
		switch {
		case parent == nil || parent == fd:
			v.add(fd.ParentField.Pos, "parent_field %q must name a choice field earlier in the form", fd.ParentField.Value)
		case parent.Type.Value != FieldChoice:
			v.add(fd.ParentField.Pos, "parent_field %q is not a choice field", fd.ParentField.Value)
		case parent.CodeSystem.Value != fd.CodeSystem.Value:
			v.add(fd.ParentField.Pos, "a cascading choice must use the same code system as its parent field %q", fd.ParentField.Value)
		}
	}
	if fd.Min != nil && fd.Max != nil && *fd.Min > *fd.Max {
		v.add(fd.ID.Pos, "min is larger than max")
	}
	if fd.MaxLength != 0 {
		switch {
		case t != FieldText && t != FieldLongText && t != FieldPerson:
			v.add(fd.ID.Pos, "max_length belongs only to text, long_text and person fields")
		case fd.MaxLength < 1 || fd.MaxLength > MaxFieldLength:
			v.add(fd.ID.Pos, "max_length must be between 1 and %d", MaxFieldLength)
		}
	}
	if t == FieldGroup {
		if len(fd.Fields) == 0 {
			v.add(fd.ID.Pos, "the group %q has no fields", fd.ID.Value)
		}
		if fd.MinRows < 0 || fd.MaxRows < 0 || fd.MaxRows > MaxFieldRows {
			v.add(fd.ID.Pos, "min_rows and max_rows must be between 0 and %d", MaxFieldRows)
		} else if fd.MaxRows > 0 && fd.MinRows > fd.MaxRows {
			v.add(fd.ID.Pos, "min_rows is larger than max_rows")
		} else if fd.MinRows > maxRows(fd) {
			v.add(fd.ID.Pos, "min_rows is larger than %d, the most rows of a group without max_rows", DefaultMaxRows)
		}
		sub := map[string]*Field{}
		for i := range fd.Fields {
			sf := &fd.Fields[i]
			if sub[sf.ID.Value] != nil {
				v.add(sf.ID.Pos, "the field id %q is used twice in the group", sf.ID.Value)
			}
			sub[sf.ID.Value] = sf
			if sf.Type.Value == FieldGroup {
				v.add(sf.ID.Pos, "a group cannot contain another group")
				continue
			}
			v.field(env, f, sf, sub, true)
		}
		if fd.RowSummary.Value != "" {
			v.rowSummary(fd)
		}
	} else if len(fd.Fields) > 0 || fd.MinRows > 0 || fd.MaxRows > 0 {
		v.add(fd.ID.Pos, "fields, min_rows and max_rows belong only to group fields")
	}
}

// rowEnv is the environment of a group's row summary: row.<field> for
// each sub-field.
func rowEnv(fd *Field) (*cel.Env, error) {
	opts := append([]cel.EnvOption{}, helperFunctions...)
	for _, sf := range fd.Fields {
		opts = append(opts, cel.Variable("row."+sf.ID.Value, celType(sf.Type.Value)))
	}
	return cel.NewEnv(opts...)
}

// rowSummary checks a group's row summary, an expression over row.<field>.
func (v *validator) rowSummary(fd *Field) {
	env, err := rowEnv(fd)
	if err != nil {
		v.add(fd.RowSummary.Pos, "the row summary cannot be checked: %v", err)
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
	v.text(ct.Name, ct.ID.Pos, "the case type's name")
	if !fields[ct.Field.Value] {
		pos := ct.Field.Pos
		if pos.Line == 0 {
			pos = ct.ID.Pos
		}
		v.add(pos, "field must be one of AO, IFO, FH, HSL (got %q)", ct.Field.Value)
	}
	env, err := newEnv(v.b.Forms, "", nil)
	if err != nil {
		v.add(ct.ID.Pos, "expressions cannot be checked: %v", err)
		env = nil
	}
	steps := map[string]*Step{}
	for i := range ct.Steps {
		s := &ct.Steps[i]
		if v.id(s.ID, "step") && steps[s.ID.Value] != nil {
			v.add(s.ID.Pos, "the step id %q is used twice", s.ID.Value)
		}
		steps[s.ID.Value] = s
		v.text(s.Name, s.ID.Pos, fmt.Sprintf("the step %q's name", s.ID.Value))
		v.citizenText(s)
		for _, f := range s.Forms {
			if v.forms[f.Value] == nil {
				v.add(f.Pos, "unknown form %q", f.Value)
			}
		}
	}
	if len(ct.Steps) == 0 {
		v.add(ct.ID.Pos, "the case type has no steps")
		return
	}
	if ct.Start.Value == "" {
		v.add(ct.ID.Pos, "the case type has no start step (start: <step id>)")
	} else if steps[ct.Start.Value] == nil {
		v.add(ct.Start.Pos, "the start step %q is not one of the steps", ct.Start.Value)
	}
	next := map[string][]string{}
	ids := map[string]bool{}
	for i := range ct.Transitions {
		t := &ct.Transitions[i]
		if v.id(t.ID, "transition") && ids[t.ID.Value] {
			v.add(t.ID.Pos, "the transition id %q is used twice", t.ID.Value)
		}
		ids[t.ID.Value] = true
		v.text(t.Name, t.ID.Pos, fmt.Sprintf("the transition %q's name", t.ID.Value))
		if len(t.From) == 0 {
			v.add(t.ID.Pos, "the transition %q has no from step", t.ID.Value)
		}
		for _, f := range t.From {
			if steps[f.Value] == nil {
				v.add(f.Pos, "the transition %q starts from an unknown step %q", t.ID.Value, f.Value)
			} else if steps[f.Value].Final {
				v.add(f.Pos, "the transition %q leaves the final step %q", t.ID.Value, f.Value)
			}
			next[f.Value] = append(next[f.Value], t.To.Value)
		}
		switch {
		case t.To.Value == "":
			v.add(t.ID.Pos, "the transition %q goes nowhere: give to: <step id>", t.ID.Value)
		case steps[t.To.Value] == nil:
			v.add(t.To.Pos, "the transition %q goes to an unknown step %q", t.ID.Value, t.To.Value)
		}
		if len(t.Roles) == 0 {
			v.add(t.ID.Pos, "the transition %q names no roles that may take it", t.ID.Value)
		}
		v.roles(t.Roles)
		v.expr(env, t.Guard, cel.BoolType)
		for _, f := range t.Forms {
			if v.forms[f.Value] == nil {
				v.add(f.Pos, "unknown form %q", f.Value)
			}
		}
		for _, a := range t.Actions {
			switch a.Type.Value {
			case ActionScheduleFollowUp:
				if _, err := calendar.ParsePeriod(a.Period.Value); err != nil {
					v.add(a.Type.Pos, "schedule_follow_up needs a period: %v", err)
				}
				v.text(a.Name, a.Type.Pos, "the follow-up's name")
			case ActionNotifyCitizen:
				v.text(a.Message, a.Type.Pos, "the notice's message")
			case ActionCreateDecisions:
				v.createDecisions(ct, t, a)
			case ActionExtendDeadline:
				v.extendDeadline(ct, t, a)
			case ActionCreateOrders:
				if ct.Orders == nil || ct.Decisions == nil {
					v.add(a.Type.Pos, "create_orders needs the case type's decisions and orders sections")
				}
			}
			if !actionTypes[a.Type.Value] {
				v.add(a.Type.Pos, "unknown action %q: use close_case, schedule_follow_up, notify_citizen, create_decisions, extend_deadline or create_orders", a.Type.Value)
			} else if a.Type.Value == ActionCloseCase && (a.Period.Value != "" || a.Name.SV != "" || a.Message.SV != "" || a.Form.Value != "") {
				v.add(a.Type.Pos, "close_case takes no period, name or message")
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
				v.add(s.ID.Pos, "the step %q cannot be reached from the start step %q", s.ID.Value, ct.Start.Value)
			}
			if !s.Final && len(next[s.ID.Value]) == 0 {
				v.add(s.ID.Pos, "the step %q is a dead end: no transition leaves it and it is not final", s.ID.Value)
			}
		}
	}
	for _, u := range ct.Units {
		if u.Value == "" {
			v.add(u.Pos, "an empty unit id")
		}
	}
	v.deadlines(ct, steps)
	v.decisions(ct)
	v.orders(ct)
	v.variants(ct)
	v.citizenApplication(ct, steps)
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
		v.add(ct.ID.Pos, "orders need the case type's decisions section: orders are sent for granted decisions")
	}
	if o.Activities.Value == "" {
		v.add(o.Form.Pos, "orders need activities: the code system performed insatser are coded with")
	} else if v.codes[o.Activities.Value] == nil {
		v.add(o.Activities.Pos, "unknown code system %q", o.Activities.Value)
	}
	if o.DeviationTaskAfter < 0 {
		v.add(o.Form.Pos, "deviation_task_after cannot be negative")
	}
	f := v.forms[o.Form.Value]
	if f == nil {
		v.add(o.Form.Pos, "orders need form: the form holding the needs and goals the order carries (got %q)", o.Form.Value)
		return
	}
	needs := v.formField(f, o.Needs, o.Form.Pos, "orders need needs")
	if needs != nil && needs.Type.Value != FieldAssessment {
		v.add(o.Needs.Pos, "needs must name an assessment field; %q is %s", o.Needs.Value, needs.Type.Value)
	}
	goals := v.formField(f, o.Goals, o.Form.Pos, "orders need goals")
	if goals == nil {
		return
	}
	if goals.Type.Value != FieldGroup {
		v.add(o.Goals.Pos, "goals must name a group field; %q is %s", o.Goals.Value, goals.Type.Value)
		return
	}
	sub := func(ref Str, what string, types ...string) {
		if ref.Value == "" {
			v.add(o.Goals.Pos, "orders need %s: a field of the group %q", what, o.Goals.Value)
			return
		}
		for _, fd := range goals.Fields {
			if fd.ID.Value == ref.Value {
				if !slices.Contains(types, fd.Type.Value) {
					v.add(ref.Pos, "%s must be a %s field of the group %q; %q is %s", what, strings.Join(types, " or "), o.Goals.Value, ref.Value, fd.Type.Value)
				} else if what == "goal_need" && needs != nil && fd.CodeSystem.Value != needs.CodeSystem.Value {
					v.add(ref.Pos, "goal_need must choose from the needs' code system %q", needs.CodeSystem.Value)
				}
				return
			}
		}
		v.add(ref.Pos, "%s: the group %q has no field %q", what, o.Goals.Value, ref.Value)
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
			v.add(ct.ID.Pos, "a variant names no units")
		}
		for base, local := range vr.Forms {
			switch {
			case !used[base]:
				v.add(local.Pos, "the variant replaces %q, which no step or transition of the case type uses", base)
			case v.forms[local.Value] == nil:
				v.add(local.Pos, "unknown form %q", local.Value)
			case !v.b.extendsForm(local.Value, base):
				v.add(local.Pos, "the form %q must extend %q to replace it (extends: %s)", local.Value, base, base)
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
		v.add(ct.ID.Pos, "decisions need insatser: the code system of what can be decided")
	} else if codes == nil {
		v.add(d.Insatser.Pos, "unknown code system %q", d.Insatser.Value)
	}
	if len(d.LegalBases) == 0 {
		v.add(d.Insatser.Pos, "decisions need at least one legal basis (legal_bases)")
	}
	if d.AppealPeriod.Value != "" {
		if _, err := calendar.ParsePeriod(d.AppealPeriod.Value); err != nil {
			v.add(d.AppealPeriod.Pos, "appeal_period: %v", err)
		}
	}
	if len(d.Delegation) == 0 {
		v.add(d.Insatser.Pos, "decisions need delegation: who may decide what")
	}
	switch d.AmountUnit.Value {
	case "", UnitMoney, UnitHours, UnitCount:
	default:
		v.add(d.AmountUnit.Pos, "amount_unit must be money, hours or count (got %q)", d.AmountUnit.Value)
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
			v.add(d.Insatser.Pos, "a delegation rule names no roles")
		}
		v.roles(dl.Roles)
		for _, i := range dl.Insatser {
			if codes != nil && !known[i.Value] {
				v.add(i.Pos, "the insats %q is not in the code system %q", i.Value, d.Insatser.Value)
			}
		}
		if dl.MaxAmount < 0 {
			v.add(d.Insatser.Pos, "max_amount cannot be negative")
		}
	}
}

func (v *validator) deadlines(ct *CaseType, steps map[string]*Step) {
	seen := map[string]bool{}
	for i := range ct.Deadlines {
		d := &ct.Deadlines[i]
		if v.id(d.ID, "deadline") && seen[d.ID.Value] {
			v.add(d.ID.Pos, "the deadline id %q is used twice", d.ID.Value)
		}
		seen[d.ID.Value] = true
		v.text(d.Name, d.ID.Pos, fmt.Sprintf("the deadline %q's name", d.ID.Value))
		switch {
		case d.Start.Value == "":
			v.add(d.ID.Pos, "the deadline %q has no start: give case_opened or a step id", d.ID.Value)
		case d.Start.Value != StartCaseOpened && steps[d.Start.Value] == nil:
			v.add(d.Start.Pos, "the deadline starts at an unknown step %q (use case_opened or a step id)", d.Start.Value)
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
			v.add(pos, "the deadline's period: %v", err)
		}
		if d.WarnBefore.Value != "" {
			warn, err := calendar.ParsePeriod(d.WarnBefore.Value)
			if err != nil {
				v.add(d.WarnBefore.Pos, "warn_before: %v", err)
			} else if period.N > 0 && !warn.Before(period.After(refDay)).After(refDay) {
				v.add(d.WarnBefore.Pos, "the warning (%s before) would come before the deadline starts (%s)", warn, period)
			}
		}
		if len(d.MetBy) == 0 {
			v.add(d.ID.Pos, "the deadline %q has no met_by steps: say which steps meet it", d.ID.Value)
		}
		for _, m := range d.MetBy {
			if steps[m.Value] == nil {
				v.add(m.Pos, "the deadline is met by an unknown step %q", m.Value)
			}
		}
		for _, r := range append(append([]Str{}, d.OnWarning...), d.OnOverdue...) {
			if r.Value != RecipientAssignee && r.Value != RecipientTeamLead {
				v.add(r.Pos, "unknown recipient %q: use assignee or team_lead", r.Value)
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
		v.add(from.Form.Pos, "the deadline %q's from needs form: a form of the case type holding the date it counts from", d.ID.Value)
		return
	}
	f := v.forms[from.Form.Value]
	if f == nil {
		v.add(from.Form.Pos, "unknown form %q", from.Form.Value)
		return
	}
	used := func(list []Str) bool {
		return slices.ContainsFunc(list, func(s Str) bool { return s.Value == from.Form.Value })
	}
	if !slices.ContainsFunc(ct.Steps, func(s Step) bool { return used(s.Forms) }) &&
		!slices.ContainsFunc(ct.Transitions, func(t Transition) bool { return used(t.Forms) }) {
		v.add(from.Form.Pos, "the deadline counts from the form %q, which no step or transition of the case type uses", from.Form.Value)
	}
	fd := v.formField(f, from.Field, from.Form.Pos, "the deadline's from needs field")
	if fd == nil {
		return
	}
	if fd.Type.Value != FieldDate {
		v.add(from.Field.Pos, "the field %q the deadline counts from must be a date field; it is %s", from.Field.Value, fd.Type.Value)
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
		v.add(from.Field.Pos, "the field %q the deadline counts from must be required and always shown (required: true; no required_if, "+
			"visible_if, roles or compute on it or its section), so that every signed form has the date", from.Field.Value)
	}
}

// refDay is a fixed day for checking that a warning falls inside its
// deadline's period.
var refDay = time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)

var ioTypes = map[string]bool{"number": true, "text": true, "yes_no": true}

func (v *validator) table(t *DecisionTable) {
	v.text(t.Name, t.ID.Pos, "the decision table's name")
	switch t.HitPolicy.Value {
	case HitFirst, HitUnique, HitCollectSum:
	default:
		pos := t.HitPolicy.Pos
		if pos.Line == 0 {
			pos = t.ID.Pos
		}
		v.add(pos, "hit_policy must be first, unique or collect_sum (got %q)", t.HitPolicy.Value)
	}
	if len(t.Inputs) == 0 || len(t.Outputs) == 0 {
		v.add(t.ID.Pos, "the decision table needs at least one input and one output")
	}
	ids := map[string]bool{}
	for _, io := range append(append([]TableIO{}, t.Inputs...), t.Outputs...) {
		if v.id(io.ID, "column") && ids[io.ID.Value] {
			v.add(io.ID.Pos, "the column id %q is used twice", io.ID.Value)
		}
		ids[io.ID.Value] = true
		if !ioTypes[io.Type.Value] {
			v.add(io.ID.Pos, "the column %q needs a type: number, text or yes_no", io.ID.Value)
		}
	}
	if t.HitPolicy.Value == HitCollectSum {
		for _, o := range t.Outputs {
			if o.Type.Value != "number" {
				v.add(o.ID.Pos, "collect_sum adds outputs up, so %q must be a number", o.ID.Value)
			}
		}
	}
	if len(t.RuleSets) == 0 {
		v.add(t.ID.Pos, "the decision table has no rule_sets")
	}
	type span struct {
		from, to string
		pos      Pos
	}
	var spans []span
	for _, rs := range t.RuleSets {
		from, err := time.Parse("2006-01-02", rs.ValidFrom.Value)
		if err != nil {
			v.add(rs.ValidFrom.Pos, "valid_from must be a date YYYY-MM-DD")
			continue
		}
		to := "9999-12-31"
		if rs.ValidTo.Value != "" {
			end, err := time.Parse("2006-01-02", rs.ValidTo.Value)
			if err != nil || end.Before(from) {
				v.add(rs.ValidTo.Pos, "valid_to must be a date YYYY-MM-DD, not before valid_from")
				continue
			}
			to = rs.ValidTo.Value
		}
		for _, o := range spans {
			if rs.ValidFrom.Value <= o.to && o.from <= to {
				where := fmt.Sprintf("line %d", o.pos.Line)
				if o.pos.File != rs.ValidFrom.Pos.File {
					where = fmt.Sprintf("%s:%d", o.pos.File, o.pos.Line)
				}
				v.add(rs.ValidFrom.Pos, "this rule set's validity overlaps the one at %s: a date must select one rule set", where)
			}
		}
		spans = append(spans, span{rs.ValidFrom.Value, to, rs.ValidFrom.Pos})
		if len(rs.Rules) == 0 {
			v.add(rs.ValidFrom.Pos, "the rule set has no rules")
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
		v.add(a.Type.Pos, "create_decisions needs the case type's decisions section")
		return
	}
	f := v.forms[a.Form.Value]
	if f == nil {
		v.add(a.Type.Pos, "create_decisions needs form: a form the transition requires signed")
		return
	}
	if !slices.ContainsFunc(t.Forms, func(s Str) bool { return s.Value == a.Form.Value }) {
		v.add(a.Form.Pos, "the form %q must be among the transition's forms, so it is signed when the decisions are drafted", a.Form.Value)
	}
	if fd := v.formField(f, a.Field, a.Type.Pos, "create_decisions needs field"); fd != nil {
		if (fd.Type.Value != FieldChoice && fd.Type.Value != FieldMultiChoice) || fd.CodeSystem.Value != ct.Decisions.Insatser.Value {
			v.add(a.Field.Pos, "the field %q must be a choice or multi_choice of the code system %q", a.Field.Value, ct.Decisions.Insatser.Value)
		}
	}
	optional := []struct {
		ref   Str
		types []string
		what  string
	}{
		{a.Amount, []string{FieldMoney, FieldNumber}, "amount must name a money or number field"},
		{a.ValidFrom, []string{FieldDate}, "valid_from must name a date field"},
		{a.Calculation, []string{FieldText, FieldLongText}, "calculation must name a text or long_text field"},
	}
	for _, o := range optional {
		if o.ref.Value == "" {
			continue
		}
		if fd := v.formField(f, o.ref, o.ref.Pos, o.what); fd != nil && !slices.Contains(o.types, fd.Type.Value) {
			v.add(o.ref.Pos, "%s of the form %q; %q is %s", o.what, a.Form.Value, o.ref.Value, fd.Type.Value)
		}
	}
}

// formField returns the top-level field ref of form f, or adds a problem
// (starting with what) and returns nil.
func (v *validator) formField(f *Form, ref Str, pos Pos, what string) *Field {
	for _, fd := range f.allFields() {
		if fd.ID.Value == ref.Value {
			return fd
		}
	}
	if ref.Pos.Line > 0 {
		pos = ref.Pos
	}
	v.add(pos, "%s: a field of the form %q (there is no field %q)", what, f.ID.Value, ref.Value)
	return nil
}

// extendDeadline checks an extend_deadline action: a deadline of the case
// type, and a date field of a form the transition requires signed, which
// holds the new due date. The extension is thereby always a signed record
// with its reason in the same form.
func (v *validator) extendDeadline(ct *CaseType, t *Transition, a Action) {
	if i := slices.IndexFunc(ct.Deadlines, func(d Deadline) bool { return d.ID.Value == a.Deadline.Value }); i < 0 {
		v.add(a.Type.Pos, "extend_deadline needs deadline: one of the case type's deadlines (got %q)", a.Deadline.Value)
	} else if ct.Deadlines[i].From != nil {
		// Signing the from form again would count the deadline anew and
		// undo the extension without a word.
		v.add(a.Deadline.Pos, "the deadline %q counts from a form's date (from), so it cannot be extended: a new date in that form moves it", a.Deadline.Value)
	}
	f := v.forms[a.Form.Value]
	if f == nil {
		v.add(a.Type.Pos, "extend_deadline needs form: a form the transition requires signed, holding the new due date")
		return
	}
	if !slices.ContainsFunc(t.Forms, func(s Str) bool { return s.Value == a.Form.Value }) {
		v.add(a.Form.Pos, "the form %q must be among the transition's forms, so the extension is signed", a.Form.Value)
	}
	if fd := v.formField(f, a.Field, a.Type.Pos, "extend_deadline needs field"); fd != nil && fd.Type.Value != FieldDate {
		v.add(a.Field.Pos, "the field %q must be a date field: the new due date", a.Field.Value)
	}
	if len(t.From) != 1 || t.From[0].Value != t.To.Value {
		v.add(a.Type.Pos, "extend_deadline belongs on a transition that stays in its step (from: [%s], to: %s)", t.To.Value, t.To.Value)
	}
}
