package service_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/deliver"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// receiver is a webhook receiver on loopback as an integration platform
// would write one: it checks each message's signature with its own
// implementation of the Standard Webhooks rule, drops repeats by
// webhook-id, and keeps the events per case in the order received.
type receiver struct {
	srv *httptest.Server

	mu      sync.Mutex
	secrets []string // any of them verifies
	status  int      // what it answers
	raw     int      // requests received with a valid signature
	bad     int      // requests whose signature did not verify
	seen    map[string]bool
	order   []int64            // sequence numbers after dedup, as received
	perCase map[string][]int64 // sequence numbers after dedup, per case
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: http.StatusOK, seen: map[string]bool{}, perCase: map[string][]int64{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ts, sigs := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature")
	ok := false
	for _, s := range r.secrets {
		if receiverVerify(s, id, ts, body, sigs) {
			ok = true
		}
	}
	if !ok {
		r.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.raw++
	if r.status != http.StatusOK {
		w.WriteHeader(r.status)
		return
	}
	if !r.seen[id] {
		r.seen[id] = true
		var ce struct {
			ID   string `json:"id"`
			Data struct {
				Seq    int64  `json:"seq"`
				CaseID string `json:"case_id"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &ce)
		r.order = append(r.order, ce.Data.Seq)
		r.perCase[ce.Data.CaseID] = append(r.perCase[ce.Data.CaseID], ce.Data.Seq)
	}
	w.WriteHeader(http.StatusOK)
}

func (r *receiver) set(status int, secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = status
	if len(secrets) > 0 {
		r.secrets = secrets
	}
}

func (r *receiver) counts() (raw, unique, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.raw, len(r.seen), r.bad
}

// receiverVerify is the receiver's check of the signature header: some
// "v1," signature in it is the base64 of HMAC-SHA256 over
// id "." timestamp "." body, keyed with the base64-decoded secret after
// "whsec_".
func receiverVerify(secret, id, ts string, body []byte, header string) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || id == "" || ts == "" {
		return false
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.", id, ts)
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range strings.Fields(header) {
		if hmac.Equal([]byte(s), []byte("v1,"+want)) {
			return true
		}
	}
	return false
}

// deliveryWorld is a small demo municipality on a settable clock, its
// system administrator and an officer.
type deliveryWorld struct {
	db      *store.DB
	clock   *storetest.Clock
	svc     *service.Service
	admin   trygg.Actor
	officer trygg.Actor
}

func newDeliveryWorld(t *testing.T, engine string) *deliveryWorld {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, engine, clock)
	w := newDemoWorld(t, db, 5, 20, clock.Now())
	act := w.actorFunc(t)
	w.svc.Delivery.Policy = deliver.Policy{AllowPrivate: true}
	return &deliveryWorld{db: db, clock: clock, svc: w.svc, admin: act("admin"), officer: act(w.ds.Users[0].Username)}
}

// appendCaseEvents appends n events of each of the cases, taking turns,
// and one event of another kind after each round; it returns the
// sequence numbers of the cases' events.
func (w *deliveryWorld) appendCaseEvents(t *testing.T, cases []string, n int) []int64 {
	t.Helper()
	var seqs []int64
	sys := service.SystemActor(demo.TenantID)
	for i := 0; i < n; i++ {
		err := w.db.Update(context.Background(), func(tx *store.Tx) error {
			for _, c := range cases {
				e := events.New(sys, events.CaseTransitioned, "case", c, map[string]any{"to": "x"})
				e.CaseID = c
				e, err := tx.AppendEvent(context.Background(), e)
				if err != nil {
					return err
				}
				seqs = append(seqs, e.Seq)
			}
			_, err := tx.AppendEvent(context.Background(), events.New(sys, events.NoteDraftSaved, "note", "n", nil))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return seqs
}

func (w *deliveryWorld) subscribe(t *testing.T, url string, types ...string) (store.Subscription, string) {
	t.Helper()
	sub, secret, err := w.svc.CreateSubscription(context.Background(), w.admin, service.SubscriptionInput{Name: "Integrationsplattformen",
		Kind: service.SubscriptionWebhook, EventTypes: types, Destination: url})
	if err != nil {
		t.Fatal(err)
	}
	return sub, secret
}

func (w *deliveryWorld) sub(t *testing.T, id string) service.SubscriptionInfo {
	t.Helper()
	s, err := w.svc.Subscription(context.Background(), w.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// hangingSender sends through the real webhook and, after its
// crashAfter-th accepted message, stops as a killed server would: it
// never returns to move the cursor until its context ends.
type hangingSender struct {
	inner      deliver.Sender
	crashAfter int
	sent       int
	crashed    chan struct{}
}

func (h *hangingSender) Send(ctx context.Context, m deliver.Message) error {
	if err := h.inner.Send(ctx, m); err != nil {
		return err
	}
	h.sent++
	if h.sent == h.crashAfter {
		close(h.crashed)
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (h *hangingSender) Close() error { return h.inner.Close() }

// A server that dies after its webhook accepted an event and before its
// cursor moved: the server that takes over its lease sends that event
// again with the same id, and after dropping repeats the receiver has
// every event of the subscription once, in order per case; events of
// other types are not sent.
//
// With the cursor moved after each message the crash repeats one; moved
// at most every CursorEvery, it repeats what was accepted since it last
// moved (here all 12, the first round's), and still skips nothing.
func TestWebhookDeliveryAcrossCrash(t *testing.T) {
	for _, tc := range []struct {
		name    string
		every   time.Duration
		repeats int
	}{{"cursor after each", 0, 1}, {"cursor every hour", time.Hour, 12}} {
		for _, engine := range storetest.Engines {
			t.Run(tc.name+"/"+engine, func(t *testing.T) {
				ctx := context.Background()
				w := newDeliveryWorld(t, engine)
				rcv := newReceiver(t)
				sub, secret := w.subscribe(t, rcv.srv.URL+"/hooks/trygg", "case.*")
				rcv.set(http.StatusOK, secret)
				want := w.appendCaseEvents(t, []string{"case-a", "case-b", "case-c"}, 10)

				// The first server dies after its 12th message was accepted.
				hang := &hangingSender{crashAfter: 12, crashed: make(chan struct{})}
				w.svc.Delivery.Timeout, w.svc.Delivery.CursorEvery = time.Minute, tc.every
				w.svc.Delivery.NewSender = func(ctx context.Context, s store.Subscription, secrets []string) (deliver.Sender, error) {
					inner, err := deliver.NewWebhook(deliver.WebhookConfig{URL: s.Destination, Secrets: secrets, Policy: w.svc.Delivery.Policy})
					hang.inner = inner
					return hang, err
				}
				ctx1, kill := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() {
					defer close(done)
					_, _ = w.svc.DeliverSubscriptions(ctx1, demo.TenantID, "server-1")
				}()
				<-hang.crashed
				if raw, unique, _ := rcv.counts(); raw != 12 || unique != 12 {
					t.Fatalf("before the crash: %d received, %d unique, want 12", raw, unique)
				}

				// The other server takes over once the lease has run out.
				w.clock.Advance(2 * time.Minute)
				w.svc.Delivery.NewSender = nil
				n, err := w.svc.DeliverSubscriptions(ctx, demo.TenantID, "server-2")
				if err != nil {
					t.Fatal(err)
				}
				kill()
				<-done
				if n != len(want)-12+tc.repeats {
					t.Errorf("the second server sent %d, want %d (%d again and the rest)", n, len(want)-12+tc.repeats, tc.repeats)
				}
				raw, unique, bad := rcv.counts()
				if raw != len(want)+tc.repeats || unique != len(want) || bad != 0 {
					t.Errorf("received %d, %d unique, %d with a bad signature; want %d, %d, 0", raw, unique, bad, len(want)+tc.repeats, len(want))
				}
				if !slices.Equal(rcv.order, want) {
					t.Errorf("received %v, want %v", rcv.order, want)
				}
				for c, seqs := range rcv.perCase {
					if !slices.IsSorted(seqs) || len(seqs) != 10 {
						t.Errorf("case %s: %v, want 10 in order", c, seqs)
					}
				}
				got := w.sub(t, sub.ID)
				if last, _ := w.db.LastEventSeq(ctx, demo.TenantID); got.Cursor != last || got.Lag != 0 {
					t.Errorf("cursor %d, lag %d; want %d, 0", got.Cursor, got.Lag, last)
				}
				if got.State != store.SubscriptionActive || got.Attempts != 0 || got.Delivered < int64(len(want)-11) {
					t.Errorf("after delivery: %+v", got.Subscription)
				}
			})
		}
	}
}

// A failing receiver is tried again after a pause that doubles; after
// about three days the subscription is disabled, and resumed it goes on
// from where it stopped. A receiver that answers 410 disables it at once.
func TestWebhookRetriesAndDisables(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			w := newDeliveryWorld(t, engine)
			rcv := newReceiver(t)
			sub, secret := w.subscribe(t, rcv.srv.URL, "case.transitioned", "decision.*")
			rcv.set(http.StatusServiceUnavailable, secret)
			w.appendCaseEvents(t, []string{"case-a"}, 3)
			deliverNow := func() {
				t.Helper()
				if _, err := w.svc.DeliverSubscriptions(ctx, demo.TenantID, "server"); err != nil {
					t.Fatal(err)
				}
			}
			deliverNow()
			s := w.sub(t, sub.ID)
			if s.Attempts != 1 || !s.NextAttemptAt.Equal(w.clock.Now().Add(5*time.Second)) || !strings.Contains(s.LastError, "503") || s.Lag == 0 {
				t.Fatalf("after a failure: %+v", s)
			}
			deliverNow() // not due yet
			if raw, _, _ := rcv.counts(); raw != 1 {
				t.Errorf("tried %d times before the pause ended", raw)
			}
			w.clock.Advance(5 * time.Second)
			deliverNow()
			if s = w.sub(t, sub.ID); s.Attempts != 2 || !s.NextAttemptAt.Equal(w.clock.Now().Add(10*time.Second)) {
				t.Fatalf("after a second failure: attempts %d, next %v", s.Attempts, s.NextAttemptAt)
			}
			w.clock.Advance(service.GiveUpAfter)
			deliverNow()
			if s = w.sub(t, sub.ID); s.State != store.SubscriptionDisabled || s.Reason != service.ReasonGivenUp {
				t.Fatalf("after three days: %s %s", s.State, s.Reason)
			}
			// Resumed, it delivers everything from its cursor.
			rcv.set(http.StatusOK)
			if err := w.svc.ResumeSubscription(ctx, w.admin, sub.ID); err != nil {
				t.Fatal(err)
			}
			deliverNow()
			if _, unique, _ := rcv.counts(); unique != 3 {
				t.Errorf("after resuming: %d delivered, want 3", unique)
			}
			if s = w.sub(t, sub.ID); s.State != store.SubscriptionActive || s.Attempts != 0 {
				t.Errorf("after resuming: %+v", s.Subscription)
			}

			// 410 Gone disables at once, with an event, the cursor left.
			rcv.set(http.StatusGone)
			w.appendCaseEvents(t, []string{"case-a"}, 1)
			deliverNow()
			if s = w.sub(t, sub.ID); s.State != store.SubscriptionDisabled || s.Reason != service.ReasonGone || s.Lag < 2 {
				t.Errorf("after 410: %s %s lag %d", s.State, s.Reason, s.Lag)
			}
			evs, _ := w.db.LatestEventsOfType(ctx, demo.TenantID, events.SubscriptionDisabled, 10)
			if len(evs) != 2 || evs[0].SubjectID != sub.ID || !strings.Contains(string(evs[0].Payload), `"gone"`) {
				t.Errorf("disabled events: %+v", evs)
			}
		})
	}
}

// Pausing stops delivery, replaying sends again from a position, and a
// rotated secret signs beside the old one for a day, then alone.
func TestSubscriptionAdministration(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			w := newDeliveryWorld(t, engine)
			rcv := newReceiver(t)
			sub, secret := w.subscribe(t, rcv.srv.URL, "*")
			rcv.set(http.StatusOK, secret)
			deliverNow := func() int {
				t.Helper()
				n, err := w.svc.DeliverSubscriptions(ctx, demo.TenantID, "server")
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if err := w.svc.PauseSubscription(ctx, w.admin, sub.ID); err != nil {
				t.Fatal(err)
			}
			seqs := w.appendCaseEvents(t, []string{"case-a"}, 4)
			if n := deliverNow(); n != 0 {
				t.Errorf("a paused subscription sent %d", n)
			}
			if err := w.svc.PauseSubscription(ctx, w.admin, sub.ID); trygg.ErrorCode(err) != trygg.EConflict {
				t.Errorf("pausing twice: %v", err)
			}
			if err := w.svc.ResumeSubscription(ctx, w.admin, sub.ID); err != nil {
				t.Fatal(err)
			}
			// Every event after its creation: the pause, the resume, the
			// cases' events and the others.
			if n := deliverNow(); n != 4*2+2 {
				t.Errorf("resumed, it sent %d, want 10", n)
			}
			if err := w.svc.ReplaySubscription(ctx, w.admin, sub.ID, seqs[2]); err != nil {
				t.Fatal(err)
			}
			if n := deliverNow(); n < 4 {
				t.Errorf("the replay sent %d", n)
			}
			if raw, unique, _ := rcv.counts(); raw <= unique {
				t.Errorf("the replay sent nothing again: %d received, %d unique", raw, unique)
			}
			if err := w.svc.ReplaySubscription(ctx, w.admin, sub.ID, 0); trygg.ErrorCode(err) != trygg.EInvalid {
				t.Errorf("replay from 0: %v", err)
			}

			// Rotation: both secrets sign for a day.
			newSecret, err := w.svc.RotateSubscriptionSecret(ctx, w.admin, sub.ID)
			if err != nil || newSecret == secret || !deliver.ValidSecret(newSecret) {
				t.Fatalf("rotate: %q, %v", newSecret, err)
			}
			for _, s := range []string{secret, newSecret} {
				rcv.set(http.StatusOK, s)
				w.appendCaseEvents(t, []string{"case-b"}, 1)
				deliverNow()
				if _, _, bad := rcv.counts(); bad != 0 {
					t.Fatalf("during the rotation a receiver with one secret refused %d", bad)
				}
			}
			w.clock.Advance(service.RotationOverlap + time.Second)
			rcv.set(http.StatusOK, secret)
			w.appendCaseEvents(t, []string{"case-b"}, 1)
			deliverNow()
			if _, _, bad := rcv.counts(); bad == 0 {
				t.Error("the old secret still signs after the rotation ended")
			}

			// Only a system administrator manages subscriptions.
			if _, err := w.svc.Subscriptions(ctx, w.officer); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Errorf("an officer lists subscriptions: %v", err)
			}
			if _, _, err := w.svc.CreateSubscription(ctx, w.officer, service.SubscriptionInput{Name: "x", Kind: "webhook",
				EventTypes: []string{"*"}, Destination: "https://example.se/"}); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Errorf("an officer creates a subscription: %v", err)
			}
			if err := w.svc.DeleteSubscription(ctx, w.admin, sub.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Subscription(ctx, w.admin, sub.ID); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Errorf("after delete: %v", err)
			}
			for _, typ := range []string{events.SubscriptionCreated, events.SubscriptionPaused, events.SubscriptionResumed,
				events.SubscriptionReplayed, events.SubscriptionSecretRotated, events.SubscriptionDeleted} {
				if evs, _ := w.db.LatestEventsOfType(ctx, demo.TenantID, typ, 1); len(evs) != 1 || strings.Contains(string(evs[0].Payload), "whsec_") {
					t.Errorf("%s: %+v", typ, evs)
				}
			}
		})
	}
}

// By default a webhook may not reach a private or loopback address:
// an address is refused when the subscription is made, and a name that
// resolves to one when it is dialled, so nothing reaches the receiver.
func TestWebhookPrivateRefusedByDefault(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			w := newDeliveryWorld(t, engine)
			w.svc.Delivery.Policy = deliver.Policy{}
			rcv := newReceiver(t)
			_, _, err := w.svc.CreateSubscription(ctx, w.admin, service.SubscriptionInput{Name: "x", Kind: "webhook", EventTypes: []string{"*"},
				Destination: rcv.srv.URL})
			if trygg.ErrorCode(err) != trygg.EInvalid || !strings.Contains(fmt.Sprint(err.(*trygg.Error).Fields), "not allowed") {
				t.Fatalf("a loopback address: %v", err)
			}
			sub, secret := w.subscribe(t, strings.Replace(rcv.srv.URL, "127.0.0.1", "localhost", 1), "*")
			rcv.set(http.StatusOK, secret)
			w.appendCaseEvents(t, []string{"case-a"}, 1)
			if _, err := w.svc.DeliverSubscriptions(ctx, demo.TenantID, "server"); err != nil {
				t.Fatal(err)
			}
			if raw, _, bad := rcv.counts(); raw+bad != 0 {
				t.Errorf("the receiver on loopback got %d requests", raw+bad)
			}
			if s := w.sub(t, sub.ID); s.Attempts != 1 || !strings.Contains(s.LastError, "refused") {
				t.Errorf("after a refused address: attempts %d, error %q", s.Attempts, s.LastError)
			}
			for _, in := range []service.SubscriptionInput{
				{Name: "", Kind: "webhook", EventTypes: []string{"*"}, Destination: "https://example.se/"},
				{Name: "y", Kind: "webhook", EventTypes: []string{"Case opened"}, Destination: "https://example.se/"},
				{Name: "y", Kind: "webhook", EventTypes: []string{"*"}, Destination: "ftp://example.se/"},
				{Name: "y", Kind: "smtp", EventTypes: []string{"*"}, Destination: "https://example.se/"},
				{Name: "y", Kind: "nats", EventTypes: []string{"*"}, Destination: "https://example.se/"},
			} {
				if _, _, err := w.svc.CreateSubscription(ctx, w.admin, in); trygg.ErrorCode(err) != trygg.EInvalid {
					t.Errorf("%+v: %v", in, err)
				}
			}
		})
	}
}

func TestMatchesEventType(t *testing.T) {
	for _, tt := range []struct {
		patterns []string
		typ      string
		want     bool
	}{
		{[]string{"*"}, "case.opened", true},
		{[]string{"case.*"}, "case.opened", true},
		{[]string{"case.*"}, "cases.opened", false},
		{[]string{"case.*"}, "case", false},
		{[]string{"decision.made"}, "decision.made", true},
		{[]string{"decision.made"}, "decision.drafted", false},
		{[]string{"note.*", "decision.made"}, "decision.made", true},
	} {
		if got := service.MatchesEventType(tt.patterns, tt.typ); got != tt.want {
			t.Errorf("%v %s = %v", tt.patterns, tt.typ, got)
		}
	}
}

// TestNATSCredsFileInOperatorsFolder: a NATS subscription's credentials
// file is a name in the folder the operator set (serve --nats-creds-dir),
// never a path an administrator chooses on the server; with no folder,
// none may be named.
func TestNATSCredsFileInOperatorsFolder(t *testing.T) {
	ctx := context.Background()
	w := newDeliveryWorld(t, "sqlite")
	in := func(creds string) service.SubscriptionInput {
		return service.SubscriptionInput{Name: "Plattformen", Kind: "nats", EventTypes: []string{"*"},
			Destination: "nats://nats.example.se:4222", Stream: "TRYGG", CredsFile: creds}
	}
	for _, c := range []struct {
		dir, creds, refused string
	}{
		{"", "/etc/trygg/other-tenant.creds", "not allowed"},
		{"", "app.creds", "not allowed"},
		{"/etc/trygg/nats", "/etc/passwd", "without a path"},
		{"/etc/trygg/nats", "../other-tenant.creds", "without a path"},
		{"/etc/trygg/nats", "sub/app.creds", "without a path"},
		{"/etc/trygg/nats", "app.creds", ""},
	} {
		w.svc.Delivery.NATSCredsDir = c.dir
		_, _, err := w.svc.CreateSubscription(ctx, w.admin, in(c.creds))
		if c.refused == "" {
			if err != nil {
				t.Errorf("folder %q, file %q: %v", c.dir, c.creds, err)
			}
			continue
		}
		var te *trygg.Error
		if !errors.As(err, &te) || te.Code != trygg.EInvalid || !strings.Contains(te.Fields["creds_file"], c.refused) {
			t.Errorf("folder %q, file %q: %v, want creds_file %q", c.dir, c.creds, err, c.refused)
		}
	}
}

// pausingSender pauses its subscription once its destination accepted
// pauseAfter messages, as an administrator would while a round is under
// way.
type pausingSender struct {
	inner      deliver.Sender
	pauseAfter int
	sent       int
	pause      func() error
}

func (p *pausingSender) Send(ctx context.Context, m deliver.Message) error {
	if err := p.inner.Send(ctx, m); err != nil {
		return err
	}
	if p.sent++; p.sent == p.pauseAfter {
		return p.pause()
	}
	return nil
}

func (p *pausingSender) Close() error { return p.inner.Close() }

// TestPauseStopsARound: pausing a subscription while its server is
// delivering a backlog stops that round at the message in flight, not
// after the round's whole batch; resumed, it goes on with nothing
// skipped.
func TestPauseStopsARound(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			w := newDeliveryWorld(t, engine)
			rcv := newReceiver(t)
			sub, secret := w.subscribe(t, rcv.srv.URL+"/hooks/trygg", "case.*")
			rcv.set(http.StatusOK, secret)
			want := w.appendCaseEvents(t, []string{"case-a", "case-b"}, 20)
			w.svc.Delivery.CursorEvery = 0
			w.svc.Delivery.NewSender = func(ctx context.Context, s store.Subscription, secrets []string) (deliver.Sender, error) {
				inner, err := deliver.NewWebhook(deliver.WebhookConfig{URL: s.Destination, Secrets: secrets, Policy: w.svc.Delivery.Policy})
				return &pausingSender{inner: inner, pauseAfter: 3, pause: func() error { return w.svc.PauseSubscription(ctx, w.admin, sub.ID) }}, err
			}
			_, _ = w.svc.DeliverSubscriptions(ctx, demo.TenantID, "server-1")
			if raw, _, _ := rcv.counts(); raw > 4 {
				t.Errorf("after a pause at the third message the round sent %d", raw)
			}
			if got := w.sub(t, sub.ID); got.State != store.SubscriptionPaused {
				t.Fatalf("state %q, want paused", got.State)
			}
			w.svc.Delivery.NewSender = nil
			if err := w.svc.ResumeSubscription(ctx, w.admin, sub.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.DeliverSubscriptions(ctx, demo.TenantID, "server-1"); err != nil {
				t.Fatal(err)
			}
			if _, unique, _ := rcv.counts(); unique != len(want) {
				t.Errorf("after resuming: %d unique, want %d", unique, len(want))
			}
		})
	}
}
