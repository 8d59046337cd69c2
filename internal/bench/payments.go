package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
)

// The payment-run workload: a month's payments for many households of
// economic assistance, as a unit makes them once a month.
const (
	// BenchPaymentHouseholds is the households of the payment run (issue
	// 16: a monthly run for 20,000 households).
	BenchPaymentHouseholds = 20000
	// benchPaymentUnit, benchPaymentOfficer and benchPaymentLead are where
	// the households' cases are, who proposes the month and who attests
	// and makes the run (the demo's economic-assistance officer and the
	// team lead of Norra).
	benchPaymentUnit    = "norra-eb"
	benchPaymentOfficer = "ekonom"
	benchPaymentLead    = "arbetsledare"
	// benchAttestBatch is how many lines one Attest call attests (the
	// service's most).
	benchAttestBatch = 1000
)

// benchPaymentDefinitions is the bench's paying case type, published with
// its other case types: a monthly payment of the decision's amount to the
// person, attested by a team lead.
const benchPaymentDefinitions = `
---
kind: code_system
id: bench_payment_insatser
version: "1"
name: {sv: Prestandatestets stöd, en: Benchmark support}
codes:
  - {code: monthly, label: {sv: Stöd per månad, en: Monthly support}}
---
kind: case_type
id: bench_payments
name: {sv: Prestandatest med utbetalningar, en: Benchmark with payments}
field: IFO
start: received
steps:
  - {id: received, name: {sv: Inkommen, en: Received}}
  - {id: closed, name: {sv: Avslutad, en: Closed}, final: true}
transitions:
  - {id: close, name: {sv: Avsluta, en: Close}, from: [received], to: closed, roles: [handlaggare]}
decisions:
  insatser: bench_payment_insatser
  legal_bases: ["SoL 4 kap. 1 §"]
  amount_unit: money
  delegation:
    - {roles: [handlaggare]}
  payments:
    attest:
      - {roles: [arbetsledare]}
    items:
      - {id: living, name: {sv: Månadsutbetalning, en: Monthly payment}, insatser: [monthly], schedule: monthly, amount: "decision.amount", payee: person, account: "4561", cost_centre: "1234"}
`

// paymentRun sets up households (not timed): a person each, a case with
// a final granted monthly decision running from last month, a payee with
// a Bankgiro account of its own and last month's line paid. Then it
// times, as one op per payment: the month proposed (ProposeMonth), the
// lines attested by the team lead, benchAttestBatch a call, and the run
// made (CreateRun: the controls and the bank file). Each phase is a row;
// the first row is the three together.
func (b *bench) paymentRun(ctx context.Context) ([]benchRow, error) {
	n := b.opt.PaymentHouseholds
	if n <= 0 {
		n = BenchPaymentHouseholds
	}
	officer, err := b.svc.ActorByUsername(ctx, demo.TenantID, benchPaymentOfficer)
	if err != nil {
		return nil, err
	}
	lead, err := b.svc.ActorByUsername(ctx, demo.TenantID, benchPaymentLead)
	if err != nil {
		return nil, err
	}
	today := calendar.Today(b.db.Now())
	month := today[:7]
	first, _ := time.Parse("2006-01-02", month+"-01")
	last := first.AddDate(0, -1, 0).Format("2006-01")
	b.progress("inserting %d households with a granted monthly decision, a payee and %s paid (not timed)", n, last)
	if err := b.seedPayments(ctx, n, officer.UserID, last); err != nil {
		return nil, err
	}
	if err := b.analyze(ctx); err != nil {
		return nil, err
	}
	if b.svc.Payer.Name == "" {
		acc, err := payments.ParseAccount(payments.KindBankgiro, "", "5402-9681")
		if err != nil {
			return nil, err
		}
		b.svc.Payer = payments.Debtor{Name: "Prestandatest kommun", Account: acc, BIC: "ESSESESS"}
	}

	b.progress("workload payment-run: %s proposed, attested and run for %d households", month, n)
	var ids []string
	var run store.PaymentRun
	phases := []struct {
		name, op string
		fn       func() error
	}{
		{"payments: month proposed", "payment", func() error {
			made, err := b.svc.ProposeMonth(ctx, officer, benchPaymentUnit, month)
			if err == nil && made < n {
				err = fmt.Errorf("ProposeMonth made %d lines, want %d", made, n)
			}
			return err
		}},
		{"payments: attested", fmt.Sprintf("payment (%d a call)", benchAttestBatch), func() error {
			lines, err := b.db.PaymentLines(ctx, lead, store.PaymentQuery{Status: store.PaymentProposed, Limit: n + 1000})
			if err != nil {
				return err
			}
			for _, l := range lines {
				if l.CaseType == "bench_payments" {
					ids = append(ids, l.ID)
				}
			}
			for from := 0; from < len(ids); from += benchAttestBatch {
				if err := b.svc.Attest(ctx, lead, ids[from:min(from+benchAttestBatch, len(ids))]); err != nil {
					return err
				}
			}
			return nil
		}},
		{"payments: run made (controls, bank file)", "payment", func() error {
			var err error
			run, err = b.svc.CreateRun(ctx, lead, service.CreateRunInput{})
			return err
		}},
	}
	var rows []benchRow
	total := benchRow{name: fmt.Sprintf("payments: monthly run for %s households", num(float64(n))), op: "payment (proposed, attested, run)", serverCPU: -1}
	for _, ph := range phases {
		done := false
		r := b.measured(ctx, ph.name, ph.op, 1, time.Hour, func(ctx context.Context, _ int) error {
			if done {
				return errWorkerDone
			}
			done = true
			return ph.fn()
		})
		if r.errors > 0 {
			return nil, fmt.Errorf("%s: %s", ph.name, r.firstErr)
		}
		r.ops = int64(n)
		total.elapsed += r.elapsed
		total.stmts += r.stmts
		total.cpu += r.cpu
		if r.serverCPU >= 0 {
			total.serverCPU = max(total.serverCPU, 0) + r.serverCPU
		}
		total.lat = append(total.lat, r.lat...)
		rows = append(rows, r)
	}
	if run.Lines < n {
		return nil, fmt.Errorf("the run has %d payments, want %d", run.Lines, n)
	}
	total.ops = int64(n)
	b.paymentNotes = append(b.paymentNotes, fmt.Sprintf("payment run: %s households of the bench's paying case type in %s, each with a granted monthly decision, "+
		"a payee with a Bankgiro account of its own and %s paid (set up through the store, not timed). Timed, one op per payment: %s proposed "+
		"(ProposeMonth), attested by the team lead %d a call (Attest, after listing the proposal), the run made (CreateRun: the controls, the bank file of "+
		"%s bytes, %s payments). The latencies are the phases'; the first row is the three together: %s s in all.",
		num(float64(n)), benchPaymentUnit, last, month, benchAttestBatch, num(float64(len(run.File))), num(float64(run.Lines)),
		fmt.Sprintf("%.1f", total.elapsed.Seconds())))
	return append([]benchRow{total}, rows...), nil
}

