package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/notify"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// portalPage is a portal page as the demo citizen acting for the person
// forID ("" for themselves): its status, body and, for a redirect (which
// is not followed), where it leads.
func (w *packWorld) portalPage(user, forID, method, path string, form url.Values) (int, string, string) {
	w.t.Helper()
	req := w.pageRequest(user, method, path, form, false)
	if forID != "" {
		req.AddCookie(&http.Cookie{Name: "trygg_for", Value: forID})
	}
	resp, err := w.srv.Client().Transport.RoundTrip(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// mustPortal is portalPage failing the test unless the status is want and
// the body holds every text in contains.
func (w *packWorld) mustPortal(user, forID, method, path string, form url.Values, want int, contains ...string) string {
	w.t.Helper()
	status, body, _ := w.portalPage(user, forID, method, path, form)
	if status != want {
		w.t.Fatalf("%s %s as %s: status %d, want %d\n%s", method, path, user, status, want, mainOf(body))
	}
	for _, c := range contains {
		if !strings.Contains(body, c) {
			w.t.Errorf("%s %s as %s lacks %q\n%s", method, path, user, c, mainOf(body))
		}
	}
	return body
}

// decidedHomeCare takes journey 1's home-care case through investigation
// to decisions: home care granted (24 hours a month), the safety alarm
// refused with appeal instructions; a journal note and a draft form of
// the office's along the way. It returns the case id.
func decidedHomeCare(t *testing.T, w *packWorld) string {
	t.Helper()
	c := w.journeyCase("ibic_sol_aldre").ID
	w.applyForHomeCare(c)
	w.call("handlaggare", "POST", "/api/v1/cases/"+c+"/notes", map[string]string{"body": "HEMLIG ANTECKNING om familjen."}, http.StatusCreated, nil)
	return c
}

// TestPortalFollowCase: the daughter of journey 1, acting for her mother,
// follows the home-care case on Mina sidor: where it is in plain words,
// what comes next, who handles it and when a decision is due; then the
// decisions (a refusal with its appeal instructions) and the provider's
// plan, whose goal she comments on — the officer sees the comment on the
// case page and the provider on the order. Journal notes, the
// investigation and drafts never show.
func TestPortalFollowCase(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
			jc := w.journeyCase("ibic_sol_aldre")
			c := decidedHomeCare(t, w)
			mother := jc.PersonID
			// The investigation drafted, not signed: the office's.
			w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/forms/ibic_utredning", map[string]any{"values": map[string]any{
				"own_view": "HEMLIG UTREDNINGSTEXT"}}, http.StatusOK, nil)

			// The home list links the case to its page.
			w.mustPortal("dotter", mother, "GET", "/portal", nil, http.StatusOK, `href="/portal/cases/`+c+`"`)
			page := w.mustPortal("dotter", mother, "GET", "/portal/cases/"+c, nil, http.StatusOK,
				"Var ärendet är nu", "<strong>Utredning</strong>", "Handläggaren tar reda på vilken hjälp som behövs",
				"Nästa steg", "<strong>Beslut</strong>", "Hanna Handläggare", "Beslut väntas senast 2026-02-02",
				"Inget beslut är fattat än.", `href="/portal/cases/`+c+`/messages"`)
			for _, secret := range []string{"HEMLIG", "Klarar inte duschen"} {
				if strings.Contains(page, secret) {
					t.Errorf("the citizen's page shows the office's %q", secret)
				}
			}
			// The read is in the access log, on the daughter's ground.
			daughter, err := w.svc.ActorByUsername(context.Background(), demo.TenantID, "dotter")
			if err != nil {
				t.Fatal(err)
			}
			logged, err := w.db.AccessLog(context.Background(), demo.TenantID, store.AccessLogFilter{ActorID: daughter.UserID, PersonID: mother})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(logged, func(e audit.Entry) bool {
				return e.CaseID == c && e.Action == "read_case" && e.Ground == "representative"
			}) {
				t.Errorf("the daughter's read of the case is not logged on her ground: %+v", logged)
			}

			// The investigation, signed, and the decisions.
			w.investigateHomeCare(c, "HEMLIG UTREDNINGSTEXT om duschen.")
			final := w.decide("handlaggare", c, func(d *apiDecision) map[string]any {
				if d.Insats == "hemtjanst_omvardnad" {
					return map[string]any{"amount": 2400}
				}
				return map[string]any{"outcome": "refused", "amount": 0, "justification": "Du klarar larmet med grannens hjälp.",
					"appeal_notice": "Skriv till socialnämnden och tala om vilket beslut du vill ändra."}
			})
			var refused apiDecision
			for _, d := range final {
				if d.Outcome == "refused" {
					refused = d
				}
			}
			if refused.AppealBy == "" {
				t.Fatalf("the refusal has no last day to appeal: %+v", final)
			}
			page = w.mustPortal("dotter", mother, "GET", "/portal/cases/"+c, nil, http.StatusOK,
				"Du beviljas", "med <strong class=\"amount\">24 timmar per månad</strong>", "Utredningen visar behovet.",
				"Du får avslag på din ansökan om", "Du klarar larmet med grannens hjälp.", "Så överklagar du",
				"Skriv till socialnämnden och tala om vilket beslut du vill ändra.", "Överklagandet ska ha kommit in senast <strong>"+refused.AppealBy)
			if strings.Contains(page, "HEMLIG") || strings.Contains(page, "Vill klara mig själv") {
				t.Errorf("the citizen's page shows the investigation\n%s", mainOf(page))
			}

			// The order to a provider, accepted, and its plan.
			prov := w.registerProvider(map[string]any{"name": "Testomsorg Norr AB", "kind": "external", "org_number": "5598765435",
				"insatser": []string{"hemtjanst_omvardnad"}, "areas": []string{"norra-omr"}})
			w.providerStaff("omsorg.anna", prov)
			for _, d := range final {
				if d.Outcome == "granted" {
					w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+d.ID+"/provider", map[string]string{"provider_id": prov}, http.StatusOK, nil)
				}
			}
			w.move("handlaggare", c, "order")
			var list struct{ Orders []apiOrder }
			w.call("omsorg.anna", "GET", "/api/v1/orders", nil, http.StatusOK, &list)
			if len(list.Orders) != 1 {
				t.Fatalf("orders: %+v", list.Orders)
			}
			order := list.Orders[0].ID
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+order+"/acceptance", map[string]string{"start_date": w.today()}, http.StatusOK, nil)
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+order+"/plans", map[string]any{"participation": "took_part", "items": []map[string]any{
				{"goal": 0, "activity": "Hjälp i duschen", "when": "tisdag och fredag morgon", "who": "hemtjänsten"},
				{"goal": 1, "activity": "Stöd med strumporna", "when": "varje morgon", "who": "hemtjänsten"}}}, http.StatusCreated, nil)
			w.mustPortal("dotter", mother, "GET", "/portal/cases/"+c, nil, http.StatusOK,
				"Genomförandeplan", "Testomsorg Norr AB utför insatsen från "+w.today(), "Duschar tryggt två gånger i veckan.",
				"Hjälp i duschen", "tisdag och fredag morgon", "Lämna en synpunkt på mål 1")

			// A comment on goal 1: refused empty, kept when given.
			w.mustPortal("dotter", mother, "POST", "/portal/cases/"+c+"/comments", url.Values{"order": {order}, "goal": {"0"}, "body": {"  "}},
				http.StatusUnprocessableEntity, "Skriv din synpunkt först.")
			status, _, loc := w.portalPage("dotter", mother, "POST", "/portal/cases/"+c+"/comments",
				url.Values{"order": {order}, "goal": {"0"}, "body": {"Mamma vill hellre duscha på kvällen."}})
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/cases/"+c+"?comment=1#goal-"+order+"-0") {
				t.Fatalf("commenting: %d %q", status, loc)
			}
			w.mustPortal("dotter", mother, "GET", loc, nil, http.StatusOK, "Tack! Din synpunkt är skickad.",
				"Mamma vill hellre duscha på kvällen.", "(företrädare)")
			// A goal the order does not have, an order of another case: not found.
			w.mustPortal("dotter", mother, "POST", "/portal/cases/"+c+"/comments", url.Values{"order": {order}, "goal": {"7"}, "body": {"x"}}, http.StatusNotFound)
			w.mustPortal("dotter", mother, "POST", "/portal/cases/"+c+"/comments", url.Values{"order": {"no-such-order"}, "goal": {"0"}, "body": {"x"}}, http.StatusNotFound)

			// The officer sees it on the case page, the provider on the order.
			w.mustPage("handlaggare", "GET", "/cases/"+c, nil, false, http.StatusOK, "Mamma vill hellre duscha på kvällen.", "(företrädare)")
			w.mustPage("omsorg.anna", "GET", "/provider/orders/"+order, nil, false, http.StatusOK, "Mamma vill hellre duscha på kvällen.")
			// The event says which goal, not what was written.
			evs, err := w.db.Events(context.Background(), demo.TenantID, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range evs {
				if e.Type == events.GoalCommented {
					found = true
					if strings.Contains(string(e.Payload), "duscha") {
						t.Errorf("the event copies the comment: %s", e.Payload)
					}
				}
			}
			if !found {
				t.Error("no order.goal_commented event")
			}
		})
	}
}

