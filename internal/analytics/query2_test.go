package analytics_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/analytics/forecast"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// moreHistory extends the golden history (history_test.go) for the
// dashboards of query2.go: six persons (10–15) with lss cases in Södra
// received 2–7 February (assessed with d510, 10–12 also with d540 and 10
// with d530; decided ten days later, 15 refused; orders for 10–14 from 20
// February, planned and performed with d510); a second assessment of
// d530 for persons 1–5; new eb cases for persons 1–5 in March; and
// decisions executed: cases 1–4 on 1 February, 6 on 20 February, 10 and
// 11 on 27 February, 5 on 25 April (late), 12–14 on 1 June (late), the
// rest never.
func moreHistory() []step {
	steps := history()
	add := func(date string, evs ...events.Event) {
		steps = append(steps, step{at: on(date), evs: evs})
	}
	var persons []events.Event
	for i := 10; i <= 15; i++ {
		persons = append(persons, ev(events.PersonRegistered, "person", pid(i), pid(i), "",
			map[string]any{"identity_type": "personnummer", "birth_month": "1990-05", "sex": "F"}))
	}
	add("2025-12-03", persons...)
	for n := 10; n <= 15; n++ {
		id, p := cid(n), pid(n)
		received := fmt.Sprintf("2026-02-%02d", n-8)
		add(received,
			ev(events.CaseOpened, "case", id, p, id, map[string]any{"unit_id": "syd-lss", "case_type": "lss", "step": "received",
				"received_date": received}),
			ev(events.DeadlineStarted, "case", id, p, id, map[string]any{"deadline_id": "utredning", "due_date": addDays(received, 12), "step": "received"}))
		codes := []map[string]any{{"field": "needs", "code_system": "icf", "code": "d510", "qualifier": 2}}
		if n <= 12 {
			codes = append(codes, map[string]any{"field": "needs", "code_system": "icf", "code": "d540", "qualifier": 1})
		}
		if n == 10 {
			codes = append(codes, map[string]any{"field": "needs", "code_system": "icf", "code": "d530", "qualifier": 3})
		}
		add(addDays(received, 1), ev(events.FormSigned, "form_entry", "entry-"+id, p, id, map[string]any{"form_id": "assessment", "codes": codes}))
		outcome, amount := "granted", 200
		if n == 15 {
			outcome, amount = "refused", 0
		}
		add(addDays(received, 10),
			ev(events.DecisionMade, "decision", "decision-"+id, p, id, map[string]any{"insats": "stod", "outcome": outcome,
				"amount": amount, "amount_unit": "hours", "amount_period": "month"}),
			ev(events.DeadlineMet, "case", id, p, id, map[string]any{"deadline_id": "utredning", "step": "decided"}))
		if n == 15 {
			continue
		}
		order := map[string]any{"id": oid(n), "case_id": id, "decision_id": "decision-" + id, "provider_id": "prov-1", "unit_id": "syd-lss",
			"insats": "stod", "amount": 200, "amount_unit": "hours", "status": "sent"}
		add("2026-02-18", ev(events.OrderSent, "order", oid(n), p, id, order))
		accepted := map[string]any{}
		for k, v := range order {
			accepted[k] = v
		}
		accepted["status"], accepted["start_date"] = "accepted", "2026-02-20"
		add("2026-02-19", ev(events.OrderAccepted, "order", oid(n), p, id, accepted),
			ev(events.OrderPlanWritten, "order", oid(n), p, id, map[string]any{"version": 1, "participation": "took_part", "activities": 1,
				"codes": []string{"d510"}}))
		add("2026-02-24", ev(events.OrderPerformed, "order", oid(n), p, id, map[string]any{"entries": []map[string]any{
			{"id": fmt.Sprintf("visit-%d", n), "on": "2026-02-23", "minutes": 60, "activities": []string{"d510"}}}}))
	}
	for n := 1; n <= 5; n++ {
		add("2026-01-20", ev(events.FormSigned, "form_entry", "entry2-"+cid(n), pid(n), cid(n), map[string]any{"form_id": "assessment",
			"codes": []map[string]any{{"field": "needs", "code_system": "icf", "code": "d530", "qualifier": 2}}}))
		id := fmt.Sprintf("case-m%d", n)
		received := fmt.Sprintf("2026-03-%02d", n+1)
		add(received, ev(events.CaseOpened, "case", id, pid(n), id, map[string]any{"unit_id": "norr-eb", "case_type": "eb", "step": "received",
			"received_date": received}))
	}
	executed := map[int]string{1: "2026-02-01", 2: "2026-02-01", 3: "2026-02-01", 4: "2026-02-01", 5: "2026-04-25", 6: "2026-02-20",
		10: "2026-02-27", 11: "2026-02-27", 12: "2026-06-01", 13: "2026-06-01", 14: "2026-06-01"}
	for n, day := range executed {
		add(day, ev(events.DecisionExecution, "decision", "decision-"+cid(n), pid(n), cid(n), map[string]any{"kind": "executed", "on": day,
			"insats": "stod"}))
	}
	slices.SortStableFunc(steps, func(a, b step) int { return a.at.Compare(b.at) })
	return steps
}

