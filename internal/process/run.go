package process

import (
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types/ref"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/trygg"
)

// Context is what expressions know about the case, the person and the
// actor. It never holds the identity number.
type Context struct {
	PersonAge  int
	PersonSex  string
	CaseType   string
	CaseStep   string
	CaseOpened time.Time
	// Decisions is how many final decisions the case has.
	Decisions int
	Roles     []trygg.Role
	Today     time.Time
	// Forms holds the latest values of each form of the case, by form id,
	// as EvaluateForm returned them or as decoded from JSON (numbers as
	// float64, lists as []any): expressions see them with their field types.
	Forms map[string]map[string]any
}

// activation builds the variables for an expression; own is the form whose
// values (ownValues) are also visible as form.<field>.
func (c *Compiled) activation(ctx Context, own string, ownValues map[string]any) map[string]any {
	roles := make([]string, len(ctx.Roles))
	for i, r := range ctx.Roles {
		roles[i] = string(r)
	}
	days := 0
	if !ctx.CaseOpened.IsZero() {
		days = int(ctx.Today.Sub(ctx.CaseOpened).Hours() / 24)
	}
	vars := map[string]any{
		"person.age": int64(ctx.PersonAge), "person.sex": ctx.PersonSex,
		"case.type": ctx.CaseType, "case.step": ctx.CaseStep, "case.days_open": int64(days), "case.decisions": int64(ctx.Decisions),
		"actor.roles": roles, "today": calendar.Today(ctx.Today),
	}
	for id, f := range c.forms {
		values := ctx.Forms[id]
		if id == own {
			values = ownValues
		}
		for _, fd := range f.fields {
			v, ok := values[fd.def.ID.Value]
			if !ok || v == nil {
				v = zeroValue(fd.def.Type.Value)
			} else if id != own {
				v = c.typed(fd.def, v)
			}
			vars["forms."+id+"."+fd.def.ID.Value] = v
			if id == own {
				vars["form."+fd.def.ID.Value] = v
			}
		}
	}
	return vars
}

// typed returns a stored value with the Go type its field's expressions
// expect (money as int64 though JSON gave float64, and so on); a value that
// does not fit is returned as it is, so an expression using it fails.
func (c *Compiled) typed(fd *Field, v any) any {
	switch v.(type) {
	case float64, []any:
		if nv, m := c.normalise(fd, v, false); m.id == "" || nv != nil {
			return nv
		}
	case int64:
		if fd.Type.Value == FieldNumber {
			return float64(v.(int64))
		}
	}
	return v
}

// computedValue converts a computed field's result to the Go type of the
// field's values, so later expressions and storage see one type: a number
// field may be computed by a whole-number expression.
func computedValue(fieldType string, v ref.Val) (any, error) {
	if i, ok := v.Value().(int64); ok && fieldType == FieldNumber {
		return float64(i), nil
	}
	return v.ConvertToNative(reflect.TypeOf(zeroValue(fieldType)))
}

// evalBool runs a boolean program; an evaluation error counts as false and
// is returned so the caller can report it.
func evalBool(p cel.Program, vars map[string]any) (bool, error) {
	if p == nil {
		return true, nil
	}
	out, _, err := p.Eval(vars)
	if err != nil {
		return false, err
	}
	b, ok := out.Value().(bool)
	return ok && b, nil
}

// FormState is the server's verdict on a filled form: which fields are
// shown and required, computed values, and what is wrong, field by field.
type FormState struct {
	Values   map[string]any    `json:"values"`
	Visible  map[string]bool   `json:"visible"`
	Required map[string]bool   `json:"required"`
	Errors   map[string]string `json:"errors"`
	// Summaries are the row summaries of group fields, one line a row.
	Summaries map[string][]string `json:"summaries"`
	// Complete is true when there are no errors: the form can be signed.
	Complete bool `json:"complete"`
}

