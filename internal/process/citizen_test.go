package process

import (
	"slices"
	"strings"
	"testing"
)

// A step's citizen text is optional; given, it needs Swedish and stays
// short. The portal reads it, the next steps and what meets a deadline.
func TestStepCitizenText(t *testing.T) {
	caseType := func(citizen string) string {
		return `kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
steps:
  - id: a
    name: {sv: A}
` + citizen + `
  - id: b
    name: {sv: B}
  - id: z
    name: {sv: Z}
    final: true
transitions:
  - {id: ab, name: {sv: AB}, from: [a], to: b, roles: [handlaggare]}
  - {id: stay, name: {sv: Stanna}, from: [a], to: a, roles: [handlaggare]}
  - {id: close, name: {sv: Stäng}, from: [a, b], to: z, roles: [handlaggare]}
deadlines:
  - {id: dl, name: {sv: Beslut inom 14 dagar}, start: case_opened, period: 14d, met_by: [b, z]}
`
	}
	for _, tt := range []struct {
		name, citizen string
		want          []string
	}{
		{"none", "", nil},
		{"both languages", `    citizen: {sv: "Vi läser din ansökan.", en: "We are reading your application."}`, nil},
		{"English only", `    citizen: {en: "We are reading your application."}`, []string{`v.yaml:7:9: the step "a"'s citizen text needs a Swedish text (sv)`}},
		{"too long", `    citizen: {sv: "` + strings.Repeat("a", 601) + `"}`, []string{`v.yaml:7:9: the step "a"'s citizen text is longer than 600 characters`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := Load([]File{{Name: "v.yaml", Data: []byte(caseType(tt.citizen))}})
			checkProblems(t, probs, nil)
			checkProblems(t, Validate(b), tt.want)
		})
	}
	c := compileSrc(t, File{Name: "v.yaml", Data: []byte(caseType(`    citizen: {sv: "Vi läser din ansökan.", en: "We are reading your application."}`))})
	if got := c.StepCitizen("c", "a", "en"); got != "We are reading your application." {
		t.Errorf("StepCitizen en = %q", got)
	}
	if got := c.StepCitizen("c", "b", "sv"); got != "" {
		t.Errorf("a step without a citizen text: %q", got)
	}
	if got := c.NextSteps("c", "a"); !slices.Equal(got, []string{"b", "z"}) {
		t.Errorf("NextSteps(a) = %v, want [b z] (not a itself)", got)
	}
	if got := c.NextSteps("c", "z"); len(got) != 0 {
		t.Errorf("NextSteps(z) = %v, want none", got)
	}
	if !c.StepFinal("c", "z") || c.StepFinal("c", "a") {
		t.Error("StepFinal")
	}
	if got := c.DeadlineMetBy("c", "dl"); got != "b" {
		t.Errorf("DeadlineMetBy = %q, want b", got)
	}
}
