package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
)

// inboxNames are the persons named in the rows of an inbox page's case
// table, in order.
var inboxNames = regexp.MustCompile(`<td data-label="Person"><strong>([^<]+)</strong>`)

func namesIn(body string) []string {
	var out []string
	for _, m := range inboxNames.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestInboxRowsSayWhoseCaseItIs: the officer's inbox and the team's name
// each case's person (name and masked identity number, never the full
// number), its reference, the day it came in, its step and next deadline;
// the persons named are access-logged, one entry each, on the ground of
// reading the case. The cases sort by name (in Swedish order), reference,
// the day received or the next deadline, either way, by header links or
// the form; they filter by name or reference, step and overdue, with
// htmx (only the results come back) and without. A citizen's new
// application and message are tasks, and opening the case ends the
// application's.
func TestInboxRowsSayWhoseCaseItIs(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC), 120)
	ctx := context.Background()
	jc := w.journeyCase("ibic_sol_aldre")
	mother := w.demoPerson(jc.PersonID)
	motherName := mother.GivenName + " " + mother.FamilyName
	kase, err := w.svc.Case(ctx, w.actor("handlaggare"), jc.ID)
	if err != nil {
		t.Fatal(err)
	}

	// The officer's inbox: whose case, which, and where it stands.
	body := w.mustPage("handlaggare", "GET", "/inbox", nil, false, http.StatusOK,
		"<strong>"+motherName+"</strong><br><span class=\"muted\">"+mother.Identity.Masked()+"</span>",
		`<span class="ref-inline">`+kase.Reference+`</span>`, `<td data-label="Kom in">`+calendar.Today(kase.OpenedAt)+`</td>`,
		`<td data-label="Steg">Ansökan</td>`, `aria-sort="ascending"><a href="/inbox?desc=1">Nästa tidsgräns`)
	for _, p := range w.ds.Persons {
		if strings.Contains(body, p.Identity.String()) {
			t.Fatalf("the inbox shows a full identity number")
		}
	}
	shown := namesIn(body)
	if len(shown) == 0 {
		t.Fatal("the inbox names no one")
	}

	// Each person named is logged once, on the ground of reading the case.
	log, err := w.svc.AccessLog(ctx, w.actor("granskare"), store.AccessLogFilter{PersonID: mother.ID})
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, e := range log {
		if e.Action == string(access.ReadPersonName) && e.ActorID == w.actor("handlaggare").UserID {
			named++
			if e.Ground != string(access.RelAssigned) || e.CaseID != jc.ID {
				t.Errorf("the inbox's entry for the mother: %+v, want her case on the assigned ground", e)
			}
		}
	}
	if named != 1 {
		t.Errorf("the inbox logged the mother %d times, want once", named)
	}

	// Sorted by name, in Swedish order, then the other way round.
	family := map[string]string{}
	for _, p := range w.ds.Persons {
		family[p.GivenName+" "+p.FamilyName] = strings.ToLower(p.FamilyName + " " + p.GivenName)
	}
	col := collate.New(language.Swedish)
	byName := namesIn(w.mustPage("handlaggare", "GET", "/inbox?sort=name", nil, false, http.StatusOK,
		`aria-sort="ascending"><a href="/inbox?desc=1&amp;sort=name">Person`))
	if !slices.IsSortedFunc(byName, func(a, b string) int { return col.CompareString(family[a], family[b]) }) || len(byName) != len(shown) {
		t.Errorf("sorted by name: %v", byName)
	}
	desc := namesIn(w.mustPage("handlaggare", "GET", "/inbox?sort=name&desc=1", nil, false, http.StatusOK, `aria-sort="descending"`))
	slices.Reverse(desc)
	if !slices.Equal(desc, byName) {
		t.Errorf("by name, the other way round: %v", desc)
	}

	// Filtered by the family name, with htmx: only the results come back.
	q := url.Values{"q": {strings.ToLower(mother.FamilyName)}}
	part := w.mustPage("handlaggare", "GET", "/inbox?"+q.Encode(), nil, true, http.StatusOK, `id="inbox-results"`, motherName)
	if strings.Contains(part, "<html") || strings.Contains(part, `<form method="get" action="/inbox"`) {
		t.Error("an htmx request for the inbox gets the whole page, not the results")
	}
	for _, n := range namesIn(part) {
		if !strings.HasSuffix(n, " "+mother.FamilyName) {
			t.Errorf("filtered by %q, the inbox shows %s", mother.FamilyName, n)
		}
	}
	// By the reference, without htmx; by a step nobody is in; overdue.
	w.mustPage("handlaggare", "GET", "/inbox?q="+url.QueryEscape(kase.Reference), nil, false, http.StatusOK, motherName, `value="`+kase.Reference+`"`)
	if names := namesIn(w.mustPage("handlaggare", "GET", "/inbox?step=follow_up", nil, false, http.StatusOK)); slices.Contains(names, motherName) {
		t.Errorf("the step filter keeps a case in another step")
	}
	w.mustPage("handlaggare", "GET", "/inbox?overdue=1", nil, false, http.StatusOK, `id="inbox-overdue" name="overdue" value="1" checked`)

	// The team's inbox names the persons too, logged on the unit ground.
	team := w.mustPage("arbetsledare", "GET", "/inbox?team=1&q="+url.QueryEscape(kase.Reference), nil, false, http.StatusOK, motherName,
		`name="back" value="/inbox?q=`)
	if !strings.Contains(team, mother.Identity.Masked()) {
		t.Error("the team's inbox lacks the masked identity number")
	}
	log, _ = w.svc.AccessLog(ctx, w.actor("granskare"), store.AccessLogFilter{PersonID: mother.ID})
	if !slices.ContainsFunc(log, func(e audit.Entry) bool {
		return e.Action == string(access.ReadPersonName) && e.ActorID == w.actor("arbetsledare").UserID && e.Ground == string(access.RelUnit)
	}) {
		t.Error("the team's inbox did not log the mother on the unit ground")
	}

	// A citizen's application and message are tasks.
	dotter := w.actor("dotter")
	if _, err := w.svc.SaveApplicationDraft(ctx, dotter, mother.ID, "ibic_sol_aldre", service.FormInput{Values: map[string]any{
		"applicant_kind": "self", "applied_sol": []string{"trygghetslarm"}, "own_description": "Jag vill ha ett trygghetslarm."}}, "sv"); err != nil {
		t.Fatal(err)
	}
	receipt, err := w.svc.SubmitApplication(ctx, dotter, mother.ID, "ibic_sol_aldre", "sv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SendCitizenMessage(ctx, dotter, mother.ID, jc.ID, "Mamma undrar när ni kommer."); err != nil {
		t.Fatal(err)
	}
	body = w.mustPage("handlaggare", "GET", "/inbox", nil, false, http.StatusOK, `<a href="/cases/`+receipt.Case.ID+`">Ny ansökan</a>`,
		`<a href="/cases/`+jc.ID+`">Nytt meddelande</a>`)
	if m := regexp.MustCompile(`Uppgifter <span class="count">\((\d+)\)`).FindStringSubmatch(body); m == nil || m[1] == "0" {
		t.Errorf("the tasks are counted as %v", m)
	}
	// Opening the new case ends its task.
	w.mustPage("handlaggare", "GET", "/cases/"+receipt.Case.ID, nil, false, http.StatusOK)
	if body := w.mustPage("handlaggare", "GET", "/inbox", nil, false, http.StatusOK); strings.Contains(body, `<a href="/cases/`+receipt.Case.ID+`">Ny ansökan</a>`) {
		t.Error("the new application is still a task after the officer opened it")
	}
}
