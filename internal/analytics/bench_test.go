package analytics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/pgtest"
	"github.com/trygg/trygg/internal/trygg"
)

// benchCases is how many cases the benchmarks' store holds:
// TRYGG_BENCH_CASES, or 100,000.
func benchCases() int {
	if n, err := strconv.Atoi(os.Getenv("TRYGG_BENCH_CASES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchTenant is the benchmarks' tenant.
const benchTenant = trygg.TenantID("bench")

// insertRows inserts rows into table in multi-row statements.
func insertRows(t *tx, table string, cols []string, rows [][]any) error {
	const batch = 400
	for len(rows) > 0 {
		n := min(batch, len(rows))
		one := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
		q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` + one + strings.Repeat(", "+one, n-1)
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if err := t.exec(q, args...); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// benchStore returns an analysis store of engine holding two years of
// generated facts: benchCases cases of 0.8 as many persons (written in
// chunks, so a million cases fit in memory) in 20 units of
// 5 districts, a final decision on most, need codes on each, and an order
// with a plan and weekly reports on a third.
func benchStore(b *testing.B, engine string) *Store {
	b.Helper()
	ctx := context.Background()
	// The engines as storetest runs them (storetest imports this package).
	dsn := filepath.Join(b.TempDir(), "analytics.db")
	if engine == "postgres" {
		dsn = pgtest.NewDatabase(b)
	}
	st, err := Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	date := func(t time.Time) string { return t.Format(time.DateOnly) }
	var cases, decisions, deadlines, orders, performed, codes [][]any
	flush := func() error {
		err := st.update(ctx, func(t *tx) error {
			for _, x := range []struct {
				table string
				cols  string
				rows  [][]any
			}{
				{"fact_cases", "tenant_id, case_key, person_key, case_type, unit_id, district_id, channel, received_date, opened_at, opened_date, " +
					"closed_at, closed_date, step, sex, age_band", cases},
				{"fact_deadlines", "tenant_id, case_key, deadline_id, started_seq, person_key, case_type, unit_id, district_id, started_date, due_date, " +
					"met_date, overdue, status, days_late", deadlines},
				{"fact_decisions", "tenant_id, decision_key, case_key, person_key, case_type, unit_id, district_id, channel, insats, outcome, amount, " +
					"amount_unit, amount_period, valid_from, valid_to, decided_at, decided_date, received_date, days_to_decision, executed_date, sex, " +
					"age_band, execute_by", decisions},
				{"fact_orders", "tenant_id, order_key, case_key, decision_key, person_key, case_type, unit_id, district_id, provider_id, insats, amount, " +
					"amount_unit, amount_period, valid_from, valid_to, status, sent_date, start_date, ended_on, end_reason, plan_version, plan_date", orders},
				{"fact_performed", "tenant_id, entry_key, order_key, person_key, insats, unit_id, district_id, case_type, day, minutes, deviation, corrected",
					performed},
				{"fact_codes", "tenant_id, source, source_key, code_system, code, case_key, person_key, district_id, qualifier, on_date", codes},
			} {
				if err := insertRows(t, x.table, strings.Split(x.cols, ", "), x.rows); err != nil {
					return err
				}
			}
			return nil
		})
		cases, decisions, deadlines, orders, performed, codes = nil, nil, nil, nil, nil, nil
		return err
	}
	tn := string(benchTenant)
	total := benchCases()
	for i := range total {
		person := fmt.Sprintf("p%07d", rng.IntN(total*8/10))
		ck := fmt.Sprintf("c%07d", i)
		unit := fmt.Sprintf("u%02d", rng.IntN(20))
		district := fmt.Sprintf("d%d", unit[2]%5)
		caseType := []string{"eb", "ibic", "bbic"}[rng.IntN(3)]
		received := start.AddDate(0, 0, rng.IntN(730))
		closed := ""
		if rng.IntN(10) < 8 {
			closed = date(received.AddDate(0, 0, 10+rng.IntN(120)))
		}
		channel := []string{"portal", "paper"}[rng.IntN(2)]
		cases = append(cases, []any{tn, ck, person, caseType, unit, district, channel, date(received), 0, date(received), 0, closed, "s", "F", "25-44"})
		due := received.AddDate(0, 0, 14)
		met := ""
		if rng.IntN(10) < 9 {
			met = date(received.AddDate(0, 0, 3+rng.IntN(20)))
		}
		deadlines = append(deadlines, []any{tn, ck, "beslut", i, person, caseType, unit, district, date(received), date(due), met, 0, "met", 0})
		for _, c := range []string{"d510", "d530", "d640", "b152"}[:1+rng.IntN(3)] {
			codes = append(codes, []any{tn, "need", "n" + ck + c, "icf", c, ck, person, district, 2, date(received.AddDate(0, 0, 2))})
		}
		if rng.IntN(10) < 9 {
			decided := received.AddDate(0, 0, 3+rng.IntN(40))
			outcome := []string{"granted", "granted", "partly", "refused"}[rng.IntN(4)]
			executed := ""
			if outcome != "refused" && rng.IntN(10) < 8 {
				executed = date(decided.AddDate(0, 0, rng.IntN(120)))
			}
			dk := "k" + ck
			decisions = append(decisions, []any{tn, dk, ck, person, caseType, unit, district, channel, "stod", outcome, 100 * (1 + rng.IntN(40)),
				"hours", "month", "", "", decided.UnixMicro(), date(decided), date(received), int(decided.Sub(received).Hours() / 24), executed,
				"F", "25-44", ExecuteBy(date(decided))})
			if outcome != "refused" && rng.IntN(3) == 0 {
				ok := "o" + ck
				from := decided.AddDate(0, 0, 7)
				orders = append(orders, []any{tn, ok, ck, dk, person, caseType, unit, district, "prov", "stod", 1000, "hours", "month", "", "",
					"accepted", date(decided), date(from), "", "", 1, date(from)})
				codes = append(codes, []any{tn, "plan", ok, "", "d510", ck, person, district, 0, date(from)})
				for w := range 8 {
					ek := fmt.Sprintf("e%s%d", ck, w)
					day := date(from.AddDate(0, 0, 7*w))
					performed = append(performed, []any{tn, ek, ok, person, "stod", unit, district, caseType, day, 60, "", 0})
					codes = append(codes, []any{tn, "performed", ek, "", "d510", ck, person, district, 0, day})
				}
			}
		}
		if (i+1)%20_000 == 0 || i == total-1 {
			if err := flush(); err != nil {
				b.Fatal(err)
			}
		}
	}
	// The summaries, first decisions and steps are counted from the facts
	// as a rebuild counts them.
	if err := st.refresh(ctx); err != nil {
		b.Fatal(err)
	}
	if err := st.update(ctx, func(t *tx) error { return t.exec(`ANALYZE`) }); err != nil {
		b.Fatal(err)
	}
	return st
}

// processCPU returns the user and system CPU time of this process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU returns the CPU time the PostgreSQL server behind st has
// used: its postmaster's and its processes', running and ended (Linux
// /proc, in ticks of 10 ms); 0 on SQLite or for a server elsewhere.
func serverCPU(st *Store) time.Duration {
	if !st.pg {
		return 0
	}
	stat := func(pid int) []string { // the fields after the command's name
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		if i := strings.LastIndexByte(string(b), ')'); err == nil && i >= 0 {
			return strings.Fields(string(b)[i+1:])
		}
		return nil
	}
	ticks := func(f []string, n int) (t int64) { // utime, stime, cutime, cstime
		for _, s := range f[11 : 11+n] {
			v, _ := strconv.ParseInt(s, 10, 64)
			t += v
		}
		return t
	}
	var backend int
	if err := st.read.QueryRow(`SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return 0
	}
	f := stat(backend)
	if f == nil {
		return 0
	}
	postmaster := f[1]
	pm, _ := strconv.Atoi(postmaster)
	if f = stat(pm); f == nil {
		return 0
	}
	total := ticks(f, 4)
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if pid, err := strconv.Atoi(d.Name()); err == nil {
			if c := stat(pid); c != nil && c[1] == postmaster {
				total += ticks(c, 2)
			}
		}
	}
	return time.Duration(total) * 10 * time.Millisecond
}

// BenchmarkDashboards times each dashboard's query on a store of
// benchCases cases, on both engines: a quarter and the whole two years,
// or the team lead's two units on a day.
func BenchmarkDashboards(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			st := benchStore(b, engine)
			ctx := context.Background()
			quarter := Filter{From: "2025-07-01", To: "2025-09-30"}
			years := Filter{From: "2024-01-01", To: "2025-12-31"}
			type query struct {
				name string
				run  func() error
			}
			var queries []query
			for _, p := range []struct {
				name string
				f    Filter
			}{{"quarter", quarter}, {"2years", years}} {
				f := p.f
				queries = append(queries, []query{
					{"DecisionTimes/" + p.name, func() error { _, err := st.DecisionTimes(ctx, benchTenant, f); return err }},
					{"Flow/" + p.name, func() error { _, err := st.Flow(ctx, benchTenant, f); return err }},
					{"Deadlines/" + p.name, func() error { _, err := st.Deadlines(ctx, benchTenant, f); return err }},
					{"PlannedPerformed/" + p.name, func() error { _, err := st.PlannedPerformed(ctx, benchTenant, f); return err }},
					{"NeedsMatch/" + p.name, func() error { _, err := st.NeedsMatch(ctx, benchTenant, f, ByCode); return err }},
					{"NeedsMatchChapter/" + p.name, func() error { _, err := st.NeedsMatch(ctx, benchTenant, f, ByChapter); return err }},
					{"ExecutionDeadlines/" + p.name, func() error {
						_, err := st.ExecutionDeadlines(ctx, benchTenant, f, "2025-12-31")
						return err
					}},
				}...)
			}
			queries = append(queries, []query{
				{"ForecastVsOutcome", func() error {
					_, err := st.ForecastVsOutcome(ctx, benchTenant, years)
					return err
				}},
				{"TeamWeekPage", func() error {
					_, err := st.TeamWeekPage(ctx, benchTenant, []string{"u03", "u07"}, "2025-09-17")
					return err
				}},
			}...)
			for _, q := range queries {
				b.Run(q.name, func(b *testing.B) {
					// CPU of this process (the query and, on SQLite, the
					// database) per op: steadier than the time on a busy
					// machine.
					cpu0, server0 := processCPU(), serverCPU(st)
					var took []time.Duration
					for b.Loop() {
						t0 := time.Now()
						if err := q.run(); err != nil {
							b.Fatal(err)
						}
						took = append(took, time.Since(t0))
					}
					b.ReportMetric(float64((processCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
					if server := serverCPU(st) - server0; server > 0 {
						b.ReportMetric(float64(server.Milliseconds())/float64(b.N), "pg-cpu-ms/op")
					}
					// The target is a p95 (nearest rank), so the slowest
					// calls are reported, not only the mean.
					slices.Sort(took)
					b.ReportMetric(float64(took[(len(took)*95+99)/100-1].Microseconds())/1000, "p95-ms")
					b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
				})
			}
		})
	}
}