// EvaluateForm normalises the submitted values of form formID, computes
// computed fields, decides visibility and requiredness with the same
// expressions the browser uses, and validates. Values of fields that are
// hidden are dropped, and every expression (computed fields, conditions,
// validations) sees a hidden field as empty. It returns a not-found error
// for an unknown form.
func (c *Compiled) EvaluateForm(formID string, submitted map[string]any, ctx Context, lang string) (FormState, error) {
	cf, ok := c.forms[formID]
	if !ok {
		return FormState{}, trygg.Errorf(trygg.ENotFound, "The form %q does not exist in this version.", formID)
	}
	st := FormState{Values: map[string]any{}, Visible: map[string]bool{}, Required: map[string]bool{}, Errors: map[string]string{}}
	for k := range submitted {
		if cf.byID[k] == nil {
			st.Errors[k] = newNote("form.no_such_field").in(lang)
		}
	}
	// Normalise first, so expressions see typed values.
	given := map[string]any{}
	for _, f := range cf.fields {
		raw, present := submitted[f.def.ID.Value]
		if !present || raw == nil || f.compute != nil {
			continue
		}
		v, m := c.normalise(f.def, raw, false)
		if m.id == "" && f.def.ParentField.Value != "" {
			parent := cf.byID[f.def.ParentField.Value].def
			m = c.cascadeMsg(f.def, v, given[parent.ID.Value], parent)
		}
		if m.id != "" {
			st.Errors[f.def.ID.Value] = m.in(lang)
			continue
		}
		given[f.def.ID.Value] = v
	}
	// Decide which fields are hidden, with hidden fields' values left out
	// of every expression. Hiding a field can hide (or show) another that
	// depends on it, so this repeats until nothing changes; conditions that
	// only look at earlier fields settle at once. Conditions that depend on
	// each other in a circle stop after as many rounds as there are fields.
	var hidden map[string]bool
	var exprErrs map[string]string
	for round := 0; ; round++ {
		st.Values = map[string]any{}
		for k, v := range given {
			if !hidden[k] {
				st.Values[k] = v
			}
		}
		exprErrs = map[string]string{}
		// Computed fields, in order, each seeing those before it. One that
		// could not be computed is absent from what later ones see, so a
		// field computed from it is left empty too, without a message of
		// its own, rather than computed from a zero.
		var notComputed []string
		for _, f := range cf.fields {
			if f.compute == nil || hidden[f.def.ID.Value] {
				continue
			}
			vars := c.activation(ctx, formID, st.Values)
			for _, id := range notComputed {
				delete(vars, "form."+id)
				delete(vars, "forms."+formID+"."+id)
			}
			out, _, err := f.compute.Eval(vars)
			var v any
			if err == nil {
				v, err = computedValue(f.def.Type.Value, out)
			}
			if err != nil {
				notComputed = append(notComputed, f.def.ID.Value)
				// A date it needs not filled in yet is no fault: the value
				// is computed once it is (a required date blocks signing
				// by itself). Neither is a field before it not computed.
				// Anything else is shown.
				if err.Error() != errNoDate.Error() && !(len(notComputed) > 1 && strings.Contains(err.Error(), "no such attribute")) {
					exprErrs[f.def.ID.Value] = c.computeNote(err, ctx.Roles).in(lang)
				}
				continue
			}
			st.Values[f.def.ID.Value] = v
		}
		vars := c.activation(ctx, formID, st.Values)
		now := map[string]bool{}
		for _, f := range cf.fields {
			id := f.def.ID.Value
			if !roleAllowed(f.section.def.Roles, ctx.Roles) || !roleAllowed(f.def.Roles, ctx.Roles) {
				now[id] = true
				continue
			}
			sv, err := evalBool(f.section.visible, vars)
			fv, err2 := evalBool(f.visible, vars)
			if err != nil || err2 != nil {
				// Shown, so the problem is seen and the form cannot be
				// signed, rather than a value silently dropped.
				exprErrs[id] = newNote("form.visible_failed").in(lang)
				continue
			}
			if !sv || !fv {
				now[id] = true
			}
		}
		// Only a field with a value changes what expressions see.
		changed := false
		for _, f := range cf.fields {
			id := f.def.ID.Value
			if _, has := given[id]; now[id] != hidden[id] && (has || f.compute != nil) {
				changed = true
				break
			}
		}
		hidden = now
		if !changed || round >= len(cf.fields) {
			break
		}
	}
	vars := c.activation(ctx, formID, st.Values)
	for _, f := range cf.fields {
		id := f.def.ID.Value
		visible := !hidden[id]
		st.Visible[id] = visible
		if !visible {
			delete(st.Values, id)
			delete(st.Errors, id)
			continue
		}
		if m := exprErrs[id]; m != "" && st.Errors[id] == "" {
			st.Errors[id] = m
		}
		req := f.def.Required
		if f.required != nil {
			r, err := evalBool(f.required, vars)
			if err != nil {
				st.Errors[id] = newNote("form.required_failed").in(lang)
			}
			req = r
		}
		st.Required[id] = req
		if _, has := st.Values[id]; req && !has && st.Errors[id] == "" && f.compute == nil {
			st.Errors[id] = newNote("form.required").in(lang)
		} else if req && isEmpty(st.Values[id]) && st.Errors[id] == "" && f.compute == nil {
			st.Errors[id] = newNote("form.required").in(lang)
		}
		if _, has := st.Values[id]; !has && f.def.Type.Value == FieldGroup && f.def.MinRows > 0 && st.Errors[id] == "" {
			st.Errors[id] = newNote("form.rows.at_least", "Count", f.def.MinRows).in(lang)
		}
		// A time limit counted from a day that has not come (a report
		// received tomorrow) would be a typing mistake that quietly
		// postpones a legal deadline.
		if day, _ := st.Values[id].(string); day != "" && c.dateFrom[formID][id] && !ctx.Today.IsZero() &&
			day > calendar.Today(ctx.Today) && st.Errors[id] == "" {
			st.Errors[id] = newNote("form.date.after_today").in(lang)
		}
	}
	// Cross-field validations see the values after hiding.
	vars = c.activation(ctx, formID, st.Values)
	for _, v := range cf.validations {
		ok, err := evalBool(v.rule, vars)
		if err == nil && ok {
			continue
		}
		field := v.def.Field.Value
		if field == "" {
			field = "_form"
		}
		if field != "_form" && !st.Visible[field] {
			continue
		}
		if st.Errors[field] == "" {
			st.Errors[field] = v.def.Message.In(lang)
		}
	}
	st.Summaries = map[string][]string{}
	for _, f := range cf.fields {
		rows, ok := st.Values[f.def.ID.Value].([]map[string]any)
		if f.summary == nil || !ok {
			continue
		}
		lines := make([]string, len(rows))
		for i, row := range rows {
			vars := make(map[string]any, len(row))
			for k, v := range row {
				vars["row."+k] = v
			}
			for _, sf := range f.def.Fields {
				if sf.Type.Value == FieldChoice {
					code, _ := row[sf.ID.Value].(string)
					vars["label."+sf.ID.Value] = c.CodeLabel(sf.CodeSystem.Value, code, lang)
				}
			}
			if out, _, err := f.summary.Eval(vars); err == nil {
				lines[i], _ = out.Value().(string)
			}
		}
		st.Summaries[f.def.ID.Value] = lines
	}
	st.Complete = len(st.Errors) == 0
	return st, nil
}

