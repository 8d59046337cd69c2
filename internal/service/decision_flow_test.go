package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// flowDay is Monday 2 March 2026, 10:00 in Sweden.
var flowDay = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// packsWorld is the demo municipality with the packs (and the city's own
// rule sets) published, on day.
func packsWorld(t *testing.T, db *store.DB, day time.Time) *demoWorld {
	t.Helper()
	ds := demo.Generate(demo.Options{Persons: 60, Staff: 30, Today: day})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	svc := storetest.Service(t, db, ds.Registry())
	if _, err := svc.LoadDemo(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	return &demoWorld{svc: svc, ds: ds}
}

// journeyCaseID is the id of the demo's journey case of a case type.
func journeyCaseID(t *testing.T, ds *demo.Dataset, caseType string) string {
	t.Helper()
	for _, c := range ds.Cases {
		if c.Journey && c.CaseType == caseType {
			return c.ID
		}
	}
	t.Fatalf("no journey case of %s", caseType)
	return ""
}

// fillAndSign saves the form with values and signs it.
func fillAndSign(t *testing.T, svc *service.Service, a trygg.Actor, caseID, form string, values map[string]any) {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.SaveForm(ctx, a, caseID, form, service.FormInput{Values: values}, "sv"); err != nil {
		t.Fatalf("save %s: %v", form, err)
	}
	if _, err := svc.SignForm(ctx, a, caseID, form, "sv"); err != nil {
		t.Fatalf("sign %s: %v", form, err)
	}
}

// byInsats returns the case's decisions by insats.
func byInsats(t *testing.T, svc *service.Service, a trygg.Actor, caseID string) map[string]store.Decision {
	t.Helper()
	ds, err := svc.Decisions(context.Background(), a, caseID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Decision{}
	for _, d := range ds {
		out[d.Insats] = d
	}
	return out
}

// TestDecisionFlowHomeCare walks the home-care decisions as the decision
// page does: the extent typed in hours per month, the second decision
// starting with the first one's dates, the standard appeal notice of the
// legal basis for a refusal, and the provider chosen once with the orders
// sent in the same step once every decision is made.
func TestDecisionFlowHomeCare(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine, storetest.NewClock(flowDay))
			w := packsWorld(t, db, flowDay)
			svc, officer := w.svc, w.actorFunc(t)("handlaggare")
			c := journeyCaseID(t, w.ds, "ibic_sol_aldre")
			fillAndSign(t, svc, officer, c, "ibic_ansokan", map[string]any{"applicant_kind": "self",
				"applied_sol": []any{"hemtjanst_omvardnad", "trygghetslarm"}, "own_description": "Klarar inte duschen efter fallet."})
			if _, err := svc.Transition(ctx, officer, c, service.TransitionInput{Transition: "start_investigation"}, "sv"); err != nil {
				t.Fatal(err)
			}
			fillAndSign(t, svc, officer, c, "ibic_utredning", map[string]any{
				"needs_assessment": []any{map[string]any{"code": "d510", "qualifier": 3.0, "text": "Behöver hjälp att duscha."}},
				"own_view":         "Vill klara duschen själv igen.",
				"goals":            []any{map[string]any{"need": "d510", "goal": "Klarar duschen själv.", "follow_up_by": "2026-06-01"}}})
			if _, err := svc.Transition(ctx, officer, c, service.TransitionInput{Transition: "to_decision"}, "sv"); err != nil {
				t.Fatal(err)
			}
			ds := byInsats(t, svc, officer, c)
			home, alarm := ds["hemtjanst_omvardnad"], ds["trygghetslarm"]

			// The extent as people type it; anything else names the field.
			in := service.DecisionInput{Insats: home.Insats, Outcome: "granted", LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-03-09",
				ValidTo: "2026-12-31", Justification: "Behöver hjälp med personlig hygien.", AmountText: "fyrtio"}
			if _, err := svc.SaveDecision(ctx, officer, c, home.ID, in); !hasField(err, "amount") {
				t.Fatalf("an amount in words: %v", err)
			}
			in.AmountText = "40,5 timmar"
			if home, err := svc.SaveDecision(ctx, officer, c, home.ID, in); err != nil || home.Amount != 4050 {
				t.Fatalf("40,5 hours: %+v %v", home, err)
			}
			ov, err := svc.DecisionOverview(ctx, officer, c, home.ID, "sv")
			if err != nil || ov.AmountUnit.Format(ov.Decision.Amount, "sv") != "40,5 timmar per månad" {
				t.Fatalf("the extent in words: %+v %v", ov.AmountUnit, err)
			}
			if _, err := svc.FinaliseDecision(ctx, officer, c, home.ID); err != nil {
				t.Fatal(err)
			}

			// The alarm's draft has no dates: its page starts with the home
			// care decision's; nothing is stored until it is saved.
			ov, err = svc.DecisionOverview(ctx, officer, c, alarm.ID, "sv")
			if err != nil || ov.Decision.ValidFrom != "2026-03-09" || ov.Decision.ValidTo != "2026-12-31" || ov.DatesFrom != "Hemtjänst – personlig omvårdnad" {
				t.Fatalf("the alarm's proposed dates: %q–%q from %q, %v", ov.Decision.ValidFrom, ov.Decision.ValidTo, ov.DatesFrom, err)
			}
			if byInsats(t, svc, officer, c)["trygghetslarm"].ValidFrom != "" {
				t.Fatal("a proposal was stored")
			}
			// A refusal gets the legal basis's standard appeal notice, on
			// the page and when saved; granting again takes it away.
			standard := "Om du inte är nöjd med beslutet kan du överklaga det till förvaltningsrätten."
			alarmIn := service.DecisionInput{Insats: alarm.Insats, Outcome: "refused", LegalBasis: "SoL 4 kap. 1 §", Justification: "Grannen hjälper till."}
			saved, err := svc.SaveDecision(ctx, officer, c, alarm.ID, alarmIn)
			if err != nil || !strings.HasPrefix(saved.AppealNotice, standard) {
				t.Fatalf("a refusal's appeal notice: %q %v", saved.AppealNotice, err)
			}
			alarmIn.Outcome, alarmIn.AppealNotice = "granted", saved.AppealNotice
			alarmIn.ValidFrom, alarmIn.Justification = "2026-03-09", "Fallrisk."
			if saved, err = svc.SaveDecision(ctx, officer, c, alarm.ID, alarmIn); err != nil || saved.AppealNotice != "" {
				t.Fatalf("a grant keeps no standard appeal notice: %q %v", saved.AppealNotice, err)
			}
			// A new decision starts with the dates of the others.
			extra, err := svc.SaveDecision(ctx, officer, c, "", service.DecisionInput{Insats: "matdistribution", Outcome: "granted"})
			if err != nil || extra.ValidFrom != "2026-03-09" || extra.ValidTo != "2026-12-31" {
				t.Fatalf("a new decision's dates: %+v %v", extra, err)
			}

			// The provider, chosen for the home care while the alarm is
			// still a draft: nothing is ordered yet.
			provs, err := svc.ProvidersFor(ctx, officer, c, "trygghetslarm")
			if err != nil || len(provs) == 0 {
				t.Fatalf("providers of the alarm: %v %v", provs, err)
			}
			prov := provs[0].ID
			done, err := svc.ChooseProviderAndOrder(ctx, officer, c, home.ID, service.ChooseProviderInput{ProviderID: prov}, "sv")
			if err != nil || done.Ordered || len(done.Chosen) != 1 {
				t.Fatalf("choosing with a decision still a draft: %+v %v", done, err)
			}
			ov, err = svc.DecisionOverview(ctx, officer, c, home.ID, "sv")
			if err != nil || ov.Flow.Transition != "order" || strings.Join(ov.Flow.Undecided, ",") != "Trygghetslarm,Matdistribution" {
				t.Fatalf("the flow waits for the drafts: %+v %v", ov.Flow, err)
			}
			// The drafts decided (the extra one refused), the alarm's page
			// proposes the same provider; choosing it sends the orders.
			extraIn := service.DecisionInput{Insats: "matdistribution", Outcome: "refused", LegalBasis: "SoL 4 kap. 1 §", Justification: "Äter med grannen."}
			if _, err := svc.SaveDecision(ctx, officer, c, extra.ID, extraIn); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{alarm.ID, extra.ID} {
				if _, err := svc.FinaliseDecision(ctx, officer, c, id); err != nil {
					t.Fatalf("finalise: %v", err)
				}
			}
			ov, err = svc.DecisionOverview(ctx, officer, c, alarm.ID, "sv")
			if err != nil || ov.Flow.Proposed != prov || len(ov.Flow.Undecided) != 0 {
				t.Fatalf("the alarm's flow: %+v %v", ov.Flow, err)
			}
			done, err = svc.ChooseProviderAndOrder(ctx, officer, c, alarm.ID, service.ChooseProviderInput{ProviderID: prov}, "sv")
			if err != nil || !done.Ordered || done.Step != "implementation" {
				t.Fatalf("choosing the last provider sends the orders: %+v %v", done, err)
			}
			orders, err := svc.CaseOrders(ctx, officer, c)
			if err != nil || len(orders) != 2 {
				t.Fatalf("orders: %d %v", len(orders), err)
			}
		})
	}
}

