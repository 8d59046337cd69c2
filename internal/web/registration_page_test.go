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

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
	"github.com/trygg/trygg/packs"
)

// newRegistryPackWorld is newPackWorld with the demo's population
// registry, as `serve --demo` has it: a person found by identity number
// is shown as the registry knows them.
func newRegistryPackWorld(t *testing.T, start time.Time, n int) *packWorld {
	t.Helper()
	clock := storetest.NewClock(start)
	db := storetest.Open(t, "sqlite", clock)
	ds := demo.Generate(demo.Options{Persons: n, Staff: 40, Today: start})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	svc := storetest.Service(t, db, ds.Registry())
	if _, err := svc.LoadDemo(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Config{DefaultTenant: demo.TenantID}, svc, slog.New(slog.DiscardHandler), prometheus.NewRegistry()))
	t.Cleanup(srv.Close)
	return &packWorld{t: t, srv: srv, svc: svc, db: db, clock: clock, ds: ds, tokens: map[string]string{}, passwords: map[string]string{}}
}

// demoPerson returns the demo person with id.
func (w *packWorld) demoPerson(id string) persons.Person {
	w.t.Helper()
	for _, p := range w.ds.Persons {
		if p.ID == id {
			return p
		}
	}
	w.t.Fatalf("no demo person %s", id)
	return persons.Person{}
}

