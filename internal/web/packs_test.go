package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
	"github.com/trygg/trygg/packs"
)

// packWorld is the demo municipality with the shipped packs published,
// served over HTTP on loopback, on a clock the test moves.
type packWorld struct {
	t      testing.TB
	srv    *httptest.Server
	svc    *service.Service
	db     *store.DB
	clock  *storetest.Clock
	ds     *demo.Dataset
	tokens map[string]string
	// passwords are the passwords of accounts a test made (the demo's
	// accounts have demo.Password).
	passwords map[string]string
}

func newPackWorld(t testing.TB, engine string, start time.Time, persons int) *packWorld {
	t.Helper()
	return newPackWorldLog(t, engine, start, persons, slog.New(slog.DiscardHandler))
}

// newPackWorldLog is newPackWorld with the server logging to log.
func newPackWorldLog(t testing.TB, engine string, start time.Time, persons int, log *slog.Logger) *packWorld {
	t.Helper()
	clock := storetest.NewClock(start)
	db := storetest.Open(t, engine, clock)
	svc := storetest.Service(t, db, nil)
	ds := demo.Generate(demo.Options{Persons: persons, Staff: 40, Today: start})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	if _, err := svc.LoadDemo(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	h := web.New(web.Config{DefaultTenant: demo.TenantID}, svc, log, prometheus.NewRegistry())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &packWorld{t: t, srv: srv, svc: svc, db: db, clock: clock, ds: ds, tokens: map[string]string{}, passwords: map[string]string{}}
}

// call sends a JSON request as the demo user (signing in the first time)
// and decodes the answer into out, failing the test unless the status is
// want.
func (w *packWorld) call(user, method, path string, body any, want int, out any) {
	w.t.Helper()
	token := w.tokens[user]
	if token == "" {
		var sess struct{ Token string }
		password := w.passwords[user]
		if password == "" {
			password = demo.Password
		}
		w.send("", "POST", "/api/v1/session", map[string]string{"username": user, "password": password}, http.StatusCreated, &sess)
		token, w.tokens[user] = sess.Token, sess.Token
	}
	w.send(token, method, path, body, want, out)
}

func (w *packWorld) send(token, method, path string, body any, want int, out any) {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			w.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.srv.URL+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
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
		if p, ok := out.(*[]byte); ok {
			*p = b
			return
		}
		if err := json.Unmarshal(b, out); err != nil {
			w.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// fill saves and signs a form of a case.
func (w *packWorld) fill(user, caseID, form string, values map[string]any) map[string]any {
	w.t.Helper()
	var view struct {
		State struct {
			Values map[string]any    `json:"values"`
			Errors map[string]string `json:"errors"`
		} `json:"state"`
	}
	w.call(user, "PUT", "/api/v1/cases/"+caseID+"/forms/"+form, map[string]any{"values": values}, http.StatusOK, &view)
	if len(view.State.Errors) > 0 {
		w.t.Fatalf("form %s: %v", form, view.State.Errors)
	}
	w.call(user, "POST", "/api/v1/cases/"+caseID+"/forms/"+form+"/signature", nil, http.StatusOK, nil)
	return view.State.Values
}

func (w *packWorld) move(user, caseID, transition string) {
	w.t.Helper()
	w.call(user, "POST", "/api/v1/cases/"+caseID+"/transitions", map[string]string{"transition": transition}, http.StatusOK, nil)
}

type apiDecision struct {
	ID, Insats, Outcome, Status, Calculation string
	LegalBasis                               string `json:"legal_basis"`
	ValidFrom                                string `json:"valid_from"`
	AppealBy                                 string `json:"appeal_by"`
	AppealNotice                             string `json:"appeal_notice"`
	Amount                                   int64
}

func (w *packWorld) decisions(user, caseID string) []apiDecision {
	w.t.Helper()
	var out struct{ Decisions []apiDecision }
	w.call(user, "GET", "/api/v1/cases/"+caseID+"/decisions", nil, http.StatusOK, &out)
	return out.Decisions
}

// decide completes and finalises every draft decision of the case.
func (w *packWorld) decide(user, caseID string, change func(d *apiDecision) map[string]any) []apiDecision {
	w.t.Helper()
	for _, d := range w.decisions(user, caseID) {
		if d.Status != "draft" {
			continue
		}
		body := map[string]any{"insats": d.Insats, "outcome": d.Outcome, "legal_basis": d.LegalBasis, "valid_from": d.ValidFrom,
			"amount": d.Amount, "justification": "Utredningen visar behovet."}
		if d.ValidFrom == "" {
			body["valid_from"] = w.today()
		}
		for k, v := range change(&d) {
			body[k] = v
		}
		w.call(user, "PUT", "/api/v1/cases/"+caseID+"/decisions/"+d.ID, body, http.StatusOK, nil)
		w.call(user, "POST", "/api/v1/cases/"+caseID+"/decisions/"+d.ID+"/finalisation", nil, http.StatusOK, nil)
	}
	return w.decisions(user, caseID)
}

// advance moves the clock; sessions idle that long have expired, so the
// users sign in again.
func (w *packWorld) advance(d time.Duration) {
	w.clock.Advance(d)
	clear(w.tokens)
}

func (w *packWorld) today() string { return w.clock.Now().Format(time.DateOnly) }

// openCase opens a case for the demo person with id as an officer does
// for a new report or application: by the person's identity number (a
// person id only opens cases for someone the officer can already read).
func (w *packWorld) openCase(user, personID, unit, caseType string) string {
	w.t.Helper()
	number := ""
	for _, p := range w.ds.Persons {
		if p.ID == personID {
			number = p.Identity.String()
		}
	}
	if number == "" {
		w.t.Fatalf("no demo person %s", personID)
	}
	var c struct{ ID string }
	w.call(user, "POST", "/api/v1/cases", map[string]string{"identity_number": number, "unit_id": unit, "case_type": caseType,
		"title": "Test"}, http.StatusCreated, &c)
	return c.ID
}

// journeyCase returns the journey case of a case type.
func (w *packWorld) journeyCase(caseType string) demo.Case {
	w.t.Helper()
	for _, c := range w.ds.Cases {
		if c.Journey && c.CaseType == caseType {
			return c
		}
	}
	w.t.Fatalf("no journey case of type %s", caseType)
	return demo.Case{}
}

// fire runs the timer loop's work once, as serve does every interval.
func (w *packWorld) fire() {
	w.t.Helper()
	if _, err := w.svc.FireDueTimers(context.Background(), demo.TenantID, 1000); err != nil {
		w.t.Fatal(err)
	}
}

// tasks returns the user's open tasks on a case as "kind deadline".
func (w *packWorld) tasks(user, caseID string) []string {
	w.t.Helper()
	var inbox struct {
		Tasks []struct {
			CaseID     string `json:"case_id"`
			Kind       string `json:"kind"`
			DeadlineID string `json:"deadline_id"`
		}
	}
	w.call(user, "GET", "/api/v1/inbox", nil, http.StatusOK, &inbox)
	var out []string
	for _, t := range inbox.Tasks {
		if t.CaseID == caseID {
			out = append(out, t.Kind+" "+t.DeadlineID)
		}
	}
	slices.Sort(out)
	return out
}

// timers returns the case's pending timers as "kind deadline due".
func (w *packWorld) timers(user, caseID string) []string {
	w.t.Helper()
	var p struct {
		Case   struct{ Step string }
		Timers []struct {
			DeadlineID string `json:"deadline_id"`
			Kind       string `json:"kind"`
			DueDate    string `json:"due_date"`
			Status     string `json:"status"`
		}
	}
	w.call(user, "GET", "/api/v1/cases/"+caseID+"/process", nil, http.StatusOK, &p)
	var out []string
	for _, t := range p.Timers {
		if t.Status == "pending" {
			out = append(out, t.Kind+" "+t.DeadlineID+" "+t.DueDate)
		}
	}
	slices.Sort(out)
	return out
}

func (w *packWorld) step(user, caseID string) string {
	w.t.Helper()
	var c struct{ Step string }
	w.call(user, "GET", "/api/v1/cases/"+caseID, nil, http.StatusOK, &c)
	return c.Step
}

const day = 24 * time.Hour

// TestHomeCareThroughTheAPI: an IBIC home-care case from application to
// the order to the provider, with the follow-up timer, execution records,
// and the unexecuted-decisions report at its edges.
func TestHomeCareThroughTheAPI(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) // a Monday
			w := newPackWorld(t, engine, t0, 80)
			c := w.journeyCase("ibic_sol_aldre").ID
			w.fill("handlaggare", c, "ibic_ansokan", map[string]any{"applicant_kind": "representative", "representative_name": "Dottern",
				"representative_role": "fullmakt", "applied_sol": []string{"hemtjanst_omvardnad", "trygghetslarm"},
				"own_description": "Klarar inte duschen efter fallet."})
			w.move("handlaggare", c, "start_investigation")
			drafts := w.decisions("handlaggare", c)
			if len(drafts) != 2 || drafts[0].Status != "draft" {
				t.Fatalf("drafts after the investigation started: %+v", drafts)
			}
			// The investigation needs every goal to concern an assessed need.
			utredning := map[string]any{
				"needs_assessment": []map[string]any{{"code": "d510", "qualifier": 3, "text": "Behöver hjälp att duscha."}},
				"own_view":         "Vill bo kvar hemma.",
				"goals":            []map[string]any{{"need": "d540", "goal": "Klär sig själv.", "follow_up_by": "2026-04-01"}},
			}
			var view struct {
				State struct{ Errors map[string]string }
			}
			w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/forms/ibic_utredning", map[string]any{"values": utredning}, http.StatusOK, &view)
			if !strings.Contains(view.State.Errors["goals"], "bedömt") {
				t.Errorf("a goal for an unassessed need: errors %v", view.State.Errors)
			}
			utredning["goals"] = []map[string]any{{"need": "d510", "goal": "Duschar tryggt två gånger i veckan.", "follow_up_by": "2026-04-01"}}
			w.fill("handlaggare", c, "ibic_utredning", utredning)
			w.move("handlaggare", c, "to_decision")
			// Home help above the officer's delegation (60 hours) needs the team lead.
			for _, d := range drafts {
				if d.Insats == "hemtjanst_omvardnad" {
					w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+d.ID, map[string]any{"insats": d.Insats, "outcome": "granted",
						"legal_basis": d.LegalBasis, "valid_from": w.today(), "amount": 8000, "justification": "Stort behov."}, http.StatusOK, nil)
					w.call("handlaggare", "POST", "/api/v1/cases/"+c+"/decisions/"+d.ID+"/finalisation", nil, http.StatusForbidden, nil)
				}
			}
			final := w.decide("handlaggare", c, func(d *apiDecision) map[string]any {
				if d.Insats == "hemtjanst_omvardnad" {
					return map[string]any{"amount": 2400} // 24 hours a month
				}
				return nil
			})
			for _, d := range final {
				if d.Status != "final" {
					t.Errorf("decision %s is %s", d.Insats, d.Status)
				}
			}
			// The order goes to the provider chosen for each decision.
			prov := w.registerProvider(map[string]any{"name": "Testomsorg Norr AB", "kind": "external", "org_number": "5598765435",
				"insatser": []string{"hemtjanst_omvardnad", "trygghetslarm"}, "areas": []string{"norra-omr"}})
			for _, d := range final {
				w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+d.ID+"/provider", map[string]string{"provider_id": prov}, http.StatusOK, nil)
			}
			w.move("handlaggare", c, "order")
			if s := w.step("handlaggare", c); s != "implementation" {
				t.Fatalf("step after ordering: %s", s)
			}
			// The three-month follow-up, and for each decision the warning
			// that it is not executed (day 60; its last day 5 April).
			if got := w.timers("handlaggare", c); len(got) != 3 || !strings.HasPrefix(got[0], "execution execution/") ||
				!strings.HasSuffix(got[1], " 2026-04-05") || !strings.HasPrefix(got[2], "follow_up follow_up/order/0 2026-04-05") {
				t.Errorf("timers after ordering: %v, want the two execution warnings and the three-month follow-up", got)
			}

			// Execution: the home help starts on day 90, the alarm on day 91.
			w.advance(95 * day)
			byInsats := map[string]string{}
			for _, d := range final {
				byInsats[d.Insats] = d.ID
			}
			record := func(insats string, in map[string]any, want int) {
				t.Helper()
				w.call("handlaggare", "POST", "/api/v1/cases/"+c+"/decisions/"+byInsats[insats]+"/executions", in, want, nil)
			}
			record("hemtjanst_omvardnad", map[string]any{"kind": "delay", "on": "2026-03-01", "reason": "Ingen ledig personal i området.",
				"offers": "Erbjuden annan utförare, avböjt.", "interim_help": "Anhörig hjälper."}, http.StatusCreated)
			// On the decision page, a reason too long and more hours than
			// decided are refused at their fields, with what was typed kept.
			{
				w.mustPage("handlaggare", "POST", "/cases/"+c+"/decisions/"+byInsats["hemtjanst_omvardnad"]+"/executions",
					url.Values{"kind": {"executed"}, "on": {"2026-04-05"}, "amount": {"30"}, "reason": {strings.Repeat("x", 2001)}}, false,
					http.StatusUnprocessableEntity, `id="exec-reason-error"`, "Högst 2000 tecken.", `value="30"`, "Verkställd omfattning (timmar per månad)")
				w.mustPage("handlaggare", "POST", "/cases/"+c+"/decisions/"+byInsats["hemtjanst_omvardnad"]+"/executions",
					url.Values{"kind": {"executed"}, "on": {"2026-04-05"}, "amount": {"30"}}, false,
					http.StatusUnprocessableEntity, `id="exec-amount-error"`, "Kan inte vara mer än den beslutade omfattningen")
			}
			record("hemtjanst_omvardnad", map[string]any{"kind": "executed", "on": "2026-04-05"}, http.StatusCreated)
			record("trygghetslarm", map[string]any{"kind": "executed", "on": "2026-04-06"}, http.StatusCreated)
			// Bad entries change nothing.
			record("trygghetslarm", map[string]any{"kind": "executed", "on": "2026-04-07"}, http.StatusConflict)
			record("trygghetslarm", map[string]any{"kind": "resumed", "on": "2026-04-07"}, http.StatusConflict)
			record("trygghetslarm", map[string]any{"kind": "interrupted", "on": "2026-04-01"}, http.StatusUnprocessableEntity)
			record("trygghetslarm", map[string]any{"kind": "interrupted", "on": "2026-12-01"}, http.StatusUnprocessableEntity)
			record("trygghetslarm", map[string]any{"kind": "executed", "on": "2025-12-01"}, http.StatusUnprocessableEntity)
			record("trygghetslarm", map[string]any{"kind": "started", "on": "2026-04-07"}, http.StatusUnprocessableEntity)
			record("trygghetslarm", map[string]any{"kind": "delay", "on": "2026-04-07"}, http.StatusUnprocessableEntity)
			var ex struct{ Executions []struct{ Kind, On string } }
			w.call("handlaggare", "GET", "/api/v1/cases/"+c+"/executions", nil, http.StatusOK, &ex)
			if len(ex.Executions) != 3 {
				t.Errorf("execution entries: %+v, want the 3 good ones", ex.Executions)
			}

			// An LSS case executed, then interrupted and not resumed.
			lss := w.journeyCase("ibic_lss").ID
			w.advance(-95 * day)
			w.fill("lss", lss, "ibic_ansokan", map[string]any{"applicant_kind": "self", "applied_lss": []string{"lss_4_kontaktperson"},
				"own_description": "Vill ha en kontaktperson."})
			w.move("lss", lss, "start_investigation")
			w.decide("lss", lss, func(*apiDecision) map[string]any { return nil })
			lssDecision := w.decisions("lss", lss)[0].ID
			w.advance(95 * day)
			for _, in := range []map[string]any{{"kind": "executed", "on": "2026-01-10"}, {"kind": "interrupted", "on": "2026-01-12"}} {
				w.call("lss", "POST", "/api/v1/cases/"+lss+"/decisions/"+lssDecision+"/executions", in, http.StatusCreated, nil)
			}

			// The report, as of 10 April: the alarm (day 91) and the
			// interrupted LSS decision (88 days) — not yet; the home help
			// (day 90) never.
			run := func(user, period string, want int) [][]string {
				t.Helper()
				var res struct {
					Columns []struct{ ID string }
					Rows    []struct {
						CaseID string `json:"case_id"`
						Cells  []string
					}
					Summary []struct {
						Values []string
						Count  int
					}
				}
				w.call(user, "GET", "/api/v1/reports/ej_verkstallda_beslut?period="+period, nil, want, &res)
				var out [][]string
				for _, r := range res.Rows {
					row := map[string]string{}
					for i, col := range res.Columns {
						row[col.ID] = r.Cells[i]
					}
					out = append(out, []string{r.CaseID, row["insats"], row["days"], row["executed_on"], row["interrupted_on"], row["sex"], row["reason"]})
				}
				return out
			}
			got := run("arbetsledare", "2026-Q2", http.StatusOK)
			want := [][]string{{c, "Trygghetslarm", "91", "2026-04-06", "", "Kvinna", ""}}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("report on 10 April:\n got %v\nwant %v", got, want)
			}
			w.advance(4 * day) // 14 April: the interruption is 92 days old
			got = run("arbetsledare", "2026-Q2", http.StatusOK)
			want = append(want, []string{lss, "Kontaktperson (9 § 4)", "92", "", "2026-01-12", "Man", ""})
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("report on 14 April:\n got %v\nwant %v", got, want)
			}
			// In the first quarter nothing was late yet.
			if got := run("arbetsledare", "2026-Q1", http.StatusOK); len(got) != 0 {
				t.Errorf("report for Q1: %v, want none", got)
			}
			// The CSV has the labels as the header and the summary.
			var raw []byte
			w.call("arbetsledare", "GET", "/api/v1/reports/ej_verkstallda_beslut/csv?period=2026-Q2", nil, http.StatusOK, &raw)
			cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF"))))
			cr.FieldsPerRecord = -1
			records, err := cr.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			wantCSV := [][]string{{"Kontaktperson (9 § 4)", "Man", "1"}, {"Trygghetslarm", "Kvinna", "1"}}
			if len(records) != 5 || records[0][0] != "Uppgiftslämnare" || records[1][4] != "Trygghetslarm" ||
				fmt.Sprint(records[3:]) != fmt.Sprint(wantCSV) {
				t.Errorf("CSV: %q", raw)
			}
			// The file for IVO's e-service: a header and a line per
			// decision, made twice the same.
			var file, again []byte
			w.call("arbetsledare", "GET", "/api/v1/reports/ej_verkstallda_beslut/file?period=2026-Q2", nil, http.StatusOK, &file)
			w.call("arbetsledare", "GET", "/api/v1/reports/ej_verkstallda_beslut/file?period=2026-Q2", nil, http.StatusOK, &again)
			lines := strings.Split(strings.TrimSuffix(string(file), "\r\n"), "\r\n")
			if !bytes.Equal(file, again) || len(lines) != 3 || !strings.HasPrefix(lines[0], "Rapporteringsperiod;Kommun;Kommunkod;Nämnd;Lagrum;Insats;") ||
				!strings.Contains(lines[1], ";Trygghetslarm;") || !strings.Contains(lines[2], ";LSS 9 §;Kontaktperson (9 § 4);") {
				t.Errorf("IVO file:\n%s", file)
			}
			w.call("handlaggare", "GET", "/api/v1/reports/ej_verkstallda_beslut/file?period=2026-Q2", nil, http.StatusForbidden, nil)
			// The same as a page.
			var page []byte
			w.call("arbetsledare", "GET", "/reports/ej_verkstallda_beslut?period=2026-Q2", nil, http.StatusOK, &page)
			for _, want := range []string{"<h1>Ej verkställda beslut</h1>", "<td>Trygghetslarm</td>", "<td>Kontaktperson (9 § 4)</td>", "2 rader", "Ladda ned som CSV",
				`href="/api/v1/reports/ej_verkstallda_beslut/file?period=2026-Q2"`, "Ladda ned Fil för IVO:s e-tjänst"} {
				if !strings.Contains(string(page), want) {
					t.Errorf("report page lacks %q", want)
				}
			}
			w.call("arbetsledare", "GET", "/reports/ej_verkstallda_beslut?period=Q2", nil, http.StatusUnprocessableEntity, &page)
			if !strings.Contains(string(page), "Ange kvartalet som år och kvartal") {
				t.Errorf("report page with a bad period: %s", page)
			}
			w.call("handlaggare", "GET", "/reports/ej_verkstallda_beslut", nil, http.StatusNotFound, nil)
			// Who may run it, and bad periods.
			run("handlaggare", "2026-Q2", http.StatusForbidden)
			run("arbetsledare", "2026-14", http.StatusUnprocessableEntity)
			run("arbetsledare", "2027-Q1", http.StatusUnprocessableEntity)
			w.call("arbetsledare", "GET", "/api/v1/reports/nope?period=2026-Q2", nil, http.StatusNotFound, nil)
			var list struct{ Reports []struct{ ID string } }
			w.call("arbetsledare", "GET", "/api/v1/reports", nil, http.StatusOK, &list)
			if len(list.Reports) != 1 || list.Reports[0].ID != "ej_verkstallda_beslut" {
				t.Errorf("reports for the team lead: %+v", list.Reports)
			}
			w.call("handlaggare", "GET", "/api/v1/reports", nil, http.StatusOK, &list)
			if len(list.Reports) != 0 {
				t.Errorf("reports for an officer: %+v", list.Reports)
			}
		})
	}
}

