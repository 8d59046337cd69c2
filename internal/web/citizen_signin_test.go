package web_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
	"github.com/trygg/trygg/packs"
)

// fakeBroker is an e-identification broker speaking just enough OpenID
// Connect for trygg: discovery, JWKS, an authorization endpoint that
// vouches at once for whoever the test says (no login screen), a token
// endpoint that checks the client's secret, the redirect and the PKCE
// verifier, and UserInfo. ID tokens are RS256 JWTs signed here with the
// standard library.
type fakeBroker struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey

	mu sync.Mutex
	// next are the claims of the next sign-in (besides iss, sub, aud,
	// exp, iat, nonce, and acr unless next sets it; nil leaves a claim
	// out) and userinfo those UserInfo adds.
	next, userinfo map[string]any
	codes          map[string]brokerGrant
	tokens         map[string]map[string]any
	// pkce counts token requests whose verifier matched the challenge.
	pkce int
	// acrValues is the acr_values of the last authorization request.
	acrValues string
}

type brokerGrant struct {
	nonce, challenge, redirect string
	claims, userinfo           map[string]any
}

const brokerClient, brokerSecret = "trygg-portal", "broker-secret-1"

func newFakeBroker(t *testing.T) *fakeBroker {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	b := &fakeBroker{t: t, key: key, codes: map[string]brokerGrant{}, tokens: map[string]map[string]any{}}
	mux := http.NewServeMux()
	b.srv = httptest.NewServer(mux)
	t.Cleanup(b.srv.Close)
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": b.srv.URL, "authorization_endpoint": b.srv.URL + "/authorize",
			"token_endpoint": b.srv.URL + "/token", "jwks_uri": b.srv.URL + "/jwks", "userinfo_endpoint": b.srv.URL + "/userinfo",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("response_type") != "code" || q.Get("client_id") != brokerClient || q.Get("code_challenge_method") != "S256" ||
			q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" || !strings.Contains(q.Get("scope"), "openid") {
			http.Error(w, "bad authorization request", http.StatusBadRequest)
			return
		}
		b.mu.Lock()
		code := randomID()
		b.codes[code] = brokerGrant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"),
			claims: b.next, userinfo: b.userinfo}
		b.acrValues = q.Get("acr_values")
		b.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		b.mu.Lock()
		g, found := b.codes[r.PostFormValue("code")]
		delete(b.codes, r.PostFormValue("code"))
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		pkceOK := found && b64(sum[:]) == g.challenge
		if pkceOK {
			b.pkce++
		}
		b.mu.Unlock()
		if id != brokerClient || secret != brokerSecret || !found || !pkceOK || r.PostFormValue("redirect_uri") != g.redirect {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
			return
		}
		now := time.Now()
		claims := map[string]any{"iss": b.srv.URL, "sub": "pseudonym-" + randomID(), "aud": brokerClient, "iat": now.Unix(),
			"exp": now.Add(5 * time.Minute).Unix(), "nonce": g.nonce, "acr": auth.DefaultACR}
		for k, v := range g.claims {
			if v == nil {
				delete(claims, k)
				continue
			}
			claims[k] = v
		}
		access := randomID()
		b.mu.Lock()
		ui := map[string]any{"sub": claims["sub"]}
		for k, v := range g.userinfo {
			ui[k] = v
		}
		b.tokens[access] = ui
		b.mu.Unlock()
		writeJSON(w, map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": b.sign(claims)})
	})
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		ui, ok := b.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		b.mu.Unlock()
		if !ok {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		writeJSON(w, ui)
	})
	return b
}

// sign returns claims as a signed RS256 JWT.
func (b *fakeBroker) sign(claims map[string]any) string {
	b.t.Helper()
	head, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"})
	body, _ := json.Marshal(claims)
	input := b64(head) + "." + b64(body)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, b.key, crypto.SHA256, sum[:])
	if err != nil {
		b.t.Fatal(err)
	}
	return input + "." + b64(sig)
}

// vouch sets the claims the broker sends for the next sign-in.
func (b *fakeBroker) vouch(claims, userinfo map[string]any) {
	b.mu.Lock()
	b.next, b.userinfo = claims, userinfo
	b.mu.Unlock()
}

func b64(p []byte) string { return base64.RawURLEncoding.EncodeToString(p) }

