package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/storetest"
)

// registerProvider registers a provider as the demo's system administrator
// and returns its id.
func (w *packWorld) registerProvider(body map[string]any) string {
	w.t.Helper()
	var p struct{ ID string }
	w.call("admin", "POST", "/api/v1/providers", body, http.StatusCreated, &p)
	return p.ID
}

// providerStaff creates a provider staff account with the demo password.
func (w *packWorld) providerStaff(username, providerID string) {
	w.t.Helper()
	// Not the demo's password: the password policy refuses it for new
	// accounts.
	if w.passwords == nil {
		w.passwords = map[string]string{}
	}
	w.passwords[username] = "hemtjänstens egen lösenfras 7"
	w.call("admin", "POST", "/api/v1/users", map[string]any{"username": username, "display_name": "Personal " + username,
		"password": w.passwords[username], "provider_id": providerID, "grants": []map[string]string{{"role": "utforare", "unit_id": "soc"}}},
		http.StatusCreated, nil)
}

type apiOrder struct {
	ID           string `json:"id"`
	CaseID       string `json:"case_id"`
	DecisionID   string `json:"decision_id"`
	ProviderID   string `json:"provider_id"`
	Insats       string `json:"insats"`
	Amount       int64  `json:"amount"`
	Status       string `json:"status"`
	StartDate    string `json:"start_date"`
	ReturnReason string `json:"return_reason"`
	EndReason    string `json:"end_reason"`
	Content      struct {
		Person struct {
			Name           string `json:"name"`
			IdentityNumber string `json:"identity_number"`
		} `json:"person"`
		Needs []struct {
			Code      string `json:"code"`
			Qualifier int    `json:"qualifier"`
		} `json:"needs"`
		Goals []struct {
			Need string `json:"need"`
			Goal string `json:"goal"`
		} `json:"goals"`
	} `json:"content"`
}

type apiOrderView struct {
	Order    apiOrder `json:"order"`
	FollowUp struct {
		Months []struct {
			Month            string `json:"month"`
			PlannedMinutes   int    `json:"planned_minutes"`
			PerformedMinutes int    `json:"performed_minutes"`
			Visits           int    `json:"visits"`
			Deviations       int    `json:"deviations"`
		} `json:"months"`
		Goals []struct {
			Need          string `json:"need"`
			QualifierThen int    `json:"qualifier_then"`
			QualifierNow  *int   `json:"qualifier_now"`
			Status        string `json:"status"`
		} `json:"goals"`
	} `json:"follow_up"`
	Plan *struct {
		Version int `json:"version"`
	} `json:"plan"`
}

