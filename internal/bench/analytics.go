package bench

import (
	"context"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/demo"
)

// benchAnalyticsKey is the pseudonym key of the bench's analysis store.
var benchAnalyticsKey = []byte("trygg bench analytics key, not secret")

// analyticsWorkload measures the analysis store over the whole event log
// of the loaded municipality (the demo, its past, the bench's history):
// the projector building the store from zero (Rebuild: one op is one
// event projected, the latency the whole rebuild), then each dashboard
// query, with four callers at once, over the whole period, over a year
// for one district and over a quarter for one case type in turn.
func (b *bench) analyticsWorkload(ctx context.Context) ([]benchRow, error) {
	st, err := analytics.Open(ctx, analytics.DefaultDSN(b.dsn))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	pr, err := analytics.NewProjector(ctx, b.db, st, benchAnalyticsKey, nil)
	if err != nil {
		return nil, err
	}
	last, err := b.db.LastEventSeq(ctx, demo.TenantID)
	if err != nil {
		return nil, err
	}
	b.progress("workload analytics: projecting %d events from zero", last)
	cpu0 := processCPU()
	start := time.Now()
	n, err := pr.Rebuild(ctx)
	elapsed := time.Since(start)
	row := benchRow{name: "analytics: projector, the whole log from zero (rebuild)", op: "event", ops: int64(n), elapsed: elapsed,
		lat: []time.Duration{elapsed}, cpu: processCPU() - cpu0, serverCPU: -1}
	if err != nil {
		row.errors, row.firstErr = 1, err.Error()
	}
	rows := []benchRow{row}

	today := b.db.Now()
	whole := analytics.Filter{From: today.AddDate(-2, 0, 0).Format(time.DateOnly), To: today.Format(time.DateOnly)}
	year := analytics.Filter{From: today.AddDate(-1, 0, 0).Format(time.DateOnly), To: today.Format(time.DateOnly), District: "norra-omr"}
	quarter := analytics.Filter{From: today.AddDate(0, -3, 0).Format(time.DateOnly), To: today.Format(time.DateOnly), CaseType: demo.CaseType("ao")}
	filters := []analytics.Filter{whole, year, quarter}
	queries := []struct {
		name string
		fn   func(context.Context, analytics.Filter) error
	}{
		{"time to decision", func(ctx context.Context, f analytics.Filter) error {
			_, err := st.DecisionTimes(ctx, demo.TenantID, f)
			return err
		}},
		{"inflow, outflow, backlog per week", func(ctx context.Context, f analytics.Filter) error {
			_, err := st.Flow(ctx, demo.TenantID, f)
			return err
		}},
		{"deadlines met", func(ctx context.Context, f analytics.Filter) error {
			_, err := st.Deadlines(ctx, demo.TenantID, f)
			return err
		}},
		{"planned vs performed", func(ctx context.Context, f analytics.Filter) error {
			_, err := st.PlannedPerformed(ctx, demo.TenantID, f)
			return err
		}},
	}
	for _, q := range queries {
		b.progress("workload analytics: %s (%v)", q.name, b.opt.Duration)
		r := b.measured(ctx, "analytics: dashboard query, "+q.name, "query", 4, b.opt.Duration, func(ctx context.Context, worker int) error {
			return q.fn(ctx, filters[worker%len(filters)])
		})
		r.serverCPU = -1
		rows = append(rows, r)
	}
	return rows, nil
}