// TestRegisteringFromFindAPerson: journey 1 starts in the staff pages. The
// officer finds the woman by her identity number, registers the
// application from the hit (the number never in a URL), with her
// daughter named as representative on the page and in the new case's
// application, and lands on the case. A day after today is refused next
// to its field and nothing is registered. A person in another district
// is registered by identity number (the explicit path, logged on its own
// ground) as the population registry knows them; one with protected
// identity is refused without saying why; a number the registry does not
// know asks for the name.
func TestRegisteringFromFindAPerson(t *testing.T) {
	w := newRegistryPackWorld(t, time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC), 120)
	today := "2026-03-25"
	jc := w.journeyCase("ibic_sol_aldre")
	mother := w.demoPerson(jc.PersonID)
	var daughter persons.Person
	for _, r := range w.ds.Relations {
		if r.ToPersonID == mother.ID && r.Kind == persons.RelRepresentative {
			daughter = w.demoPerson(r.FromPersonID)
		}
	}
	daughterName := daughter.GivenName + " " + daughter.FamilyName
	var visited []string
	page := func(method, path string, form url.Values, want int, contains ...string) string {
		t.Helper()
		body := w.mustPage("handlaggare", method, path, form, false, want, contains...)
		visited = append(visited, body)
		return body
	}

	// Sök person: the hit offers the registration, by the person's id.
	hit := page("POST", "/persons/search", url.Values{"query": {mother.Identity.String()}}, http.StatusOK,
		"1 träff", `href="/persons/`+mother.ID+`/registration"`, "Registrera anmälan/ansökan")
	if strings.Contains(hit, `action="/persons/registration"`) {
		t.Error("a person the officer may see is registered from the hit, not by number")
	}
	page("GET", "/persons/"+mother.ID, nil, http.StatusOK, `href="/persons/`+mother.ID+`/registration"`)
	form := page("GET", "/persons/"+mother.ID+"/registration", nil, http.StatusOK,
		"Registrera anmälan eller ansökan", mother.GivenName+" "+mother.FamilyName, mother.Identity.Masked(), mother.Address.Street,
		"<dt>Ombud</dt><dd>"+daughterName+"</dd>", `<option value="norra-ao ibic_sol_aldre" selected>Bistånd till äldre (SoL, IBIC) – `,
		`name="received_date" value="`+today+`" max="`+today+`"`, `name="person_id" value="`+mother.ID+`"`)
	if strings.Contains(form, "bbic_barn") || strings.Contains(form, mother.Identity.String()) {
		t.Error("the registration page offers a case type of another field, or shows the full identity number")
	}

	// A day after today: refused at its field, nothing registered.
	cases := func() int {
		cs, err := w.db.CasesOfPerson(context.Background(), demo.TenantID, mother.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	before := cases()
	post := url.Values{"person_id": {mother.ID}, "choice": {"norra-ao ibic_sol_aldre"}, "received_date": {"2026-03-26"}, "title": {""}}
	page("POST", "/cases", post, http.StatusUnprocessableEntity, `id="reg-received-error">Får inte vara senare än i dag.`,
		`value="2026-03-26"`)
	if cases() != before {
		t.Fatal("a refused registration opened a case")
	}

	// Registered: the officer lands on the new case, whose application
	// names the daughter as representative.
	post.Set("received_date", "2026-03-24")
	status, body, final := w.page("handlaggare", "POST", "/cases", post, false)
	if status != http.StatusOK || !strings.HasPrefix(final, "/cases/") || cases() != before+1 {
		t.Fatalf("registering: %d at %s\n%s", status, final, mainOf(body))
	}
	visited = append(visited, body)
	for _, want := range []string{"<h1>Ansökan om stöd och hjälp i hemmet</h1>", `value="representative" selected`,
		`name="representative_name"`, `value="` + daughterName + `"`, `value="Ombud"`, "Utkast"} {
		if !strings.Contains(body, want) {
			t.Errorf("the new case lacks %q\n%s", want, mainOf(body))
		}
	}
	c, err := w.svc.Case(context.Background(), w.actor("handlaggare"), strings.TrimPrefix(final, "/cases/"))
	if err != nil || c.ReceivedDate != "2026-03-24" || c.AssignedTo != w.actor("handlaggare").UserID {
		t.Errorf("the registered case: %+v %v", c, err)
	}

	// Another district's person, by identity number: no hit, the
	// registration by number, the registry's name, the explicit path.
	var other persons.Person
	inNorra := map[string]bool{}
	for _, dc := range w.ds.Cases {
		if strings.HasPrefix(dc.UnitID, "norra-") {
			inNorra[dc.PersonID] = true
		}
	}
	for _, dc := range w.ds.Cases {
		if p := w.demoPerson(dc.PersonID); !inNorra[p.ID] && p.Protection == persons.ProtectionNone && other.ID == "" {
			other = p
		}
	}
	number := other.Identity.String()
	page("POST", "/persons/search", url.Values{"query": {number}}, http.StatusOK, "0 träffar",
		`action="/persons/registration"`, `name="identity_number" value="`+number+`"`)
	page("GET", "/persons/"+other.ID+"/registration", nil, http.StatusNotFound)
	byNumber := page("POST", "/persons/registration", url.Values{"identity_number": {number}}, http.StatusOK,
		other.GivenName+" "+other.FamilyName, "Uppgifterna kommer från folkbokföringen", `name="identity_number" value="`+number+`"`)
	if strings.Contains(byNumber, `name="person_id"`) || strings.Contains(byNumber, other.ID) {
		t.Error("the page by number names trygg's person")
	}
	status, _, final = w.page("handlaggare", "POST", "/cases", url.Values{"identity_number": {number}, "choice": {"norra-ao ibic_sol_aldre"},
		"received_date": {today}}, false)
	if status != http.StatusOK || !strings.HasPrefix(final, "/cases/") {
		t.Fatalf("registering by number: %d at %s", status, final)
	}
	log, err := w.svc.AccessLog(context.Background(), w.actor("granskare"), store.AccessLogFilter{PersonID: other.ID})
	if err != nil {
		t.Fatal(err)
	}
	explicit := false
	for _, e := range log {
		explicit = explicit || (e.CaseID == strings.TrimPrefix(final, "/cases/") && e.Ground == string(access.RelIdentityNumber))
	}
	if !explicit {
		t.Errorf("the registration by number is not logged on the identity_number ground: %+v", log)
	}

	// A protected person by number: refused, without saying why.
	var protected persons.Person
	for _, p := range w.ds.Persons {
		if p.Protection != persons.ProtectionNone && !inNorra[p.ID] {
			protected = p
			break
		}
	}
	refused := page("POST", "/persons/registration", url.Values{"identity_number": {protected.Identity.String()}}, http.StatusForbidden,
		"Du kan inte registrera")
	if strings.Contains(strings.ToLower(mainOf(refused)), "skydd") || strings.Contains(refused, protected.FamilyName) {
		t.Error("the refusal tells why, or names the person")
	}
	page("POST", "/cases", url.Values{"identity_number": {protected.Identity.String()}, "choice": {"norra-ao ibic_sol_aldre"}},
		http.StatusForbidden, "Du kan inte registrera")

	// A number the registry does not know: the name is asked for.
	var unknown persons.Identity
	for n := 0; ; n++ {
		unknown = persons.GenerateTestNumber(time.Date(1941, 5, 17, 0, 0, 0, 0, time.UTC), "F", n)
		if _, err := w.ds.Registry().Lookup(context.Background(), unknown); err != nil {
			break
		}
	}
	page("POST", "/persons/registration", url.Values{"identity_number": {unknown.String()}}, http.StatusOK,
		"finns inte i folkbokföringen", `name="given_name"`, `name="family_name"`)
	page("POST", "/cases", url.Values{"identity_number": {unknown.String()}, "choice": {"norra-ao ibic_sol_aldre"}}, http.StatusUnprocessableEntity,
		`id="reg-given-error"`, `name="family_name"`)
	status, body, final = w.page("handlaggare", "POST", "/cases", url.Values{"identity_number": {unknown.String()}, "given_name": {"Ingrid"},
		"family_name": {"Nyström"}, "choice": {"norra-ao ibic_sol_aldre"}}, false)
	if status != http.StatusOK || !strings.HasPrefix(final, "/cases/") || !strings.Contains(body, "Ingrid Nyström") {
		t.Errorf("registering someone the registry does not know: %d at %s\n%s", status, final, mainOf(body))
	}

	for _, b := range visited {
		if m := identityInURL.FindString(uuidLike.ReplaceAllString(b, "{id}")); m != "" {
			t.Errorf("an identity number in a URL: %s", m)
		}
	}
}