// problemFields sends a request that must fail with want and returns the
// problem's field messages joined, for matching.
func (w *packWorld) problem(user, method, path string, body any, want int) string {
	w.t.Helper()
	var p struct {
		Detail string `json:"detail"`
		Errors []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	w.call(user, method, path, body, want, &p)
	var b strings.Builder
	b.WriteString(p.Detail)
	for _, e := range p.Errors {
		fmt.Fprintf(&b, " | %s: %s", e.Field, e.Message)
	}
	return b.String()
}

// TestProviderOrderThroughTheAPI follows an IBIC home-care decision to
// its provider and back: the order carries needs and goals (and not the
// investigation's text), the provider accepts it (which records the
// decision's execution) or returns it, writes the plan, reports a month
// of work one at a time and in idempotent batches, corrects an entry and
// reports back on the goals; the officer sees planned against performed
// time and the goals' qualifiers then and now; deviations make a task; the
// basis for payment matches the reports; a new decision changes the order
// and closing the case ends it. Bad input changes nothing.
func TestProviderOrderThroughTheAPI(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) // a Monday
			w := newPackWorld(t, engine, t0, 80)
			c := w.journeyCase("ibic_sol_aldre").ID
			w.applyForHomeCare(c)
			w.investigateHomeCare(c, "HEMLIG UTREDNINGSTEXT om duschen.")
			final := w.decide("handlaggare", c, func(d *apiDecision) map[string]any {
				if d.Insats == "hemtjanst_omvardnad" {
					return map[string]any{"amount": 2400} // 24 hours a month
				}
				return nil
			})
			dec := map[string]string{}
			for _, d := range final {
				dec[d.Insats] = d.ID
			}

			// The registry: a company serving Norra, and one serving elsewhere.
			omsorg := w.registerProvider(map[string]any{"name": "Testomsorg Norr AB", "kind": "external", "org_number": "5598765435",
				"insatser": []string{"hemtjanst_omvardnad", "trygghetslarm"}, "areas": []string{"norra-omr"}})
			soder := w.registerProvider(map[string]any{"name": "Testomsorg Söder AB", "kind": "external", "org_number": "5598123452",
				"insatser": []string{"hemtjanst_omvardnad"}, "areas": []string{"sodra-omr"}})
			w.providerStaff("omsorg.anna", omsorg)
			w.providerStaff("soder.sam", soder)

			// Ordering needs a provider for every granted decision.
			msg := w.problem("handlaggare", "POST", "/api/v1/cases/"+c+"/transitions", map[string]string{"transition": "order"}, http.StatusUnprocessableEntity)
			if !strings.Contains(msg, "Choose a provider") || !strings.Contains(msg, "Trygghetslarm") {
				t.Errorf("ordering without providers: %q", msg)
			}
			choose := func(insats, provider string, want int) string {
				t.Helper()
				return w.problem("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+dec[insats]+"/provider",
					map[string]string{"provider_id": provider}, want)
			}
			for _, tc := range []struct{ insats, provider, want string }{
				{"hemtjanst_omvardnad", soder, "area"},
				{"trygghetslarm", soder, "insats"},
				{"hemtjanst_omvardnad", "no-such-provider", "No such provider"},
				{"hemtjanst_omvardnad", "", "Required"},
			} {
				if got := choose(tc.insats, tc.provider, http.StatusUnprocessableEntity); !strings.Contains(got, tc.want) {
					t.Errorf("choosing %s for %s: %q, want it to mention %q", tc.provider, tc.insats, got, tc.want)
				}
			}
			w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+dec["hemtjanst_omvardnad"]+"/provider", map[string]string{"provider_id": omsorg}, http.StatusOK, nil)
			w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+dec["trygghetslarm"]+"/provider", map[string]string{"provider_id": omsorg}, http.StatusOK, nil)
			w.move("handlaggare", c, "order")

			// The provider's view: its orders, what they carry, the feed.
			var list struct{ Orders []apiOrder }
			w.call("omsorg.anna", "GET", "/api/v1/orders", nil, http.StatusOK, &list)
			if len(list.Orders) != 2 {
				t.Fatalf("the provider's orders: %+v", list.Orders)
			}
			byInsats := map[string]apiOrder{}
			for _, o := range list.Orders {
				byInsats[o.Insats] = o
			}
			home := byInsats["hemtjanst_omvardnad"]
			if home.Status != "sent" || home.Amount != 2400 || len(home.Content.Needs) != 2 || home.Content.Needs[0].Qualifier != 3 ||
				len(home.Content.Goals) != 2 || home.Content.Person.IdentityNumber == "" {
				t.Errorf("the home-care order: %+v", home)
			}
			var raw []byte
			w.call("omsorg.anna", "GET", "/api/v1/orders/"+home.ID, nil, http.StatusOK, &raw)
			if bytes.Contains(raw, []byte("HEMLIG")) || bytes.Contains(raw, []byte("Vill klara mig själv")) {
				t.Errorf("the order carries the investigation's text: %s", raw)
			}
			var feed struct {
				Items []struct {
					Cursor  int64  `json:"cursor"`
					Type    string `json:"type"`
					OrderID string `json:"order_id"`
				}
				Next int64
			}
			w.call("omsorg.anna", "GET", "/api/v1/orders/feed?after=0", nil, http.StatusOK, &feed)
			if len(feed.Items) != 2 || feed.Items[0].Type != "order.sent" || feed.Next != feed.Items[1].Cursor {
				t.Errorf("the feed: %+v", feed)
			}
			cursor := feed.Next
			// Others: another provider does not see it, the officer cannot accept it.
			w.call("soder.sam", "GET", "/api/v1/orders/"+home.ID, nil, http.StatusNotFound, nil)
			w.call("soder.sam", "GET", "/api/v1/orders", nil, http.StatusOK, &list)
			if len(list.Orders) != 0 {
				t.Errorf("another provider lists %d orders", len(list.Orders))
			}
			w.call("handlaggare", "POST", "/api/v1/orders/"+home.ID+"/acceptance", map[string]string{"start_date": "2026-01-12"}, http.StatusForbidden, nil)
			w.call("omsorg.anna", "GET", "/api/v1/persons/"+w.journeyCase("ibic_sol_aldre").PersonID, nil, http.StatusNotFound, nil)
			w.call("omsorg.anna", "GET", "/api/v1/cases/"+c, nil, http.StatusNotFound, nil)

			// Accept with a start date (not before the decision), return the alarm.
			w.advance(7 * day) // Monday 12 January
			if got := w.problem("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/acceptance", map[string]string{"start_date": "2026-01-02"},
				http.StatusUnprocessableEntity); !strings.Contains(got, "before the decision") {
				t.Errorf("a start before the decision: %q", got)
			}
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/acceptance", map[string]string{"start_date": "2026-01-12"}, http.StatusOK, nil)
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/acceptance", map[string]string{"start_date": "2026-01-12"}, http.StatusConflict, nil)
			var execs struct {
				Executions []struct{ Kind, On string }
			}
			w.call("handlaggare", "GET", "/api/v1/cases/"+c+"/executions", nil, http.StatusOK, &execs)
			if len(execs.Executions) != 1 || execs.Executions[0].Kind != "executed" || execs.Executions[0].On != "2026-01-12" {
				t.Errorf("the acceptance's execution record: %+v", execs.Executions)
			}
			alarm := byInsats["trygghetslarm"]
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+alarm.ID+"/return", map[string]string{"reason": " "}, http.StatusUnprocessableEntity, nil)
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+alarm.ID+"/return", map[string]string{"reason": "Vi har inga larm kvar i området."}, http.StatusOK, nil)
			if got := w.tasks("handlaggare", c); !strings.Contains(strings.Join(got, ","), "order_returned "+alarm.ID) {
				t.Errorf("the officer's tasks after the return: %v", got)
			}

			// The plan: every goal needs an activity; codes are ICF.
			goodPlan := map[string]any{"participation": "took_part", "items": []map[string]any{
				{"goal": 0, "code": "d510", "activity": "Hjälp i duschen", "when": "Tisdag och fredag 8–9", "who": "Hemtjänstgrupp Norr 2"},
				{"goal": 1, "code": "d540", "activity": "Stöd vid påklädning", "when": "Varje morgon", "who": "Hemtjänstgrupp Norr 2"}}}
			for _, tc := range []struct {
				name string
				body map[string]any
				want string
			}{
				{"a goal without activity", map[string]any{"participation": "took_part", "items": []map[string]any{
					{"goal": 0, "code": "d510", "activity": "Dusch", "when": "Tis", "who": "Grupp 2"}}}, "goal 2 has none"},
				{"an unknown code", map[string]any{"participation": "took_part", "items": []map[string]any{
					{"goal": 0, "code": "x999", "activity": "Dusch", "when": "Tis", "who": "Grupp 2"}}}, "activity code"},
				{"no participation", map[string]any{"items": goodPlan["items"]}, "took part"},
			} {
				if got := w.problem("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/plans", tc.body, http.StatusUnprocessableEntity); !strings.Contains(got, tc.want) {
					t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
				}
			}
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/plans", goodPlan, http.StatusCreated, nil)
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/plans", goodPlan, http.StatusCreated, nil)
			var plans struct{ Plans []struct{ Version int } }
			w.call("handlaggare", "GET", "/api/v1/orders/"+home.ID+"/plans", nil, http.StatusOK, &plans)
			if len(plans.Plans) != 2 || plans.Plans[0].Version != 2 {
				t.Errorf("the officer reads the plan's versions: %+v", plans.Plans)
			}

			// A month of work: every weekday from the 12th, 08:00–08:45,
			// reported on 2 February; the two Fridays and one Monday the
			// person was not home.
			w.advance(21 * day) // Monday 2 February
			var entries []map[string]any
			notHome := map[string]bool{"2026-01-16": true, "2026-01-23": true, "2026-01-26": true}
			visits := 0
			for d := time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC); d.Month() == time.January; d = d.AddDate(0, 0, 1) {
				if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
					continue
				}
				on := d.Format(time.DateOnly)
				if notHome[on] {
					entries = append(entries, map[string]any{"order_id": home.ID, "on": on, "deviation": "not_home"})
					continue
				}
				visits++
				entries = append(entries, map[string]any{"order_id": home.ID, "on": on, "start": "08:00", "end": "08:45",
					"activities": []string{"d510", "d540"}})
			}
			// The first entry through the one-at-a-time endpoint (the phone page's).
			var first struct{ ID string }
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/performed", entries[0], http.StatusCreated, &first)
			batch := map[string]any{"key": "omsorg-2026-01-a", "entries": entries[1:10]}
			var res1, res2 struct {
				IDs      []string `json:"ids"`
				Replayed bool     `json:"replayed"`
			}
			w.call("omsorg.anna", "POST", "/api/v1/performed-batches", batch, http.StatusCreated, &res1)
			w.call("omsorg.anna", "POST", "/api/v1/performed-batches", batch, http.StatusOK, &res2) // a retry
			if !res2.Replayed || strings.Join(res1.IDs, ",") != strings.Join(res2.IDs, ",") || len(res1.IDs) != 9 {
				t.Errorf("the retried batch: first %+v, again %+v", res1, res2)
			}
			w.call("omsorg.anna", "POST", "/api/v1/performed-batches", map[string]any{"key": "omsorg-2026-01-a", "entries": entries[10:]}, http.StatusConflict, nil)

			// Bad input: each a clear message, nothing written.
			bad := []struct {
				name  string
				entry map[string]any
				want  string
			}{
				{"an overlap", map[string]any{"order_id": home.ID, "on": "2026-01-13", "start": "08:30", "end": "09:00", "activities": []string{"d510"}}, "Overlaps"},
				{"a future day", map[string]any{"order_id": home.ID, "on": "2026-02-03", "minutes": 30, "activities": []string{"d510"}}, "future"},
				{"before the start", map[string]any{"order_id": home.ID, "on": "2026-01-09", "minutes": 30, "activities": []string{"d510"}}, "start"},
				{"an unknown code", map[string]any{"order_id": home.ID, "on": "2026-01-30", "minutes": 30, "activities": []string{"zz9"}}, "Unknown activity code"},
				{"no time", map[string]any{"order_id": home.ID, "on": "2026-01-30", "activities": []string{"d510"}}, "time spent"},
				{"end before start", map[string]any{"order_id": home.ID, "on": "2026-01-30", "start": "09:00", "end": "08:00", "activities": []string{"d510"}}, "after the start"},
				{"a returned order", map[string]any{"order_id": alarm.ID, "on": "2026-01-30", "minutes": 5, "activities": []string{"d510"}}, "returned"},
				{"another provider's order", map[string]any{"order_id": "no-such-order", "on": "2026-01-30", "minutes": 5, "activities": []string{"d510"}}, "order"},
			}
			for i, tc := range bad {
				good := map[string]any{"order_id": home.ID, "on": "2026-01-30", "start": "10:00", "end": "10:30", "activities": []string{"d510"}}
				got := w.problem("omsorg.anna", "POST", "/api/v1/performed-batches", map[string]any{"key": fmt.Sprintf("bad-%d", i),
					"entries": []map[string]any{good, tc.entry}}, http.StatusUnprocessableEntity)
				if !strings.Contains(got, tc.want) || !strings.Contains(got, "entries.1.") {
					t.Errorf("%s: %q, want %q on entries.1", tc.name, got, tc.want)
				}
			}
			w.call("omsorg.anna", "POST", "/api/v1/performed-batches", map[string]any{"key": "omsorg-2026-01-b", "entries": entries[10:]}, http.StatusCreated, nil)
			// Within one batch, two entries overlapping each other.
			if got := w.problem("omsorg.anna", "POST", "/api/v1/performed-batches", map[string]any{"key": "bad-self-overlap", "entries": []map[string]any{
				{"order_id": home.ID, "on": "2026-01-30", "start": "12:00", "end": "12:30", "activities": []string{"d510"}},
				{"order_id": home.ID, "on": "2026-01-30", "start": "12:15", "end": "12:45", "activities": []string{"d510"}}}},
				http.StatusUnprocessableEntity); !strings.Contains(got, "Overlaps") {
				t.Errorf("a batch overlapping itself: %q", got)
			}
			// A correction: the first visit was 30 minutes, not 45.
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/performed", map[string]any{"on": "2026-01-12", "start": "08:00", "end": "08:30",
				"activities": []string{"d510"}, "corrects": first.ID}, http.StatusCreated, nil)
			if got := w.problem("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/performed", map[string]any{"on": "2026-01-12", "minutes": 20,
				"activities": []string{"d510"}, "corrects": first.ID}, http.StatusUnprocessableEntity); !strings.Contains(got, "already been corrected") {
				t.Errorf("correcting a corrected entry: %q", got)
			}
			performed := visits*45 - 15

			// Three deviations in January: a task for the officer.
			if got := strings.Join(w.tasks("handlaggare", c), ","); !strings.Contains(got, "order_deviations deviations:"+home.ID+":2026-01") {
				t.Errorf("the officer's tasks after three deviations: %s", got)
			}

			// Report back on the goals.
			for _, body := range []map[string]any{
				{"goals": []map[string]any{{"goal": 0, "status": "partly", "qualifier": 2}}},
				{"goals": []map[string]any{{"goal": 0, "status": "maybe", "qualifier": 2}, {"goal": 1, "status": "achieved", "qualifier": 1}}},
				{"goals": []map[string]any{{"goal": 0, "status": "partly", "qualifier": 5}, {"goal": 1, "status": "achieved", "qualifier": 1}}},
			} {
				w.call("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/follow-ups", body, http.StatusUnprocessableEntity, nil)
			}
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/follow-ups", map[string]any{"goals": []map[string]any{
				{"goal": 0, "status": "partly", "qualifier": 2}, {"goal": 1, "status": "achieved", "qualifier": 1}}}, http.StatusCreated, nil)

			// The officer's follow-up reads planned against performed.
			var caseOrders struct{ Orders []apiOrderView }
			w.call("handlaggare", "GET", "/api/v1/cases/"+c+"/orders", nil, http.StatusOK, &caseOrders)
			var hv apiOrderView
			for _, v := range caseOrders.Orders {
				if v.Order.ID == home.ID {
					hv = v
				}
			}
			if len(hv.FollowUp.Months) < 1 || hv.FollowUp.Months[0].Month != "2026-01" {
				t.Fatalf("the follow-up: %+v", hv.FollowUp)
			}
			jan := hv.FollowUp.Months[0]
			// 24 h a month, from the 12th: 20 of January's 31 days.
			if jan.PlannedMinutes != 24*60*20/31 || jan.PerformedMinutes != performed || jan.Visits != visits || jan.Deviations != 3 {
				t.Errorf("January: %+v, want planned %d, performed %d, visits %d, deviations 3", jan, 24*60*20/31, performed, visits)
			}
			if g := hv.FollowUp.Goals; len(g) != 2 || g[0].QualifierThen != 3 || g[0].QualifierNow == nil || *g[0].QualifierNow != 2 || g[1].Status != "achieved" {
				t.Errorf("the goals at follow-up: %+v", g)
			}
			if hv.Plan == nil || hv.Plan.Version != 2 {
				t.Errorf("the plan on the officer's view: %+v", hv.Plan)
			}

			// The basis for payment matches the reports.
			var csvBody []byte
			for _, user := range []string{"omsorg.anna", "arbetsledare"} {
				w.call(user, "GET", "/api/v1/providers/"+omsorg+"/payment-basis/csv?month=2026-01", nil, http.StatusOK, &csvBody)
				recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvBody, []byte("\uFEFF")))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				want := fmt.Sprintf("%d.%02d", performed/60, performed%60*100/60)
				if len(recs) != 3 || recs[1][2] != home.ID || recs[1][7] != want || recs[1][8] != fmt.Sprint(visits) || recs[1][9] != "3" || recs[2][7] != want {
					t.Errorf("%s's payment basis: %q, want %s hours", user, recs, want)
				}
			}
			w.call("handlaggare", "GET", "/api/v1/providers/"+omsorg+"/payment-basis/csv?month=2026-01", nil, http.StatusForbidden, nil)
			w.call("soder.sam", "GET", "/api/v1/providers/"+omsorg+"/payment-basis?month=2026-01", nil, http.StatusForbidden, nil)
			w.call("omsorg.anna", "GET", "/api/v1/providers/"+omsorg+"/payment-basis?month=jan", nil, http.StatusUnprocessableEntity, nil)

			// A new decision with more hours changes the order; the feed says so.
			var nd struct{ ID string }
			w.call("arbetsledare", "POST", "/api/v1/cases/"+c+"/decisions", map[string]any{"insats": "hemtjanst_omvardnad", "outcome": "granted",
				"legal_basis": "SoL 4 kap. 1 §", "valid_from": "2026-02-02", "amount": 3600, "justification": "Ökat behov."}, http.StatusCreated, &nd)
			w.call("arbetsledare", "POST", "/api/v1/cases/"+c+"/decisions/"+nd.ID+"/finalisation", nil, http.StatusOK, nil)
			var ov apiOrderView
			w.call("omsorg.anna", "GET", "/api/v1/orders/"+home.ID, nil, http.StatusOK, &ov)
			if ov.Order.Amount != 3600 || ov.Order.DecisionID != nd.ID || ov.Order.Status != "accepted" {
				t.Errorf("the order after the new decision: %+v", ov.Order)
			}
			w.call("omsorg.anna", "GET", fmt.Sprintf("/api/v1/orders/feed?after=%d", cursor), nil, http.StatusOK, &feed)
			var types []string
			for _, it := range feed.Items {
				types = append(types, it.Type)
			}
			if got := strings.Join(types, ","); got != "order.accepted,order.returned,order.changed" {
				t.Errorf("the feed after the cursor: %s", got)
			}

			// Closing the case ends the order: read-only from then on.
			w.move("handlaggare", c, "close")
			w.call("omsorg.anna", "GET", "/api/v1/orders/"+home.ID, nil, http.StatusOK, &ov)
			if ov.Order.Status != "ended" || ov.Order.EndReason == "" {
				t.Errorf("the order after closing: %+v", ov.Order)
			}
			if got := w.problem("omsorg.anna", "POST", "/api/v1/orders/"+home.ID+"/performed", map[string]any{"on": "2026-02-02", "minutes": 30,
				"activities": []string{"d510"}}, http.StatusConflict); !strings.Contains(got, "ended") {
				t.Errorf("a report on an ended order: %q", got)
			}
			var ended struct{ Orders []apiOrder }
			w.call("omsorg.anna", "GET", "/api/v1/orders?status=ended", nil, http.StatusOK, &ended)
			if len(ended.Orders) != 1 {
				t.Errorf("ended orders: %d", len(ended.Orders))
			}
		})
	}
}

