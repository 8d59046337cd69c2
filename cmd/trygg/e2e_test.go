package main

// Black-box tests of the whole program: run() starts the real server on a
// free port, on SQLite and on PostgreSQL, and the tests talk to it only over
// HTTP (and through the other subcommands), as a client would.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
)

// syncBuffer collects what the program writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// envOf returns a getenv that sees only env, so the tests do not depend on
// TRYGG_* variables of the machine they run on.
func envOf(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

var runningRE = regexp.MustCompile(`trygg is running at (\S+)`)

// e2eServer is a `trygg serve` running in this process through run().
type e2eServer struct {
	URL    string
	Stderr *syncBuffer
	stop   func()
}

// startServer runs `trygg serve --addr 127.0.0.1:0 args...` in a goroutine,
// reads the URL it prints first and waits until /readyz answers. The server
// is stopped (and must stop cleanly) when the test ends.
func startServer(t *testing.T, env map[string]string, args ...string) *e2eServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	full := append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)
	go func() { done <- run(ctx, full, envOf(env), stdout, stderr) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("trygg serve %v: stopped with %v", args, err)
				}
			case <-time.After(30 * time.Second):
				t.Errorf("trygg serve %v: did not stop within 30s of cancel", args)
			}
		})
	}
	t.Cleanup(stop)

	// The demo's first start on PostgreSQL, while the whole suite runs
	// beside it on two cores, has taken over a minute.
	deadline := time.Now().Add(3 * time.Minute)
	var base string
	for {
		if m := runningRE.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			done <- nil // stop has nothing more to report
			t.Fatalf("trygg serve %v exited before it was running: %v\nstderr:\n%s", args, err, stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("trygg serve %v did not print its URL within 3 minutes\nstdout:\n%s\nstderr:\n%s", args, stdout, stderr)
		}
	}
	if first, _, _ := strings.Cut(stdout.String(), "\n"); !strings.HasPrefix(first, "trygg is running at ") {
		t.Errorf("the first line on stdout is %q, want it to say where trygg is running", first)
	}
	waitReady(t, base)
	if slices.Contains(args, "--demo") {
		waitDemoPast(t, stderr, done)
	}
	return &e2eServer{URL: base, Stderr: stderr, stop: stop}
}

// waitDemoPast waits until serve --demo, its URL printed, says in its log
// that the demo's past is written (it writes it while it takes requests):
// the tests count the events their requests write and read the analysis
// pages.
func waitDemoPast(t testing.TB, stderr *syncBuffer, done chan error) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		log := stderr.String()
		if strings.Contains(log, `msg="demo past written"`) || strings.Contains(log, `msg="demo past complete"`) {
			return
		}
		if strings.Contains(log, "writing the demo's past failed") {
			t.Fatalf("serve --demo failed to write the demo's past:\n%s", log)
		}
		select {
		case err := <-done:
			done <- nil
			t.Fatalf("trygg serve exited while writing the demo's past: %v\n%s", err, log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve --demo did not write the demo's past within 5 minutes:\n%s", log)
		}
	}
}

func waitReady(t testing.TB, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/readyz did not answer 200 within 30s (last error %v)", base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runCmd runs a one-shot subcommand through run() and returns its stdout,
// stderr and error.
func runCmd(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr syncBuffer
	err := run(ctx, args, envOf(env), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// httpClient never follows redirects, so tests see the 303 and its cookies.
var httpClient = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// reply is a whole HTTP response.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// request is one HTTP request. A body is sent as application/json unless
// ContentType says otherwise ("-" sends no Content-Type at all).
type request struct {
	Method, Path string
	Token        string
	Body         string
	ContentType  string
	Header       map[string]string
}

func do(t testing.TB, base string, rq request) reply {
	t.Helper()
	var body io.Reader
	if rq.Body != "" {
		body = strings.NewReader(rq.Body)
	}
	req, err := http.NewRequest(rq.Method, base+rq.Path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", rq.Method, rq.Path, err)
	}
	switch {
	case rq.ContentType == "-":
	case rq.ContentType != "":
		req.Header.Set("Content-Type", rq.ContentType)
	case rq.Body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	if rq.Token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.Token)
	}
	for k, v := range rq.Header {
		req.Header.Set(k, v)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", rq.Method, rq.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", rq.Method, rq.Path, err)
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// expect checks the status and decodes a JSON body into v (if not nil).
func (r reply) expect(t testing.TB, status int, v any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil {
			t.Fatalf("decoding %s: %v", r.Body, err)
		}
	}
}

// problemDoc is the RFC 9457 body the API answers errors with.
type problemDoc struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (r reply) problem(t testing.TB) problemDoc {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json; body: %s", ct, r.Body)
	}
	var p problemDoc
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("decoding problem %s: %v", r.Body, err)
	}
	if p.Status != r.Status {
		t.Errorf("problem status %d, HTTP status %d", p.Status, r.Status)
	}
	if p.Type != "/api/problems/"+p.Code || p.Title == "" || p.Detail == "" {
		t.Errorf("problem lacks a matching type, a title or a detail: %+v", p)
	}
	for _, e := range p.Errors {
		if e.Message == "" {
			t.Errorf("field %q has no message", e.Field)
		}
	}
	return p
}

func signIn(t testing.TB, base, username, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	var s struct {
		Token string `json:"token"`
	}
	r := do(t, base, request{Method: "POST", Path: "/api/v1/session", Body: string(body)})
	r.expect(t, http.StatusCreated, &s)
	if s.Token == "" {
		t.Fatalf("sign-in of %s returned no token", username)
	}
	if c := cookieNamed(r, "trygg_session"); c == nil || c.Value != s.Token || !c.Secure || !c.HttpOnly {
		t.Errorf("sign-in of %s: session cookie %+v, want the token in a Secure, HttpOnly cookie", username, c)
	}
	return s.Token
}

// event is what the tests read of an event-log row.
type event struct {
	Seq       int64  `json:"seq"`
	Type      string `json:"type"`
	SubjectID string `json:"subject_id"`
	PersonID  string `json:"person_id"`
	CaseID    string `json:"case_id"`
	ActorID   string `json:"actor_id"`
}

