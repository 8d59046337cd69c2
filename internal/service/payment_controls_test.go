package service_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// bankgiro returns a valid Bankgiro number (7 digits and a 10-modul check
// digit) made from n, so each test payee has an account of its own.
func bankgiro(n int) string {
	base := fmt.Sprintf("%07d", 5000000+n)
	sum := 0
	for i := range base {
		d := int(base[len(base)-1-i] - '0')
		if i%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return base + fmt.Sprint((10-sum%10)%10)
}

// paymentsWorld is the demo municipality with supportYAML published and
// the payer configured, and helpers to open paying cases.
type paymentsWorld struct {
	t     *testing.T
	db    *store.DB
	svc   *service.Service
	ds    *demo.Dataset
	actor func(string) trygg.Actor
	free  []persons.Person // persons of the demo without a payee
}

func newPaymentsWorld(t *testing.T, engine string, clock *storetest.Clock) *paymentsWorld {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, engine, clock)
	world := newDemoWorld(t, db, 40, 80, clock.Now())
	w := &paymentsWorld{t: t, db: db, svc: world.svc, ds: world.ds, actor: world.actorFunc(t)}
	if _, err := w.svc.PublishDefinitions(ctx, w.actor("designer"), service.DefinitionsInput{
		Files: []store.DefinitionFile{{Name: "stod.yaml", Content: supportYAML}}}); err != nil {
		t.Fatal(err)
	}
	w.svc.Payer = payments.Debtor{Name: "Demo kommun", Account: mustAccount(t, payments.KindBankgiro, "", "5402-9681"), BIC: "ESSESESS"}
	for _, p := range w.ds.Persons {
		if p.Protection != persons.ProtectionNone {
			continue
		}
		if _, err := db.PersonPayee(ctx, demo.TenantID, p.ID); err == nil {
			continue
		}
		w.free = append(w.free, p)
	}
	return w
}

// person returns the i-th person without a payee.
func (w *paymentsWorld) person(i int) persons.Person {
	w.t.Helper()
	if i >= len(w.free) {
		w.t.Fatalf("the demo has only %d persons without a payee", len(w.free))
	}
	return w.free[i]
}

// decide opens a case of stod for p in unit by officer, signs the form
// with extra, and makes the decision in final.
func (w *paymentsWorld) decide(officer trygg.Actor, unit string, p persons.Person, extra int, in service.DecisionInput) (store.Case, store.Decision) {
	t := w.t
	t.Helper()
	ctx := context.Background()
	c, err := w.svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: p.Identity.String()},
		UnitID: unit, CaseType: "stod", Title: "Stöd"})
	if err != nil {
		t.Fatal(err)
	}
	fillAndSign(t, w.svc, officer, c.ID, "stod_ansokan", map[string]any{"extra": extra})
	in.LegalBasis, in.Justification = "SoL 4 kap. 1 §", "Behovet är styrkt."
	d, err := w.svc.SaveDecision(ctx, officer, c.ID, "", in)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = w.svc.FinaliseDecision(ctx, officer, c.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	return c, d
}

// payee registers a Bankgiro payee for p.
func (w *paymentsWorld) payee(officer trygg.Actor, p persons.Person, bg string) store.Payee {
	w.t.Helper()
	y, err := w.svc.RegisterPayee(context.Background(), officer, service.PayeeInput{Category: store.PayeePerson, PersonID: p.ID,
		AccountInput: service.AccountInput{Kind: "bankgiro", Number: bg}})
	if err != nil {
		w.t.Fatal(err)
	}
	return y
}