// applyForHomeCare fills and signs the home-care application of case c
// (home help and a safety alarm) and starts the investigation, as the
// journey-1 officer.
func (w *packWorld) applyForHomeCare(c string) {
	w.t.Helper()
	w.fill("handlaggare", c, "ibic_ansokan", map[string]any{"applicant_kind": "self",
		"applied_sol": []string{"hemtjanst_omvardnad", "trygghetslarm"}, "own_description": "Klarar inte duschen efter fallet."})
	w.move("handlaggare", c, "start_investigation")
}

// investigateHomeCare signs the investigation of case c — two assessed
// needs (d510 with needText, d540) with a goal each — and takes the case
// to its decision step.
func (w *packWorld) investigateHomeCare(c, needText string) {
	w.t.Helper()
	w.fill("handlaggare", c, "ibic_utredning", map[string]any{
		"needs_assessment": []map[string]any{
			{"code": "d510", "qualifier": 3, "text": needText},
			{"code": "d540", "qualifier": 2, "text": "Behöver hjälp med strumpor."}},
		"own_view": "Vill klara mig själv.",
		"goals": []map[string]any{
			{"need": "d510", "goal": "Duschar tryggt två gånger i veckan.", "follow_up_by": "2026-04-01"},
			{"need": "d540", "goal": "Klär sig själv på morgonen.", "follow_up_by": "2026-04-01"}},
	})
	w.move("handlaggare", c, "to_decision")
}