// seedPayments inserts n households through the store, 500 a transaction.
func (b *bench) seedPayments(ctx context.Context, n int, officerID, lastMonth string) error {
	if b.defs == 0 {
		return errors.New("bench: no definitions published")
	}
	const perTx = 500
	for from := 0; from < n; from += perTx {
		err := b.db.Update(ctx, func(tx *store.Tx) error {
			for i := from; i < min(from+perTx, n); i++ {
				p := persons.Person{ID: uuid.Must(uuid.NewV7()).String(), Identity: persons.Identity{Type: persons.IDReserve,
					Value: fmt.Sprintf("BENCH-%07d", i), Issuer: "trygg bench"}, GivenName: "Hushåll", FamilyName: fmt.Sprintf("Prestandatest %d", i)}
				if err := tx.InsertPerson(ctx, demo.TenantID, p); err != nil {
					return err
				}
				c := store.Case{ID: uuid.Must(uuid.NewV7()).String(), PersonID: p.ID, UnitID: benchPaymentUnit, CaseType: "bench_payments",
					Title: "Prestandatest", Status: "open", DefinitionVersion: b.defs, Step: "received", AssignedTo: officerID, OpenedAt: tx.Now}
				if err := tx.InsertCase(ctx, demo.TenantID, c); err != nil {
					return err
				}
				amount := int64(500000 + i%1000*100)
				d := store.Decision{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, Insats: "monthly", Outcome: process.OutcomeGranted,
					LegalBasis: "SoL 4 kap. 1 §", ValidFrom: lastMonth + "-01", Amount: amount, Justification: "Prestandatest.", DraftedBy: officerID}
				if err := tx.SaveDecisionDraft(ctx, demo.TenantID, d); err != nil {
					return err
				}
				if err := tx.FinaliseDecision(ctx, demo.TenantID, d.ID, officerID, ""); err != nil {
					return err
				}
				acc, err := payments.ParseAccount(payments.KindBankgiro, "", benchBankgiro(i))
				if err != nil {
					return err
				}
				y := store.Payee{ID: uuid.Must(uuid.NewV7()).String(), Category: store.PayeePerson, Name: p.GivenName + " " + p.FamilyName,
					PersonID: p.ID, AccountKind: string(acc.Kind), Account: store.StoredAccount(acc), AccountChangedAt: tx.Now.AddDate(-1, 0, 0),
					CreatedBy: officerID}
				if err := tx.InsertPayee(ctx, demo.TenantID, y); err != nil {
					return err
				}
				l := store.PaymentLine{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, DecisionID: d.ID, PersonID: p.ID, UnitID: benchPaymentUnit,
					CaseType: "bench_payments", Item: "living", ItemName: "Månadsutbetalning", Schedule: process.ScheduleMonthly, Period: lastMonth,
					PayeeCategory: process.PayeePerson, PayeeID: y.ID, Amount: amount, DueDate: lastMonth + "-01", Account: "4561", CostCentre: "1234",
					Status: store.PaymentPaid, PreparedBy: officerID, DecidedBy: officerID}
				if _, err := tx.InsertPaymentLine(ctx, demo.TenantID, l); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed payments: %w", err)
		}
	}
	return nil
}

// benchBankgiro is the i-th of the bench's Bankgiro numbers: 8 digits,
// the last a 10-modul check digit, different for every i below 9,000,000.
func benchBankgiro(i int) string {
	base := fmt.Sprintf("%07d", 1000000+i)
	sum := 0
	for k := range base {
		d := int(base[len(base)-1-k] - '0')
		if k%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return base + fmt.Sprint((10-sum%10)%10)
}
