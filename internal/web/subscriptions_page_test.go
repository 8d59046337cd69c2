package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/deliver"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
)

var subscriptionSecret = regexp.MustCompile(`<code id="sub-secret" class="wrap">(whsec_[A-Za-z0-9+/=&#;]+)</code>`)

// secretOn returns the secret a page shows, or "".
func secretOn(page string) string {
	m := subscriptionSecret.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestSubscriptionPages: the system administrator subscribes a webhook
// on the page (a private address refused in Swedish at its field while
// the server does not allow them), is shown its secret once, sees it
// delivered and its lag, pauses, resumes, replays and rotates the
// secret; others are refused and do not have it in their menu.
func TestSubscriptionPages(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 10)
	var mu sync.Mutex
	var ids []string
	rcv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		ids = append(ids, r.Header.Get("webhook-id"))
		mu.Unlock()
	}))
	defer rcv.Close()

	for _, user := range []string{"handlaggare", "arbetsledare", "arkivarie"} {
		for _, tc := range []struct{ method, path string }{
			{"GET", "/admin/subscriptions"}, {"POST", "/admin/subscriptions"}, {"GET", "/admin/subscriptions/x"},
			{"POST", "/admin/subscriptions/x/pause"}, {"POST", "/admin/subscriptions/x/secret"}, {"POST", "/admin/subscriptions/x/delete"},
		} {
			if status, body, _ := w.page(user, tc.method, tc.path, url.Values{"name": {"x"}, "destination": {"https://example.se/"}, "event_types": {"*"}}, false); status != http.StatusForbidden {
				t.Errorf("%s %s as %s: status %d, want 403\n%s", tc.method, tc.path, user, status, mainOf(body))
			}
		}
		if page := w.mustPage(user, "GET", "/me", nil, false, http.StatusOK); strings.Contains(page, `href="/admin/subscriptions"`) {
			t.Errorf("%s has subscriptions in the menu", user)
		}
	}
	w.mustPage("admin", "GET", "/admin/subscriptions", nil, false, http.StatusOK, `href="/admin/subscriptions" aria-current="page"`, "Det finns inga prenumerationer än.")
	form := url.Values{"name": {"Integrationsplattformen"}, "destination": {rcv.URL + "/trygg"}, "event_types": {"case.* decision.made"}}
	w.mustPage("admin", "POST", "/admin/subscriptions", form, false, http.StatusUnprocessableEntity,
		"Adressen är inte tillåten: en privat eller lokal adress", `aria-invalid="true"`, `value="Integrationsplattformen"`)

	w.svc.Delivery.Policy = deliver.Policy{AllowPrivate: true}
	page := w.mustPage("admin", "POST", "/admin/subscriptions", form, false, http.StatusCreated, "Prenumerationen är skapad.", "Hemligheten visas bara nu.")
	secret := secretOn(page)
	if !deliver.ValidSecret(secret) {
		t.Fatalf("no secret on the page\n%s", mainOf(page))
	}
	subs, err := w.svc.Subscriptions(context.Background(), w.admin(t))
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriptions: %v, %v", subs, err)
	}
	path := "/admin/subscriptions/" + subs[0].ID
	if secretOn(w.mustPage("admin", "GET", path, nil, false, http.StatusOK)) != "" {
		t.Error("the secret is shown again")
	}

	// A case opened is delivered; the list shows nothing left to send.
	w.call("handlaggare", "POST", "/api/v1/cases", map[string]any{"person_id": w.ds.Cases[0].PersonID, "case_type": w.ds.Cases[0].CaseType, "title": "Ansökan", "unit_id": w.ds.Cases[0].UnitID}, http.StatusCreated, nil)
	if _, err := w.svc.DeliverSubscriptions(context.Background(), demo.TenantID, "test"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := len(ids)
	mu.Unlock()
	if got != 1 {
		t.Fatalf("the receiver got %d messages, want 1 (case.opened)", got)
	}
	w.mustPage("admin", "GET", "/admin/subscriptions", nil, false, http.StatusOK, "Integrationsplattformen", "Aktiv", "0 händelser i loggen")
	w.mustPage("admin", "GET", path, nil, false, http.StatusOK, `<dd id="sub-delivered">1 (senast`)

	w.mustPage("admin", "POST", path+"/pause", nil, false, http.StatusOK, "Prenumerationen är pausad.", `<dd id="sub-state">Pausad`)
	w.mustPage("admin", "POST", path+"/pause", nil, false, http.StatusConflict, "Prenumerationen är inte aktiv.")
	w.mustPage("admin", "POST", path+"/resume", nil, false, http.StatusOK, "Prenumerationen är aktiv igen")
	w.mustPage("admin", "POST", path+"/replay", url.Values{"from": {"0"}}, false, http.StatusUnprocessableEntity, "Ange ett tal från 1 till")
	w.mustPage("admin", "POST", path+"/replay", url.Values{"from": {"1"}}, false, http.StatusOK, "Leveransen fortsätter från den händelse du valde.")
	page = w.mustPage("admin", "POST", path+"/secret", nil, false, http.StatusOK, "Den nya hemligheten visas bara nu.", "Den gamla hemligheten signerar till")
	if s := secretOn(page); !deliver.ValidSecret(s) || s == secret {
		t.Errorf("no new secret on the page")
	}
	w.mustPage("admin", "POST", path+"/delete", nil, false, http.StatusOK, "Prenumerationen är borttagen.", "Det finns inga prenumerationer än.")
	w.mustPage("admin", "GET", path, nil, false, http.StatusNotFound)
	if n := w.eventCount("subscription.created") + w.eventCount("subscription.paused") + w.eventCount("subscription.resumed") +
		w.eventCount("subscription.replayed") + w.eventCount("subscription.secret_rotated") + w.eventCount("subscription.deleted"); n != 6 {
		t.Errorf("%d subscription events, want 6", n)
	}

	// A NATS JetStream subscription from the same form: no secret to show.
	page = w.mustPage("admin", "POST", "/admin/subscriptions", url.Values{"kind": {"nats"}, "name": {"Meddelandekön"},
		"destination": {"nats://127.0.0.1:4222"}, "event_types": {"case.*"}, "stream": {"TRYGG"}, "create_stream": {"1"}}, false,
		http.StatusCreated, "Prenumerationen är skapad.", "NATS JetStream")
	if secretOn(page) != "" {
		t.Error("a NATS subscription shows a secret")
	}
	w.mustPage("admin", "POST", "/admin/subscriptions", url.Values{"kind": {"nats"}, "name": {"Kö utan ström"},
		"destination": {"nats://127.0.0.1:4222"}, "event_types": {"*"}}, false, http.StatusUnprocessableEntity, "Ange en NATS-server", `value="nats" checked`)
}

