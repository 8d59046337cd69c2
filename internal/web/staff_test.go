package web_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/web"
)

// page fetches or posts a page as a signed-in demo user and returns its
// status, body and final URL (redirects are followed, as a browser does).
func (w *packWorld) page(user, method, path string, form url.Values, htmx bool) (int, string, string) {
	w.t.Helper()
	req := w.pageRequest(user, method, path, form, htmx)
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Request.URL.Path
}

// pageRequest is a page request as the signed-in demo user (signing in
// the first time), posting form when it is not nil, as htmx when htmx.
func (w *packWorld) pageRequest(user, method, path string, form url.Values, htmx bool) *http.Request {
	w.t.Helper()
	if w.tokens[user] == "" {
		w.call(user, "GET", "/api/v1/me", nil, http.StatusOK, nil)
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, w.srv.URL+path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+w.tokens[user])
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	return req
}

// mustPage is page that fails the test unless the status is want and the
// body holds every text in contains.
func (w *packWorld) mustPage(user, method, path string, form url.Values, htmx bool, want int, contains ...string) string {
	w.t.Helper()
	status, body, _ := w.page(user, method, path, form, htmx)
	if status != want {
		w.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, status, want, mainOf(body))
	}
	for _, c := range contains {
		if !strings.Contains(body, c) {
			w.t.Errorf("%s %s lacks %q\n%s", method, path, c, mainOf(body))
		}
	}
	return body
}

var identityInURL = regexp.MustCompile(`(?:href|action|hx-post|hx-get)="[^"]*\d{8}-?\d{4}[^"]*"`)

