package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/storetest"
)

// TestPortalActsFor: the daughter of journey 1 signs in to Mina sidor as
// herself, sees whom she may act for, switches to her mother (whom she
// represents) and sees her mother's case; a forged choice falls back to
// herself, and a person she may not act for cannot be chosen. Staff are
// refused the portal.
func TestPortalActsFor(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
			journey := w.journeyCase("ibic_sol_aldre")
			body := w.mustPage("dotter", "GET", "/portal", nil, false, http.StatusOK, "Du agerar för", "Byt person")
			if strings.Contains(body, "Ansökan om hemtjänst och trygghetslarm") {
				t.Errorf("the daughter's own page lists her mother's case")
			}
			w.mustPage("dotter", "GET", "/portal/act-for", nil, false, http.StatusOK, "företrädare")

			// Choosing the mother sets the cookie; with it, her case shows.
			req := w.pageRequest("dotter", "POST", "/portal/act-for", url.Values{"person_id": {journey.PersonID}}, false)
			resp, err := w.srv.Client().Transport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var cookie *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == "trygg_for" {
					cookie = c
				}
			}
			if resp.StatusCode != http.StatusSeeOther || cookie == nil || cookie.Value != journey.PersonID || !cookie.HttpOnly {
				t.Fatalf("choosing the mother: status %d, cookie %+v", resp.StatusCode, cookie)
			}
			get := func(value string) (int, string) {
				req := w.pageRequest("dotter", "GET", "/portal", nil, false)
				req.AddCookie(&http.Cookie{Name: "trygg_for", Value: value})
				resp, err := w.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var b strings.Builder
				buf := make([]byte, 4096)
				for {
					n, err := resp.Body.Read(buf)
					b.Write(buf[:n])
					if err != nil {
						break
					}
				}
				return resp.StatusCode, b.String()
			}
			if status, body := get(journey.PersonID); status != http.StatusOK || !strings.Contains(body, "Ansökan om hemtjänst och trygghetslarm") ||
				!strings.Contains(body, "(företrädare)") {
				t.Errorf("acting for the mother: %d\n%s", status, mainOf(body))
			}
			// Someone else's id in the cookie: back to herself.
			other := w.journeyCase("bbic_barn").PersonID
			if status, body := get(other); status != http.StatusOK || strings.Contains(body, "Orosanmälan") {
				t.Errorf("a forged choice: %d\n%s", status, mainOf(body))
			}
			w.mustPage("dotter", "POST", "/portal/act-for", url.Values{"person_id": {other}}, false, http.StatusNotFound)
			// Staff are sent elsewhere: the portal is for citizens.
			w.mustPage("handlaggare", "GET", "/portal", nil, false, http.StatusForbidden)
		})
	}
}