func randomID() string {
	p := make([]byte, 16)
	_, _ = rand.Read(p)
	return b64(p)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// citizenWorld is the demo municipality served over TLS (trygg's cookies
// are Secure) with a population registry holding its persons and the
// registry-only ones, the e-identification broker configured, and the
// test sign-in when demo is set.
type citizenWorld struct {
	*packWorld
	broker *fakeBroker
	log    *lockedLog
}

// Its clock starts at start; a browser's cookie jar goes by the wall
// clock, so tests that use one start today.
func newCitizenWorld(t *testing.T, engine string, start time.Time, demoMode bool, limits web.Limits) *citizenWorld {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(start)
	db := storetest.Open(t, engine, clock)
	registry := persons.NewFileRegistry()
	svc := storetest.Service(t, db, registry)
	ds := demo.Generate(demo.Options{Persons: 80, Staff: 40, Today: start})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	if _, err := svc.LoadDemo(ctx, ds); err != nil {
		t.Fatal(err)
	}
	for _, p := range ds.Persons {
		registry.Add(persons.RegistryRecord{Identity: p.Identity, GivenName: p.GivenName, FamilyName: p.FamilyName,
			Address: p.Address, Protection: p.Protection})
	}
	for _, rec := range ds.RegistryOnly {
		registry.Add(rec)
	}
	broker := newFakeBroker(t)
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	eid, err := auth.NewCitizenOIDC(ctx, auth.CitizenOIDCConfig{Issuer: broker.srv.URL, ClientID: brokerClient, ClientSecret: brokerSecret,
		RedirectURL: "https://" + srv.Listener.Addr().String() + "/auth/eid/callback"})
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedLog{}
	srv.Config.Handler = web.New(web.Config{DefaultTenant: demo.TenantID, Demo: demoMode, CitizenOIDC: eid, Limits: limits}, svc,
		slog.New(slog.NewTextHandler(logs, nil)), prometheus.NewRegistry())
	srv.StartTLS()
	return &citizenWorld{packWorld: &packWorld{t: t, srv: srv, svc: svc, db: db, clock: clock, ds: ds, tokens: map[string]string{}},
		broker: broker, log: logs}
}

// person returns the demo person with id.
func (w *citizenWorld) person(id string) persons.Person {
	w.t.Helper()
	for _, p := range w.ds.Persons {
		if p.ID == id {
			return p
		}
	}
	w.t.Fatalf("no demo person %s", id)
	return persons.Person{}
}

// demoUser returns the demo account with username.
func (w *citizenWorld) demoUser(username string) demo.User {
	w.t.Helper()
	for _, u := range w.ds.Users {
		if u.Username == username {
			return u
		}
	}
	w.t.Fatalf("no demo user %s", username)
	return demo.User{}
}

// browser is a client with its own cookie jar that trusts trygg's test
// certificate and follows redirects (to the broker and back).
func (w *citizenWorld) browser() *http.Client {
	w.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return &http.Client{Transport: w.srv.Client().Transport, Jar: jar, Timeout: 10 * time.Second}
}

// session returns the browser's trygg session token, or "".
func (w *citizenWorld) session(b *http.Client) string {
	u, _ := url.Parse(w.srv.URL + "/")
	if c := jarCookie(b.Jar.Cookies(u), "trygg_session"); c != nil {
		return c.Value
	}
	return ""
}

// me returns the user id and person id the session's user has.
func (w *citizenWorld) me(token string) (string, string) {
	w.t.Helper()
	var me struct {
		User struct {
			ID       string `json:"id"`
			PersonID string `json:"person_id"`
		} `json:"user"`
	}
	w.send(token, "GET", "/api/v1/me", nil, http.StatusOK, &me)
	return me.User.ID, me.User.PersonID
}

// count returns the rows of a table (users, persons).
func (w *citizenWorld) count(table string) int {
	w.t.Helper()
	all, err := w.db.Events(context.Background(), demo.TenantID, 0, 100000)
	if err != nil {
		w.t.Fatal(err)
	}
	n := 0
	for _, e := range all {
		if (table == "users" && e.Type == events.UserCreated) || (table == "persons" && e.Type == events.PersonRegistered) {
			n++
		}
	}
	return n
}

// signInEID signs in through the broker vouching for claims and returns
// the final answer's status and body, and the browser.
func (w *citizenWorld) signInEID(claims, userinfo map[string]any) (int, string, *http.Client) {
	w.t.Helper()
	w.broker.vouch(claims, userinfo)
	b := w.browser()
	resp, body := oidcGet(w.t.(*testing.T), b, w.srv.URL+"/auth/eid/login")
	return resp.StatusCode, body, b
}

// TestCitizenSignInWithEID signs citizens in through a fake e-identification
// broker: the identity number comes in the configured claim (or only in
// UserInfo), the person is found in trygg or registered from the population
// registry, and a citizen account is linked on the first sign-in and found
// again on the next; a missing, invalid or unknown number gets a clear
// message and no account. The number never shows in a URL or the log.
func TestCitizenSignInWithEID(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newCitizenWorld(t, engine, time.Now().UTC(), false, web.Limits{})
			mother := w.person(w.journeyCase("ibic_sol_aldre").PersonID) // no account yet
			single := w.person(w.demoUser("invanare").PersonID)          // has the demo account
			fresh := w.ds.RegistryOnly[0]                                // in the registry, not in trygg
			var numbers []string

			// First sign-in: an account is linked; the second finds it.
			users := w.count("users")
			status, body, b := w.signInEID(map[string]any{"personal_number": mother.Identity.String()}, nil)
			numbers = append(numbers, mother.Identity.String(), mother.Identity.Value)
			if status != http.StatusOK || !strings.Contains(body, "Du agerar för") || !strings.Contains(body, mother.GivenName) {
				t.Fatalf("first e-ID sign-in: %d\n%s", status, mainOf(body))
			}
			first, person := w.me(w.session(b))
			if person != mother.ID || w.count("users") != users+1 {
				t.Fatalf("first sign-in linked person %s (want %s), users %d → %d", person, mother.ID, users, w.count("users"))
			}
			status, _, b = w.signInEID(map[string]any{"personal_number": mother.Identity.Value}, nil)
			if again, _ := w.me(w.session(b)); status != http.StatusOK || again != first || w.count("users") != users+1 {
				t.Errorf("second sign-in: %d, account %s (want %s), users %d", status, again, first, w.count("users"))
			}

			// A person with an account already (the demo's password
			// account) gets that one account.
			status, _, b = w.signInEID(map[string]any{"personal_number": single.Identity.String()}, nil)
			numbers = append(numbers, single.Identity.String(), single.Identity.Value)
			if id, _ := w.me(w.session(b)); status != http.StatusOK || id != w.demoUser("invanare").ID {
				t.Errorf("the demo citizen's e-ID sign-in: %d, account %s, want the demo account %s", status, id, w.demoUser("invanare").ID)
			}

			// Known only to the population registry: registered, then
			// linked; the number only in UserInfo is read from there.
			persons0 := w.count("persons")
			status, body, b = w.signInEID(map[string]any{"name": "x"}, map[string]any{"personal_number": fresh.Identity.String()})
			numbers = append(numbers, fresh.Identity.String(), fresh.Identity.Value)
			if status != http.StatusOK || w.session(b) == "" || w.count("persons") != persons0+1 {
				t.Fatalf("registry-only person: %d, persons %d → %d\n%s", status, persons0, w.count("persons"), mainOf(body))
			}
			if _, pid := w.me(w.session(b)); pid == "" {
				t.Errorf("the new person's account has no person")
			}

			// Failures: a clear message, no session, no account.
			unknown := persons.GenerateTestNumber(time.Date(1961, 4, 7, 0, 0, 0, 0, time.UTC), "M", 3)
			badLuhn := mother.Identity.Value[:11] + string('0'+(mother.Identity.Value[11]-'0'+1)%10)
			numbers = append(numbers, unknown.String(), unknown.Value, badLuhn)
			for _, tc := range []struct {
				name   string
				claims map[string]any
				want   string
			}{
				{"no identity number claim", map[string]any{"name": "Utan Nummer"}, "innehöll inget personnummer"},
				{"an invalid number", map[string]any{"personal_number": badLuhn}, "inte ett giltigt svenskt personnummer"},
				{"a reserve-like number", map[string]any{"personal_number": "99ABC123"}, "inte ett giltigt svenskt personnummer"},
				{"a person neither registry knows", map[string]any{"personal_number": unknown.String()}, "finns inte i det folkbokföringsregister"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					users, persons0 := w.count("users"), w.count("persons")
					status, body, b := w.signInEID(tc.claims, nil)
					if status != http.StatusUnauthorized || !strings.Contains(body, tc.want) {
						t.Errorf("status %d, want 401 saying %q\n%s", status, tc.want, mainOf(body))
					}
					if w.session(b) != "" || w.count("users") != users || w.count("persons") != persons0 {
						t.Errorf("a failed sign-in left a session or created an account or person")
					}
				})
			}

			w.broker.mu.Lock()
			pkce := w.broker.pkce
			w.broker.mu.Unlock()
			if pkce < 7 {
				t.Errorf("only %d token requests carried a matching PKCE verifier", pkce)
			}
			for _, n := range numbers {
				if strings.Contains(w.log.String(), n) {
					t.Errorf("trygg's log holds an identity number")
				}
			}
		})
	}
}

