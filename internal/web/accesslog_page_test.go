package web_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/storetest"
)

// logRow is one row of the access-log table as the reviewer reads it.
type logRow struct {
	emergency bool
	cells     []string // text of the cells, the row header first
}

var (
	rowRE  = regexp.MustCompile(`(?s)<tr( class="emergency")?>\s*<th scope="row">(.*?)</tr>`)
	cellRE = regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
	tagRE  = regexp.MustCompile(`<[^>]+>`)
	// hiddenRE drops the link texts only screen readers get.
	hiddenRE = regexp.MustCompile(`<span class="visually-hidden">[^<]*</span>`)
	spaceRE  = regexp.MustCompile(`\s+`)
)

// logRows returns the rows of the access-log table in page.
func logRows(page string) []logRow {
	var out []logRow
	for _, m := range rowRE.FindAllStringSubmatch(page, -1) {
		r := logRow{emergency: m[1] != ""}
		for _, c := range cellRE.FindAllStringSubmatch(`<th scope="row">`+m[2], -1) {
			text := html.UnescapeString(tagRE.ReplaceAllString(hiddenRE.ReplaceAllString(c[1], ""), " "))
			r.cells = append(r.cells, strings.TrimSpace(spaceRE.ReplaceAllString(text, " ")))
		}
		out = append(out, r)
	}
	return out
}

// Columns of logRow.cells.
const (
	colSeq = iota
	colAt
	colUser
	colAction
	colGround
	colPerson
	colCase
	colReason
)

