package process_test

// Benchmarks of expression evaluation in the pure engine: a transition's
// guard and a whole form evaluation. Results: docs/benchmarks.md.
//
//	go test -run '^$' -bench CELEval ./internal/process/

import (
	"testing"
	"time"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/trygg"
)

// benchYAML is an application form of 20 fields, six of them shown or
// required only under conditions, with computed fields and validations,
// and a case type whose decision is guarded by the form's values.
const benchYAML = `kind: form
id: application
name: {sv: Ansökan, en: Application}
sections:
  - id: household
    label: {sv: Hushållet, en: Household}
    fields:
      - {id: adults, type: number, min: 1, max: 10, required: true, label: {sv: Vuxna, en: Adults}}
      - {id: children, type: number, min: 0, max: 15, label: {sv: Barn, en: Children}}
      - {id: has_partner, type: yes_no, label: {sv: Sambo eller make, en: Partner}}
      - {id: partner_name, type: text, label: {sv: Partnerns namn, en: Partner's name}, visible_if: form.has_partner, required_if: form.has_partner}
      - {id: rents, type: yes_no, label: {sv: Hyr bostad, en: Rents}}
      - {id: rent, type: money, min: 0, label: {sv: Hyra, en: Rent}, visible_if: form.rents, required_if: form.rents}
      - {id: landlord, type: text, label: {sv: Hyresvärd, en: Landlord}, visible_if: form.rents}
  - id: income
    label: {sv: Inkomster, en: Income}
    fields:
      - {id: has_income, type: yes_no, label: {sv: Har inkomst, en: Has income}}
      - {id: income, type: money, min: 0, label: {sv: Inkomst, en: Income}, visible_if: form.has_income, required_if: form.has_income}
      - {id: employer, type: text, label: {sv: Arbetsgivare, en: Employer}, visible_if: form.has_income, required_if: "form.income > 1000000"}
      - {id: benefits, type: money, min: 0, label: {sv: Bidrag, en: Benefits}}
      - {id: savings, type: money, min: 0, label: {sv: Sparande, en: Savings}}
      - {id: total_income, type: money, label: {sv: Summa inkomster, en: Total income}, compute: "form.income + form.benefits"}
  - id: application
    label: {sv: Ansökan, en: Application}
    fields:
      - {id: amount, type: money, min: 0, required: true, label: {sv: Belopp, en: Amount}}
      - {id: period_start, type: date, required: true, label: {sv: Från, en: From}}
      - {id: period_end, type: date, label: {sv: Till, en: To}}
      - {id: urgent, type: yes_no, label: {sv: Brådskande, en: Urgent}}
      - {id: urgency_reason, type: long_text, label: {sv: Varför brådskande, en: Why urgent}, visible_if: form.urgent, required_if: "form.urgent && form.amount > 300000"}
      - {id: note, type: long_text, max_length: 4000, label: {sv: Anteckning, en: Note}}
      - {id: per_person, type: money, label: {sv: Per person, en: Per person}, compute: "form.amount / int(form.adults + form.children)"}
validations:
  - rule: "form.period_end == '' || form.period_start <= form.period_end"
    field: period_end
    message: {sv: "Slutdatum före startdatum.", en: "The end is before the start."}
  - rule: "form.amount <= 2000000"
    field: amount
    message: {sv: "Högst 20 000 kronor.", en: "At most SEK 20,000."}
  - rule: "!form.has_income || form.total_income < 3000000"
    message: {sv: "Inkomsten är för hög.", en: "The income is too high."}
---
kind: case_type
id: assistance
name: {sv: Bistånd, en: Assistance}
field: IFO
start: received
steps:
  - {id: received, name: {sv: Inkommen}, forms: [application]}
  - {id: decided, name: {sv: Beslutad}}
  - {id: closed, name: {sv: Avslutad}, final: true}
transitions:
  - id: decide
    name: {sv: Besluta}
    from: [received]
    to: decided
    roles: [handlaggare, arbetsledare]
    forms: [application]
    guard: "(forms.application.amount <= 500000 || 'arbetsledare' in actor.roles) && person.age >= 18 && (!forms.application.has_income || forms.application.income < 2500000)"
  - {id: close, name: {sv: Avsluta}, from: [received, decided], to: closed, roles: [handlaggare]}
`

// benchValues fills the form so that every condition is true: all six
// conditional fields are shown and checked.
var benchValues = map[string]any{
	"adults": 2.0, "children": 2.0, "has_partner": true, "partner_name": "Kim Andersson",
	"rents": true, "rent": 850000.0, "landlord": "Bostadsbolaget",
	"has_income": true, "income": 1250000.0, "employer": "Kommunen", "benefits": 130000.0, "savings": 0.0,
	"amount": 450000.0, "period_start": "2026-12-01", "period_end": "2026-12-31",
	"urgent": true, "urgency_reason": "Hyran ska betalas den 30:e.", "note": "Ansökan inkom via e-tjänsten.",
}

func compileBench(b *testing.B) *process.Compiled {
	b.Helper()
	bundle, probs := process.Load([]process.File{{Name: "bench.yaml", Data: []byte(benchYAML)}})
	if len(probs) > 0 {
		b.Fatalf("load: %v", probs)
	}
	c, probs := process.Compile(bundle)
	if len(probs) > 0 {
		b.Fatalf("compile: %v", probs)
	}
	return c
}

// BenchmarkCELEval measures expression evaluation: a transition whose
// guard reads three form values, the actor's roles and the person's age
// (process.Compiled.Transition, which builds the expression variables and
// runs the guard), and EvaluateForm on a 20-field form with six
// visible_if, five required_if, two computed fields and three validations.
func BenchmarkCELEval(b *testing.B) {
	c := compileBench(b)
	today := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	formState, err := c.EvaluateForm("application", benchValues, process.Context{PersonAge: 34, Today: today}, "sv")
	if err != nil || !formState.Complete {
		b.Fatalf("the bench form is not complete: %+v %v", formState.Errors, err)
	}
	ctx := process.Context{PersonAge: 34, PersonSex: "F", CaseType: "assistance", CaseStep: "received",
		CaseOpened: today.AddDate(0, 0, -3), Roles: []trygg.Role{trygg.RoleOfficer}, Today: today,
		Forms: map[string]map[string]any{"application": formState.Values}}
	signed := map[string]bool{"application": true}

	b.Run("guard", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Transition("assistance", "decide", ctx, signed, "sv"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
	})
	b.Run("form-20-fields", func(b *testing.B) {
		for b.Loop() {
			st, err := c.EvaluateForm("application", benchValues, ctx, "sv")
			if err != nil || !st.Complete {
				b.Fatalf("%+v %v", st.Errors, err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
	})
}
