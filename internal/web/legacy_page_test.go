package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/legacy/synthetic"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// legacyDesk gives the world a folder of legacy exports and the desk
// that runs them, stopped and waited for when the test ends.
func (w *packWorld) legacyDesk(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	w.svc.Legacy = service.NewLegacyDesk(ctx, dir)
	t.Cleanup(func() {
		cancel()
		w.svc.Legacy.Wait()
	})
	return dir
}

// writeLegacyExport writes a synthetic export of district with n persons
// (and the dirt real ones have) into dir/name.
func writeLegacyExport(t *testing.T, dir, name, district string, n int, exported time.Time) {
	t.Helper()
	if _, err := synthetic.Write(context.Background(), filepath.Join(dir, name), synthetic.Options{District: district, Persons: n,
		NotesPerPerson: 1, Dirt: true, Exported: exported}); err != nil {
		t.Fatal(err)
	}
}

// legacyWait reloads the export's page until no run of it is running
// (the page no longer refreshes itself) and returns the page.
func (w *packWorld) legacyWait(t *testing.T, export string) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		page := w.mustPage("admin", "GET", "/admin/legacy/exports/"+export, nil, true, http.StatusOK)
		if !strings.Contains(page, `hx-trigger="every`) {
			return page
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run of %s did not end\n%s", export, mainOf(page))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var legacyRunLink = regexp.MustCompile(`href="(/admin/legacy/runs/[0-9a-f-]{36})"`)

// TestLegacyPagesAccess: the legacy pages are the system
// administrator's; an officer, a team lead, a process designer and an
// archivist are refused each of them (403) and do not have it in their
// menu, and the administrator has.
func TestLegacyPagesAccess(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 30)
	dir := w.legacyDesk(t)
	writeLegacyExport(t, dir, "S", "S", 5, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	run := "01a251c0-0000-7000-8000-000000000000"
	for _, user := range []string{"handlaggare", "arbetsledare", "designer", "arkivarie"} {
		for _, tc := range []struct {
			method, path string
			form         url.Values
		}{
			{"GET", "/admin/legacy", nil},
			{"GET", "/admin/legacy/exports/S", nil},
			{"POST", "/admin/legacy/exports/S/runs", url.Values{"mode": {"dry_run"}, "mapping": {"socialregistret"}}},
			{"GET", "/admin/legacy/runs/" + run, nil},
			{"GET", "/admin/legacy/runs/" + run + "/report.csv", nil},
		} {
			if status, body, _ := w.page(user, tc.method, tc.path, tc.form, false); status != http.StatusForbidden {
				t.Errorf("%s %s as %s: status %d, want 403\n%s", tc.method, tc.path, user, status, mainOf(body))
			}
		}
		if page := w.mustPage(user, "GET", "/me", nil, false, http.StatusOK); strings.Contains(page, `href="/admin/legacy"`) {
			t.Errorf("%s has the legacy page in the menu", user)
		}
	}
	if runs, err := w.svc.LegacyRuns(context.Background(), w.admin(t), store.LegacyRunQuery{}); err != nil || len(runs) != 0 {
		t.Errorf("the refused posts started runs: %v, %v", runs, err)
	}
	page := w.mustPage("admin", "GET", "/admin/legacy", nil, false, http.StatusOK, `href="/admin/legacy" aria-current="page"`,
		`href="/admin/legacy/exports/S"`)
	if !strings.Contains(page, "Socialregistret") {
		t.Errorf("the list lacks the export's system\n%s", mainOf(page))
	}
	// A reconciliation before any import ends with why, in Swedish.
	w.mustPage("admin", "POST", "/admin/legacy/exports/S/runs", url.Values{"mode": {"reconcile"}}, false, http.StatusOK)
	if page := w.legacyWait(t, "S"); !strings.Contains(page, "Avstämningen avbröts.") ||
		!strings.Contains(page, "Den här exporten är inte importerad än: importera den innan du stämmer av.") {
		t.Errorf("a reconciliation before the import\n%s", mainOf(page))
	}
	w.mustPage("admin", "GET", "/admin/legacy/exports/nowhere", nil, false, http.StatusNotFound)
	w.mustPage("admin", "GET", "/admin/legacy/exports/.hidden", nil, false, http.StatusNotFound)
	w.mustPage("admin", "GET", "/admin/legacy/runs/"+run, nil, false, http.StatusNotFound)
}

// admin returns the demo's system administrator as an actor.
func (w *packWorld) admin(t *testing.T) trygg.Actor {
	t.Helper()
	a, err := w.svc.ActorByUsername(context.Background(), demo.TenantID, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestLegacyPagesNotConfigured: without a folder of exports the page says
// how to set one.
func TestLegacyPagesNotConfigured(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 20)
	w.mustPage("admin", "GET", "/admin/legacy", nil, false, http.StatusOK, "--legacy-dir", "TRYGG_LEGACY_DIR")
	w.mustPage("admin", "GET", "/admin/legacy/exports/S", nil, false, http.StatusServiceUnavailable)
}

// TestLegacyPagesMoveIn has the system administrator move Norra in from
// the browser: the export in the folder with its manifest, an import
// refused before a dry run, the dry run in the background followed to its
// end, its report with counts per kind and outcome and every refused
// record's file, line, legacy id and reason in Swedish (and English),
// narrowed by outcome and downloaded as CSV, the import, the
// reconciliation with 0 unexplained differences and the switch-over
// checklist; then an officer sees an imported case with its original
// date and where it came from on the person page.
func TestLegacyPagesMoveIn(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			w := newPackWorld(t, engine, start, 30)
			dir := w.legacyDesk(t)
			writeLegacyExport(t, dir, "norra", "N", 40, start.Add(-time.Hour))
			exp, err := legacy.Open(filepath.Join(dir, "norra"))
			if err != nil {
				t.Fatal(err)
			}

			w.mustPage("admin", "GET", "/admin/legacy", nil, false, http.StatusOK, `href="/admin/legacy/exports/norra"`, "Socialregistret")
			w.mustPage("admin", "GET", "/admin/legacy/exports/norra", nil, false, http.StatusOK, "<h1>Export norra</h1>",
				`<option value="socialregistret" selected>`, `value="dry_run"`, `value="import" aria-describedby="legacy-import-hint" disabled`,
				"Importera går när en provkörning", "Exportens kontrollsummor", "Summa utbetalningar")

			// An import before a dry run is refused, and starts nothing.
			status, body, _ := w.page("admin", "POST", "/admin/legacy/exports/norra/runs", url.Values{"mode": {"import"}, "mapping": {"socialregistret"}}, false)
			if status != http.StatusConflict || !strings.Contains(body, "Provkör exporten med den här mappningen först") {
				t.Fatalf("import before a dry run: %d\n%s", status, mainOf(body))
			}

			// The dry run.
			status, _, where := w.page("admin", "POST", "/admin/legacy/exports/norra/runs", url.Values{"mode": {"dry_run"}, "mapping": {"socialregistret"}}, false)
			if status != http.StatusOK || where != "/admin/legacy/exports/norra" {
				t.Fatalf("the dry run's post ends at %s (%d)", where, status)
			}
			page := w.legacyWait(t, "norra")
			if !strings.Contains(page, "Provkörningen är klar.") || strings.Contains(page, `value="import" aria-describedby="legacy-import-hint" disabled`) {
				t.Fatalf("after the dry run the page does not say it is done or offer the import\n%s", mainOf(page))
			}
			m := legacyRunLink.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no link to the dry run's report\n%s", mainOf(page))
			}
			report := w.mustPage("admin", "GET", m[1], nil, false, http.StatusOK, "<h1>Provkörning: Socialregistret N</h1>",
				"Antal per slag och utfall", "Skapade", "Avvisade", "Journalanteckningar", "Koden finns inte i mappningen.",
				"Ladda ned rapporten (CSV)")
			refused := w.mustPage("admin", "GET", m[1]+"?outcome=refused", nil, false, http.StatusOK, "notes.csv")
			if strings.Contains(refused, "<td>Mappade</td>") || !strings.Contains(refused, "<td>Avvisade</td>") {
				t.Errorf("narrowed to refused, the report shows other outcomes\n%s", mainOf(refused))
			}
			for _, name := range personNames(t, exp) {
				if strings.Contains(report, name) || strings.Contains(refused, name) {
					t.Errorf("the report shows the name %q", name)
				}
			}
			resp, err := w.srv.Client().Do(w.pageRequest("admin", "GET", m[1]+"/report.csv", nil, false))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			csvBody := string(b)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
				!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="legacy-dry_run-N-`) ||
				!strings.HasPrefix(csvBody, "file;line;legacy_id;kind;outcome;reason;detail\n") || !strings.Contains(csvBody, ";refused;") {
				t.Errorf("the report's file: %d %v\n%.300s", resp.StatusCode, resp.Header, csvBody)
			}

			// The import, then the reconciliation.
			w.mustPage("admin", "POST", "/admin/legacy/exports/norra/runs", url.Values{"mode": {"import"}, "mapping": {"socialregistret"}}, false, http.StatusOK)
			page = w.legacyWait(t, "norra")
			if !strings.Contains(page, "Importen är klar.") || !strings.Contains(page, `value="reconcile"`) || strings.Contains(page, `value="persons"`) {
				t.Fatalf("after the import\n%s", mainOf(page))
			}
			w.mustPage("admin", "POST", "/admin/legacy/exports/norra/runs", url.Values{"mode": {"reconcile"}}, false, http.StatusOK)
			page = w.legacyWait(t, "norra")
			m = regexp.MustCompile(`href="(/admin/legacy/runs/[0-9a-f-]{36})">Visa avstämningen`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no link to the reconciliation\n%s", mainOf(page))
			}
			rec := w.mustPage("admin", "GET", m[1], nil, false, http.StatusOK, "<h1>Avstämning: Socialregistret N</h1>",
				`<p class="legacy-verdict good" id="legacy-verdict">0 oförklarade skillnader</p>`, "Summan av utbetalningarna",
				"Gällande beslut", "Checklista för bytesdagen", "Avstämningen visar 0 oförklarade skillnader")
			// The checklist is docs/migration.md's, point for point.
			doc, err := os.ReadFile("../../docs/migration.md")
			if err != nil {
				t.Fatal(err)
			}
			_, section, _ := strings.Cut(string(doc), "### The switch-over checklist")
			section, _, _ = strings.Cut(section, "\n#")
			points := len(regexp.MustCompile(`(?m)^\d+\. `).FindAllString(section, -1))
			_, list, _ := strings.Cut(rec, `<ol class="legacy-checklist">`)
			list, _, _ = strings.Cut(list, "</ol>")
			if n := strings.Count(list, "<li>"); points == 0 || n != points {
				t.Errorf("the page's checklist has %d points, docs/migration.md's %d", n, points)
			}

			// Every reason in the runs' reports has its text in both
			// languages.
			ctx := context.Background()
			runs, err := w.svc.LegacyRuns(ctx, w.admin(t), store.LegacyRunQuery{})
			if err != nil || len(runs) != 3 {
				t.Fatalf("runs: %d, %v", len(runs), err)
			}
			sv, en := server.Messages("sv"), server.Messages("en")
			for _, run := range runs {
				items, err := w.db.LegacyItems(ctx, demo.TenantID, run.ID, store.LegacyItemQuery{Limit: 100000})
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range items {
					if it.Reason != "" && (sv["legacy.reason."+it.Reason].Other == "" || en["legacy.reason."+it.Reason].Other == "") {
						t.Errorf("the reason %q (%s) has no text legacy.reason.%s in both languages", it.Reason, run.Mode, it.Reason)
					}
					if sv["legacy.kind."+it.Kind].Other == "" || sv["legacy.outcome."+it.Outcome].Other == "" {
						t.Errorf("the kind %q or outcome %q has no text", it.Kind, it.Outcome)
					}
				}
			}

			// The officer of Norra's elderly care sees an imported case
			// with its original date and where it came from.
			c := importedCase(t, exp, "N-ÄO")
			status, body, _ = w.page("handlaggare", "POST", "/persons/search", url.Values{"query": {c.identity}}, false)
			if status != http.StatusOK || !strings.Contains(body, "1 träff") {
				t.Fatalf("searching the imported person: %d\n%s", status, mainOf(body))
			}
			person := regexp.MustCompile(`href="(/persons/[0-9a-f-]{36})"`).FindStringSubmatch(body)
			if person == nil {
				t.Fatalf("no person in the hits\n%s", mainOf(body))
			}
			w.mustPage("handlaggare", "GET", person[1], nil, false, http.StatusOK, "öppnat "+c.opened,
				"Inflyttat från tidigare system (Socialregistret/N, "+c.legacyID+")")
		})
	}
}