// eventsAfter returns every event after seq that admin can see.
func eventsAfter(t testing.TB, base, adminToken string, seq int64) []event {
	t.Helper()
	var all []event
	for {
		var page struct {
			Events    []event `json:"events"`
			NextAfter int64   `json:"next_after"`
		}
		do(t, base, request{Method: "GET", Path: fmt.Sprintf("/api/v1/events?after=%d&limit=1000", seq), Token: adminToken}).
			expect(t, http.StatusOK, &page)
		if len(page.Events) == 0 {
			return all
		}
		all = append(all, page.Events...)
		seq = page.NextAfter
	}
}

func eventTypes(evs []event) []string {
	out := make([]string, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// readRegistry returns the identity numbers (YYYYMMDD-NNNC) in the
// population-registry file the demo wrote.
func readRegistry(t testing.TB, dataDir string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "registry.json"))
	if err != nil {
		t.Fatalf("the demo registry: %v", err)
	}
	var recs []struct {
		IdentityNumber string `json:"identity_number"`
	}
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatalf("the demo registry: %v", err)
	}
	out := map[string]bool{}
	for _, r := range recs {
		out[r.IdentityNumber] = true
	}
	if len(out) < 2000 {
		t.Fatalf("the demo registry holds %d numbers, want at least 2000", len(out))
	}
	return out
}

// registryOnlyPersons returns unprotected persons the population registry
// knows and the demo did not register. The demo is generated from the date,
// so the same generation here finds the records the server wrote.
func registryOnlyPersons(t testing.TB, registry map[string]bool) []persons.RegistryRecord {
	t.Helper()
	now := time.Now().UTC()
	for _, day := range []time.Time{now, now.AddDate(0, 0, -1)} {
		var out []persons.RegistryRecord
		for _, rec := range demo.Generate(demo.Options{Today: day}).RegistryOnly {
			if rec.Protection == persons.ProtectionNone && registry[rec.Identity.String()] {
				out = append(out, rec)
			}
		}
		if len(out) >= 2 {
			return out
		}
	}
	t.Fatal("found no registry-only persons of the demo in registry.json")
	return nil
}

var digitsRE = regexp.MustCompile(`[0-9]{6,8}[-+]?[0-9]{4}`)

// checkNoIdentityNumbers fails if any identity number of the registry, in
// any of its written forms, appears in the log.
func checkNoIdentityNumbers(t testing.TB, name, log string, registry map[string]bool) {
	t.Helper()
	if !strings.Contains(log, "msg=request") {
		t.Errorf("%s: the log has no request lines; the check would prove nothing:\n%s", name, log)
	}
	full, short := map[string]bool{}, map[string]bool{}
	for n := range registry {
		d := strings.ReplaceAll(n, "-", "")
		full[d], short[d[2:]] = true, true
	}
	for _, m := range digitsRE.FindAllString(log, -1) {
		d := strings.NewReplacer("-", "", "+", "").Replace(m)
		if full[d] || (len(d) >= 10 && short[d[len(d)-10:]]) {
			t.Errorf("%s: the log shows the identity number %s", name, m)
		}
	}
}

// badNumbers are invalid identity numbers, one per kind of mistake.
func badNumbers() (checkDigit, month, length string) {
	valid := persons.GenerateTestNumber(time.Date(1985, 3, 14, 0, 0, 0, 0, time.UTC), "F", 0).String() // 19850314-980C
	last := valid[len(valid)-1]
	checkDigit = valid[:len(valid)-1] + string('0'+(last-'0'+1)%10)
	month = "19851314" + valid[8:]
	length = valid[:len(valid)-1]
	return checkDigit, month, length
}

// unknownNumber returns a valid identity number the registry does not know.
func unknownNumber(t testing.TB, registry map[string]bool) string {
	t.Helper()
	for k := range 100 {
		id := persons.GenerateTestNumber(time.Date(1931, 2, 3, 0, 0, 0, 0, time.UTC), "M", k).String()
		if !registry[id] {
			return id
		}
	}
	t.Fatal("every candidate number is in the registry")
	return ""
}

func TestEndToEnd(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			testEndToEnd(t, eng)
		})
	}
}