// TestChildReportThroughTheAPI: a BBIC report through screening,
// investigation (with its extension) and decision, with the 14-day and
// 4-month time limits' warnings and overdue notices on the right days.
func TestChildReportThroughTheAPI(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			t0 := time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC) // Monday 2 February
			w := newPackWorld(t, engine, t0, 80)
			child := w.journeyCase("bbic_barn").PersonID
			c := w.openCase("utredare", child, "norra-bou", "bbic_barn")
			if got := w.timers("utredare", c); fmt.Sprint(got) != "[overdue screening_time 2026-02-16 warning screening_time 2026-02-16]" {
				t.Fatalf("timers on opening: %v", got)
			}
			// The warning comes on day 11 (three days before the 16th), not before.
			at := func(date string) {
				t.Helper()
				d, _ := time.ParseInLocation(time.DateOnly, date, stockholm(t))
				w.advance(d.Add(time.Hour).Sub(w.clock.Now()))
				w.fire()
			}
			at("2026-02-12")
			if got := w.tasks("utredare", c); len(got) != 0 {
				t.Errorf("tasks on 12 February: %v", got)
			}
			at("2026-02-13")
			if got := w.tasks("utredare", c); fmt.Sprint(got) != "[deadline_warning screening_time]" {
				t.Errorf("tasks on 13 February: %v, want the warning", got)
			}
			at("2026-02-16")
			if got := w.tasks("utredare", c); len(got) != 1 {
				t.Errorf("tasks on the last day: %v, want only the warning", got)
			}
			at("2026-02-17")
			if got := w.tasks("utredare", c); fmt.Sprint(got) != "[deadline_overdue screening_time]" {
				t.Errorf("tasks on 17 February: %v, want the overdue notice (it replaces the warning)", got)
			}

			w.fill("utredare", c, "bbic_anmalan", map[string]any{"reporter_kind": "skola", "reporter_name": "Rektorn",
				"received_date": "2026-02-02", "concern": "Barnet är hungrigt i skolan.", "safety_assessment_done": true,
				"safety_assessment": "Ingen akut fara."})
			w.move("utredare", c, "screen")
			// Screening: "no investigation" needs reasons; the decision picks the way on.
			w.fill("utredare", c, "bbic_forhandsbedomning", map[string]any{"decision": "open", "child_heard": true})
			w.call("utredare", "POST", "/api/v1/cases/"+c+"/transitions", map[string]string{"transition": "close_without_investigation"}, http.StatusConflict, nil)
			w.move("utredare", c, "open_investigation")
			// The 14 days are met (their tasks close); four months start.
			if got := w.tasks("utredare", c); len(got) != 0 {
				t.Errorf("tasks once the investigation opened: %v", got)
			}
			if got := w.timers("utredare", c); fmt.Sprint(got) != "[overdue investigation_time 2026-06-17 warning investigation_time 2026-06-17]" {
				t.Fatalf("timers of the investigation: %v", got)
			}
			at("2026-06-02")
			if got := w.tasks("utredare", c); len(got) != 0 {
				t.Errorf("tasks on 2 June: %v", got)
			}
			at("2026-06-03") // two weeks before the 17th
			if got := w.tasks("utredare", c); fmt.Sprint(got) != "[deadline_warning investigation_time]" {
				t.Errorf("tasks on 3 June: %v, want the warning", got)
			}

			// Extension only by a signed decision with reasons, by the team lead.
			ext := map[string]any{"extended_until": "2026-06-10", "extension_reason": "Väntar på utlåtande från BUP.",
				"decided_by": "Enhetschef"}
			w.fill("arbetsledare", c, "bbic_forlangning", ext)
			w.call("utredare", "POST", "/api/v1/cases/"+c+"/transitions", map[string]string{"transition": "extend_investigation"}, http.StatusConflict, nil)
			w.call("arbetsledare", "POST", "/api/v1/cases/"+c+"/transitions", map[string]string{"transition": "extend_investigation"}, http.StatusConflict, nil)
			if got := w.timers("utredare", c); fmt.Sprint(got) != "[overdue investigation_time 2026-06-17]" {
				t.Fatalf("a refused extension changed the timers: %v", got)
			}
			ext["extended_until"] = "2026-08-17"
			var corrected struct {
				EntryID string `json:"entry_id"`
			}
			w.call("arbetsledare", "PUT", "/api/v1/cases/"+c+"/forms/bbic_forlangning", map[string]any{"values": ext}, http.StatusOK, &corrected)
			w.call("arbetsledare", "POST", "/api/v1/cases/"+c+"/forms/bbic_forlangning/signature", nil, http.StatusOK, nil)
			w.move("arbetsledare", c, "extend_investigation")
			if s := w.step("utredare", c); s != "investigation" {
				t.Errorf("step after the extension: %s", s)
			}
			if got := w.timers("utredare", c); fmt.Sprint(got) != "[overdue investigation_time 2026-08-17 warning investigation_time 2026-08-17]" {
				t.Fatalf("timers after the extension: %v", got)
			}
			at("2026-06-18") // the old limit has passed: nothing is overdue
			if got := w.tasks("utredare", c); len(got) != 0 {
				t.Errorf("tasks after the old limit: %v, want none (the warning closed with the extension)", got)
			}
			at("2026-08-18")
			if got := w.tasks("utredare", c); fmt.Sprint(got) != "[deadline_overdue investigation_time]" {
				t.Errorf("tasks after the new limit: %v", got)
			}

			// The child's own view is a required part of the investigation.
			utredning := map[string]any{"areas": []map[string]any{
				{"code": "bb_halsa", "qualifier": 1, "text": "Trött."},
				{"code": "ff_grundlaggande_omsorg", "qualifier": 2, "text": "Brister i måltider."},
				{"code": "fm_ekonomi", "qualifier": 2, "text": "Ekonomiska svårigheter."},
			}, "analysis": "Behöver stöd i hemmet."}
			w.call("utredare", "PUT", "/api/v1/cases/"+c+"/forms/bbic_utredning", map[string]any{"values": utredning}, http.StatusOK, nil)
			w.call("utredare", "POST", "/api/v1/cases/"+c+"/forms/bbic_utredning/signature", nil, http.StatusUnprocessableEntity, nil)
			utredning["child_view"] = "Vill att det ska bli lugnare hemma."
			w.fill("utredare", c, "bbic_utredning", utredning)
			w.move("utredare", c, "to_decision")
			if got := w.timers("utredare", c); len(got) != 0 {
				t.Errorf("timers once decided: %v", got)
			}
			var d apiDecision
			w.call("utredare", "POST", "/api/v1/cases/"+c+"/decisions", map[string]any{"insats": "oppenvard", "outcome": "granted",
				"legal_basis": "SoL 4 kap. 1 §", "valid_from": w.today(), "justification": "Familjebehandling tillgodoser behovet."}, http.StatusCreated, &d)
			w.call("utredare", "POST", "/api/v1/cases/"+c+"/decisions/"+d.ID+"/finalisation", nil, http.StatusOK, nil)
			w.move("utredare", c, "plan")
			// The plan must be signed before the follow-up; the child's
			// participation is part of it.
			w.call("utredare", "POST", "/api/v1/cases/"+c+"/transitions", map[string]string{"transition": "follow"}, http.StatusConflict, nil)
			w.fill("utredare", c, "bbic_plan", map[string]any{"goals": []map[string]any{{"area": "ff_grundlaggande_omsorg",
				"goal": "Äter frukost varje dag.", "activities": "Familjebehandling en gång i veckan.", "responsible": "Familjebehandlaren",
				"follow_up_by": "2026-11-30"}}, "child_participation": "Barnet valde målen."})
			w.move("utredare", c, "follow")
			if s := w.step("utredare", c); s != "follow_up" {
				t.Errorf("step: %s, want follow_up", s)
			}
			if got := w.timers("utredare", c); len(got) != 1 || !strings.HasPrefix(got[0], "follow_up follow_up/follow/0 2027-02-18") {
				t.Errorf("timers in follow-up: %v, want the six-month reconsideration", got)
			}
		})
	}
}