// TestCitizenTestSignIn: the test sign-in exists only in the demo, is
// marked as such, and signs in through the same account linking as
// e-identification.
func TestCitizenTestSignIn(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			// Today: the browser's cookie jar drops cookies that expired
			// by the wall clock.
			start := time.Now().UTC()
			off := newCitizenWorld(t, engine, start, false, web.Limits{})
			b := off.browser()
			for _, method := range []string{"GET", "POST"} {
				req, _ := http.NewRequest(method, off.srv.URL+"/auth/test", strings.NewReader("identity_number=191212121212"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := b.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s /auth/test without --demo: %d, want 404", method, resp.StatusCode)
				}
			}
			if _, body := oidcGet(t, b, off.srv.URL+"/login"); strings.Contains(body, "/auth/test") {
				t.Errorf("the sign-in page links the test sign-in without --demo")
			}

			w := newCitizenWorld(t, engine, start, true, web.Limits{})
			b = w.browser()
			if _, body := oidcGet(t, b, w.srv.URL+"/login"); !strings.Contains(body, `href="/auth/test"`) || !strings.Contains(body, "Logga in med e-legitimation") {
				t.Errorf("the demo's sign-in page lacks the test sign-in or e-ID link\n%s", mainOf(body))
			}
			if resp, body := oidcGet(t, b, w.srv.URL+"/auth/test"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Test-inloggning – bara i demo") ||
				!strings.Contains(body, "test-login-flag") {
				t.Fatalf("the test sign-in page: %d\n%s", resp.StatusCode, mainOf(body))
			}
			daughter := w.demoUser("dotter")
			number := w.person(daughter.PersonID).Identity.String()
			post := func(value string) (*http.Response, string) {
				t.Helper()
				resp, err := b.PostForm(w.srv.URL+"/auth/test", url.Values{"identity_number": {value}})
				if err != nil {
					t.Fatal(err)
				}
				return resp, oidcBody(t, resp)
			}
			for _, tc := range []struct {
				value, want string
				status      int
			}{
				{"", "Ange personnumret", http.StatusUnprocessableEntity},
				{"19850101-1235", "inte ett giltigt", http.StatusUnprocessableEntity},
				{persons.GenerateTestNumber(time.Date(1961, 4, 7, 0, 0, 0, 0, time.UTC), "M", 3).String(), "finns inte i det folkbokföringsregister", http.StatusUnauthorized},
			} {
				if resp, body := post(tc.value); resp.StatusCode != tc.status || !strings.Contains(body, tc.want) || w.session(b) != "" {
					t.Errorf("test sign-in with %q: %d, want %d saying %q\n%s", tc.value, resp.StatusCode, tc.status, tc.want, mainOf(body))
				} else if tc.value != "" && strings.Contains(body, tc.value) {
					t.Errorf("the page echoes the number back")
				}
			}
			resp, body := post(number)
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/portal" || !strings.Contains(body, "Du agerar för") {
				t.Fatalf("test sign-in as the daughter: %d at %s\n%s", resp.StatusCode, resp.Request.URL.Path, mainOf(body))
			}
			if id, _ := w.me(w.session(b)); id != daughter.ID {
				t.Errorf("signed in as %s, want the daughter's account %s", id, daughter.ID)
			}
			var signIns []string
			all, _ := w.db.Events(context.Background(), demo.TenantID, 0, 100000)
			for _, e := range all {
				if e.Type == events.UserSignedIn && strings.Contains(string(e.Payload), `"test"`) {
					signIns = append(signIns, e.SubjectID)
				}
			}
			if len(signIns) != 1 || signIns[0] != daughter.ID {
				t.Errorf("test sign-in events %v, want one for %s", signIns, daughter.ID)
			}
			if strings.Contains(w.log.String(), w.person(daughter.PersonID).Identity.Value) {
				t.Errorf("the log holds the identity number")
			}
		})
	}
}

