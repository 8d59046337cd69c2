package process

import (
	"errors"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

// TestMeasureFormat: amounts are written in the words people use, numbers
// the Swedish way, with the period.
func TestMeasureFormat(t *testing.T) {
	hoursMonth := Measure{Unit: UnitHours, Period: PerMonth}
	for _, tc := range []struct {
		m      Measure
		n      int64
		sv, en string
	}{
		{hoursMonth, 4000, "40 timmar per månad", "40 hours per month"},
		{hoursMonth, 4050, "40,5 timmar per månad", "40,5 hours per month"},
		{hoursMonth, 4025, "40,25 timmar per månad", "40,25 hours per month"},
		{hoursMonth, 100, "1 timme per månad", "1 hour per month"},
		{hoursMonth, 150, "1,5 timmar per månad", "1,5 hours per month"},
		{hoursMonth, 50, "0,5 timmar per månad", "0,5 hours per month"},
		{Measure{Unit: UnitHours}, 2400, "24 timmar", "24 hours"},
		{Measure{Unit: UnitMoney}, 1234500, "12 345 kr", "12 345 kr"},
		{Measure{Unit: UnitMoney}, 1234550, "12 345,50 kr", "12 345,50 kr"},
		{Measure{Unit: UnitMoney}, 1234505, "12 345,05 kr", "12 345,05 kr"},
		{Measure{Unit: UnitMoney, Period: PerMonth}, 900000, "9 000 kr per månad", "9 000 kr per month"},
		{Measure{Unit: UnitMoney}, 123456789, "1 234 567,89 kr", "1 234 567,89 kr"},
		{Measure{Unit: UnitCount}, 3, "3 st", "3"},
		{Measure{Unit: UnitCount, Period: PerWeek}, 2, "2 st per vecka", "2 per week"},
	} {
		if got := tc.m.Format(tc.n, "sv"); got != tc.sv {
			t.Errorf("%v %d in Swedish: %q, want %q", tc.m, tc.n, got, tc.sv)
		}
		if got := tc.m.Format(tc.n, "en"); got != tc.en {
			t.Errorf("%v %d in English: %q, want %q", tc.m, tc.n, got, tc.en)
		}
	}
	if got := FormatMoney(-5000); got != "−50 kr" {
		t.Errorf("FormatMoney(-5000) = %q", got)
	}
	if got := hoursMonth.Label("sv"); got != "timmar per månad" {
		t.Errorf("label: %q", got)
	}
	if got := (Measure{Unit: UnitMoney}).Label("sv"); got != "kronor" {
		t.Errorf("label: %q", got)
	}
}

// TestMeasureParse: what people type is read in the unit; anything else
// is a field error for the amount, never a guess.
func TestMeasureParse(t *testing.T) {
	hours := Measure{Unit: UnitHours, Period: PerMonth}
	money := Measure{Unit: UnitMoney}
	count := Measure{Unit: UnitCount}
	for _, tc := range []struct {
		m    Measure
		in   string
		want int64
	}{
		{hours, "40", 4000},
		{hours, "40,5", 4050},
		{hours, "40.5", 4050},
		{hours, " 40,25 ", 4025},
		{hours, "40 h", 4000},
		{hours, "40 timmar", 4000},
		{hours, "40 timmar per månad", 4000},
		{hours, "40 tim/mån", 4000},
		{hours, "1 timme", 100},
		{hours, "", 0},
		{money, "12 345", 1234500},
		{money, "12345", 1234500},
		{money, "12345 kr", 1234500},
		{money, "12 345 kr", 1234500},
		{money, "12\u00a0345,50 kr", 1234550},
		{money, "12\u202f345", 1234500},
		{money, "12 345,5", 1234550},
		{money, "100:-", 10000},
		{money, "1 234 567", 123456700},
		{money, "0", 0},
		{count, "3", 3},
		{count, "3 st", 3},
	} {
		got, err := tc.m.Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%s %q: %d, %v; want %d", tc.m.Unit, tc.in, got, err, tc.want)
		}
		if err == nil && tc.want != 0 {
			// What Input shows reads back as the same amount.
			if back, err := tc.m.Parse(tc.m.Input(got)); err != nil || back != got {
				t.Errorf("%s %q: Input %q reads back as %d, %v", tc.m.Unit, tc.in, tc.m.Input(got), back, err)
			}
		}
	}
	for _, tc := range []struct {
		m   Measure
		in  string
		msg string
	}{
		{hours, "fyrtio", "Write a number of hours, such as 40 or 40,5."},
		{hours, "40,555", "Write a number of hours, such as 40 or 40,5."},
		{hours, "-4", "Write a number of hours, such as 40 or 40,5."},
		{hours, "40 kr", "Write a number of hours, such as 40 or 40,5."},
		{money, "12.345", "Write an amount in kronor, such as 12 345 or 12 345,50."},
		{money, "12,345", "Write an amount in kronor, such as 12 345 or 12 345,50."},
		{money, "1 2345", "Write an amount in kronor, such as 12 345 or 12 345,50."},
		{money, "12 345,", "Write an amount in kronor, such as 12 345 or 12 345,50."},
		{money, "kr", "Write an amount in kronor, such as 12 345 or 12 345,50."},
		{money, "99999999999999", "Write an amount in kronor, such as 12 345 or 12 345,50."},
		{money, "1e5", "Write an amount in kronor, such as 12 345 or 12 345,50."},
		{count, "2,5", "Write a whole number, such as 3."},
	} {
		_, err := tc.m.Parse(tc.in)
		if trygg.ErrorCode(err) != trygg.EInvalid {
			t.Errorf("%s %q: %v, want invalid", tc.m.Unit, tc.in, err)
			continue
		}
		var e *trygg.Error
		if !errors.As(err, &e) || e.Fields["amount"] != tc.msg {
			t.Errorf("%s %q: %v, want the field message %q", tc.m.Unit, tc.in, err, tc.msg)
		}
	}
}

