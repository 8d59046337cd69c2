package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/storetest"
)

// analysisAPIDashboards are the dashboards the API answers as JSON, each
// with what it is asked besides the period (the analyst names the week's
// district).
var analysisAPIDashboards = []struct{ name, query string }{
	{"decision-times", ""}, {"flow", ""}, {"deadlines", ""}, {"planned-performed", ""},
	{"needs", ""}, {"needs", "&level=code"}, {"execution", ""}, {"forecast", ""}, {"week", "&district=norra-omr"},
}

// personalStrings are what of the demo's persons no analyst may get:
// names, identity numbers (with and without the hyphen) and ids.
func (w *packWorld) personalStrings() []string {
	var out []string
	for _, p := range w.ds.Persons {
		out = append(out, p.GivenName+" "+p.FamilyName, p.Identity.String(), strings.ReplaceAll(p.Identity.String(), "-", ""), p.ID)
	}
	return out
}

// checkSuppressed fails for a suppressed figure that carries a value,
// and returns how many figures were suppressed.
func checkSuppressed(t *testing.T, where string, v any) int {
	t.Helper()
	n := 0
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["suppressed"].(bool); ok && s {
			n++
			if x["value"] != 0.0 {
				t.Errorf("%s: a suppressed figure has the value %v", where, x["value"])
			}
		}
		for _, y := range x {
			n += checkSuppressed(t, where, y)
		}
	case []any:
		for _, y := range x {
			n += checkSuppressed(t, where, y)
		}
	}
	return n
}

// TestAnalysisAPI reads every dashboard as JSON and every table as CSV and
// Parquet through the API as the analyst, on both engines: no demo
// person's name, identity number or id is in any answer; figures from
// fewer than five persons are suppressed with no value, in every
// dashboard; an officer is refused (403); and each read and export is in
// the access log. Every dashboard openapi.json documents is read.
func TestAnalysisAPI(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := analysisWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40, nil)
			var doc struct {
				Paths map[string]any `json:"paths"`
			}
			w.send("", "GET", "/api/openapi.json", nil, http.StatusOK, &doc)
			for path := range doc.Paths {
				name, ok := strings.CutPrefix(path, "/api/v1/analysis/")
				if ok && !strings.HasPrefix(name, "exports") &&
					!slices.ContainsFunc(analysisAPIDashboards, func(d struct{ name, query string }) bool { return d.name == name }) {
					t.Errorf("openapi.json documents %s, which this test does not read", path)
				}
			}
			var answers [][]byte
			query := "?from=2025-04-01&to=2026-03-31"
			suppressed := 0
			for _, d := range analysisAPIDashboards {
				var b []byte
				w.call("analytiker", "GET", "/api/v1/analysis/"+d.name+query+d.query, nil, http.StatusOK, &b)
				var v any
				if err := json.Unmarshal(b, &v); err != nil {
					t.Fatalf("%s: %v", d.name, err)
				}
				if n := checkSuppressed(t, d.name+d.query, v); n == 0 && d.name != "deadlines" && d.name != "needs" {
					// The demo's day has no deadline due and no need
					// assessed (TestAnalysisAPIFigures reads them).
					t.Errorf("%s%s: the demo's few cases give no suppressed figure: %s", d.name, d.query, b)
				} else {
					suppressed += n
				}
				answers = append(answers, b)
				w.call("handlaggare", "GET", "/api/v1/analysis/"+d.name+query+d.query, nil, http.StatusForbidden, nil)
				w.call("granskare", "GET", "/api/v1/analysis/"+d.name+query+d.query, nil, http.StatusForbidden, nil)
			}
			if suppressed == 0 {
				t.Error("the demo's few cases give no suppressed figure")
			}
			w.call("analytiker", "GET", "/api/v1/analysis/needs?level=insats", nil, http.StatusUnprocessableEntity, nil)
			w.call("analytiker", "GET", "/api/v1/analysis/forecast?from=2025-04-01", nil, http.StatusUnprocessableEntity, nil)
			w.call("analytiker", "GET", "/api/v1/analysis/week", nil, http.StatusUnprocessableEntity, nil)
			w.call("analytiker", "GET", "/api/v1/analysis/flow?from=2026-13-01&to=2026-03-31", nil, http.StatusUnprocessableEntity, nil)

			var tables struct{ Tables []analytics.ExportTable }
			w.call("analytiker", "GET", "/api/v1/analysis/exports", nil, http.StatusOK, &tables)
			if len(tables.Tables) != len(analytics.ExportTables()) {
				t.Fatalf("%d tables listed", len(tables.Tables))
			}
			w.call("handlaggare", "GET", "/api/v1/analysis/exports", nil, http.StatusForbidden, nil)
			w.call("handlaggare", "GET", "/api/v1/analysis/exports/fact_cases", nil, http.StatusForbidden, nil)
			w.call("analytiker", "GET", "/api/v1/analysis/exports/fact_cases?format=xlsx", nil, http.StatusUnprocessableEntity, nil)
			for _, table := range tables.Tables {
				for _, format := range []string{"csv", "parquet"} {
					var b []byte
					w.call("analytiker", "GET", "/api/v1/analysis/exports/"+table.Name+query+"&format="+format, nil, http.StatusOK, &b)
					if format == "parquet" && !bytes.HasPrefix(b, []byte("PAR1")) {
						t.Errorf("%s as parquet is not a Parquet file", table.Name)
					}
					if format == "csv" && !bytes.HasPrefix(b, []byte(strings.Join(table.Columns, ",")+"\r\n")) {
						t.Errorf("%s as CSV does not start with its header: %.80q", table.Name, b)
					}
					answers = append(answers, b)
				}
			}
			for _, s := range w.personalStrings() {
				for _, b := range answers {
					if s != "" && bytes.Contains(b, []byte(s)) {
						t.Fatalf("an analysis answer holds %q of a demo person", s)
					}
				}
			}

			// The persons' dimension: every sex and age band written is
			// shared by at least five persons.
			var b []byte
			w.call("analytiker", "GET", "/api/v1/analysis/exports/dim_persons?format=csv", nil, http.StatusOK, &b)
			records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			cells := map[string]map[string]bool{}
			for _, r := range records[1:] {
				k := r[1] + "|" + r[2]
				if cells[k] == nil {
					cells[k] = map[string]bool{}
				}
				cells[k][r[0]] = true
			}
			for k, ps := range cells {
				if len(ps) < analytics.MinPersons {
					t.Errorf("dim_persons: %d persons of %s", len(ps), k)
				}
			}
			if len(records) < 2 {
				t.Error("dim_persons has no rows")
			}

			log := w.mustPage("granskare", "GET", "/access-log?"+url.Values{"user": {"analytiker"}}.Encode(), nil, false, http.StatusOK,
				"export fact_cases csv from=2025-04-01 to=2026-03-31 rows=", "export dim_persons parquet from=2025-04-01",
				"needs-chapter from=2025-04-01 to=2026-03-31", "needs-code from=2025-04-01 to=2026-03-31",
				"execution from=2025-04-01 to=2026-03-31", "forecast from=2025-04-01 to=2026-03-31", "team-week 2026-03-02 units=")
			if strings.Contains(log, "export fact_cases xlsx") {
				t.Error("a refused export is in the access log")
			}
			if strings.Contains(log, "needs-insats") || strings.Count(log, "forecast from=") != 1 || strings.Count(log, "team-week") != 1 {
				t.Error("a refused dashboard read is in the access log")
			}
		})
	}
}

