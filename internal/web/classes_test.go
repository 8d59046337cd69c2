package web_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
)

// foreignWorld is a demo municipality where journey 1's mother has records
// of every kind — an application sent online with an attachment, draft and
// final decisions, a journal note, an order to a provider of its own, a
// booking — for tests that try them as someone who may not see them.
type foreignWorld struct {
	w        *packWorld
	caseID   string
	person   persons.Person
	prov     string
	ids      map[string]string // a route's id by the name fillRoute looks for
	orderID  string
	noteID   string
	decision string
}

func newForeignWorld(t *testing.T, engine string, log *slog.Logger) *foreignWorld {
	t.Helper()
	w := newPackWorldLog(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80, log)
	journey := w.journeyCase("ibic_sol_aldre")
	c := journey.ID
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
	f := &foreignWorld{w: w, caseID: c, prov: prov, orderID: orders.Orders[0].Order.ID, noteID: note.ID, decision: final[0].ID}
	for _, p := range w.ds.Persons {
		if p.ID == journey.PersonID {
			f.person = p
		}
	}
	f.ids = map[string]string{
		"persons":    journey.PersonID,
		"cases":      c,
		"orders":     f.orderID,
		"report":     f.orderID, // /provider/report/{id} is an order
		"providers":  prov,
		"reports":    "ej_verkstallda_beslut",
		"decision":   f.decision,
		"note":       f.noteID,
		"form":       "ibic_ansokan",
		"client":     "malmo.00000000-0000-0000-0000-000000000000",
		"version":    "1",
		"case-types": "ibic_sol_aldre",
		"caseType":   "ibic_sol_aldre",
	}
	// A recovery debt on her case (recovery_page_test.go).
	f.ids["debt"] = w.recoveryDebt(c)
	// Her application sent online, its attachment, a booking
	// (portal_apply_test.go).
	for k, v := range w.applyAuthzIDs(journey) {
		f.ids[k] = v
	}
	// A legacy export's folder (legacy_page_test.go).
	f.ids["export"] = "S"
	// A subscription to the event log (subscriptions_page_test.go).
	for k, v := range w.subscriptionAuthzIDs() {
		f.ids[k] = v
	}
	// The letter of her final decision, in the print queue
	// (letters_page_test.go).
	for k, v := range w.letterAuthzIDs("handlaggare", c) {
		f.ids[k] = v
	}
	// A retention preview (retention_page_test.go).
	for k, v := range w.retentionAuthzIDs() {
		f.ids[k] = v
	}
	// Her payee and its account change (payees_page_test.go).
	for k, v := range w.payeeAuthzIDs(journey.PersonID) {
		f.ids[k] = v
	}
	// A paying case of hers, its payment line sent in a run
	// (payments_page_test.go).
	for k, v := range w.paymentAuthzIDs("handlaggare", journey.PersonID, journey.UnitID) {
		f.ids[k] = v
	}
	return f
}

var pathParam = regexp.MustCompile(`\{[a-zA-Z]+\}`)