// legacyCaseOf is an export's case as the officer will find it.
type legacyCaseOf struct {
	legacyID, identity, opened string
}

// importedCase returns a case of the export in unit whose person has a
// plain personnummer, with the day it was opened in Sweden.
func importedCase(t *testing.T, exp *legacy.Export, unit string) legacyCaseOf {
	t.Helper()
	ids := map[string]string{}
	seen := map[string]int{}
	for p, err := range exp.Persons() {
		if err != nil || p.Protected || p.PreviousIdentity != "" {
			continue
		}
		if regexp.MustCompile(`^(19|20)\d{6}-\d{4}$`).MatchString(p.Identity) {
			ids[p.LegacyID] = p.Identity
			seen[p.Identity]++
		}
	}
	for c, err := range exp.Cases() {
		if err != nil || c.Unit != unit || c.CaseType != "ÄO" {
			continue
		}
		opened, err := time.Parse(time.RFC3339, string(c.Opened))
		if id := ids[c.Person]; id != "" && seen[id] == 1 && err == nil {
			return legacyCaseOf{legacyID: c.LegacyID, identity: id, opened: opened.In(calendar.Sweden).Format(time.DateOnly)}
		}
	}
	t.Fatal("the export has no plain case in " + unit)
	return legacyCaseOf{}
}

