// Package incomecheck is the national income check for economic assistance:
// what other agencies (Försäkringskassan, Arbetsförmedlingen, the
// unemployment funds, Pensionsmyndigheten, CSN, Skatteverket) have paid a
// person in a period. Today this is SSBTEK, being replaced by a new national
// service; trygg asks it through the Checker interface. File is the
// file-backed Checker the demo and tests use; a real adapter implements the
// same interface and is wired in cmd/trygg (serve.go) in its place.
package incomecheck

import (
	"context"
	"slices"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// Checker asks the national income check. Incomes returns what the
// sources paid the person with the identity number (a personnummer or
// samordningsnummer) for the months of period. A person the sources have
// paid nothing is an answer with no incomes, not an error. It returns an
// unavailable error when the service cannot be reached, an invalid error
// for a period that is not valid; no error holds the identity number.
type Checker interface {
	Incomes(ctx context.Context, id persons.Identity, period Period) (Answer, error)
}

// Period is the months asked about: From to To, both "YYYY-MM", inclusive.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// MonthOf returns the period of the one month that date ("YYYY-MM-DD" or
// "YYYY-MM") falls in, or an invalid error.
func MonthOf(date string) (Period, error) {
	if len(date) >= 7 {
		if _, err := time.Parse("2006-01", date[:7]); err == nil && (len(date) == 7 || validDate(date)) {
			return Period{From: date[:7], To: date[:7]}, nil
		}
	}
	return Period{}, trygg.Invalid("The month is not a date.", map[string]string{"period": "Give a month as YYYY-MM."})
}

// Valid returns an invalid error unless From and To are months, From not
// after To, and the period no longer than 24 months.
func (p Period) Valid() error {
	from, err1 := time.Parse("2006-01", p.From)
	to, err2 := time.Parse("2006-01", p.To)
	if err1 != nil || err2 != nil {
		return trygg.Invalid("The period is not two months.", map[string]string{"period": "Give the months as YYYY-MM."})
	}
	if to.Before(from) {
		return trygg.Invalid("The period ends before it starts.", map[string]string{"period": "The last month is before the first."})
	}
	if to.After(from.AddDate(2, -1, 0)) {
		return trygg.Invalid("The period is too long.", map[string]string{"period": "Ask about at most 24 months."})
	}
	return nil
}

// Months returns the period's months in order ("2026-02", "2026-03").
func (p Period) Months() []string {
	from, err1 := time.Parse("2006-01", p.From)
	to, err2 := time.Parse("2006-01", p.To)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// Answer is what the income check answered.
type Answer struct {
	Period Period `json:"period"`
	// AnsweredAt is when the service gave the answer.
	AnsweredAt time.Time `json:"answered_at"`
	// Incomes are the payments, in the order the sources gave them.
	Incomes []Income `json:"incomes"`
	// Unanswered are the sources that gave no answer this time (a source
	// that was down): nothing is known of what they paid.
	Unanswered []Source `json:"unanswered,omitempty"`
}

// Income is one payment: a benefit (or salary) a source paid for a month.
type Income struct {
	Source  Source  `json:"source"`
	Benefit Benefit `json:"benefit"`
	// Month is the month the payment is for, "YYYY-MM".
	Month string `json:"month"`
	// Amount is in öre, before tax as the sources report it.
	Amount int64 `json:"amount"`
}

// Total returns the sum of the answer's amounts, in öre.
func (a Answer) Total() int64 {
	var n int64
	for _, in := range a.Incomes {
		n += in.Amount
	}
	return n
}

// Source is an agency that answers the income check.
type Source string

// The sources.
const (
	Forsakringskassan   Source = "forsakringskassan"
	Arbetsformedlingen  Source = "arbetsformedlingen"
	UnemploymentFund    Source = "a_kassa" // the unemployment insurance funds (arbetslöshetskassor)
	Pensionsmyndigheten Source = "pensionsmyndigheten"
	CSN                 Source = "csn"
	Skatteverket        Source = "skatteverket" // employers' monthly returns (arbetsgivardeklarationer)
)

// Sources are the sources, in the order pages list them.
var Sources = []Source{Forsakringskassan, Arbetsformedlingen, UnemploymentFund, Pensionsmyndigheten, CSN, Skatteverket}

// Benefit is a kind of payment the sources report.
type Benefit string

// Benefits are the kinds of payment the sources report, by source. A
// definition's income_check compares them with the application's incomes
// (see internal/process).
var Benefits = map[Source][]Benefit{
	Forsakringskassan: {"child_allowance", "housing_allowance", "maintenance_support", "parental_benefit",
		"sickness_benefit", "sickness_compensation", "activity_compensation", "care_allowance"},
	Arbetsformedlingen:  {"activity_support", "development_allowance", "establishment_allowance"},
	UnemploymentFund:    {"unemployment_insurance"},
	Pensionsmyndigheten: {"retirement_pension", "housing_supplement", "elderly_maintenance_support"},
	CSN:                 {"study_grant", "study_loan"},
	Skatteverket:        {"salary"},
}

// KnownBenefit reports whether b is a benefit some source reports.
func KnownBenefit(b Benefit) bool {
	for _, bs := range Benefits {
		if slices.Contains(bs, b) {
			return true
		}
	}
	return false
}

// knownSource reports whether s is one of Sources.
func knownSource(s Source) bool { return slices.Contains(Sources, s) }

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