func stockholm(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestEconomicAssistanceThroughTheAPI: applications through calculation to
// decision, the amounts hand-worked from the norm tables, the calculation
// shown on the decision line by line.
func TestEconomicAssistanceThroughTheAPI(t *testing.T) {
	member := func(role string, age int, lunchOut bool) map[string]any {
		return map[string]any{"role": role, "age": age, "lunch_outside_home": lunchOut}
	}
	couple := []map[string]any{member("couple", 40, false), member("couple", 38, false)}
	nine := append(append([]map[string]any{}, couple...), member("child", 8, false), member("child", 8, false), member("child", 8, false),
		member("child", 8, false), member("child", 8, false), member("child", 8, false), member("child", 8, false))
	cases := []struct {
		name   string
		values map[string]any
		// amount is the assistance in öre; line is a line of the calculation.
		amount int64
		line   string
	}{
		// 2019: couple 5570, child 5 (lunch at home) 2380, child 12 3440 = 11 390;
		// common for 4: 1570; + rent 8000 + electricity 300; − 5000 − 2500.
		{"2019 couple with children of 5 and 12", map[string]any{"month": "2019-03-01",
			"members":      append(append([]map[string]any{}, couple...), member("child", 5, false), member("child", 12, false)),
			"housing_cost": 800000, "electricity": 30000, "salary": 500000, "child_allowance": 250000},
			1376000, "Riksnorm, personliga kostnader (4 personer): 11 390 kr"},
		// 2021: couple 5700 + 7 × 3060 = 27 120; common 7: 2270 + 2 × (2270 − 2100) = 2610.
		{"2021 household of nine", map[string]any{"month": "2021-05-01", "members": nine},
			2973000, "Riksnorm, gemensamma hushållskostnader (9 personer): 2 610 kr"},
		// 2021: single 3160 + common for 3 (1420) ÷ 3 = 473,33 + rent share 3000 = 6 633,33.
		{"2021 adult sharing a home of three, not as a partner", map[string]any{"month": "2021-05-01",
			"members": []map[string]any{member("single", 30, false)}, "shares_home": true, "shared_size": 3, "housing_cost": 300000},
			663333, "i delad bostad, hushållets andel): 473,33 kr"},
		// 2017: single 2980, child 2 eating lunch out 1920; common 2: 1060.
		{"2017 single parent, child eating lunch outside the home", map[string]any{"month": "2017-10-01",
			"members": []map[string]any{member("single", 25, false), member("child", 2, true)}},
			596000, "Beräknat bistånd: 5 960 kr"},
	}
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC), 80)
			person := w.journeyCase("ekonomiskt_bistand").PersonID
			for _, tc := range cases {
				c := w.openCase("ekonom", person, "norra-eb", "ekonomiskt_bistand")
				tc.values["applied_for"] = []string{"forsorjningsstod"}
				vals := w.fill("ekonom", c, "eb_ansokan", tc.values)
				if got := int64(vals["assistance"].(float64)); got != tc.amount {
					t.Errorf("%s: calculated %d öre, want %d", tc.name, got, tc.amount)
				}
				w.move("ekonom", c, "assess")
				ds := w.decisions("ekonom", c)
				if len(ds) != 1 || ds[0].Amount != tc.amount || ds[0].ValidFrom != tc.values["month"] || !strings.Contains(ds[0].Calculation, tc.line) {
					t.Errorf("%s: drafted %+v, want amount %d from %s with %q", tc.name, ds, tc.amount, tc.values["month"], tc.line)
				}
				final := w.decide("ekonom", c, func(*apiDecision) map[string]any { return nil })
				if final[0].Status != "final" || final[0].Calculation != ds[0].Calculation {
					t.Errorf("%s: final decision %+v", tc.name, final[0])
				}
				w.move("ekonom", c, "decide")
			}

			// Income above the norm: a refusal, which tells how to appeal:
			// it starts with the standard text of its legal basis (the
			// pack's appeal_texts); a text the officer writes stays.
			c := w.openCase("ekonom", person, "norra-eb", "ekonomiskt_bistand")
			w.fill("ekonom", c, "eb_ansokan", map[string]any{"month": "2021-05-01", "applied_for": []string{"forsorjningsstod"},
				"members": []map[string]any{member("single", 30, false)}, "salary": 2500000})
			w.move("ekonom", c, "assess")
			d := w.decisions("ekonom", c)[0]
			body := map[string]any{"insats": d.Insats, "outcome": "refused", "legal_basis": d.LegalBasis, "amount": 0,
				"justification": "Inkomsten täcker behovet."}
			var saved apiDecision
			w.call("ekonom", "PUT", "/api/v1/cases/"+c+"/decisions/"+d.ID, body, http.StatusOK, &saved)
			if !strings.HasPrefix(saved.AppealNotice, "Om du inte är nöjd med beslutet kan du överklaga det till förvaltningsrätten.") {
				t.Errorf("a refusal starts with the standard appeal notice, got %q", saved.AppealNotice)
			}
			body["appeal_notice"] = "Du kan överklaga beslutet till förvaltningsrätten inom tre veckor."
			w.call("ekonom", "PUT", "/api/v1/cases/"+c+"/decisions/"+d.ID, body, http.StatusOK, &saved)
			if saved.AppealNotice != body["appeal_notice"] {
				t.Errorf("the officer's own appeal notice: %q", saved.AppealNotice)
			}
			w.call("ekonom", "POST", "/api/v1/cases/"+c+"/decisions/"+d.ID+"/finalisation", nil, http.StatusOK, nil)
			if d = w.decisions("ekonom", c)[0]; d.AppealBy != "2026-03-30" {
				t.Errorf("last day to appeal: %q, want 2026-03-30", d.AppealBy)
			}

			// A month without a norm table says so in plain words, and
			// nothing is computed from another year or from a zero: the
			// officer's case page shows the reason and no amount, and the
			// form cannot be signed.
			c = w.openCase("ekonom", person, "norra-eb", "ekonomiskt_bistand")
			var view struct {
				State struct {
					Values map[string]any
					Errors map[string]string
				}
			}
			w.call("ekonom", "PUT", "/api/v1/cases/"+c+"/forms/eb_ansokan", map[string]any{"values": map[string]any{"month": "2028-01-01",
				"applied_for": []string{"forsorjningsstod"}, "members": []map[string]any{member("single", 30, false)}, "housing_cost": 500000}}, http.StatusOK, &view)
			const noNorm = "Det finns ingen riksnorm för januari 2028 än. Beräkningen görs när kommunen har lagt in normen."
			if view.State.Errors["personal_costs"] != noNorm || view.State.Errors["common_costs"] != noNorm {
				t.Errorf("a month in 2028: errors %v, want %q at the norm fields", view.State.Errors, noNorm)
			}
			for _, f := range []string{"personal_costs", "common_costs", "norm_total", "need", "assistance", "calculation_text"} {
				if v, ok := view.State.Values[f]; ok {
					t.Errorf("a month in 2028: %s computed as %v", f, v)
				}
			}
			page := w.mustPage("ekonom", "GET", "/cases/"+c, nil, false, http.StatusOK, noNorm)
			for _, computed := range []string{"Beräknat bistånd: ", "Summa behov: ", "riksnorm_", "beslutstabell"} {
				if strings.Contains(page, computed) {
					t.Errorf("the case page for a month without a norm shows %q", computed)
				}
			}
			w.call("ekonom", "POST", "/api/v1/cases/"+c+"/forms/eb_ansokan/signature", nil, http.StatusUnprocessableEntity, nil)
		})
	}
}

