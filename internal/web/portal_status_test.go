package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/storetest"
)

// TestPortalDecidedStatus: once a decision is made, Mina sidor says so
// where the case stands — "Beslut fattat", the day and what was decided,
// in words — in the list of cases and on the case's page, though the
// office's step (Bedömning, "the officer works out what you are entitled
// to") is unchanged; the case is named by its reference everywhere, the
// register extract too. When an order carries the decision out the step
// is the news again, and a closed case says so.
func TestPortalDecidedStatus(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			mother := w.journeyCase("ekonomiskt_bistand").PersonID
			app := ebApplication()
			app.Set("send", "1")
			status, _, receipt := w.page("invanare", "POST", "/portal/apply/ekonomiskt_bistand", app, false)
			if status != http.StatusOK || !strings.HasPrefix(receipt, "/portal/applications/") {
				t.Fatalf("sending the application: %d, to %s", status, receipt)
			}
			eb := strings.TrimPrefix(receipt, "/portal/applications/")
			c, err := w.db.CaseByID(context.Background(), demo.TenantID, eb)
			if err != nil || !strings.HasPrefix(c.Reference, "EB-2026-") {
				t.Fatalf("the case's reference: %v %q", err, c.Reference)
			}
			row := func(user, forID, ref string) string {
				t.Helper()
				home := w.mustPortal(user, forID, "GET", "/portal", nil, http.StatusOK)
				for _, li := range strings.Split(home, `<li class="row">`)[1:] {
					if strings.Contains(li, ref) {
						return readable(li)
					}
				}
				t.Fatalf("%s's Mina sidor does not list %s:\n%s", user, ref, mainOf(home))
				return ""
			}
			words := func(s string) string { return strings.Join(strings.Fields(s), " ") }

			// Sent: where it is, by its reference.
			if got := words(row("invanare", "", c.Reference)); !strings.Contains(got, c.Reference+" · Ekonomiskt bistånd") ||
				!strings.Contains(got, "Läge: Ansökan") {
				t.Errorf("the sent application is listed as %q", got)
			}
			w.mustPortal("invanare", "", "GET", "/portal/cases/"+eb, nil, http.StatusOK, "Referens <span class=\"ref-inline\">"+c.Reference,
				`href="`+receipt+`"`, "Vi har tagit emot ansökan.")

			// Decided, in the office's step of assessment.
			w.move("ekonom", eb, "assess")
			w.decide("ekonom", eb, func(d *apiDecision) map[string]any { return nil })
			if step := w.step("ekonom", eb); step != "assessment" {
				t.Fatalf("the case is in %q", step)
			}
			if got := words(row("invanare", "", c.Reference)); !strings.Contains(got, "Läge: Beslut fattat 2026-03-02") ||
				!strings.Contains(got, "Försörjningsstöd – beviljat") || !strings.Contains(got, "18 150 kr") {
				t.Errorf("the decided case is listed as %q", got)
			}
			page := w.mustPortal("invanare", "", "GET", "/portal/cases/"+eb, nil, http.StatusOK)
			status1 := words(readable(strings.Split(strings.Split(page, `class="card follow-status"`)[1], "</section>")[0]))
			for _, want := range []string{"Beslut fattat 2026-03-02", "Försörjningsstöd – beviljat, 18 150 kr, från 2026-03-01",
				"Du kan läsa beslutet och hur du överklagar under Beslut här nedanför."} {
				if !strings.Contains(status1, want) {
					t.Errorf("the status lacks %q: %s", want, status1)
				}
			}
			if strings.Contains(status1, "räknar ut vad du har rätt till") || strings.Contains(status1, "Bedömning Handläggaren") {
				t.Errorf("the status still says the decision is being worked out: %s", status1)
			}
			// The same on the decision step, and closed when it is.
			w.move("ekonom", eb, "decide")
			if got := words(row("invanare", "", c.Reference)); !strings.Contains(got, "Läge: Beslut fattat 2026-03-02") {
				t.Errorf("after the step of the decision: %q", got)
			}
			w.move("ekonom", eb, "close")
			if got := words(row("invanare", "", c.Reference)); !strings.Contains(got, "Läge: Avslutat") {
				t.Errorf("the closed case is listed as %q", got)
			}
			if _, x := w.extract("invanare", mother, "view"); !strings.Contains(x, "<dt>Referens</dt><dd>"+c.Reference+"</dd>") {
				t.Errorf("the register extract does not give the reference")
			}

			// Home care: decided, then carried out by a provider.
			jc := w.journeyCase("ibic_sol_aldre")
			hc := decidedHomeCare(t, w)
			w.investigateHomeCare(hc, "Behöver hjälp i duschen.")
			final := w.decide("handlaggare", hc, func(d *apiDecision) map[string]any {
				if d.Insats == "hemtjanst_omvardnad" {
					return map[string]any{"amount": 2400}
				}
				return map[string]any{"outcome": "refused", "amount": 0, "justification": "Du klarar larmet med grannens hjälp."}
			})
			hcCase, err := w.db.CaseByID(context.Background(), demo.TenantID, hc)
			if err != nil {
				t.Fatal(err)
			}
			ref := hcCase.Reference
			if got := words(row("dotter", jc.PersonID, ref)); !strings.Contains(got, "Läge: Beslut fattat 2026-03-02") {
				t.Errorf("the decided home care is listed as %q", got)
			}
			w.mustPortal("dotter", jc.PersonID, "GET", "/portal/cases/"+hc, nil, http.StatusOK, "<strong>Beslut fattat</strong> 2026-03-02",
				"avslag")
			prov := w.registerProvider(map[string]any{"name": "Testomsorg Norr AB", "kind": "external", "org_number": "5598765435",
				"insatser": []string{"hemtjanst_omvardnad"}, "areas": []string{"norra-omr"}})
			for _, d := range final {
				if d.Outcome == "granted" {
					w.call("handlaggare", "PUT", "/api/v1/cases/"+hc+"/decisions/"+d.ID+"/provider", map[string]string{"provider_id": prov}, http.StatusOK, nil)
				}
			}
			w.move("handlaggare", hc, "order")
			if got := words(row("dotter", jc.PersonID, ref)); !strings.Contains(got, "Läge: Verkställighet") || strings.Contains(got, "Beslut fattat") {
				t.Errorf("the ordered home care is listed as %q", got)
			}
			page = w.mustPortal("dotter", jc.PersonID, "GET", "/portal/cases/"+hc, nil, http.StatusOK, "<strong>Verkställighet</strong>")
			if strings.Contains(page, "Beslut fattat") {
				t.Errorf("the case carried out still says only that it is decided")
			}
		})
	}
}