// projectedMore returns the analysis store with moreHistory projected.
func projectedMore(t *testing.T, engine string) *analytics.Store {
	t.Helper()
	db, st := setup(t, engine)
	for _, s := range moreHistory() {
		play(t, db, s)
	}
	pr, err := analytics.NewProjector(context.Background(), db, st, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pr.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestGoldenDashboards counts moreHistory on both engines and compares
// every figure of the dashboards of query2.go with the one worked out by
// hand (docs/analytics.md), small cells and the cells that would give them
// away suppressed.
func TestGoldenDashboards(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := projectedMore(t, engine)
			quarter := analytics.Filter{From: "2026-01-01", To: "2026-03-31"}

			t.Run("needs match", func(t *testing.T) {
				got, err := st.NeedsMatch(ctx, tenant, quarter, analytics.ByCode)
				if err != nil {
					t.Fatal(err)
				}
				h := hidden
				want := []analytics.CodeMatch{
					// d510: Norra 1–7 assessed, 7 refused; Södra 8–15, 15
					// refused, 8 and 9 with no order.
					{"", "d510", n(15), n(13), n(11), n(11), n(73.3)},
					{"norr", "d510", n(7), n(6), n(6), n(6), n(85.7)},
					{"syd", "d510", n(8), n(7), n(5), n(5), n(62.5)},
					// d530: Södra's one person hidden, and Norra's five
					// with it, or 6 − 5 would give Södra's away.
					{"", "d530", n(6), n(6), h, h, h},
					{"norr", "d530", h, h, h, h, h},
					{"syd", "d530", h, h, h, h, h},
					{"", "d540", h, h, h, h, h},
					{"syd", "d540", h, h, h, h, h},
				}
				if got := plain(got); !reflect.DeepEqual(got, want) {
					t.Errorf("needs match:\n got %+v\nwant %+v", got, want)
				}
				got, err = st.NeedsMatch(ctx, tenant, quarter, analytics.ByChapter)
				if err != nil {
					t.Fatal(err)
				}
				want = []analytics.CodeMatch{
					{"", "d5", n(15), n(13), n(11), n(11), n(73.3)},
					{"norr", "d5", n(7), n(6), n(6), n(6), n(85.7)},
					{"syd", "d5", n(8), n(7), n(5), n(5), n(62.5)},
				}
				if got := plain(got); !reflect.DeepEqual(got, want) {
					t.Errorf("needs match by chapter:\n got %+v\nwant %+v", got, want)
				}
				// Assessed in February: Södra's 10–15 only.
				got, err = st.NeedsMatch(ctx, tenant, analytics.Filter{From: "2026-02-01", To: "2026-02-28", CaseType: "lss"}, analytics.ByCode)
				if err != nil {
					t.Fatal(err)
				}
				if got := plain(got); len(got) != 6 || got[0] != (analytics.CodeMatch{"", "d510", n(6), n(5), n(5), n(5), n(83.3)}) {
					t.Errorf("February's lss: %+v", got)
				}
				if _, err := st.NeedsMatch(ctx, tenant, quarter, "insats"); trygg.ErrorCode(err) != trygg.EInvalid {
					t.Errorf("an unknown level: %v", err)
				}
			})

			t.Run("execution deadlines", func(t *testing.T) {
				got, err := st.ExecutionDeadlines(ctx, tenant, analytics.Filter{From: "2026-04-01", To: "2026-05-31"}, "2026-06-15")
				if err != nil {
					t.Fatal(err)
				}
				h := hidden
				want := []analytics.ExecutionFigures{
					// 14 decisions of 13 persons: 7 executed in time, 4
					// late (5, 12–14), 3 never (case 1's second, 8, 9).
					{"", "", n(14), n(7), h, h, n(50)},
					// Norra's 5 executed in time hidden: Södra's 2 are,
					// and 7 − 5 would give them away.
					{"norr-eb", "eb", n(7), h, h, h, h},
					{"syd-lss", "lss", n(7), h, h, h, h},
				}
				if got := plain(got); !reflect.DeepEqual(got, want) {
					t.Errorf("execution deadlines:\n got %+v\nwant %+v", got, want)
				}
				// On 10 May: the three months of case 1's second decision
				// and of 12–14 still run, and 5 was executed late.
				got, err = st.ExecutionDeadlines(ctx, tenant, analytics.Filter{From: "2026-04-01", To: "2026-05-31"}, "2026-05-10")
				if err != nil {
					t.Fatal(err)
				}
				if got := plain(got); got[0] != (analytics.ExecutionFigures{"", "", n(10), n(7), h, h, n(70)}) {
					t.Errorf("on 10 May: %+v", got[0])
				}
				if _, err := st.ExecutionDeadlines(ctx, tenant, quarter, "15 june"); trygg.ErrorCode(err) != trygg.EInvalid {
					t.Errorf("a day that is not one: %v", err)
				}
			})

			t.Run("forecast vs outcome", func(t *testing.T) {
				got, err := st.ForecastVsOutcome(ctx, tenant, quarter)
				if err != nil {
					t.Fatal(err)
				}
				want := analytics.ForecastOutcome{
					// 9, 6, 5 cases: alpha 1 follows the last value; its
					// forecast of March from 9, 6 was 6.
					Inflow: analytics.SeriesForecast{Series: "inflow",
						History: []analytics.MonthValue{{"2026-01", n(9)}, {"2026-02", n(6)}, {"2026-03", n(5)}},
						From:    "2026-01", Month: "2026-04", Made: true, Forecast: 5, Method: forecast.SES, Alpha: 1,
						Backtest: []analytics.MonthCheck{{"2026-03", 6, 5}}, MAE: n(1), Scores: []forecast.Score{{Method: forecast.SES, MAE: 1}}},
					// 50 and 27 hours, none decided in March: nothing to
					// forecast from after it.
					DecidedHours: analytics.SeriesForecast{Series: "decided_hours",
						History: []analytics.MonthValue{{"2026-01", n(50)}, {"2026-02", n(27)}, {"2026-03", hidden}},
						LeftOut: 3, Month: "2026-04", Backtest: []analytics.MonthCheck{}, MAE: hidden},
				}
				if got := plain(got); !reflect.DeepEqual(got, want) {
					t.Errorf("forecast vs outcome:\n got %+v\nwant %+v", got, want)
				}
				// From December, which had none: left out.
				got, err = st.ForecastVsOutcome(ctx, tenant, analytics.Filter{From: "2025-12-01", To: "2026-02-28"})
				if err != nil {
					t.Fatal(err)
				}
				if g := plain(got).DecidedHours; g.From != "2026-01" || g.LeftOut != 1 || !g.Made || g.Forecast != 27 || g.Month != "2026-03" ||
					len(g.Backtest) != 0 || !g.MAE.Suppressed {
					t.Errorf("decided hours from December: %+v", g)
				}
			})

			t.Run("team week", func(t *testing.T) {
				got, err := st.TeamWeekPage(ctx, tenant, []string{"syd-lss", "norr-eb"}, "2026-02-11")
				if err != nil {
					t.Fatal(err)
				}
				want := analytics.TeamWeek{Units: []string{"norr-eb", "syd-lss"}, Today: "2026-02-11",
					// Received 10–15; decided 8; open: 4–7, 9–15.
					LastWeek: analytics.WeekSummary{"2026-W06", "2026-02-02", "2026-02-08", n(6), hidden, n(11)},
					// Decided 9 and 6.
					ThisWeek: analytics.WeekSummary{"2026-W07", "2026-02-09", "2026-02-11", hidden, hidden, n(11)},
					// 10–14 due 14–18 February; 7 and 9 overdue.
					DueNext7Days: n(5), Overdue: hidden, Unexecuted: hidden,
					// Orders 1–5 at 10 hours a month and 6 at 5: 761.5
					// minutes a week; visits 2 February (5 × 60) and 3
					// February (30).
					PlannedMinutes: n(762), PerformedMinutes: n(330), PerformedPercent: n(43.3)}
				if got := plain(got); !reflect.DeepEqual(got, want) {
					t.Errorf("team week:\n got %+v\nwant %+v", got, want)
				}
				// 20 May in Södra: 8, 9 and 12–14 not executed three
				// months after.
				got, err = st.TeamWeekPage(ctx, tenant, []string{"syd-lss"}, "2026-05-20")
				if err != nil {
					t.Fatal(err)
				}
				if got := plain(got); got.Unexecuted != n(5) {
					t.Errorf("Södra's unexecuted decisions on 20 May: %+v", got.Unexecuted)
				}
				if _, err := st.TeamWeekPage(ctx, tenant, nil, "2026-02-11"); trygg.ErrorCode(err) != trygg.EInvalid {
					t.Errorf("no units: %v", err)
				}
			})
		})
	}
}