// noRulesValid is Decide's error for a date no rule set covers, as an
// expression passes it on (as text); noRuleMatches its error for inputs
// no rule fits.
var (
	noRulesValid  = regexp.MustCompile(`decision table "([^"]*)" has no rules valid on (\S+)$`)
	noRuleMatches = regexp.MustCompile(`decision table "([^"]*)": no rule matches$`)
)

// computeNote says why a computed field's value could not be computed.
// For a date no rule set of a decision table covers it says so in plain
// words, to the office and a citizen alike: the table's own text
// (missing) or that the table has no amounts for the month yet, never a
// figure from another period. Otherwise it tells the office err or, for
// inputs no rule fits, which table; a citizen (roles has
// trygg.RoleCitizen), who cannot mend a definition, is told in plain words
// what they can do.
func (c *Compiled) computeNote(err error, roles []trygg.Role) note {
	citizen := slices.Contains(roles, trygg.RoleCitizen)
	if sm := noRulesValid.FindStringSubmatch(err.Error()); sm != nil {
		if ct := c.tables[sm[1]]; ct != nil && ct.def.Missing.SV != "" {
			return newNote("form.compute.missing", "Text", textArg{Text: ct.def.Missing, Month: sm[2]})
		}
		name := Text{SV: sm[1]}
		if ct := c.tables[sm[1]]; ct != nil && ct.def.Name.SV != "" {
			name = ct.def.Name
		}
		return newNote("form.compute.no_rules", "Name", textArg{Text: name}, "Month", monthArg(sm[2]))
	}
	if citizen {
		return newNote("form.compute.citizen")
	}
	if sm := noRuleMatches.FindStringSubmatch(err.Error()); sm != nil {
		return newNote("form.compute.no_match", "Table", sm[1])
	}
	return newNote("form.compute.failed", "Detail", err.Error())
}