// TestPortalMessages: a message round trip. The daughter writes for her
// mother; the officer gets a task "Nytt meddelande", reads it on the case
// page (who wrote, for whom) and answers, which closes the task; the
// daughter sees one unread message on Mina sidor, reads the answer, and a
// notice that says only "something new" is written to the notifier's
// file, once.
func TestPortalMessages(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
			jc := w.journeyCase("ibic_sol_aldre")
			c, mother := jc.ID, jc.PersonID
			w.mustPortal("dotter", mother, "GET", "/portal/cases/"+c+"/messages", nil, http.StatusOK, "Inga meddelanden än.", "Nytt meddelande")
			w.mustPortal("dotter", mother, "POST", "/portal/cases/"+c+"/messages", url.Values{"body": {""}}, http.StatusUnprocessableEntity,
				"Skriv ditt meddelande först.")
			status, _, loc := w.portalPage("dotter", mother, "POST", "/portal/cases/"+c+"/messages",
				url.Values{"body": {"När kommer hemtjänsten första gången?"}})
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/cases/"+c+"/messages?sent=1#msg-1") {
				t.Fatalf("sending: %d %q", status, loc)
			}
			w.mustPortal("dotter", mother, "GET", loc, nil, http.StatusOK, "Meddelandet är skickat.", "När kommer hemtjänsten första gången?", "<strong>Du</strong>")
			// A second message makes no second task.
			w.mustPortal("dotter", mother, "POST", "/portal/cases/"+c+"/messages", url.Values{"body": {"Och vem kommer?"}}, http.StatusSeeOther)
			if got := strings.Join(w.tasks("handlaggare", c), ","); got != "message " {
				t.Errorf("the officer's tasks on the case: %q, want one message task", got)
			}

			// The officer reads (which closes the task) and answers.
			w.mustPage("handlaggare", "GET", "/cases/"+c, nil, false, http.StatusOK, `id="messages"`,
				"När kommer hemtjänsten första gången?", "(företrädare)", "Skriv till personen")
			if got := w.tasks("handlaggare", c); len(got) != 0 {
				t.Errorf("opening the conversation leaves tasks: %v", got)
			}
			w.mustPortal("dotter", mother, "POST", "/portal/cases/"+c+"/messages", url.Values{"body": {"En sak till."}}, http.StatusSeeOther)
			if got := strings.Join(w.tasks("handlaggare", c), ","); got != "message " {
				t.Errorf("a new message after reading: tasks %q", got)
			}
			req := w.pageRequest("handlaggare", "POST", "/cases/"+c+"/messages", url.Values{"body": {"Vi kommer på måndag klockan nio."}}, false)
			resp, err := w.srv.Client().Transport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cases/"+c+"?answered=1#messages" {
				t.Fatalf("answering: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if got := w.tasks("handlaggare", c); len(got) != 0 {
				t.Errorf("answering leaves tasks: %v", got)
			}
			w.mustPage("handlaggare", "POST", "/cases/"+c+"/messages", url.Values{"body": {" "}}, false, http.StatusUnprocessableEntity, "Skriv ditt meddelande först.")

			// The daughter: one unread, then read.
			w.mustPortal("dotter", mother, "GET", "/portal", nil, http.StatusOK, "Nya meddelanden: 1")
			w.mustPortal("dotter", mother, "GET", "/portal/cases/"+c, nil, http.StatusOK, "olästa: 1")
			w.mustPortal("dotter", mother, "GET", "/portal/cases/"+c+"/messages", nil, http.StatusOK,
				"Vi kommer på måndag klockan nio.", "Hanna Handläggare</strong> (handläggare)")
			if body := w.mustPortal("dotter", mother, "GET", "/portal", nil, http.StatusOK); strings.Contains(body, "Nya meddelanden") {
				t.Errorf("read messages still counted\n%s", mainOf(body))
			}

			// The events carry no text.
			evs, err := w.db.Events(context.Background(), demo.TenantID, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			sent, notices := 0, 0
			for _, e := range evs {
				switch e.Type {
				case events.MessageSent:
					sent++
					if strings.Contains(string(e.Payload), "hemtjänsten") || strings.Contains(string(e.Payload), "måndag") {
						t.Errorf("message.sent copies the text: %s", e.Payload)
					}
				case events.CitizenNotice:
					notices++
				}
			}
			if sent != 4 || notices != 1 {
				t.Errorf("%d message.sent and %d citizen.notice events, want 4 and 1", sent, notices)
			}

			// The notice: to the daughter's account, saying only that
			// there is something new, once however often it runs.
			file := filepath.Join(t.TempDir(), "notices.jsonl")
			n, err := notify.NewFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := w.svc.SendNotices(context.Background(), demo.TenantID, n, "test", 100); err != nil {
					t.Fatal(err)
				}
			}
			lines := noticeLines(t, file)
			if len(lines) != 1 {
				t.Fatalf("notices: %v", lines)
			}
			var nt notify.Notice
			if err := json.Unmarshal([]byte(lines[0]), &nt); err != nil {
				t.Fatal(err)
			}
			if nt.Text != "Du har ett nytt meddelande i Mina sidor." || nt.Channel != "email" || nt.Address != "dotter@demo.invalid" || nt.Kind != "message" {
				t.Errorf("the notice: %+v", nt)
			}
			for _, leak := range []string{"måndag", "Hanna", c, mother, jc.Title} {
				if strings.Contains(lines[0], leak) {
					t.Errorf("the notice carries %q: %s", leak, lines[0])
				}
			}
		})
	}
}

