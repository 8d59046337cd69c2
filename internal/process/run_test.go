package process

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// supportYAML is a form built to exercise every field type and rule.
const supportYAML = `kind: code_system
id: need
name: {sv: Behov, en: Need}
codes:
  - {code: d510, label: {sv: Tvätta sig, en: Washing}}
  - {code: d540, label: {sv: Klä sig, en: Dressing}}
  - {code: d550, label: {sv: Äta, en: Eating}}
---
kind: code_system
id: housing
name: {sv: Boende, en: Housing}
codes:
  - code: own
    label: {sv: Eget boende, en: Own home}
    children:
      - {code: villa, label: {sv: Villa, en: House}}
      - {code: flat, label: {sv: Lägenhet, en: Flat}}
  - code: care
    label: {sv: Särskilt boende, en: Care home}
    children:
      - {code: nursing, label: {sv: Omvårdnad, en: Nursing}}
---
kind: form
id: support
name: {sv: Stöd, en: Support}
sections:
  - id: basic
    label: {sv: Grund, en: Basics}
    fields:
      - {id: lives_alone, type: yes_no, label: {sv: Bor ensam, en: Lives alone}}
      - {id: relatives, type: long_text, label: {sv: Anhöriga, en: Relatives}, required_if: "!form.lives_alone"}
      - {id: housing, type: choice, code_system: housing, label: {sv: Boende, en: Housing}}
      - {id: housing_detail, type: choice, code_system: housing, parent_field: housing, label: {sv: Boendeform, en: Kind of home}}
      - {id: rent, type: money, min: 0, max: 2000000, label: {sv: Hyra, en: Rent}}
      - {id: hours, type: number, min: 0, max: 24, label: {sv: Timmar, en: Hours}}
      - {id: start, type: date, label: {sv: Från, en: From}}
      - {id: end, type: date, label: {sv: Till, en: To}}
      - {id: needs, type: multi_choice, code_system: need, label: {sv: Behov, en: Needs}}
      - {id: note, type: text, max_length: 10, label: {sv: Notering, en: Note}}
      - {id: has_income, type: yes_no, label: {sv: Har inkomst, en: Has income}}
      - {id: income, type: money, label: {sv: Inkomst, en: Income}, visible_if: form.has_income, required_if: form.has_income}
      - {id: income_proof, type: text, label: {sv: Intyg, en: Proof}, visible_if: "form.income > 1000000", required_if: "form.income > 1000000"}
      - {id: total, type: money, label: {sv: Summa, en: Total}, compute: "form.rent + form.income"}
      - {id: rent_kr, type: number, label: {sv: Hyra i kronor, en: Rent in SEK}, compute: "form.rent / 100"}
      - {id: daily, type: number, label: {sv: Per dag, en: Per day}, compute: "form.hours / 7.0"}
      - {id: summary, type: text, label: {sv: Sammanfattning, en: Summary}, compute: "form.housing + '/' + form.housing_detail"}
      - {id: internal_note, type: text, roles: [handlaggare], label: {sv: Intern anteckning, en: Internal note}}
      - id: costs
        type: group
        min_rows: 1
        max_rows: 2
        label: {sv: Kostnader, en: Costs}
        row_summary: "row.what"
        fields:
          - {id: what, type: text, required: true, label: {sv: Vad, en: What}}
          - {id: amount, type: money, label: {sv: Belopp, en: Amount}}
      - {id: adl, type: assessment, code_system: need, label: {sv: ADL, en: ADL}}
  - id: lead
    label: {sv: Arbetsledare, en: Team lead}
    roles: [arbetsledare]
    fields:
      - {id: lead_note, type: text, label: {sv: Arbetsledarens anteckning, en: Team lead's note}}
  - id: elderly
    label: {sv: Äldre, en: Elderly}
    visible_if: "person.age >= 65"
    fields:
      - {id: pension, type: money, required: true, label: {sv: Pension, en: Pension}}
validations:
  - rule: "form.end == '' || form.start <= form.end"
    field: end
    message: {sv: Slutdatum får inte vara före startdatum., en: The end date cannot be before the start date.}
  - rule: "form.total <= 3000000"
    message: {sv: "Summan får vara högst 30 000 kronor.", en: "The total may be at most SEK 30,000."}
  - rule: "form.rent_kr <= 15000.0"
    field: rent
    message: {sv: "Hyran får vara högst 15 000 kronor.", en: "The rent may be at most SEK 15,000."}
---
kind: case_type
id: support
name: {sv: Stöd, en: Support}
field: AO
start: open
steps:
  - {id: open, name: {sv: Öppen, en: Open}, forms: [support]}
  - {id: decided, name: {sv: Beslutad, en: Decided}}
  - {id: closed, name: {sv: Avslutad, en: Closed}, final: true}
transitions:
  - id: decide
    name: {sv: Besluta, en: Decide}
    from: [open]
    to: decided
    roles: [handlaggare, arbetsledare]
    forms: [support]
    guard: "forms.support.rent + forms.support.income > 0 && forms.support.hours >= 1.0"
    guard_message: {sv: Ange hyra eller inkomst och minst en timme., en: Give rent or income and at least one hour.}
  - id: close
    name: {sv: Avsluta, en: Close}
    from: [open, decided]
    to: closed
    roles: [arbetsledare]
    actions: [{type: close_case}]
`

func compileSrc(t *testing.T, files ...File) *Compiled {
	t.Helper()
	b, probs := Load(files)
	if len(probs) > 0 {
		t.Fatalf("Load: %v", probs)
	}
	c, probs := Compile(b)
	if len(probs) > 0 {
		t.Fatalf("Compile: %v", probs)
	}
	return c
}

func supportCompiled(t *testing.T) *Compiled {
	t.Helper()
	return compileSrc(t, File{Name: "support.yaml", Data: []byte(supportYAML)})
}

// values decodes a JSON object as the API would.
func values(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

var today = time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC)

func officer(age int) Context {
	return Context{PersonAge: age, CaseType: "support", CaseStep: "open", Roles: []trygg.Role{trygg.RoleOfficer}, Today: today}
}

// valid is the smallest complete support form for an officer and a person
// under 65.
const valid = `"lives_alone": true, "costs": [{"what": "Hyra"}]`