// TestDecisionsMeasure: a case type's measure comes from amount_unit and
// amount_period; orders count hours per month.
func TestDecisionsMeasure(t *testing.T) {
	var none *Decisions
	if got := none.Measure(); got != (Measure{Unit: UnitCount}) {
		t.Errorf("no decisions: %v", got)
	}
	d := &Decisions{AmountUnit: Str{Value: UnitHours}, AmountPeriod: Str{Value: PerMonth}}
	if got := d.Measure(); got != (Measure{Unit: UnitHours, Period: PerMonth}) {
		t.Errorf("hours per month: %v", got)
	}
	if got := OrderMeasure(UnitHours); got != (Measure{Unit: UnitHours, Period: PerMonth}) {
		t.Errorf("order hours: %v", got)
	}
	if got := OrderMeasure(UnitMoney); got != (Measure{Unit: UnitMoney}) {
		t.Errorf("order money: %v", got)
	}
}

// decisionsYAML is a case type with decisions (after okCodes and a form
// with a multi_choice c and a yes_no y, 18 lines), with what each test
// adds to its decisions section and its create_decisions action.
func decisionsYAML(decisions, action string) string {
	form := strings.Replace(okForm, "      - {id: n, type: money, label: {sv: N}}\n",
		"      - {id: n, type: money, label: {sv: N}}\n      - {id: c, type: multi_choice, code_system: cs, label: {sv: C}}\n      - {id: y, type: yes_no, label: {sv: Y}}\n", 1)
	return okCodes + form + `kind: case_type
id: t
name: {sv: T}
field: AO
start: a
steps:
  - {id: a, name: {sv: A}, forms: [f]}
  - {id: z, name: {sv: Z}, final: true}
transitions:
  - {id: go, name: {sv: Gå}, from: [a], to: z, roles: [handlaggare], forms: [f], actions: [{type: create_decisions, form: f, field: c` + action + `}]}
  - {id: stop, name: {sv: Avsluta}, from: [a], to: a, roles: [handlaggare], actions: [{type: close_case}]}
decisions:
  insatser: cs
  legal_bases: ["L 1 §", "L 2 §"]
  delegation: [{roles: [handlaggare]}]
` + decisions
}

// TestValidateDecisionTexts: the amount's period, the standard appeal
// texts per legal basis and create_decisions' partly are checked with
// file, line and column.
func TestValidateDecisionTexts(t *testing.T) {
	for _, tc := range []struct {
		name, decisions, action string
		want                    []string
	}{
		{"all well", "  amount_unit: hours\n  amount_period: month\n  appeal_texts:\n    - {legal_basis: \"L 1 §\", text: {sv: Överklaga, en: Appeal}}\n", ", partly: y", nil},
		{"an unknown period", "  amount_period: fortnight\n", "", []string{`v.yaml:34:18: amount_period must be day, week, month or year (got "fortnight")`}},
		{"an appeal text of another basis, twice, without Swedish",
			"  appeal_texts:\n    - {legal_basis: \"L 9 §\", text: {sv: X}}\n    - {legal_basis: \"L 1 §\", text: {sv: X}}\n    - {legal_basis: \"L 1 §\", text: {en: Y}}\n", "",
			[]string{
				`v.yaml:35:21: appeal_texts: the legal basis "L 9 §" is not one of legal_bases`,
				`v.yaml:37:21: appeal_texts: the legal basis "L 1 §" already has a text`,
				`v.yaml:37:21: appeal_texts: the text for "L 1 §" has no Swedish (sv)`,
			}},
		{"partly of a money field", "", ", partly: n", []string{`v.yaml:28:144: partly must name a yes_no, choice, multi_choice or text field of the form "f"; "n" is money`}},
		{"partly of no field", "", ", partly: nope", []string{`v.yaml:28:144: partly must name a yes_no, choice, multi_choice or text field: a field of the form "f" (there is no field "nope")`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, probs := Load([]File{{Name: "v.yaml", Data: []byte(decisionsYAML(tc.decisions, tc.action))}})
			checkProblems(t, probs, nil)
			checkProblems(t, Validate(b), tc.want)
		})
	}
}

// TestAvailableCloses: the transitions out of a step say which close the
// case and which send orders, so pages can keep closing apart.
func TestAvailableCloses(t *testing.T) {
	c := compileSrc(t, File{Name: "r.yaml", Data: []byte(decisionsYAML("", ""))})
	got := map[string]bool{}
	for _, av := range c.Available("t", Context{CaseStep: "a", Roles: []trygg.Role{"handlaggare"}}, map[string]bool{}, "sv") {
		got[av.ID] = av.Closes
	}
	if !got["go"] || !got["stop"] || len(got) != 2 {
		t.Errorf("closing transitions: %v (go ends in a final step, stop closes the case)", got)
	}
}
