package web_test

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web"
)

// opUsers is the provider's own user directory, kept apart from trygg's.
type opUsers map[string]*storage.User

func (u opUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u opUsers) ExampleClientID() string             { return storage.ServiceUserID }
func (u opUsers) GetUserByUsername(name string) *storage.User {
	for _, usr := range u {
		if usr.Username == name {
			return usr
		}
	}
	return nil
}

// Synthetic accounts at the provider. Only the staff member is linked to a
// trygg account.
var (
	opStaff    = &storage.User{ID: "sub-staff-1", Username: "alva.test", Password: "provider-pass-1"}
	opUnlinked = &storage.User{ID: "sub-nobody-2", Username: "nils.test", Password: "provider-pass-2"}
)

const (
	oidcTenant  = trygg.TenantID("testkommun")
	staffName   = "Alva Testsson"
	callbackURI = "/auth/oidc/callback"
)

// oidcEnv is a real OpenID provider (zitadel's op package with its example
// storage and login UI) on plain-http loopback, and trygg over TLS on
// loopback, because trygg's cookies are Secure and a cookie jar does not
// send those over http.
type oidcEnv struct {
	db      *store.DB
	trygg   *httptest.Server
	issuer  string
	staffID string
	log     *lockedLog
}

func startOIDCEnv(t *testing.T) *oidcEnv {
	t.Helper()
	ctx := t.Context()
	db := storetest.Open(t, "sqlite", nil)
	svc := storetest.Service(t, db, nil)

	sys := service.SystemActor(oidcTenant)
	if err := svc.CreateTenant(ctx, org.Tenant{ID: oidcTenant, Name: "Testkommun", MunicipalityCode: "9999"}); err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	unit, err := svc.CreateUnit(ctx, sys, service.UnitInput{ID: "aldre", Name: "Äldreförvaltningen",
		Kind: org.KindAdministration, Field: org.FieldElderly})
	if err != nil {
		t.Fatalf("create unit: %v", err)
	}

	// Both listeners exist before either server runs: the provider needs
	// trygg's callback URL for the client, trygg needs the issuer.
	tryggSrv := httptest.NewUnstartedServer(nil)
	t.Cleanup(tryggSrv.Close)
	tryggURL := "https://" + tryggSrv.Listener.Addr().String()
	opSrv := httptest.NewUnstartedServer(nil)
	t.Cleanup(opSrv.Close)
	issuer := "http://" + opSrv.Listener.Addr().String()

	clients := map[string]*storage.Client{
		"trygg": storage.WebClient("trygg", "client-secret", tryggURL+callbackURI),
	}
	opStore := storage.NewStorageWithClients(opUsers{opStaff.ID: opStaff, opUnlinked.ID: opUnlinked}, clients)
	// A nil logger keeps the process-wide default logger as it is.
	opSrv.Config.Handler = exampleop.SetupServer(issuer, opStore, nil, false)
	opSrv.Start()

	staff, err := svc.CreateUser(ctx, sys, service.UserInput{Username: "alva", DisplayName: staffName,
		OIDCIssuer: issuer, OIDCSubject: opStaff.ID, Grants: []trygg.Grant{{Role: trygg.RoleOfficer, UnitID: unit.ID}}})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}

	oidc, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: issuer, ClientID: "trygg", ClientSecret: "client-secret",
		RedirectURL: tryggURL + callbackURI})
	if err != nil {
		t.Fatalf("discover provider: %v", err)
	}
	logs := &lockedLog{}
	tryggSrv.Config.Handler = web.New(web.Config{DefaultTenant: oidcTenant, OIDC: oidc}, svc,
		slog.New(slog.NewTextHandler(logs, nil)), prometheus.NewRegistry())
	tryggSrv.StartTLS()
	return &oidcEnv{db: db, trygg: tryggSrv, issuer: issuer, staffID: staff.ID, log: logs}
}

