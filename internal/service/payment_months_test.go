package service_test

import (
	"context"
	"testing"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/storetest"
)

// TestEconomicAssistanceEndsWithItsMonth: the pack's create_decisions
// ends the drafted decision on the last day of the month applied for, so
// the month is paid and the next one is not proposed.
func TestEconomicAssistanceEndsWithItsMonth(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine, storetest.NewClock(flowDay))
			w := packsWorld(t, db, flowDay)
			svc, officer := w.svc, w.actorFunc(t)("ekonom")
			c := journeyCaseID(t, w.ds, "ekonomiskt_bistand")
			fillAndSign(t, svc, officer, c, "eb_ansokan", map[string]any{"month": "2026-03-01", "applied_for": []any{"forsorjningsstod"},
				"members":      []any{map[string]any{"role": "single", "age": 34.0}},
				"housing_cost": 750000.0, "electricity": 45000.0})
			if _, err := svc.Transition(ctx, officer, c, service.TransitionInput{Transition: "assess"}, "sv"); err != nil {
				t.Fatal(err)
			}
			d := byInsats(t, svc, officer, c)["forsorjningsstod"]
			if d.ValidFrom != "2026-03-01" || d.ValidTo != "2026-03-31" {
				t.Fatalf("the draft runs %s to %s, want March", d.ValidFrom, d.ValidTo)
			}
			in := service.DecisionInput{Insats: d.Insats, Outcome: d.Outcome, LegalBasis: d.LegalBasis, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
				Justification: "Behovet är styrkt.", AppealNotice: d.AppealNotice}
			if _, err := svc.SaveDecision(ctx, officer, c, d.ID, in); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.FinaliseDecision(ctx, officer, c, d.ID); err != nil {
				t.Fatal(err)
			}
			march, err := svc.PaymentProposal(ctx, officer, service.PaymentFilter{CaseID: c})
			if err != nil || len(march) == 0 || march[0].Period != "2026-03" {
				t.Fatalf("March: %+v %v", march, err)
			}
			for _, month := range []string{"2026-04", "2026-05"} {
				if _, err := svc.ProposeMonth(ctx, officer, "norra-eb", month); err != nil {
					t.Fatalf("%s: %v", month, err)
				}
			}
			lines, err := svc.PaymentProposal(ctx, officer, service.PaymentFilter{CaseID: c})
			if err != nil || len(lines) != len(march) {
				t.Fatalf("after April and May: %+v %v", lines, err)
			}
		})
	}
}
