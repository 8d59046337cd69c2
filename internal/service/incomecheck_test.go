package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/incomecheck"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestIncomeCheck: the officer of an economic-assistance case asks the
// national income check about the applicant for the month applied for;
// the answer comes by agency with its sum, beside the application's
// incomes, and says where they differ. Each lookup is in the access log on
// its legal ground. An officer who may not work on the case is answered
// as for a case that does not exist, a case type without income_check and
// an application without its month are refused, and none of these asks
// the income check or logs a lookup.
func TestIncomeCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := packsWorld(t, db, flowDay)
		actor := w.actorFunc(t)
		officer := actor("ekonom")
		c := journeyCaseID(t, w.ds, "ekonomiskt_bistand")
		mother := journeyPerson(t, w.ds, "ekonomiskt_bistand")
		answered := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		file := incomecheck.NewFile()
		file.Now = func() time.Time { return answered }
		file.Add(incomecheck.Record{Identity: mother.Identity, Payments: []incomecheck.Payment{
			{Source: incomecheck.Forsakringskassan, Benefit: "child_allowance", From: "2025-01", Amount: 250000},
			{Source: incomecheck.Forsakringskassan, Benefit: "housing_allowance", From: "2026-02", Amount: 120000},
			{Source: incomecheck.UnemploymentFund, Benefit: "unemployment_insurance", From: "2026-01", To: "2026-02", Amount: 900000},
		}, Unanswered: []incomecheck.Source{incomecheck.CSN}})

		lookups := func() int {
			t.Helper()
			log, err := db.AccessLog(ctx, demo.TenantID, store.AccessLogFilter{PersonID: mother.ID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range log {
				if e.Action == string(access.IncomeCheck) {
					n++
					if e.Ground != string(access.RelIncomeCheck) || e.CaseID != c || e.ActorID != officer.UserID {
						t.Errorf("the lookup is logged as %+v", e)
					}
				}
			}
			return n
		}

		// No month yet; no income check configured.
		var te *trygg.Error
		if _, err := w.svc.IncomeCheck(ctx, officer, c, "sv"); !errors.As(err, &te) || te.Code != trygg.EInvalid || te.Fields["month"] == "" {
			t.Errorf("without the month: %v, want invalid on month", err)
		}
		if _, err := w.svc.SaveForm(ctx, officer, c, "eb_ansokan", service.FormInput{Values: map[string]any{
			"month": "2026-03-01", "child_allowance": 250000, "other_income": 10000}}, "sv"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.IncomeCheck(ctx, officer, c, "sv"); trygg.ErrorCode(err) != trygg.EUnavailable {
			t.Errorf("with no income check configured: %v, want unavailable", err)
		}
		if n := lookups(); n != 0 {
			t.Fatalf("%d lookups logged before any was made", n)
		}
		w.svc.Incomes = file

		v, err := w.svc.IncomeCheck(ctx, officer, c, "sv")
		if err != nil {
			t.Fatal(err)
		}
		if v.Month != "2026-03" || !v.Answer.AnsweredAt.Equal(answered) || v.Total != 370000 {
			t.Errorf("month %s, answered %v, total %d; want 2026-03, %v, 370000", v.Month, v.Answer.AnsweredAt, v.Total, answered)
		}
		if len(v.Sources) != 1 || v.Sources[0].Source != incomecheck.Forsakringskassan || v.Sources[0].Total != 370000 || len(v.Sources[0].Incomes) != 2 {
			t.Errorf("sources %+v, want Försäkringskassan's two payments, 3 700 kr", v.Sources)
		}
		got := map[string]service.IncomeComparison{}
		for _, cmp := range v.Compared {
			got[cmp.Field] = cmp
		}
		want := map[string]service.IncomeComparison{
			"housing_allowance": {Field: "housing_allowance", Label: "Bostadsbidrag", Given: 0, Reported: 120000, Differs: true},
			"child_allowance":   {Field: "child_allowance", Label: "Barnbidrag", Given: 250000, Reported: 250000},
			"other_income":      {Field: "other_income", Label: "Övriga inkomster", Given: 10000, Unanswered: true},
		}
		if len(got) != len(want) {
			t.Errorf("compared %+v, want %+v", v.Compared, want)
		}
		for f, cmp := range want {
			if got[f] != cmp {
				t.Errorf("%s: %+v, want %+v", f, got[f], cmp)
			}
		}
		if v.Compared[0].Field != "housing_allowance" {
			t.Errorf("what differs comes first: %+v", v.Compared)
		}
		if n := lookups(); n != 1 {
			t.Errorf("%d lookups logged, want 1", n)
		}

		// Refusals ask nothing and log nothing.
		_, missing := w.svc.IncomeCheck(ctx, officer, "no-such-case", "sv")
		_, other := w.svc.IncomeCheck(ctx, actor("handlaggare"), c, "sv")
		if trygg.ErrorCode(missing) != trygg.ENotFound || trygg.ErrorCode(other) != trygg.ENotFound || trygg.ErrorMessage(other) != trygg.ErrorMessage(missing) {
			t.Errorf("an officer of another unit: %v; a missing case: %v; want the same not found", other, missing)
		}
		home := journeyCaseID(t, w.ds, "ibic_sol_aldre")
		if _, err := w.svc.IncomeCheck(ctx, actor("handlaggare"), home, "sv"); trygg.ErrorCode(err) != trygg.EInvalid ||
			!strings.Contains(trygg.ErrorMessage(err), "no income check") {
			t.Errorf("a case type without income_check: %v, want invalid", err)
		}
		if n := lookups(); n != 1 {
			t.Errorf("%d lookups logged after the refusals, want 1", n)
		}
	})
}