// browser returns a client with its own cookie jar that trusts trygg's test
// certificate. It stops before following a redirect to trygg's callback,
// so a test can look at (and tamper with) what the provider sends back.
func (e *oidcEnv) browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: e.trygg.Client().Transport, Jar: jar, Timeout: 5 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return http.ErrUseLastResponse
			}
			if req.URL.Path == callbackURI && req.URL.Host == e.trygg.Listener.Addr().String() {
				return http.ErrUseLastResponse
			}
			return nil
		}}
}

// signInAtProvider starts trygg's OIDC sign-in, fills in the provider's
// login form as a browser would and returns the callback URL the provider
// redirects back to, not yet visited.
func (e *oidcEnv) signInAtProvider(t *testing.T, b *http.Client, user *storage.User) *url.URL {
	t.Helper()
	resp, body := oidcGet(t, b, e.trygg.URL+"/auth/oidc/login")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), e.issuer+"/login/") {
		t.Fatalf("login start ended at %s with %d, want the provider's login page", resp.Request.URL, resp.StatusCode)
	}
	action, fields := parseLoginForm(t, body)
	fields.Set("username", user.Username)
	fields.Set("password", user.Password)
	target, err := resp.Request.URL.Parse(action)
	if err != nil {
		t.Fatalf("form action %q: %v", action, err)
	}
	resp, err = b.PostForm(target.String(), fields)
	if err != nil {
		t.Fatalf("post provider login: %v", err)
	}
	body = oidcBody(t, resp)
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil || loc.Path != callbackURI {
		t.Fatalf("provider login: status %d, location %v, body %q; want a redirect to trygg's callback", resp.StatusCode, loc, body)
	}
	return loc
}

func TestOIDCSignIn(t *testing.T) {
	e := startOIDCEnv(t)
	failed := "Inloggningen kunde inte slutföras"

	cases := []struct {
		name string
		user *storage.User
		// tamper changes the callback query before the browser follows it.
		tamper      func(t *testing.T, q url.Values)
		wantStatus  int
		wantText    string
		wantSession bool
	}{
		{name: "linked staff member signs in", user: opStaff,
			wantStatus: http.StatusOK, wantText: staffName, wantSession: true},
		{name: "wrong state", user: opStaff,
			tamper:     func(t *testing.T, q url.Values) { q.Set("state", "forged-state") },
			wantStatus: http.StatusUnauthorized, wantText: failed},
		{name: "no state", user: opStaff,
			tamper:     func(t *testing.T, q url.Values) { q.Del("state") },
			wantStatus: http.StatusUnauthorized, wantText: failed},
		{name: "forged code", user: opStaff,
			tamper:     func(t *testing.T, q url.Values) { q.Set("code", "forged-code") },
			wantStatus: http.StatusUnauthorized, wantText: failed},
		{name: "code issued to another browser's flow", user: opStaff,
			// Code injection: a valid code for the same account, but bound to
			// another PKCE verifier and nonce.
			tamper: func(t *testing.T, q url.Values) {
				other := e.signInAtProvider(t, e.browser(t), opStaff)
				q.Set("code", other.Query().Get("code"))
			},
			wantStatus: http.StatusUnauthorized, wantText: failed},
		{name: "provider reports an error", user: opStaff,
			tamper: func(t *testing.T, q url.Values) {
				q.Del("code")
				q.Set("error", "access_denied")
			},
			wantStatus: http.StatusUnauthorized, wantText: failed},
		{name: "account at the provider not linked to trygg", user: opUnlinked,
			wantStatus: http.StatusUnauthorized, wantText: "inget konto i trygg är kopplat"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := oidcSignIns(t, e.db)
			b := e.browser(t)
			cb := e.signInAtProvider(t, b, tc.user)
			if tc.tamper != nil {
				q := cb.Query()
				tc.tamper(t, q)
				cb.RawQuery = q.Encode()
			}

			resp, body := oidcGet(t, b, cb.String())
			if resp.StatusCode != tc.wantStatus || !strings.Contains(body, tc.wantText) {
				t.Fatalf("callback: status %d, page %q; want %d containing %q", resp.StatusCode, mainOf(body), tc.wantStatus, tc.wantText)
			}
			if tc.wantSession && resp.Request.URL.String() != e.trygg.URL+"/inbox" {
				t.Errorf("signed in at %s, want the officer's inbox (home sends officers there)", resp.Request.URL)
			}
			tryggURL, _ := url.Parse(e.trygg.URL + callbackURI)
			if c := jarCookie(b.Jar.Cookies(tryggURL), "trygg_session"); (c != nil) != tc.wantSession {
				t.Errorf("session cookie %v, want one: %v", c != nil, tc.wantSession)
			}
			// The flow's secrets are single use, whatever the outcome.
			if c := jarCookie(b.Jar.Cookies(tryggURL), "trygg_oidc"); c != nil {
				t.Errorf("flow cookie still set after the callback")
			}

			added := oidcSignIns(t, e.db)[len(before):]
			switch {
			case !tc.wantSession && len(added) != 0:
				t.Errorf("failed sign-in wrote %d sign-in events", len(added))
			case tc.wantSession && (len(added) != 1 || added[0].SubjectID != e.staffID || added[0].ActorID != e.staffID):
				t.Errorf("sign-in events %+v, want one for user %s", added, e.staffID)
			}

			if tc.wantSession {
				// The same callback again: code and flow are used up.
				resp, body := oidcGet(t, b, cb.String())
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, failed) {
					t.Errorf("replayed callback: status %d, want 401 with %q", resp.StatusCode, failed)
				}
			}
		})
	}

	for _, secret := range []string{opStaff.ID, opUnlinked.ID, opStaff.Username, opUnlinked.Username, staffName} {
		if strings.Contains(e.log.String(), secret) {
			t.Errorf("trygg's log contains %q", secret)
		}
	}
}