// TestSecondarySuppression: no hidden cell of a sum can be worked out
// from the shown ones.
func TestSecondarySuppression(t *testing.T) {
	for _, tc := range []struct {
		name    string
		persons []int // persons behind each cell; the value is the same
		sums    [][]int
		want    []bool
	}{
		{"nothing small", []int{20, 12, 8}, [][]int{{0, 1, 2}}, []bool{false, false, false}},
		{"one part small: the next smallest too", []int{20, 9, 8, 3}, [][]int{{0, 1, 2, 3}}, []bool{false, false, true, true}},
		{"two parts small", []int{9, 5, 2, 2}, [][]int{{0, 1, 2, 3}}, []bool{false, false, true, true}},
		{"a total small: a part too", []int{4, 0, 4}, [][]int{{0, 1, 2}}, []bool{true, true, true}},
		{"a part equal to its total", []int{7, 7}, [][]int{{0, 1}}, []bool{false, false}},
		{"the only other part hidden: the total", []int{9, 3}, [][]int{{0, 1}}, []bool{true, true}},
		// A 2×2 table with its margins: cells 0–3 the inner, 4, 5 the
		// rows' totals, 6, 7 the columns', 8 the whole.
		{"a table", []int{3, 10, 9, 11, 13, 20, 12, 21, 33},
			[][]int{{4, 0, 1}, {5, 2, 3}, {6, 0, 2}, {7, 1, 3}, {8, 4, 5}, {8, 6, 7}},
			[]bool{true, true, true, true, false, false, false, false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := analytics.Suppress(tc.persons, tc.sums); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestExecuteBy(t *testing.T) {
	for _, tc := range []struct{ decided, want string }{
		{"2026-01-08", "2026-04-08"},
		{"2025-11-30", "2026-02-28"}, // no 30 February
		{"2026-01-31", "2026-04-30"},
		{"x", ""},
	} {
		if got := analytics.ExecuteBy(tc.decided); got != tc.want {
			t.Errorf("ExecuteBy(%q) = %q, want %q", tc.decided, got, tc.want)
		}
	}
}