// TestAccessLogPage: a case officer reads a person of her unit, a colleague
// from another unit opens the same person in an emergency a day later, and
// the officer reads another person a day after that. The log reviewer sees
// the emergency opening first and marked, narrows the list by person, user
// and period, and sees that the chain is intact; a case officer may not
// see the page.
func TestAccessLogPage(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			t0 := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC) // 10:00 in Sweden
			w := newPackWorld(t, engine, t0, 80)
			// Persons of the officer's unit that the colleague (children and
			// young people) can only reach in an emergency.
			inUnit := func(p persons.Person, unit string) bool {
				return slices.ContainsFunc(w.ds.Cases, func(c demo.Case) bool { return c.PersonID == p.ID && c.UnitID == unit })
			}
			var inAO []persons.Person
			for _, p := range w.ds.Persons {
				if p.Protection == persons.ProtectionNone && inUnit(p, "norra-ao") && !inUnit(p, "norra-bou") {
					inAO = append(inAO, p)
				}
			}
			if len(inAO) < 2 {
				t.Fatalf("need two persons with cases in norra-ao, found %d", len(inAO))
			}
			opened, other := inAO[0], inAO[1]

			w.call("handlaggare", "GET", "/api/v1/persons/"+opened.ID, nil, http.StatusOK, nil)
			w.advance(24 * time.Hour)
			w.call("utredare", "POST", "/api/v1/emergency-openings", map[string]string{"identity_number": opened.Identity.String(),
				"reason": "Akut ärende, brukaren nås inte"}, http.StatusCreated, nil)
			w.advance(24 * time.Hour)
			w.call("handlaggare", "GET", "/api/v1/persons/"+other.ID, nil, http.StatusOK, nil)

			tests := []struct {
				name   string
				user   string
				query  string
				status int
				check  func(t *testing.T, page string, rows []logRow)
			}{
				{"emergency openings first and marked", "granskare", "", http.StatusOK, func(t *testing.T, page string, rows []logRow) {
					if len(rows) < 4 {
						t.Fatalf("%d rows, want the officer's and the emergency reads at least", len(rows))
					}
					if !rows[0].emergency {
						t.Errorf("first row is not an emergency opening: %v", rows[0].cells)
					}
					if i := slices.IndexFunc(rows, func(r logRow) bool { return !r.emergency }); slices.ContainsFunc(rows[i:], func(r logRow) bool { return r.emergency }) {
						t.Errorf("an emergency opening comes after other entries")
					}
					for _, r := range rows {
						marked := strings.Contains(r.cells[colSeq], "Nödöppning")
						if r.emergency != marked {
							t.Errorf("row %v: emergency %v but marked in text %v", r.cells, r.emergency, marked)
						}
						if r.emergency && (r.cells[colUser] != "Ulf Utredare utredare" || r.cells[colGround] != "Nödöppning" ||
							r.cells[colReason] != "Akut ärende, brukaren nås inte" || r.cells[colPerson] != opened.ID) {
							t.Errorf("emergency row %v", r.cells)
						}
					}
					if r := rows[slices.IndexFunc(rows, func(r logRow) bool { return !r.emergency })]; r.cells[colPerson] != other.ID ||
						r.cells[colUser] != "Hanna Handläggare handlaggare" || !strings.HasPrefix(r.cells[colAt], "2026-03-11 10:00") {
						t.Errorf("newest ordinary row %v, want the officer's read of %s on 2026-03-11", r.cells, other.ID)
					}
					if !hasRow(rows, "Läste personens uppgifter", "Arbetar på ärendets enhet") {
						t.Errorf("no read of a person on the unit ground in plain words")
					}
				}},
				{"by person", "granskare", "?person=" + opened.ID, http.StatusOK, func(t *testing.T, page string, rows []logRow) {
					everyRow(t, rows, func(r logRow) bool { return r.cells[colPerson] == opened.ID })
					if !slices.ContainsFunc(rows, func(r logRow) bool { return r.emergency }) ||
						!slices.ContainsFunc(rows, func(r logRow) bool { return strings.HasPrefix(r.cells[colUser], "Hanna Handläggare") }) {
						t.Errorf("the person's entries lack the officer's read or the emergency opening")
					}
					if !strings.Contains(page, `name="person" value="`+opened.ID+`"`) {
						t.Errorf("the filter form does not keep the person")
					}
				}},
				{"by user", "granskare", "?user=handlaggare", http.StatusOK, func(t *testing.T, page string, rows []logRow) {
					everyRow(t, rows, func(r logRow) bool { return r.cells[colUser] == "Hanna Handläggare handlaggare" && !r.emergency })
				}},
				{"by period", "granskare", "?from=2026-03-10&to=2026-03-10", http.StatusOK, func(t *testing.T, page string, rows []logRow) {
					everyRow(t, rows, func(r logRow) bool { return r.emergency && strings.HasPrefix(r.cells[colAt], "2026-03-10") })
				}},
				{"emergency only", "granskare", "?emergency=1", http.StatusOK, func(t *testing.T, page string, rows []logRow) {
					everyRow(t, rows, func(r logRow) bool { return r.emergency })
				}},
				{"nothing matches", "granskare", "?user=handlaggare&from=2026-03-10&to=2026-03-10", http.StatusOK, func(t *testing.T, page string, rows []logRow) {
					if len(rows) != 0 || !strings.Contains(page, "Inga poster matchar filtret.") {
						t.Errorf("%d rows, want none and a message", len(rows))
					}
				}},
				{"in English", "granskare", "?lang=en", http.StatusOK, func(t *testing.T, page string, rows []logRow) {
					if !strings.Contains(page, "The log is intact.") || !strings.Contains(rows[0].cells[colSeq], "Emergency opening") {
						t.Errorf("the page is not in English")
					}
				}},
				{"bad date", "granskare", "?from=2026-13-01", http.StatusUnprocessableEntity, func(t *testing.T, page string, rows []logRow) {
					if len(rows) != 0 || !strings.Contains(page, "Skriv datumet som år-månad-dag") || !strings.Contains(page, `id="from" name="from" type="date" value="2026-13-01" aria-invalid="true"`) {
						t.Errorf("a bad date is not shown at its field, or entries are listed")
					}
				}},
				{"period backwards", "granskare", "?from=2026-03-10&to=2026-03-09", http.StatusUnprocessableEntity, func(t *testing.T, page string, rows []logRow) {
					if !strings.Contains(page, "Till-datumet kan inte vara före från-datumet.") {
						t.Errorf("a backwards period is not explained")
					}
				}},
				{"unknown user", "granskare", "?user=nobody", http.StatusUnprocessableEntity, func(t *testing.T, page string, rows []logRow) {
					if !strings.Contains(page, "Det finns ingen användare med det användarnamnet.") {
						t.Errorf("an unknown user is not explained")
					}
				}},
				{"identity number refused in the URL", "granskare", "?person=" + url.QueryEscape(opened.Identity.String()), http.StatusUnprocessableEntity,
					func(t *testing.T, page string, rows []logRow) {
						if len(rows) != 0 || strings.Contains(page, opened.Identity.String()) || !strings.Contains(page, "inte på personnummer") {
							t.Errorf("an identity number as person filter is used or shown again")
						}
					}},
				{"case officer forbidden", "handlaggare", "", http.StatusForbidden, func(t *testing.T, page string, rows []logRow) {
					if len(rows) != 0 || strings.Contains(page, "Loggen är obruten") {
						t.Errorf("a case officer sees the log")
					}
				}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					var body []byte
					w.call(tt.user, "GET", "/access-log"+tt.query, nil, tt.status, &body)
					page := string(body)
					if strings.Count(page, "<h1") != 1 {
						t.Errorf("%d h1 elements", strings.Count(page, "<h1"))
					}
					if tt.user == "granskare" {
						// The verification is at the top, before the forms and the table.
						status := regexp.MustCompile(`<p class="alog-verify intact" role="status">.*(obruten|intact).*?(\d+)`).FindStringSubmatch(page)
						if status == nil || strings.Index(page, "alog-verify") > strings.Index(page, "<form method=\"post\" action=\"/access-log/person\"") {
							t.Errorf("no verification status at the top")
						}
					}
					tt.check(t, page, logRows(page))
				})
			}

			t.Run("identity number search", func(t *testing.T) {
				post := func(user, number string, want int) (string, string) {
					t.Helper()
					w.call(user, "GET", "/api/v1/me", nil, http.StatusOK, nil) // signs in
					req, err := http.NewRequest("POST", w.srv.URL+"/access-log/person", strings.NewReader(url.Values{"identity_number": {number}}.Encode()))
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Authorization", "Bearer "+w.tokens[user])
					client := *w.srv.Client()
					client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
					resp, err := client.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					defer resp.Body.Close()
					b, _ := io.ReadAll(resp.Body)
					if resp.StatusCode != want {
						t.Fatalf("POST %s as %s: status %d, want %d", number, user, resp.StatusCode, want)
					}
					return resp.Header.Get("Location"), string(b)
				}
				loc, _ := post("granskare", opened.Identity.String(), http.StatusSeeOther)
				if loc != "/access-log?person="+opened.ID {
					t.Errorf("sent to %q, want the person's entries by id", loc)
				}
				_, page := post("granskare", "12345", http.StatusUnprocessableEntity)
				if !strings.Contains(page, "inte ett giltigt personnummer") || !strings.Contains(page, `aria-invalid="true"`) {
					t.Errorf("a bad number is not explained at its field")
				}
				_, page = post("granskare", w.ds.RegistryOnly[0].Identity.String(), http.StatusNotFound)
				if !strings.Contains(page, "Det finns ingen person med det numret") || strings.Contains(page, w.ds.RegistryOnly[0].Identity.String()) {
					t.Errorf("an unknown number is not explained, or is shown again")
				}
				post("handlaggare", opened.Identity.String(), http.StatusForbidden)

				// The lookup is itself in the log.
				var body []byte
				w.call("granskare", "GET", "/access-log?user=granskare&person="+opened.ID, nil, http.StatusOK, &body)
				if rows := logRows(string(body)); len(rows) != 1 || rows[0].cells[colAction] != "Sökte fram personen i logggranskningen" {
					t.Errorf("the lookup is not logged once: %v", rows)
				}
			})

			t.Run("a clear limit", func(t *testing.T) {
				w.advance(time.Hour)
				more := make([]audit.Entry, 250)
				for i := range more {
					more[i] = audit.Entry{Tenant: demo.TenantID, ActorID: "u-none", Action: "read_person", PersonID: other.ID, Ground: "unit"}
				}
				if err := w.db.AppendAccessLog(t.Context(), more); err != nil {
					t.Fatal(err)
				}
				var body []byte
				w.call("granskare", "GET", "/access-log", nil, http.StatusOK, &body)
				page, rows := string(body), logRows(string(body))
				if len(rows) != 200 || !strings.Contains(page, "Visar 200 poster") || !strings.Contains(page, "Det finns fler") {
					t.Errorf("%d rows; want 200 and a note that there are more", len(rows))
				}
				if !rows[0].emergency || rows[len(rows)-1].emergency {
					t.Errorf("the emergency openings are not kept first within the limit")
				}
				if r := rows[len(rows)-1]; r.cells[colUser] != "u-none" {
					t.Errorf("an unknown user is not shown by id: %v", r.cells)
				}
			})
		})
	}
}

// hasRow reports whether a row has action and ground.
func hasRow(rows []logRow, action, ground string) bool {
	return slices.ContainsFunc(rows, func(r logRow) bool { return r.cells[colAction] == action && r.cells[colGround] == ground })
}

// everyRow fails unless there are rows and every one satisfies ok.
func everyRow(t *testing.T, rows []logRow, ok func(logRow) bool) {
	t.Helper()
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	for _, r := range rows {
		if !ok(r) {
			t.Errorf("row %v does not match the filter", r.cells)
		}
	}
}