// noticeLines reads the notifier's file, one notice a line.
func noticeLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// TestNoticesOnceAcrossRestart: the notifier's loop, stopped and started
// again, sends every notice exactly once; a second server waits while the
// first holds the lease, and after a crash (no release) takes over when
// the lease runs out, without repeating what was sent.
func TestNoticesOnceAcrossRestart(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
			c := w.journeyCase("ibic_sol_aldre").ID
			file := filepath.Join(t.TempDir(), "notices.jsonl")
			n, err := notify.NewFile(file)
			if err != nil {
				t.Fatal(err)
			}
			answer := func(text string) {
				t.Helper()
				req := w.pageRequest("handlaggare", "POST", "/cases/"+c+"/messages", url.Values{"body": {text}}, false)
				resp, err := w.srv.Client().Transport.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("answering: %d", resp.StatusCode)
				}
			}
			waitFor := func(want int) {
				t.Helper()
				deadline := time.Now().Add(10 * time.Second)
				for len(noticeLinesIfAny(file)) < want && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				if got := noticeLinesIfAny(file); len(got) != want {
					t.Fatalf("%d notices, want %d: %v", len(got), want, got)
				}
			}
			run := func() (stop func()) {
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() { defer close(done); w.svc.RunNotices(ctx, n, 5*time.Millisecond) }()
				return func() { cancel(); <-done }
			}

			answer("Första.")
			stop := run()
			waitFor(1)
			stop()
			answer("Andra.")
			stop = run()
			waitFor(2)
			time.Sleep(50 * time.Millisecond) // a few more rounds: nothing again
			stop()
			waitFor(2)

			// A crash: server A sends and dies holding the lease. B waits
			// for the lease, then goes on from A's place.
			answer("Tredje.")
			if sent, err := w.svc.SendNotices(context.Background(), demo.TenantID, n, "server-a", 100); err != nil || sent != 1 {
				t.Fatalf("server A: %d, %v", sent, err)
			}
			answer("Fjärde.")
			if sent, err := w.svc.SendNotices(context.Background(), demo.TenantID, n, "server-b", 100); err != nil || sent != 0 {
				t.Fatalf("server B while A's lease runs: %d, %v", sent, err)
			}
			w.clock.Advance(2 * time.Minute)
			if sent, err := w.svc.SendNotices(context.Background(), demo.TenantID, n, "server-b", 100); err != nil || sent != 1 {
				t.Fatalf("server B after the lease ran out: %d, %v", sent, err)
			}
			lines := noticeLinesIfAny(file)
			ids := map[string]bool{}
			for _, l := range lines {
				var nt notify.Notice
				if err := json.Unmarshal([]byte(l), &nt); err != nil {
					t.Fatal(err)
				}
				if ids[nt.ID] {
					t.Errorf("notice %s sent twice", nt.ID)
				}
				ids[nt.ID] = true
			}
			if len(lines) != 4 {
				t.Errorf("%d notices, want 4: %v", len(lines), lines)
			}
		})
	}
}

