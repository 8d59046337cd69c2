package service_test

// Benchmarks of the provider side on both engines: performed insatser
// reported in batches of 100 (each batch a different key, its entries on
// 100 different orders), and a provider's basis for payment for a month
// over 5,000 orders with a report every day (150,000 entries). Results:
// docs/benchmarks.md.
//
//	go test -run '^$' -bench 'ProviderReports' -benchtime 20x ./internal/service/

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

const (
	benchOrders    = 5000 // accepted home-care orders of one provider
	benchBatchSize = 100  // entries per batch
)

// seedOrders publishes the shipped packs, registers a provider and
// inserts n home-care cases, each with a final decision (already
// executed) and an accepted order from 1 October, and a 45-minute report
// on every day of October; others more such orders of another provider go
// first. It returns the provider's staff actor and its order ids. Set-up
// goes straight through the store: it is not measured.
func (env *procEnv) seedOrders(b *testing.B, n, others int) (trygg.Actor, []string) {
	b.Helper()
	ctx := context.Background()
	designer, err := env.svc.ActorByUsername(ctx, demo.TenantID, "designer")
	if err != nil {
		b.Fatal(err)
	}
	var files []store.DefinitionFile
	for _, f := range packs.Files() {
		files = append(files, store.DefinitionFile{Name: f.Name, Content: f.Content})
	}
	dv, err := env.svc.PublishDefinitions(ctx, designer, service.DefinitionsInput{Files: files})
	if err != nil {
		b.Fatal(err)
	}
	admin, err := env.svc.ActorByUsername(ctx, demo.TenantID, "admin")
	if err != nil {
		b.Fatal(err)
	}
	prov, err := env.svc.CreateProvider(ctx, admin, service.ProviderInput{Name: "Bench Omsorg AB", Kind: service.ProviderExternal,
		OrgNumber: "5598765435", Insatser: []string{"hemtjanst_omvardnad"}})
	if err != nil {
		b.Fatal(err)
	}
	other := prov
	if others > 0 {
		other, err = env.svc.CreateProvider(ctx, admin, service.ProviderInput{Name: "Bench Annan Omsorg AB", Kind: service.ProviderExternal,
			OrgNumber: "5591234561", Insatser: []string{"hemtjanst_omvardnad"}})
		if err != nil {
			b.Fatal(err)
		}
	}
	staff := trygg.Actor{Tenant: demo.TenantID, UserID: "bench-provider-staff", ProviderID: prov.ID,
		Grants: []trygg.Grant{{Role: trygg.RoleProvider, UnitID: "soc"}}}
	orders := make([]string, n)
	version := env.version
	env.version = dv.Version
	defer func() { env.version = version }()
	start := time.Now()
	env.insertCases(b, others+n, "ibic_sol_aldre", "implementation", func(tx *store.Tx, c store.Case, i int) error {
		provID := prov.ID
		if i < others {
			provID = other.ID
		}
		d := store.Decision{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, Insats: "hemtjanst_omvardnad", Outcome: process.OutcomeGranted,
			LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-10-01", Amount: 2400, Justification: "Behov.", DraftedBy: c.AssignedTo}
		if err := tx.SaveDecisionDraft(ctx, demo.TenantID, d); err != nil {
			return err
		}
		if err := tx.FinaliseDecision(ctx, demo.TenantID, d.ID, c.AssignedTo, ""); err != nil {
			return err
		}
		if err := tx.InsertExecution(ctx, demo.TenantID, c.ID, store.Execution{ID: uuid.Must(uuid.NewV7()).String(), DecisionID: d.ID,
			Kind: process.ExecExecuted, On: "2026-10-01", RecordedBy: c.AssignedTo}); err != nil {
			return err
		}
		o := store.Order{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, DecisionID: d.ID, PersonID: c.PersonID, ProviderID: provID,
			UnitID: c.UnitID, Insats: d.Insats, Amount: d.Amount, AmountUnit: process.UnitHours, ValidFrom: d.ValidFrom,
			Status: store.OrderAccepted, StartDate: "2026-10-01", Revision: 1,
			Content: store.OrderContent{Person: store.OrderPerson{Name: "Bench Person", IdentityNumber: "19400101-0000"},
				InsatsLabel: "Hemtjänst", Needs: []store.OrderNeed{{Code: "d510", Qualifier: 3}}, Goals: []store.OrderGoal{{Need: "d510", Goal: "Duscha."}}}}
		if err := tx.InsertOrder(ctx, demo.TenantID, o); err != nil {
			return err
		}
		if i >= others {
			orders[i-others] = o.ID
		}
		ps := make([]store.Performed, 30)
		for day := range ps {
			ps[day] = store.Performed{ID: uuid.Must(uuid.NewV7()).String(), OrderID: o.ID, On: fmt.Sprintf("2026-10-%02d", day+1),
				Start: "08:00", End: "08:45", Minutes: 45, Activities: []string{"d510"}, ReportedBy: staff.UserID}
		}
		return tx.InsertPerformed(ctx, demo.TenantID, provID, ps)
	})
	b.Logf("%s: %d orders with %d reports inserted in %v", env.engine, others+n, (others+n)*30, time.Since(start).Round(time.Millisecond))
	return staff, orders
}

func BenchmarkProviderReports(b *testing.B) {
	eachProcEngine(b, func(b *testing.B, env *procEnv) {
		ctx := context.Background()
		staff, orders := env.seedOrders(b, benchOrders, 0)
		b.Run("batch-100", func(b *testing.B) {
			var lat latencies
			local := make([]time.Duration, 0, b.N)
			stmts0 := env.db.Statements()
			b.ResetTimer()
			for n := range b.N {
				in := service.BatchInput{Key: fmt.Sprintf("bench-%s-%d", uuid.NewString(), n), Entries: make([]service.PerformedInput, benchBatchSize)}
				for i := range in.Entries {
					k := n*benchBatchSize + i
					in.Entries[i] = service.PerformedInput{OrderID: orders[k%len(orders)], On: fmt.Sprintf("2026-11-%02d", 1+k/len(orders)%22),
						Minutes: 30, Activities: []string{"d510"}}
				}
				t0 := time.Now()
				res, err := env.svc.ReportPerformedBatch(ctx, staff, in)
				local = append(local, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				if len(res.IDs) != benchBatchSize {
					b.Fatalf("batch wrote %d entries", len(res.IDs))
				}
			}
			b.StopTimer()
			lat.add(local)
			lat.report(b, benchBatchSize, "entries/s")
			b.ReportMetric(float64(env.db.Statements()-stmts0)/float64(b.N), "stmts/batch")
		})
		b.Run("payment-basis-5000x30", func(b *testing.B) {
			var lat latencies
			local := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				pb, err := env.svc.PaymentBasis(ctx, staff, staff.ProviderID, "2026-10")
				local = append(local, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				if len(pb.Rows) != benchOrders || pb.Minutes != benchOrders*30*45 {
					b.Fatalf("payment basis: %d rows, %d minutes", len(pb.Rows), pb.Minutes)
				}
			}
			b.StopTimer()
			lat.add(local)
			lat.report(b, 1, "bases/s")
		})
	})
}

// BenchmarkPaymentBasis is a provider's basis for payment for a month at
// 1,000 and 5,000 orders with a report every day, each size in a fresh
// database, and at 1,000 orders beside 5,000 of another provider: the time
// per order should not grow with the provider's orders, nor with the
// municipality's; the statements per basis grow only by the access log's
// multi-row inserts (one per 50 rows).
//
//	go test -run '^$' -bench 'PaymentBasis' -benchtime 5x ./internal/service/
func BenchmarkPaymentBasis(b *testing.B) {
	for _, size := range []struct{ orders, others int }{{1000, 0}, {5000, 0}, {1000, 5000}} {
		name := fmt.Sprintf("orders-%d", size.orders)
		if size.others > 0 {
			name += fmt.Sprintf("-beside-%d", size.others)
		}
		b.Run(name, func(b *testing.B) {
			eachProcEngine(b, func(b *testing.B, env *procEnv) {
				ctx := context.Background()
				n := size.orders
				staff, _ := env.seedOrders(b, n, size.others)
				var lat latencies
				local := make([]time.Duration, 0, b.N)
				stmts0 := env.db.Statements()
				b.ResetTimer()
				for range b.N {
					t0 := time.Now()
					pb, err := env.svc.PaymentBasis(ctx, staff, staff.ProviderID, "2026-10")
					local = append(local, time.Since(t0))
					if err != nil {
						b.Fatal(err)
					}
					if len(pb.Rows) != n || pb.Minutes != n*30*45 {
						b.Fatalf("payment basis: %d rows, %d minutes", len(pb.Rows), pb.Minutes)
					}
				}
				b.StopTimer()
				lat.add(local)
				lat.report(b, 1, "bases/s")
				b.ReportMetric(float64(env.db.Statements()-stmts0)/float64(b.N), "stmts/op")
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/order")
			})
		})
	}
}