// personNames returns the export's persons' family names of at least
// six letters (so that no column header matches one by chance).
func personNames(t *testing.T, exp *legacy.Export) []string {
	t.Helper()
	var out []string
	for p, err := range exp.Persons() {
		if err == nil && len([]rune(p.FamilyName)) >= 6 && !slices.Contains(out, p.FamilyName) {
			out = append(out, p.FamilyName)
		}
	}
	return out
}

// TestLegacyMarkerOnPersonPage: persons imported from a district still in
// the old system (Markera personer) are marked; an officer who may read
// such a person sees "Har uppgifter i tidigare system (system, district)"
// on the person page and in the search's hit, and persons without a mark
// show none.
func TestLegacyMarkerOnPersonPage(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w := newPackWorld(t, "sqlite", start, 80)
	dir := w.legacyDesk(t)

	// Two persons with cases in Norra's elderly care: the first is in
	// Östra's export, the other is not.
	var marked, other string
	var markedID, otherID string
	for _, c := range w.ds.Cases {
		if c.UnitID != "norra-ao" {
			continue
		}
		for _, p := range w.ds.Persons {
			if p.ID == c.PersonID && p.Protection == persons.ProtectionNone {
				switch {
				case marked == "":
					marked, markedID = p.Identity.String(), p.ID
				case other == "" && p.ID != markedID:
					other, otherID = p.Identity.String(), p.ID
				}
			}
		}
	}
	if other == "" {
		t.Fatal("the demo has not two persons with cases in norra-ao")
	}
	wr, err := legacy.NewWriter(filepath.Join(dir, "ostra"), legacy.FormatCSV, legacy.EncodingUTF8)
	if err != nil {
		t.Fatal(err)
	}
	if err := wr.Person(legacy.Person{LegacyID: "O-P0000001", Identity: marked, GivenName: "Anna", FamilyName: "Andersson"}); err != nil {
		t.Fatal(err)
	}
	wr.Manifest.System, wr.Manifest.District = "Socialregistret", "O"
	if err := wr.Close(); err != nil {
		t.Fatal(err)
	}

	w.mustPage("admin", "POST", "/admin/legacy/exports/ostra/runs", url.Values{"mode": {"persons"}, "mapping": {"socialregistret"}}, false, http.StatusOK)
	if page := w.legacyWait(t, "ostra"); !strings.Contains(page, "Personerna är markerade.") {
		t.Fatalf("marking persons did not end\n%s", mainOf(page))
	}

	const marker = "Har uppgifter i tidigare system (Socialregistret, O)"
	w.mustPage("handlaggare", "GET", "/persons/"+markedID, nil, false, http.StatusOK, marker)
	w.mustPage("handlaggare", "POST", "/persons/search", url.Values{"query": {marked}}, false, http.StatusOK, "1 träff", marker)
	for _, page := range []string{
		w.mustPage("handlaggare", "GET", "/persons/"+otherID, nil, false, http.StatusOK),
		w.mustPage("handlaggare", "POST", "/persons/search", url.Values{"query": {other}}, false, http.StatusOK, "1 träff"),
	} {
		if strings.Contains(page, "Har uppgifter i tidigare system") {
			t.Errorf("a person without a mark shows one\n%s", mainOf(page))
		}
	}
}

