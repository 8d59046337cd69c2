package analytics_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// generatedLog appends to db a generated event log of cases cases in two
// districts, a case's life in about 30 events: the person registered,
// the case opened (half of them from Mina sidor), a deadline started and
// met or overdue, steps, a signed assessment with codes, journal notes
// (which analysis skips), a decision executed, an order with a plan
// written twice and reports (one corrected), payments (one stopped), the
// case closed. It returns how many events it appended.
func generatedLog(tb testing.TB, db *store.DB, cases int) int {
	tb.Helper()
	ctx := context.Background()
	start := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	units := []string{"norr-eb", "syd-lss"}
	n := 0
	appendAt := func(at time.Time, evs []events.Event) {
		db.ReplayAt(at)
		defer db.ReplayAt(time.Time{})
		err := db.Update(ctx, func(tx *store.Tx) error {
			for _, e := range evs {
				if _, err := tx.AppendEvent(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
		n += len(evs)
	}
	appendAt(start, []events.Event{
		ev(events.UnitCreated, "unit", "soc", "", "", map[string]any{"id": "soc", "name": "Socialförvaltningen", "kind": "forvaltning"}),
		ev(events.UnitCreated, "unit", "norr", "", "", map[string]any{"id": "norr", "parent_id": "soc", "name": "Norra", "kind": "avdelning"}),
		ev(events.UnitCreated, "unit", "norr-eb", "", "", map[string]any{"id": "norr-eb", "parent_id": "norr", "name": "EB", "kind": "enhet"}),
		ev(events.UnitCreated, "unit", "syd", "", "", map[string]any{"id": "syd", "parent_id": "soc", "name": "Södra", "kind": "avdelning"}),
		ev(events.UnitCreated, "unit", "syd-lss", "", "", map[string]any{"id": "syd-lss", "parent_id": "syd", "name": "LSS", "kind": "enhet"}),
	})
	// Cases are appended a day's worth at a time, their lives
	// interleaved, as the log of a municipality is.
	const perDay = 25
	for first := 0; first < cases; first += perDay {
		day := start.AddDate(0, 0, first/perDay)
		date := day.Format(time.DateOnly)
		var evs []events.Event
		for i := first; i < min(first+perDay, cases); i++ {
			person := fmt.Sprintf("gperson-%06d", i*8/10)
			cs := fmt.Sprintf("gcase-%06d", i)
			dec := fmt.Sprintf("gdecision-%06d", i)
			order := fmt.Sprintf("gorder-%06d", i)
			unit := units[i%2]
			if i*8/10 != (i-1)*8/10 || i == 0 {
				evs = append(evs, ev(events.PersonRegistered, "person", person, person, "",
					map[string]any{"birth_month": fmt.Sprintf("%d-%02d", 1940+i%70, 1+i%12), "sex": []string{"F", "M"}[i%2]}))
			}
			evs = append(evs, ev(events.CaseOpened, "case", cs, person, cs,
				map[string]any{"unit_id": unit, "case_type": []string{"eb", "lss", "bbic"}[i%3], "step": "received", "received_date": date}))
			if i%2 == 0 {
				evs = append(evs, ev(events.ApplicationSubmitted, "application", "gapp-"+cs, person, cs, map[string]any{}))
			}
			evs = append(evs,
				ev(events.DeadlineStarted, "case", cs, person, cs, map[string]any{"deadline_id": "utredning", "due_date": day.AddDate(0, 4, 0).Format(time.DateOnly)}),
				ev(events.CaseTransitioned, "case", cs, person, cs, map[string]any{"from": "received", "to": "investigation"}),
				ev(events.NoteSigned, "note", "gnote-a-"+cs, person, cs, map[string]any{"kind": "journal"}),
				ev(events.FormSigned, "form_entry", "gform-"+cs, person, cs, map[string]any{"codes": []map[string]any{
					{"code_system": "icf", "code": fmt.Sprintf("d%d", 510+i%7), "qualifier": 1 + i%4},
					{"code_system": "icf", "code": "d640", "qualifier": 2}}}),
				ev(events.NoteSigned, "note", "gnote-b-"+cs, person, cs, map[string]any{"kind": "journal"}),
				ev(events.DeadlineExtended, "case", cs, person, cs, map[string]any{"deadline_id": "utredning", "due_date": day.AddDate(0, 5, 0).Format(time.DateOnly)}),
				ev(events.CaseTransitioned, "case", cs, person, cs, map[string]any{"from": "investigation", "to": "decision"}),
				ev(events.DeadlineMet, "case", cs, person, cs, map[string]any{"deadline_id": "utredning"}),
				ev(events.DecisionMade, "decision", dec, person, cs, map[string]any{"insats": []string{"hemtjanst", "kontaktperson"}[i%2],
					"outcome": []string{"granted", "granted", "partly", "refused"}[i%4], "valid_from": date, "valid_to": day.AddDate(1, 0, 0).Format(time.DateOnly),
					"amount": 10 + i%30, "amount_unit": "hours", "amount_period": "month"}),
				ev(events.DeadlineStarted, "case", cs, person, cs, map[string]any{"deadline_id": "uppfoljning", "due_date": day.AddDate(0, 6, 0).Format(time.DateOnly)}),
				ev(events.DecisionExecution, "decision", dec, person, cs, map[string]any{"kind": "executed", "on": day.AddDate(0, 0, i%100).Format(time.DateOnly)}),
				ev(events.OrderSent, "order", order, person, cs, map[string]any{"decision_id": dec, "provider_id": "prov-1", "unit_id": unit,
					"insats": "hemtjanst", "amount": 10 + i%30, "amount_unit": "hours", "valid_from": date, "status": "sent", "start_date": date}),
				ev(events.OrderAccepted, "order", order, person, cs, map[string]any{"decision_id": dec, "provider_id": "prov-1", "unit_id": unit,
					"insats": "hemtjanst", "amount": 10 + i%30, "amount_unit": "hours", "valid_from": date, "status": "accepted", "start_date": date}),
				ev(events.OrderPlanWritten, "order", order, person, cs, map[string]any{"version": 1, "participation": "full", "activities": 2, "codes": []string{"d510", "d640"}}),
				ev(events.OrderPlanWritten, "order", order, person, cs, map[string]any{"version": 2, "participation": "partly", "activities": 3, "codes": []string{"d640", "d540"}}),
				ev(events.OrderPerformed, "order", order, person, cs, map[string]any{"entries": []map[string]any{
					{"id": "gperf-1-" + cs, "on": date, "minutes": 30 + i%60, "activities": []string{"d640"}},
					{"id": "gperf-2-" + cs, "on": date, "minutes": 45, "activities": []string{"d510"}, "deviation": []string{"", "cancelled"}[i%2]}}}),
				ev(events.OrderPerformed, "order", order, person, cs, map[string]any{"entries": []map[string]any{
					{"id": "gperf-3-" + cs, "on": date, "minutes": 20, "activities": []string{"d640"}, "corrects": "gperf-1-" + cs}}}),
				ev(events.NoteSigned, "note", "gnote-c-"+cs, person, cs, map[string]any{"kind": "journal"}),
				ev(events.PaymentProposed, "payment_line", "gline-1-"+cs, person, cs, map[string]any{"decision_id": dec, "item": "norm",
					"period": date[:7], "amount": 500000 + i, "payee_category": "applicant", "due_date": date}),
				ev(events.PaymentProposed, "payment_line", "gline-2-"+cs, person, cs, map[string]any{"decision_id": dec, "item": "rent",
					"period": date[:7], "amount": 700000, "payee_category": "applicant", "due_date": date}),
				ev(events.PaymentPayeeChosen, "payment_line", "gline-1-"+cs, person, cs, map[string]any{"category": "landlord"}),
				ev(events.PaymentAttested, "payment_line", "gline-1-"+cs, person, cs, map[string]any{}),
				ev(events.PaymentPaid, "payment_line", "gline-1-"+cs, person, cs, map[string]any{}),
				ev(events.PaymentStopped, "payment_line", "gline-3-"+cs, person, cs, map[string]any{"reverses": "gline-2-" + cs}),
			)
			if i%5 == 0 {
				evs = append(evs, ev(events.DeadlineOverdue, "case", cs, person, cs, map[string]any{"deadline_id": "uppfoljning"}))
			}
			if i%7 == 0 { // a deadline due days ago, met late today
				evs = append(evs, ev(events.DeadlineStarted, "case", cs, person, cs, map[string]any{"deadline_id": "beslut",
					"due_date": day.AddDate(0, 0, -1-i%4).Format(time.DateOnly)}),
					ev(events.DeadlineMet, "case", cs, person, cs, map[string]any{"deadline_id": "beslut"}))
			}
			if i%3 != 0 {
				evs = append(evs, ev(events.CaseClosed, "case", cs, person, cs, map[string]any{}))
			}
		}
		appendAt(day, evs)
	}
	return n
}

// generatedSetup returns a main store of engine with the tenant and a
// generated log of cases cases, an analysis store beside it, how many
// events the log holds and the main store's DSN.
func generatedSetup(tb testing.TB, engine string, cases int) (*store.DB, *analytics.Store, int, string) {
	tb.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(tb, engine)
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := storetest.Service(tb, db, nil).CreateTenant(ctx, org.Tenant{ID: tenant, Name: "Test", MunicipalityCode: "0000"}); err != nil {
		tb.Fatal(err)
	}
	st, err := analytics.Open(ctx, analytics.DefaultDSN(dsn))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	generatedLog(tb, db, cases)
	last, err := db.LastEventSeq(ctx, tenant)
	if err != nil {
		tb.Fatal(err)
	}
	return db, st, int(last), dsn
}

// TestRebuildEqualsIncrementalGenerated projects a generated log of 300
// cases in batches of 7 events, whose boundaries fall inside cases'
// lives, then rebuilds it from zero in the rebuild's large batches: every
// table holds the same rows, on both engines.
func TestRebuildEqualsIncrementalGenerated(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, st, total, _ := generatedSetup(t, engine, 300)
			pr, err := analytics.NewProjector(ctx, db, st, testKey, nil)
			if err != nil {
				t.Fatal(err)
			}
			pr.Batch = 7
			if n, err := pr.CatchUp(ctx); err != nil || n != total {
				t.Fatalf("incremental: %d events, %v; want %d", n, err, total)
			}
			incremental, err := st.Dump(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pr.Batch = 0
			if n, err := pr.Rebuild(ctx); err != nil || n != total {
				t.Fatalf("rebuild: %d events, %v; want %d", n, err, total)
			}
			rebuilt, err := st.Dump(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for table, rows := range incremental {
				// meta and the marks of sets of persons still to write
				// (settled when a catch-up ends) are empty.
				if len(rows) == 0 && table != "meta" && !strings.HasPrefix(table, "need_pending_") {
					t.Errorf("%s is empty", table)
				}
				if !reflect.DeepEqual(rows, rebuilt[table]) {
					t.Errorf("%s differs after the rebuild: %d rows incremental, %d rebuilt", table, len(rows), len(rebuilt[table]))
				}
			}
			if os.Getenv("TRYGG_ANALYTICS_DUMP") != "" {
				f, err := os.Create(os.Getenv("TRYGG_ANALYTICS_DUMP") + "." + engine)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				for _, table := range []string{"dim_units", "dim_persons", "dim_case_types", "dim_insatser", "dim_codes", "fact_cases",
					"fact_case_steps", "fact_decisions", "fact_orders", "fact_plans", "fact_performed", "fact_deadlines", "fact_payments", "fact_codes"} {
					for _, r := range rebuilt[table] {
						fmt.Fprintln(f, table, r)
					}
				}
			}
		})
	}
}

// TestBatchReadsOnce: a batch reads the analysis store once, however many
// cases, orders, deadlines and payment lines its events name (the cursor
// and those records together: on PostgreSQL one round trip), so the
// projector's pace does not wait on a round trip per case; and a
// projector that reads each record when it meets it instead fills the
// same store. Both engines, a generated log of 100 cases in batches of
// 50 events, whose boundaries fall inside cases' lives.
func TestBatchReadsOnce(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, st, total, _ := generatedSetup(t, engine, 100)
			project := func(whenMet bool) (map[string][]string, int) {
				t.Helper()
				if err := st.Drop(ctx); err != nil {
					t.Fatal(err)
				}
				pr, err := analytics.NewProjector(ctx, db, st, testKey, nil)
				if err != nil {
					t.Fatal(err)
				}
				if whenMet {
					analytics.ReadWhenMet(pr)
				}
				pr.Batch = 50
				if n, err := pr.CatchUp(ctx); err != nil || n != total {
					t.Fatalf("%d events, %v; want %d", n, err, total)
				}
				dump, err := st.Dump(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return dump, analytics.BatchReads(pr)
			}
			prefetched, reads := project(false)
			batches := (total + 49) / 50
			if reads != batches {
				t.Errorf("%d batches read the store %d times, want once each", batches, reads)
			}
			whenMet, readsWhenMet := project(true)
			if readsWhenMet < 5*batches {
				t.Errorf("reading each record when met: %d reads in %d batches, want many more", readsWhenMet, batches)
			}
			for table, rows := range prefetched {
				if !reflect.DeepEqual(rows, whenMet[table]) {
					t.Errorf("%s differs when each record is read when met: %d rows, %d", table, len(rows), len(whenMet[table]))
				}
			}
		})
	}
}

// BenchmarkProject rebuilds the analysis store from a generated log of
// TRYGG_BENCH_PROJECT_CASES cases (2,000 when unset, about 30 events
// each) on each engine, and reports events projected a second and the
// CPU per event: of this process (cpu-µs/event, on SQLite the
// database's work too) and of the PostgreSQL server (pg-cpu-µs/event).
// With TRYGG_BENCH_PROJECT_DB (a main store, e.g. one `trygg bench
// --keep` left) it rebuilds that store's log of tenant
// TRYGG_BENCH_PROJECT_TENANT instead, into a fresh analysis store (a
// SQLite file, or the database's schema analytics for a postgres:// URL);
// with TRYGG_BENCH_PROJECT_LIVE (on either log), as a server catches up
// from an empty store instead (batches of 10,000 while 10,000 or more
// behind, then of 1,000, indexes and summaries kept batch by batch), or,
// when it is a number, in batches of at most that many all the way, as a
// server near the log writes them.
func BenchmarkProject(b *testing.B) {
	if dsn := os.Getenv("TRYGG_BENCH_PROJECT_DB"); dsn != "" {
		ctx := context.Background()
		db, err := store.Open(ctx, dsn, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		adsn, postmaster := filepath.Join(b.TempDir(), "analytics.db"), 0
		if analytics.DefaultDSN(dsn) == dsn {
			adsn, postmaster = dsn, pgServer(b, dsn)
		}
		st, err := analytics.Open(ctx, adsn)
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		if err := st.Drop(ctx); err != nil { // the schema may hold the bench's, made with its key
			b.Fatal(err)
		}
		pr, err := analytics.NewProjector(ctx, db, st, testKey, nil)
		if err != nil {
			b.Fatal(err)
		}
		total := 0
		cpu, server := ownCPU(), serverCPU(postmaster)
		for b.Loop() {
			project := pr.Rebuild
			if os.Getenv("TRYGG_BENCH_PROJECT_LIVE") != "" { // as a server catches up: batches of 1,000, indexes kept
				if err := st.Drop(ctx); err != nil {
					b.Fatal(err)
				}
				if pr, err = analytics.NewProjector(ctx, db, st, testKey, nil); err != nil {
					b.Fatal(err)
				}
				pr.Batch = liveBatch()
				project = pr.CatchUp
			}
			n, err := project(ctx)
			if err != nil {
				b.Fatal(err)
			}
			total += n
		}
		reportProject(b, total, ownCPU()-cpu, serverCPU(postmaster)-server)
		return
	}
	cases := 2000
	if n, err := strconv.Atoi(os.Getenv("TRYGG_BENCH_PROJECT_CASES")); err == nil && n > 0 {
		cases = n
	}
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			db, st, total, dsn := generatedSetup(b, engine, cases)
			postmaster := 0
			if engine == "postgres" {
				postmaster = pgServer(b, dsn)
			}
			pr, err := analytics.NewProjector(ctx, db, st, testKey, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			cpu, server := ownCPU(), serverCPU(postmaster)
			for b.Loop() {
				project := pr.Rebuild
				if os.Getenv("TRYGG_BENCH_PROJECT_LIVE") != "" {
					b.StopTimer()
					if err := st.Drop(ctx); err != nil {
						b.Fatal(err)
					}
					if pr, err = analytics.NewProjector(ctx, db, st, testKey, nil); err != nil {
						b.Fatal(err)
					}
					pr.Batch = liveBatch()
					b.StartTimer()
					project = pr.CatchUp
				}
				n, err := project(ctx)
				if err != nil || n != total {
					b.Fatalf("project: %d events, %v; want %d", n, err, total)
				}
			}
			reportProject(b, total*b.N, ownCPU()-cpu, serverCPU(postmaster)-server)
		})
	}
}

// liveBatch is the batch size TRYGG_BENCH_PROJECT_LIVE asks for: 0 (the
// projector's own choice) unless it is a number.
func liveBatch() int {
	n, _ := strconv.Atoi(os.Getenv("TRYGG_BENCH_PROJECT_LIVE"))
	return max(n, 0)
}

// reportProject reports n events projected: a second, and CPU per event
// of this process and of the PostgreSQL server (when measured).
func reportProject(b *testing.B, n int, cpu, server time.Duration) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/event")
	if server > 0 {
		b.ReportMetric(float64(server.Microseconds())/float64(n), "pg-cpu-µs/event")
	}
}
