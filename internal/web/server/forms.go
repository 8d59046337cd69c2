package server

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
)

// FormRender is a form as the page shows it: its sections and fields with
// values, options, conditions and messages, from the definition and the
// server's verdict on the values (FormState).
type FormRender struct {
	CaseID, FormID, Name, Status string
	Editable                     bool
	Sections                     []SectionRender
	// FormError is a message for the form as a whole.
	FormError string
	Complete  bool
	Signed    []store.FormEntry
	UpdatedAt time.Time
	// Saved is shown after an autosave.
	Saved bool
	// Action is where the form posts; Preview marks a process designer's
	// preview (nothing is saved, nothing can be signed).
	Action  string
	Preview bool
	// SubmitLabel, when set, puts a button of that name in the form that
	// sends it with send=1 (a citizen's application on Mina sidor) in
	// place of the separate signature form.
	SubmitLabel string
}

// SectionRender is a section of a form with the fields it shows.
type SectionRender struct {
	ID, Label, Help string
	Fields          []FieldRender
}

// FieldRender is one field: Name is the input's name, ID its element id.
type FieldRender struct {
	ID, Name, Type, Label, Help, Error string
	Required, Computed                 bool
	// Value is the value as the input shows it; Display as read-only text.
	Value, Display string
	// Checked marks chosen codes of a multi_choice, and "true"/"false" of
	// a yes_no.
	Checked   map[string]bool
	Options   []service.Choice
	Min, Max  string
	MaxLength int
	// Rows are a group's or an assessment's rows, with their summaries.
	Rows      []RowRender
	MaxRows   int
	CanAddRow bool
	// Household are the rows a group without rows proposes from the
	// population registry, each to confirm (process.Household).
	Household []HouseholdOption
}

// HouseholdOption is a proposed row: Value its sub-fields' values as a
// checkbox sends them (a URL query), Label the member in words.
type HouseholdOption struct {
	Value, Label string
}

// RowRender is a row of a group or an assessment, with its summary.
type RowRender struct {
	Index   int
	Summary string
	Fields  []FieldRender
}

// qualifiers are the ICF generic qualifier's values, for the assessment grid.
var qualifiers = []string{"0", "1", "2", "3", "4", "8", "9"}

// RenderForm builds the page's model of a form on a case.
func RenderForm(caseID string, fv service.FormView, editable bool, lang string) FormRender {
	fr := FormRender{CaseID: caseID, FormID: fv.FormID, Name: fv.Name, Status: fv.Status, Editable: editable && fv.Def != nil,
		Complete: fv.State.Complete, Signed: fv.Signed, UpdatedAt: fv.UpdatedAt, FormError: fv.State.Errors["_form"],
		Action: "/cases/" + caseID + "/forms/" + fv.FormID}
	if fv.Def == nil {
		return fr
	}
	if fv.Status == "" {
		// Nothing filled in yet: messages would only be noise.
		fv.State.Errors = map[string]string{}
		fr.FormError = ""
	}
	for _, sec := range fv.Def.Sections {
		sr := SectionRender{ID: sec.ID.Value, Label: sec.Label.In(lang), Help: sec.Help.In(lang)}
		for i := range sec.Fields {
			fd := &sec.Fields[i]
			if !fv.State.Visible[fd.ID.Value] {
				continue
			}
			value, ok := fv.State.Values[fd.ID.Value]
			if !ok && fd.Compute.Value == "" {
				value = fv.Given[fd.ID.Value] // as typed, shown with its message
			}
			sr.Fields = append(sr.Fields, renderField(fv, fd, fd.ID.Value, value, lang))
		}
		if len(sr.Fields) > 0 {
			fr.Sections = append(fr.Sections, sr)
		}
	}
	return fr
}