func roleAllowed(allowed []Str, roles []trygg.Role) bool {
	if len(allowed) == 0 {
		return true
	}
	for _, a := range allowed {
		if slices.Contains(roles, trygg.Role(a.Value)) {
			return true
		}
	}
	return false
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	case []map[string]any:
		return len(x) == 0
	}
	return false
}

// normalise checks a submitted JSON value against the field's type and
// returns it in the form expressions use, or a note saying what is wrong.
// A draft may be incomplete (rows fewer than min_rows, a row's required
// sub-field or an assessment's code or qualifier not given yet, a cascading
// choice not yet matching its parent) but never holds a value its field
// cannot: of another type, too long, too many rows, not an option, not a
// date, out of range. With draft, only the latter are wrong.
func (c *Compiled) normalise(fd *Field, raw any, draft bool) (any, note) {
	switch fd.Type.Value {
	case FieldText, FieldLongText, FieldPerson:
		s, ok := raw.(string)
		if !ok {
			return nil, newNote("form.value.text")
		}
		if max := maxLength(fd); utf8.RuneCountInString(s) > max {
			return nil, newNote("form.value.too_long", "Max", max)
		}
		return s, note{}
	case FieldDate:
		s, ok := raw.(string)
		if !ok {
			return nil, newNote("form.value.date")
		}
		if s == "" {
			return "", note{}
		}
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return nil, newNote("form.value.date")
		}
		return s, note{}
	case FieldNumber:
		n, ok := raw.(float64)
		if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, newNote("form.value.number")
		}
		return n, rangeMsg(fd, n)
	case FieldMoney:
		n, ok := raw.(float64)
		if !ok || n != math.Trunc(n) || math.Abs(n) > 1e15 {
			return nil, newNote("form.value.money")
		}
		return int64(n), rangeMsg(fd, n)
	case FieldYesNo:
		b, ok := raw.(bool)
		if !ok {
			return nil, newNote("form.value.yes_no")
		}
		return b, note{}
	case FieldChoice:
		s, ok := raw.(string)
		if !ok {
			return nil, newNote("form.value.choose")
		}
		if s == "" {
			return "", note{}
		}
		if _, ok := c.codes[fd.CodeSystem.Value][s]; !ok {
			return nil, newNote("form.value.not_option")
		}
		return s, note{}
	case FieldMultiChoice:
		list, ok := raw.([]any)
		if !ok {
			return nil, newNote("form.value.options")
		}
		out := make([]string, 0, len(list))
		for _, item := range list {
			s, ok := item.(string)
			if _, known := c.codes[fd.CodeSystem.Value][s]; !ok || !known {
				return nil, newNote("form.value.not_option")
			}
			if slices.Contains(out, s) {
				return nil, newNote("form.value.option_twice")
			}
			out = append(out, s)
		}
		return out, note{}
	case FieldGroup:
		return c.normaliseRows(fd, raw, draft)
	case FieldAssessment:
		return c.normaliseAssessment(fd, raw, draft)
	}
	return nil, newNote("form.value.unknown_type")
}

func rangeMsg(fd *Field, n float64) note {
	// 'f' so that large amounts in öre read as 2000000, not 2e+06.
	if fd.Min != nil && n < *fd.Min {
		return newNote("form.value.at_least", "Min", strconv.FormatFloat(*fd.Min, 'f', -1, 64))
	}
	if fd.Max != nil && n > *fd.Max {
		return newNote("form.value.at_most", "Max", strconv.FormatFloat(*fd.Max, 'f', -1, 64))
	}
	return note{}
}