// noticeLinesIfAny reads the notifier's file, or nothing before it exists.
func noticeLinesIfAny(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// TestPortalGuardianFollowsChild: a guardian acting for her child sees
// the child's case; acting for herself, the same case is not found.
func TestPortalGuardianFollowsChild(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
			var child string
			for _, s := range w.citizenSubjects("invanare") {
				if s != "" && child == "" {
					child = s
				}
			}
			if child == "" {
				t.Fatal("the demo mother has no child to act for")
			}
			c := w.openCase("utredare", child, "norra-bou", "bbic_barn")
			w.mustPortal("invanare", child, "GET", "/portal", nil, http.StatusOK, `href="/portal/cases/`+c+`"`)
			w.mustPortal("invanare", child, "GET", "/portal/cases/"+c, nil, http.StatusOK, "Anmälan / aktualisering",
				"Socialtjänsten har fått en anmälan", "Ulf Utredare", "Utredning väntas senast 2026-01-19")
			w.mustPortal("invanare", child, "POST", "/portal/cases/"+c+"/messages", url.Values{"body": {"Vi vill gärna träffas."}}, http.StatusSeeOther)
			w.mustPage("utredare", "GET", "/cases/"+c, nil, false, http.StatusOK, "Vi vill gärna träffas.", "(vårdnadshavare)")
			w.mustPortal("invanare", "", "GET", "/portal/cases/"+c, nil, http.StatusNotFound)
		})
	}
}

