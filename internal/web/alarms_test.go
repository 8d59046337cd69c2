package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/storetest"
)

// TestAlarmsThroughTheAPI: journey 1's safety alarm from the decision to
// an alarm. The provider's staff record the device they installed on the
// accepted order's page (again through the API changes nothing); the system administrator gives the alarm receiving centre its
// own client, whose token has the scope alarms and reaches nothing but
// posting alarms. An alarm naming the device is on the provider's day
// list (the phone page) and on the officer's case page; a repeat answers
// the same and changes nothing; refusals are specific: no token 401, a
// provider's client or an officer 403, an unknown device 404, another body
// under the same event id 409, a field that is not one of the five 422.
func TestAlarmsThroughTheAPI(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
			c := w.journeyCase("ibic_sol_aldre").ID
			w.applyForHomeCare(c)
			w.investigateHomeCare(c, "Duschen.")
			final := w.decide("handlaggare", c, func(d *apiDecision) map[string]any {
				if d.Insats == "hemtjanst_omvardnad" {
					return map[string]any{"amount": 2400}
				}
				return nil
			})
			prov := w.registerProvider(map[string]any{"name": "Larm och omsorg Norr AB", "kind": "external", "org_number": "5598765435",
				"insatser": []string{"hemtjanst_omvardnad", "trygghetslarm"}, "areas": []string{"norra-omr"}})
			w.providerStaff("larm.lisa", prov)
			for _, d := range final {
				w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+d.ID+"/provider", map[string]string{"provider_id": prov}, http.StatusOK, nil)
			}
			w.move("handlaggare", c, "order")
			var list struct{ Orders []apiOrder }
			w.call("larm.lisa", "GET", "/api/v1/orders", nil, http.StatusOK, &list)
			var alarm, care apiOrder
			for _, o := range list.Orders {
				w.call("larm.lisa", "POST", "/api/v1/orders/"+o.ID+"/acceptance", map[string]string{"start_date": "2026-01-05"}, http.StatusOK, nil)
				if o.Insats == "trygghetslarm" {
					alarm = o
				} else {
					care = o
				}
			}
			if alarm.ID == "" || care.ID == "" {
				t.Fatalf("the orders: %+v", list.Orders)
			}

			// The provider's staff record the device on the order's page
			// (a device id the centre could not send is refused at its
			// field); home care has no device.
			w.mustPage("larm.lisa", "GET", "/provider/orders/"+alarm.ID, nil, false, http.StatusOK, "Larmenhet", "Ingen larmenhet är registrerad")
			if body := w.mustPage("larm.lisa", "GET", "/provider/orders/"+care.ID, nil, false, http.StatusOK); strings.Contains(body, "Larmenhet") {
				t.Errorf("the home-care order's page offers a device")
			}
			w.mustPage("larm.lisa", "POST", "/provider/orders/"+alarm.ID+"/device", url.Values{"device_id": {"TL 4711"}}, false,
				http.StatusUnprocessableEntity, "Måste fyllas i: 1–64 bokstäver A–Z", `aria-invalid="true"`)
			w.mustPage("larm.lisa", "POST", "/provider/orders/"+alarm.ID+"/device", url.Values{"device_id": {" TL-4711 "}}, false,
				http.StatusOK, "Larmenheten är registrerad på uppdraget", "Registrerad: <strong>TL-4711</strong>")
			w.call("larm.lisa", "POST", "/api/v1/orders/"+alarm.ID+"/devices", map[string]string{"device_id": "TL-4711"}, http.StatusNoContent, nil)
			if msg := w.problem("larm.lisa", "POST", "/api/v1/orders/"+care.ID+"/devices", map[string]string{"device_id": "TL-4712"},
				http.StatusUnprocessableEntity); !strings.Contains(msg, "without a device") {
				t.Errorf("a device on home care: %q", msg)
			}
			var devices struct{ Devices []string }
			w.call("handlaggare", "GET", "/api/v1/orders/"+alarm.ID+"/devices", nil, http.StatusOK, &devices)
			if len(devices.Devices) != 1 || devices.Devices[0] != "TL-4711" {
				t.Errorf("the officer reads the devices %v", devices.Devices)
			}

			// The centre's client and its token.
			var centre struct {
				ClientID     string `json:"client_id"`
				ClientSecret string `json:"client_secret"`
			}
			w.call("handlaggare", "POST", "/api/v1/alarm-centres", map[string]string{"name": "Larmcentralen"}, http.StatusForbidden, nil)
			w.call("admin", "POST", "/api/v1/alarm-centres", map[string]string{"name": "Larmcentralen Demostad"}, http.StatusCreated, &centre)
			const form = "application/x-www-form-urlencoded"
			creds := []string{centre.ClientID, centre.ClientSecret}
			if a := w.token("POST", form, url.Values{"grant_type": {"client_credentials"}, "scope": {"orders"}}.Encode(), creds); a.status != http.StatusBadRequest || a.body["error"] != "invalid_scope" {
				t.Errorf("the centre asks for orders: %d %v, want invalid_scope", a.status, a.body)
			}
			tok := w.token("POST", form, "grant_type=client_credentials", creds)
			if tok.status != http.StatusOK || tok.body["scope"] != "alarms" {
				t.Fatalf("the centre's token: %d %v, want scope alarms", tok.status, tok.body)
			}
			token := tok.body["access_token"].(string)
			// A provider's client gets no alarms scope, and posts no alarms.
			var pc struct {
				ClientID     string `json:"client_id"`
				ClientSecret string `json:"client_secret"`
			}
			w.call("admin", "POST", "/api/v1/providers/"+prov+"/clients", map[string]string{"name": "Planeringen"}, http.StatusCreated, &pc)
			pcreds := []string{pc.ClientID, pc.ClientSecret}
			in, out := w.eventCount("user.signed_in"), w.eventCount("user.signed_out")
			if a := w.token("POST", form, url.Values{"grant_type": {"client_credentials"}, "scope": {"alarms"}}.Encode(), pcreds); a.status != http.StatusBadRequest || a.body["error"] != "invalid_scope" {
				t.Errorf("a provider's client asks for alarms: %d %v, want invalid_scope", a.status, a.body)
			}
			if w.eventCount("user.signed_in")-in != w.eventCount("user.signed_out")-out {
				t.Errorf("a refused scope left a session open")
			}
			provToken := w.token("POST", form, "grant_type=client_credentials", pcreds).body["access_token"].(string)

			post := func(token, body string) (int, http.Header, string) {
				t.Helper()
				req, err := http.NewRequest("POST", w.srv.URL+"/api/v1/alarms", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := w.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var b bytes.Buffer
				b.ReadFrom(resp.Body)
				return resp.StatusCode, resp.Header, b.String()
			}
			event := func(id, alarm, device, status string) string {
				return `{"event_id":"` + id + `","alarm_id":"` + alarm + `","device_id":"` + device + `","status":"` + status + `","at":"2026-01-05T08:58:00Z"}`
			}
			first := event("LC-1", "LA-1", "TL-4711", "received")
			for _, tc := range []struct {
				name, token, body string
				status            int
				says              string
			}{
				{"no token", "", first, http.StatusUnauthorized, ""},
				{"a provider's client", provToken, first, http.StatusForbidden, "Only an alarm receiving centre may post alarms."},
				{"an officer", w.tokenOf("handlaggare"), first, http.StatusForbidden, "Only an alarm receiving centre may post alarms."},
				// Every not-found answer is the same (server.answerable): the
				// device is on no running order.
				{"an unknown device", token, event("LC-0", "LA-0", "TL-0000", "received"), http.StatusNotFound, `"code":"not_found"`},
				{"the person's name", token, strings.Replace(first, `"status"`, `"name":"Anna","status"`, 1), http.StatusUnprocessableEntity, `"field":"name"`},
				{"a status the API does not know", token, event("LC-9", "LA-9", "TL-4711", "panic"), http.StatusUnprocessableEntity, `"field":"status"`},
			} {
				status, _, body := post(tc.token, tc.body)
				if status != tc.status || !strings.Contains(body, tc.says) {
					t.Errorf("%s: %d %s, want %d saying %q", tc.name, status, body, tc.status, tc.says)
				}
			}
			before := w.eventCount("alarm.received")
			status, h1, b1 := post(token, first)
			if status != http.StatusCreated || h1.Get("Idempotent-Replayed") != "" || !strings.Contains(b1, `"status":"received"`) {
				t.Fatalf("the alarm: %d %v %s", status, h1, b1)
			}
			status, h2, b2 := post(token, strings.ReplaceAll(first, ",", ", "))
			if status != http.StatusCreated || h2.Get("Idempotent-Replayed") != "true" || b2 != b1 {
				t.Errorf("the repeat: %d %v %s, want the same answer %s, replayed", status, h2, b2, b1)
			}
			if n := w.eventCount("alarm.received") - before; n != 1 {
				t.Errorf("%d alarm.received events, want 1", n)
			}
			if status, _, body := post(token, event("LC-1", "LA-1", "TL-4711", "resolved")); status != http.StatusConflict || !strings.Contains(body, "another body") {
				t.Errorf("the same event id with another status: %d %s, want 409", status, body)
			}
			// The centre's token reads nothing: outside the alarm routes it
			// is refused for its scope (TestAlarmCentreTokenReachesOnlyAlarms).
			w.send(token, "GET", "/api/v1/orders", nil, http.StatusForbidden, nil)
			w.send(token, "GET", "/api/v1/alarms", nil, http.StatusForbidden, nil)
			w.send(token, "GET", "/api/v1/cases/"+c, nil, http.StatusForbidden, nil)

			// The provider's staff have it on their day; the officer on the case.
			var tasks struct {
				Alarms []struct {
					OrderID string `json:"order_id"`
					Person  struct{ Name string }
				}
			}
			w.call("larm.lisa", "GET", "/api/v1/alarms", nil, http.StatusOK, &tasks)
			if len(tasks.Alarms) != 1 || tasks.Alarms[0].OrderID != alarm.ID || tasks.Alarms[0].Person.Name != alarm.Content.Person.Name {
				t.Fatalf("the provider's alarms: %+v", tasks.Alarms)
			}
			w.mustPage("larm.lisa", "GET", "/provider/report", nil, false, http.StatusOK, "Larm att åtgärda", alarm.Content.Person.Name, "Larm mottaget – åk dit")
			w.mustPage("handlaggare", "GET", "/cases/"+c, nil, false, http.StatusOK, "Larm mottaget", "Trygghetslarm")

			// Resolved: off the list.
			if status, _, body := post(token, `{"event_id":"LC-2","alarm_id":"LA-1","device_id":"TL-4711","status":"resolved","at":"2026-01-05T09:00:00Z"}`); status != http.StatusCreated {
				t.Fatalf("resolved: %d %s", status, body)
			}
			w.call("larm.lisa", "GET", "/api/v1/alarms", nil, http.StatusOK, &tasks)
			if len(tasks.Alarms) != 0 {
				t.Errorf("the provider's alarms after resolved: %+v", tasks.Alarms)
			}
			w.mustPage("handlaggare", "GET", "/cases/"+c, nil, false, http.StatusOK, "Larm åtgärdat")

			// A revoked centre's token ends at once.
			w.call("admin", "DELETE", "/api/v1/alarm-centres/"+centre.ClientID, nil, http.StatusNoContent, nil)
			if status, _, _ := post(token, event("LC-3", "LA-3", "TL-4711", "received")); status != http.StatusUnauthorized {
				t.Errorf("a revoked centre posts: %d, want 401", status)
			}
		})
	}
}
