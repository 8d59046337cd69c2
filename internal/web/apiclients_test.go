package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// tokenAnswer is what the token endpoint answered.
type tokenAnswer struct {
	status int
	header http.Header
	body   map[string]any
}

// token posts to /oauth/token: form as the body (raw if ct is not a form),
// with HTTP Basic when basic holds a client id and secret.
func (w *packWorld) token(method, ct, body string, basic []string) tokenAnswer {
	w.t.Helper()
	req, err := http.NewRequest(method, w.srv.URL+"/oauth/token", strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if basic != nil {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := tokenAnswer{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(b, &a.body); err != nil {
		w.t.Fatalf("%s /oauth/token: not JSON: %s", method, b)
	}
	return a
}

// TestProviderAccountsAPI: provider staff accounts, API clients and the
// OAuth2 client credentials token endpoint, through HTTP.
func TestProviderAccountsAPI(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 5)
			var p struct{ ID string }
			w.call("admin", "POST", "/api/v1/providers", map[string]any{"name": "Omsorg i Norr AB", "kind": "external",
				"org_number": "5560360793", "insatser": []string{"hemtjanst"}, "areas": []string{"norra-ao"}}, http.StatusCreated, &p)
			clients := "/api/v1/providers/" + p.ID + "/clients"

			// Provider staff.
			var staff struct {
				ProviderID string `json:"provider_id"`
			}
			w.call("admin", "POST", "/api/v1/users", map[string]any{"username": "utforare1", "display_name": "Ulla Utförare",
				"password": "correct horse battery", "provider_id": p.ID, "grants": []map[string]string{{"role": "utforare", "unit_id": "soc"}}},
				http.StatusCreated, &staff)
			if staff.ProviderID != p.ID {
				t.Errorf("staff account: provider %q, want %q", staff.ProviderID, p.ID)
			}
			grant := func(role, unit string) []map[string]string {
				return []map[string]string{{"role": role, "unit_id": unit}}
			}
			for _, tc := range []struct {
				name, provider string
				grants         []map[string]string
				field          string
			}{
				{"unknown provider", "nowhere", grant("utforare", "soc"), "provider_id"},
				{"provider staff as officer", p.ID, grant("handlaggare", "norra-ao"), "grants"},
				{"provider role without provider", "", grant("utforare", "soc"), "provider_id"},
				{"provider role in no unit", p.ID, grant("utforare", "nowhere"), "grants"},
			} {
				var prob struct {
					Errors []struct{ Field, Message string }
				}
				w.call("admin", "POST", "/api/v1/users", map[string]any{"username": "fel", "display_name": "Fel", "provider_id": tc.provider,
					"grants": tc.grants}, http.StatusUnprocessableEntity, &prob)
				if len(prob.Errors) != 1 || prob.Errors[0].Field != tc.field || prob.Errors[0].Message == "" {
					t.Errorf("%s: errors %+v, want one on %s", tc.name, prob.Errors, tc.field)
				}
				if _, err := w.db.UserByUsername(t.Context(), demo.TenantID, "fel"); trygg.ErrorCode(err) != trygg.ENotFound {
					t.Fatalf("%s: the user was written (%v)", tc.name, err)
				}
			}

			// API clients: only the system administrator.
			w.call("handlaggare", "POST", clients, map[string]string{"name": "Planering"}, http.StatusForbidden, nil)
			w.call("handlaggare", "GET", clients, nil, http.StatusForbidden, nil)
			w.call("admin", "POST", "/api/v1/providers/nowhere/clients", map[string]string{"name": "Planering"}, http.StatusNotFound, nil)
			w.call("admin", "POST", clients, map[string]string{"name": ""}, http.StatusUnprocessableEntity, nil)
			w.call("admin", "POST", clients, map[string]string{"name": "Planering", "secret": "mine"}, http.StatusUnprocessableEntity, nil)
			var c struct {
				ClientID     string `json:"client_id"`
				ClientSecret string `json:"client_secret"`
			}
			w.call("admin", "POST", clients, map[string]string{"name": "Planeringssystemet"}, http.StatusCreated, &c)
			var listed []byte
			w.call("admin", "GET", clients, nil, http.StatusOK, &listed)
			if !strings.Contains(string(listed), c.ClientID) || strings.Contains(string(listed), "secret") || strings.Contains(string(listed), c.ClientSecret) {
				t.Errorf("client list %s: want the client without its secret", listed)
			}

			// The token endpoint.
			form := "application/x-www-form-urlencoded"
			good := url.Values{"grant_type": {"client_credentials"}}.Encode()
			post := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}.Encode()
			wrong := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret + "x"}}.Encode()
			staffCreds := url.Values{"grant_type": {"client_credentials"}, "client_id": {"utforare1"}, "client_secret": {"correct horse battery"}}.Encode()
			creds := []string{c.ClientID, c.ClientSecret}
			var tokens []string
			for _, tc := range []struct {
				name, method, ct, body string
				basic                  []string
				status                 int
				code                   string
			}{
				{"basic", "POST", form, good, creds, http.StatusOK, ""},
				{"form fields", "POST", form + "; charset=utf-8", post, nil, http.StatusOK, ""},
				{"wrong secret, basic", "POST", form, good, []string{c.ClientID, "x" + c.ClientSecret}, http.StatusUnauthorized, "invalid_client"},
				{"wrong secret, form", "POST", form, wrong, nil, http.StatusUnauthorized, "invalid_client"},
				{"unknown client", "POST", form, good, []string{string(demo.TenantID) + ".nobody", c.ClientSecret}, http.StatusUnauthorized, "invalid_client"},
				{"no client authentication", "POST", form, good, nil, http.StatusUnauthorized, "invalid_client"},
				{"a staff member", "POST", form, staffCreds, nil, http.StatusUnauthorized, "invalid_client"},
				{"missing grant_type", "POST", form, "", creds, http.StatusBadRequest, "invalid_request"},
				{"wrong grant type", "POST", form, "grant_type=password", creds, http.StatusBadRequest, "unsupported_grant_type"},
				{"grant_type twice", "POST", form, good + "&" + good, creds, http.StatusBadRequest, "invalid_request"},
				{"both ways", "POST", form, post, creds, http.StatusBadRequest, "invalid_request"},
				{"JSON body", "POST", "application/json", `{"grant_type":"client_credentials"}`, creds, http.StatusBadRequest, "invalid_request"},
				{"GET", "GET", "", "", creds, http.StatusMethodNotAllowed, "invalid_request"},
			} {
				a := w.token(tc.method, tc.ct, tc.body, tc.basic)
				if a.status != tc.status || tc.code != "" && a.body["error"] != tc.code {
					t.Errorf("%s: %d %v, want %d %s", tc.name, a.status, a.body, tc.status, tc.code)
					continue
				}
				if cc := a.header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("%s: Cache-Control %q, want no-store", tc.name, cc)
				}
				switch tc.status {
				case http.StatusOK:
					tok, _ := a.body["access_token"].(string)
					if tok == "" || a.body["token_type"] != "Bearer" || a.body["expires_in"] != 3600.0 {
						t.Errorf("%s: %v, want a bearer token for 3600 s", tc.name, a.body)
					}
					tokens = append(tokens, tok)
				case http.StatusUnauthorized:
					if h := a.header.Get("WWW-Authenticate"); h != `Basic realm="trygg"` {
						t.Errorf("%s: WWW-Authenticate %q", tc.name, h)
					}
					if a.body["error_description"] != "Client authentication failed." {
						t.Errorf("%s: %v, want the same answer for every failed client", tc.name, a.body)
					}
				}
			}
			if len(tokens) != 2 {
				t.Fatalf("got %d tokens, want 2", len(tokens))
			}

			// A token works on the API, as the provider.
			var me struct {
				User struct {
					Username   string `json:"username"`
					ProviderID string `json:"provider_id"`
					APIClient  bool   `json:"api_client"`
				} `json:"user"`
				Grants []struct{ Role string } `json:"grants"`
			}
			w.send(tokens[0], "GET", "/api/v1/me", nil, http.StatusOK, &me)
			if me.User.Username != c.ClientID || me.User.ProviderID != p.ID || !me.User.APIClient || len(me.Grants) != 1 || me.Grants[0].Role != "utforare" {
				t.Errorf("me: %+v", me)
			}
			if a, err := w.svc.Authenticate(t.Context(), tokens[1]); err != nil || a.ProviderID != p.ID {
				t.Errorf("actor of the token: %+v, %v; want provider %s", a, err, p.ID)
			}
			w.send(tokens[0], "GET", "/api/v1/units", nil, http.StatusOK, nil)
			w.send(tokens[0], "POST", clients, map[string]string{"name": "Mer"}, http.StatusForbidden, nil)

			// An API client cannot sign in with a password, through the API
			// or the sign-in page: the same answer as a wrong password.
			var wrongPassword, asClient struct{ Detail string }
			w.send("", "POST", "/api/v1/session", map[string]string{"username": "utforare1", "password": "wrong password!"}, http.StatusUnauthorized, &wrongPassword)
			w.send("", "POST", "/api/v1/session", map[string]string{"username": c.ClientID, "password": c.ClientSecret}, http.StatusUnauthorized, &asClient)
			if asClient != wrongPassword {
				t.Errorf("client sign-in: %q, want %q", asClient.Detail, wrongPassword.Detail)
			}
			noRedirect := *w.srv.Client()
			noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := noRedirect.PostForm(w.srv.URL+"/login", url.Values{"username": {c.ClientID}, "password": {c.ClientSecret}})
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 || !strings.Contains(string(page), "Fel användarnamn eller lösenord") {
				t.Errorf("client at the sign-in page: %d %v", resp.StatusCode, resp.Cookies())
			}

			// Revocation ends the live tokens at once.
			revoke := clients + "/" + url.PathEscape(c.ClientID)
			w.call("handlaggare", "DELETE", revoke, nil, http.StatusForbidden, nil)
			w.call("admin", "DELETE", clients+"/"+string(demo.TenantID)+".nobody", nil, http.StatusNotFound, nil)
			w.send(tokens[0], "GET", "/api/v1/me", nil, http.StatusOK, nil)
			w.call("admin", "DELETE", revoke, nil, http.StatusNoContent, nil)
			for _, tok := range tokens {
				w.send(tok, "GET", "/api/v1/me", nil, http.StatusUnauthorized, nil)
			}
			if a := w.token("POST", form, good, creds); a.status != http.StatusUnauthorized || a.body["error_description"] != "Client authentication failed." {
				t.Errorf("revoked client: %d %v, want the same 401 as a wrong secret", a.status, a.body)
			}
			w.call("admin", "DELETE", revoke, nil, http.StatusNoContent, nil)
			var list struct {
				Clients []struct {
					ClientID string `json:"client_id"`
					Revoked  bool   `json:"revoked"`
				} `json:"clients"`
			}
			w.call("admin", "GET", clients, nil, http.StatusOK, &list)
			if len(list.Clients) != 1 || list.Clients[0].ClientID != c.ClientID || !list.Clients[0].Revoked {
				t.Errorf("clients after revocation: %+v", list.Clients)
			}

			evs, err := w.db.Events(t.Context(), demo.TenantID, 0, 100000)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, e := range evs {
				if e.SubjectType == "user" && e.SubjectID == strings.TrimPrefix(c.ClientID, string(demo.TenantID)+".") {
					seen[e.Type]++
				}
			}
			if seen["api_client.created"] != 1 || seen["user.role_granted"] != 1 || seen["user.signed_in"] != 2 || seen["api_client.revoked"] != 1 {
				t.Errorf("the client's events: %v", seen)
			}
		})
	}
}