// attestAll attests every proposed line the team lead sees and makes a
// run.
func (w *paymentsWorld) attestAndRun(lead trygg.Actor) store.PaymentRun {
	t := w.t
	t.Helper()
	ctx := context.Background()
	lines, err := w.svc.PaymentProposal(ctx, lead, service.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range lines {
		ids = append(ids, l.ID)
	}
	if err := w.svc.Attest(ctx, lead, ids); err != nil {
		t.Fatal(err)
	}
	run, err := w.svc.CreateRun(ctx, lead, service.CreateRunInput{})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

var identityNumber = regexp.MustCompile(`\d{6}[-+]?\d{4}`)

// TestPaymentControls makes a run in which each control fires on one
// person and not on the others: one account on two persons, an account
// changed two days before the attest (and one changed 32 days before,
// outside the default 30 days), a one-off above its decision, a person paid
// from two units; each finding once, a task in the unit's team inbox
// with a title that names no one, an event; a second run finds only what
// is new.
func TestPaymentControls(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC))
			w := newPaymentsWorld(t, engine, clock)
			ekonom, lss, lead := w.actor("ekonom"), w.actor("lss"), w.actor("arbetsledare")
			monthly := func(amount int64) service.DecisionInput {
				return service.DecisionInput{Insats: "manad", Outcome: "granted", ValidFrom: "2026-12-01", ValidTo: "2027-02-28", Amount: amount}
			}
			// Changed 32 days before the attest: outside 30 days.
			oldChange := w.person(5)
			oldCase, _ := w.decide(ekonom, "norra-eb", oldChange, 0, monthly(300000))
			y := w.payee(ekonom, oldChange, bankgiro(5))
			if _, err := w.svc.ChangePayeeAccount(ctx, ekonom, y.ID, service.AccountInput{Kind: "bankgiro", Number: bankgiro(50)}); err != nil {
				t.Fatal(err)
			}
			clock.Advance(32 * 24 * time.Hour) // 2026-12-03

			shared1, shared2, above, changed, twoUnits := w.person(0), w.person(1), w.person(2), w.person(3), w.person(4)
			shared1Case, _ := w.decide(ekonom, "norra-eb", shared1, 0, monthly(500000))
			shared2Case, _ := w.decide(ekonom, "norra-eb", shared2, 0, monthly(400000))
			w.payee(ekonom, shared1, bankgiro(1))
			w.payee(ekonom, shared2, bankgiro(1))
			aboveCase, _ := w.decide(ekonom, "norra-eb", above, 25000, service.DecisionInput{Insats: "engang", Outcome: "granted",
				ValidFrom: "2026-12-10", Amount: 100000})
			w.payee(ekonom, above, bankgiro(2))
			changedCase, _ := w.decide(ekonom, "norra-eb", changed, 0, monthly(200000))
			y = w.payee(ekonom, changed, bankgiro(3))
			clock.Advance(time.Hour)
			if _, err := w.svc.ChangePayeeAccount(ctx, ekonom, y.ID, service.AccountInput{Kind: "bankgiro", Number: bankgiro(30)}); err != nil {
				t.Fatal(err)
			}
			unitA, _ := w.decide(ekonom, "norra-eb", twoUnits, 0, monthly(300000))
			unitB, _ := w.decide(lss, "norra-fs", twoUnits, 0, monthly(100000))
			w.payee(ekonom, twoUnits, bankgiro(4))
			clock.Advance(2 * 24 * time.Hour)

			before, err := w.db.Events(ctx, demo.TenantID, 0, 1000000)
			if err != nil {
				t.Fatal(err)
			}
			run := w.attestAndRun(lead)
			if run.Lines != 7 {
				t.Fatalf("the run has %d lines, want 7", run.Lines)
			}
			findings, err := w.svc.RunFindings(ctx, lead, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{} // kind -> cases
			for _, f := range findings {
				got[f.Kind] = append(got[f.Kind], f.CaseID)
				if f.Title == "" || !strings.HasPrefix(f.Title, "Kontroll: ") || identityNumber.MatchString(f.Title) || f.Done {
					t.Errorf("finding %s: title %q, done %v", f.Kind, f.Title, f.Done)
				}
			}
			want := map[string][]string{
				service.ControlSharedAccount:  {shared1Case.ID, shared2Case.ID}, // either: one finding for the account
				service.ControlAccountChanged: {changedCase.ID},
				service.ControlAboveDecided:   {aboveCase.ID},
				service.ControlTwoUnits:       {unitA.ID, unitB.ID}, // either: one finding for the person and month
			}
			for kind, cases := range want {
				if len(got[kind]) != 1 || !slices.Contains(cases, got[kind][0]) {
					t.Errorf("%s: found on %v, want one of %v", kind, got[kind], cases)
				}
			}
			if len(findings) != 4 {
				t.Errorf("%d findings, want 4: %+v", len(findings), findings)
			}
			for _, f := range findings {
				if f.CaseID == oldCase.ID {
					t.Errorf("the account changed 32 days before was flagged: %+v", f)
				}
				if f.Kind == service.ControlAboveDecided && (f.Decided != 100000 || f.Paid != 125000) {
					t.Errorf("above the decision: decided %d, paid %d", f.Decided, f.Paid)
				}
			}
			// Each is a task in the unit's team inbox (no assignee).
			for _, f := range findings {
				tasks, err := w.db.CaseOpenTasks(ctx, demo.TenantID, f.CaseID, "2026-12-05")
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(tasks, func(tk store.Task) bool { return tk.ID == f.TaskID })
				if i < 0 || tasks[i].Kind != service.TaskPaymentControl || tasks[i].Assignee != "" || tasks[i].UnitID != f.UnitID {
					t.Errorf("%s: the task %+v", f.Kind, tasks)
				}
			}
			inbox, err := w.svc.Inbox(ctx, lead, service.InboxInput{Team: true})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, tk := range inbox.Tasks {
				if tk.Kind == service.TaskPaymentControl {
					n++
				}
			}
			if n != 4 {
				t.Errorf("the team lead's team inbox has %d control tasks, want 4", n)
			}
			after, err := w.db.Events(ctx, demo.TenantID, 0, 1000000)
			if err != nil {
				t.Fatal(err)
			}
			evs := 0
			for _, e := range after[len(before):] {
				if e.Type == events.PaymentControlFinding {
					evs++
				}
			}
			if evs != 4 {
				t.Errorf("%d control events, want 4", evs)
			}
			if _, err := w.svc.RunFindings(ctx, ekonom, run.ID); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Errorf("an officer reads the findings: %v", err)
			}

			// January: the shared account and the changed account were
			// found already; the person is paid from two units again, a
			// new month.
			for _, u := range []struct {
				a    trygg.Actor
				unit string
			}{{ekonom, "norra-eb"}, {lss, "norra-fs"}} {
				if _, err := w.svc.ProposeMonth(ctx, u.a, u.unit, "2027-01"); err != nil {
					t.Fatal(err)
				}
			}
			run2 := w.attestAndRun(lead)
			findings, err = w.svc.RunFindings(ctx, lead, run2.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(findings) != 1 || findings[0].Kind != service.ControlTwoUnits {
				t.Errorf("the second run's findings: %+v", findings)
			}
		})
	}
}

