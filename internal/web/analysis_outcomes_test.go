package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/analytics/chart"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
)

// historyWorld is analysisWorld with the demo's past (LoadDemoHistory)
// written before the projector catches up, so the dashboards have figures
// from enough persons to be shown. It returns the history's persons too.
func historyWorld(t *testing.T, start time.Time) (*packWorld, []persons.Person) {
	t.Helper()
	opt := demo.HistoryOptions{Weeks: 70, PerWeek: 6, Today: start}
	var past []persons.Person
	w := analysisWorld(t, "sqlite", start, 40, func(ctx context.Context, w *packWorld) {
		walks, err := demo.Walks()
		if err != nil {
			t.Fatal(err)
		}
		for _, hc := range demo.History(w.ds, opt) {
			past = append(past, hc.Person)
		}
		if _, err := w.svc.LoadDemoHistory(ctx, w.ds, walks, opt); err != nil {
			t.Fatal(err)
		}
	})
	return w, past
}

// row is a chart table's row as the page writes it.
func row(header string, cells ...string) string {
	var b strings.Builder
	b.WriteString(`<tr><th scope="row">` + header + `</th>`)
	for _, c := range cells {
		b.WriteString(`<td>` + c + `</td>`)
	}
	return b.String() + `</tr>`
}

// cellText is a figure as a table cell writes it in Swedish.
func cellText(f analytics.Figure, div float64, decimals int) string {
	if f.Suppressed {
		return "–"
	}
	return chart.Format(f.Value/div, decimals, chart.Swedish)
}