// TestEconomicAssistanceRefusedCost: a cost the officer does not grant is
// marked as refused in the calculation and left out of the assistance;
// the draft follows the form signed again, partly granted with the
// standard appeal notice, and its amount is the calculation's.
func TestEconomicAssistanceRefusedCost(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine, storetest.NewClock(flowDay))
			w := packsWorld(t, db, flowDay)
			svc, officer := w.svc, w.actorFunc(t)("ekonom")
			c := journeyCaseID(t, w.ds, "ekonomiskt_bistand")
			values := map[string]any{"month": "2026-03-01", "applied_for": []any{"forsorjningsstod"},
				"members":      []any{map[string]any{"role": "single", "age": 34.0}, map[string]any{"role": "child", "age": 12.0}},
				"housing_cost": 750000.0, "electricity": 45000.0, "child_allowance": 125000.0}
			fillAndSign(t, svc, officer, c, "eb_ansokan", values)
			if _, err := svc.Transition(ctx, officer, c, service.TransitionInput{Transition: "assess"}, "sv"); err != nil {
				t.Fatal(err)
			}
			d := byInsats(t, svc, officer, c)["forsorjningsstod"]
			if d.Outcome != process.OutcomeGranted || d.AppealNotice != "" || strings.Contains(d.Calculation, "avslag") {
				t.Fatalf("the draft before any refusal: %+v", d)
			}
			full := d.Amount

			values["refused_costs"] = []any{"electricity"}
			fillAndSign(t, svc, officer, c, "eb_ansokan", values)
			d = byInsats(t, svc, officer, c)["forsorjningsstod"]
			if d.Outcome != process.OutcomePartly || d.Amount != full-45000 {
				t.Fatalf("after refusing the electricity: %s %d, want partly %d", d.Outcome, d.Amount, full-45000)
			}
			for _, line := range []string{"Hushållsel: 450 kr (avslag)", "Boendekostnad: 7 500 kr\n", "Beräknat bistånd: " + process.FormatMoney(full-45000)} {
				if !strings.Contains(d.Calculation, line) {
					t.Errorf("the calculation lacks %q:\n%s", line, d.Calculation)
				}
			}
			if !strings.HasPrefix(d.AppealNotice, "Om du inte är nöjd med beslutet") {
				t.Errorf("a partial grant's appeal notice: %q", d.AppealNotice)
			}

			// The amount is the calculation's: another is refused, none
			// keeps it.
			in := service.DecisionInput{Insats: d.Insats, Outcome: d.Outcome, LegalBasis: d.LegalBasis, ValidFrom: d.ValidFrom,
				Justification: "Hushållsel ingår i riksnormen för hushållet.", AppealNotice: d.AppealNotice, AmountText: "20 000 kr"}
			if _, err := svc.SaveDecision(ctx, officer, c, d.ID, in); !hasField(err, "amount") {
				t.Fatalf("another amount than the calculation's: %v", err)
			}
			in.AmountText = ""
			if d, err := svc.SaveDecision(ctx, officer, c, d.ID, in); err != nil || d.Amount != full-45000 {
				t.Fatalf("saved: %+v %v", d, err)
			}
			final, err := svc.FinaliseDecision(ctx, officer, c, d.ID)
			if err != nil || final.Amount != full-45000 || final.Calculation != d.Calculation || final.AppealBy == "" {
				t.Fatalf("final: %+v %v", final, err)
			}
		})
	}
}