// TestRepayRejected pays again a payment the bank rejected once the
// payee's account is corrected: a new line replacing it, attested by
// another and paid in the next run; the same line cannot be paid again
// twice, a line not rejected cannot, and the month is not proposed again.
func TestRepayRejected(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			w := newPaymentsWorld(t, engine, clock)
			ekonom, lead := w.actor("ekonom"), w.actor("arbetsledare")
			p := w.person(0)
			c, d := w.decide(ekonom, "norra-eb", p, 0, service.DecisionInput{Insats: "manad", Outcome: "granted", ValidFrom: "2026-12-01",
				ValidTo: "2027-01-31", Amount: 500000})
			y := w.payee(ekonom, p, bankgiro(1))
			run := w.attestAndRun(lead)
			lines, err := w.svc.PaymentProposal(ctx, lead, service.PaymentFilter{Status: store.PaymentSent, CaseID: c.ID})
			if err != nil || len(lines) != 1 {
				t.Fatalf("sent: %+v %v", lines, err)
			}
			rejected := lines[0]
			if _, err := w.svc.RepayRejected(ctx, ekonom, rejected.ID); trygg.ErrorCode(err) != trygg.EConflict {
				t.Fatalf("paying again a line not rejected: %v", err)
			}
			report := statusReport(run.MessageID, map[string]string{strings.ReplaceAll(rejected.ID, "-", ""): "RJCT"})
			if _, err := w.svc.ReadStatusReport(ctx, lead, run.ID, strings.NewReader(report)); err != nil {
				t.Fatal(err)
			}
			rejectedTasks := func() int {
				t.Helper()
				tasks, err := w.db.CaseOpenTasks(ctx, demo.TenantID, c.ID, "2026-12-03")
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, task := range tasks {
					if task.Kind == service.TaskPaymentRejected {
						n++
					}
				}
				return n
			}
			if n := rejectedTasks(); n != 1 {
				t.Fatalf("open tasks of the rejection: %d, want 1", n)
			}
			// The account is corrected, then the payment made again.
			clock.Advance(24 * time.Hour)
			if _, err := w.svc.ChangePayeeAccount(ctx, ekonom, y.ID, service.AccountInput{Kind: "bankgiro", Number: bankgiro(2)}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.RepayRejected(ctx, w.actor("handlaggare"), rejected.ID); err == nil {
				t.Fatal("an officer of another unit paid again")
			}
			again, err := w.svc.RepayRejected(ctx, ekonom, rejected.ID)
			if err != nil {
				t.Fatal(err)
			}
			if again.Replaces != rejected.ID || again.Amount != 500000 || again.Period != "2026-12" || again.Status != store.PaymentProposed ||
				again.PreparedBy != ekonom.UserID || again.DueDate != "2026-12-04" || again.PayeeID != y.ID || again.DecisionID != d.ID {
				t.Fatalf("the new line: %+v", again)
			}
			if n := rejectedTasks(); n != 0 {
				t.Fatalf("paid again, the rejection's task is still open (%d)", n)
			}
			// Nothing is paid twice: not again, not by a month proposed
			// again, not by the store.
			if _, err := w.svc.RepayRejected(ctx, ekonom, rejected.ID); trygg.ErrorCode(err) != trygg.EConflict {
				t.Fatalf("paying again twice: %v", err)
			}
			if n, err := w.svc.ProposeMonth(ctx, ekonom, "norra-eb", "2026-12"); err != nil || n != 0 {
				t.Fatalf("December proposed again: %d %v", n, err)
			}
			err = w.db.Update(ctx, func(tx *store.Tx) error {
				dup := again
				dup.ID = "another-line"
				added, err := tx.InsertPaymentLine(ctx, demo.TenantID, dup)
				if err == nil && added {
					err = fmt.Errorf("a second replacement of the same line was stored")
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// Whoever paid it again cannot attest it; the team lead does,
			// and the run pays it to the corrected account, flagging the
			// change made just before.
			if err := w.svc.Attest(ctx, ekonom, []string{again.ID}); !hasField(err, "lines") {
				t.Fatalf("the officer attests what she paid again: %v", err)
			}
			run2 := w.attestAndRun(lead)
			if run2.Lines != 1 || run2.Total != 500000 || !strings.Contains(string(run2.File), "<Id>"+bankgiro(2)+"</Id>") {
				t.Fatalf("the second run: %+v\n%s", run2, run2.File)
			}
			findings, err := w.svc.RunFindings(ctx, lead, run2.ID)
			if err != nil || len(findings) != 1 || findings[0].Kind != service.ControlAccountChanged || findings[0].LineID != again.ID {
				t.Fatalf("the second run's findings: %+v %v", findings, err)
			}
			report = statusReport(run2.MessageID, map[string]string{strings.ReplaceAll(again.ID, "-", ""): "ACSC"})
			if _, err := w.svc.ReadStatusReport(ctx, lead, run2.ID, strings.NewReader(report)); err != nil {
				t.Fatal(err)
			}
			paid, err := w.svc.PaymentProposal(ctx, lead, service.PaymentFilter{Status: store.PaymentPaid, CaseID: c.ID})
			if err != nil || len(paid) != 1 || paid[0].ID != again.ID {
				t.Fatalf("paid: %+v %v", paid, err)
			}
			if _, err := w.svc.RepayRejected(ctx, ekonom, again.ID); trygg.ErrorCode(err) != trygg.EConflict {
				t.Fatalf("paying again a paid line: %v", err)
			}
			// January follows the first line, once.
			if n, err := w.svc.ProposeMonth(ctx, ekonom, "norra-eb", "2027-01"); err != nil || n != 1 {
				t.Fatalf("January: %d %v", n, err)
			}
		})
	}
}
