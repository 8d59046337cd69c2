package web_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/storetest"
)

// TestProviderDayVisits follows journey 6 through the phone pages: the
// plan gives the home care a morning visit (a shower on Tuesdays and
// Fridays, dressing every day) and an evening visit; the alarm's plan
// has no times. On a Tuesday the report page lists the two visits in
// time order, not the alarm; the morning visit shows its own plan (not
// the evening's) with its activities ticked; 35 minutes typed beside the
// tiles are saved once however often the form is sent, the answer
// naming the list's address and the reports saved; the message for
// reports the phone kept and sent later counts them. A time the plan
// cannot use is refused next to the activity.
func TestProviderDayVisits(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80) // a Monday
			c := w.journeyCase("ibic_sol_aldre").ID
			w.applyForHomeCare(c)
			w.investigateHomeCare(c, "Behöver hjälp i duschen.")
			final := w.decide("handlaggare", c, func(d *apiDecision) map[string]any {
				if d.Insats == "hemtjanst_omvardnad" {
					return map[string]any{"amount": 2400}
				}
				return nil
			})
			omsorg := w.registerProvider(map[string]any{"name": "Testomsorg Norr AB", "kind": "external", "org_number": "5598765435",
				"insatser": []string{"hemtjanst_omvardnad", "trygghetslarm"}, "areas": []string{"norra-omr"}})
			w.providerStaff("omsorg.anna", omsorg)
			for _, d := range final {
				w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+d.ID+"/provider", map[string]string{"provider_id": omsorg}, http.StatusOK, nil)
			}
			w.move("handlaggare", c, "order")
			var list struct{ Orders []apiOrder }
			w.call("omsorg.anna", "GET", "/api/v1/orders", nil, http.StatusOK, &list)
			ids := map[string]string{}
			for _, o := range list.Orders {
				ids[o.Insats] = o.ID
				w.call("omsorg.anna", "POST", "/api/v1/orders/"+o.ID+"/acceptance", map[string]string{"start_date": "2026-01-05"}, http.StatusOK, nil)
			}
			hc, alarm := ids["hemtjanst_omvardnad"], ids["trygghetslarm"]
			name := list.Orders[0].Content.Person.Name
			page := func(method, path string, form url.Values, want int, contains ...string) string {
				t.Helper()
				return w.mustPage("omsorg.anna", method, path, form, false, want, contains...)
			}
			lacks := func(body string, not ...string) {
				t.Helper()
				for _, n := range not {
					if strings.Contains(body, n) {
						t.Errorf("the page shows %q, which it should not\n%s", n, mainOf(body))
					}
				}
			}

			// The plan with times, through the order's page: a bad time is
			// refused next to its activity, and nothing is saved.
			plan := url.Values{"participation": {"took_part"},
				"items.0.goal": {"0"}, "items.0.code": {"d510"}, "items.0.activity": {"Hjälp i duschen"}, "items.0.when": {"Tis och fre morgon"},
				"items.0.who": {"Grupp Norr 2"}, "items.0.time": {"8.00"}, "items.0.days": {"5", "2"},
				"items.1.goal": {"1"}, "items.1.code": {"d540"}, "items.1.activity": {"Stöd med strumpor"}, "items.1.when": {"Varje morgon"},
				"items.1.who": {"Grupp Norr 2"}, "items.1.time": {"08:00"},
				"items.2.goal": {"1"}, "items.2.code": {"d540"}, "items.2.activity": {"Hjälp att klä av sig"}, "items.2.when": {"Varje kväll"},
				"items.2.who": {"Grupp Norr 2"}, "items.2.time": {"20:30"}}
			opath := "/provider/orders/" + hc
			page("POST", opath+"/plan", plan, http.StatusUnprocessableEntity, `id="items-0-time-error"`, "Ange klockslaget som TT:MM.",
				`name="items.0.days" value="2" checked`, `name="items.0.days" value="5" checked`)
			plan.Set("items.0.time", "08:00")
			page("POST", opath+"/plan", plan, http.StatusOK, "Genomförandeplanen är sparad")
			page("GET", opath, nil, http.StatusOK, `name="items.0.time" value="08:00"`, `name="items.2.time" value="20:30"`)
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+alarm+"/plans", map[string]any{"participation": "took_part", "items": []map[string]any{
				{"goal": 0, "activity": "Larmet testas", "when": "En gång i månaden", "who": "Larmgruppen"},
				{"goal": 1, "activity": "Larmet bärs", "when": "Dygnet runt", "who": "Personen"}}}, http.StatusCreated, nil)

			// Tuesday: the two visits in time order; the alarm is no visit
			// but can be reported on as a visit not planned.
			w.advance(24 * time.Hour)
			body := page("GET", "/provider/report", nil, http.StatusOK, "Dagens besök", "tisdag 2026-01-06", "Ett besök som inte är planerat",
				`href="/provider/report/`+alarm+`"`)
			visits := regexp.MustCompile(`href="/provider/report/([^"?]+)\?at=([^"]+)"`).FindAllStringSubmatch(body, -1)
			var got []string
			for _, v := range visits {
				got = append(got, v[1]+" "+v[2])
			}
			if want := []string{hc + " 08%3a00", hc + " 20%3a30"}; strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("the day's visits: %q, want %q", got, want)
			}
			list2 := body[:strings.Index(body, "Ett besök som inte är planerat")]
			lacks(list2, alarm)

			// The morning visit: its plan, not the evening's; its activities ticked.
			body = page("GET", "/provider/report/"+hc+"?at=08:00", nil, http.StatusOK, "Besöket kl. 08:00", "Planen för besöket",
				"Hjälp i duschen", "Stöd med strumpor", "kl. 08:00, tis, fre", "kl. 08:00, varje dag", `value="d510" checked`, `value="d540" checked`,
				`name="other_minutes"`, `name="at" value="08:00"`)
			lacks(body, "Hjälp att klä av sig")
			// On a Wednesday the morning visit has no shower.
			w.advance(24 * time.Hour)
			body = page("GET", "/provider/report/"+hc+"?at=08:00", nil, http.StatusOK, "Stöd med strumpor", `value="d540" checked`)
			lacks(body, "Hjälp i duschen", `value="d510" checked`)

			// 35 minutes typed beside the tiles; sent twice, saved once.
			body = page("GET", "/provider/report/"+hc+"?at=08:00", nil, http.StatusOK)
			visit := url.Values{"key": {formKey(t, body)}, "at": {"08:00"}, "on": {"2026-01-07"}, "other_minutes": {"35"},
				"activities": {"d540"}, "deviation": {""}}
			for i, want := range []string{"Sparat: " + name + ", 2026-01-07, 35 min.", "Besöket var redan sparat"} {
				resp, err := w.srv.Client().Do(w.pageRequest("omsorg.anna", "POST", "/provider/report/"+hc, visit, false))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) || !strings.Contains(string(b), `class="notice success`) {
					t.Errorf("sending %d: status %d, want 200 and a success saying %q\n%s", i+1, resp.StatusCode, want, mainOf(string(b)))
				}
				if loc, n := resp.Header.Get("Content-Location"), resp.Header.Get("Trygg-Saved"); loc != "/provider/report" || n != "1" {
					t.Errorf("sending %d: Content-Location %q, Trygg-Saved %q; want the list and 1", i+1, loc, n)
				}
			}
			if n := w.performedCount("omsorg.anna", hc, "2026-01"); n != 1 {
				t.Fatalf("after the visit sent twice, %d reports, want 1", n)
			}
			// A typed number that is no number is refused next to the time.
			visit.Set("key", "typed-x")
			visit.Set("other_minutes", "35 min")
			page("POST", "/provider/report/"+hc, visit, http.StatusUnprocessableEntity, `id="minutes-error"`, "Ange minuter som ett heltal.",
				`name="other_minutes" value="35 min"`)

			// Reports the phone kept while it had no network, sent later.
			page("GET", "/provider/report?sent=1", nil, http.StatusOK, `class="notice success saved-visit" role="status">Sparat: 1 rapport.</p>`)
			page("GET", "/provider/report?sent=3&refused=1", nil, http.StatusOK, "Sparat: 3 rapporter.",
				`class="notice warning" role="alert">1 rapport kunde inte sparas när den skickades. Rapportera besöket igen.`)
			body = page("GET", "/provider/report?sent=x&refused=-2", nil, http.StatusOK)
			lacks(body, "Sparat:", "kunde inte sparas")
			page("GET", "/provider/report?lang=en&sent=2", nil, http.StatusOK, "Saved: 2 reports.", "Today&#39;s visits")
		})
	}
}
