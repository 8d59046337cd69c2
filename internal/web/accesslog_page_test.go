package web_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web/server"
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
// from another unit opens the same person in an emergency a day later and
// reads a child of her own unit, and the officer reads another person a
// day after that and saves a form as she types. The log reviewer sees the
// emergency opening first and marked, with names instead of ids; follows
// it to all the colleague's reads that day in one click; sees the
// officer's saves as one row; narrows the list by person, user and period;
// and sees that the chain is intact. Her sight of the names is logged,
// once per page and person. A case officer may not see the page.
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
			nameOf := func(p persons.Person) string { return p.GivenName + " " + p.FamilyName }
			var child persons.Person
			for _, p := range w.ds.Persons {
				if p.Protection == persons.ProtectionNone && inUnit(p, "norra-bou") && p.ID != opened.ID && p.ID != other.ID {
					child = p
					break
				}
			}
			if child.ID == "" {
				t.Fatal("no person with a case in norra-bou")
			}
			journey := w.journeyCase(demo.CaseType("ao"))
			var mother persons.Person
			for _, p := range w.ds.Persons {
				if p.ID == journey.PersonID {
					mother = p
				}
			}

			w.call("handlaggare", "GET", "/api/v1/persons/"+opened.ID, nil, http.StatusOK, nil)
			w.advance(24 * time.Hour)
			w.call("utredare", "POST", "/api/v1/emergency-openings", map[string]string{"identity_number": opened.Identity.String(),
				"reason": "Akut ärende, brukaren nås inte"}, http.StatusCreated, nil)
			w.advance(time.Hour)
			w.call("utredare", "GET", "/api/v1/persons/"+child.ID, nil, http.StatusOK, nil)
			w.advance(23 * time.Hour)
			w.call("handlaggare", "GET", "/api/v1/persons/"+other.ID, nil, http.StatusOK, nil)
			// The officer's form is saved four times as she types, a minute
			// apart: one row of four entries.
			w.advance(time.Minute)
			for range 4 {
				w.call("handlaggare", "PUT", "/api/v1/cases/"+journey.ID+"/forms/ibic_ansokan", map[string]any{"values": map[string]any{}}, http.StatusOK, nil)
				w.clock.Advance(time.Minute)
			}

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
						if r.emergency && (r.cells[colUser] != "Ulf Utredare utredare Alla läsningar av Ulf Utredare den 2026-03-10" ||
							r.cells[colGround] != "Nödöppning" || r.cells[colReason] != "Akut ärende, brukaren nås inte" || r.cells[colPerson] != nameOf(opened)) {
							t.Errorf("emergency row %v", r.cells)
						}
					}
					if !strings.Contains(page, `href="/access-log?from=2026-03-10&amp;to=2026-03-10&amp;user=utredare"`) {
						t.Errorf("no link from the emergency opening to the user's reads that day")
					}
					// The saves as one row, newest first, with their count and span.
					if r := rows[slices.IndexFunc(rows, func(r logRow) bool { return !r.emergency })]; r.cells[colAction] != "Arbetade i ärendet" ||
						r.cells[colUser] != "Hanna Handläggare handlaggare" || r.cells[colAt] != "2026-03-11 10:01:00–10:04:00 4 poster" ||
						r.cells[colPerson] != nameOf(mother) || !strings.Contains(r.cells[colSeq], "–") {
						t.Errorf("newest ordinary row %v, want the officer's four saves as one row", r.cells)
					}
					if !slices.ContainsFunc(rows, func(r logRow) bool {
						return r.cells[colPerson] == nameOf(other) && strings.HasPrefix(r.cells[colAt], "2026-03-11 10:00:00")
					}) {
						t.Errorf("no read of %s by name on 2026-03-11", nameOf(other))
					}
					if !hasRow(rows, "Läste personens uppgifter", "Arbetar på ärendets enhet") {
						t.Errorf("no read of a person on the unit ground in plain words")
					}
					if slices.ContainsFunc(rows, func(r logRow) bool { return strings.HasPrefix(r.cells[colUser], "Love Logggranskare") }) {
						t.Errorf("the reviewer's own names seen crowd her list")
					}
					if !strings.Contains(page, "De rymmer") {
						t.Errorf("the count does not say that rows hold several entries")
					}
				}},
				{"one click to the user's day", "granskare", "?from=2026-03-10&to=2026-03-10&user=utredare", http.StatusOK, func(t *testing.T, page string, rows []logRow) {
					everyRow(t, rows, func(r logRow) bool {
						return strings.HasPrefix(r.cells[colUser], "Ulf Utredare") && strings.HasPrefix(r.cells[colAt], "2026-03-10")
					})
					if !slices.ContainsFunc(rows, func(r logRow) bool { return !r.emergency && r.cells[colPerson] == nameOf(child) }) {
						t.Errorf("the day lacks the colleague's read of a child of her own unit")
					}
				}},
				{"by person", "granskare", "?person=" + opened.ID, http.StatusOK, func(t *testing.T, page string, rows []logRow) {
					everyRow(t, rows, func(r logRow) bool { return r.cells[colPerson] == nameOf(opened) })
					if !slices.ContainsFunc(rows, func(r logRow) bool { return r.emergency }) ||
						!slices.ContainsFunc(rows, func(r logRow) bool { return strings.HasPrefix(r.cells[colUser], "Hanna Handläggare") }) {
						t.Errorf("the person's entries lack the officer's read or the emergency opening")
					}
					if !strings.Contains(page, `name="person" value="`+opened.ID+`"`) || !strings.Contains(page, "Visar bara poster om "+html.EscapeString(nameOf(opened))+".") {
						t.Errorf("the filter form does not keep the person by name")
					}
				}},
				{"by user", "granskare", "?user=handlaggare", http.StatusOK, func(t *testing.T, page string, rows []logRow) {
					everyRow(t, rows, func(r logRow) bool { return r.cells[colUser] == "Hanna Handläggare handlaggare" && !r.emergency })
					if !strings.Contains(page, "dina egna sådana poster visas inte") {
						t.Errorf("the page does not say that the reviewer's own entries are left out")
					}
				}},
				{"by period", "granskare", "?from=2026-03-10&to=2026-03-10", http.StatusOK, func(t *testing.T, page string, rows []logRow) {
					everyRow(t, rows, func(r logRow) bool { return strings.HasPrefix(r.cells[colAt], "2026-03-10") })
					if !rows[0].emergency {
						t.Errorf("the day's emergency opening is not first")
					}
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
					if !strings.Contains(page, "The log is intact.") || !strings.Contains(rows[0].cells[colSeq], "Emergency opening") ||
						!strings.Contains(rows[0].cells[colUser], "All reads by Ulf Utredare on 2026-03-10") || !hasRow(rows, "Worked on the case", "Officer of the case") {
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

				// The lookup is itself in the log, and so are the names she saw.
				var body []byte
				w.call("granskare", "GET", "/access-log?user=granskare&person="+opened.ID, nil, http.StatusOK, &body)
				rows := logRows(string(body))
				if n := len(slices.DeleteFunc(slices.Clone(rows), func(r logRow) bool { return r.cells[colAction] != "Sökte fram personen i logggranskningen" })); n != 1 {
					t.Errorf("the lookup is logged %d times: %v", n, rows)
				}
				if !hasRow(rows, "Såg personens namn", "Logggranskning") {
					t.Errorf("the reviewer's sight of the name is not in the log in plain words: %v", rows)
				}
			})

			t.Run("each name seen is logged once per page", func(t *testing.T) {
				seen := func() int {
					t.Helper()
					log, err := w.db.AccessLog(t.Context(), demo.TenantID, store.AccessLogFilter{PersonID: opened.ID, Limit: 1000})
					if err != nil {
						t.Fatal(err)
					}
					return len(slices.DeleteFunc(log, func(e audit.Entry) bool { return e.Action != string(access.ReadPersonName) }))
				}
				before := seen()
				// The person is in the heading and in several rows.
				var body []byte
				w.call("granskare", "GET", "/access-log?person="+opened.ID, nil, http.StatusOK, &body)
				if rows := logRows(string(body)); len(rows) < 2 {
					t.Fatalf("%d rows about the person, want several", len(rows))
				}
				if n := seen() - before; n != 1 {
					t.Errorf("one page view logged %d sights of the name, want 1", n)
				}
			})

			t.Run("a sample", func(t *testing.T) {
				parent := w.t
				w.t = t
				defer func() { w.t = parent }()
				// The form offers last month, the period a monthly review reads.
				_, _, page := designerPage(w, "granskare", "GET", "/access-log", nil, false)
				for _, want := range []string{`action="/access-log/sample"`, `id="s-from" name="from" type="date" value="2026-02-01"`,
					`id="s-to" name="to" type="date" value="2026-02-28"`, `id="s-n" name="n" value="20"`} {
					if !strings.Contains(page, want) {
						t.Errorf("the review page lacks %s", want)
					}
				}
				// Without a seed the server picks one and shows it in the address.
				status, loc, _ := designerPage(w, "granskare", "GET", "/access-log/sample?from=2026-03-09&to=2026-03-11&n=3", nil, false)
				m := regexp.MustCompile(`^/access-log/sample\?from=2026-03-09&n=3&seed=(\d{6})&to=2026-03-11$`).FindStringSubmatch(loc)
				if status != http.StatusSeeOther || m == nil {
					t.Fatalf("status %d, sent to %q; want the sample's address with a seed", status, loc)
				}
				draw := func(path string) (string, []logRow) {
					t.Helper()
					status, _, page := designerPage(w, "granskare", "GET", path, nil, false)
					if status != http.StatusOK {
						t.Fatalf("%s: status %d", path, status)
					}
					return page, logRows(page)
				}
				page, rows := draw(loc)
				if len(rows) != 3 || !strings.Contains(page, "Stickprov: 3 poster av ") || !strings.Contains(page, "mellan 2026-03-09 och 2026-03-11. Frö: "+m[1]+".") {
					t.Errorf("%d rows; the page does not say what was drawn", len(rows))
				}
				var seqs []int
				for _, r := range rows {
					n, _ := strconv.Atoi(strings.Fields(r.cells[colSeq])[0])
					seqs = append(seqs, n)
					if r.cells[colGround] == "Logggranskning" {
						t.Errorf("a name seen in the review was drawn: %v", r.cells)
					}
				}
				if !slices.IsSorted(seqs) {
					t.Errorf("the sample is not in the order written: %v", seqs)
				}
				if !strings.Contains(page, "Perioden har inte slutat än") {
					t.Errorf("a period that has not ended is not pointed out")
				}
				// The same address draws the same sample, for anyone.
				_, again := draw(loc)
				var againSeqs []int
				for _, r := range again {
					n, _ := strconv.Atoi(strings.Fields(r.cells[colSeq])[0])
					againSeqs = append(againSeqs, n)
				}
				if !slices.Equal(seqs, againSeqs) {
					t.Errorf("the same seed drew %v, then %v", seqs, againSeqs)
				}
				for _, bad := range []struct{ query, want string }{
					{"from=2026-03-09&to=2026-03-11&n=0", "Skriv ett antal från 1 till 500."},
					{"from=2026-03-09&to=2026-03-11&n=3&seed=abc", "Fröet ska vara ett heltal från 1 till 2147483646."},
					{"from=&to=2026-03-11&n=3", "Fyll i datumet."},
					{"from=2026-03-11&to=2026-03-09&n=3", "Till-datumet kan inte vara före från-datumet."},
				} {
					status, _, page := designerPage(w, "granskare", "GET", "/access-log/sample?"+bad.query, nil, false)
					if status != http.StatusUnprocessableEntity || !strings.Contains(page, bad.want) || !strings.Contains(page, `aria-invalid="true"`) {
						t.Errorf("%s: status %d, want 422 and %q at the field", bad.query, status, bad.want)
					}
				}
				if status, _, _ := designerPage(w, "handlaggare", "GET", "/access-log/sample?from=2026-03-09&to=2026-03-11&n=3", nil, false); status != http.StatusForbidden {
					t.Errorf("a case officer drawing a sample: status %d", status)
				}
			})

			t.Run("a clear limit", func(t *testing.T) {
				w.advance(time.Hour)
				more := make([]audit.Entry, 250)
				for i := range more {
					more[i] = audit.Entry{Tenant: demo.TenantID, ActorID: fmt.Sprintf("u-none-%03d", i), Action: "read_person", PersonID: other.ID, Ground: "unit"}
				}
				if err := w.db.AppendAccessLog(t.Context(), more); err != nil {
					t.Fatal(err)
				}
				var body []byte
				w.call("granskare", "GET", "/access-log", nil, http.StatusOK, &body)
				page, rows := string(body), logRows(string(body))
				if len(rows) != 200 || !strings.Contains(page, "Visar 200 rader") || !strings.Contains(page, "Det finns fler") {
					t.Errorf("%d rows; want 200 and a note that there are more", len(rows))
				}
				if !rows[0].emergency || rows[len(rows)-1].emergency {
					t.Errorf("the emergency openings are not kept first within the limit")
				}
				if r := rows[len(rows)-1]; !strings.HasPrefix(r.cells[colUser], "u-none-") {
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

// TestAccessLogWords: every action and ground the access package can log
// is said in words in the log review (and in the register extract on Mina
// sidor), in Swedish and English, never as its code.
func TestAccessLogWords(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../access/access.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	prefix := map[string]string{"Action": "accesslog.action.", "Relation": "accesslog.ground."}
	n := 0
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			typ, ok := vs.Type.(*ast.Ident)
			if !ok || prefix[typ.Name] == "" {
				continue
			}
			for _, v := range vs.Values {
				code, _ := strconv.Unquote(v.(*ast.BasicLit).Value)
				key := prefix[typ.Name] + code
				n++
				for _, lang := range []string{"sv", "en"} {
					if got := server.Text(lang, key); got == key || got == "" {
						t.Errorf("%s %q has no words in %s (%s)", typ.Name, code, lang, key)
					}
				}
				if server.Text("sv", key) == server.Text("en", key) {
					t.Errorf("%s %q is not in English (%s)", typ.Name, code, key)
				}
			}
		}
	}
	// A ground that is no relation: actions that need only a role.
	if server.Text("sv", "accesslog.ground.role") == "accesslog.ground.role" {
		t.Error("the ground role has no words")
	}
	if n < 20 {
		t.Fatalf("found %d actions and relations in access.go, want them all", n)
	}
}