// TestStaffPagesHomeCare walks journey 1 through the pages an officer
// uses: inbox, case, forms (with the htmx re-evaluation), transitions, the
// decision with its delegation check and letter, a journal note, the
// person search and the person page.
func TestStaffPagesHomeCare(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
	jc := w.journeyCase("ibic_sol_aldre")
	c := jc.ID
	var visited []string
	get := func(user, path string, contains ...string) string {
		t.Helper()
		body := w.mustPage(user, "GET", path, nil, false, http.StatusOK, contains...)
		visited = append(visited, body)
		return body
	}
	post := func(user, path string, form url.Values, htmx bool, want int, contains ...string) string {
		t.Helper()
		body := w.mustPage(user, "POST", path, form, htmx, want, contains...)
		visited = append(visited, body)
		return body
	}

	// Home sends the officer to the inbox, which lists the journey case.
	status, _, final := w.page("handlaggare", "GET", "/", nil, false)
	if status != http.StatusOK || final != "/inbox" {
		t.Fatalf("home: %d at %s, want the inbox", status, final)
	}
	get("handlaggare", "/inbox", "Min inkorg", `href="/cases/`+c+`"`, "Ansökan om hemtjänst och trygghetslarm")
	// The case: step bar, the blocked transition with its reason.
	casePage := get("handlaggare", "/cases/"+c, `aria-current="step"`, "Påbörja utredning", "måste signeras först", "Ansökan om insatser (IBIC)")
	// The case's reference is on its page and, as "Vår referens", on the
	// decision letter.
	ref := regexp.MustCompile(`Referens <span class="ref-inline">(ÄO-\d{4}-\d{5})</span>`).FindStringSubmatch(casePage)
	if ref == nil {
		t.Fatalf("no reference on the case page:\n%s", mainOf(casePage))
	}

	// Filling the application: choosing "representative" shows the
	// representative's fields (the server re-evaluates as htmx asks).
	form := "/cases/" + c + "/forms/ibic_ansokan"
	part := post("handlaggare", form, url.Values{"applicant_kind": {"self"}}, true, http.StatusOK, "Utkastet är sparat")
	if strings.Contains(part, "representative_name") || strings.Contains(part, "<html") {
		t.Errorf("a partial answer with the representative's fields hidden was expected:\n%s", part)
	}
	post("handlaggare", form, url.Values{"applicant_kind": {"representative"}}, true, http.StatusOK, `name="representative_name"`, "Obligatoriskt")
	post("handlaggare", form, url.Values{"applicant_kind": {"self"}, "applied_sol": {"hemtjanst_omvardnad", "trygghetslarm", ""},
		"own_description": {"Klarar inte duschen efter fallet."}}, true, http.StatusOK, "checked")
	post("handlaggare", form+"/signature", url.Values{}, false, http.StatusOK, "Signerat")
	post("handlaggare", "/cases/"+c+"/transitions", url.Values{"transition": {"start_investigation"}}, false, http.StatusOK, "Utredning (IBIC)")

	// The assessment grid: add a row, fill it, add a goal, sign.
	form = "/cases/" + c + "/forms/ibic_utredning"
	post("handlaggare", form, url.Values{"add_row": {"needs_assessment"}}, true, http.StatusOK, "Rad 1", `name="needs_assessment.0.qualifier"`, "stort problem")
	post("handlaggare", form, url.Values{
		"needs_assessment.0._row": {"1"}, "needs_assessment.0.code": {"d510"}, "needs_assessment.0.qualifier": {"3"},
		"needs_assessment.0.text": {"Behöver hjälp att duscha."}, "own_view": {"Vill bo kvar hemma."},
		"goals.0._row": {"1"}, "goals.0.need": {"d510"}, "goals.0.goal": {"Duschar tryggt."}, "goals.0.follow_up_by": {"2026-06-01"},
	}, true, http.StatusOK, "Rad 1: d510: Duschar tryggt.")
	post("handlaggare", form+"/signature", url.Values{}, false, http.StatusOK)
	post("handlaggare", "/cases/"+c+"/transitions", url.Values{"transition": {"to_decision"}}, false, http.StatusOK, "Hemtjänst – personlig omvårdnad")

	// A refused transition shows why, and changes nothing.
	post("handlaggare", "/cases/"+c+"/transitions", url.Values{"transition": {"order"}}, false, http.StatusConflict, "Minst ett beslut ska vara fattat")

	// The decision page: above the delegation (60 hours) the officer is
	// told a colleague must decide; within it the decision is made.
	body := get("handlaggare", "/cases/"+c)
	ids := regexp.MustCompile(`/cases/` + c + `/decisions/([0-9a-f-]{36})">Hemtjänst – personlig omvårdnad`).FindStringSubmatch(body)
	if ids == nil {
		t.Fatalf("no decision link on the case page:\n%s", mainOf(body))
	}
	dpath := "/cases/" + c + "/decisions/" + ids[1]
	decision := url.Values{"insats": {"hemtjanst_omvardnad"}, "outcome": {"granted"}, "legal_basis": {"SoL 4 kap. 1 §"},
		"valid_from": {"2026-03-02"}, "amount": {"80"}, "justification": {"Behov av hjälp med hygien."}}
	// The amount is typed in hours per month, as people say it; anything
	// else is told next to the field, with what was typed kept.
	get("handlaggare", dpath, "Omfattning (timmar per månad)", "Skriv antalet timmar, till exempel 40 eller 40,5.")
	decision.Set("amount", "åttio")
	post("handlaggare", dpath, decision, false, http.StatusUnprocessableEntity, `id="amount-error"`,
		"Skriv antalet timmar, till exempel 40 eller 40,5.", `value="åttio"`, "Behov av hjälp med hygien.")
	decision.Set("amount", "80")
	post("handlaggare", dpath, decision, false, http.StatusOK, "Du saknar delegation", `value="80"`)
	decision.Set("amount", "24,5 timmar")
	decision.Set("finalise", "1")
	post("handlaggare", dpath, decision, false, http.StatusOK, "Fattat", "Beslutsbrev för utskrift", "Verkställighet",
		"<dt>Omfattning</dt><dd>24,5 timmar per månad</dd>")
	get("handlaggare", "/cases/"+c, "Beslut fattat</strong>: Hemtjänst – personlig omvårdnad – beviljat", "24,5 timmar per månad")
	letter := get("handlaggare", dpath+"/letter", "Du beviljas", "Hemtjänst – personlig omvårdnad", "SoL 4 kap. 1 §",
		`med <strong class="amount">24,5 timmar per månad</strong> från 2026-03-02.`, "Vår referens: "+ref[1])
	for _, bad := range []string{"Omfattning eller belopp", "2450", " h<", "h.</"} {
		if strings.Contains(mainOf(letter), bad) {
			t.Errorf("the letter says %q:\n%s", bad, mainOf(letter))
		}
	}
	// Execution is recorded on the decision page.
	post("handlaggare", dpath+"/executions", url.Values{"kind": {"executed"}, "on": {"2026-03-02"}}, false, http.StatusOK, "2026-03-02 – Verkställt")
	post("handlaggare", dpath+"/executions", url.Values{"kind": {"resumed"}, "on": {"2026-03-02"}}, false, http.StatusConflict, "Bara ett avbrutet beslut kan återupptas")

	// A journal note: started, autosaved, signed.
	post("handlaggare", "/cases/"+c+"/notes", url.Values{"body": {"Hembesök gjort."}}, false, http.StatusOK, "Din anteckning (utkast)")
	body = get("handlaggare", "/cases/"+c)
	note := regexp.MustCompile(`/cases/` + c + `/notes/([0-9a-f-]{36})/signature`).FindStringSubmatch(body)
	if note == nil {
		t.Fatalf("no note draft on the case page")
	}
	post("handlaggare", "/cases/"+c+"/notes/"+note[1], url.Values{"body": {"Hembesök gjort. Dottern deltog."}}, true, http.StatusOK, "Sparat")
	post("handlaggare", "/cases/"+c+"/notes/"+note[1]+"/signature", url.Values{}, false, http.StatusOK, "Hembesök gjort. Dottern deltog.", "Journalanteckning signerad")

	// Person search (posted), and the person page with the decision.
	body = post("handlaggare", "/persons/search", url.Values{"query": {"x"}}, false, http.StatusOK, "träffar")
	post("handlaggare", "/persons/search", url.Values{"query": {"1234"}}, false, http.StatusUnprocessableEntity, "giltigt personnummer")
	// Three letters from the middle of the family name, in capitals, find the person.
	jp := w.ds.Persons[slices.IndexFunc(w.ds.Persons, func(p persons.Person) bool { return p.ID == jc.PersonID })]
	middle := strings.ToUpper(string([]rune(jp.FamilyName)[1:4]))
	post("handlaggare", "/persons/search", url.Values{"query": {middle}}, false, http.StatusOK, jp.FamilyName)
	get("handlaggare", "/persons/"+jc.PersonID, "Personnummer", "Ansökan om hemtjänst och trygghetslarm", "Hemtjänst – personlig omvårdnad – beviljat", "24,5 timmar per månad")

	// Another unit's officer may not see the case at all.
	w.mustPage("ekonom", "GET", "/cases/"+c, nil, false, http.StatusNotFound)

	for _, b := range visited {
		// Ids are UUIDs, whose last part may be twelve digits by chance.
		if m := identityInURL.FindString(uuidLike.ReplaceAllString(b, "{id}")); m != "" {
			t.Errorf("an identity number in a URL: %s", m)
		}
	}
}