// TestSubscriptionAPI: the JSON API makes, reads, pauses, resumes,
// replays, rotates and removes a subscription for the system
// administrator, with the secret in the answer that made it only, and
// refuses an officer.
func TestSubscriptionAPI(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 5)
	in := map[string]any{"name": "Plattformen", "kind": "webhook", "event_types": []string{"case.*"}, "destination": "https://hooks.example.se/trygg"}
	w.call("handlaggare", "POST", "/api/v1/subscriptions", in, http.StatusForbidden, nil)
	w.call("handlaggare", "GET", "/api/v1/subscriptions", nil, http.StatusForbidden, nil)
	var made struct {
		Subscription struct {
			ID, State string
			Cursor    int64
		}
		Secret string
	}
	w.call("admin", "POST", "/api/v1/subscriptions", in, http.StatusCreated, &made)
	if made.Subscription.State != "active" || !deliver.ValidSecret(made.Secret) {
		t.Fatalf("made: %+v", made)
	}
	w.call("admin", "POST", "/api/v1/subscriptions", in, http.StatusUnprocessableEntity, nil) // the same name
	var list []byte
	w.call("admin", "GET", "/api/v1/subscriptions", nil, http.StatusOK, &list)
	if strings.Contains(string(list), "whsec_") || !strings.Contains(string(list), `"lag":`) {
		t.Errorf("the list: %s", list)
	}
	id := made.Subscription.ID
	var s struct{ State, Reason string }
	w.call("admin", "POST", "/api/v1/subscriptions/"+id+"/pause", nil, http.StatusOK, &s)
	if s.State != "paused" || s.Reason != "paused" {
		t.Errorf("paused: %+v", s)
	}
	w.call("admin", "POST", "/api/v1/subscriptions/"+id+"/resume", nil, http.StatusOK, &s)
	w.call("admin", "POST", "/api/v1/subscriptions/"+id+"/replay", map[string]any{"from": 1}, http.StatusOK, nil)
	w.call("admin", "POST", "/api/v1/subscriptions/"+id+"/replay", map[string]any{"from": -1}, http.StatusUnprocessableEntity, nil)
	var rot struct {
		Secret       string
		RotationEnds time.Time `json:"rotation_ends"`
	}
	w.call("admin", "POST", "/api/v1/subscriptions/"+id+"/secret", nil, http.StatusOK, &rot)
	if rot.Secret == made.Secret || !deliver.ValidSecret(rot.Secret) || rot.RotationEnds.IsZero() {
		t.Errorf("rotated: %+v", rot)
	}
	w.call("admin", "DELETE", "/api/v1/subscriptions/"+id, nil, http.StatusNoContent, nil)
	w.call("admin", "GET", "/api/v1/subscriptions/"+id, nil, http.StatusNotFound, nil)
}

// subscriptionAuthzIDs makes a subscription, as the demo's system
// administrator, for the tests that try every route as outsiders
// (classes_test.go).
func (w *packWorld) subscriptionAuthzIDs() map[string]string {
	w.t.Helper()
	a, err := w.svc.ActorByUsername(context.Background(), demo.TenantID, "admin")
	if err != nil {
		w.t.Fatal(err)
	}
	sub, _, err := w.svc.CreateSubscription(context.Background(), a, service.SubscriptionInput{Name: "Plattformen", Kind: service.SubscriptionWebhook,
		EventTypes: []string{"*"}, Destination: "https://hooks.example.se/trygg"})
	if err != nil {
		w.t.Fatal(err)
	}
	return map[string]string{"subscriptions": sub.ID}
}
