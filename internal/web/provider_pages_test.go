package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// formKey returns the batch key a reporting form was shown with.
func formKey(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no batch key in the form:\n%s", mainOf(body))
	}
	return m[1]
}

// performedCount returns how many reports an order has in a month, as
// the API lists them.
func (w *packWorld) performedCount(user, orderID, month string) int {
	w.t.Helper()
	var out struct{ Performed []struct{ ID string } }
	w.call(user, "GET", "/api/v1/orders/"+orderID+"/performed?month="+month, nil, http.StatusOK, &out)
	return len(out.Performed)
}

// TestOrderPages follows journey 1 from the decision to the provider and
// back through the pages: the officer chooses the provider on the
// decision page and orders; the provider's staff see only their own
// orders, accept one and return the other, write the plan, report a
// visit on the phone page and a shift as one batch (each sent twice,
// counted once), correct a report and report back on the goals; the
// officer's case page shows the follow-up. Bad input shows its message
// next to the field and saves nothing; other roles may not use the
// provider's pages.
func TestOrderPages(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) // a Monday
	w := newPackWorld(t, "sqlite", t0, 80)
	jc := w.journeyCase("ibic_sol_aldre")
	c := jc.ID
	w.applyForHomeCare(c)
	w.investigateHomeCare(c, "Behöver hjälp i duschen.")
	final := w.decide("handlaggare", c, func(d *apiDecision) map[string]any {
		if d.Insats == "hemtjanst_omvardnad" {
			return map[string]any{"amount": 2400}
		}
		return nil
	})
	dec := map[string]string{}
	for _, d := range final {
		dec[d.Insats] = d.ID
	}
	omsorg := w.registerProvider(map[string]any{"name": "Testomsorg Norr AB", "kind": "external", "org_number": "5598765435",
		"insatser": []string{"hemtjanst_omvardnad", "trygghetslarm"}, "areas": []string{"norra-omr"}})
	soder := w.registerProvider(map[string]any{"name": "Testomsorg Söder AB", "kind": "external", "org_number": "5598123452",
		"insatser": []string{"hemtjanst_omvardnad"}, "areas": []string{"sodra-omr"}})
	w.providerStaff("omsorg.anna", omsorg)
	w.providerStaff("soder.sam", soder)

	var visited []string
	page := func(user, method, path string, form url.Values, want int, contains ...string) string {
		t.Helper()
		body := w.mustPage(user, method, path, form, false, want, contains...)
		visited = append(visited, body)
		return body
	}
	lacks := func(body string, not ...string) {
		t.Helper()
		for _, n := range not {
			if strings.Contains(body, n) {
				t.Errorf("the page shows %q, which it should not\n%s", n, mainOf(body))
			}
		}
	}

	// The officer: the decision page offers the providers serving the
	// case's area, to be chosen once for the case's granted decisions and
	// the orders sent in the same step; a bad choice says why and changes
	// nothing.
	home := "/cases/" + c + "/decisions/" + dec["hemtjanst_omvardnad"]
	body := page("handlaggare", "GET", home, nil, http.StatusOK, "Utförare", "Ingen utförare är vald än", "Testomsorg Norr AB",
		"Utföraren väljs också för Trygghetslarm", "Beställningen skickas till utföraren och ärendet går vidare (Beställ hos utförare).",
		"Välj utförare och skicka beställningen")
	lacks(body, "Testomsorg Söder AB")
	page("handlaggare", "POST", home+"/provider", url.Values{"provider_id": {soder}}, http.StatusUnprocessableEntity,
		"Utföraren verkar inte i ärendets område.", `id="provider-error"`)
	page("handlaggare", "POST", home+"/provider", url.Values{"provider_id": {""}}, http.StatusUnprocessableEntity, "Välj en utförare.")
	page("handlaggare", "GET", home, nil, http.StatusOK, "Ingen utförare är vald än")
	page("handlaggare", "POST", home+"/provider", url.Values{"provider_id": {omsorg}}, http.StatusOK,
		"Utföraren är vald: Testomsorg Norr AB. Samma utförare för Trygghetslarm. Beställningen är skickad.",
		"Vald utförare: <strong>Testomsorg Norr AB</strong> · beställd")
	body = page("handlaggare", "GET", "/cases/"+c, nil, http.StatusOK, `id="orders-h"`, "Hemtjänst – personlig omvårdnad – Testomsorg Norr AB",
		"Skickat 2026-01-05", "Trygghetslarm – Testomsorg Norr AB", "omfattning 24 timmar per månad")
	if !strings.Contains(body, `aria-current="step" class="current">Verkställighet`) {
		t.Errorf("the case did not move on when the orders were sent:\n%s", mainOf(body))
	}

	var list struct{ Orders []apiOrder }
	w.call("omsorg.anna", "GET", "/api/v1/orders", nil, http.StatusOK, &list)
	ids := map[string]string{}
	for _, o := range list.Orders {
		ids[o.Insats] = o.ID
	}
	hc, alarm := ids["hemtjanst_omvardnad"], ids["trygghetslarm"]
	name := list.Orders[0].Content.Person.Name
	if hc == "" || alarm == "" || name == "" {
		t.Fatalf("the provider's orders: %+v", list.Orders)
	}

	// Who may use the provider's pages: its own staff, on its own orders.
	status, _, final2 := w.page("omsorg.anna", "GET", "/", nil, false)
	if status != http.StatusOK || final2 != "/provider/orders" {
		t.Errorf("the provider staff's home: %d at %s, want /provider/orders", status, final2)
	}
	page("omsorg.anna", "GET", "/provider/orders", nil, http.StatusOK, `href="/provider/orders" aria-current="page">Uppdrag`,
		`href="/provider/report"`, "Nya uppdrag", name, `action="/provider/orders/`+hc+`/acceptance"`, `action="/provider/orders/`+alarm+`/return"`)
	body = page("soder.sam", "GET", "/provider/orders", nil, http.StatusOK, "Inga nya uppdrag")
	lacks(body, name)
	w.mustPage("soder.sam", "GET", "/provider/orders/"+hc, nil, false, http.StatusNotFound)
	w.mustPage("soder.sam", "GET", "/provider/report/"+hc, nil, false, http.StatusNotFound)
	for _, path := range []string{"/provider/orders", "/provider/orders/" + hc, "/provider/report", "/provider/report/shift", "/provider/report/" + hc} {
		w.mustPage("handlaggare", "GET", path, nil, false, http.StatusForbidden)
		w.mustPage("designer", "GET", path, nil, false, http.StatusForbidden)
	}
	w.mustPage("handlaggare", "POST", "/provider/orders/"+hc+"/acceptance", url.Values{"start_date": {"2026-01-12"}}, false, http.StatusForbidden)
	w.mustPage("handlaggare", "POST", "/provider/report/shift", url.Values{"key": {"k1"}}, false, http.StatusForbidden)
	body = page("handlaggare", "GET", "/inbox", nil, http.StatusOK)
	lacks(body, `href="/provider/orders"`)

	// Accept from the list: a start before the decision is refused next
	// to the date, with nothing changed.
	w.advance(7 * 24 * time.Hour) // Monday 12 January
	body = page("omsorg.anna", "POST", "/provider/orders/"+hc+"/acceptance", url.Values{"from": {"list"}, "start_date": {"2026-01-02"}},
		http.StatusUnprocessableEntity, "Kan inte vara före beslutet (2026-01-05).", `id="start-`+hc+`-error"`, `value="2026-01-02"`)
	page("omsorg.anna", "GET", "/provider/orders/"+hc, nil, http.StatusOK, "Ta emot uppdraget", "Skickat 2026-01-05")
	page("omsorg.anna", "POST", "/provider/orders/"+hc+"/acceptance", url.Values{"from": {"list"}, "start_date": {"2026-01-12"}}, http.StatusOK,
		"Uppdraget är mottaget: "+name+", Hemtjänst – personlig omvårdnad, från 2026-01-12.", "Pågående uppdrag")
	// Return the alarm from its page: a reason is needed.
	page("omsorg.anna", "POST", "/provider/orders/"+alarm+"/return", url.Values{"reason": {"  "}}, http.StatusUnprocessableEntity,
		"Ange varför, med högst 1000 tecken.", `id="reason-error"`)
	page("omsorg.anna", "POST", "/provider/orders/"+alarm+"/return", url.Values{"reason": {"Inga larm kvar i området."}}, http.StatusOK,
		"Uppdraget är returnerat", "Returnerat: Inga larm kvar i området.")

	// The order's page: what it carries (not the investigation's text).
	opath := "/provider/orders/" + hc
	body = page("omsorg.anna", "GET", opath, nil, http.StatusOK, name, "d510", "Duschar tryggt två gånger i veckan.", "24 timmar per månad",
		"Mottaget från 2026-01-12", "Genomförandeplan", "Ingen genomförandeplan än.", "/api/v1/providers/"+omsorg+"/payment-basis/csv?month=2026-01")
	lacks(body, "Behöver hjälp i duschen.", "Vill klara mig själv.")

	// The plan: one more activity for goal 1 (nothing saved), then a plan
	// missing goal 2's activity (refused), then a good one.
	plan := url.Values{"participation": {"took_part"},
		"items.0.goal": {"0"}, "items.0.code": {"d510"}, "items.0.activity": {"Hjälp i duschen"}, "items.0.when": {"Tis och fre 8–9"}, "items.0.who": {"Grupp Norr 2"},
		"items.1.goal": {"1"}, "items.1.code": {"d540"}, "items.1.activity": {""}, "items.1.when": {""}, "items.1.who": {""}}
	add := url.Values{"add": {"0"}}
	for k, v := range plan {
		add[k] = v
	}
	body = page("omsorg.anna", "POST", opath+"/plan", add, http.StatusOK, `name="items.1.activity"`, `name="items.2.goal" value="1"`, "autofocus", "Hjälp i duschen")
	page("omsorg.anna", "POST", opath+"/plan", plan, http.StatusUnprocessableEntity, "Planen är inte korrekt ifylld.", "mål 2 saknar", "Hjälp i duschen")
	plan.Set("items.0.when", "")
	plan.Set("items.1.activity", "Stöd vid påklädning")
	plan.Set("items.1.when", "Varje morgon")
	plan.Set("items.1.who", "Grupp Norr 2")
	page("omsorg.anna", "POST", opath+"/plan", plan, http.StatusUnprocessableEntity, `id="items-0-when-error"`, "Ange när, med högst 200 tecken.")
	var plans struct{ Plans []struct{ Version int } }
	w.call("omsorg.anna", "GET", "/api/v1/orders/"+hc+"/plans", nil, http.StatusOK, &plans)
	if len(plans.Plans) != 0 {
		t.Fatalf("refused plans were saved: %+v", plans.Plans)
	}
	plan.Set("items.0.when", "Tis och fre 8–9")
	page("omsorg.anna", "POST", opath+"/plan", plan, http.StatusOK, "Genomförandeplanen är sparad som en ny version.", "version 1", "Stöd vid påklädning")

	// The phone page: pick the person, then report 30 minutes of d510.
	body = page("omsorg.anna", "GET", "/provider/report", nil, http.StatusOK, `href="/provider/report/`+hc+`"`, name)
	lacks(body, `href="/provider/report/`+alarm+`"`)
	body = page("omsorg.anna", "GET", "/provider/report/"+hc, nil, http.StatusOK, `value="2026-01-12"`, `name="minutes" value="30"`,
		`value="d510" checked`, "Inte hemma", "Hjälp i duschen")
	visit := url.Values{"key": {formKey(t, body)}, "on": {"2026-01-12"}, "minutes": {"30"}, "activities": {"d510"}, "deviation": {""}, "note": {""}}
	page("omsorg.anna", "POST", "/provider/report/"+hc, visit, http.StatusOK, "Sparat: "+name+", 2026-01-12, 30 min.")
	page("omsorg.anna", "POST", "/provider/report/"+hc, visit, http.StatusOK, "Besöket var redan sparat") // sent twice
	if n := w.performedCount("omsorg.anna", hc, "2026-01"); n != 1 {
		t.Fatalf("after the visit sent twice, %d reports, want 1", n)
	}
	// Back, changed and sent again under the same key: a plain message
	// and a new key, nothing saved.
	changed := url.Values{}
	for k, vs := range visit {
		changed[k] = vs
	}
	changed.Set("minutes", "45")
	body = page("omsorg.anna", "POST", "/provider/report/"+hc, changed, http.StatusConflict, "Det här formuläret var redan sparat, med andra uppgifter.")
	if key := formKey(t, body); key == visit.Get("key") {
		t.Fatalf("the form sent again with other details kept its key %q", key)
	}
	if n := w.performedCount("omsorg.anna", hc, "2026-01"); n != 1 {
		t.Fatalf("after the changed form was refused, %d reports, want 1", n)
	}
	// Bad input on the phone page: each message next to its field,
	// nothing saved.
	for _, tc := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"no time", url.Values{"on": {"2026-01-12"}, "activities": {"d510"}}, []string{`id="minutes-error"`, "Ange tiden: start och slut, eller minuter."}},
		{"a future day", url.Values{"on": {"2026-01-13"}, "minutes": {"15"}, "activities": {"d510"}}, []string{`id="on-error"`, "Kan inte vara i framtiden."}},
		{"other without a note", url.Values{"on": {"2026-01-12"}, "deviation": {"other"}}, []string{`id="note-error"`, "Beskriv vad som hände."}},
		{"end before start", url.Values{"on": {"2026-01-12"}, "start": {"10:00"}, "end": {"09:00"}, "activities": {"d510"}}, []string{`id="end-error"`, "Ska vara efter starten."}},
		{"no activity", url.Values{"on": {"2026-01-12"}, "minutes": {"15"}}, []string{`id="activities-error"`, "Ange minst en aktivitet."}},
		{"minutes not a number", url.Values{"on": {"2026-01-12"}, "minutes": {"x"}, "activities": {"d510"}}, []string{`id="minutes-error"`, "Ange minuter som ett heltal."}},
	} {
		tc.form.Set("key", "bad-"+strings.ReplaceAll(tc.name, " ", "-"))
		body := page("omsorg.anna", "POST", "/provider/report/"+hc, tc.form, http.StatusUnprocessableEntity, tc.want...)
		if !strings.Contains(body, "ingenting sparades") && !strings.Contains(body, "inte korrekt") {
			t.Errorf("%s: no message at the top:\n%s", tc.name, mainOf(body))
		}
	}
	if n := w.performedCount("omsorg.anna", hc, "2026-01"); n != 1 {
		t.Fatalf("after bad reports, %d reports, want 1", n)
	}
	// Not home: no time, no activities needed.
	body = page("omsorg.anna", "GET", "/provider/report/"+hc, nil, http.StatusOK)
	page("omsorg.anna", "POST", "/provider/report/"+hc, url.Values{"key": {formKey(t, body)}, "on": {"2026-01-12"}, "deviation": {"not_home"},
		"activities": {"d510", "d540"}}, http.StatusOK, "Sparat: "+name+", 2026-01-12, Inte hemma.")

	// A shift the next day: one submit, one batch; sent twice, counted once.
	w.advance(24 * time.Hour) // Tuesday 13 January
	body = page("omsorg.anna", "GET", "/provider/report/shift", nil, http.StatusOK, `value="2026-01-13"`, name, "Skicka passet")
	row := regexp.MustCompile(`name="rows\.(\d+)\.order" value="` + hc + `"`).FindStringSubmatch(body)
	if row == nil {
		t.Fatalf("no shift row for the order:\n%s", mainOf(body))
	}
	r := "rows." + row[1] + "."
	shift := url.Values{"key": {formKey(t, body)}, "on": {"2026-01-13"}, r + "order": {hc}, r + "minutes": {""}, r + "deviation": {""}}
	page("omsorg.anna", "POST", "/provider/report/shift", shift, http.StatusUnprocessableEntity, "Fyll i minuter eller en avvikelse på minst en rad.")
	shift.Set(r+"minutes", "4 5")
	page("omsorg.anna", "POST", "/provider/report/shift", shift, http.StatusUnprocessableEntity, `id="rows-`+row[1]+`-minutes-error"`, "Ange minuter som ett heltal.")
	shift.Set(r+"minutes", "45")
	page("omsorg.anna", "POST", "/provider/report/shift", shift, http.StatusUnprocessableEntity, `id="rows-`+row[1]+`-activities-error"`, "Ange minst en aktivitet.")
	if n := w.performedCount("omsorg.anna", hc, "2026-01"); n != 2 {
		t.Fatalf("after refused shifts, %d reports, want 2", n)
	}
	shift[r+"activities"] = []string{"d510", "d540"}
	shift.Set("on", "2026-01-14")
	page("omsorg.anna", "POST", "/provider/report/shift", shift, http.StatusUnprocessableEntity, `id="on-error"`, "Kan inte vara i framtiden.")
	shift.Set("on", "2026-01-13")
	// Posted from another site (riding on the session cookie): refused.
	req, _ := http.NewRequest("POST", w.srv.URL+"/provider/report/shift", strings.NewReader(shift.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "trygg_session="+w.tokens["omsorg.anna"])
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site shift: status %d, want 403", resp.StatusCode)
	}
	page("omsorg.anna", "POST", "/provider/report/shift", shift, http.StatusOK, "Sparat: 1 rapport den 2026-01-13 (1 besök, 0 avvikelser).")
	page("omsorg.anna", "POST", "/provider/report/shift", shift, http.StatusOK, "Passet var redan skickat")
	if n := w.performedCount("omsorg.anna", hc, "2026-01"); n != 3 {
		t.Fatalf("after the shift sent twice, %d reports, want 3", n)
	}

	// The month's reports on the order's page; a correction replaces one.
	body = page("omsorg.anna", "GET", opath+"?month=2026-01", nil, http.StatusOK, "Utfört 2026-01", "45 min", "Inte hemma", "Rätta")
	if m := regexp.MustCompile(`name="corrects" value="([^"]+)"`).FindAllStringSubmatch(body, -1); len(m) != 3 {
		t.Fatalf("%d correction forms, want 3", len(m))
	}
	var reports struct {
		Performed []struct {
			ID, Deviation string
			Minutes       int
		}
	}
	w.call("omsorg.anna", "GET", "/api/v1/orders/"+hc+"/performed?month=2026-01", nil, http.StatusOK, &reports)
	first := ""
	for _, p := range reports.Performed {
		if p.Minutes == 30 && p.Deviation == "" {
			first = p.ID
		}
	}
	if !strings.Contains(body, `name="corrects" value="`+first+`"`) {
		t.Fatalf("no correction form for the 30 minutes on the 12th (%q)", first)
	}
	page("omsorg.anna", "POST", opath+"/performed", url.Values{"corrects": {first}, "month": {"2026-01"}, "on": {"2026-01-12"}, "start": {"09:00"},
		"end": {"08:00"}, "activities": {"d510"}}, http.StatusUnprocessableEntity, "Ska vara efter starten.", `id="c-`+first+`-end-error"`)
	page("omsorg.anna", "POST", opath+"/performed", url.Values{"corrects": {first}, "month": {"2026-01"}, "on": {"2026-01-12"}, "start": {"08:00"},
		"end": {"08:20"}, "activities": {"d510"}}, http.StatusOK, "Rättelsen är sparad", "Rättad", "Rättelse", "08:00–08:20")

	// The report back: every goal; a missing status is refused.
	follow := url.Values{"goals.0.status": {"partly"}, "goals.0.qualifier": {"2"}, "goals.1.qualifier": {"1"}}
	page("omsorg.anna", "POST", opath+"/follow-up", follow, http.StatusUnprocessableEntity, `id="goals-1-status-error"`,
		"Ska vara uppnått, delvis uppnått eller inte uppnått.")
	follow.Set("goals.1.status", "achieved")
	page("omsorg.anna", "POST", opath+"/follow-up", follow, http.StatusOK, "Återrapporteringen är skickad")

	// The officer's follow-up on the case page.
	page("handlaggare", "GET", "/cases/"+c, nil, http.StatusOK, "Mottaget från 2026-01-12", "Returnerat: Inga larm kvar i området.",
		"Planerad tid", "Utförd tid", "2026-01", "1 h 5 min", "version 1", "delvis uppnått", "3 → 2", "uppnått")

	// The English pages.
	page("omsorg.anna", "GET", opath+"?lang=en", nil, http.StatusOK, "Implementation plan", "Accepted from 2026-01-12", "Report back on the goals")

	// Closing the case ends the order: its page is read-only.
	w.move("handlaggare", c, "close")
	body = page("omsorg.anna", "GET", opath+"?lang=sv", nil, http.StatusOK, "Avslutat", "ärendet avslutades.", "går att läsa men inte längre ändra", "Stöd vid påklädning")
	lacks(body, `action="/provider/orders/`+hc+`/plan`, `action="/provider/orders/`+hc+`/follow-up`, `name="corrects"`)
	page("omsorg.anna", "GET", "/provider/orders?status=ended", nil, http.StatusOK, name)
	w.mustPage("omsorg.anna", "GET", "/provider/report/"+hc, nil, false, http.StatusConflict)

	// No identity number in a link or form address (ids are UUIDs, whose
	// last group of twelve digits is no identity number).
	address := regexp.MustCompile(`(?:href|action|hx-post|hx-get)="([^"]*)"`)
	number := regexp.MustCompile(`(?:^|[^0-9A-Za-z-])(?:\d{8}|\d{6})[-+]?\d{4}(?:$|[^0-9A-Za-z])`)
	for _, b := range visited {
		for _, a := range address.FindAllStringSubmatch(b, -1) {
			if number.MatchString(a[1]) {
				t.Errorf("an identity number in a URL: %s", a[0])
			}
		}
	}
}
