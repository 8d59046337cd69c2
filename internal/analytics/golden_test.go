package analytics_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// n is a figure shown; hidden a figure suppressed.
func n(v float64) analytics.Figure { return analytics.Figure{Value: v} }

var hidden = analytics.Figure{Suppressed: true}

// TestGoldenFigures counts the hand-made history (history_test.go) on
// both engines and compares every figure with the one worked out by hand
// in docs/analytics.md; a figure from fewer than five persons is
// suppressed.
func TestGoldenFigures(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			_, st, _ := projected(t, engine)
			period := analytics.Filter{From: "2026-01-01", To: "2026-03-31"}

			t.Run("decision times", func(t *testing.T) {
				got, err := st.DecisionTimes(ctx, tenant, period)
				if err != nil {
					t.Fatal(err)
				}
				want := []analytics.DecisionTime{
					// Days to the first decision: 3 5 7 10 14 20 25 30 40.
					// The paper applications' four persons are hidden, and
					// with them the portal's count (9 − 5 would give them
					// away); then Södra's lss and so eb's count (9 − 7).
					// The medians are no sums and stay.
					{"", "", n(9), n(14), n(40)},
					{"", "portal", hidden, n(7), n(14)},
					{"", "paper", hidden, hidden, hidden}, // four persons
					{"eb", "", hidden, n(10), n(40)},
					{"eb", "portal", hidden, n(7), n(14)},
					{"eb", "paper", hidden, hidden, hidden},
					{"lss", "", hidden, hidden, hidden},
					{"lss", "portal", hidden, hidden, hidden},
					{"lss", "paper", hidden, hidden, hidden},
				}
				if got := plain(got); !reflect.DeepEqual(got, want) {
					t.Errorf("decision times:\n got %+v\nwant %+v", got, want)
				}
				// Norra alone: its seven eb cases.
				got, err = st.DecisionTimes(ctx, tenant, analytics.Filter{From: "2026-01-01", To: "2026-03-31", District: "norr"})
				if err != nil {
					t.Fatal(err)
				}
				if got := plain(got); got[0] != (analytics.DecisionTime{"", "", n(7), n(10), n(40)}) || len(got) != 6 {
					t.Errorf("Norra's decision times: %+v", got)
				}
				// Decided in February: cases 6–9 (four persons).
				got, err = st.DecisionTimes(ctx, tenant, analytics.Filter{From: "2026-02-01", To: "2026-02-28"})
				if err != nil {
					t.Fatal(err)
				}
				if got := plain(got); got[0] != (analytics.DecisionTime{"", "", hidden, hidden, hidden}) {
					t.Errorf("February's decision times: %+v", got[0])
				}
			})

			t.Run("flow", func(t *testing.T) {
				got, err := st.Flow(ctx, tenant, analytics.Filter{From: "2026-01-05", To: "2026-01-25"})
				if err != nil {
					t.Fatal(err)
				}
				want := []analytics.WeekFlow{
					{"2026-W02", "2026-01-05", n(5), hidden, n(5)},
					{"2026-W03", "2026-01-12", hidden, hidden, n(7)},
					{"2026-W04", "2026-01-19", hidden, hidden, n(5)},
				}
				if got := plain(got); !reflect.DeepEqual(got, want) {
					t.Errorf("flow:\n got %+v\nwant %+v", got, want)
				}
			})

			t.Run("deadlines", func(t *testing.T) {
				got, err := st.Deadlines(ctx, tenant, period)
				if err != nil {
					t.Fatal(err)
				}
				want := []analytics.DeadlineFigures{
					// Seven due, five met and two missed: the two
					// missed are two persons, so hidden, and the five met
					// with them (7 − 5 would give them away); the share
					// and the days late of the two with them.
					{"beslut", n(7), hidden, hidden, hidden, hidden},
					{"utredning", hidden, hidden, hidden, hidden, hidden},
				}
				if got := plain(got); !reflect.DeepEqual(got, want) {
					t.Errorf("deadlines:\n got %+v\nwant %+v", got, want)
				}
			})

			t.Run("planned and performed", func(t *testing.T) {
				got, err := st.PlannedPerformed(ctx, tenant, analytics.Filter{From: "2026-01-01", To: "2026-02-28"})
				if err != nil {
					t.Fatal(err)
				}
				// February's one deviation is one person's: hidden,
				// and the deviations per 1,000 visits with it.
				feb := analytics.MonthService{Orders: n(6), PlannedMinutes: n(3300), PerformedMinutes: n(1305), Visits: n(23),
					Deviations: hidden, DeviationsPer1000: hidden, PerformedPercent: n(39.5)}
				febAll, febStod := feb, feb
				febAll.Month, febStod.Month, febStod.Insats = "2026-02", "2026-02", "stod"
				want := []analytics.MonthService{
					{Month: "2026-01", Orders: hidden, PlannedMinutes: hidden, PerformedMinutes: hidden, Visits: hidden, Deviations: hidden,
						DeviationsPer1000: hidden, PerformedPercent: hidden},
					febAll, febStod,
				}
				if got := plain(got); !reflect.DeepEqual(got, want) {
					t.Errorf("planned and performed:\n got %+v\nwant %+v", got, want)
				}
			})

			t.Run("bad period", func(t *testing.T) {
				_, err := st.Flow(ctx, tenant, analytics.Filter{From: "2026-02-01", To: "2026-01-01"})
				if trygg.ErrorCode(err) != trygg.EInvalid {
					t.Errorf("a period ending before it starts: %v", err)
				}
				_, err = st.DecisionTimes(ctx, tenant, analytics.Filter{From: "1 jan"})
				if trygg.ErrorCode(err) != trygg.EInvalid {
					t.Errorf("a date that is not one: %v", err)
				}
			})
		})
	}
}

// TestSuppressionThreshold: a figure from four persons is suppressed, one
// from five shown, whatever the figure counts.
func TestSuppressionThreshold(t *testing.T) {
	for _, tc := range []struct {
		persons int
		want    bool
	}{{0, true}, {1, true}, {4, true}, {5, false}, {100, false}} {
		if got := analytics.MinPersons > tc.persons; got != tc.want {
			t.Errorf("%d persons: suppressed %v, want %v", tc.persons, got, tc.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	for _, tc := range []struct {
		values  []float64
		p, want float64
	}{
		{[]float64{3, 5, 7, 10, 14}, 0.5, 7},
		{[]float64{14, 3, 10, 5, 7}, 0.9, 14},
		{[]float64{1, 2, 3, 4}, 0.5, 2},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9, 9},
		{nil, 0.5, 0},
	} {
		if got := analytics.Percentile(tc.values, tc.p); got != tc.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tc.values, tc.p, got, tc.want)
		}
	}
}

func TestAgeBand(t *testing.T) {
	for _, tc := range []struct{ born, on, want string }{
		{"2010-03", "2026-02-28", "13-17"}, // 15 years 11 months
		{"2008-03", "2026-03-01", "18-24"}, // 18 from the birth month
		{"1940-01", "2026-01-05", "80+"},
		{"2026-02", "2026-01-05", ""}, // not yet born
		{"", "2026-01-05", ""},
	} {
		if got := analytics.AgeBand(tc.born, tc.on); got != tc.want {
			t.Errorf("AgeBand(%q, %q) = %q, want %q", tc.born, tc.on, got, tc.want)
		}
	}
}