func renderField(fv service.FormView, fd *process.Field, name string, value any, lang string) FieldRender {
	id := fd.ID.Value
	f := FieldRender{ID: "f-" + fv.FormID + "-" + strings.ReplaceAll(name, ".", "-"), Name: name, Type: fd.Type.Value,
		Label: fd.Label.In(lang), Help: fd.Help.In(lang), Required: fv.State.Required[id] || fd.Required,
		Computed: fd.Compute.Value != "", MaxLength: fd.MaxLength, Checked: map[string]bool{}}
	if name == id {
		f.Error = fv.State.Errors[id]
		f.Required = fv.State.Required[id]
	}
	if fd.Min != nil {
		f.Min = strconv.FormatFloat(*fd.Min, 'f', -1, 64)
	}
	if fd.Max != nil {
		f.Max = strconv.FormatFloat(*fd.Max, 'f', -1, 64)
	}
	if cs := fd.CodeSystem.Value; cs != "" {
		f.Options = fv.Options[cs]
		if p := fd.ParentField.Value; p != "" {
			parent, _ := fv.State.Values[p].(string)
			var only []service.Choice
			for _, o := range f.Options {
				if parent != "" && o.Parent == parent {
					only = append(only, o)
				}
			}
			f.Options = only
		}
	}
	switch fd.Type.Value {
	case process.FieldMoney:
		if n, ok := asFloat(value); ok {
			f.Value = kronor(int64(n))
			f.Display = process.FormatMoney(int64(n))
		} else {
			f.Value, _ = value.(string) // as typed, with its message
		}
	case process.FieldNumber:
		if n, ok := asFloat(value); ok {
			f.Value = strings.Replace(strconv.FormatFloat(n, 'f', -1, 64), ".", ",", 1)
			f.Display = f.Value
		} else {
			f.Value, _ = value.(string)
		}
	case process.FieldYesNo:
		if b, ok := value.(bool); ok {
			f.Checked[strconv.FormatBool(b)] = true
			f.Display = map[bool]string{true: msgIn(lang, "yes"), false: msgIn(lang, "no")}[b]
		}
	case process.FieldMultiChoice:
		for _, c := range asStrings(value) {
			f.Checked[c] = true
		}
	case process.FieldGroup, process.FieldAssessment:
		f.MaxRows = fd.MaxRows
		rows := asRows(value)
		sums := fv.State.Summaries[id]
		for i, row := range rows {
			rr := RowRender{Index: i}
			if i < len(sums) {
				rr.Summary = sums[i]
			}
			if fd.Type.Value == process.FieldGroup {
				for j := range fd.Fields {
					sub := &fd.Fields[j]
					rr.Fields = append(rr.Fields, renderField(fv, sub, fmt.Sprintf("%s.%d.%s", id, i, sub.ID.Value), row[sub.ID.Value], lang))
				}
			} else {
				rr.Fields = assessmentFields(fv, fd, id, i, row, lang)
			}
			f.Rows = append(f.Rows, rr)
		}
		f.CanAddRow = fd.MaxRows == 0 || len(rows) < fd.MaxRows
		if len(rows) == 0 && name == id {
			for _, h := range fv.Household[id] {
				q := url.Values{}
				for k, v := range h.Values {
					switch v := v.(type) {
					case float64:
						q.Set(k, strconv.FormatFloat(v, 'f', -1, 64))
					case string:
						q.Set(k, v)
					}
				}
				f.Household = append(f.Household, HouseholdOption{Value: q.Encode(), Label: h.Label})
			}
		}
	default:
		f.Value, _ = value.(string)
		f.Display = f.Value
		if fd.Type.Value == process.FieldChoice {
			for _, o := range f.Options {
				if o.Code == f.Value {
					f.Display = o.Label
				}
			}
		}
	}
	return f
}