// TestAnalysisExportPage: the analyst opens Exportera tabeller from the
// analysis overview, the quarter up to this month chosen, and downloads a
// table from its link; a bad month is refused at its field with no links;
// an officer is refused the page and the files.
func TestAnalysisExportPage(t *testing.T) {
	w := analysisWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40, nil)
	w.mustPage("analytiker", "GET", "/analysis", nil, false, http.StatusOK, `href="/analysis/export"`)
	body := mainOf(w.mustPage("analytiker", "GET", "/analysis/export", nil, false, http.StatusOK,
		"<h1>Exportera tabeller</h1>", `value="2026-01"`, `value="2026-03"`, "Faktatabeller", "Dimensioner",
		`href="/analysis/export/fact_cases?format=csv&amp;from=2026-01&amp;to=2026-03"`, `aria-label="Ärenden som Parquet"`))
	if strings.Count(body, " download ") != 2*len(analytics.ExportTables()) {
		t.Errorf("the page has %d download links, want %d", strings.Count(body, " download "), 2*len(analytics.ExportTables()))
	}
	file := w.mustPage("analytiker", "GET", "/analysis/export/dim_persons?format=csv&from=2026-01&to=2026-03", nil, false, http.StatusOK)
	if !strings.HasPrefix(file, "person_key,sex,age_band\r\n") {
		t.Errorf("the persons' file: %.80q", file)
	}
	if file := w.mustPage("analytiker", "GET", "/analysis/export/fact_decisions?format=parquet&from=2026-01&to=2026-03", nil, false, http.StatusOK); !strings.HasPrefix(file, "PAR1") {
		t.Errorf("the decisions' Parquet file: %.20q", file)
	}
	bad := mainOf(w.mustPage("analytiker", "GET", "/analysis/export?from=2026-13&to=2026-03", nil, false, http.StatusUnprocessableEntity,
		`<span id="from-error" class="field-error">`, "Urvalet behöver rättas:"))
	if strings.Contains(bad, "/analysis/export/fact_cases") {
		t.Error("a bad filter shows the files' links")
	}
	w.mustPage("analytiker", "GET", "/analysis/export/fact_cases?from=2026-13&to=2026-03", nil, false, http.StatusUnprocessableEntity)
	w.mustPage("analytiker", "GET", "/analysis/export/cursors?format=csv", nil, false, http.StatusNotFound)
	w.mustPage("handlaggare", "GET", "/analysis/export", nil, false, http.StatusForbidden)
	w.mustPage("handlaggare", "GET", "/analysis/export/fact_cases?format=csv", nil, false, http.StatusForbidden)
	w.mustPage("granskare", "GET", "/access-log?user=analytiker", nil, false, http.StatusOK,
		"export dim_persons csv from=2026-01-01 to=2026-03-31", "export fact_decisions parquet from=2026-01-01 to=2026-03-31")
}
