package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/storetest"
)

// download fetches a page as the demo user and returns its status,
// headers and body.
func (w *packWorld) download(user, path string) (int, http.Header, []byte) {
	w.t.Helper()
	resp, err := w.srv.Client().Do(w.pageRequest(user, "GET", path, nil, false))
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// apiFile fetches a register file through the API as the demo user.
func (w *packWorld) apiFile(user, path string) (int, []byte) {
	w.t.Helper()
	w.call(user, "GET", "/api/v1/me", nil, http.StatusOK, nil)
	req, _ := http.NewRequest("GET", w.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+w.tokens[user])
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

var fileName = regexp.MustCompile(`^attachment; filename="(EB_\d{4}_\d{6}\.txt)"$`)

// TestRegisterPages has the demo's team lead deliver Socialstyrelsen's
// register of economic assistance from the staff pages: "Rapporter" leads
// to the registers, with föreskrift, latest period and due day; the demo's
// last month checks with nothing missing and its file downloads named
// without personal data, the same twice and the same as the API's. A month
// where a case lacks the purpose lists the case (linked), the field and
// what to fill in, and the file is refused with the list until the
// officer fills it in. An officer is refused the registers, and a period
// not written as a month or not ended is refused at its field.
func TestRegisterPages(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC), 0)
			walks, err := demo.Walks()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.PlayDemoWalks(context.Background(), w.ds, walks, 25); err != nil {
				t.Fatal(err)
			}
			lead, officer := "arbetsledare", "ekonom"

			// Where a team lead looks: the reports lead to the registers.
			w.mustPage(lead, "GET", "/reports", nil, false, http.StatusOK, `href="/registers"`, "Register till Socialstyrelsen")
			w.mustPage(lead, "GET", "/registers", nil, false, http.StatusOK, "Ekonomiskt bistånd, månad", "HSLF-FS 2015:30",
				"<td>2026-09</td>", "<td>2026-10-15</td>", `href="/registers/ekonomiskt_bistand?period=2026-09"`, "Filip")

			// The demo's last month: nothing missing, the file made.
			page := w.mustPage(lead, "GET", "/registers/ekonomiskt_bistand?period=2026-09", nil, false, http.StatusOK,
				`<label for="period">Månad</label>`, "Allt som behövs finns. Filen för 2026-09 får 4 poster.",
				`href="/registers/ekonomiskt_bistand/file?period=2026-09"`, "Skapa fil")
			if strings.Contains(page, "error-summary") {
				t.Errorf("the demo's last month lacks something:\n%s", mainOf(page))
			}
			status, head, f1 := w.download(lead, "/registers/ekonomiskt_bistand/file?period=2026-09")
			m := fileName.FindStringSubmatch(head.Get("Content-Disposition"))
			if status != http.StatusOK || m == nil || !strings.HasSuffix(m[1], "_202609.txt") || head.Get("Content-Type") != "text/plain; charset=iso-8859-1" {
				t.Fatalf("file: %d %v", status, head)
			}
			lines := strings.Split(strings.TrimSuffix(string(f1), "\r\n"), "\r\n")
			if len(lines) != 5 || !strings.HasPrefix(lines[0], "Ar;Manad;Kommun;") || !strings.HasPrefix(lines[1], "2026;09;") {
				t.Errorf("file:\n%s", f1)
			}
			_, _, f2 := w.download(lead, "/registers/ekonomiskt_bistand/file?period=2026-09")
			apiStatus, f3 := w.apiFile(lead, "/api/v1/registers/ekonomiskt_bistand/file?period=2026-09")
			if !bytes.Equal(f1, f2) || apiStatus != http.StatusOK || !bytes.Equal(f1, f3) {
				t.Errorf("the file made twice or through the API differs: %d\n%s\n%s\n%s", apiStatus, f1, f2, f3)
			}

			// October: an application signed without the purpose.
			var personID string
			for _, c := range w.ds.Cases {
				if c.UnitID == "norra-eb" && !c.Journey && !c.WalkAll {
					personID = c.PersonID
				}
			}
			for _, p := range w.ds.Persons {
				if p.ID == personID && p.Protection != persons.ProtectionNone {
					t.Fatal("the person chosen is protected")
				}
			}
			caseID := w.openCase(officer, personID, "norra-eb", "ekonomiskt_bistand")
			values := map[string]any{"month": "2026-10-01", "applied_for": []any{"forsorjningsstod"},
				"members":      []any{map[string]any{"role": "single", "age": 40.0}},
				"housing_cost": 650000.0, "hinder_sokande": "sjuk_intyg", "atgard": "ingen"}
			w.fill(officer, caseID, "eb_ansokan", values)
			w.move(officer, caseID, "assess")
			w.decide(officer, caseID, func(d *apiDecision) map[string]any { return map[string]any{"valid_to": "2026-10-31"} })
			w.advance(27 * 24 * time.Hour) // 2026-11-16

			w.mustPage(lead, "GET", "/registers", nil, false, http.StatusOK, "<td>2026-10</td>", "<td>2026-11-15</td>")
			page = w.mustPage(lead, "GET", "/registers/ekonomiskt_bistand?period=2026-10", nil, false, http.StatusOK,
				`id="error-summary"`, "1 uppgift saknas innan filen kan skapas.", `href="#missing-h"`,
				`<th scope="col">Ärende</th>`, `href="/cases/`+caseID+`"`, "<td>Ändamål</td>",
				"Fyll i ändamål med biståndet under ”Uppgifter till Socialstyrelsen” i ansökan.")
			if strings.Contains(page, "/file?period=") {
				t.Error("the file is offered while something is missing")
			}
			status, head, body := w.download(lead, "/registers/ekonomiskt_bistand/file?period=2026-10")
			if status != http.StatusConflict || head.Get("Content-Disposition") != "" ||
				!strings.Contains(string(body), "Filen kan inte skapas. 1 uppgift saknas.") || !strings.Contains(string(body), `href="/cases/`+caseID+`"`) {
				t.Errorf("the file was not refused with the list: %d %v\n%s", status, head, mainOf(string(body)))
			}
			// The officer fills it in; the file is made.
			values["andamal"] = "forsorjning"
			w.fill(officer, caseID, "eb_ansokan", values)
			w.mustPage(lead, "GET", "/registers/ekonomiskt_bistand?period=2026-10", nil, false, http.StatusOK, "Filen för 2026-10 får 1 post.")
			if status, _, _ := w.download(lead, "/registers/ekonomiskt_bistand/file?period=2026-10"); status != http.StatusOK {
				t.Errorf("file after the fix: %d", status)
			}

			// Periods refused at their field.
			for _, period := range []string{"2026-13", "2026-11"} {
				w.mustPage(lead, "GET", "/registers/ekonomiskt_bistand?period="+url.QueryEscape(period), nil, false, http.StatusUnprocessableEntity,
					`id="error-summary"`, `href="#period"`, `aria-invalid="true"`, `id="period-error"`)
			}

			// An officer may not make the registers.
			if body := w.mustPage(officer, "GET", "/reports", nil, false, http.StatusOK); strings.Contains(body, `href="/registers"`) {
				t.Error("an officer is offered the registers")
			}
			w.mustPage(officer, "GET", "/registers", nil, false, http.StatusOK, "Det finns inga register som din roll får ta fram.")
			for _, path := range []string{"/registers/ekonomiskt_bistand", "/registers/ekonomiskt_bistand?period=2026-10",
				"/registers/ekonomiskt_bistand/file?period=2026-10"} {
				status, head, body := w.download(officer, path)
				if status != http.StatusForbidden || head.Get("Content-Disposition") != "" || bytes.Contains(body, []byte("2026;10;")) {
					t.Errorf("%s as an officer: %d %v", path, status, head)
				}
			}
		})
	}
}