// TestLegacyPagesResume: an import stopped part-way (the server stopped)
// is shown as stopped on the export's page with Fortsätt, which resumes
// the same run from its checkpoint to its end.
func TestLegacyPagesResume(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w := newPackWorld(t, "sqlite", start, 30)
	dir := w.legacyDesk(t)
	writeLegacyExport(t, dir, "sodra", "S", 30, start.Add(-time.Hour))
	exp, err := legacy.Open(filepath.Join(dir, "sodra"))
	if err != nil {
		t.Fatal(err)
	}
	admin := w.admin(t)
	if _, err := w.svc.LegacyDryRun(context.Background(), admin, exp, "socialregistret", service.LegacyOptions{}); err != nil {
		t.Fatal(err)
	}
	// The import stops after its first batch, as when the server stops.
	ctx, cancel := context.WithCancel(context.Background())
	stopped, err := w.svc.LegacyImport(ctx, admin, exp, "socialregistret", service.LegacyOptions{Progress: func(service.LegacyProgress) { cancel() }})
	if err == nil || stopped.Status != store.LegacyStopped {
		t.Fatalf("the import did not stop: %s, %v", stopped.Status, err)
	}

	w.mustPage("admin", "GET", "/admin/legacy/exports/sodra", nil, false, http.StatusOK, "Importen avbröts innan den var klar",
		`<input type="hidden" name="mode" value="import">`, ">Fortsätt</button>")
	w.mustPage("admin", "GET", "/admin/legacy/runs/"+stopped.ID, nil, false, http.StatusOK, "<dd>Avbruten</dd>", ">Fortsätt</button>")
	w.mustPage("admin", "POST", "/admin/legacy/exports/sodra/runs", url.Values{"mode": {"import"}, "mapping": {"socialregistret"}}, false, http.StatusOK)
	if page := w.legacyWait(t, "sodra"); !strings.Contains(page, "Importen är klar.") || strings.Contains(page, "Importen avbröts") {
		t.Fatalf("after Fortsätt\n%s", mainOf(page))
	}
	runs, err := w.svc.LegacyRuns(context.Background(), admin, store.LegacyRunQuery{Modes: []string{store.LegacyImport}})
	if err != nil || len(runs) != 1 || runs[0].ID != stopped.ID || runs[0].Status != store.LegacyDone {
		t.Fatalf("the import was not resumed as the same run: %+v, %v", runs, err)
	}
}