// citizenSubjects returns the ids of the persons a demo citizen acts for
// besides themselves, from the act-for page.
func (w *packWorld) citizenSubjects(user string) []string {
	w.t.Helper()
	body := w.mustPage(user, "GET", "/portal/act-for", nil, false, http.StatusOK)
	var out []string
	for _, part := range strings.Split(body, `name="person_id" value="`)[1:] {
		id, _, _ := strings.Cut(part, `"`)
		out = append(out, id)
	}
	if len(out) > 0 {
		out = out[1:] // themselves first
	}
	return out
}

// TestPortalFollowOtherCase: every page and post of following a case
// answers "not found" for a case of someone the citizen does not act for
// now: another family's case, and the mother's case while the daughter
// acts for herself. Staff cannot use them either.
func TestPortalFollowOtherCase(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
			jc := w.journeyCase("ibic_sol_aldre")
			eb := w.journeyCase("ekonomiskt_bistand")
			for _, tc := range []struct{ user, forID, caseID string }{
				{"invanare", "", jc.ID},          // another family's case
				{"dotter", "", jc.ID},            // her mother's, acting for herself
				{"dotter", jc.PersonID, eb.ID},   // another family's, acting for her mother
				{"invanare", "", "no-such-case"}, // no case at all
			} {
				for _, r := range []struct {
					method, path string
					form         url.Values
				}{
					{"GET", "/portal/cases/" + tc.caseID, nil},
					{"GET", "/portal/cases/" + tc.caseID + "/messages", nil},
					{"POST", "/portal/cases/" + tc.caseID + "/messages", url.Values{"body": {"Hej"}}},
					{"POST", "/portal/cases/" + tc.caseID + "/comments", url.Values{"order": {"x"}, "goal": {"0"}, "body": {"Hej"}}},
				} {
					status, body, _ := w.portalPage(tc.user, tc.forID, r.method, r.path, r.form)
					if status != http.StatusNotFound {
						t.Errorf("%s %s as %s for %q: %d, want 404\n%s", r.method, r.path, tc.user, tc.forID, status, mainOf(body))
					}
				}
			}
			// Nothing was written to the case.
			var msgs int
			evs, err := w.db.Events(context.Background(), demo.TenantID, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.Type == events.MessageSent {
					msgs++
				}
			}
			if msgs != 0 {
				t.Errorf("%d messages written through refused posts", msgs)
			}
			// The portal's pages are for citizens.
			w.mustPage("handlaggare", "GET", "/portal/cases/"+jc.ID, nil, false, http.StatusForbidden)
		})
	}
}