// assessmentFields are an assessment row's code, qualifier and text.
func assessmentFields(fv service.FormView, fd *process.Field, id string, i int, row map[string]any, lang string) []FieldRender {
	base := fmt.Sprintf("%s.%d.", id, i)
	elem := "f-" + fv.FormID + "-" + id + "-" + strconv.Itoa(i) + "-"
	code, _ := row["code"].(string)
	text, _ := row["text"].(string)
	q := ""
	if n, ok := asFloat(row["qualifier"]); ok {
		q = strconv.FormatFloat(n, 'f', -1, 64)
	}
	var quals []service.Choice
	for _, v := range qualifiers {
		quals = append(quals, service.Choice{Code: v, Label: v + " – " + msgIn(lang, "form.qualifier."+v)})
	}
	return []FieldRender{
		{ID: elem + "code", Name: base + "code", Type: process.FieldChoice, Label: msgIn(lang, "form.area"), Value: code, Options: fv.Options[fd.CodeSystem.Value], Required: true},
		{ID: elem + "qualifier", Name: base + "qualifier", Type: process.FieldChoice, Label: msgIn(lang, "form.qualifier"), Value: q, Options: quals, Required: true},
		{ID: elem + "text", Name: base + "text", Type: process.FieldLongText, Label: msgIn(lang, "form.description"), Value: text},
	}
}

// msgIn looks up a UI message in lang.
func msgIn(lang, key string) string { return translator(lang)(key) }

func asFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	}
	return 0, false
}

