package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestRecovery: a recovery decision on journey 3's economic-assistance
// case makes a debt; repayments bring its balance down to zero and never
// below (an overpayment is a field error and writes nothing); the officer
// decides within the case type's delegation (30 000 kr), a team lead
// above it; bad input is a field error; an officer of another unit sees
// nothing; the legal bases are the case type's (decisions.recovery); a
// decision names only the case's paid payments, which the officer is
// offered; the decision and each repayment are events without the
// reason's text, and the reads are access-logged.
func TestRecovery(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine, storetest.NewClock(flowDay))
			w := packsWorld(t, db, flowDay)
			svc, actor := w.svc, w.actorFunc(t)
			officer, lead := actor("ekonom"), actor("arbetsledare")
			c := journeyCaseID(t, w.ds, "ekonomiskt_bistand")

			paid := putPaymentLines(t, db, c, store.PaymentPaid, store.PaymentPaid, store.PaymentProposed)
			r, err := svc.CaseRecovery(ctx, officer, c)
			if err != nil || !r.Applies || !r.Workable || !r.MayDecide || len(r.Debts) != 0 || r.Balance != 0 {
				t.Fatalf("before: %+v %v", r, err)
			}
			if len(r.LegalBases) != 2 || r.LegalBases[0].ID != "sol_9_1" || !strings.HasPrefix(r.BasisName("sol_9_2", "sv"), "SoL 9 kap. 2 §") {
				t.Fatalf("the pack's legal bases: %+v", r.LegalBases)
			}
			if len(r.Payments) != 2 || r.Payments[0].Status != store.PaymentPaid || r.Payments[1].Status != store.PaymentPaid {
				t.Fatalf("the case's paid payments: %+v", r.Payments)
			}
			// An elderly-care case pays nothing: no recovery there.
			if r, err := svc.CaseRecovery(ctx, actor("handlaggare"), journeyCaseID(t, w.ds, "ibic_sol_aldre")); err != nil || r.Applies {
				t.Fatalf("a case type that pays nothing: %+v %v", r, err)
			}

			bad := []struct {
				name  string
				in    service.RecoveryInput
				field string
			}{
				{"no amount", service.RecoveryInput{Reason: "x", LegalBasis: "sol_9_1"}, "amount"},
				{"a negative amount", service.RecoveryInput{Amount: -100, Reason: "x", LegalBasis: "sol_9_1"}, "amount"},
				{"too large", service.RecoveryInput{Amount: payments.MaxRecoveryAmount + 1, Reason: "x", LegalBasis: "sol_9_1"}, "amount"},
				{"no reason", service.RecoveryInput{Amount: 100, Reason: "  ", LegalBasis: "sol_9_1"}, "reason"},
				{"no legal basis", service.RecoveryInput{Amount: 100, Reason: "x"}, "legal_basis"},
				{"an unknown legal basis", service.RecoveryInput{Amount: 100, Reason: "x", LegalBasis: "sol_4_1"}, "legal_basis"},
				{"a payment id with a line break", service.RecoveryInput{Amount: 100, Reason: "x", LegalBasis: "sol_9_2", PaymentIDs: []string{"a\nb"}}, "payment_ids"},
				{"a payment not yet paid", service.RecoveryInput{Amount: 100, Reason: "x", LegalBasis: "sol_9_2", PaymentIDs: []string{paid[0], paid[2]}}, "payment_ids"},
				{"no payment of the case", service.RecoveryInput{Amount: 100, Reason: "x", LegalBasis: "sol_9_2", PaymentIDs: []string{"line-1"}}, "payment_ids"},
			}
			for _, b := range bad {
				if _, err := svc.DecideRecovery(ctx, officer, c, b.in); !hasField(err, b.field) {
					t.Errorf("%s: %v, want an invalid error on %s", b.name, err, b.field)
				}
			}
			// Above the officer's delegation of 30 000 kr: a team lead decides.
			big := service.RecoveryInput{Amount: 4_000_000, Reason: "Inkomst som inte redovisades i ansökan för mars.", LegalBasis: "sol_9_1"}
			if _, err := svc.DecideRecovery(ctx, officer, c, big); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Fatalf("above the officer's delegation: %v", err)
			}
			if _, err := svc.DecideRecovery(ctx, lead, c, big); err != nil {
				t.Fatalf("the team lead above the officer's delegation: %v", err)
			}
			// Another unit's officer: not found, nothing decided.
			if _, err := svc.DecideRecovery(ctx, actor("handlaggare"), c, big); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Fatalf("another unit's officer: %v", err)
			}
			if _, err := svc.CaseRecovery(ctx, actor("handlaggare"), c); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Fatalf("another unit's officer reads: %v", err)
			}

			reason := "Bostadstillägg betalades ut för samma månad."
			d, err := svc.DecideRecovery(ctx, officer, c, service.RecoveryInput{Amount: 250000, Reason: " " + reason + " ",
				LegalBasis: "sol_9_1", PaymentIDs: []string{paid[1], paid[0], paid[1], ""}})
			if err != nil || d.Balance() != 250000 || d.Reason != reason || strings.Join(d.PaymentIDs, ",") != paid[1]+","+paid[0] {
				t.Fatalf("decide: %+v %v", d, err)
			}

			// Repayments: bad input, then down to zero; an overpayment is refused.
			for _, b := range []struct {
				name  string
				in    service.RepaymentInput
				field string
			}{
				{"no amount", service.RepaymentInput{Date: "2026-03-01"}, "amount"},
				{"no date", service.RepaymentInput{Amount: 100}, "date"},
				{"a date that is not one", service.RepaymentInput{Date: "2026-02-30", Amount: 100}, "date"},
				{"a day ahead", service.RepaymentInput{Date: "2026-03-03", Amount: 100}, "date"},
				{"more than the balance", service.RepaymentInput{Date: "2026-03-01", Amount: 250001}, "amount"},
			} {
				if _, err := svc.RegisterRepayment(ctx, officer, c, d.ID, b.in); !hasField(err, b.field) {
					t.Errorf("repayment, %s: %v, want an invalid error on %s", b.name, err, b.field)
				}
			}
			if d, err = svc.RegisterRepayment(ctx, officer, c, d.ID, service.RepaymentInput{Date: "2026-02-27", Amount: 100000}); err != nil || d.Balance() != 150000 {
				t.Fatalf("first repayment: %+v %v", d, err)
			}
			if _, err := svc.RegisterRepayment(ctx, officer, c, d.ID, service.RepaymentInput{Date: "2026-03-02", Amount: 150001}); !hasField(err, "amount") {
				t.Fatalf("an overpayment: %v", err)
			}
			if d, err = svc.RegisterRepayment(ctx, lead, c, d.ID, service.RepaymentInput{Date: "2026-03-02", Amount: 150000}); err != nil || d.Balance() != 0 || len(d.Repayments) != 2 {
				t.Fatalf("the rest: %+v %v", d, err)
			}
			if _, err := svc.RegisterRepayment(ctx, officer, c, d.ID, service.RepaymentInput{Date: "2026-03-02", Amount: 1}); !hasField(err, "amount") {
				t.Fatalf("a repayment on a repaid debt: %v", err)
			}
			if _, err := svc.RegisterRepayment(ctx, officer, c, "no-such-debt", service.RepaymentInput{Date: "2026-03-02", Amount: 1}); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Fatalf("an unknown debt: %v", err)
			}
			// A debt of another case is not found through this one.
			other := journeyCaseID(t, w.ds, "ibic_sol_aldre")
			if _, err := svc.RegisterRepayment(ctx, lead, other, d.ID, service.RepaymentInput{Date: "2026-03-02", Amount: 1}); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Fatalf("the debt through another case: %v", err)
			}

			r, err = svc.CaseRecovery(ctx, officer, c)
			if err != nil || len(r.Debts) != 2 || r.Balance != 4_000_000 {
				t.Fatalf("after: %+v %v", r, err)
			}
			if got := r.Debts[1]; got.ID != d.ID || got.Repaid != 250000 || got.Repayments[0].PaidOn != "2026-02-27" || got.Repayments[1].Amount != 150000 {
				t.Fatalf("the repaid debt: %+v", got)
			}

			evs, err := db.CaseEvents(ctx, demo.TenantID, c, 1000)
			if err != nil {
				t.Fatal(err)
			}
			decided, repaid := 0, 0
			for _, e := range evs {
				switch e.Type {
				case "recovery.decided":
					decided++
				case "recovery.repayment_registered":
					repaid++
				}
				if strings.Contains(string(e.Payload), "Bostadstillägg") {
					t.Errorf("an event copies the reason: %s", e.Payload)
				}
			}
			if decided != 2 || repaid != 2 {
				t.Errorf("events: %d decisions and %d repayments, want 2 and 2", decided, repaid)
			}
			logged, err := db.AccessLog(ctx, demo.TenantID, store.AccessLogFilter{ActorID: officer.UserID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			reads := 0
			for _, e := range logged {
				if e.CaseID == c && e.Action == "read_case" {
					reads++
				}
			}
			if reads < 2 {
				t.Errorf("the officer's reads of the debts are not access-logged: %d entries", reads)
			}
		})
	}
}

