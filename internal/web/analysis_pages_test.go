package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
	"github.com/trygg/trygg/packs"
)

// analysisWorld is the demo municipality (newPackWorld's) with an
// analysis store beside its main store, fed from the event log up to now
// and given to the service, as trygg serve does.
func analysisWorld(t *testing.T, engine string, start time.Time, persons int, change func(ctx context.Context, w *packWorld)) *packWorld {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(start)
	dsn := storetest.DSN(t, engine)
	db, err := store.Open(ctx, dsn, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := storetest.Service(t, db, nil)
	ds := demo.Generate(demo.Options{Persons: persons, Staff: 40, Today: start})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	if _, err := svc.LoadDemo(ctx, ds); err != nil {
		t.Fatal(err)
	}
	w := &packWorld{t: t, svc: svc, db: db, clock: clock, ds: ds, tokens: map[string]string{}, passwords: map[string]string{}}
	if change != nil {
		change(ctx, w)
	}
	st, err := analytics.Open(ctx, analytics.DefaultDSN(dsn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pr, err := analytics.NewProjector(ctx, db, st, []byte("a test key of the analysis store"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pr.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	svc.Analytics = pr.Store()
	w.srv = httptest.NewServer(web.New(web.Config{DefaultTenant: demo.TenantID}, svc, slog.New(slog.DiscardHandler), prometheus.NewRegistry()))
	t.Cleanup(w.srv.Close)
	return w
}

// analysisPages are the dashboards, each with a text its page shows.
var analysisPages = []struct{ path, h1 string }{
	{"/analysis/decision-times", "Tid från ansökan till beslut"},
	{"/analysis/flow", "Inflöde, utflöde och balans"},
	{"/analysis/deadlines", "Lagstadgade tidsfrister"},
	{"/analysis/planned-performed", "Planerad och utförd tid"},
	{"/analysis/needs", "Stämmer hjälpen med behoven?"},
	{"/analysis/execution", "Verkställda beslut inom tre månader"},
	{"/analysis/forecast", "Prognos och utfall"},
}

// TestAnalysisPagesRefuseOthers: only analysts and team leads see the
// dashboards; an officer, a log reviewer and provider staff are refused as
// the house refuses a role (403, the error page), and the navigation
// offers Analys only to those who may.
func TestAnalysisPagesRefuseOthers(t *testing.T) {
	w := analysisWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40, nil)
	for _, user := range []string{"handlaggare", "granskare", "utforare"} {
		for _, p := range append([]struct{ path, h1 string }{{"/analysis", "Analys"}, {"/analysis/week", "Veckan"}}, analysisPages...) {
			body := w.mustPage(user, "GET", p.path, nil, false, http.StatusForbidden)
			if strings.Contains(body, "<svg") || strings.Contains(body, "chart-table") {
				t.Errorf("%s refused %s, but the page has a chart or table", user, p.path)
			}
		}
		if body := w.mustPage(user, "GET", "/me", nil, false, http.StatusOK); strings.Contains(body, `href="/analysis"`) {
			t.Errorf("%s's navigation offers Analys", user)
		}
	}
	for _, user := range []string{"analytiker", "arbetsledare"} {
		w.mustPage(user, "GET", "/analysis", nil, false, http.StatusOK, `href="/analysis"`, `href="/analysis/decision-times"`)
	}
}

// TestAnalysisPagesSmallCells: the demo's day alone has no figure from five
// persons, so every dashboard shows its charts with "–" in every cell and
// the note saying why, never a 0.
func TestAnalysisPagesSmallCells(t *testing.T) {
	w := analysisWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40, nil)
	for _, p := range analysisPages {
		body := mainOf(w.mustPage("analytiker", "GET", p.path+"?from=2026-01&to=2026-03", nil, false, http.StatusOK, "<h1>"+p.h1+"</h1>"))
		if p.path == "/analysis/deadlines" || p.path == "/analysis/needs" {
			if !strings.Contains(body, "Det finns inga siffror för det här urvalet.") {
				t.Errorf("%s without deadlines does not say so\n%s", p.path, body)
			}
			continue
		}
		for _, want := range []string{`<svg`, `role="img"`, `class="chart-table"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", p.path, want)
			}
		}
		if !strings.Contains(body, "<td>–</td>") || !strings.Contains(body, "– = färre än 5 personer.") {
			t.Errorf("%s shows no suppressed cell with its note\n%s", p.path, body)
		}
		if strings.Contains(body, "<td>0</td>") {
			t.Errorf("%s shows a suppressed figure as 0", p.path)
		}
	}
}

// TestAnalysisFilter: the filter's fields keep what was chosen; a bad month,
// a period ending before it starts, a district or case type not in the
// lists are each refused at their field, with the summary and no figures
// (422), and nothing is logged for them.
func TestAnalysisFilter(t *testing.T) {
	w := analysisWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40, nil)
	body := w.mustPage("analytiker", "GET", "/analysis/flow?from=2026-01&to=2026-02&district=norra-omr&case_type=", nil, false, http.StatusOK,
		`name="from" type="month" value="2026-01"`, `value="2026-02"`, `<option value="norra-omr" selected>`, "v. 1 2026", "v. 9 2026")
	if strings.Contains(body, "v. 10 2026") {
		t.Error("flow for January–February shows a week of March")
	}
	for _, tc := range []struct {
		query, field, message string
	}{
		{"from=2026-13&to=2026-02", "from", "Skriv månaden som ÅÅÅÅ-MM, till exempel 2026-01."},
		{"from=januari&to=2026-02", "from", "Skriv månaden som ÅÅÅÅ-MM, till exempel 2026-01."},
		{"from=2026-03&to=2026-01", "to", "Perioden slutar innan den börjar."},
		{"from=2020-01&to=2026-02", "from", "Välj en period på högst 36 månader."},
		{"district=nowhere", "district", "Välj ett distrikt i listan."},
		{"unit=nowhere", "unit", "Välj en enhet i listan."},
		{"case_type=nothing", "case_type", "Välj en ärendetyp i listan."},
	} {
		for _, p := range analysisPages {
			body := mainOf(w.mustPage("analytiker", "GET", p.path+"?"+tc.query, nil, false, http.StatusUnprocessableEntity,
				`<span id="`+tc.field+`-error" class="field-error">`+tc.message+`</span>`, `aria-invalid="true"`, "Urvalet behöver rättas:"))
			if strings.Contains(body, "<svg") || strings.Contains(body, "chart-table") {
				t.Errorf("%s?%s: a bad filter shows figures", p.path, tc.query)
			}
		}
	}
	log := w.mustPage("granskare", "GET", "/access-log?user=analytiker", nil, false, http.StatusOK)
	if strings.Contains(log, "from=2026-03 ") || strings.Contains(log, "district=nowhere") {
		t.Error("a refused filter is in the access log")
	}
}

// TestAnalysisReadsLogged: every dashboard an analyst views is one entry
// of the access log, with no person or case, on the analysis ground and
// with the dashboard and its filter as the reason, and the log review
// page says so in words.
func TestAnalysisReadsLogged(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := analysisWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40, nil)
			w.mustPage("analytiker", "GET", "/analysis", nil, false, http.StatusOK)
			for _, p := range analysisPages {
				w.mustPage("analytiker", "GET", p.path+"?from=2026-01&to=2026-02&district=norra-omr", nil, false, http.StatusOK)
			}
			q := url.Values{"user": {"analytiker"}}
			log := mainOf(w.mustPage("granskare", "GET", "/access-log?"+q.Encode(), nil, false, http.StatusOK,
				"Såg statistik i analysen (inga personer)", "Analys: sammanställda, pseudonymiserade siffror",
				"decision-times from=2026-01-01 to=2026-02-28 district=norra-omr",
				"flow from=2026-01-01 to=2026-02-28 district=norra-omr",
				"deadlines from=2026-01-01 to=2026-02-28 district=norra-omr",
				"planned-performed from=2026-01-01 to=2026-02-28 district=norra-omr",
				"needs-chapter from=2026-01-01 to=2026-02-28 district=norra-omr",
				"execution from=2026-01-01 to=2026-02-28 district=norra-omr",
				"forecast from=2026-01-01 to=2026-02-28 district=norra-omr"))
			if n := strings.Count(log, "Såg statistik i analysen"); n != len(analysisPages) {
				t.Errorf("the log review shows %d analysis reads, want %d (the overview reads no figures)", n, len(analysisPages))
			}
		})
	}
}

// TestAnalysisTeamLeadOwnUnits: a team lead sees her own units' figures,
// one unit at a time (the first by default), and is refused another
// unit at the field.
func TestAnalysisTeamLeadOwnUnits(t *testing.T) {
	w := analysisWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40, nil)
	body := mainOf(w.mustPage("arbetsledare", "GET", "/analysis/decision-times", nil, false, http.StatusOK, "Siffrorna gäller "))
	if strings.Contains(body, `value="centrum-eb"`) || strings.Contains(body, "Alla enheter") {
		t.Errorf("the team lead of Norra may choose another district's unit or all units\n%s", body)
	}
	w.mustPage("arbetsledare", "GET", "/analysis/decision-times?unit=centrum-eb", nil, false, http.StatusUnprocessableEntity,
		`<span id="unit-error" class="field-error">Välj en enhet i listan.</span>`)
}

// TestAnalysisPagesNameNoOne: no dashboard, in either language and under
// any filter, shows the name or identity number of any demo person.
func TestAnalysisPagesNameNoOne(t *testing.T) {
	w := analysisWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40, nil)
	var pages []string
	for _, lang := range []string{"", "&lang=en"} {
		for _, p := range append([]struct{ path, h1 string }{{"/analysis", ""}, {"/analysis/week", ""}}, analysisPages...) {
			for _, q := range []string{"?from=2025-04&to=2026-03&unit=norra-eb", "?from=2026-01&to=2026-03&district=norra-omr"} {
				pages = append(pages, mainOf(w.mustPage("analytiker", "GET", p.path+q+lang, nil, false, http.StatusOK)))
			}
		}
	}
	for _, p := range w.ds.Persons {
		for _, s := range []string{p.GivenName + " " + p.FamilyName, p.Identity.String(), strings.ReplaceAll(p.Identity.String(), "-", ""), p.ID} {
			for _, page := range pages {
				if s != "" && strings.Contains(page, s) {
					t.Fatalf("an analysis page shows %q of a demo person", s)
				}
			}
		}
	}
}
