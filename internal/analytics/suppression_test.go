package analytics_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/storetest"
)

var figureType = reflect.TypeFor[analytics.Figure]()

// eachFigure calls fn with the path and value of every Figure in v (a
// query's result: structs, slices and pointers of them).
func eachFigure(v reflect.Value, path string, fn func(path string, f reflect.Value)) {
	switch {
	case v.Type() == figureType:
		fn(path, v)
	case v.Kind() == reflect.Pointer:
		if !v.IsNil() {
			eachFigure(v.Elem(), path, fn)
		}
	case v.Kind() == reflect.Slice:
		for i := range v.Len() {
			eachFigure(v.Index(i), fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				eachFigure(v.Field(i), path+"."+v.Type().Field(i).Name, fn)
			}
		}
	}
}

// plain returns v with each of its figures as a caller outside the
// package sees them (value and suppression), to compare with figures
// written in a test.
func plain[T any](v T) T {
	p := reflect.ValueOf(&v)
	eachFigure(p.Elem(), "", func(_ string, f reflect.Value) {
		f.Set(reflect.ValueOf(analytics.Plain(f.Interface().(analytics.Figure))))
	})
	return v
}

// TestNoSmallFigures runs every dashboard query over the golden history
// (moreHistory) with filters that cut it small, on both engines, and
// checks that no figure shown rests on fewer than five persons.
func TestNoSmallFigures(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := projectedMore(t, engine)
			var filters []analytics.Filter
			for _, p := range [][2]string{{"2026-01-01", "2026-03-31"}, {"2026-01-01", "2026-01-31"}, {"2026-02-01", "2026-02-28"},
				{"2026-01-12", "2026-02-15"}, {"2025-12-01", "2026-06-30"}} {
				for _, narrow := range []analytics.Filter{{}, {District: "norr"}, {District: "syd"}, {Unit: "syd-lss"}, {CaseType: "eb"}} {
					f := narrow
					f.From, f.To = p[0], p[1]
					filters = append(filters, f)
				}
			}
			shown, checked := 0, 0
			check := func(what string, v any, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				eachFigure(reflect.ValueOf(v), what, func(path string, f reflect.Value) {
					fig := f.Interface().(analytics.Figure)
					checked++
					if fig.Suppressed {
						if fig.Value != 0 {
							t.Errorf("%s: suppressed with the value %v", path, fig.Value)
						}
						return
					}
					shown++
					if n := analytics.Persons(fig); n < analytics.MinPersons {
						t.Errorf("%s = %v is shown from %d persons", path, fig.Value, n)
					}
				})
			}
			for _, f := range filters {
				name := fmt.Sprintf("%+v", f)
				v1, err := st.DecisionTimes(ctx, tenant, f)
				check("DecisionTimes "+name, v1, err)
				v2, err := st.Flow(ctx, tenant, f)
				check("Flow "+name, v2, err)
				v3, err := st.Deadlines(ctx, tenant, f)
				check("Deadlines "+name, v3, err)
				v4, err := st.PlannedPerformed(ctx, tenant, f)
				check("PlannedPerformed "+name, v4, err)
				for _, level := range []analytics.CodeLevel{analytics.ByCode, analytics.ByChapter} {
					v5, err := st.NeedsMatch(ctx, tenant, f, level)
					check("NeedsMatch "+name, v5, err)
				}
				for _, today := range []string{"2026-03-31", "2026-06-15"} {
					v6, err := st.ExecutionDeadlines(ctx, tenant, f, today)
					check("ExecutionDeadlines "+name, v6, err)
				}
				v7, err := st.ForecastVsOutcome(ctx, tenant, f)
				check("ForecastVsOutcome "+name, v7, err)
			}
			for _, units := range [][]string{{"norr-eb"}, {"syd-lss"}, {"norr-eb", "syd-lss"}} {
				for _, today := range []string{"2026-01-14", "2026-02-11", "2026-03-04", "2026-05-20"} {
					v, err := st.TeamWeekPage(ctx, tenant, units, today)
					check(fmt.Sprintf("TeamWeekPage %v %s", units, today), v, err)
				}
			}
			if shown < 100 || shown == checked {
				t.Errorf("%d figures checked, %d of them shown: the history should give both", checked, shown)
			}
		})
	}
}
