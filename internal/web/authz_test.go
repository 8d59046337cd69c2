package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
)

// syncWriter collects the server's log lines.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

var pathParam = regexp.MustCompile(`\{[a-z]+\}`)

// TestCitizenCannotReachAnotherPersonsRecords tries, as the citizen
// "invanare", every route of the table that takes an id — portal pages,
// staff pages and the JSON API — with the ids of another citizen's
// records: the journey-1 mother (represented by "dotter"), her case with
// its decisions, a journal note and an order. Every attempt must be
// refused (404, or 403 where the route is for another role altogether),
// and each refusal is logged with the user's id and the route, never the
// ids. A new route with an id this test cannot fill fails it: add the id.
func TestCitizenCannotReachAnotherPersonsRecords(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			logs := &syncWriter{}
			w := newPackWorldLog(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80, slog.New(slog.NewTextHandler(logs, nil)))
			journey := w.journeyCase("ibic_sol_aldre")
			c := journey.ID
			// The other citizen's records: an application, draft and final
			// decisions, a journal note, an order to a provider.
			w.applyForHomeCare(c)
			w.investigateHomeCare(c, "Duschen.")
			final := w.decide("handlaggare", c, func(d *apiDecision) map[string]any {
				if d.Insats == "hemtjanst_omvardnad" {
					return map[string]any{"amount": 2400}
				}
				return nil
			})
			prov := w.registerProvider(map[string]any{"name": "Testomsorg Norr AB", "kind": "external", "org_number": "5598765435",
				"insatser": []string{"hemtjanst_omvardnad", "trygghetslarm"}, "areas": []string{"norra-omr"}})
			for _, d := range final {
				w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+d.ID+"/provider", map[string]string{"provider_id": prov}, http.StatusOK, nil)
			}
			w.move("handlaggare", c, "order")
			var orders struct {
				Orders []struct{ Order struct{ ID string } }
			}
			w.call("handlaggare", "GET", "/api/v1/cases/"+c+"/orders", nil, http.StatusOK, &orders)
			var note struct{ ID string }
			w.call("handlaggare", "POST", "/api/v1/cases/"+c+"/notes", map[string]string{"body": "Hembesök."}, http.StatusCreated, &note)

			ids := map[string]string{
				"persons":    journey.PersonID,
				"cases":      c,
				"orders":     orders.Orders[0].Order.ID,
				"report":     orders.Orders[0].Order.ID, // /provider/report/{id} is an order
				"providers":  prov,
				"reports":    "ej_verkstallda_beslut",
				"decision":   final[0].ID,
				"note":       note.ID,
				"form":       "ibic_ansokan",
				"client":     "malmo.00000000-0000-0000-0000-000000000000",
				"version":    "1",
				"case-types": "ibic_sol_aldre",
			}
			// Her application sent online, its attachment, a booking
			// (portal_apply_test.go).
			for k, v := range w.applyAuthzIDs(journey) {
				ids[k] = v
			}
			// fill puts the other citizen's ids into a route pattern: {id}
			// by the segment before it, the others by their own name.
			fill := func(pattern string) (string, bool) {
				segs := strings.Split(pattern, "/")
				for i, s := range segs {
					if !pathParam.MatchString(s) {
						continue
					}
					key := strings.Trim(s, "{}")
					if key == "id" && i > 0 {
						key = segs[i-1]
					}
					v, ok := ids[key]
					if !ok {
						return pattern, false
					}
					segs[i] = v
				}
				return strings.Join(segs, "/"), true
			}
			// Bodies good enough to get past the shape checks, by the
			// route's last fixed segment, so that the access decision is
			// what answers.
			bodies := map[string]map[string]any{
				"transitions":  {"transition": "start_investigation"},
				"forms":        {"values": map[string]any{}},
				"notes":        {"body": "x"},
				"decisions":    {"insats": "trygghetslarm", "outcome": "granted", "legal_basis": "SoL 4 kap. 1 §", "justification": "x"},
				"executions":   {"kind": "executed", "on": "2026-01-05"},
				"provider":     {"provider_id": prov},
				"acceptance":   {"start_date": "2026-01-05"},
				"return":       {"reason": "x"},
				"plans":        {"participation": "took_part", "items": []map[string]any{{"goal": 0, "code": "d510", "activity": "x", "when": "x", "who": "x"}}},
				"performed":    {"on": "2026-01-05", "minutes": 30, "activities": []string{"d510"}},
				"follow-ups":   {"goals": []map[string]any{{"goal": 0, "status": "partly", "qualifier": 2}}},
				"assignment":   {"user_id": "u"},
				"clients":      {"name": "x"},
				"migration":    {},
				"signature":    {},
				"finalisation": {},
			}
			bodyFor := func(pattern string) map[string]any {
				segs := strings.Split(pattern, "/")
				for i := len(segs) - 1; i >= 0; i-- {
					if !pathParam.MatchString(segs[i]) {
						if b, ok := bodies[segs[i]]; ok {
							return b
						}
						break
					}
				}
				if strings.HasSuffix(pattern, "{decision}") {
					return bodies["decisions"]
				}
				if strings.HasSuffix(pattern, "{note}") {
					return bodies["notes"]
				}
				if strings.HasSuffix(pattern, "{form}") {
					return bodies["forms"]
				}
				return map[string]any{}
			}
			// Not personal data, and open to every signed-in user: the
			// published process definitions.
			public := map[string]bool{"GET /api/v1/definitions/{version}": true}

			// First another citizen, on every route; then the mother's own
			// representative ("dotter") on the staff pages and the API: the
			// case as the staff see it (drafts, the investigation, notes,
			// orders) is not the person's to read that way; Mina sidor is.
			// Reading the person herself through the API is hers.
			own := map[string]bool{"GET /api/v1/persons/{id}": true, "GET /persons/{id}": true}
			tried := 0
			for _, pass := range []struct {
				user string
				skip func(web.RouteInfo) bool
			}{
				{"invanare", func(web.RouteInfo) bool { return false }},
				{"dotter", func(rt web.RouteInfo) bool {
					return strings.HasPrefix(rt.Path, "/portal") || own[rt.Method+" "+rt.Path]
				}},
			} {
				w.call(pass.user, "GET", "/api/v1/me", nil, http.StatusOK, nil)
				token := w.tokens[pass.user]
				for _, rt := range web.Routes() {
					if rt.Method == "" || !pathParam.MatchString(rt.Path) || strings.HasPrefix(rt.Path, "/static/") || strings.Contains(rt.Path, "{$}") ||
						public[rt.Method+" "+rt.Path] || pass.skip(rt) {
						continue
					}
					path, ok := fill(rt.Path)
					if !ok {
						t.Errorf("%s %s: the test has no id of the other citizen's for this route; add one", rt.Method, rt.Path)
						continue
					}
					var rd io.Reader
					ctype := ""
					if rt.Method == "POST" || rt.Method == "PUT" {
						body := bodyFor(rt.Path)
						if rt.API {
							b, _ := json.Marshal(body)
							rd, ctype = bytes.NewReader(b), "application/json"
						} else {
							form := url.Values{}
							for k, v := range body {
								if s, ok := v.(string); ok {
									form.Set(k, s)
								}
							}
							rd, ctype = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
						}
					}
					// Queries some reads require, so they are not refused for
					// their shape.
					req, err := http.NewRequest(rt.Method, w.srv.URL+path+"?month=2026-01&period=2026-Q1", rd)
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Authorization", "Bearer "+token)
					if ctype != "" {
						req.Header.Set("Content-Type", ctype)
					}
					resp, err := w.srv.Client().Transport.RoundTrip(req)
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					tried++
					if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
						t.Errorf("%s %s as %s: status %d, want 404 or 403: %.300s", rt.Method, rt.Path, pass.user, resp.StatusCode, b)
					}
				}
			}
			if tried < 50 {
				t.Fatalf("tried only %d routes", tried)
			}
			// Every refusal is in the log with the user's id and the route
			// pattern, and no id of the other citizen's is in the log.
			out := logs.String()
			if n := strings.Count(out, `msg="access refused"`); n < tried {
				t.Errorf("%d refusals logged for %d attempts", n, tried)
			}
			for k, v := range ids {
				if len(v) > 12 && strings.Contains(out, v) {
					t.Errorf("the log holds the %s id", k)
				}
			}
			// Nothing changed: the case is where the officer left it.
			if s := w.step("handlaggare", c); s != "implementation" {
				t.Errorf("the case moved to %s", s)
			}
		})
	}
}
