package analytics_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// pausingLog is the event log with the first read after the event at held
// until resume is closed: a catch-up caught between two of its batches.
// Reads after that (the lag's measurement among them) go through.
type pausingLog struct {
	*store.DB
	at             int64
	held           atomic.Bool
	paused, resume chan struct{}
}

func (l *pausingLog) Events(ctx context.Context, tenant trygg.TenantID, after int64, limit int) ([]events.Event, error) {
	if after == l.at && l.held.CompareAndSwap(false, true) {
		close(l.paused)
		<-l.resume
	}
	return l.DB.Events(ctx, tenant, after, limit)
}

// TestLagDuringCatchUp: /metrics says how far behind the analysis store
// is while a long catch-up is still running, not only once it is done.
// The store caught up (0 behind), the rest of the history appended, and a
// scrape between the catch-up's batches counts the events after the
// cursor and the age of the oldest of them; once caught up, 0 again. Both
// engines.
func TestLagDuringCatchUp(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, st := setup(t, engine)
			steps := history()
			play(t, db, steps[0])
			clock := storetest.NewClock(steps[len(steps)-1].at.Add(time.Hour))
			log := &pausingLog{DB: db, at: -1, paused: make(chan struct{}), resume: make(chan struct{})}
			pr, err := analytics.NewProjector(ctx, log, st, testKey, clock)
			if err != nil {
				t.Fatal(err)
			}
			reg := prometheus.NewRegistry()
			reg.MustRegister(pr)
			if _, err := pr.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if got := gauge(t, reg, "trygg_analytics_events_behind"); got != 0 {
				t.Fatalf("caught up: %v events behind", got)
			}

			for _, s := range steps[1:] {
				play(t, db, s)
			}
			cur, err := pr.Cursor(ctx, tenant)
			if err != nil {
				t.Fatal(err)
			}
			todo, err := db.Events(ctx, tenant, cur, 1000)
			if err != nil {
				t.Fatal(err)
			}
			const batch = 3
			if len(todo) < 3*batch {
				t.Fatalf("only %d events to catch up with", len(todo))
			}
			pr.Batch = batch
			log.at = todo[batch-1].Seq // after the first batch
			done := make(chan error, 1)
			go func() {
				_, err := pr.CatchUp(ctx)
				done <- err
			}()
			select {
			case <-log.paused:
			case err := <-done:
				t.Fatalf("the catch-up ended (%v) without reading past its first batch", err)
			case <-time.After(30 * time.Second):
				t.Fatal("the catch-up never read past its first batch")
			}
			events, seconds := gauge(t, reg, "trygg_analytics_events_behind"), gauge(t, reg, "trygg_analytics_seconds_behind")
			close(log.resume)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if want := float64(len(todo) - batch); events != want {
				t.Errorf("during the catch-up: %v events behind, want %v", events, want)
			}
			if want := clock.Now().Sub(todo[batch].At).Seconds(); seconds != want {
				t.Errorf("during the catch-up: %v seconds behind, want %v (the age of the oldest event not projected)", seconds, want)
			}
			if got := gauge(t, reg, "trygg_analytics_events_behind"); got != 0 {
				t.Errorf("caught up again: %v events behind", got)
			}
			if got := gauge(t, reg, "trygg_analytics_seconds_behind"); got != 0 {
				t.Errorf("caught up again: %v seconds behind", got)
			}
		})
	}
}
