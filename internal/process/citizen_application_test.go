package process

import (
	"strings"
	"testing"
)

// citizenCaseType is a case type whose start step works form f (and g in
// its second step), with the citizen_application given.
func citizenCaseType(app string) string {
	return `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: n, type: money, label: {sv: N}}
---
kind: form
id: g
name: {sv: G}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: who, type: person, label: {sv: Vem}}
---
kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
steps:
  - {id: a, name: {sv: A}, forms: [f, g]}
  - {id: b, name: {sv: B}, forms: [f], final: true}
transitions:
  - {id: t, name: {sv: T}, from: [a], to: b, roles: [handlaggare]}
` + app
}

func TestValidateCitizenApplication(t *testing.T) {
	tests := []struct {
		name string
		app  string
		want []string // parts of the messages, in order
	}{
		{"a complete one", `citizen_application:
  form: f
  title: {sv: Ansökan, en: Application}
  next: {sv: Vi hör av oss.}
  earlier_case_unit: true
`, nil},
		{"a receiving unit instead", `citizen_application: {form: f, title: {sv: A}, next: {sv: N}, unit: mottagning}
`, nil},
		{"no form, title, next or way to a unit", `citizen_application: {intro: {sv: Hej}}
`, []string{
			"citizen_application needs form",
			"citizen_application's title needs a Swedish text",
			"citizen_application's next (what happens after the application is sent) needs a Swedish text",
			"citizen_application needs unit (the unit that receives the applications) or earlier_case_unit: true",
		}},
		{"an unknown form", `citizen_application: {form: h, title: {sv: A}, next: {sv: N}, earlier_case_unit: true}
`, []string{`unknown form "h"`}},
		{"a form with a person field", `citizen_application: {form: g, title: {sv: A}, next: {sv: N}, earlier_case_unit: true}
`, []string{`the citizen's form "g" has a person field ("who")`}},
		{"a title too long for a case", `citizen_application: {form: f, title: {sv: ` + strings.Repeat("x", 201) + `}, next: {sv: N}, earlier_case_unit: true}
`, []string{"at most 200 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := Load([]File{{Name: "v.yaml", Data: []byte(citizenCaseType(tt.app))}})
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

	t.Run("the form must be one of the start step's", func(t *testing.T) {
		src := strings.Replace(citizenCaseType(`citizen_application: {form: f, title: {sv: A}, next: {sv: N}, earlier_case_unit: true}
`), "forms: [f, g]}", "forms: [g]}", 1)
		b, _ := Load([]File{{Name: "v.yaml", Data: []byte(src)}})
		got := Validate(b)
		if len(got) != 1 || !strings.Contains(got[0].Message, `must be one of the start step "a"'s forms`) {
			t.Errorf("problems: %v", got)
		}
	})

	t.Run("compiled, the case types citizens apply for", func(t *testing.T) {
		b, _ := Load([]File{{Name: "v.yaml", Data: []byte(citizenCaseType(`citizen_application: {form: f, title: {sv: A}, next: {sv: N}, earlier_case_unit: true}
`))}})
		c, probs := Compile(b)
		if len(probs) > 0 {
			t.Fatal(probs)
		}
		if got := c.CitizenApplications(); len(got) != 1 || got[0].ID.Value != "c" || got[0].CitizenApplication.Title.In("en") != "A" {
			t.Errorf("CitizenApplications() = %v", got)
		}
	})
}
