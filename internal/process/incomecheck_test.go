package process

import (
	"strings"
	"testing"
)

// TestValidateIncomeCheck: a case type's income_check names a form, a
// date field for the month and money fields each compared with benefits
// the income check knows, none twice.
func TestValidateIncomeCheck(t *testing.T) {
	tests := []struct {
		name string
		ic   string
		want []string // parts of the messages, in order
	}{
		{"the month and one income", "income_check: {form: grant_application, month: received, incomes: [{field: amount, benefits: [child_allowance, housing_allowance]}]}\n", nil},
		{"the month alone", "income_check: {form: grant_application, month: received}\n", nil},
		{"no form", "income_check: {month: received}\n", []string{"income_check needs form"}},
		{"an unknown form", "income_check: {form: h, month: received}\n", []string{`income_check needs form`}},
		{"no month", "income_check: {form: grant_application}\n", []string{`income_check needs month: a date field of the form "grant_application"`}},
		{"a month that is not a date", "income_check: {form: grant_application, month: applicant}\n",
			[]string{`month must be a field of type date; "applicant" is of type text`}},
		{"incomes that are not money, twice, unknown", `income_check:
  form: grant_application
  month: received
  incomes:
    - {field: applicant, benefits: [salary]}
    - {field: amount, benefits: [salary, lottery]}
    - {field: amount, benefits: []}
    - {field: nothing, benefits: [pension]}
`, []string{
			`the income field "applicant" must be of type money; it is of type text`,
			`the benefit "salary" is already compared with another field`,
			`the income check has no benefit "lottery"; use activity_compensation, activity_support`,
			`the field "amount" is in incomes twice`,
			`the field "amount" needs benefits`,
			`there is no field "nothing"`,
			`the income check has no benefit "pension"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := Load([]File{{Name: "v.yaml", Data: []byte(registrationCaseType(tt.ic))}})
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