func asStrings(v any) []string {
	switch l := v.(type) {
	case []string:
		return l
	case []any:
		var out []string
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func asRows(v any) []map[string]any {
	switch l := v.(type) {
	case []map[string]any:
		return l
	case []any:
		var out []map[string]any
		for _, x := range l {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// kronor writes öre for a money input: "1234,50", or "1234" for whole kronor.
func kronor(ore int64) string {
	sign := ""
	if ore < 0 {
		sign, ore = "-", -ore
	}
	if ore%100 == 0 {
		return sign + strconv.FormatInt(ore/100, 10)
	}
	return fmt.Sprintf("%s%d,%02d", sign, ore/100, ore%100)
}

// FormValues reads a posted form into values for the engine: money from
// kronor to öre, numbers with a decimal comma, yes/no from radio buttons,
// rows of groups and assessments from "field.N.sub" names. A value that
// does not parse is passed on as written, so the engine's message about it
// is shown next to the field.
func FormValues(def *process.Form, post url.Values) map[string]any {
	out := map[string]any{}
	for _, sec := range def.Sections {
		for i := range sec.Fields {
			fd := &sec.Fields[i]
			if fd.Compute.Value != "" {
				continue
			}
			id := fd.ID.Value
			switch fd.Type.Value {
			case process.FieldGroup:
				out[id] = postedRows(post, id, func(sub string, raw []string) (any, bool) {
					for j := range fd.Fields {
						if fd.Fields[j].ID.Value == sub {
							return fieldValue(&fd.Fields[j], raw)
						}
					}
					return nil, false
				})
			case process.FieldAssessment:
				out[id] = postedRows(post, id, func(sub string, raw []string) (any, bool) {
					switch sub {
					case "qualifier":
						return fieldValue(&process.Field{Type: process.Str{Value: process.FieldNumber}}, raw)
					case "code", "text":
						return fieldValue(&process.Field{Type: process.Str{Value: process.FieldText}}, raw)
					}
					return nil, false
				})
			default:
				if v, ok := fieldValue(fd, post[id]); ok {
					out[id] = v
				}
			}
		}
	}
	return out
}

// fieldValue is one field's posted value, and whether there is one.
func fieldValue(fd *process.Field, raw []string) (any, bool) {
	if fd.Type.Value == process.FieldMultiChoice {
		var out []any
		for _, v := range raw {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out, true
	}
	if len(raw) == 0 {
		return nil, false
	}
	s := strings.TrimSpace(raw[len(raw)-1])
	if s == "" {
		return nil, false
	}
	switch fd.Type.Value {
	case process.FieldYesNo:
		switch s {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	case process.FieldNumber:
		if n, err := strconv.ParseFloat(strings.Replace(strings.ReplaceAll(s, " ", ""), ",", ".", 1), 64); err == nil {
			return n, true
		}
	case process.FieldMoney:
		if ore, ok := parseKronor(s); ok {
			return float64(ore), true
		}
	default:
		return s, true
	}
	return s, true
}

// parseKronor reads kronor as people type them ("1 234,50", "1234.5",
// "1234 kr", a minus first for a negative amount) as öre, with the one
// reading of amounts (process.Measure.Parse).
func parseKronor(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	for _, minus := range []string{"-", "−"} {
		if rest, ok := strings.CutPrefix(s, minus); ok {
			s, neg = strings.TrimSpace(rest), true
		}
	}
	ore, err := process.Measure{Unit: process.UnitMoney}.Parse(s)
	if err != nil || s == "" {
		return 0, false
	}
	if neg {
		ore = -ore
	}
	return ore, true
}

// rowMarker is the hidden input that keeps a row that is still empty.
const rowMarker = "_row"

// postedRows collects rows named "<id>.<n>.<sub>" in row order; a row
// with nothing filled in is dropped.
func postedRows(post url.Values, id string, value func(sub string, raw []string) (any, bool)) []any {
	rows := map[int]map[string]any{}
	present := map[int]bool{}
	for key, raw := range post {
		rest, ok := strings.CutPrefix(key, id+".")
		if !ok {
			continue
		}
		n, sub, ok := strings.Cut(rest, ".")
		i, err := strconv.Atoi(n)
		if !ok || err != nil || i < 0 || i > 1000 {
			continue
		}
		if rows[i] == nil {
			rows[i] = map[string]any{}
		}
		if sub == rowMarker {
			present[i] = true
		} else if v, ok := value(sub, raw); ok {
			rows[i][sub] = v
		}
	}
	idx := make([]int, 0, len(rows))
	for i := range rows {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := []any{}
	for _, i := range idx {
		if len(rows[i]) > 0 || present[i] {
			out = append(out, rows[i])
		}
	}
	return out
}

// householdMarker names the checkboxes of a group's proposed rows
// ("members._household"), each holding one row's values as a URL query.
const householdMarker = "_household"

// WithRowChange applies the "add row" and "remove row" buttons to values:
// add_row names a group or assessment field, remove_row "field.N"; and
// add_household a group whose proposed rows from the registry
// (FieldRender.Household) are added, those ticked, each value read as
// its sub-field's posted value would be.
func WithRowChange(def *process.Form, values map[string]any, post url.Values) {
	if id := post.Get("add_household"); id != "" {
		for _, sec := range def.Sections {
			for _, fd := range sec.Fields {
				if fd.ID.Value != id || fd.Type.Value != process.FieldGroup {
					continue
				}
				rows, _ := values[id].([]any)
				for _, enc := range post[id+"."+householdMarker] {
					q, err := url.ParseQuery(enc)
					if err != nil {
						continue
					}
					row := map[string]any{}
					for j := range fd.Fields {
						if v, ok := fieldValue(&fd.Fields[j], q[fd.Fields[j].ID.Value]); ok {
							row[fd.Fields[j].ID.Value] = v
						}
					}
					if len(row) > 0 && (fd.MaxRows == 0 || len(rows) < fd.MaxRows) {
						rows = append(rows, row)
					}
				}
				values[id] = rows
			}
		}
	}
	if id := post.Get("add_row"); id != "" {
		for _, sec := range def.Sections {
			for _, fd := range sec.Fields {
				if fd.ID.Value == id && (fd.Type.Value == process.FieldGroup || fd.Type.Value == process.FieldAssessment) {
					rows, _ := values[id].([]any)
					values[id] = append(rows, map[string]any{})
				}
			}
		}
	}
	if r := post.Get("remove_row"); r != "" {
		id, n, _ := strings.Cut(r, ".")
		i, err := strconv.Atoi(n)
		if rows, ok := values[id].([]any); ok && err == nil && i >= 0 && i < len(rows) {
			values[id] = slices.Delete(rows, i, i+1)
		}
	}
}