func testEndToEnd(t *testing.T, eng engine) {
	data := t.TempDir()
	dbArgs := eng.dbArgs(t)
	srvArgs := append([]string{"--demo", "--data", data}, dbArgs...)
	srv := startServer(t, nil, srvArgs...)
	base := srv.URL
	registry := readRegistry(t, data)
	logs := map[string]*syncBuffer{"server": srv.Stderr}

	// Who is who.
	tok := map[string]string{}
	userID := map[string]string{}
	for _, u := range []string{"admin", "handlaggare", "utredare", "granskare", "invanare"} {
		tok[u] = signIn(t, base, u, demo.Password)
		var me struct {
			User struct {
				ID       string `json:"id"`
				Username string `json:"username"`
				PersonID string `json:"person_id"`
			} `json:"user"`
			Tenant string `json:"tenant"`
		}
		do(t, base, request{Method: "GET", Path: "/api/v1/me", Token: tok[u]}).expect(t, http.StatusOK, &me)
		if me.User.Username != u || me.Tenant != string(demo.TenantID) {
			t.Fatalf("/me of %s: %+v", u, me)
		}
		userID[u] = me.User.ID
		if u == "invanare" {
			userID["invanare.person"] = me.User.PersonID
		}
	}
	citizen := userID["invanare.person"]
	if citizen == "" {
		t.Fatal("the citizen account has no person")
	}
	// A case outside the case officer's units: the citizen's own.
	var own personView
	do(t, base, request{Method: "GET", Path: "/api/v1/persons/" + citizen, Token: tok["invanare"]}).expect(t, http.StatusOK, &own)
	if len(own.Cases) == 0 {
		t.Fatal("the citizen of journey 3 has no case")
	}
	foreignCase := own.Cases[0].ID
	// A person the case officer may see.
	visible := searchVisible(t, base, tok["handlaggare"])[0]

	// A second server on the same database that signs out after 1s idle.
	idle := startServer(t, nil, append(slices.Clone(srvArgs), "--session-idle", "1s")...)
	logs["idle server"] = idle.Stderr
	idleToken := signIn(t, idle.URL, "handlaggare", demo.Password)
	idleSince := time.Now()
	do(t, idle.URL, request{Method: "GET", Path: "/api/v1/me", Token: idleToken}).expect(t, http.StatusOK, nil)

	regOnlys := registryOnlyPersons(t, registry)
	regOnly := regOnlys[0]
	newNumber := regOnly.Identity.String()
	unknown := unknownNumber(t, registry)
	badCheck, badMonth, badLength := badNumbers()

	mark := eventsAfter(t, base, tok["admin"], 0)
	seq := mark[len(mark)-1].Seq

	caseBody := func(extra string) string {
		return `{"unit_id":"norra-ao","case_type":"ansokan-hemtjanst","title":"Ansökan om hemtjänst"` + extra + `}`
	}
	oversize := `{"query":"` + strings.Repeat("a", 1<<20+10) + `"}`
	wrongPassword := "Wrong username or password."

	t.Run("bad requests change nothing", func(t *testing.T) {
		tests := []struct {
			name   string
			base   string // default: the main server
			wait   func() // before the request
			req    request
			status int
			code   string
			fields []string
			detail string // a part of the problem's detail
		}{
			{name: "sign in with a wrong password", req: request{Method: "POST", Path: "/api/v1/session", Body: `{"username":"handlaggare","password":"wrong-password-1"}`},
				status: 401, code: "unauthorized", detail: wrongPassword},
			{name: "sign in as an unknown user", req: request{Method: "POST", Path: "/api/v1/session", Body: `{"username":"nobody-here","password":"wrong-password-1"}`},
				status: 401, code: "unauthorized", detail: wrongPassword},
			{name: "sign in without password", req: request{Method: "POST", Path: "/api/v1/session", Body: `{"username":"handlaggare"}`},
				status: 422, code: "invalid", fields: []string{"password"}},
			{name: "sign in with an empty object", req: request{Method: "POST", Path: "/api/v1/session", Body: `{}`},
				status: 422, code: "invalid", fields: []string{"password", "username"}},
			{name: "malformed JSON", req: request{Method: "POST", Path: "/api/v1/persons/search", Token: tok["handlaggare"], Body: `{"query": "Andersson"`},
				status: 422, code: "invalid", detail: "not valid JSON"},
			{name: "syntax error in JSON", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: `{"title": nope}`},
				status: 422, code: "invalid", detail: "not valid JSON"},
			{name: "unknown field", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: caseBody(`,"person_id":"` + visible + `","priority":"high"`)},
				status: 422, code: "invalid", fields: []string{"priority"}},
			{name: "wrong field type", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: `{"person_id":"` + visible + `","unit_id":"norra-ao","case_type":"x","title":42}`},
				status: 422, code: "invalid", fields: []string{"title"}},
			{name: "wrong field type in search", req: request{Method: "POST", Path: "/api/v1/persons/search", Token: tok["handlaggare"], Body: `{"query":["a"]}`},
				status: 422, code: "invalid", fields: []string{"query"}},
			{name: "empty body", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], ContentType: "application/json"},
				status: 422, code: "invalid", detail: "empty"},
			{name: "two JSON objects", req: request{Method: "POST", Path: "/api/v1/persons/search", Token: tok["handlaggare"], Body: `{"query":"a"} {"query":"b"}`},
				status: 422, code: "invalid", detail: "single JSON object"},
			{name: "body over 1 MiB", req: request{Method: "POST", Path: "/api/v1/persons/search", Token: tok["handlaggare"], Body: oversize},
				status: 413, code: "too_large"},
			{name: "wrong content type", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: caseBody(`,"person_id":"` + visible + `"`), ContentType: "text/plain"},
				status: 422, code: "invalid", detail: "must be JSON"},
			{name: "form instead of JSON", req: request{Method: "POST", Path: "/api/v1/session", Body: "username=handlaggare&password=" + demo.Password, ContentType: "application/x-www-form-urlencoded"},
				status: 422, code: "invalid", detail: "must be JSON"},
			{name: "case without title and type", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: `{"person_id":"` + visible + `","unit_id":"norra-ao"}`},
				status: 422, code: "invalid", fields: []string{"case_type", "title"}},
			{name: "case for no person", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: caseBody(``)},
				status: 422, code: "invalid", fields: []string{"person_id"}},
			{name: "case for a person who does not exist", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: caseBody(`,"person_id":"no-such-person"`)},
				status: 422, code: "invalid", fields: []string{"person_id"}},
			{name: "case in a unit that does not exist", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: `{"person_id":"` + visible + `","unit_id":"no-such-unit","case_type":"x","title":"y"}`},
				status: 422, code: "invalid", fields: []string{"unit_id"}},
			{name: "case: identity number with a bad check digit", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: caseBody(`,"identity_number":"` + badCheck + `"`)},
				status: 422, code: "invalid", fields: []string{"identity_number"}, detail: "check digit"},
			{name: "case: identity number with month 13", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: caseBody(`,"identity_number":"` + badMonth + `"`)},
				status: 422, code: "invalid", fields: []string{"identity_number"}, detail: "month"},
			{name: "case: identity number of 11 digits", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: caseBody(`,"identity_number":"` + badLength + `"`)},
				status: 422, code: "invalid", fields: []string{"identity_number"}, detail: "digits"},
			{name: "case: a number the registry does not know, without a name", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: caseBody(`,"identity_number":"` + unknown + `"`)},
				status: 422, code: "invalid", fields: []string{"family_name", "given_name"}},
			{name: "search: identity number with a bad check digit", req: request{Method: "POST", Path: "/api/v1/persons/search", Token: tok["handlaggare"], Body: `{"query":"` + badCheck + `"}`},
				status: 422, code: "invalid", fields: []string{"query"}, detail: "check digit"},
			{name: "search: identity number with month 13", req: request{Method: "POST", Path: "/api/v1/persons/search", Token: tok["handlaggare"], Body: `{"query":"` + badMonth + `"}`},
				status: 422, code: "invalid", fields: []string{"query"}, detail: "month"},
			{name: "search: identity number of 11 digits", req: request{Method: "POST", Path: "/api/v1/persons/search", Token: tok["handlaggare"], Body: `{"query":"` + badLength + `"}`},
				status: 422, code: "invalid", fields: []string{"query"}, detail: "digits"},
			{name: "search: empty query", req: request{Method: "POST", Path: "/api/v1/persons/search", Token: tok["handlaggare"], Body: `{"query":"  "}`},
				status: 422, code: "invalid", fields: []string{"query"}},
			{name: "register: a number the registry does not know, without a name", req: request{Method: "POST", Path: "/api/v1/persons", Token: tok["handlaggare"], Body: `{"unit_id":"norra-ao","identity_number":"` + unknown + `"}`},
				status: 422, code: "invalid", fields: []string{"family_name", "given_name"}},
			{name: "register: identity number with a bad check digit", req: request{Method: "POST", Path: "/api/v1/persons", Token: tok["handlaggare"], Body: `{"unit_id":"norra-ao","identity_number":"` + badCheck + `"}`},
				status: 422, code: "invalid", fields: []string{"identity_number"}},
			{name: "emergency opening without a reason", req: request{Method: "POST", Path: "/api/v1/emergency-openings", Token: tok["utredare"], Body: `{"identity_number":"` + badMonth + `","reason":"akut"}`},
				status: 422, code: "invalid", fields: []string{"identity_number", "reason"}},
			{name: "emergency opening of a person nobody registered", req: request{Method: "POST", Path: "/api/v1/emergency-openings", Token: tok["utredare"], Body: `{"identity_number":"` + unknown + `","reason":"Akut läge, behöver se tidigare insatser."}`},
				status: 404, code: "not_found"},
			{name: "log reviewer opens a case", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["granskare"], Body: caseBody(`,"person_id":"` + visible + `"`)},
				status: 403, code: "forbidden"},
			{name: "officer opens a case in another district", req: request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: `{"person_id":"` + visible + `","unit_id":"sodra-ao","case_type":"x","title":"y"}`},
				status: 403, code: "forbidden"},
			{name: "log reviewer asks for an emergency opening", req: request{Method: "POST", Path: "/api/v1/emergency-openings", Token: tok["granskare"], Body: `{"identity_number":"` + newNumber + `","reason":"Akut läge, behöver se tidigare insatser."}`},
				status: 403, code: "forbidden"},
			{name: "citizen registers a person", req: request{Method: "POST", Path: "/api/v1/persons", Token: tok["invanare"], Body: `{"unit_id":"norra-ao","identity_number":"` + newNumber + `"}`},
				status: 403, code: "forbidden"},
			{name: "officer reads the event log", req: request{Method: "GET", Path: "/api/v1/events", Token: tok["handlaggare"]},
				status: 403, code: "forbidden"},
			{name: "officer reads the access log", req: request{Method: "GET", Path: "/api/v1/access-log", Token: tok["handlaggare"]},
				status: 403, code: "forbidden"},
			{name: "officer creates a user", req: request{Method: "POST", Path: "/api/v1/users", Token: tok["handlaggare"], Body: `{"username":"x","display_name":"X","grants":[]}`},
				status: 403, code: "forbidden"},
			{name: "officer reads a person outside their units", req: request{Method: "GET", Path: "/api/v1/persons/" + citizen, Token: tok["handlaggare"]},
				status: 404, code: "not_found"},
			{name: "officer reads a case outside their units", req: request{Method: "GET", Path: "/api/v1/cases/" + foreignCase, Token: tok["handlaggare"]},
				status: 404, code: "not_found"},
			{name: "citizen reads a person they do not act for", req: request{Method: "GET", Path: "/api/v1/persons/" + visible, Token: tok["invanare"]},
				status: 404, code: "not_found"},
			{name: "a person who does not exist", req: request{Method: "GET", Path: "/api/v1/persons/no-such-person", Token: tok["handlaggare"]},
				status: 404, code: "not_found"},
			{name: "bad query parameter", req: request{Method: "GET", Path: "/api/v1/events?after=-3", Token: tok["admin"]},
				status: 422, code: "invalid", fields: []string{"after"}},
			{name: "no token", req: request{Method: "GET", Path: "/api/v1/persons/" + visible},
				status: 401, code: "unauthorized"},
			{name: "no token, write", req: request{Method: "POST", Path: "/api/v1/cases", Body: caseBody(`,"person_id":"` + visible + `"`)},
				status: 401, code: "unauthorized"},
			{name: "made-up token", req: request{Method: "GET", Path: "/api/v1/me", Token: "demo.not-a-real-token"},
				status: 401, code: "unauthorized"},
			{name: "unknown API path", req: request{Method: "GET", Path: "/api/v1/no-such-thing", Token: tok["handlaggare"]},
				status: 404, code: "not_found"},
			{name: "unknown API path without token", req: request{Method: "POST", Path: "/api/v2/cases", Body: `{}`},
				status: 404, code: "not_found"},
			{name: "cross-site API sign-in", req: request{Method: "POST", Path: "/api/v1/session", Body: `{"username":"handlaggare","password":"` + demo.Password + `"}`,
				Header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, status: 403},
			{name: "expired session", base: idle.URL, req: request{Method: "GET", Path: "/api/v1/me", Token: idleToken},
				wait:   func() { time.Sleep(time.Until(idleSince.Add(1200 * time.Millisecond))) },
				status: 401, code: "unauthorized", detail: "expired"},
			{name: "expired session, write", base: idle.URL, req: request{Method: "POST", Path: "/api/v1/cases", Token: idleToken, Body: caseBody(`,"person_id":"` + visible + `"`)},
				status: 401, code: "unauthorized", detail: "expired"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b := base
				if tt.base != "" {
					b = tt.base
				}
				if tt.wait != nil {
					tt.wait()
				}
				defer func() {
					if got := eventsAfter(t, base, tok["admin"], seq); len(got) > 0 {
						t.Errorf("the request wrote events %v", eventTypes(got))
						seq = got[len(got)-1].Seq // so the next case starts clean
					}
				}()
				r := do(t, b, tt.req)
				if r.Status != tt.status {
					t.Fatalf("status %d, want %d; body: %s", r.Status, tt.status, r.Body)
				}
				if tt.code != "" {
					p := r.problem(t)
					if p.Code != tt.code {
						t.Errorf("code %q, want %q", p.Code, tt.code)
					}
					var fields []string
					for _, e := range p.Errors {
						fields = append(fields, e.Field)
					}
					if !slices.Equal(fields, tt.fields) {
						t.Errorf("fields %q, want %q (%s)", fields, tt.fields, r.Body)
					}
					if !strings.Contains(p.Detail, tt.detail) {
						t.Errorf("detail %q, want it to contain %q", p.Detail, tt.detail)
					}
					if tt.status == 401 && r.Header.Get("WWW-Authenticate") == "" {
						t.Error("a 401 without WWW-Authenticate")
					}
				}
			})
		}
	})

	var newCase caseDoc
	t.Run("officer opens a case for a person only the registry knows", func(t *testing.T) {
		do(t, base, request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: caseBody(`,"identity_number":"` + newNumber + `"`)}).
			expect(t, http.StatusCreated, &newCase)
		if newCase.ID == "" || newCase.PersonID == "" || newCase.Status != "open" || newCase.UnitID != "norra-ao" || newCase.AssignedTo != userID["handlaggare"] {
			t.Errorf("the new case: %+v", newCase)
		}
		evs := eventsAfter(t, base, tok["admin"], seq)
		if got := eventTypes(evs); !slices.Equal(got, []string{"person.registered", "case.opened"}) {
			t.Fatalf("events %v, want person.registered, case.opened", got)
		}
		if evs[0].SubjectID != newCase.PersonID || evs[1].SubjectID != newCase.ID || evs[1].CaseID != newCase.ID ||
			evs[1].PersonID != newCase.PersonID || evs[1].ActorID != userID["handlaggare"] {
			t.Errorf("events %+v do not name the new person and case %+v", evs, newCase)
		}
		seq = evs[len(evs)-1].Seq

		var c caseDoc
		do(t, base, request{Method: "GET", Path: "/api/v1/cases/" + newCase.ID, Token: tok["handlaggare"]}).expect(t, http.StatusOK, &c)
		if c != newCase {
			t.Errorf("read back %+v, opened %+v", c, newCase)
		}
		var p personView
		do(t, base, request{Method: "GET", Path: "/api/v1/persons/" + newCase.PersonID, Token: tok["handlaggare"]}).expect(t, http.StatusOK, &p)
		if p.IdentityNumber != newNumber || p.GivenName != regOnly.GivenName || p.FamilyName != regOnly.FamilyName ||
			p.Address.Street != regOnly.Address.Street || p.Ground != "assigned" {
			t.Errorf("the person %+v, want %+v from the registry, read as assigned", p, regOnly)
		}
		if len(p.Cases) != 1 || p.Cases[0].ID != newCase.ID {
			t.Errorf("the person's cases %+v, want the new case", p.Cases)
		}
		// Searching by number finds the person with the number masked.
		var found struct {
			Persons []struct {
				ID             string `json:"id"`
				IdentityMasked string `json:"identity_masked"`
			} `json:"persons"`
		}
		do(t, base, request{Method: "POST", Path: "/api/v1/persons/search", Token: tok["handlaggare"], Body: `{"query":"` + newNumber + `"}`}).
			expect(t, http.StatusOK, &found)
		if len(found.Persons) != 1 || found.Persons[0].ID != newCase.PersonID || found.Persons[0].IdentityMasked != newNumber[:8]+"-****" {
			t.Errorf("search by number: %+v", found)
		}
		// A second case for the same number reuses the person.
		var second caseDoc
		do(t, base, request{Method: "POST", Path: "/api/v1/cases", Token: tok["handlaggare"], Body: `{"identity_number":"` + newNumber + `","unit_id":"norra-ao","case_type":"trygghetslarm","title":"Trygghetslarm"}`}).
			expect(t, http.StatusCreated, &second)
		if second.PersonID != newCase.PersonID || second.ID == newCase.ID {
			t.Errorf("second case %+v, want a new case for person %s", second, newCase.PersonID)
		}
		evs = eventsAfter(t, base, tok["admin"], seq)
		if got := eventTypes(evs); !slices.Equal(got, []string{"case.opened"}) {
			t.Fatalf("events %v, want only case.opened", got)
		}
		seq = evs[len(evs)-1].Seq
	})
	if newCase.ID == "" {
		t.Fatal("no case was opened; the rest depends on it")
	}

	t.Run("officer registers a person once", func(t *testing.T) {
		rec := regOnlys[1]
		body := `{"unit_id":"norra-ao","identity_number":"` + rec.Identity.String() + `"}`
		var p personView
		do(t, base, request{Method: "POST", Path: "/api/v1/persons", Token: tok["handlaggare"], Body: body}).expect(t, http.StatusCreated, &p)
		if p.ID == "" || p.IdentityNumber != rec.Identity.String() || p.FamilyName != rec.FamilyName {
			t.Errorf("registered %+v, want %+v from the registry", p, rec)
		}
		evs := eventsAfter(t, base, tok["admin"], seq)
		if got := eventTypes(evs); !slices.Equal(got, []string{"person.registered"}) || evs[0].SubjectID != p.ID {
			t.Fatalf("events %+v, want person.registered of %s", evs, p.ID)
		}
		seq = evs[0].Seq
		// Again: the same answer as the first time (no conflict that would
		// tell the person is known), the same person, nothing written.
		var again personView
		do(t, base, request{Method: "POST", Path: "/api/v1/persons", Token: tok["handlaggare"], Body: body}).expect(t, http.StatusCreated, &again)
		if again.ID != p.ID || again.FamilyName != p.FamilyName {
			t.Errorf("registering the same number again gives %+v, want the same person %+v", again, p)
		}
		if got := eventsAfter(t, base, tok["admin"], seq); len(got) > 0 {
			t.Errorf("registering a known person again wrote events %v", eventTypes(got))
		}
	})

	t.Run("citizen reads self and own child, nobody else", func(t *testing.T) {
		var self personView
		do(t, base, request{Method: "GET", Path: "/api/v1/persons/" + citizen, Token: tok["invanare"]}).expect(t, http.StatusOK, &self)
		if self.Ground != "self" {
			t.Errorf("own record read on ground %q, want self", self.Ground)
		}
		var children []string
		for _, r := range self.Relations {
			if r.FromPersonID == citizen && r.Kind == "guardian" {
				children = append(children, r.ToPersonID)
			}
		}
		if len(children) != 2 {
			t.Fatalf("the single mother of journey 3 is guardian of %d children, want 2: %+v", len(children), self.Relations)
		}
		for _, child := range children {
			var c personView
			do(t, base, request{Method: "GET", Path: "/api/v1/persons/" + child, Token: tok["invanare"]}).expect(t, http.StatusOK, &c)
			if c.ID != child || c.Ground != "guardian" {
				t.Errorf("child %s read as %+v, want on ground guardian", child, c)
			}
		}
		for _, path := range []string{"/api/v1/persons/" + newCase.PersonID, "/api/v1/cases/" + newCase.ID, "/api/v1/persons/" + visible} {
			if p := do(t, base, request{Method: "GET", Path: path, Token: tok["invanare"]}); p.Status != http.StatusNotFound || p.problem(t).Code != "not_found" {
				t.Errorf("citizen GET %s: %d %s, want 404 not_found", path, p.Status, p.Body)
			}
		}
		if got := eventsAfter(t, base, tok["admin"], seq); len(got) > 0 {
			t.Errorf("reads wrote events %v", eventTypes(got))
		}
	})

	t.Run("emergency opening is logged and reviewed first", func(t *testing.T) {
		personPath := "/api/v1/persons/" + newCase.PersonID
		if r := do(t, base, request{Method: "GET", Path: personPath, Token: tok["utredare"]}); r.Status != http.StatusNotFound {
			t.Fatalf("before the opening the investigator reads the person: %d %s", r.Status, r.Body)
		}
		reason := "Akut: polisen ringer om brukaren, behöver se pågående insatser."
		body, _ := json.Marshal(map[string]string{"identity_number": newNumber, "reason": reason})
		var opened personView
		do(t, base, request{Method: "POST", Path: "/api/v1/emergency-openings", Token: tok["utredare"], Body: string(body)}).
			expect(t, http.StatusCreated, &opened)
		if opened.ID != newCase.PersonID || opened.Ground != "emergency" || opened.IdentityNumber != newNumber {
			t.Errorf("the opening shows %+v", opened)
		}
		evs := eventsAfter(t, base, tok["admin"], seq)
		if got := eventTypes(evs); !slices.Equal(got, []string{"access.emergency_opened"}) {
			t.Fatalf("events %v, want access.emergency_opened", got)
		}
		if evs[0].PersonID != newCase.PersonID || evs[0].ActorID != userID["utredare"] {
			t.Errorf("the event %+v does not name the person and the investigator", evs[0])
		}
		seq = evs[0].Seq

		type logEntry struct {
			Seq      int64  `json:"seq"`
			ActorID  string `json:"actor_id"`
			Action   string `json:"action"`
			PersonID string `json:"person_id"`
			Ground   string `json:"ground"`
			Reason   string `json:"reason"`
		}
		var log struct {
			Entries []logEntry `json:"entries"`
		}
		do(t, base, request{Method: "GET", Path: "/api/v1/access-log", Token: tok["granskare"]}).expect(t, http.StatusOK, &log)
		if len(log.Entries) < 2 {
			t.Fatalf("the access log has %d entries", len(log.Entries))
		}
		first := log.Entries[0]
		if first.Ground != "emergency" || first.ActorID != userID["utredare"] || first.PersonID != newCase.PersonID || first.Reason != reason {
			t.Errorf("the reviewer sees first %+v, want the emergency opening by the investigator with its reason", first)
		}

		// Reads during the opening are emergency reads too; they stay in
		// the block reviewed first, with the opening and its reason.
		var p personView
		do(t, base, request{Method: "GET", Path: personPath, Token: tok["utredare"]}).expect(t, http.StatusOK, &p)
		if p.Ground != "emergency" {
			t.Errorf("after the opening the person is read on ground %q, want emergency", p.Ground)
		}
		do(t, base, request{Method: "GET", Path: "/api/v1/access-log", Token: tok["granskare"]}).expect(t, http.StatusOK, &log)
		// Reviewed first: emergency reads, and registrations and openings
		// by identity number of persons outside the user's reach.
		reviewedFirst := func(e logEntry) bool { return e.Ground == "emergency" || e.Ground == "identity_number" }
		var emergencies int
		for _, e := range log.Entries {
			if reviewedFirst(e) {
				emergencies++
			}
		}
		withReason := false
		for i, e := range log.Entries[:emergencies] {
			if !reviewedFirst(e) {
				t.Errorf("entry %d (%+v) is not an emergency read, but emergency reads come first", i, e)
			}
			withReason = withReason || (e.Reason == reason && e.ActorID == userID["utredare"])
		}
		if !withReason {
			t.Error("after a later read, the opening with its reason is no longer among the entries reviewed first")
		}
		var only struct {
			Entries []logEntry `json:"entries"`
		}
		do(t, base, request{Method: "GET", Path: "/api/v1/access-log?emergency=true", Token: tok["granskare"]}).expect(t, http.StatusOK, &only)
		if len(only.Entries) != emergencies {
			t.Errorf("emergency=true gives %d entries, the full log starts with %d", len(only.Entries), emergencies)
		}
		var v struct {
			OK       bool  `json:"ok"`
			Entries  int64 `json:"entries"`
			Problems []any `json:"problems"`
		}
		do(t, base, request{Method: "GET", Path: "/api/v1/access-log/verification", Token: tok["granskare"]}).expect(t, http.StatusOK, &v)
		if !v.OK || v.Entries < int64(len(log.Entries)) || len(v.Problems) > 0 {
			t.Errorf("verification: %+v", v)
		}
	})

	t.Run("sign-in pages", func(t *testing.T) {
		r := do(t, base, request{Method: "GET", Path: "/login"})
		r.expect(t, http.StatusOK, nil)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type %q", ct)
		}
		if body := string(r.Body); !strings.Contains(body, `<html lang="sv">`) || !strings.Contains(body, "Logga in") || !strings.Contains(body, "Demoläge") {
			t.Errorf("the sign-in page is not Swedish (with the demo notice) by default:\n%s", body)
		}
		r = do(t, base, request{Method: "GET", Path: "/login?lang=en"})
		r.expect(t, http.StatusOK, nil)
		if body := string(r.Body); !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Sign in") {
			t.Errorf("lang=en does not give English:\n%s", body)
		}
		langCookie := cookieNamed(r, "trygg_lang")
		if langCookie == nil || langCookie.Value != "en" {
			t.Fatalf("lang=en sets no language cookie: %v", r.Header["Set-Cookie"])
		}
		r = do(t, base, request{Method: "GET", Path: "/login", Header: map[string]string{"Cookie": "trygg_lang=en"}})
		if !strings.Contains(string(r.Body), `<html lang="en">`) {
			t.Error("the language cookie is not remembered")
		}
		if r := do(t, base, request{Method: "GET", Path: "/"}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
			t.Errorf("GET / without a session: %d to %q, want 303 to /login", r.Status, r.Header.Get("Location"))
		}

		form := func(user, password string) string {
			return url.Values{"username": {user}, "password": {password}}.Encode()
		}
		formType := "application/x-www-form-urlencoded"
		// Refused cross-origin posts and a wrong password write nothing.
		for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "https://evil.example"}} {
			r := do(t, base, request{Method: "POST", Path: "/login", Body: form("handlaggare", demo.Password), ContentType: formType, Header: h})
			if r.Status != http.StatusForbidden || cookieNamed(r, "trygg_session") != nil {
				t.Errorf("cross-origin sign-in %v: %d, cookie %v; want 403 and no session", h, r.Status, r.Header["Set-Cookie"])
			}
		}
		r = do(t, base, request{Method: "POST", Path: "/login", Body: form("handlaggare", "wrong-password-1"), ContentType: formType})
		if r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "Fel användarnamn eller lösenord.") || cookieNamed(r, "trygg_session") != nil {
			t.Errorf("wrong password: %d, %v\n%s", r.Status, r.Header["Set-Cookie"], r.Body)
		}
		if got := eventsAfter(t, base, tok["admin"], seq); len(got) > 0 {
			t.Errorf("refused sign-ins wrote events %v", eventTypes(got))
		}

		r = do(t, base, request{Method: "POST", Path: "/login", Body: form("handlaggare", demo.Password), ContentType: formType,
			Header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			t.Fatalf("sign-in: %d to %q, want 303 to /; body %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		c := cookieNamed(r, "trygg_session")
		if c == nil || c.Value == "" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v, want a Secure, HttpOnly, SameSite=Lax one", c)
		}
		// An http client keeps Secure cookies to https; send it by hand.
		// Home sends an officer to the inbox.
		if r := do(t, base, request{Method: "GET", Path: "/", Header: map[string]string{"Cookie": "trygg_session=" + c.Value}}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/inbox" {
			t.Errorf("home for an officer: %d to %q, want 303 to /inbox", r.Status, r.Header.Get("Location"))
		}
		home := do(t, base, request{Method: "GET", Path: "/inbox", Header: map[string]string{"Cookie": "trygg_session=" + c.Value}})
		home.expect(t, http.StatusOK, nil)
		if !strings.Contains(string(home.Body), "Hanna Handläggare") {
			t.Errorf("the home page does not name the user:\n%s", home.Body)
		}
		var me struct {
			User struct {
				Username string `json:"username"`
			} `json:"user"`
		}
		do(t, base, request{Method: "GET", Path: "/api/v1/me", Token: c.Value}).expect(t, http.StatusOK, &me)
		if me.User.Username != "handlaggare" {
			t.Errorf("the cookie's session is %q's", me.User.Username)
		}
		evs := eventsAfter(t, base, tok["admin"], seq)
		if got := eventTypes(evs); !slices.Equal(got, []string{"user.signed_in"}) {
			t.Errorf("events %v, want user.signed_in", got)
		}
		if len(evs) > 0 {
			seq = evs[len(evs)-1].Seq
		}

		// Signing out through the API ends the session.
		do(t, base, request{Method: "DELETE", Path: "/api/v1/session", Token: c.Value}).expect(t, http.StatusNoContent, nil)
		if r := do(t, base, request{Method: "GET", Path: "/api/v1/me", Token: c.Value}); r.Status != http.StatusUnauthorized {
			t.Errorf("after sign-out: %d %s", r.Status, r.Body)
		}
		evs = eventsAfter(t, base, tok["admin"], seq)
		if got := eventTypes(evs); !slices.Equal(got, []string{"user.signed_out"}) {
			t.Errorf("events %v, want user.signed_out", got)
		}
		if len(evs) > 0 {
			seq = evs[len(evs)-1].Seq
		}
	})

	t.Run("commands", func(t *testing.T) {
		dbFlags := append([]string{"--data", data}, dbArgs...)
		out, _, err := runCmd(t, nil, append([]string{"migrate"}, dbFlags...)...)
		if err != nil || !strings.Contains(out, "schema is up to date") {
			t.Errorf("migrate on an up-to-date database: %v\n%s", err, out)
		}
		out, _, err = runCmd(t, nil, append([]string{"audit", "verify"}, dbFlags...)...)
		if err != nil || !strings.Contains(out, "tenant demo:") || !strings.Contains(out, "chain verified") {
			t.Errorf("audit verify: %v\n%s", err, out)
		}
		_, _, err = runCmd(t, nil, append([]string{"serve", "--addr", "127.0.0.1:0"}, dbFlags...)...)
		if err == nil || !strings.Contains(err.Error(), "demo municipality") || !strings.Contains(err.Error(), "--demo") {
			t.Errorf("serve without --demo on the demo database: %v, want a refusal that explains", err)
		}

		// A new, empty database.
		empty := t.TempDir()
		emptyFlags := append([]string{"--data", empty}, eng.dbArgs(t)...)
		_, _, err = runCmd(t, nil, append([]string{"serve", "--addr", "127.0.0.1:0"}, emptyFlags...)...)
		if err == nil || !strings.Contains(err.Error(), "trygg init") {
			t.Errorf("serve on an empty database: %v, want a refusal that mentions 'trygg init'", err)
		}
		initArgs := append([]string{"init", "--tenant", "lillby", "--name", "Lillby kommun", "--code", "0123", "--admin", "sigrid"}, emptyFlags...)
		_, _, err = runCmd(t, nil, initArgs...)
		if err == nil || !strings.Contains(err.Error(), "TRYGG_ADMIN_PASSWORD") {
			t.Errorf("init without a password: %v, want a refusal that names TRYGG_ADMIN_PASSWORD", err)
		}
		_, _, err = runCmd(t, map[string]string{"TRYGG_ADMIN_PASSWORD": "short"}, initArgs...)
		if err == nil {
			t.Error("init accepted a 5-character password")
		}
		const password = "a long enough secret 1"
		out, _, err = runCmd(t, map[string]string{"TRYGG_ADMIN_PASSWORD": password}, initArgs...)
		if err != nil || !strings.Contains(out, "created tenant lillby") {
			t.Fatalf("init: %v\n%s", err, out)
		}
		own := startServer(t, nil, emptyFlags...)
		logs["initialised server"] = own.Stderr
		if r := do(t, own.URL, request{Method: "POST", Path: "/api/v1/session", Body: `{"username":"handlaggare","password":"` + demo.Password + `"}`}); r.Status != http.StatusUnauthorized {
			t.Errorf("a demo account signs in on a real tenant: %d", r.Status)
		}
		token := signIn(t, own.URL, "sigrid", password)
		var me struct {
			Tenant string `json:"tenant"`
			Grants []struct {
				Role string `json:"role"`
			} `json:"grants"`
		}
		do(t, own.URL, request{Method: "GET", Path: "/api/v1/me", Token: token}).expect(t, http.StatusOK, &me)
		if me.Tenant != "lillby" || len(me.Grants) != 1 || me.Grants[0].Role != "systemforvaltare" {
			t.Errorf("the first administrator: %+v", me)
		}
		evs := eventsAfter(t, own.URL, token, 0)
		if got := eventTypes(evs); len(got) == 0 || got[0] != "tenant.created" || got[len(got)-1] != "user.signed_in" {
			t.Errorf("the new tenant's events: %v", got)
		}
		own.stop()
	})

	srv.stop()
	idle.stop()
	for name, log := range logs {
		checkNoIdentityNumbers(t, name, log.String(), registry)
	}
}

