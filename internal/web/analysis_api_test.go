package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/demo"
)

// countShown returns how many figures in v (decoded JSON) are shown.
func countShown(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["suppressed"].(bool); ok && !s {
			n++
		}
		for _, y := range x {
			n += countShown(y)
		}
	case []any:
		for _, y := range x {
			n += countShown(y)
		}
	}
	return n
}

// TestAnalysisAPIFigures: with two years of demo history, the API answers
// "Stämmer hjälpen med behoven?" (by chapter, and by code when asked),
// "Verkställda beslut inom tre månader", "Prognos och utfall" and
// "Veckan" with the figures their queries give, as the pages show them:
// each dashboard with figures shown, small ones suppressed with no value.
// A team lead reads her own units' (her first unit on the filtered
// dashboards, all of hers together on the week, or one she names) and is
// refused another's unit at its field. No name, identity number or id of
// any person, the history's too, is in an answer, and each read is in the
// access log with what was read.
func TestAnalysisAPIFigures(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w, past := historyWorld(t, start)
	ctx := context.Background()
	st := w.svc.Analytics
	const today = "2026-03-02"
	f := analytics.Filter{From: "2025-03-01", To: "2026-02-28"}
	const q = "?from=2025-03-01&to=2026-02-28"
	opts, err := w.svc.AnalysisOptions(ctx, w.actor("arbetsledare"), "sv")
	if err != nil {
		t.Fatal(err)
	}
	var hers []string
	for _, u := range opts.Units {
		hers = append(hers, u.ID)
	}
	if len(hers) < 2 {
		t.Fatalf("the team lead leads %v: want several units", hers)
	}
	first := f
	first.Unit = hers[0]

	needs := func(f analytics.Filter, level analytics.CodeLevel) any {
		rows, err := st.NeedsMatch(ctx, demo.TenantID, f, level)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]any{"level": level, "codes": rows}
	}
	execution := func(f analytics.Filter) any {
		rows, err := st.ExecutionDeadlines(ctx, demo.TenantID, f, today)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]any{"units": rows}
	}
	forecast := func(f analytics.Filter) any {
		fo, err := st.ForecastVsOutcome(ctx, demo.TenantID, f)
		if err != nil {
			t.Fatal(err)
		}
		return fo
	}
	week := func(units ...string) any {
		tw, err := st.TeamWeekPage(ctx, demo.TenantID, units, today)
		if err != nil {
			t.Fatal(err)
		}
		return tw
	}

	var answers [][]byte
	suppressed := 0
	for _, tc := range []struct {
		user, path string
		want       any
	}{
		{"analytiker", "/api/v1/analysis/needs" + q, needs(f, analytics.ByChapter)},
		{"analytiker", "/api/v1/analysis/needs" + q + "&level=code", needs(f, analytics.ByCode)},
		{"analytiker", "/api/v1/analysis/execution" + q, execution(f)},
		{"analytiker", "/api/v1/analysis/forecast" + q, forecast(f)},
		{"analytiker", "/api/v1/analysis/week?district=norra-omr", week(hers...)},
		{"arbetsledare", "/api/v1/analysis/needs" + q, needs(first, analytics.ByChapter)},
		{"arbetsledare", "/api/v1/analysis/execution" + q, execution(first)},
		{"arbetsledare", "/api/v1/analysis/forecast" + q, forecast(first)},
		{"arbetsledare", "/api/v1/analysis/week", week(hers...)},
		{"arbetsledare", "/api/v1/analysis/week?unit=norra-eb", week("norra-eb")},
	} {
		var b []byte
		w.call(tc.user, "GET", tc.path, nil, http.StatusOK, &b)
		answers = append(answers, b)
		wantJSON, err := json.Marshal(tc.want)
		if err != nil {
			t.Fatal(err)
		}
		var got, want any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s %s: %v", tc.user, tc.path, err)
		}
		if err := json.Unmarshal(wantJSON, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s answers\n%s\nthe query gives\n%s", tc.user, tc.path, b, wantJSON)
		}
		if countShown(got) == 0 {
			t.Errorf("%s %s shows no figure: %s", tc.user, tc.path, b)
		}
		suppressed += checkSuppressed(t, tc.path, got)
	}
	if suppressed == 0 {
		t.Error("no figure of the history is suppressed")
	}

	for _, path := range []string{"/api/v1/analysis/needs" + q + "&unit=centrum-eb", "/api/v1/analysis/execution" + q + "&unit=centrum-eb",
		"/api/v1/analysis/forecast" + q + "&unit=centrum-eb", "/api/v1/analysis/week?unit=centrum-eb"} {
		var problem struct {
			Errors []struct{ Field, Message string }
		}
		w.call("arbetsledare", "GET", path, nil, http.StatusUnprocessableEntity, &problem)
		if len(problem.Errors) != 1 || problem.Errors[0].Field != "unit" {
			t.Errorf("%s: refused, but not at the unit: %+v", path, problem)
		}
	}

	for _, p := range append(past, w.ds.Persons...) {
		for _, s := range []string{p.GivenName + " " + p.FamilyName, p.Identity.String(), strings.ReplaceAll(p.Identity.String(), "-", ""), p.ID} {
			for _, b := range answers {
				if s != "" && bytes.Contains(b, []byte(s)) {
					t.Fatalf("an analysis answer holds %q of a person", s)
				}
			}
		}
	}

	w.mustPage("granskare", "GET", "/access-log?"+url.Values{"user": {"analytiker"}}.Encode(), nil, false, http.StatusOK,
		"needs-chapter from=2025-03-01 to=2026-02-28", "needs-code from=2025-03-01 to=2026-02-28",
		"execution from=2025-03-01 to=2026-02-28", "forecast from=2025-03-01 to=2026-02-28",
		"team-week "+today+" units="+strings.Join(hers, ","))
	log := w.mustPage("granskare", "GET", "/access-log?"+url.Values{"user": {"arbetsledare"}}.Encode(), nil, false, http.StatusOK,
		"needs-chapter from=2025-03-01 to=2026-02-28 unit="+hers[0], "execution from=2025-03-01 to=2026-02-28 unit="+hers[0],
		"forecast from=2025-03-01 to=2026-02-28 unit="+hers[0], "team-week "+today+" units=norra-eb")
	if strings.Contains(log, "centrum-eb") {
		t.Error("a refused read is in the access log")
	}
}