// fillRoute puts ids into a route pattern: {id} by the segment before it,
// the others by their own name. It reports false if an id is missing.
func fillRoute(pattern string, ids map[string]string) (string, bool) {
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

// routeBody returns a body good enough to get past a route's shape checks,
// by the route's last fixed segment, so that the access decision is what
// answers.
func routeBody(pattern, prov string) map[string]any {
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
	segs := strings.Split(pattern, "/")
	for i := len(segs) - 1; i >= 0; i-- {
		if !pathParam.MatchString(segs[i]) {
			if b, ok := bodies[segs[i]]; ok {
				return b
			}
			break
		}
	}
	switch {
	case strings.HasSuffix(pattern, "{decision}"):
		return bodies["decisions"]
	case strings.HasSuffix(pattern, "{note}"):
		return bodies["notes"]
	case strings.HasSuffix(pattern, "{form}"):
		return bodies["forms"]
	}
	return map[string]any{}
}

// routeRequest sends a request to path as the route expects it — a JSON
// body for the API, a form for the pages — with the bearer token (none
// when it is ""), and returns the status and body. Queries some reads
// require are added so they are not refused for their shape.
func (w *packWorld) routeRequest(token string, rt web.RouteInfo, path string, body map[string]any) (int, []byte) {
	w.t.Helper()
	var rd io.Reader
	ctype := ""
	if rt.Method == "POST" || rt.Method == "PUT" {
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
	req, err := http.NewRequest(rt.Method, w.srv.URL+path+"?month=2026-01&period=2026-Q1", rd)
	if err != nil {
		w.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := w.srv.Client().Transport.RoundTrip(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// token signs the demo user in once and returns their bearer token.
func (w *packWorld) tokenOf(user string) string {
	w.t.Helper()
	w.call(user, "GET", "/api/v1/me", nil, http.StatusOK, nil)
	return w.tokens[user]
}

// eventsAfter returns every event after the sequence number.
func (w *packWorld) eventsAfter(after int64) []events.Event {
	w.t.Helper()
	var out []events.Event
	for {
		evs, err := w.db.Events(w.t.Context(), demo.TenantID, after, 1000)
		if err != nil {
			w.t.Fatal(err)
		}
		if len(evs) == 0 {
			return out
		}
		out = append(out, evs...)
		after = evs[len(evs)-1].Seq
	}
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// notRecords are path parameters that name no one's record: case types,
// forms, definition versions, reports, registers and the analysis
// store's tables are the same for everybody.
var notRecords = map[string]bool{"{caseType}": true, "{form}": true, "{version}": true, "{table}": true}

// namesRecord reports whether a route's path names a record by id.
func namesRecord(pattern string) bool {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if !pathParam.MatchString(s) || notRecords[s] {
			continue
		}
		if s == "{id}" && i > 0 && (segs[i-1] == "reports" || segs[i-1] == "registers" || segs[i-1] == "case-types") {
			continue
		}
		return true
	}
	return false
}

var uuidLike = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// outsiders are who try the foreign records: an officer of another unit
// of the same district, a citizen who is neither the person nor acts for
// her, a provider's staff member whose provider has no order for her, and
// the team lead of another district's economic assistance (sodra-eb.7,
// the demo's team lead of sodra-eb), who makes payment runs of her own.
var outsiders = []string{"utredare", "invanare", "utforare", "sodra-eb.7"}

// TestInvisibleAnswersLikeMissing asks every route with an id in its path,
// as each outsider, once with the ids of records that exist but that they
// may not see and once with ids that exist nowhere: status and body must
// be the same (the ids themselves aside), so no answer tells whether a
// record exists, is protected, or is someone's. A new route with an id
// this test cannot fill fails it: add the id.
func TestInvisibleAnswersLikeMissing(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			f := newForeignWorld(t, engine, slog.New(slog.DiscardHandler))
			w := f.w
			// A twin of every id that names no record: uuids made anew,
			// names of definitions and reports kept (they are not secret).
			missing := map[string]string{}
			for k, v := range f.ids {
				missing[k] = uuidLike.ReplaceAllStringFunc(v, func(string) string { return newUUID() })
			}
			normalise := func(b []byte, ids map[string]string) string {
				s := string(b)
				for _, v := range ids {
					if uuidLike.MatchString(v) {
						s = strings.ReplaceAll(s, v, "{id}")
					}
				}
				return s
			}
			public := map[string]bool{"GET /api/v1/definitions/{version}": true}
			// A provider's basis for payment is, for a team lead, a list
			// filtered to the orders of her units: another district's team
			// lead gets it without a row of the foreign person's, which
			// must not name her.
			filtered := map[string]bool{"GET /api/v1/providers/{id}/payment-basis": true, "GET /api/v1/providers/{id}/payment-basis/csv": true}
			tried := 0
			for _, user := range outsiders {
				token := w.tokenOf(user)
				for _, rt := range web.Routes() {
					if rt.Method == "" || !namesRecord(rt.Path) || public[rt.Method+" "+rt.Path] {
						continue
					}
					real, ok := fillRoute(rt.Path, f.ids)
					if !ok {
						t.Errorf("%s %s: the test has no id for this route; add one", rt.Method, rt.Path)
						continue
					}
					none, _ := fillRoute(rt.Path, missing)
					body := routeBody(rt.Path, f.prov)
					s1, b1 := w.routeRequest(token, rt, real, body)
					s2, b2 := w.routeRequest(token, rt, none, body)
					tried++
					if user == "sodra-eb.7" && filtered[rt.Method+" "+rt.Path] {
						if s1 >= 400 || bytes.Contains(b1, []byte(f.person.FamilyName)) || bytes.Contains(b1, []byte(f.person.Identity.String())) {
							t.Errorf("%s %s as %s: %d %.200q, want her units' rows alone", rt.Method, rt.Path, user, s1, b1)
						}
						continue
					}
					if s1 < 400 {
						t.Errorf("%s %s as %s: status %d for records the user may not see", rt.Method, rt.Path, user, s1)
					}
					if s1 != s2 || normalise(b1, f.ids) != normalise(b2, missing) {
						t.Errorf("%s %s as %s: hidden %d %.200q, missing %d %.200q: the answers differ", rt.Method, rt.Path, user, s1, b1, s2, b2)
					}
				}
			}
			if tried < 3*50 {
				t.Fatalf("tried only %d routes", tried)
			}
		})
	}
}

// bodyIDs are the write routes that name a person, case, order or slot in
// their body (not their path), with a body naming the foreign record;
// namesNoRecord are the write routes that name none, by path alone.
// Registering in the staff pages (POST /cases) names the person by id
// here; the page for an identity number (POST /persons/registration)
// shows what the registry says and writes nothing; registering by number
// is the explicit path (TestRegisteringIsNoWayToRead, internal/service).
// TestWritesAreNoWayToRead fails on a write route in neither.
func bodyIDs(f *foreignWorld) map[string]map[string]any {
	p := f.person.ID
	return map[string]map[string]any{
		"POST /api/v1/cases": {"person_id": p, "unit_id": "norra-bou", "case_type": demo.CaseType("bou"), "title": "Orosanmälan"},
		// The relation both ways: the foreign person acted for, and the
		// foreign person acting (over the officer's own journey-2 child).
		"POST /api/v1/relations":          {"from_person_id": p, "to_person_id": f.ids["child"], "kind": "representative"},
		"POST /api/v1/performed-batches":  {"key": "k1", "entries": []map[string]any{{"order_id": f.orderID, "on": "2026-01-05", "minutes": 30, "activities": []string{"d510"}}}},
		"POST /api/v1/users":              {"username": "klon", "display_name": "Klon", "person_id": p, "grants": []map[string]any{{"role": "invanare", "unit_id": "soc"}}},
		"POST /api/v1/persons":            {"identity_number": f.person.Identity.String(), "unit_id": "norra-bou"},
		"POST /api/v1/persons/search":     {"query": f.person.Identity.String()},
		"POST /cases":                     {"person_id": p, "choice": "norra-bou " + demo.CaseType("bou"), "received_date": ""},
		"POST /persons/registration":      {"identity_number": f.person.Identity.String()},
		"POST /payees":                    {"category": "person", "person_id": p, "kind": "bankgiro", "account_number": "5050-1055"},
		"POST /payments/attest":           {"lines": f.ids["lines"]},
		"POST /persons/search":            {"query": f.person.Identity.String()},
		"POST /portal/act-for":            {"person_id": p},
		"POST /provider/report/shift":     {"on": "2026-01-05", "key": "k2", "rows.0.order": f.orderID, "rows.0.minutes": "30", "rows.0.activities": "d510"},
		"POST /portal/bookings":           {"case": f.caseID, "slot": f.ids["slots"]},
		"POST /access-log/person":         {"identity_number": f.person.Identity.String()},
		"POST /archive/deliveries":        {"older_than_years": "1", "split": "personakt"}, // archivists only: every closed case, hers too
		"POST /retention/previews":        {},                                              // archivists only: every case due, hers too
		"POST /api/v1/relations#to":       {"from_person_id": f.ids["child"], "to_person_id": p, "kind": "representative"},
		"POST /api/v1/emergency-openings": nil, // the explicit path: reads by design, with a reason, reviewed first
		"POST /persons/emergency":         nil,
		// Only an alarm receiving centre posts alarms; it names a device,
		// which finds the order it is recorded on.
		"POST /api/v1/alarms": {"event_id": "e1", "alarm_id": "A1", "device_id": "TL-1", "status": "received", "at": "2026-01-05T09:00:00Z"},
	}
}

var namesNoRecord = map[string]bool{
	"POST /api/v1/session": true, "DELETE /api/v1/session": true, "POST /oauth/token": true,
	"POST /api/v1/units": true, "POST /api/v1/providers": true,
	"POST /api/v1/definitions": true, "POST /api/v1/definitions/validation": true, "PUT /api/v1/definitions/draft": true,
	"POST /api/v1/definitions/draft/publication": true,
	"POST /designer/draft":                       true, "POST /designer/draft/validation": true, "POST /designer/draft/publication": true,
	"POST /designer/preview": true, "POST /slots": true, "POST /login": true, "POST /logout": true, "POST /auth/test": true,
	"POST /portal/records/extract": true, // of the person acted for, chosen by act-for
	// The month's lines and a run of the units the team lead leads.
	"POST /payments/month": true, "POST /payments/runs": true,
	// An alarm receiving centre's client (system administrators only).
	"POST /api/v1/alarm-centres": true,
	// A subscription to the event log (system administrators only).
	"POST /api/v1/subscriptions": true, "POST /admin/subscriptions": true,
}

// TestWritesAreNoWayToRead runs every write route of the route table as
// each outsider, naming (in the path or the body) records they may not
// read, and then checks that nothing about them became readable or was
// changed by them: the person is still not found, not a search hit, not
// in the inbox or on Mina sidor, and the event log holds nothing the
// outsider did to her or her case. Opening by identity number and
// emergency opening are the explicit paths, tested on their own
// (TestOpeningACaseIsNoWayToRead in internal/service).
func TestWritesAreNoWayToRead(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			f := newForeignWorld(t, engine, slog.New(slog.DiscardHandler))
			w := f.w
			// The officer's own: the journey-2 child (utredare's case).
			child := w.journeyCase(demo.CaseType("bou"))
			f.ids["child"] = child.PersonID
			cursor := int64(0)
			for _, e := range w.eventsAfter(0) {
				cursor = e.Seq
			}
			bodies := bodyIDs(f)
			tried := 0
			for _, user := range outsiders {
				token := w.tokenOf(user)
				for _, rt := range web.Routes() {
					key := rt.Method + " " + rt.Path
					if rt.Method != "POST" && rt.Method != "PUT" && rt.Method != "DELETE" {
						continue
					}
					var reqs []map[string]any
					switch {
					case pathParam.MatchString(rt.Path):
						reqs = append(reqs, routeBody(rt.Path, f.prov))
					case namesNoRecord[key]:
						continue
					default:
						b, ok := bodies[key]
						if !ok {
							t.Errorf("%s: a write route the test does not know; add it to bodyIDs (with the foreign ids) or to namesNoRecord", key)
							continue
						}
						if b == nil {
							continue
						}
						reqs = append(reqs, b)
						if b2, ok := bodies[key+"#to"]; ok {
							reqs = append(reqs, b2)
						}
					}
					path, ok := fillRoute(rt.Path, f.ids)
					if !ok {
						t.Errorf("%s: the test has no id for this route; add one", key)
						continue
					}
					for _, body := range reqs {
						status, b := w.routeRequest(token, rt, path, body)
						tried++
						if status >= 500 {
							t.Errorf("%s as %s: status %d: %.300s", key, user, status, b)
						}
					}
				}

				// Nothing about her became readable to the outsider.
				var hits struct{ Persons []map[string]any }
				switch user {
				case "invanare":
					w.send(token, "GET", "/api/v1/persons/"+f.person.ID, nil, http.StatusNotFound, nil)
					var page []byte
					w.send(token, "GET", "/portal", nil, http.StatusOK, &page)
					if strings.Contains(string(page), f.person.FamilyName+", "+f.person.GivenName) || strings.Contains(string(page), f.person.GivenName+" "+f.person.FamilyName) {
						t.Errorf("after the writes Mina sidor of %s names the foreign person", user)
					}
				default:
					w.send(token, "GET", "/api/v1/persons/"+f.person.ID, nil, http.StatusNotFound, nil)
					w.send(token, "GET", "/api/v1/cases/"+f.caseID, nil, http.StatusNotFound, nil)
					if user == "utredare" {
						w.send(token, "POST", "/api/v1/persons/search", map[string]string{"query": f.person.Identity.String()}, http.StatusOK, &hits)
						if len(hits.Persons) != 0 {
							t.Errorf("after the writes %s finds the foreign person by identity number", user)
						}
						var inbox struct{ Cases []struct{ ID string } }
						w.send(token, "GET", "/api/v1/inbox?team=true", nil, http.StatusOK, &inbox)
						for _, c := range inbox.Cases {
							if c.ID == f.caseID {
								t.Errorf("after the writes the foreign case is in %s's team inbox", user)
							}
						}
					}
				}
			}
			if tried < 3*60 {
				t.Fatalf("tried only %d writes", tried)
			}

			// The outsiders changed nothing about her or her case.
			after := w.eventsAfter(cursor)
			outsider := map[string]bool{}
			for _, u := range w.ds.Users {
				for _, name := range outsiders {
					if u.Username == name {
						outsider[u.ID] = true
					}
				}
			}
			for _, e := range after {
				if !outsider[e.ActorID] {
					continue
				}
				if e.PersonID == f.person.ID || e.CaseID == f.caseID || bytes.Contains(e.Payload, []byte(f.person.ID)) ||
					bytes.Contains(e.Payload, []byte(f.caseID)) || bytes.Contains(e.Payload, []byte(f.orderID)) {
					t.Errorf("an outsider's write changed the foreign records: %s %s", e.Type, e.Payload)
				}
			}
		})
	}
}
