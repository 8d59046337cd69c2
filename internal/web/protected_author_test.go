package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
	"github.com/trygg/trygg/packs"
)

// newPackWorldWith is newPackWorld with the generated demo changed by
// change before it is loaded.
func newPackWorldWith(t testing.TB, engine string, start time.Time, n int, change func(ds *demo.Dataset)) *packWorld {
	t.Helper()
	clock := storetest.NewClock(start)
	db := storetest.Open(t, engine, clock)
	svc := storetest.Service(t, db, nil)
	ds := demo.Generate(demo.Options{Persons: n, Staff: 40, Today: start})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	change(ds)
	if _, err := svc.LoadDemo(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Config{DefaultTenant: demo.TenantID}, svc, slog.New(slog.DiscardHandler), prometheus.NewRegistry()))
	t.Cleanup(srv.Close)
	return &packWorld{t: t, srv: srv, svc: svc, db: db, clock: clock, ds: ds, tokens: map[string]string{}}
}

// TestProtectedAuthorNames: journey 1's daughter, her mother's
// representative, has protected identity. What she writes on Mina sidor (a
// message, a comment on a goal of the provider's plan) is shown to the
// officer without the protected-identity permission and to the provider
// as "Företrädare (skyddade personuppgifter)", never with her name, on the
// pages and in the service's answers the API encodes; the case's history
// does not name her either. The team lead with the permission sees her
// name, and so does she.
func TestProtectedAuthorNames(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			var name string
			w := newPackWorldWith(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80, func(ds *demo.Dataset) {
				var daughter string
				for i, u := range ds.Users {
					switch u.Username {
					case "dotter":
						daughter, name = u.PersonID, u.DisplayName
					case "arbetsledare":
						ds.Users[i].ProtectedIdentity = true
					}
				}
				for i := range ds.Persons {
					if ds.Persons[i].ID == daughter {
						ds.Persons[i].Protection = persons.ProtectionProtected
					}
				}
			})
			if name == "" {
				t.Fatal("no daughter in the demo")
			}
			jc := w.journeyCase("ibic_sol_aldre")
			c, mother := decidedHomeCare(t, w), jc.PersonID

			// A message, and a comment on the plan's first goal.
			w.mustPortal("dotter", mother, "POST", "/portal/cases/"+c+"/messages", url.Values{"body": {"När kommer hemtjänsten?"}}, http.StatusSeeOther)
			w.investigateHomeCare(c, "Behöver stöd i duschen.")
			final := w.decide("handlaggare", c, func(d *apiDecision) map[string]any {
				if d.Insats == "hemtjanst_omvardnad" {
					return map[string]any{"amount": 2400}
				}
				return map[string]any{"outcome": "refused", "amount": 0, "justification": "Du klarar larmet med grannens hjälp.",
					"appeal_notice": "Skriv till socialnämnden och tala om vilket beslut du vill ändra."}
			})
			prov := w.actor("utforare").ProviderID // the demo's home care of Norra
			for _, d := range final {
				if d.Outcome == "granted" {
					w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+d.ID+"/provider", map[string]string{"provider_id": prov}, http.StatusOK, nil)
				}
			}
			w.move("handlaggare", c, "order")
			var list struct{ Orders []apiOrder }
			w.call("utforare", "GET", "/api/v1/orders", nil, http.StatusOK, &list)
			if len(list.Orders) != 1 {
				t.Fatalf("orders: %+v", list.Orders)
			}
			order := list.Orders[0].ID
			w.call("utforare", "POST", "/api/v1/orders/"+order+"/acceptance", map[string]string{"start_date": w.today()}, http.StatusOK, nil)
			w.call("utforare", "POST", "/api/v1/orders/"+order+"/plans", map[string]any{"participation": "took_part", "items": []map[string]any{
				{"goal": 0, "activity": "Hjälp i duschen", "when": "tisdag och fredag morgon", "who": "hemtjänsten"},
				{"goal": 1, "activity": "Stöd med strumporna", "when": "varje morgon", "who": "hemtjänsten"}}}, http.StatusCreated, nil)
			w.mustPortal("dotter", mother, "POST", "/portal/cases/"+c+"/comments",
				url.Values{"order": {order}, "goal": {"0"}, "body": {"Mamma vill hellre duscha på kvällen."}}, http.StatusSeeOther)

			const label = "Företrädare (skyddade personuppgifter)"
			hidden := func(who, page string) {
				t.Helper()
				if strings.Contains(page, name) {
					t.Errorf("%s sees the protected representative's name\n%s", who, mainOf(page))
				}
			}
			// The officer without the permission: the case page with the
			// conversation, the comment and the history.
			page := w.mustPage("handlaggare", "GET", "/cases/"+c, nil, false, http.StatusOK,
				"När kommer hemtjänsten?", "Mamma vill hellre duscha på kvällen.", label)
			hidden("the officer", page)
			// The provider, on the order.
			page = w.mustPage("utforare", "GET", "/provider/orders/"+order, nil, false, http.StatusOK, "Mamma vill hellre duscha på kvällen.", label)
			hidden("the provider", page)
			// What the API encodes.
			ctx := context.Background()
			conv, err := w.svc.CaseMessages(ctx, w.actor("handlaggare"), c)
			if err != nil {
				t.Fatal(err)
			}
			comments, err := w.svc.CaseGoalComments(ctx, w.actor("handlaggare"), c)
			if err != nil {
				t.Fatal(err)
			}
			ordered, err := w.svc.OrderGoalComments(ctx, w.actor("utforare"), order)
			if err != nil {
				t.Fatal(err)
			}
			for what, v := range map[string]any{"the conversation": conv, "the case's comments": comments, "the order's comments": ordered} {
				b, _ := json.Marshal(v)
				if strings.Contains(string(b), name) || !strings.Contains(string(b), `"author_protected":true`) {
					t.Errorf("%s as JSON: %s", what, b)
				}
			}

			// With the permission, and she herself: her name.
			w.mustPage("arbetsledare", "GET", "/cases/"+c, nil, false, http.StatusOK, name+"</strong> (företrädare)", name+" (företrädare)")
			w.mustPortal("dotter", mother, "GET", "/portal/cases/"+c, nil, http.StatusOK, name+" (företrädare)")
		})
	}
}