func TestEvaluateForm(t *testing.T) {
	c := supportCompiled(t)
	lead := Context{PersonAge: 40, Roles: []trygg.Role{trygg.RoleTeamLead}, Today: today}
	provider := Context{PersonAge: 40, Roles: []trygg.Role{trygg.RoleProvider}, Today: today}
	tests := []struct {
		name      string
		submitted string
		ctx       Context
		lang      string
		// errors is every error, exactly.
		errors map[string]string
		// values, visible and required are checked only for the keys given.
		values   map[string]any
		visible  map[string]bool
		required map[string]bool
		// absent are fields that must have no value.
		absent []string
	}{
		{
			name:      "complete",
			submitted: `{` + valid + `}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			values:    map[string]any{"lives_alone": true, "total": int64(0)},
			visible:   map[string]bool{"income": false, "pension": false, "lead_note": false, "internal_note": true, "relatives": true},
			required:  map[string]bool{"relatives": false, "lives_alone": false},
		},
		{
			name:      "visible_if false hides the field and drops its value",
			submitted: `{` + valid + `, "has_income": false, "income": 50000}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			visible:   map[string]bool{"income": false},
			absent:    []string{"income"},
		},
		{
			name:      "a hidden field's value does not count in computed fields",
			submitted: `{` + valid + `, "rent": 100000, "has_income": false, "income": 50000}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			values:    map[string]any{"total": int64(100000)},
			absent:    []string{"income"},
		},
		{
			name:      "a hidden field's value does not make other fields visible",
			submitted: `{` + valid + `, "has_income": false, "income": 2000000, "income_proof": "intyg"}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			visible:   map[string]bool{"income": false, "income_proof": false},
			required:  map[string]bool{},
			absent:    []string{"income", "income_proof"},
		},
		{
			name:      "a hidden field's invalid value is no error",
			submitted: `{` + valid + `, "has_income": false, "income": "lots"}`,
			ctx:       officer(40),
			errors:    map[string]string{},
		},
		{
			name:      "visible_if true shows the field and keeps its value",
			submitted: `{` + valid + `, "has_income": true, "income": 50000}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			values:    map[string]any{"income": int64(50000), "total": int64(50000)},
			visible:   map[string]bool{"income": true},
		},
		{
			name:      "required_if true: the field is required",
			submitted: `{` + valid + `, "has_income": true}`,
			ctx:       officer(40),
			errors:    map[string]string{"income": "Obligatoriskt."},
			required:  map[string]bool{"income": true},
		},
		{
			name:      "required_if true and the value given",
			submitted: `{"lives_alone": false, "relatives": "En dotter", "costs": [{"what": "Hyra"}]}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			required:  map[string]bool{"relatives": true},
		},
		{
			name:      "required_if true: an empty text counts as missing (en)",
			submitted: `{"lives_alone": false, "relatives": "", "costs": [{"what": "Hyra"}]}`,
			ctx:       officer(40),
			lang:      "en",
			errors:    map[string]string{"relatives": "Required."},
			required:  map[string]bool{"relatives": true},
		},
		{
			name:      "required_if false: the field is not required",
			submitted: `{"lives_alone": true, "costs": [{"what": "Hyra"}]}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			required:  map[string]bool{"relatives": false},
		},
		{
			name:      "required_if over a missing yes/no: the condition sees false",
			submitted: `{"costs": [{"what": "Hyra"}]}`,
			ctx:       officer(40),
			errors:    map[string]string{"relatives": "Obligatoriskt."},
			required:  map[string]bool{"relatives": true},
		},
		{
			name:      "a hidden field is never required",
			submitted: `{` + valid + `, "has_income": false}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			required:  map[string]bool{"income": false},
			visible:   map[string]bool{"income": false},
		},
		{
			name:      "a field in a hidden section is never required, even with required: true",
			submitted: `{` + valid + `}`,
			ctx:       officer(64),
			errors:    map[string]string{},
			visible:   map[string]bool{"pension": false},
			required:  map[string]bool{"pension": false},
		},
		{
			name:      "a section shown by its condition: required: true applies",
			submitted: `{` + valid + `}`,
			ctx:       officer(65),
			errors:    map[string]string{"pension": "Obligatoriskt."},
			visible:   map[string]bool{"pension": true},
			required:  map[string]bool{"pension": true},
		},
		{
			name:      "computed fields: money, whole numbers into a number field, number, text",
			submitted: `{` + valid + `, "rent": 550050, "has_income": true, "income": 100000, "hours": 14, "housing": "own", "housing_detail": "flat"}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			values: map[string]any{"total": int64(650050), "rent_kr": float64(5500), "daily": float64(2),
				"summary": "own/flat"},
		},
		{
			name:      "computed fields ignore submitted values",
			submitted: `{` + valid + `, "rent": 100, "total": 999999999, "summary": "made up"}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			values:    map[string]any{"total": int64(100), "summary": "/"},
		},
		{
			name:      "cross-field validation at a field (sv)",
			submitted: `{` + valid + `, "start": "2027-05-01", "end": "2027-04-01"}`,
			ctx:       officer(40),
			errors:    map[string]string{"end": "Slutdatum får inte vara före startdatum."},
		},
		{
			name:      "cross-field validation at a field (en)",
			submitted: `{` + valid + `, "start": "2027-05-01", "end": "2027-04-01"}`,
			ctx:       officer(40),
			lang:      "en",
			errors:    map[string]string{"end": "The end date cannot be before the start date."},
		},
		{
			name:      "cross-field validation holds",
			submitted: `{` + valid + `, "start": "2027-05-01", "end": "2027-05-01"}`,
			ctx:       officer(40),
			errors:    map[string]string{},
		},
		{
			name:      "form-level validation over a computed field (en)",
			submitted: `{` + valid + `, "rent": 1500000, "has_income": true, "income": 1600000, "income_proof": "ok"}`,
			ctx:       officer(40),
			lang:      "en",
			errors:    map[string]string{"_form": "The total may be at most SEK 30,000."},
		},
		{
			name:      "validation over a whole number computed into a number field",
			submitted: `{` + valid + `, "rent": 1600000}`,
			ctx:       officer(40),
			errors:    map[string]string{"rent": "Hyran får vara högst 15 000 kronor."},
		},
		{
			name:      "a role-restricted section is visible to its role",
			submitted: `{` + valid + `, "lead_note": "Ok"}`,
			ctx:       lead,
			errors:    map[string]string{},
			visible:   map[string]bool{"lead_note": true, "internal_note": false},
			values:    map[string]any{"lead_note": "Ok"},
		},
		{
			name:      "a role-restricted section is hidden from other roles and its values dropped",
			submitted: `{` + valid + `, "lead_note": "Ok"}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			visible:   map[string]bool{"lead_note": false},
			absent:    []string{"lead_note"},
		},
		{
			name:      "a role-restricted field is hidden from other roles and its value dropped",
			submitted: `{` + valid + `, "internal_note": "x"}`,
			ctx:       provider,
			errors:    map[string]string{},
			visible:   map[string]bool{"internal_note": false, "lead_note": false, "lives_alone": true},
			absent:    []string{"internal_note"},
		},
		{
			name:      "money must be whole öre and within min/max",
			submitted: `{` + valid + `, "rent": 10.5, "has_income": true, "income": "100"}`,
			ctx:       officer(40),
			errors:    map[string]string{"rent": "Must be a whole number of öre.", "income": "Must be a whole number of öre."},
		},
		{
			name:      "money above max",
			submitted: `{` + valid + `, "rent": 2000001}`,
			ctx:       officer(40),
			errors:    map[string]string{"rent": "Must be at most 2000000."},
		},
		{
			name:      "number below min",
			submitted: `{` + valid + `, "hours": -1}`,
			ctx:       officer(40),
			errors:    map[string]string{"hours": "Must be at least 0."},
		},
		{
			name:      "number above max",
			submitted: `{` + valid + `, "hours": 24.5}`,
			ctx:       officer(40),
			errors:    map[string]string{"hours": "Must be at most 24."},
		},
		{
			name:      "number given as text",
			submitted: `{` + valid + `, "hours": "3"}`,
			ctx:       officer(40),
			errors:    map[string]string{"hours": "Must be a number."},
		},
		{
			name:      "dates must be YYYY-MM-DD and real",
			submitted: `{` + valid + `, "start": "15/3/2027", "end": "2027-02-30"}`,
			ctx:       officer(40),
			errors:    map[string]string{"start": "Must be a date (YYYY-MM-DD).", "end": "Must be a date (YYYY-MM-DD)."},
		},
		{
			name:      "choice not in the code system",
			submitted: `{` + valid + `, "housing": "castle"}`,
			ctx:       officer(40),
			errors:    map[string]string{"housing": "Not one of the options."},
		},
		{
			name:      "a cascading choice must be a child of the parent's choice",
			submitted: `{` + valid + `, "housing": "care", "housing_detail": "flat"}`,
			ctx:       officer(40),
			errors:    map[string]string{"housing_detail": "Not one of the options for the choice in Boende."},
		},
		{
			name:      "a cascading choice needs the parent chosen",
			submitted: `{` + valid + `, "housing_detail": "flat"}`,
			ctx:       officer(40),
			errors:    map[string]string{"housing_detail": "Not one of the options for the choice in Boende."},
		},
		{
			name:      "a cascading choice under its parent",
			submitted: `{` + valid + `, "housing": "care", "housing_detail": "nursing"}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			values:    map[string]any{"housing": "care", "housing_detail": "nursing"},
		},
		{
			name:      "multi_choice: every option must be in the code system",
			submitted: `{` + valid + `, "needs": ["d510", "x"]}`,
			ctx:       officer(40),
			errors:    map[string]string{"needs": "Not one of the options."},
		},
		{
			name:      "multi_choice: a list is needed",
			submitted: `{` + valid + `, "needs": "d510"}`,
			ctx:       officer(40),
			errors:    map[string]string{"needs": "Must be a list of options."},
		},
		{
			name:      "multi_choice: valid options",
			submitted: `{` + valid + `, "needs": ["d510", "d550"]}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			values:    map[string]any{"needs": []string{"d510", "d550"}},
		},
		{
			name:      "text longer than max_length",
			submitted: `{` + valid + `, "note": "åäöåäöåäöåä"}`,
			ctx:       officer(40),
			errors:    map[string]string{"note": "At most 10 characters."},
		},
		{
			name:      "text given as a number",
			submitted: `{` + valid + `, "note": 5}`,
			ctx:       officer(40),
			errors:    map[string]string{"note": "Must be text."},
		},
		{
			name:      "yes/no given as text",
			submitted: `{"lives_alone": "ja", "costs": [{"what": "Hyra"}]}`,
			ctx:       officer(40),
			// The invalid value is not kept, so lives_alone counts as false.
			errors: map[string]string{"lives_alone": "Must be yes or no.", "relatives": "Obligatoriskt."},
		},
		{
			name:      "group: fewer rows than min_rows",
			submitted: `{"lives_alone": true, "costs": []}`,
			ctx:       officer(40),
			errors:    map[string]string{"costs": "At least 1 row."},
		},
		{
			name:      "group: more rows than max_rows",
			submitted: `{"lives_alone": true, "costs": [{"what": "a"}, {"what": "b"}, {"what": "c"}]}`,
			ctx:       officer(40),
			errors:    map[string]string{"costs": "At most 2 rows."},
		},
		{
			name:      "group: a required sub-field missing",
			submitted: `{"lives_alone": true, "costs": [{"what": "a"}, {"amount": 100}]}`,
			ctx:       officer(40),
			errors:    map[string]string{"costs": "Row 2: Vad is required."},
		},
		{
			name:      "group: a sub-field of the wrong type",
			submitted: `{"lives_alone": true, "costs": [{"what": "a", "amount": 1.5}]}`,
			ctx:       officer(40),
			errors:    map[string]string{"costs": "Row 1, Belopp: Must be a whole number of öre."},
		},
		{
			name:      "group: an unknown sub-field",
			submitted: `{"lives_alone": true, "costs": [{"what": "a", "colour": "red"}]}`,
			ctx:       officer(40),
			errors:    map[string]string{"costs": `Row 1 has an unknown field "colour".`},
		},
		{
			name:      "group: rows are normalised, missing sub-fields get their empty value",
			submitted: `{"lives_alone": true, "costs": [{"what": "a", "amount": 100}, {"what": "b"}]}`,
			ctx:       officer(40),
			errors:    map[string]string{},
			values: map[string]any{"costs": []map[string]any{
				{"what": "a", "amount": int64(100)}, {"what": "b", "amount": int64(0)}}},
		},
		{
			name:      "group: a required group missing",
			submitted: `{"lives_alone": true}`,
			ctx:       officer(40),
			errors:    map[string]string{"costs": "At least 1 row."},
		},
		{
			name: "assessment: qualifiers 0-4, 8 and 9 are allowed",
			submitted: `{` + valid + `, "adl": [{"code": "d510", "qualifier": 0}, {"code": "d540", "qualifier": 4, "text": "Behöver hjälp"},
				{"code": "d550", "qualifier": 9}]}`,
			ctx:    officer(40),
			errors: map[string]string{},
			values: map[string]any{"adl": []map[string]any{
				{"code": "d510", "qualifier": int64(0), "text": ""},
				{"code": "d540", "qualifier": int64(4), "text": "Behöver hjälp"},
				{"code": "d550", "qualifier": int64(9), "text": ""}}},
		},
		{
			name:      "assessment: qualifier 5",
			submitted: `{` + valid + `, "adl": [{"code": "d510", "qualifier": 5}]}`,
			ctx:       officer(40),
			errors:    map[string]string{"adl": "Row 1: the qualifier must be 0–4, 8 or 9."},
		},
		{
			name:      "assessment: qualifier 2.5",
			submitted: `{` + valid + `, "adl": [{"code": "d510", "qualifier": 2.5}]}`,
			ctx:       officer(40),
			errors:    map[string]string{"adl": "Row 1: the qualifier must be 0–4, 8 or 9."},
		},
		{
			name:      "assessment: no qualifier",
			submitted: `{` + valid + `, "adl": [{"code": "d510"}]}`,
			ctx:       officer(40),
			errors:    map[string]string{"adl": "Row 1: the qualifier must be 0–4, 8 or 9."},
		},
		{
			name:      "assessment: a code assessed twice",
			submitted: `{` + valid + `, "adl": [{"code": "d510", "qualifier": 1}, {"code": "d510", "qualifier": 2}]}`,
			ctx:       officer(40),
			errors:    map[string]string{"adl": "Row 2: the code is assessed twice."},
		},
		{
			name:      "assessment: a code not in the code system",
			submitted: `{` + valid + `, "adl": [{"code": "b110", "qualifier": 1}]}`,
			ctx:       officer(40),
			errors:    map[string]string{"adl": "Row 1: the code is not in the code system."},
		},
		{
			name:      "assessment: an unknown key in a row",
			submitted: `{` + valid + `, "adl": [{"code": "d510", "qualifier": 1, "score": 3}]}`,
			ctx:       officer(40),
			errors:    map[string]string{"adl": `Row 1 has an unknown field "score".`},
		},
		{
			name:      "an unknown submitted field",
			submitted: `{` + valid + `, "shoe_size": 42}`,
			ctx:       officer(40),
			errors:    map[string]string{"shoe_size": "The form has no such field."},
		},
		{
			name:      "null counts as not given",
			submitted: `{` + valid + `, "has_income": true, "income": null}`,
			ctx:       officer(40),
			errors:    map[string]string{"income": "Obligatoriskt."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := c.EvaluateForm("support", values(t, tt.submitted), tt.ctx, tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			if want := inLangAll(tt.lang, tt.errors); !maps.Equal(st.Errors, want) {
				t.Errorf("errors = %v, want %v", st.Errors, want)
			}
			if st.Complete != (len(tt.errors) == 0) {
				t.Errorf("complete = %v with errors %v", st.Complete, st.Errors)
			}
			for k, want := range tt.values {
				if got := st.Values[k]; !reflect.DeepEqual(got, want) {
					t.Errorf("value %s = %#v, want %#v", k, got, want)
				}
			}
			for k, want := range tt.visible {
				if got, ok := st.Visible[k]; !ok || got != want {
					t.Errorf("visible %s = %v (%v), want %v", k, got, ok, want)
				}
			}
			for k, want := range tt.required {
				if got := st.Required[k]; got != want {
					t.Errorf("required %s = %v, want %v", k, got, want)
				}
			}
			for _, k := range tt.absent {
				if v, ok := st.Values[k]; ok {
					t.Errorf("value %s = %#v, want none", k, v)
				}
			}
			// Invariants: a hidden field has no value, error or requirement.
			for k, vis := range st.Visible {
				if vis {
					continue
				}
				if _, ok := st.Values[k]; ok {
					t.Errorf("hidden field %s has a value", k)
				}
				if st.Required[k] {
					t.Errorf("hidden field %s is required", k)
				}
				if _, ok := st.Errors[k]; ok {
					t.Errorf("hidden field %s has an error", k)
				}
			}
		})
	}
}

func TestEvaluateGrantForm(t *testing.T) {
	c := compileSrc(t, loadValid(t)...)
	tests := []struct {
		name      string
		submitted string
		lang      string
		errors    map[string]string
	}{
		{"complete without income", `{"purpose": "glasses", "amount": 150000, "has_income": false}`, "sv", map[string]string{}},
		{"complete with income", `{"purpose": "bed", "amount": 0, "has_income": true, "income": 1200000}`, "sv", map[string]string{}},
		{"empty", `{}`, "sv", map[string]string{"purpose": "Obligatoriskt.", "amount": "Obligatoriskt."}},
		{"empty (en)", `{}`, "en", map[string]string{"purpose": "Required.", "amount": "Required."}},
		{"income required when has_income", `{"purpose": "glasses", "amount": 100, "has_income": true}`, "sv", map[string]string{"income": "Obligatoriskt."}},
		{"amount below min", `{"purpose": "glasses", "amount": -1}`, "sv", map[string]string{"amount": "Must be at least 0."}},
		{"over 10 000 kronor (sv)", `{"purpose": "glasses", "amount": 1000001}`, "sv", map[string]string{"amount": "Högst 10 000 kronor."}},
		{"over 10 000 kronor (en)", `{"purpose": "glasses", "amount": 1000001}`, "en", map[string]string{"amount": "At most SEK 10,000."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := c.EvaluateForm("grant_application", values(t, tt.submitted), Context{PersonAge: 30, Roles: []trygg.Role{trygg.RoleOfficer}, Today: today}, tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			if want := inLangAll(tt.lang, tt.errors); !maps.Equal(st.Errors, want) {
				t.Errorf("errors = %v, want %v", st.Errors, want)
			}
		})
	}
	if _, err := c.EvaluateForm("nope", nil, Context{}, "sv"); trygg.ErrorCode(err) != trygg.ENotFound {
		t.Errorf("unknown form: %v, want not found", err)
	}
}

func TestTransition(t *testing.T) {
	c := compileSrc(t, loadValid(t)...)
	officerCtx := func(step string, age int) Context {
		return Context{PersonAge: age, CaseType: "grant", CaseStep: step, Roles: []trygg.Role{trygg.RoleOfficer}, Today: today}
	}
	signed := map[string]bool{"grant_application": true}
	tests := []struct {
		name   string
		id     string
		ctx    Context
		signed map[string]bool
		lang   string
		want   Move
		code   string // error code, "" for success
		reason string // error message contains
	}{
		{
			name: "assess with the form signed",
			id:   "assess", ctx: officerCtx("received", 30), signed: signed,
			want: Move{Transition: "assess", From: "received", To: "assessment"},
		},
		{
			name: "wrong step",
			id:   "assess", ctx: officerCtx("assessment", 30), signed: signed, lang: "en",
			code: trygg.EConflict, reason: `The transition "assess" cannot be taken from the step "assessment".`,
		},
		{
			name: "wrong step (sv)",
			id:   "assess", ctx: officerCtx("closed", 30), signed: signed,
			code: trygg.EConflict, reason: `Övergången "assess" kan inte göras från steget "closed".`,
		},
		{
			name: "wrong role",
			id:   "assess", signed: signed, lang: "en",
			ctx:  Context{PersonAge: 30, CaseStep: "received", Roles: []trygg.Role{trygg.RoleTeamLead}, Today: today},
			code: trygg.EConflict, reason: "Your role may not take this transition.",
		},
		{
			name: "no role at all",
			id:   "close", signed: signed,
			ctx:  Context{PersonAge: 30, CaseStep: "received", Today: today},
			code: trygg.EConflict, reason: "Din roll får inte göra den här övergången.",
		},
		{
			name: "unsigned required form (en)",
			id:   "assess", ctx: officerCtx("received", 30), signed: map[string]bool{}, lang: "en",
			code: trygg.EConflict, reason: `The form "Grant application" must be signed first.`,
		},
		{
			name: "unsigned required form (sv)",
			id:   "assess", ctx: officerCtx("received", 30), signed: nil,
			code: trygg.EConflict, reason: `Formuläret "Ansökan om bidrag" måste signeras först.`,
		},
		{
			name: "guard false without guard_message",
			id:   "close", ctx: officerCtx("received", 17), lang: "en",
			code: trygg.EConflict, reason: "The condition for this transition is not met.",
		},
		{
			name: "guard true: close a received case of an adult, with actions",
			id:   "close", ctx: officerCtx("received", 18),
			want: Move{Transition: "close", From: "received", To: "closed", Final: true, Actions: []string{"close_case"}},
		},
		{
			name: "guard true by the case's step",
			id:   "close", ctx: officerCtx("assessment", 17),
			want: Move{Transition: "close", From: "assessment", To: "closed", Final: true, Actions: []string{"close_case"}},
		},
		{
			name: "unknown transition",
			id:   "reopen", ctx: officerCtx("closed", 30),
			code: trygg.EInvalid, reason: "no such transition",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := c.Transition("grant", tt.id, tt.ctx, tt.signed, tt.lang)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				m.Details = nil // the definitions as written; Actions names them
				if !reflect.DeepEqual(m, tt.want) {
					t.Errorf("move = %+v, want %+v", m, tt.want)
				}
				return
			}
			if trygg.ErrorCode(err) != tt.code || !strings.Contains(trygg.ErrorMessage(err), tt.reason) {
				t.Errorf("err = %v, want %s containing %q", err, tt.code, tt.reason)
			}
		})
	}
	if _, err := c.Transition("nope", "close", officerCtx("received", 30), nil, "sv"); trygg.ErrorCode(err) != trygg.ENotFound {
		t.Errorf("unknown case type: %v", err)
	}
}

// Guards see the case's other forms as forms.<form>.<field>, with the
// values as they come back from storage (JSON).
func TestTransitionGuardOverForms(t *testing.T) {
	c := supportCompiled(t)
	ctx := func(form string) Context {
		x := officer(40)
		x.Forms = map[string]map[string]any{"support": values(t, form)}
		return x
	}
	signed := map[string]bool{"support": true}
	tests := []struct {
		name   string
		form   string
		lang   string
		reason string
	}{
		{"rent and hours", `{"rent": 100, "hours": 1}`, "sv", ""},
		{"income and hours", `{"has_income": true, "income": 100, "hours": 2.5}`, "sv", ""},
		{"no hours (sv)", `{"rent": 100}`, "sv", "Ange hyra eller inkomst och minst en timme."},
		{"no money (en)", `{"hours": 3}`, "en", "Give rent or income and at least one hour."},
		{"no form at all", `{}`, "en", "Give rent or income and at least one hour."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Transition("support", "decide", ctx(tt.form), signed, tt.lang)
			switch {
			case tt.reason == "" && err != nil:
				t.Fatal(err)
			case tt.reason != "" && trygg.ErrorMessage(err) != tt.reason:
				t.Errorf("err = %v, want %q", err, tt.reason)
			}
		})
	}
}

func TestAvailable(t *testing.T) {
	c := compileSrc(t, loadValid(t)...)
	tests := []struct {
		name   string
		ctx    Context
		signed map[string]bool
		want   []Available
	}{
		{
			name: "officer, form unsigned, a child: both blocked with reasons",
			ctx:  Context{PersonAge: 12, CaseStep: "received", Roles: []trygg.Role{trygg.RoleOfficer}, Today: today},
			want: []Available{
				{ID: "assess", Name: "Start assessment", To: "assessment", Reason: `The form "Grant application" must be signed first.`},
				{ID: "close", Name: "Close", To: "closed", Closes: true, Reason: "The condition for this transition is not met."},
			},
		},
		{
			name:   "officer, form signed, an adult: both allowed",
			ctx:    Context{PersonAge: 40, CaseStep: "received", Roles: []trygg.Role{trygg.RoleOfficer}, Today: today},
			signed: map[string]bool{"grant_application": true},
			want: []Available{
				{ID: "assess", Name: "Start assessment", To: "assessment", Allowed: true},
				{ID: "close", Name: "Close", To: "closed", Closes: true, Allowed: true},
			},
		},
		{
			name:   "team lead: assess blocked by role, close allowed",
			ctx:    Context{PersonAge: 40, CaseStep: "received", Roles: []trygg.Role{trygg.RoleTeamLead}, Today: today},
			signed: map[string]bool{"grant_application": true},
			want: []Available{
				{ID: "assess", Name: "Start assessment", To: "assessment", Reason: "Your role may not take this transition."},
				{ID: "close", Name: "Close", To: "closed", Closes: true, Allowed: true},
			},
		},
		{
			name: "only the transitions out of the current step are listed",
			ctx:  Context{PersonAge: 12, CaseStep: "assessment", Roles: []trygg.Role{trygg.RoleOfficer}, Today: today},
			want: []Available{{ID: "close", Name: "Close", To: "closed", Closes: true, Allowed: true}},
		},
		{
			name: "none out of the final step",
			ctx:  Context{PersonAge: 40, CaseStep: "closed", Roles: []trygg.Role{trygg.RoleOfficer}, Today: today},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Available("grant", tt.ctx, tt.signed, "en")
			if !slices.Equal(got, tt.want) {
				t.Errorf("Available =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
	if got := c.Available("nope", Context{CaseStep: "received"}, nil, "en"); got != nil {
		t.Errorf("unknown case type: %+v", got)
	}
	// The names follow the language, Swedish by default.
	if got := c.Available("grant", Context{PersonAge: 40, CaseStep: "assessment", Roles: []trygg.Role{trygg.RoleOfficer}}, nil, ""); len(got) != 1 || got[0].Name != "Avsluta" {
		t.Errorf("Available in Swedish = %+v", got)
	}
}

const edgeYAML = `kind: code_system
id: place
name: {sv: Plats}
codes:
  - code: se
    label: {sv: Sverige}
    children: [{code: sthlm, label: {sv: Stockholm}}, {code: gbg, label: {sv: Göteborg}}]
  - code: nor
    label: {sv: Norge}
    children: [{code: oslo, label: {sv: Oslo}}]
---
kind: form
id: edge
name: {sv: Kanter}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: n, type: money, label: {sv: N}}
      - {id: ratio, type: text, label: {sv: Kvot}, visible_if: "100 / form.n > 1"}
      - {id: per, type: money, label: {sv: Per}, compute: "100 / form.n"}
      - {id: home, type: choice, code_system: place, label: {sv: Hemland}}
      - {id: cities, type: multi_choice, code_system: place, parent_field: home, label: {sv: Städer}}
      - id: trips
        type: group
        label: {sv: Resor}
        fields:
          - {id: country, type: choice, code_system: place, label: {sv: Land}}
          - {id: city, type: choice, code_system: place, parent_field: country, label: {sv: Stad}}
      - {id: a, type: yes_no, label: {sv: A}}
      - {id: b, type: yes_no, label: {sv: B}, visible_if: "form.a"}
      - {id: c, type: text, label: {sv: C}, visible_if: "!form.b", required: true}
      - {id: x, type: yes_no, label: {sv: X}, visible_if: "!form.y"}
      - {id: y, type: yes_no, label: {sv: Y}, visible_if: "!form.x"}
      - {id: adl, type: assessment, code_system: place, label: {sv: Bedömning}}
---
kind: case_type
id: edge
name: {sv: Kant}
field: FH
start: a
steps: [{id: a, name: {sv: A}}, {id: b, name: {sv: B}, final: true}]
transitions:
  - id: go
    name: {sv: Gå}
    from: [a]
    to: b
    roles: [handlaggare]
    guard: "100 / forms.edge.n > 1 && 'sthlm' in forms.edge.cities && forms.edge.adl.exists(r, r.qualifier + 1 >= 4) && forms.edge.trips[0].city == 'oslo'"
`

func TestEvaluateFormEdges(t *testing.T) {
	c := compileSrc(t, File{Name: "edge.yaml", Data: []byte(edgeYAML)})
	tests := []struct {
		name      string
		submitted string
		errors    map[string]string
		values    map[string]any
		visible   map[string]bool
	}{
		{
			name:      "an expression that fails at run time: the field is shown with an error",
			submitted: `{"n": 0, "c": "x"}`,
			errors: map[string]string{"ratio": "Whether to show this field could not be decided.",
				"per": "The value could not be computed: division by zero"},
			visible: map[string]bool{"ratio": true, "per": true},
		},
		{
			name:      "the same expressions when they succeed",
			submitted: `{"n": 50, "c": "x"}`,
			errors:    map[string]string{},
			values:    map[string]any{"per": int64(2)},
			visible:   map[string]bool{"ratio": true},
		},
		{
			name:      "a cascading multi_choice: every option under the parent's choice",
			submitted: `{"n": 1, "c": "x", "home": "se", "cities": ["sthlm", "gbg"]}`,
			errors:    map[string]string{},
			values:    map[string]any{"cities": []string{"sthlm", "gbg"}},
		},
		{
			name:      "a cascading multi_choice with an option under another code",
			submitted: `{"n": 1, "c": "x", "home": "se", "cities": ["sthlm", "oslo"]}`,
			errors:    map[string]string{"cities": "Not one of the options for the choice in Hemland."},
		},
		{
			name:      "a cascading choice in a group row",
			submitted: `{"n": 1, "c": "x", "trips": [{"country": "nor", "city": "oslo"}, {"country": "nor", "city": "gbg"}]}`,
			errors:    map[string]string{"trips": "Row 2, Stad: Not one of the options for the choice in Land."},
		},
		{
			name:      "a cascading choice in a group row without its parent",
			submitted: `{"n": 1, "c": "x", "trips": [{"city": "gbg"}]}`,
			errors:    map[string]string{"trips": "Row 1, Stad: Not one of the options for the choice in Land."},
		},
		{
			name:      "a field shown because the field its condition reads is hidden",
			submitted: `{"n": 1, "a": false, "b": true}`,
			errors:    map[string]string{"c": "Obligatoriskt."},
			visible:   map[string]bool{"b": false, "c": true},
		},
		{
			name:      "the field its condition reads is shown",
			submitted: `{"n": 1, "a": true, "b": true, "c": "dropped"}`,
			errors:    map[string]string{},
			visible:   map[string]bool{"b": true, "c": false},
		},
		{
			name:      "conditions that depend on each other in a circle still end",
			submitted: `{"n": 1, "c": "x", "x": true, "y": true}`,
			errors:    map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := c.EvaluateForm("edge", values(t, tt.submitted), officer(40), "sv")
			if err != nil {
				t.Fatal(err)
			}
			if want := inLangAll("sv", tt.errors); !maps.Equal(st.Errors, want) {
				t.Errorf("errors = %v, want %v", st.Errors, want)
			}
			for k, want := range tt.values {
				if got := st.Values[k]; !reflect.DeepEqual(got, want) {
					t.Errorf("value %s = %#v, want %#v", k, got, want)
				}
			}
			for k, want := range tt.visible {
				if got := st.Visible[k]; got != want {
					t.Errorf("visible %s = %v, want %v", k, got, want)
				}
			}
			for k, vis := range st.Visible {
				if _, has := st.Values[k]; !vis && has {
					t.Errorf("hidden field %s has a value", k)
				}
			}
		})
	}
}

// A guard over stored form values of every kind: money, multi_choice,
// assessment and group rows as JSON gives them back.
func TestTransitionGuardTypes(t *testing.T) {
	c := compileSrc(t, File{Name: "edge.yaml", Data: []byte(edgeYAML)})
	tests := []struct {
		name   string
		form   string
		reason string
	}{
		{"all hold", `{"n": 10, "cities": ["sthlm"], "adl": [{"code": "se", "qualifier": 3, "text": ""}], "trips": [{"country": "nor", "city": "oslo"}]}`, ""},
		{"qualifier too low", `{"n": 10, "cities": ["sthlm"], "adl": [{"code": "se", "qualifier": 2}], "trips": [{"country": "nor", "city": "oslo"}]}`,
			"The condition for this transition is not met."},
		// CEL's && is false if any side is false, even when another fails.
		{"division by zero", `{"n": 0, "cities": ["sthlm"], "adl": [{"code": "se", "qualifier": 4}], "trips": [{"country": "nor", "city": "oslo"}]}`,
			"The condition for this transition could not be evaluated: division by zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := Context{CaseStep: "a", Roles: []trygg.Role{trygg.RoleOfficer}, Today: today,
				Forms: map[string]map[string]any{"edge": values(t, tt.form)}}
			_, err := c.Transition("edge", "go", ctx, nil, "en")
			switch {
			case tt.reason == "" && err != nil:
				t.Fatal(err)
			case tt.reason != "" && trygg.ErrorMessage(err) != tt.reason:
				t.Errorf("err = %v, want %q", err, tt.reason)
			}
		})
	}
}

// TestMessagesInSwedish says every message of forms and transitions, from
// the message files, in English and Swedish: the texts officers and
// citizens have read all along, word for word, and the same as the
// Swedish the tables of these tests are translated with (inLang).
func TestMessagesInSwedish(t *testing.T) {
	tests := []struct {
		n      note
		en, sv string
	}{
		{newNote("form.rows.at_least", "Count", 1), "At least 1 row.", "Minst 1 rad."},
		{newNote("form.rows.at_least", "Count", 3), "At least 3 rows.", "Minst 3 rader."},
		{newNote("form.rows.at_most", "Count", 1), "At most 1 row.", "Högst 1 rad."},
		{newNote("form.rows.at_most", "Count", 5), "At most 5 rows.", "Högst 5 rader."},
		{newNote("form.value.money"), "Must be a whole number of öre.", "Ska vara ett helt antal öre."},
		{newNote("form.value.at_most", "Max", "2000000"), "Must be at most 2000000.", "Ska vara högst 2000000."},
		{newNote("form.value.at_least", "Min", "0"), "Must be at least 0.", "Ska vara minst 0."},
		{newNote("form.row.required", "Row", 2, "Label", "Vad"), "Row 2: Vad is required.", "Rad 2: Vad är obligatoriskt."},
		{newNote("form.row.field", "Row", 3, "Label", "Belopp", "Problem", newNote("form.value.number")),
			"Row 3, Belopp: Must be a number.", "Rad 3, Belopp: Ska vara ett tal."},
		{newNote("form.compute.failed", "Detail", "no such key"), "The value could not be computed: no such key", "Värdet kunde inte räknas ut: no such key"},
		{newNote("form.value.too_long", "Max", 500), "At most 500 characters.", "Högst 500 tecken."},
		{newNote("form.values.too_large"), "At most 1 MB in all.", "Högst 1 MB sammanlagt."},
		{newNote("form.value.option_twice"), "Each option at most once.", "Varje alternativ högst en gång."},
		{newNote("form.value.choose"), "Choose one of the options.", "Välj ett av alternativen."},
		{newNote("form.value.date"), "Must be a date (YYYY-MM-DD).", "Ska vara ett datum (ÅÅÅÅ-MM-DD)."},
		{newNote("form.value.assessments"), "Must be a list of assessments.", "Ska vara en lista med bedömningar."},
		{newNote("form.value.options"), "Must be a list of options.", "Ska vara en lista med alternativ."},
		{newNote("form.value.rows"), "Must be a list of rows.", "Ska vara en lista med rader."},
		{newNote("form.value.number"), "Must be a number.", "Ska vara ett tal."},
		{newNote("form.value.text"), "Must be text.", "Ska vara text."},
		{newNote("form.date.after_today"), "Must not be after today: a time limit counts from this date.", "Får inte vara senare än i dag: en tidsfrist räknas från datumet."},
		{newNote("form.value.yes_no"), "Must be yes or no.", "Ska vara ja eller nej."},
		{newNote("form.value.not_child_option", "Label", "Land"), "Not one of the options for the choice in Land.", "Inte ett av alternativen för valet i Land."},
		{newNote("form.value.not_option"), "Not one of the options.", "Inte ett av alternativen."},
		{newNote("form.row.unknown_field", "Row", 1, "Field", "score"), `Row 1 has an unknown field "score".`, `Rad 1 har ett okänt fält "score".`},
		{newNote("form.row.not_fields", "Row", 2), "Row 2 is not a set of fields.", "Rad 2 är inte en uppsättning fält."},
		{newNote("form.row.not_assessment", "Row", 2), "Row 2 is not an assessment.", "Rad 2 är inte en bedömning."},
		{newNote("form.row.code_twice", "Row", 4), "Row 4: the code is assessed twice.", "Rad 4: koden är bedömd två gånger."},
		{newNote("form.row.unknown_code", "Row", 4), "Row 4: the code is not in the code system.", "Rad 4: koden finns inte i kodverket."},
		{newNote("form.row.qualifier", "Row", 4), "Row 4: the qualifier must be 0–4, 8 or 9.", "Rad 4: bedömningen ska vara 0–4, 8 eller 9."},
		{newNote("form.row.text_too_long", "Row", 4, "Max", maxAssessmentText), "Row 4: the text is longer than 5000 characters.", "Rad 4: texten är längre än 5000 tecken."},
		{newNote("form.row.text_not_text", "Row", 4), "Row 4: the text must be text.", "Rad 4: texten ska vara text."},
		{newNote("form.no_such_field"), "The form has no such field.", "Formuläret har inget sådant fält."},
		{newNote("form.required_failed"), "Whether this field is required could not be decided.", "Det gick inte att avgöra om fältet är obligatoriskt."},
		{newNote("form.visible_failed"), "Whether to show this field could not be decided.", "Det gick inte att avgöra om fältet ska visas."},
		{newNote("form.required"), "Required.", "Obligatoriskt."},
		{newNote("transition.wrong_step", "Transition", "decide", "Step", "received"),
			`The transition "decide" cannot be taken from the step "received".`, `Övergången "decide" kan inte göras från steget "received".`},
		{newNote("transition.role"), "Your role may not take this transition.", "Din roll får inte göra den här övergången."},
		{newNote("transition.form_unsigned", "Form", "Utredning"), `The form "Utredning" must be signed first.`, `Formuläret "Utredning" måste signeras först.`},
		{newNote("transition.guard_failed", "Detail", "division by zero"),
			"The condition for this transition could not be evaluated: division by zero", "Villkoret för övergången kunde inte prövas: division by zero"},
		{newNote("transition.guard_not_met"), "The condition for this transition is not met.", "Villkoret för övergången är inte uppfyllt."},
	}
	for _, tt := range tests {
		if got := tt.n.in("en"); got != tt.en {
			t.Errorf("%s in English = %q, want %q", tt.n.id, got, tt.en)
		}
		if got := tt.n.in("sv"); got != tt.sv {
			t.Errorf("%s in Swedish = %q, want %q", tt.n.id, got, tt.sv)
		}
		// Required and the transitions' reasons were written in both
		// languages where they were used, not through the table.
		if !strings.HasPrefix(tt.n.id, "transition.") && tt.n.id != "form.required" {
			if got := inLang("sv", tt.en); got != tt.sv {
				t.Errorf("inLang(sv, %q) = %q, want %q", tt.en, got, tt.sv)
			}
		}
	}
	// A designer's own message stays as written.
	if got := inLang("sv", "Du måste svara."); got != "Du måste svara." {
		t.Errorf("inLang changed a designer's message: %q", got)
	}
}

// inLangAll gives the expected messages, written in English in the
// tables, in lang, as EvaluateForm answers.
func inLangAll(lang string, m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = inLang(lang, v)
	}
	return out
}

func TestRowSummaries(t *testing.T) {
	src := `kind: form
id: costs
name: {sv: Kostnader}
sections:
  - id: s
    label: {sv: Kostnader}
    fields:
      - id: items
        type: group
        label: {sv: Poster}
        row_summary: "row.what + ': ' + string(row.price / 100) + ' kr'"
        fields:
          - {id: what, type: text, label: {sv: Vad}}
          - {id: price, type: money, label: {sv: Pris}}
`
	b, probs := Load([]File{{Name: "c.yaml", Data: []byte(src)}})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	c, probs := Compile(b)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	st, err := c.EvaluateForm("costs", map[string]any{"items": []any{
		map[string]any{"what": "Körlektioner", "price": 900000.0},
		map[string]any{"what": "Teori", "price": 50050.0},
	}}, Context{Today: time.Now()}, "sv")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(st.Summaries["items"], " | "); got != "Körlektioner: 9000 kr | Teori: 500 kr" {
		t.Fatalf("summaries = %q", got)
	}
}

// TestComputeNotes: why a computed value could not be computed. For a
// month no rule set covers, the office and a citizen alike are told in
// plain words that there are no amounts for the month yet — the table's
// own text when it has one — never a figure; otherwise the office is told
// the decision table to mend, and a citizen filling in an application (who
// cannot mend a definition) what to do, in Swedish and English.
func TestComputeNotes(t *testing.T) {
	c := &Compiled{tables: map[string]*compiledTable{
		"riksnorm": {def: &DecisionTable{Name: Text{SV: "Riksnorm", EN: "National norm"}, Missing: Text{
			SV: "Det finns ingen riksnorm för {month} än. Beräkningen görs när kommunen har lagt in normen.",
			EN: "There is no national norm for {month} yet. The calculation is made once the municipality has entered it."}}},
		"ceiling": {def: &DecisionTable{Name: Text{SV: "Tak för hyra", EN: "Rent ceiling"}}},
	}}
	citizen := []trygg.Role{trygg.RoleCitizen}
	noRules := errors.New(`decision table "riksnorm" has no rules valid on 2027-01-01`)
	noCeiling := errors.New(`decision table "ceiling" has no rules valid on 2016-03-01`)
	noMatch := errors.New(`decision table "riksnorm_gemensam": no rule matches`)
	other := errors.New("no such key: members")
	tests := []struct {
		name   string
		err    error
		roles  []trygg.Role
		en, sv string
	}{
		{"no rules for the month, the table's text, the office", noRules, []trygg.Role{trygg.RoleOfficer},
			"There is no national norm for January 2027 yet. The calculation is made once the municipality has entered it.",
			"Det finns ingen riksnorm för januari 2027 än. Beräkningen görs när kommunen har lagt in normen."},
		{"no rules for the month, the table's text, a citizen", noRules, citizen,
			"There is no national norm for January 2027 yet. The calculation is made once the municipality has entered it.",
			"Det finns ingen riksnorm för januari 2027 än. Beräkningen görs när kommunen har lagt in normen."},
		{"no rules for the month, a table without a text", noCeiling, citizen,
			"There are no amounts in “Rent ceiling” for March 2016 yet. The calculation is made once the municipality has entered them.",
			"Det finns inga belopp i ”Tak för hyra” för mars 2016 än. Beräkningen görs när kommunen har lagt in dem."},
		{"no rule fits, the office", noMatch, nil,
			`The value could not be computed: no rule of the decision table "riksnorm_gemensam" fits what is filled in.`,
			`Värdet kunde inte räknas ut: ingen regel i beslutstabellen "riksnorm_gemensam" passar det som är ifyllt.`},
		{"another error, the office", other, nil,
			"The value could not be computed: no such key: members", "Värdet kunde inte räknas ut: no such key: members"},
		{"no rule fits, a citizen", noMatch, citizen,
			"Worked out when you have filled in what is needed.", "Räknas ut när du har fyllt i det som behövs."},
		{"another error, a citizen", other, citizen,
			"Worked out when you have filled in what is needed.", "Räknas ut när du har fyllt i det som behövs."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := c.computeNote(tt.err, tt.roles)
			if got := n.in("en"); got != tt.en {
				t.Errorf("in English = %q, want %q", got, tt.en)
			}
			if got := n.in("sv"); got != tt.sv {
				t.Errorf("in Swedish = %q, want %q", got, tt.sv)
			}
		})
	}
}

// TestMonthWithoutRules: a computed field looking a decision table up for
// a month no rule set covers is left empty with the table's own words,
// the month named, to officers and citizens alike; fields computed from it
// are left empty too, without messages of their own, never computed from
// a zero; the form cannot be signed. With rules for the month, the same
// chain computes.
func TestMonthWithoutRules(t *testing.T) {
	src := `kind: decision_table
id: norm
name: {sv: Norm, en: Norm}
hit_policy: first
missing: {sv: "Det finns ingen norm för {month} än.", en: "There is no norm for {month} yet."}
inputs: [{id: size, type: number}]
outputs: [{id: sek, type: number}]
rule_sets:
  - valid_from: "2026-01-01"
    valid_to: "2026-12-31"
    rules: [{when: {size: "-"}, then: {sek: "100"}}]
---
kind: form
id: calc
name: {sv: Beräkning}
sections:
  - id: s
    label: {sv: Beräkning}
    fields:
      - {id: month, type: date, required: true, label: {sv: Månad}}
      - {id: rent, type: money, label: {sv: Hyra}}
      - {id: norm, type: money, label: {sv: Norm}, compute: "int(decide('norm', form.month, {'size': 1.0}).sek) * 100"}
      - {id: total, type: money, label: {sv: Summa}, compute: "form.norm + form.rent"}
      - {id: text, type: long_text, label: {sv: Rader}, compute: "'Summa: ' + money(form.total)"}
      - {id: rent_text, type: long_text, label: {sv: Hyran}, compute: "'Hyra: ' + money(form.rent)"}
`
	c := compileSrc(t, File{Name: "calc.yaml", Data: []byte(src)})
	for _, tc := range []struct {
		name  string
		roles []trygg.Role
		lang  string
		want  string
	}{
		{"officer", []trygg.Role{trygg.RoleOfficer}, "sv", "Det finns ingen norm för januari 2027 än."},
		{"citizen", []trygg.Role{trygg.RoleCitizen}, "sv", "Det finns ingen norm för januari 2027 än."},
		{"in English", []trygg.Role{trygg.RoleOfficer}, "en", "There is no norm for January 2027 yet."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := c.EvaluateForm("calc", map[string]any{"month": "2027-01-01", "rent": 500000.0}, Context{Roles: tc.roles}, tc.lang)
			if err != nil {
				t.Fatal(err)
			}
			if st.Errors["norm"] != tc.want || len(st.Errors) != 1 || st.Complete {
				t.Errorf("errors %v, want only %q at norm", st.Errors, tc.want)
			}
			for _, f := range []string{"norm", "total", "text"} {
				if v, ok := st.Values[f]; ok {
					t.Errorf("%s computed as %v", f, v)
				}
			}
			if st.Values["rent_text"] != "Hyra: 5 000 kr" {
				t.Errorf("a field not using the norm: %v", st.Values["rent_text"])
			}
		})
	}
	st, err := c.EvaluateForm("calc", map[string]any{"month": "2026-05-01", "rent": 500000.0}, Context{}, "sv")
	if err != nil || len(st.Errors) > 0 || st.Values["text"] != "Summa: 5 100 kr" {
		t.Errorf("May 2026: %v %v %v", st.Values, st.Errors, err)
	}
}