// TestStaffPageHeaders: personal pages are never cached, the CSP allows
// no inline script or style, and framing is refused.
func TestStaffPageHeaders(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40)
	w.call("handlaggare", "GET", "/api/v1/me", nil, http.StatusOK, nil)
	req, _ := http.NewRequest("GET", w.srv.URL+"/inbox", nil)
	req.Header.Set("Authorization", "Bearer "+w.tokens["handlaggare"])
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("Referrer-Policy %q", rp)
	}
	// Signed out, a page sends the browser to the sign-in page.
	resp, err = http.Get(w.srv.URL + "/inbox")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/login" {
		t.Errorf("signed out, /inbox ended at %s", resp.Request.URL.Path)
	}
}

// TestFormValues: what a browser posts becomes the engine's values.
func TestFormValuesFromPosts(t *testing.T) {
	tests := []struct {
		post url.Values
		want string
	}{
		{url.Values{"month": {"2026-03-01"}, "applied_for": {"forsorjningsstod", ""}}, `applied_for:[forsorjningsstod] month:2026-03-01`},
		{url.Values{"housing_cost": {"7 200,50"}, "salary": {"4000"}}, `housing_cost:720050 salary:400000`},
		{url.Values{"housing_cost": {"12,345"}}, `housing_cost:12,345`}, // three decimals: passed on for the engine to refuse
		// Money is read as the decision page reads kronor (process.Measure).
		{url.Values{"housing_cost": {"7\u00a0500 kr"}, "salary": {"12345:-"}}, `housing_cost:750000 salary:1.2345e+06`}, // as the engine gets it: a float of öre
		{url.Values{"housing_cost": {"1 2345"}}, `housing_cost:1 2345`},                                                 // not thousands: passed on for the engine to refuse
		{url.Values{"shares_home": {"true"}, "shared_size": {"3,0"}}, `shared_size:3 shares_home:true`},
		{url.Values{"members.1.role": {"child"}, "members.1.age": {"4"}, "members.0.role": {"single"}, "members.0.age": {"30"}, "members.0.lunch_outside_home": {"false"}},
			`members:[map[age:30 lunch_outside_home:false role:single] map[age:4 role:child]]`},
		{url.Values{"members.0._row": {"1"}}, `members:[map[]]`},
		{url.Values{"members.0.role": {""}}, ``}, // an empty row is dropped
	}
	for _, tt := range tests {
		got := web.FormValuesFor(t, "eb_ansokan", tt.post)
		if got != tt.want {
			t.Errorf("%v:\n got %s\nwant %s", tt.post, got, tt.want)
		}
	}
}