// TestSignInRateLimits: failed sign-ins per account and every attempt per
// client address are limited on the password form, the API, the token
// endpoint and the test sign-in; over the limit the answer is 429 with
// Retry-After and a plain message, and nothing is done.
func TestSignInRateLimits(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			start := time.Now().UTC()
			w := newCitizenWorld(t, engine, start, true, web.Limits{SignInAddress: web.Rate{N: 100, Per: time.Hour},
				SignInAccount: web.Rate{N: 3, Per: time.Hour}})
			signIns := func() int {
				all, _ := w.db.Events(context.Background(), demo.TenantID, 0, 100000)
				n := 0
				for _, e := range all {
					if e.Type == events.UserSignedIn {
						n++
					}
				}
				return n
			}
			apiSignIn := func(user, password string) *http.Response {
				t.Helper()
				body, _ := json.Marshal(map[string]string{"username": user, "password": password})
				resp, err := w.srv.Client().Post(w.srv.URL+"/api/v1/session", "application/json", strings.NewReader(string(body)))
				if err != nil {
					t.Fatal(err)
				}
				oidcBody(t, resp)
				return resp
			}
			// Successful sign-ins do not count per account.
			for range 5 {
				if resp := apiSignIn("ekonom", demo.Password); resp.StatusCode != http.StatusCreated {
					t.Fatalf("a good sign-in: %d", resp.StatusCode)
				}
			}
			for i := range 3 {
				if resp := apiSignIn("handlaggare", "wrong-password-1"); resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("failed attempt %d: %d", i+1, resp.StatusCode)
				}
			}
			before := signIns()
			resp := apiSignIn("handlaggare", demo.Password)
			if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("4th attempt: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			if signIns() != before {
				t.Errorf("the refused attempt signed in")
			}
			// The form says it in Swedish; the account is still held.
			form, err := w.srv.Client().PostForm(w.srv.URL+"/login", url.Values{"username": {"handlaggare"}, "password": {demo.Password}})
			if err != nil {
				t.Fatal(err)
			}
			if body := oidcBody(t, form); form.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "För många inloggningsförsök") ||
				form.Header.Get("Retry-After") == "" {
				t.Errorf("the sign-in form over the limit: %d\n%s", form.StatusCode, mainOf(body))
			}
			// Another account is not affected.
			if resp := apiSignIn("ekonom", demo.Password); resp.StatusCode != http.StatusCreated {
				t.Errorf("another account: %d", resp.StatusCode)
			}
			// Failed test sign-ins count per identity number too.
			unknown := persons.GenerateTestNumber(time.Date(1961, 4, 7, 0, 0, 0, 0, time.UTC), "M", 3).String()
			for i := range 4 {
				resp, err := w.srv.Client().PostForm(w.srv.URL+"/auth/test", url.Values{"identity_number": {unknown}})
				if err != nil {
					t.Fatal(err)
				}
				oidcBody(t, resp)
				want := http.StatusUnauthorized
				if i == 3 {
					want = http.StatusTooManyRequests
				}
				if resp.StatusCode != want {
					t.Errorf("test sign-in %d for an unknown number: %d, want %d", i+1, resp.StatusCode, want)
				}
			}

			// Per client address: every attempt counts, on every way in.
			a := newCitizenWorld(t, engine, start, true, web.Limits{SignInAddress: web.Rate{N: 4, Per: time.Hour}})
			c := a.srv.Client()
			attempts := []func() (*http.Response, error){
				func() (*http.Response, error) {
					return c.Post(a.srv.URL+"/api/v1/session", "application/json", strings.NewReader(`{"username":"ekonom","password":"`+demo.Password+`"}`))
				},
				func() (*http.Response, error) {
					return c.PostForm(a.srv.URL+"/login", url.Values{"username": {"lss"}, "password": {demo.Password}})
				},
				func() (*http.Response, error) {
					return c.PostForm(a.srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"x"}, "client_secret": {"y"}})
				},
				func() (*http.Response, error) {
					return c.PostForm(a.srv.URL+"/auth/test", url.Values{"identity_number": {unknown}})
				},
			}
			for _, try := range attempts {
				resp, err := try()
				if err != nil {
					t.Fatal(err)
				}
				oidcBody(t, resp)
				if resp.StatusCode == http.StatusTooManyRequests {
					t.Fatalf("refused within the limit: %s", resp.Request.URL.Path)
				}
			}
			for _, try := range attempts {
				resp, err := try()
				if err != nil {
					t.Fatal(err)
				}
				body := oidcBody(t, resp)
				if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
					t.Errorf("%s over the address limit: %d, Retry-After %q\n%s", resp.Request.URL.Path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
				}
				if resp.Request.URL.Path == "/oauth/token" && !strings.Contains(body, `"error":"temporarily_unavailable"`) {
					t.Errorf("the token endpoint over the limit: %s", body)
				}
			}
			for _, l := range []*lockedLog{w.log, a.log} {
				if strings.Contains(l.String(), "127.0.0.1") || strings.Contains(l.String(), "handlaggare") || strings.Contains(l.String(), unknown) {
					t.Errorf("the log names a limited key:\n%s", l.String())
				}
			}
		})
	}
}