// TestDemoRegisters: signed in as the demo's team lead, each register the
// packs define is made for its latest period from the staff page and
// through the API: nothing is missing, the file downloads and is the same
// twice and through the API, and the registers of economic assistance
// (month and year), of SoL insatser (in force, started and ended), of
// LSS insatser on 1 October and of children and young people (the
// demo's placements) have records from the demo's played histories.
func TestDemoRegisters(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC), 0)
			walks, err := demo.Walks()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.PlayDemoWalks(context.Background(), w.ds, walks, 25); err != nil {
				t.Fatal(err)
			}
			lead := "arbetsledare"
			var out struct {
				Registers []struct {
					ID     string `json:"id"`
					Period string `json:"period"`
				} `json:"registers"`
			}
			w.call(lead, "GET", "/api/v1/registers", nil, http.StatusOK, &out)
			list := out.Registers
			withRecords := map[string]bool{"ekonomiskt_bistand": true, "ekonomiskt_bistand_ar": true, "sol_insatser": true, "sol_insatser_forandringar": true, "lss_insatser": true, "barn_och_unga": true}
			seen := map[string]bool{}
			for _, r := range list {
				seen[r.ID] = true
				page := w.mustPage(lead, "GET", "/registers/"+r.ID+"?period="+r.Period, nil, false, http.StatusOK, "Allt som behövs finns.")
				if strings.Contains(page, "error-summary") {
					t.Errorf("%s %s lacks something:\n%s", r.ID, r.Period, mainOf(page))
					continue
				}
				path := "/registers/" + r.ID + "/file?period=" + r.Period
				status, head, f1 := w.download(lead, path)
				_, _, f2 := w.download(lead, path)
				apiStatus, f3 := w.apiFile(lead, "/api/v1"+path)
				if status != http.StatusOK || !strings.HasPrefix(head.Get("Content-Disposition"), "attachment; filename=") || apiStatus != http.StatusOK ||
					!bytes.Equal(f1, f2) || !bytes.Equal(f1, f3) {
					t.Errorf("%s %s: the file made twice or through the API differs: %d %d %v", r.ID, r.Period, status, apiStatus, head)
				}
				lines := strings.Split(strings.TrimSuffix(string(f1), "\r\n"), "\r\n")
				t.Logf("%s %s: %d records", r.ID, r.Period, len(lines)-1)
				if withRecords[r.ID] && len(lines) < 2 {
					t.Errorf("%s %s has no records in the demo", r.ID, r.Period)
				}
			}
			for id := range withRecords {
				if !seen[id] {
					t.Errorf("the team lead is not offered %s: %v", id, list)
				}
			}
		})
	}
}