// TestPageFormsRefuseCrossSite: a form posted from another site (a forged
// request riding on the officer's session cookie) is refused and changes
// nothing.
func TestPageFormsRefuseCrossSite(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40)
	c := w.journeyCase("ibic_sol_aldre").ID
	w.call("handlaggare", "GET", "/api/v1/me", nil, http.StatusOK, nil)
	req, _ := http.NewRequest("POST", w.srv.URL+"/cases/"+c+"/notes", strings.NewReader("body=forged"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "trygg_session="+w.tokens["handlaggare"])
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: status %d, want 403", resp.StatusCode)
	}
	w.mustPage("handlaggare", "GET", "/cases/"+c, nil, false, http.StatusOK, "Ny journalanteckning")
}

// TestFormPreview: the process designer sees a form as an officer would,
// with conditions at work, and nothing is saved; others may not.
func TestFormPreview(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40)
	w.mustPage("designer", "GET", "/designer/preview?form=ibic_ansokan&case_type=ibic_sol_aldre", nil, false, http.StatusOK,
		"Förhandsgranska formulär", "Ansökan om insatser (IBIC)", "Sökta insatser (SoL)")
	// The LSS case type shows the LSS services instead (a condition on case.type).
	body := w.mustPage("designer", "GET", "/designer/preview?form=ibic_ansokan&case_type=ibic_lss", nil, false, http.StatusOK, "Sökta insatser (LSS 9 §)")
	if strings.Contains(body, "Sökta insatser (SoL)") {
		t.Error("the SoL services show for an LSS case")
	}
	// Typing: the representative's fields appear; the form is evaluated, not saved.
	w.mustPage("designer", "POST", "/designer/preview?form=ibic_ansokan&case_type=ibic_sol_aldre&version=1",
		url.Values{"applicant_kind": {"representative"}}, true, http.StatusOK, `name="representative_name"`, "kan signeras när")
	w.mustPage("handlaggare", "GET", "/designer/preview", nil, false, http.StatusForbidden)
}
