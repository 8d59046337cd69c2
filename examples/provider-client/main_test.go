package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
	"github.com/trygg/trygg/packs"
)

// world is the demo municipality with the shipped packs, served in-process
// on a clock that stands still.
type world struct {
	t      *testing.T
	srv    *httptest.Server
	tokens map[string]string
	caseID string // the home-care journey case
}

func newWorld(t *testing.T, now time.Time) *world {
	t.Helper()
	db := storetest.Open(t, "sqlite", storetest.NewClock(now))
	svc := storetest.Service(t, db, nil)
	ds := demo.Generate(demo.Options{Persons: 80, Staff: 40, Today: now})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	if _, err := svc.LoadDemo(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Config{DefaultTenant: demo.TenantID}, svc, slog.New(slog.DiscardHandler), prometheus.NewRegistry()))
	t.Cleanup(srv.Close)
	w := &world{t: t, srv: srv, tokens: map[string]string{}}
	for _, c := range ds.Cases {
		if c.Journey && c.CaseType == "ibic_sol_aldre" {
			w.caseID = c.ID
		}
	}
	if w.caseID == "" {
		t.Fatal("the demo has no home-care journey case")
	}
	return w
}

// call sends a JSON request as a demo user and decodes the answer into
// out, failing the test unless the status is want.
func (w *world) call(user, method, path string, body any, want int, out any) {
	w.t.Helper()
	if w.tokens[user] == "" {
		var sess struct{ Token string }
		w.send("", "POST", "/api/v1/session", map[string]string{"username": user, "password": demo.Password}, http.StatusCreated, &sess)
		w.tokens[user] = sess.Token
	}
	w.send(w.tokens[user], method, path, body, want, out)
}

func (w *world) send(token, method, path string, body any, want int, out any) {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, w.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		w.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			w.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// orderHomeCare takes the demo's home-care journey case from application
// to orders (home care and an alarm) sent to a new provider, and returns
// the provider's id.
func (w *world) orderHomeCare(today string) string {
	w.t.Helper()
	c := "/api/v1/cases/" + w.caseID
	fill := func(form string, values map[string]any) {
		w.call("handlaggare", "PUT", c+"/forms/"+form, map[string]any{"values": values}, http.StatusOK, nil)
		w.call("handlaggare", "POST", c+"/forms/"+form+"/signature", nil, http.StatusOK, nil)
	}
	move := func(transition string) {
		w.call("handlaggare", "POST", c+"/transitions", map[string]string{"transition": transition}, http.StatusOK, nil)
	}
	fill("ibic_ansokan", map[string]any{"applicant_kind": "self", "applied_sol": []string{"hemtjanst_omvardnad", "trygghetslarm"},
		"own_description": "Klarar inte duschen efter fallet."})
	move("start_investigation")
	fill("ibic_utredning", map[string]any{
		"needs_assessment": []map[string]any{{"code": "d510", "qualifier": 3, "text": "Behöver hjälp att duscha."},
			{"code": "d540", "qualifier": 2, "text": "Behöver hjälp med strumpor."}},
		"own_view": "Vill bo kvar hemma.",
		"goals": []map[string]any{{"need": "d510", "goal": "Duschar tryggt två gånger i veckan.", "follow_up_by": "2026-04-01"},
			{"need": "d540", "goal": "Klär sig själv på morgonen.", "follow_up_by": "2026-04-01"}},
	})
	move("to_decision")
	var provider struct{ ID string }
	w.call("admin", "POST", "/api/v1/providers", map[string]any{"name": "Exempelomsorg AB", "kind": "external", "org_number": "5598765435",
		"insatser": []string{"hemtjanst_omvardnad", "trygghetslarm"}, "areas": []string{"norra-omr"}}, http.StatusCreated, &provider)
	var ds struct {
		Decisions []struct {
			ID, Insats, Outcome string
			LegalBasis          string `json:"legal_basis"`
		}
	}
	w.call("handlaggare", "GET", c+"/decisions", nil, http.StatusOK, &ds)
	for _, d := range ds.Decisions {
		w.call("handlaggare", "PUT", c+"/decisions/"+d.ID, map[string]any{"insats": d.Insats, "outcome": d.Outcome, "legal_basis": d.LegalBasis,
			"valid_from": today, "amount": 2400, "justification": "Utredningen visar behovet."}, http.StatusOK, nil)
		w.call("handlaggare", "POST", c+"/decisions/"+d.ID+"/finalisation", nil, http.StatusOK, nil)
		w.call("handlaggare", "PUT", c+"/decisions/"+d.ID+"/provider", map[string]string{"provider_id": provider.ID}, http.StatusOK, nil)
	}
	move("order")
	return provider.ID
}

// TestRunTwiceReportsOnce runs the client against a real server: the first
// run accepts the new orders and reports the day's visits; running it again
// for the same day, and once more with its state lost, sends the same batch
// key and nothing is counted twice.
func TestRunTwiceReportsOnce(t *testing.T) {
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) // a Monday
	today := now.Format(time.DateOnly)
	w := newWorld(t, now)
	provider := w.orderHomeCare(today)
	var cl struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	w.call("admin", "POST", "/api/v1/providers/"+provider+"/clients", map[string]string{"name": "Exempelklienten"}, http.StatusCreated, &cl)

	env := map[string]string{"TRYGG_URL": w.srv.URL, "TRYGG_CLIENT_ID": cl.ClientID, "TRYGG_CLIENT_SECRET": cl.ClientSecret}
	dir := t.TempDir()
	runClient := func(state string) string {
		t.Helper()
		var out, errOut strings.Builder
		args := []string{"-state", filepath.Join(dir, state), "-day", today}
		if err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut); err != nil {
			t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
		}
		t.Logf("provider-client %s:\n%s", strings.Join(args, " "), out.String())
		return out.String()
	}

	first := runClient("state.json")
	if got := strings.Count(first, " accepted from "+today); got != 2 {
		t.Errorf("the first run accepted %d orders, want 2:\n%s", got, first)
	}
	if !strings.Contains(first, "reported 2 visits on "+today) {
		t.Errorf("the first run did not report the day's two visits:\n%s", first)
	}
	again := runClient("state.json")
	if strings.Contains(again, "accepted from") || !strings.Contains(again, "replayed, nothing counted twice") {
		t.Errorf("the second run:\n%s", again)
	}
	lost := runClient("other-state.json") // reads the feed from the start
	if strings.Contains(lost, "accepted from") || !strings.Contains(lost, "replayed, nothing counted twice") {
		t.Errorf("the run with its state lost:\n%s", lost)
	}
	key := func(out string) string {
		_, rest, _ := strings.Cut(out, "batch ")
		k, _, _ := strings.Cut(rest, " ")
		return k
	}
	if key(first) == "" || key(again) != key(first) || key(lost) != key(first) {
		t.Errorf("batch keys: %q, %q, %q; want one key", key(first), key(again), key(lost))
	}

	// The provider's basis for payment counts each visit once.
	var basis struct {
		Rows []struct {
			Visits  int `json:"visits"`
			Minutes int `json:"minutes"`
		} `json:"rows"`
	}
	w.call("arbetsledare", "GET", "/api/v1/providers/"+provider+"/payment-basis?month=2026-01", nil, http.StatusOK, &basis)
	if len(basis.Rows) != 2 {
		t.Fatalf("payment basis rows: %+v", basis.Rows)
	}
	for _, r := range basis.Rows {
		if r.Visits != 1 || r.Minutes != 45 {
			t.Errorf("an order's month: %+v, want one visit of 45 minutes", r)
		}
	}
}