// TestAnalysisOutcomePages: with two years of demo history, the pages
// "Stämmer hjälpen med behoven?", "Verkställda beslut inom tre månader"
// and "Prognos och utfall" show the figures their queries give (shown,
// not "–", where enough persons are behind them), the forecast with its
// method and error in words, and each read is in the access log.
func TestAnalysisOutcomePages(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w, past := historyWorld(t, start)
	ctx := context.Background()
	st := w.svc.Analytics
	f := analytics.Filter{From: "2025-03-01", To: "2026-02-28"}
	const q = "?from=2025-03&to=2026-02"
	opts, err := w.svc.AnalysisOptions(ctx, w.actor("analytiker"), "sv")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("needs", func(t *testing.T) {
		body := mainOf(w.mustPage("analytiker", "GET", "/analysis/needs"+q, nil, false, http.StatusOK,
			"<h1>Stämmer hjälpen med behoven?</h1>", `id="needs-steps"`, `id="needs-match"`))
		rows, err := st.NeedsMatch(ctx, demo.TenantID, f, analytics.ByChapter)
		if err != nil {
			t.Fatal(err)
		}
		shown := 0
		for _, r := range rows {
			if r.District != "" {
				continue
			}
			want := row(opts.Codes[r.Code], cellText(r.Assessed, 1, 0), cellText(r.Decided, 1, 0), cellText(r.Planned, 1, 0), cellText(r.Performed, 1, 0))
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %s", want)
			}
			if !r.Performed.Suppressed && r.Performed.Value > 0 {
				shown++
			}
		}
		if shown == 0 {
			t.Errorf("no chapter shows persons performed: %+v", rows)
		}
		for _, d := range opts.Districts {
			if !strings.Contains(body, `<th scope="col">`+d.Name+`</th>`) {
				t.Errorf("the match per district has no column for %s", d.Name)
			}
		}
	})

	t.Run("execution", func(t *testing.T) {
		body := mainOf(w.mustPage("analytiker", "GET", "/analysis/execution"+q, nil, false, http.StatusOK,
			"<h1>Verkställda beslut inom tre månader</h1>", `id="execution-share"`, `id="execution-count"`))
		rows, err := st.ExecutionDeadlines(ctx, demo.TenantID, f, "2026-03-02")
		if err != nil {
			t.Fatal(err)
		}
		all := rows[0]
		if all.Due.Suppressed || all.Executed.Suppressed {
			t.Fatalf("all units' decisions due are suppressed: %+v", all)
		}
		for _, want := range []string{
			row("Alla enheter", cellText(all.ExecutedPercent, 1, 1)),
			row("Alla enheter", cellText(all.Executed, 1, 0), cellText(all.Late, 1, 0), cellText(all.Unexecuted, 1, 0)),
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
	})

	t.Run("forecast", func(t *testing.T) {
		body := mainOf(w.mustPage("analytiker", "GET", "/analysis/forecast"+q, nil, false, http.StatusOK,
			"<h1>Prognos och utfall</h1>", `id="forecast-inflow"`, `id="forecast-decided_hours"`))
		fo, err := st.ForecastVsOutcome(ctx, demo.TenantID, f)
		if err != nil {
			t.Fatal(err)
		}
		in := fo.Inflow
		if !in.Made || in.MAE.Suppressed {
			t.Fatalf("no inflow forecast from the history: %+v", in)
		}
		back := map[string]float64{}
		for _, c := range in.Backtest {
			back[c.Month] = c.Forecast
		}
		for _, m := range in.History {
			predicted := ""
			if x, ok := back[m.Month]; ok {
				predicted = chart.Format(x, 0, chart.Swedish)
			}
			tm, _ := time.Parse("2006-01", m.Month)
			label := []string{"jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}[tm.Month()-1] + " " + tm.Format("2006")
			if want := row(label, cellText(m.Value, 1, 0), predicted); !strings.Contains(body, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
		for _, want := range []string{
			"Prognos för mar 2026: " + chart.Format(in.Forecast, 0, chart.Swedish) + " inkomna ärenden.",
			"missade prognosen i snitt med " + chart.Format(in.MAE.Value, 0, chart.Swedish) + " ärenden.",
			"Metod: ",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	})

	log := w.mustPage("granskare", "GET", "/access-log?"+url.Values{"user": {"analytiker"}}.Encode(), nil, false, http.StatusOK,
		"needs-chapter from=2025-03-01 to=2026-02-28", "execution from=2025-03-01 to=2026-02-28", "forecast from=2025-03-01 to=2026-02-28")
	_ = log
	noNames(t, w, append(past, w.ds.Persons...), "/analysis/needs"+q, "/analysis/execution"+q, "/analysis/forecast"+q, "/analysis/week?district=norra-omr")
}

// TestAnalysisWeekPage: the team lead who leads all of Norra sees her
// units' week together on "Veckan" by default (the figures
// TeamWeekPage gives for them), or one unit she chooses, and the team
// inbox links there; another's unit is refused at its field; an analyst
// is asked to choose before anything is read; each read is logged.
func TestAnalysisWeekPage(t *testing.T) {
	start := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	w, _ := historyWorld(t, start)
	ctx := context.Background()
	a := w.actor("arbetsledare")
	opts, err := w.svc.AnalysisOptions(ctx, a, "sv")
	if err != nil {
		t.Fatal(err)
	}
	var units []string
	for _, u := range opts.Units {
		units = append(units, u.ID)
	}
	if len(units) < 2 {
		t.Fatalf("the team lead leads %v: want several units", units)
	}
	tw, err := w.svc.Analytics.TeamWeekPage(ctx, demo.TenantID, units, "2026-03-04")
	if err != nil {
		t.Fatal(err)
	}
	if tw.LastWeek.NewCases.Suppressed || tw.LastWeek.Backlog.Suppressed {
		t.Fatalf("last week's new cases suppressed for all of Norra: %+v", tw)
	}
	body := mainOf(w.mustPage("arbetsledare", "GET", "/analysis/week", nil, false, http.StatusOK, "<h1>Veckan</h1>",
		`<option value="">Alla mina enheter</option>`, "v. 10 2026",
		row("Nya ärenden", cellText(tw.LastWeek.NewCases, 1, 0), cellText(tw.ThisWeek.NewCases, 1, 0)),
		row("Beslut", cellText(tw.LastWeek.Decisions, 1, 0), cellText(tw.ThisWeek.Decisions, 1, 0)),
		row("Öppna ärenden vid veckans slut", cellText(tw.LastWeek.Backlog, 1, 0), cellText(tw.ThisWeek.Backlog, 1, 0)),
		row("Tidsfrister som passerats", cellText(tw.Overdue, 1, 0)),
		row("Beslut inte verkställda efter tre månader", cellText(tw.Unexecuted, 1, 0)),
		row("Planerad", cellText(tw.PlannedMinutes, 60, 0))))
	for _, u := range opts.Units {
		if !strings.Contains(body, u.Name) {
			t.Errorf("the week does not name %s", u.Name)
		}
	}
	one := mainOf(w.mustPage("arbetsledare", "GET", "/analysis/week?unit=norra-eb", nil, false, http.StatusOK, `<option value="norra-eb" selected>`))
	if one == body {
		t.Error("one unit's week is the same page as all units'")
	}
	w.mustPage("arbetsledare", "GET", "/analysis/week?unit=centrum-eb", nil, false, http.StatusUnprocessableEntity,
		`<span id="unit-error" class="field-error">Välj en enhet i listan.</span>`)
	w.mustPage("arbetsledare", "GET", "/inbox?team=1", nil, false, http.StatusOK, `href="/analysis/week"`)
	if page := w.mustPage("handlaggare", "GET", "/inbox", nil, false, http.StatusOK); strings.Contains(page, `href="/analysis/week"`) {
		t.Error("an officer's inbox links to the team lead's week")
	}

	prompt := mainOf(w.mustPage("analytiker", "GET", "/analysis/week", nil, false, http.StatusOK, "Välj en enhet eller ett distrikt för att se dess vecka."))
	if strings.Contains(prompt, "<svg") {
		t.Error("the analyst's week shows figures before a unit is chosen")
	}
	w.mustPage("analytiker", "GET", "/analysis/week?district=norra-omr", nil, false, http.StatusOK, `id="week-cases"`)

	log := mainOf(w.mustPage("granskare", "GET", "/access-log?"+url.Values{"user": {"arbetsledare"}}.Encode(), nil, false, http.StatusOK,
		"team-week 2026-03-04 units="+strings.Join(tw.Units, ","), "team-week 2026-03-04 units=norra-eb"))
	if strings.Contains(log, "centrum-eb") {
		t.Error("a refused week is in the access log")
	}
	alog := mainOf(w.mustPage("granskare", "GET", "/access-log?"+url.Values{"user": {"analytiker"}}.Encode(), nil, false, http.StatusOK))
	if n := strings.Count(alog, "team-week"); n != 1 {
		t.Errorf("the analyst's week reads logged: %d, want 1 (the prompt reads nothing)", n)
	}
}

// noNames fails when a page, in either language, shows the name or
// identity number of any person of the world, the history's too.
func noNames(t *testing.T, w *packWorld, people []persons.Person, paths ...string) {
	t.Helper()
	var pages []string
	for _, p := range paths {
		for _, lang := range []string{"", "&lang=en"} {
			pages = append(pages, mainOf(w.mustPage("analytiker", "GET", p+lang, nil, false, http.StatusOK)))
		}
	}
	for _, p := range people {
		for _, s := range []string{p.GivenName + " " + p.FamilyName, p.Identity.String(), strings.ReplaceAll(p.Identity.String(), "-", ""), p.ID} {
			for _, page := range pages {
				if s != "" && strings.Contains(page, s) {
					t.Fatalf("an analysis page shows %q of a person", s)
				}
			}
		}
	}
}
