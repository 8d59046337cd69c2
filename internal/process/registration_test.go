package process

import (
	"maps"
	"strings"
	"testing"
)

// registrationCaseType is a case type in elderly care (AO) whose start
// step works the form grant_application (and g in its second step), with
// the registration given; it is the form of the guide's example of
// registration (docs/definitions.md).
func registrationCaseType(reg string) string {
	return `kind: code_system
id: kinds
version: "1"
name: {sv: K}
codes:
  - {code: self, label: {sv: Själv}}
  - {code: representative, label: {sv: Företrädare}}
---
kind: form
id: grant_application
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: applicant, type: text, label: {sv: Sökande}}
      - {id: applicant_is_represented, type: yes_no, label: {sv: Företrädd}}
      - {id: representative, type: text, label: {sv: Företrädare}}
      - {id: kind, type: choice, code_system: kinds, label: {sv: Vem}}
      - {id: received, type: date, required: true, label: {sv: Inkom}}
      - {id: amount, type: money, label: {sv: Belopp}}
      - {id: total, type: text, compute: "'x'", label: {sv: Summa}}
---
kind: form
id: g
name: {sv: G}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: note, type: text, label: {sv: N}}
---
kind: case_type
id: c
name: {sv: Bidrag, en: Grant}
field: AO
start: a
steps:
  - {id: a, name: {sv: A}, forms: [grant_application]}
  - {id: b, name: {sv: B}, forms: [g], final: true}
transitions:
  - {id: t, name: {sv: T}, from: [a], to: b, roles: [handlaggare]}
` + reg
}

// The guide's example of registration (docs/definitions.md).
const guideRegistration = `registration:
  form: grant_application
  title: {sv: Ansökan om bidrag, en: Application for a grant}
  received_date: received
  values:
    applicant: person.name
    applicant_is_represented: "representative.name != ''"
    representative: "representative.name == '' ? '' : representative.name + ' (' + representative.role + ')'"
`

func TestValidateRegistration(t *testing.T) {
	tests := []struct {
		name string
		reg  string
		want []string // parts of the messages, in order
	}{
		{"the guide's example", guideRegistration, nil},
		{"a form only", "registration: {form: grant_application}\n", nil},
		{"no form", "registration: {title: {sv: T}}\n", []string{"registration needs form"}},
		{"an unknown form", "registration: {form: h}\n", []string{`unknown form "h"`}},
		{"a form of another step", "registration: {form: g}\n", []string{`the registration's form "g" must be one of the start step "a"'s forms`}},
		{"an unknown received-date field", "registration: {form: grant_application, received_date: inkom}\n",
			[]string{`received_date must be a field of the form "grant_application" (there is no field "inkom")`}},
		{"a received date that is not a date", "registration: {form: grant_application, received_date: applicant}\n",
			[]string{`the field "applicant" that gets the day it was received must be a date field; it is text`}},
		{"values for fields that are not there, or cannot be filled", `registration:
  form: grant_application
  received_date: received
  values:
    nobody: person.name
    received: today
    amount: "1"
    total: person.name
    applicant: ""
`, []string{
			`values fills fields of the form "grant_application", which has no field "nobody"`,
			`the field "received" already gets the day it was received`,
			`the field "amount" is of type money`,
			`the field "total" is computed`,
			`the field "applicant" in values has no expression`,
		}},
		{"an expression of the wrong type or an unknown name", `registration:
  form: grant_application
  values:
    applicant_is_represented: representative.name
    applicant: person.identity_number
`, []string{"true/false", "undeclared reference to 'person'"}},
		{"a title for the case too long", "registration: {form: grant_application, title: {sv: " + strings.Repeat("x", 201) + "}}\n",
			[]string{"at most 200 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := Load([]File{{Name: "v.yaml", Data: []byte(registrationCaseType(tt.reg))}})
			checkProblems(t, probs, nil)
			got := Validate(b)
			if len(got) != len(tt.want) {
				t.Fatalf("problems:\n%s\nwant %d: %v", got.Error(), len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i].Message, w) {
					t.Errorf("problem %d: %q, want %q", i, got[i].Message, w)
				}
			}
		})
	}
}

func TestRegistrationDraft(t *testing.T) {
	b, probs := Load([]File{{Name: "v.yaml", Data: []byte(registrationCaseType(guideRegistration))}})
	checkProblems(t, probs, nil)
	c, probs := Compile(b)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	person := RegistrationFacts{PersonName: "Greta Ek", GivenName: "Greta", FamilyName: "Ek", Age: 84, Sex: "F",
		ReceivedDate: "2026-03-01", Today: "2026-03-02"}
	tests := []struct {
		name  string
		facts func(f *RegistrationFacts)
		want  map[string]any
	}{
		{"on her own", func(*RegistrationFacts) {},
			map[string]any{"applicant": "Greta Ek", "applicant_is_represented": false, "received": "2026-03-01"}},
		{"with a god man", func(f *RegistrationFacts) { f.RepresentativeName, f.RepresentativeKind = "Per Ek", "god_man" },
			map[string]any{"applicant": "Greta Ek", "applicant_is_represented": true, "representative": "Per Ek (God man)", "received": "2026-03-01"}},
		{"a child's guardians", func(f *RegistrationFacts) { f.RepresentativeName, f.RepresentativeKind = "Anna Ek, Per Ek", "guardian" },
			map[string]any{"applicant": "Greta Ek", "applicant_is_represented": true, "representative": "Anna Ek, Per Ek (Vårdnadshavare)",
				"received": "2026-03-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := person
			tt.facts(&f)
			form, values, ok := c.RegistrationDraft("c", f)
			if !ok || form != "grant_application" || !maps.Equal(values, tt.want) {
				t.Errorf("RegistrationDraft = %s %v %v, want grant_application %v", form, values, ok, tt.want)
			}
		})
	}
	if got := c.RegistrationTitle("c", "en"); got != "Application for a grant" {
		t.Errorf("title %q", got)
	}

	t.Run("without registration: no draft, the case type's name as title", func(t *testing.T) {
		b, _ := Load([]File{{Name: "v.yaml", Data: []byte(registrationCaseType(""))}})
		c, probs := Compile(b)
		if len(probs) > 0 {
			t.Fatal(probs)
		}
		if _, _, ok := c.RegistrationDraft("c", person); ok {
			t.Error("a draft without registration")
		}
		if got := c.RegistrationTitle("c", "sv"); got != "Bidrag" {
			t.Errorf("title %q", got)
		}
	})

	t.Run("registered in the units of the case type's field, or those it names", func(t *testing.T) {
		if !c.Registrable("c", "/soc/norra/norra-ao/", "AO") || c.Registrable("c", "/soc/norra/norra-bou/", "IFO") {
			t.Error("a case type without units is registered in the units of its field")
		}
		named, _ := Load([]File{{Name: "v.yaml", Data: []byte(strings.Replace(registrationCaseType(""), "field: AO\n", "field: AO\nunits: [norra-bou]\n", 1))}})
		c, probs := Compile(named)
		if len(probs) > 0 {
			t.Fatal(probs)
		}
		if !c.Registrable("c", "/soc/norra/norra-bou/", "IFO") || c.Registrable("c", "/soc/norra/norra-ao/", "AO") {
			t.Error("a case type with units is registered in those units whatever their field")
		}
	})
}
