package service

import (
	"context"
	"encoding/json"
	"math"
	"slices"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/incomecheck"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// IncomeCheckView is the national income check's answer about a case's
// person for the month of the case's application, beside the incomes the
// application gives.
type IncomeCheckView struct {
	// Month is the month asked about, "YYYY-MM".
	Month  string             `json:"month"`
	Answer incomecheck.Answer `json:"answer"`
	// Sources are the answer's incomes by source, in the order of
	// incomecheck.Sources (only sources that reported something).
	Sources []IncomeSource `json:"sources"`
	// Total is the sum of every income in the answer, in öre.
	Total int64 `json:"total"`
	// Compared are the application's incomes (the case type's
	// income_check.incomes) beside what the check reports for them,
	// leaving out those both say nothing of.
	Compared []IncomeComparison `json:"compared"`
}

// IncomeSource is what one source reported.
type IncomeSource struct {
	Source  incomecheck.Source   `json:"source"`
	Incomes []incomecheck.Income `json:"incomes"`
	Total   int64                `json:"total"`
}

// IncomeComparison is one income of the application beside the check.
type IncomeComparison struct {
	// Field is the form's field, Label its label in the page's language.
	Field string `json:"field"`
	Label string `json:"label"`
	// Given is what the application says, Reported what the check
	// reports for the field's benefits, both in öre.
	Given    int64 `json:"given"`
	Reported int64 `json:"reported"`
	// Differs says the two are not the same; Unanswered that a source of
	// the field's benefits gave no answer, so they cannot be compared.
	Differs    bool `json:"differs"`
	Unanswered bool `json:"unanswered"`
}

// IncomeCheckOffered reports whether cases of c's type have the income
// check (its definition's income_check), for a page to offer it. It reads
// no personal data.
func (s *Service) IncomeCheckOffered(ctx context.Context, tenant trygg.TenantID, c store.Case) (bool, error) {
	if c.DefinitionVersion == 0 {
		return false, nil
	}
	comp, err := s.compiled(ctx, tenant, c.DefinitionVersion)
	if err != nil {
		return false, err
	}
	ct, ok := comp.CaseType(c.CaseType)
	return ok && ct.IncomeCheck != nil, nil
}

// IncomeCheck asks the national income check what other agencies paid
// the case's person in the month of the case's application (the form and
// month field of the case type's income_check, as the form stands, draft
// or signed) and compares the answer with the application's incomes.
// Only those who may work on the case may ask (access.IncomeCheck): a
// case the actor may not read is not found, like a missing one; one they
// may read but not work on is forbidden. Every lookup is access-logged on
// its legal ground (access.RelIncomeCheck) before the service is asked.
// It returns an invalid error for a case type without income_check or an
// application without its month, and an unavailable error when no income
// check is configured or it does not answer. The identity number is in no
// error and no log.
func (s *Service) IncomeCheck(ctx context.Context, a trygg.Actor, caseID, lang string) (IncomeCheckView, error) {
	c, p, _, err := s.caseFor(ctx, a, caseID, false)
	if err != nil {
		return IncomeCheckView{}, err
	}
	rels, err := s.db.CaseRelations(ctx, a, c)
	if err != nil {
		return IncomeCheckView{}, err
	}
	ground, err := access.Decide(a, access.IncomeCheck, access.Subject{Relations: rels, Protection: p.Protection})
	if err != nil {
		return IncomeCheckView{}, err
	}
	if c.Status == "closed" {
		return IncomeCheckView{}, trygg.Errorf(trygg.EConflict, "The case is closed; its incomes are no longer checked.")
	}
	w, _, err := s.loadWork(ctx, a, caseID, false)
	if err != nil {
		return IncomeCheckView{}, err
	}
	ct, ok := w.comp.CaseType(c.CaseType)
	if !ok || ct.IncomeCheck == nil {
		return IncomeCheckView{}, trygg.Errorf(trygg.EInvalid, "Cases of this type have no income check.")
	}
	ic := ct.IncomeCheck
	fv, err := s.formView(w, ic.Form.Value, lang)
	if err != nil {
		return IncomeCheckView{}, err
	}
	month, _ := fv.State.Values[ic.Month.Value].(string)
	if month == "" {
		return IncomeCheckView{}, trygg.Invalid("Fill in the month applied for before checking the incomes.",
			map[string]string{ic.Month.Value: "Give the month the application is for."})
	}
	period, err := incomecheck.MonthOf(month)
	if err != nil {
		return IncomeCheckView{}, trygg.Invalid("Fill in the month applied for before checking the incomes.",
			map[string]string{ic.Month.Value: "Give the month the application is for."})
	}
	if p.Identity.Type != persons.IDPersonnummer && p.Identity.Type != persons.IDSamordningsnummer {
		return IncomeCheckView{}, trygg.Errorf(trygg.EInvalid, "The person has no personal identity number or coordination number, so the income check cannot be asked.")
	}
	if s.Incomes == nil {
		return IncomeCheckView{}, trygg.Errorf(trygg.EUnavailable, "No income check is configured.")
	}
	if err := s.logAccess(ctx, entry(a, access.IncomeCheck, p.ID, c.ID, ground, "")); err != nil {
		return IncomeCheckView{}, err
	}
	ans, err := s.Incomes.Incomes(ctx, p.Identity, period)
	if err != nil {
		if trygg.ErrorCode(err) == trygg.EInvalid {
			return IncomeCheckView{}, err
		}
		s.log.Error("income check failed", "case", c.ID, "err", err)
		return IncomeCheckView{}, trygg.Errorf(trygg.EUnavailable, "The income check did not answer. Try again in a while.")
	}
	return compareIncomes(ans, period.From, ic, fv.Def, fv.State.Values, lang), nil
}

// compareIncomes makes the view of ans: the incomes by source, the sum,
// and the application's incomes in values (of form f) beside what the
// check reports for them.
func compareIncomes(ans incomecheck.Answer, month string, ic *process.IncomeCheck, f *process.Form, values map[string]any, lang string) IncomeCheckView {
	v := IncomeCheckView{Month: month, Answer: ans, Sources: []IncomeSource{}, Compared: []IncomeComparison{}, Total: ans.Total()}
	reported := map[incomecheck.Benefit]int64{}
	for _, src := range incomecheck.Sources {
		is := IncomeSource{Source: src}
		for _, in := range ans.Incomes {
			if in.Source == src {
				is.Incomes = append(is.Incomes, in)
				is.Total += in.Amount
				reported[in.Benefit] += in.Amount
			}
		}
		if len(is.Incomes) > 0 {
			v.Sources = append(v.Sources, is)
		}
	}
	unanswered := map[incomecheck.Benefit]bool{}
	for _, src := range ans.Unanswered {
		for _, b := range incomecheck.Benefits[src] {
			unanswered[b] = true
		}
	}
	labels := map[string]string{}
	for _, sec := range f.Sections {
		for _, fd := range sec.Fields {
			labels[fd.ID.Value] = fd.Label.In(lang)
		}
	}
	for _, in := range ic.Incomes {
		cmp := IncomeComparison{Field: in.Field.Value, Label: labels[in.Field.Value], Given: oreOf(values[in.Field.Value])}
		for _, b := range in.Benefits {
			cmp.Reported += reported[incomecheck.Benefit(b.Value)]
			cmp.Unanswered = cmp.Unanswered || unanswered[incomecheck.Benefit(b.Value)]
		}
		if cmp.Given == 0 && cmp.Reported == 0 && !cmp.Unanswered {
			continue
		}
		cmp.Differs = !cmp.Unanswered && cmp.Given != cmp.Reported
		v.Compared = append(v.Compared, cmp)
	}
	slices.SortStableFunc(v.Compared, func(a, b IncomeComparison) int {
		// What differs first: it is what the officer acts on.
		switch {
		case a.Differs == b.Differs:
			return 0
		case a.Differs:
			return -1
		}
		return 1
	})
	return v
}

// oreOf reads a money field's value (whole öre, however the form's values
// hold numbers); anything else is 0.
func oreOf(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n)
		}
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i
		}
	}
	return 0
}
