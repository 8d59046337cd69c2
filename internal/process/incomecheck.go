package process

import (
	"slices"

	"github.com/trygg/trygg/internal/incomecheck"
)

// IncomeCheck lets the officer of a case ask the national income check
// (package incomecheck) what other agencies paid the case's person in the
// month of an application, and shows the answer beside the application's
// own incomes. A case type without it has no income check.
type IncomeCheck struct {
	// Form is the form (of the case type's steps) holding the application:
	// the month asked about and the incomes the applicant gave.
	Form Str `yaml:"form"`
	// Month is a date field of Form: the check asks about its month.
	Month Str `yaml:"month"`
	// Incomes pair money fields of Form with the benefits the check
	// reports for them; the page notes where the two differ.
	Incomes []IncomeCompare `yaml:"incomes,omitempty"`
}

// IncomeCompare is one income of the application, Field (a money field),
// and the benefits of the income check (incomecheck.Benefits) it is
// compared with.
type IncomeCompare struct {
	Field    Str   `yaml:"field"`
	Benefits []Str `yaml:"benefits"`
}

// incomeCheck checks a case type's income_check: a form of the case type,
// a date field of it for the month, and income fields that are money
// fields of it, each compared with known benefits, none twice.
func (v *validator) incomeCheck(ct *CaseType) {
	ic := ct.IncomeCheck
	if ic == nil {
		return
	}
	f := v.forms[ic.Form.Value]
	if f == nil {
		v.add(ic.Form.Pos, "check.income_check.no_form", "Form", ic.Form.Value)
		return
	}
	if m := v.formField(f, ic.Month, ic.Form.Pos, "check.income_check.month_field"); m != nil && m.Type.Value != FieldDate {
		v.add(ic.Month.Pos, "check.income_check.month_type", "Field", ic.Month.Value, "Type", m.Type.Value)
	}
	fields, benefits := map[string]bool{}, map[string]bool{}
	for _, in := range ic.Incomes {
		if fd := v.formField(f, in.Field, ic.Form.Pos, "check.income_check.income_field"); fd != nil && fd.Type.Value != FieldMoney {
			v.add(in.Field.Pos, "check.income_check.income_type", "Field", in.Field.Value, "Type", fd.Type.Value)
		}
		if fields[in.Field.Value] {
			v.add(in.Field.Pos, "check.income_check.field_twice", "Field", in.Field.Value)
		}
		fields[in.Field.Value] = true
		if len(in.Benefits) == 0 {
			v.add(in.Field.Pos, "check.income_check.no_benefits", "Field", in.Field.Value)
		}
		for _, b := range in.Benefits {
			switch {
			case !incomecheck.KnownBenefit(incomecheck.Benefit(b.Value)):
				v.add(b.Pos, "check.income_check.unknown_benefit", "Benefit", b.Value, "Known", knownBenefits())
			case benefits[b.Value]:
				v.add(b.Pos, "check.income_check.benefit_twice", "Benefit", b.Value)
			}
			benefits[b.Value] = true
		}
	}
}

// knownBenefits lists the income check's benefits, sorted, for a problem.
func knownBenefits() note {
	var out []string
	for _, bs := range incomecheck.Benefits {
		for _, b := range bs {
			out = append(out, string(b))
		}
	}
	slices.Sort(out)
	return orList(out)
}
