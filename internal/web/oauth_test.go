package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/storetest"
)

// TestBearerToken: the API takes the token with the Bearer scheme in any
// case and after any number of spaces (RFC 9110 §11.1, RFC 6750 §2.1). A
// token that is expired, unknown or malformed is 401 with
// error="invalid_token"; a request with no token, or another scheme, is 401
// with the realm alone (RFC 6750 §3.1).
func TestBearerToken(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 5)
			var sess struct{ Token string }
			w.send("", "POST", "/api/v1/session", map[string]string{"username": "handlaggare", "password": demo.Password}, http.StatusCreated, &sess)
			expiring := sess.Token
			w.send("", "POST", "/api/v1/session", map[string]string{"username": "handlaggare", "password": demo.Password}, http.StatusCreated, &sess)
			tok := sess.Token
			unknown := string(demo.TenantID) + "." + strings.Repeat("A", 43)

			const realm = `Bearer realm="trygg"`
			const invalid = `Bearer realm="trygg", error="invalid_token", error_description="The access token is not valid or has expired."`
			me := func(authorization string) (int, string) {
				t.Helper()
				req, err := http.NewRequest("GET", w.srv.URL+"/api/v1/me", nil)
				if err != nil {
					t.Fatal(err)
				}
				if authorization != "" {
					req.Header.Set("Authorization", authorization)
				}
				resp, err := w.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				io.Copy(io.Discard, resp.Body)
				return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
			}
			tests := []struct {
				name          string
				authorization string
				status        int
				challenge     string
			}{
				{"Bearer", "Bearer " + tok, http.StatusOK, ""},
				{"bearer in lower case", "bearer " + tok, http.StatusOK, ""},
				{"BEARER in upper case", "BEARER " + tok, http.StatusOK, ""},
				{"several spaces", "Bearer    " + tok, http.StatusOK, ""},
				{"no Authorization", "", http.StatusUnauthorized, realm},
				{"another scheme", "Basic dXNlcjpwYXNz", http.StatusUnauthorized, realm},
				{"an unknown token", "Bearer " + unknown, http.StatusUnauthorized, invalid},
				{"an unknown token in lower case", "bearer " + unknown, http.StatusUnauthorized, invalid},
				{"no token", "Bearer", http.StatusUnauthorized, invalid},
				{"a token and more", "Bearer " + tok + " " + tok, http.StatusUnauthorized, invalid},
				{"a token with a comma", "Bearer " + tok + ",x", http.StatusUnauthorized, invalid},
			}
			for _, tt := range tests {
				status, challenge := me(tt.authorization)
				if status != tt.status || challenge != tt.challenge {
					t.Errorf("%s: %d, WWW-Authenticate %q; want %d, %q", tt.name, status, challenge, tt.status, tt.challenge)
				}
			}

			// Used now and then the other is left idle past the session's
			// idle time: it has expired.
			w.advance(20 * time.Minute)
			me("bearer " + tok)
			w.advance(20 * time.Minute)
			if status, challenge := me("Bearer " + expiring); status != http.StatusUnauthorized || challenge != invalid {
				t.Errorf("an expired token: %d, WWW-Authenticate %q; want 401, %q", status, challenge, invalid)
			}
			if status, _ := me("bearer " + tok); status != http.StatusOK {
				t.Errorf("the token in use: %d, want 200", status)
			}
		})
	}
}

// TestTokenScope: a provider's API client has one scope, orders, which is
// everything it may do; a request without scope gets it, a request for it
// gets it, and anything else is invalid_scope with no token (an alarm
// receiving centre's scope, alarms, too: TestAlarmsThroughTheAPI). The
// answer names the scope granted (RFC 6749 §3.3, §5.1).
func TestTokenScope(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 5)
			var p struct{ ID string }
			w.call("admin", "POST", "/api/v1/providers", map[string]any{"name": "Omsorg i Norr AB", "kind": "external",
				"org_number": "5560360793", "insatser": []string{"hemtjanst"}, "areas": []string{"norra-ao"}}, http.StatusCreated, &p)
			var c struct {
				ClientID     string `json:"client_id"`
				ClientSecret string `json:"client_secret"`
			}
			w.call("admin", "POST", "/api/v1/providers/"+p.ID+"/clients", map[string]string{"name": "Planeringssystemet"}, http.StatusCreated, &c)
			creds := []string{c.ClientID, c.ClientSecret}
			const form = "application/x-www-form-urlencoded"
			tests := []struct {
				name   string
				scope  []string // the scope parameter, when given
				status int
				error  string
			}{
				{name: "no scope", status: http.StatusOK},
				{name: "orders", scope: []string{"orders"}, status: http.StatusOK},
				{name: "orders twice", scope: []string{"orders orders"}, status: http.StatusOK},
				{name: "empty scope", scope: []string{""}, status: http.StatusOK},
				{name: "an unknown scope", scope: []string{"admin"}, status: http.StatusBadRequest, error: "invalid_scope"},
				{name: "orders and more", scope: []string{"orders admin"}, status: http.StatusBadRequest, error: "invalid_scope"},
				{name: "another case", scope: []string{"Orders"}, status: http.StatusBadRequest, error: "invalid_scope"},
				{name: "a bad character", scope: []string{"orders\"x"}, status: http.StatusBadRequest, error: "invalid_scope"},
				{name: "scope twice", scope: []string{"orders", "orders"}, status: http.StatusBadRequest, error: "invalid_request"},
			}
			for _, tt := range tests {
				body := url.Values{"grant_type": {"client_credentials"}}
				if tt.scope != nil {
					body["scope"] = tt.scope
				}
				before := w.eventCount("user.signed_in")
				a := w.token("POST", form, body.Encode(), creds)
				if a.status != tt.status || a.body["error"] != nil && a.body["error"] != tt.error {
					t.Errorf("%s: %d %v, want %d %s", tt.name, a.status, a.body, tt.status, tt.error)
					continue
				}
				signedIn := w.eventCount("user.signed_in") - before
				if tt.status != http.StatusOK {
					if a.body["access_token"] != nil || signedIn != 0 {
						t.Errorf("%s: a token was given: %v, %d sign-ins", tt.name, a.body, signedIn)
					}
					continue
				}
				if a.body["scope"] != "orders" || a.body["access_token"] == nil || signedIn != 1 {
					t.Errorf("%s: %v (%d sign-ins), want a token with scope orders", tt.name, a.body, signedIn)
					continue
				}
				w.send(a.body["access_token"].(string), "GET", "/api/v1/orders", nil, http.StatusOK, nil)
			}
		})
	}
}

// eventCount returns how many events of type typ the demo tenant has.
func (w *packWorld) eventCount(typ string) int {
	w.t.Helper()
	n := 0
	for after := int64(0); ; {
		evs, err := w.db.Events(w.t.Context(), demo.TenantID, after, 1000)
		if err != nil {
			w.t.Fatal(err)
		}
		if len(evs) == 0 {
			return n
		}
		for _, e := range evs {
			if e.Type == typ {
				n++
			}
		}
		after = evs[len(evs)-1].Seq
	}
}
