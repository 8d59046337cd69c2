package analytics_test

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/storetest"
)

// TestRebuildEqualsIncremental projects the history in small batches
// while it is being appended, then rebuilds the store from zero: every
// table holds the same rows, on both engines.
func TestRebuildEqualsIncremental(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, st := setup(t, engine)
			pr, err := analytics.NewProjector(ctx, db, st, testKey, nil)
			if err != nil {
				t.Fatal(err)
			}
			pr.Batch = 4
			for i, s := range history() {
				play(t, db, s)
				if i%3 == 0 {
					if _, err := pr.Step(ctx, tenant); err != nil {
						t.Fatal(err)
					}
				}
			}
			if _, err := pr.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			incremental, err := st.Dump(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, table := range []string{"fact_cases", "fact_case_steps", "fact_decisions", "fact_orders", "fact_plans", "fact_performed",
				"fact_deadlines", "fact_payments", "fact_codes", "dim_units", "dim_persons"} {
				if len(incremental[table]) == 0 {
					t.Errorf("%s is empty after projecting the history", table)
				}
			}
			pr.Batch = 0
			n, err := pr.Rebuild(ctx)
			if err != nil {
				t.Fatal(err)
			}
			last, _ := db.LastEventSeq(ctx, tenant)
			if int64(n) != last {
				t.Errorf("rebuild projected %d events, the log has %d", n, last)
			}
			rebuilt, err := st.Dump(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for table, rows := range incremental {
				if !reflect.DeepEqual(rows, rebuilt[table]) {
					t.Errorf("%s differs after the rebuild:\nincremental %q\nrebuilt     %q", table, rows, rebuilt[table])
				}
			}
		})
	}
}

// TestNoPersonalData: the analysis store holds pseudonyms, never the
// main store's ids of persons, cases, decisions, orders, form entries or
// reports, nor a case's reference; the pseudonyms are 128-bit hex made
// with the key, and a store built with one key refuses another.
func TestNoPersonalData(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, st, _ := projected(t, engine)
			dump, err := st.Dump(ctx)
			if err != nil {
				t.Fatal(err)
			}
			all := ""
			for table, rows := range dump {
				all += table + "\n" + strings.Join(rows, "\n") + "\n"
			}
			for _, raw := range []string{"person-", "case-", "decision-", "order-", "entry-", "visit-", "extra-2", "line-", "must-not-be-read"} {
				if strings.Contains(all, raw) {
					t.Errorf("the analysis store holds %q", raw)
				}
			}
			hex := regexp.MustCompile(`^[0-9a-f]{32}$`)
			for _, row := range dump["dim_persons"] {
				if key := strings.Split(row, "|")[1]; !hex.MatchString(key) {
					t.Errorf("person key %q is not a pseudonym", key)
				}
			}
			if len(dump["dim_persons"]) != 9 {
				t.Errorf("%d persons, want 9", len(dump["dim_persons"]))
			}
			if _, err := analytics.NewProjector(ctx, db, st, []byte("another key, also long enough"), nil); !errors.Is(err, analytics.ErrKeyChanged) {
				t.Errorf("another key: %v, want ErrKeyChanged", err)
			}
			if _, err := analytics.NewProjector(ctx, db, st, nil, nil); !errors.Is(err, analytics.ErrNoKey) {
				t.Errorf("no key: %v, want ErrNoKey", err)
			}
			if _, err := analytics.NewProjector(ctx, db, st, []byte("short"), nil); err == nil {
				t.Error("a key of 5 characters was accepted")
			}
		})
	}
}

// TestLag: the metrics say how many events and seconds the store is
// behind the log, and zero when it has caught up.
func TestLag(t *testing.T) {
	ctx := context.Background()
	db, st := setup(t, "sqlite")
	steps := history()
	for _, s := range steps[:3] {
		play(t, db, s)
	}
	clock := storetest.NewClock(steps[4].at.Add(time.Hour))
	pr, err := analytics.NewProjector(ctx, db, st, testKey, clock)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(pr)
	if _, err := pr.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := gauge(t, reg, "trygg_analytics_events_behind"); got != 0 {
		t.Errorf("caught up: %v events behind", got)
	}
	play(t, db, steps[3])
	play(t, db, steps[4])
	if err := pr.Measure(ctx); err != nil {
		t.Fatal(err)
	}
	want := float64(len(steps[3].evs) + len(steps[4].evs))
	if got := gauge(t, reg, "trygg_analytics_events_behind"); got != want {
		t.Errorf("%v events behind, want %v", got, want)
	}
	if got, want := gauge(t, reg, "trygg_analytics_seconds_behind"), clock.Now().Sub(steps[3].at).Seconds(); got != want {
		t.Errorf("%v seconds behind, want %v", got, want)
	}
}

// gauge returns the value of the tenant's gauge name gathered from reg.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == string(tenant) {
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no %s for %s", name, tenant)
	return 0
}