// putPaymentLines puts payment lines of the case with the statuses
// straight into the store, one a month from January 2026, and returns
// their ids.
func putPaymentLines(t *testing.T, db *store.DB, caseID string, statuses ...string) []string {
	t.Helper()
	ctx := context.Background()
	c, err := db.CaseByID(ctx, demo.TenantID, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	err = db.Update(ctx, func(tx *store.Tx) error {
		d := store.Decision{ID: "decision-" + caseID, CaseID: c.ID, Insats: "forsorjningsstod", Outcome: "granted",
			LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-01-01", Amount: 1_000_000, Justification: "x", Status: "draft", DraftedBy: "system"}
		if err := tx.SaveDecisionDraft(ctx, demo.TenantID, d); err != nil {
			return err
		}
		if err := tx.FinaliseDecision(ctx, demo.TenantID, d.ID, "system", "2026-01-22"); err != nil {
			return err
		}
		for i, st := range statuses {
			month := fmt.Sprintf("2026-%02d", i+1)
			l := store.PaymentLine{ID: "line-" + caseID + "-" + month, CaseID: c.ID, DecisionID: d.ID, PersonID: c.PersonID,
				UnitID: c.UnitID, CaseType: c.CaseType, Item: "living", ItemName: "Försörjningsstöd", Schedule: "monthly", Period: month,
				PayeeCategory: "person", Amount: 1_000_000, DueDate: month + "-25", Status: st, PreparedBy: "system"}
			if _, err := tx.InsertPaymentLine(ctx, demo.TenantID, l); err != nil {
				return err
			}
			ids = append(ids, l.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
