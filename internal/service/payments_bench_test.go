package service_test

// BenchmarkCreateRun: a payment run of benchRunLines attested payments on
// both engines: the lines read and locked, the controls, the bank file
// (pain.001) and the lines marked sent. Each iteration's lines are set up
// through the store, not timed. Results: docs/benchmarks.md.
//
//	go test -run '^$' -bench 'CreateRun' -benchtime 5x ./internal/service/

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

const benchRunLines = 2000

func BenchmarkCreateRun(b *testing.B) {
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			db := storetest.Open(b, engine, clock)
			world := newDemoWorld(b, db, 40, 80, clock.Now())
			svc, actor := world.svc, world.actorFunc(b)
			dv, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
				Files: []store.DefinitionFile{{Name: "stod.yaml", Content: supportYAML}}})
			if err != nil {
				b.Fatal(err)
			}
			svc.Payer = payments.Debtor{Name: "Demo kommun", Account: benchAccount(b, "5402-9681"), BIC: "ESSESESS"}
			officer, lead := actor("ekonom"), actor("arbetsledare")
			next := 0
			var stmts int64
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				err := db.Update(ctx, func(tx *store.Tx) error {
					for range benchRunLines {
						i := next
						next++
						p := persons.Person{ID: uuid.Must(uuid.NewV7()).String(), Identity: persons.Identity{Type: persons.IDReserve,
							Value: fmt.Sprintf("RUN-%07d", i), Issuer: "bench"}, GivenName: "Hushåll", FamilyName: fmt.Sprint(i)}
						if err := tx.InsertPerson(ctx, demo.TenantID, p); err != nil {
							return err
						}
						c := store.Case{ID: uuid.Must(uuid.NewV7()).String(), PersonID: p.ID, UnitID: "norra-eb", CaseType: "stod", Title: "Stöd",
							Status: "open", DefinitionVersion: dv.Version, Step: "open", AssignedTo: officer.UserID, OpenedAt: tx.Now}
						if err := tx.InsertCase(ctx, demo.TenantID, c); err != nil {
							return err
						}
						d := store.Decision{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, Insats: "manad", Outcome: process.OutcomeGranted,
							LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-12-01", Amount: 500000, Justification: "Behov.", DraftedBy: officer.UserID}
						if err := tx.SaveDecisionDraft(ctx, demo.TenantID, d); err != nil {
							return err
						}
						if err := tx.FinaliseDecision(ctx, demo.TenantID, d.ID, officer.UserID, ""); err != nil {
							return err
						}
						acc := benchAccount(b, bankgiro(100000+i))
						y := store.Payee{ID: uuid.Must(uuid.NewV7()).String(), Category: store.PayeePerson, Name: "Hushåll", PersonID: p.ID,
							AccountKind: string(acc.Kind), Account: store.StoredAccount(acc), AccountChangedAt: tx.Now, CreatedBy: officer.UserID}
						if err := tx.InsertPayee(ctx, demo.TenantID, y); err != nil {
							return err
						}
						l := store.PaymentLine{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, DecisionID: d.ID, PersonID: p.ID, UnitID: "norra-eb",
							CaseType: "stod", Item: "living", ItemName: "Försörjningsstöd", Schedule: process.ScheduleMonthly, Period: "2026-12",
							PayeeCategory: process.PayeePerson, PayeeID: y.ID, Amount: 500000, DueDate: "2026-12-03", Status: store.PaymentProposed,
							PreparedBy: officer.UserID, DecidedBy: officer.UserID}
						if _, err := tx.InsertPaymentLine(ctx, demo.TenantID, l); err != nil {
							return err
						}
						if err := tx.AttestPaymentLine(ctx, demo.TenantID, l.ID, lead.UserID, ""); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				s0 := db.Statements()
				b.StartTimer()
				run, err := svc.CreateRun(ctx, lead, service.CreateRunInput{})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				stmts += db.Statements() - s0
				if run.Lines != benchRunLines {
					b.Fatalf("the run has %d lines, want %d", run.Lines, benchRunLines)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*benchRunLines), "µs/payment")
			b.ReportMetric(float64(stmts)/float64(b.N*benchRunLines), "stmts/payment")
		})
	}
}

// benchAccount parses a Bankgiro number or fails the benchmark.
func benchAccount(tb testing.TB, number string) payments.Account {
	tb.Helper()
	a, err := payments.ParseAccount(payments.KindBankgiro, "", number)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}