// TestDemoHistories: the demo's played histories leave cases of every pack
// in several states, with decisions, execution records and running time
// limits, as real work would.
func TestDemoHistories(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC), 400)
			walks, err := demo.Walks()
			if err != nil {
				t.Fatal(err)
			}
			n, err := w.svc.PlayDemoWalks(context.Background(), w.ds, walks, 25)
			if err != nil {
				t.Fatal(err)
			}
			if n < 30 {
				t.Fatalf("%d cases walked, want at least 30 of the generated ones", n)
			}
			if now := w.db.Now(); !now.Equal(w.clock.Now().Truncate(time.Microsecond)) {
				t.Errorf("the store's clock is still replaying: %v", now)
			}
			steps := map[string]map[string]bool{}
			decided, executed := 0, 0
			for _, c := range w.ds.Cases {
				got, err := w.db.CaseByID(context.Background(), demo.TenantID, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if steps[c.CaseType] == nil {
					steps[c.CaseType] = map[string]bool{}
				}
				steps[c.CaseType][got.Step] = true
				ds, _ := w.db.Decisions(context.Background(), demo.TenantID, c.ID)
				for _, d := range ds {
					if d.Status == "final" {
						decided++
					}
				}
				ex, _ := w.db.CaseExecutions(context.Background(), demo.TenantID, c.ID)
				executed += len(ex)
			}
			for _, w := range walks {
				if len(steps[w.CaseType]) < 3 {
					t.Errorf("%s cases are in the steps %v, want at least three different", w.CaseType, steps[w.CaseType])
				}
			}
			if decided < 10 || executed < 5 {
				t.Errorf("%d final decisions and %d execution entries, want a living municipality", decided, executed)
			}
		})
	}
}

// TestPackReferences: the packs' case types name their references'
// prefixes, so a journey case reads like "ÄO-2025-00001" (the year it was opened).
func TestPackReferences(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40)
	for _, tc := range []struct{ caseType, user, prefix string }{
		{"ibic_sol_aldre", "handlaggare", "ÄO-20"},
		{"ibic_lss", "lss", "LSS-20"},
		{"bbic_barn", "utredare", "BU-20"},
		{"ekonomiskt_bistand", "ekonom", "EB-20"},
	} {
		jc := w.journeyCase(tc.caseType)
		var c struct{ Reference string }
		w.call(tc.user, "GET", "/api/v1/cases/"+jc.ID, nil, http.StatusOK, &c)
		if !strings.HasPrefix(c.Reference, tc.prefix) {
			t.Errorf("%s: reference %q, want %s…", tc.caseType, c.Reference, tc.prefix)
		}
	}
}