// oidcSignIns returns the tenant's user.signed_in events with method oidc.
func oidcSignIns(t *testing.T, db *store.DB) []events.Event {
	t.Helper()
	all, err := db.Events(t.Context(), oidcTenant, 0, 1000)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	var out []events.Event
	for _, ev := range all {
		var p struct{ Method string }
		if ev.Type == events.UserSignedIn && json.Unmarshal(ev.Payload, &p) == nil && p.Method == "oidc" {
			out = append(out, ev)
		}
	}
	return out
}

func oidcGet(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp, oidcBody(t, resp)
}

func oidcBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// mainOf returns the <main> part of a page, to keep failure output short.
func mainOf(page string) string {
	if _, after, ok := strings.Cut(page, "<main"); ok {
		page, _, _ = strings.Cut(after, "</main>")
	}
	return strings.TrimSpace(page)
}

func jarCookie(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var (
	formTag  = regexp.MustCompile(`(?is)<form\b[^>]*>`)
	inputTag = regexp.MustCompile(`(?is)<input\b[^>]*>`)
	attr     = regexp.MustCompile(`(?is)([a-z_-]+)\s*=\s*"([^"]*)"`)
)

// parseLoginForm returns the action of the page's one form and the values its
// inputs carry (hidden ones included), as a browser would submit them.
func parseLoginForm(t *testing.T, page string) (string, url.Values) {
	t.Helper()
	attrs := func(tag string) map[string]string {
		m := map[string]string{}
		for _, a := range attr.FindAllStringSubmatch(tag, -1) {
			m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
		}
		return m
	}
	forms := formTag.FindAllString(page, -1)
	if len(forms) != 1 {
		t.Fatalf("want one form on the provider's login page, got %d: %q", len(forms), page)
	}
	form := attrs(forms[0])
	if !strings.EqualFold(form["method"], "post") {
		t.Fatalf("login form method %q, want POST", form["method"])
	}
	values := url.Values{}
	for _, tag := range inputTag.FindAllString(page, -1) {
		in := attrs(tag)
		if in["name"] != "" {
			values.Set(in["name"], in["value"])
		}
	}
	return form["action"], values
}

// lockedLog is a log sink that concurrent handlers may write to.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedLog) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
