package process

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

// paymentsCaseType is a case type with decisions and payments over okCodes
// and okForm; %PAY% is replaced by each test's payments section.
const paymentsCaseType = `kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
steps:
  - {id: a, name: {sv: A}, forms: [f]}
  - {id: b, name: {sv: B}, final: true}
transitions:
  - {id: t, name: {sv: T}, from: [a], to: b, roles: [handlaggare]}
decisions:
  insatser: cs
  legal_bases: ["SoL 4 kap. 1 §"]
  delegation:
    - {roles: [handlaggare]}
  payments:
`

// The case type starts at line 17 (okCodes and okForm before it); the
// checker points at decisions.insatser (line 28) for what is missing.
func TestValidatePayments(t *testing.T) {
	tests := []struct {
		name string
		pay  string
		want []string
	}{
		{"valid", `    form: f
    attest: [{roles: [handlaggare], max_amount: 100}, {roles: [arbetsledare]}]
    items:
      - {id: x, name: {sv: X}, insatser: [a], schedule: monthly, amount: "decision.amount - form.n", payee: person, account: "4711", cost_centre: "1"}
`, nil},
		{"no attest, no items", `    attest: []
    items: []
`, []string{
			`v.yaml:28:13: payments need attest`,
			`v.yaml:28:13: payments need items`,
		}},
		{"attest rule without roles, an unknown role, a negative limit", `    attest: [{max_amount: -1}, {roles: [boss]}]
    items:
      - {id: x, name: {sv: X}, insatser: [a], schedule: once, amount: "decision.amount", payee: person}
`, []string{
			`v.yaml:28:13: an attest rule names no roles`,
			`v.yaml:28:13: max_amount in attest cannot be negative`,
			`v.yaml:33:41: unknown role "boss"`,
		}},
		{"an item wrong in every way", `    attest: [{roles: [handlaggare]}]
    items:
      - {id: x, name: {en: X}, insatser: [z], schedule: weekly, amount: "form.n", payee: bank}
      - {id: x, name: {sv: X}, insatser: [a], schedule: once, payee: person}
`, []string{
			`v.yaml:35:14: the payment item "x" needs a Swedish name`,
			`v.yaml:35:43: the insats "z" is not in the code system "cs"`,
			`v.yaml:35:57: schedule of "x" must be once or monthly (got "weekly")`,
			`v.yaml:35:73: expression error: 1:1: undeclared reference to 'form'`,
			`v.yaml:35:90: payee of "x" must be person, landlord, energy_company, provider or other (got "bank")`,
			`v.yaml:36:14: the payment item "x" is there twice`,
			`v.yaml:36:14: the payment item "x" needs amount`,
		}},
		{"an amount that is not a whole number", `    form: f
    attest: [{roles: [handlaggare]}]
    items:
      - {id: x, name: {sv: X}, insatser: [a], schedule: once, amount: "decision.valid_from", payee: person}
`, []string{`v.yaml:36:71: expression gives text but a whole number is needed here`}},
		{"an unknown form", `    form: g
    attest: [{roles: [handlaggare]}]
    items:
      - {id: x, name: {sv: X}, insatser: [a], schedule: once, amount: "decision.amount", payee: person}
`, []string{`v.yaml:33:11: unknown form "g"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := Load([]File{{Name: "v.yaml", Data: []byte(okCodes + okForm + paymentsCaseType + tt.pay)}})
			checkProblems(t, probs, nil)
			checkProblems(t, Validate(b), tt.want)
		})
	}
}

// The packs and the examples say what their decisions pay: economic
// assistance's income support every month to the person, the
// housing-adaptation grant once, to the applicant or the contractor.
func TestPaymentsDue(t *testing.T) {
	load := func(t *testing.T, dir string) *Compiled {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var files []File
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".yaml") {
				data, err := os.ReadFile(dir + "/" + e.Name())
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, File{Name: e.Name(), Data: data})
			}
		}
		b, probs := Load(files)
		checkProblems(t, probs, nil)
		c, probs := Compile(b)
		checkProblems(t, probs, nil)
		return c
	}
	eb := load(t, "../../packs/ekonomiskt_bistand")
	grant := load(t, "../../examples/definitions")
	tests := []struct {
		name string
		c    *Compiled
		ct   string
		d    PaymentDecision
		form map[string]any
		want []PaymentDue
	}{
		{"income support, partly granted: the decided amount, monthly, to the person", eb, "ekonomiskt_bistand",
			PaymentDecision{Insats: "forsorjningsstod", Outcome: OutcomePartly, ValidFrom: "2027-03-01", Amount: 1767000}, nil,
			[]PaymentDue{{Item: "living", Name: Text{SV: "Försörjningsstöd", EN: "Income support"}, Schedule: ScheduleMonthly,
				Payee: PayeePerson, Account: "4711", CostCentre: "7310", Amount: 1767000}}},
		{"refused: nothing", eb, "ekonomiskt_bistand",
			PaymentDecision{Insats: "forsorjningsstod", Outcome: OutcomeRefused, ValidFrom: "2027-03-01", Amount: 1767000}, nil, nil},
		{"granted with 0 kr: nothing", eb, "ekonomiskt_bistand",
			PaymentDecision{Insats: "forsorjningsstod", Outcome: OutcomeGranted, ValidFrom: "2027-03-01"}, nil, nil},
		{"housing adaptation to the applicant, once", grant, "bostadsanpassning",
			PaymentDecision{Insats: "bostadsanpassning", Outcome: OutcomeGranted, ValidFrom: "2027-03-01", Amount: 4500000},
			map[string]any{"paid_to": "sokande", "cost": 4500000.0},
			[]PaymentDue{{Item: "to_applicant", Name: Text{SV: "Bostadsanpassningsbidrag", EN: "Housing-adaptation grant"}, Schedule: ScheduleOnce,
				Payee: PayeePerson, Account: "4590", CostCentre: "7610", Amount: 4500000}}},
		{"housing adaptation to the contractor", grant, "bostadsanpassning",
			PaymentDecision{Insats: "bostadsanpassning", Outcome: OutcomeGranted, ValidFrom: "2027-03-01", Amount: 4500000},
			map[string]any{"paid_to": "entreprenor"},
			[]PaymentDue{{Item: "to_contractor", Name: Text{SV: "Bostadsanpassningsbidrag till entreprenör", EN: "Housing-adaptation grant to the contractor"},
				Schedule: ScheduleOnce, Payee: PayeeOther, Account: "4590", CostCentre: "7610", Amount: 4500000}}},
		{"a case type without payments", grant, "grant",
			PaymentDecision{Insats: "glasses", Outcome: OutcomeGranted, Amount: 100}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.PaymentsDue(tt.ct, tt.d, Context{Today: today}, tt.form)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	t.Run("attest limits by role", func(t *testing.T) {
		for _, tt := range []struct {
			roles []trygg.Role
			limit int64
			ok    bool
		}{
			{[]trygg.Role{trygg.RoleOfficer}, 3000000, true},
			{[]trygg.Role{trygg.RoleTeamLead}, 0, true},
			{[]trygg.Role{trygg.RoleOfficer, trygg.RoleTeamLead}, 0, true},
			{[]trygg.Role{trygg.RoleProvider}, 0, false},
		} {
			if limit, ok := eb.AttestLimit("ekonomiskt_bistand", tt.roles); limit != tt.limit || ok != tt.ok {
				t.Errorf("AttestLimit(%v) = %d, %v; want %d, %v", tt.roles, limit, ok, tt.limit, tt.ok)
			}
		}
	})
}