// caseDoc is a case as the API shows it.
// openCaseOver opens a case of caseType in unit norra-ao for personID
// through the API at base, as the writers of the crash and many-servers
// tests do: the case's id when the answer is 201 Created with one, else
// "" with the status and body (err when no answer came).
func openCaseOver(client *http.Client, base, token, personID, caseType, title string) (id string, status int, body []byte, err error) {
	in, _ := json.Marshal(map[string]string{"person_id": personID, "unit_id": "norra-ao", "case_type": caseType, "title": title})
	req, _ := http.NewRequest("POST", base+"/api/v1/cases", bytes.NewReader(in))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, nil, err
	}
	body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", resp.StatusCode, nil, err
	}
	var c caseDoc
	if resp.StatusCode == http.StatusCreated && json.Unmarshal(body, &c) == nil {
		id = c.ID
	}
	return id, resp.StatusCode, body, nil
}

type caseDoc struct {
	ID         string `json:"id"`
	PersonID   string `json:"person_id"`
	UnitID     string `json:"unit_id"`
	CaseType   string `json:"case_type"`
	Title      string `json:"title"`
	Status     string `json:"status"`
	AssignedTo string `json:"assigned_to"`
	OpenedAt   string `json:"opened_at"`
}

// personView is a person as the API shows it.
type personView struct {
	ID             string `json:"id"`
	GivenName      string `json:"given_name"`
	FamilyName     string `json:"family_name"`
	IdentityNumber string `json:"identity_number"`
	Address        struct {
		Street string `json:"street"`
	} `json:"address"`
	Ground    string `json:"access_ground"`
	Relations []struct {
		FromPersonID string `json:"from_person_id"`
		ToPersonID   string `json:"to_person_id"`
		Kind         string `json:"kind"`
	} `json:"relations"`
	Cases []caseDoc `json:"cases"`
}

func cookieNamed(r reply, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// searchVisible returns ids of persons the officer may see, found by
// searching common family-name initials.
func searchVisible(t testing.TB, base, token string) []string {
	t.Helper()
	var ids []string
	for _, prefix := range []string{"a", "b", "d", "e", "g", "h", "j", "k", "l", "n", "o", "p", "s", "w", "y"} {
		var res struct {
			Persons []struct {
				ID string `json:"id"`
			} `json:"persons"`
		}
		do(t, base, request{Method: "POST", Path: "/api/v1/persons/search", Token: token, Body: `{"query":"` + prefix + `","limit":100}`}).
			expect(t, http.StatusOK, &res)
		for _, p := range res.Persons {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		t.Fatal("the officer can see nobody")
	}
	return ids
}