func (c *Compiled) normaliseRows(fd *Field, raw any, draft bool) (any, note) {
	list, ok := raw.([]any)
	if !ok {
		return nil, newNote("form.value.rows")
	}
	if max := maxRows(fd); len(list) > max {
		return nil, newNote("form.rows.at_most", "Count", max)
	}
	if !draft && len(list) < fd.MinRows {
		return nil, newNote("form.rows.at_least", "Count", fd.MinRows)
	}
	rows := make([]map[string]any, 0, len(list))
	for i, item := range list {
		in, ok := item.(map[string]any)
		if !ok {
			return nil, newNote("form.row.not_fields", "Row", i+1)
		}
		row := map[string]any{}
		for k := range in {
			if !slices.ContainsFunc(fd.Fields, func(f Field) bool { return f.ID.Value == k }) {
				return nil, newNote("form.row.unknown_field", "Row", i+1, "Field", k)
			}
		}
		for j := range fd.Fields {
			sf := &fd.Fields[j]
			v, present := in[sf.ID.Value]
			if !present || v == nil || v == "" {
				if sf.Required && !draft {
					return nil, newNote("form.row.required", "Row", i+1, "Label", sf.Label.SV)
				}
				row[sf.ID.Value] = zeroValue(sf.Type.Value)
				continue
			}
			nv, m := c.normalise(sf, v, draft)
			if m.id == "" && sf.ParentField.Value != "" && !draft {
				if j := slices.IndexFunc(fd.Fields, func(f Field) bool { return f.ID.Value == sf.ParentField.Value }); j >= 0 {
					m = c.cascadeMsg(sf, nv, row[sf.ParentField.Value], &fd.Fields[j])
				}
			}
			if m.id != "" {
				return nil, newNote("form.row.field", "Row", i+1, "Label", sf.Label.SV, "Problem", m)
			}
			row[sf.ID.Value] = nv
		}
		rows = append(rows, row)
	}
	return rows, note{}
}

// cascadeMsg checks a cascading choice (parent_field): every code chosen in
// fd must be a child of the code chosen in the parent field, whose value is
// parentValue. It returns what is wrong, or no note.
func (c *Compiled) cascadeMsg(fd *Field, v, parentValue any, parent *Field) note {
	p, _ := parentValue.(string)
	var chosen []string
	switch x := v.(type) {
	case string:
		if x != "" {
			chosen = []string{x}
		}
	case []string:
		chosen = x
	}
	for _, code := range chosen {
		if p == "" || c.codes[fd.CodeSystem.Value][code] != p {
			return newNote("form.value.not_child_option", "Label", parent.Label.SV)
		}
	}
	return note{}
}

// qualifiers are the ICF generic qualifier values allowed in assessments:
// 0–4, plus 8 (not specified) and 9 (not applicable).
var qualifiers = map[float64]bool{0: true, 1: true, 2: true, 3: true, 4: true, 8: true, 9: true}

func (c *Compiled) normaliseAssessment(fd *Field, raw any, draft bool) (any, note) {
	list, ok := raw.([]any)
	if !ok {
		return nil, newNote("form.value.assessments")
	}
	// Each code at most once: never more rows than the code system has
	// codes.
	if max := max(len(c.codes[fd.CodeSystem.Value]), 1); len(list) > max {
		return nil, newNote("form.rows.at_most", "Count", max)
	}
	rows := make([]map[string]any, 0, len(list))
	seen := map[string]bool{}
	for i, item := range list {
		in, ok := item.(map[string]any)
		if !ok {
			return nil, newNote("form.row.not_assessment", "Row", i+1)
		}
		for k := range in {
			if k != "code" && k != "qualifier" && k != "text" {
				return nil, newNote("form.row.unknown_field", "Row", i+1, "Field", k)
			}
		}
		code, isText := in["code"].(string)
		if in["code"] != nil && !isText {
			return nil, newNote("form.row.unknown_code", "Row", i+1)
		}
		// A draft's row may wait for its code and qualifier; what it has
		// must fit.
		if _, ok := c.codes[fd.CodeSystem.Value][code]; !ok && !(draft && code == "") {
			return nil, newNote("form.row.unknown_code", "Row", i+1)
		}
		if seen[code] && !draft {
			return nil, newNote("form.row.code_twice", "Row", i+1)
		}
		seen[code] = true
		q, ok := in["qualifier"].(float64)
		if (!ok || !qualifiers[q]) && !(draft && in["qualifier"] == nil) {
			return nil, newNote("form.row.qualifier", "Row", i+1)
		}
		text, isText := in["text"].(string)
		if in["text"] != nil && !isText {
			return nil, newNote("form.row.text_not_text", "Row", i+1)
		}
		if utf8.RuneCountInString(text) > maxAssessmentText {
			return nil, newNote("form.row.text_too_long", "Row", i+1, "Max", maxAssessmentText)
		}
		rows = append(rows, map[string]any{"code": code, "qualifier": int64(q), "text": text})
	}
	return rows, note{}
}
