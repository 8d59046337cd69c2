package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
)

// TestAlarmCentreTokenReachesOnlyAlarms tries an alarm receiving centre's
// token (scope alarms) on every route of the route table, with the ids of
// records that exist: outside /api/v1/alarms it answers as no token does
// (the sign-in page for the pages, the public routes as they are), except
// that where no token is 401 the token is 403 saying its scope. No route
// takes it as a signed-in user with no role: GET /api/v1/me, the inbox,
// the staff pages and a write's validation before its access check all
// once answered it.
func TestAlarmCentreTokenReachesOnlyAlarms(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			f := newForeignWorld(t, engine, slog.New(slog.DiscardHandler))
			w := f.w
			var centre struct {
				ClientID     string `json:"client_id"`
				ClientSecret string `json:"client_secret"`
			}
			w.call("admin", "POST", "/api/v1/alarm-centres", map[string]string{"name": "Larmcentralen Demostad"}, http.StatusCreated, &centre)
			tok := w.token("POST", "application/x-www-form-urlencoded", "grant_type=client_credentials", []string{centre.ClientID, centre.ClientSecret})
			if tok.status != http.StatusOK || tok.body["scope"] != "alarms" {
				t.Fatalf("the centre's token: %d %v", tok.status, tok.body)
			}
			token := tok.body["access_token"].(string)
			const refusal = "An alarm receiving centre's access token may only post alarm events."

			// A register and a table of the analysis store, which the
			// routes name by name.
			ids := map[string]string{"registers": "ekonomiskt_bistand", "table": "fact_cases"}
			for k, v := range f.ids {
				ids[k] = v
			}
			tried, alarms := 0, 0
			for _, rt := range web.Routes() {
				if rt.Method == "" {
					rt.Method = "GET"
				}
				path, ok := fillRoute(rt.Path, ids)
				if !ok {
					t.Errorf("%s %s: the test has no id for this route; add one", rt.Method, rt.Path)
					continue
				}
				body := routeBody(rt.Path, f.prov)
				status, b := w.routeRequest(token, rt, path, body)
				tried++
				if rt.Path == "/api/v1/alarms" || strings.HasPrefix(rt.Path, "/api/v1/alarms/") {
					// The alarm routes take the token; the service decides.
					alarms++
					if bytes.Contains(b, []byte(refusal)) || status == http.StatusUnauthorized {
						t.Errorf("%s %s: %d %.200q, want the route to take the centre's token", rt.Method, rt.Path, status, b)
					}
					continue
				}
				anon, ab := w.routeRequest("", rt, path, body)
				switch {
				case anon == http.StatusUnauthorized:
					if status != http.StatusForbidden || !bytes.Contains(b, []byte(refusal)) {
						t.Errorf("%s %s: %d %.200q, want 403 saying %q", rt.Method, rt.Path, status, b, refusal)
					}
				case status != anon:
					t.Errorf("%s %s: %d %.200q with the centre's token, %d %.200q with none: want the same", rt.Method, rt.Path, status, b, anon, ab)
				}
			}
			if alarms != 2 || tried < 200 {
				t.Fatalf("tried %d routes, %d of them the alarms'", tried, alarms)
			}

			// The refusal is the bearer scheme's insufficient_scope (RFC
			// 6750 §3.1); a staff page sends the token to sign in.
			req, _ := http.NewRequest("GET", w.srv.URL+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := w.srv.Client().Transport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
				t.Errorf("GET /api/v1/me: %d %q, want 403 insufficient_scope", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
			req, _ = http.NewRequest("GET", w.srv.URL+"/inbox", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err = w.srv.Client().Transport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
				t.Errorf("GET /inbox: %d to %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}
