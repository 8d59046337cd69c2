package service_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/trygg/trygg/internal/deliver"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/natsembed"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// A NATS subscription delivers through JetStream: a server that dies
// after the stream took an event and before its cursor moved leaves the
// server that takes over to publish it again with the same Nats-Msg-Id,
// which the stream drops, so a consumer of the stream receives every
// event of the subscription once, in log order and so in order per case,
// on trygg.TENANT.TYPE; events of other types are not published.
func TestNATSDeliveryAcrossCrash(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			broker, err := natsembed.Start(natsembed.Config{StoreDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { broker.Close() })
			w := newDeliveryWorld(t, engine)
			sub, _, err := w.svc.CreateSubscription(ctx, w.admin, service.SubscriptionInput{Name: "Integrationsplattformen",
				Kind: service.SubscriptionNATS, EventTypes: []string{"case.*"}, Destination: broker.URL(),
				Stream: "TRYGG", CreateStream: true})
			if err != nil {
				t.Fatal(err)
			}
			want := w.appendCaseEvents(t, []string{"case-a", "case-b", "case-c"}, 10)

			// The first server dies after the stream took its 12th message.
			hang := &hangingSender{crashAfter: 12, crashed: make(chan struct{})}
			w.svc.Delivery.Timeout = time.Minute
			w.svc.Delivery.NewSender = func(ctx context.Context, s store.Subscription, secrets []string) (deliver.Sender, error) {
				inner, err := deliver.NewNATS(ctx, deliver.NATSConfig{URL: s.Destination, Stream: "TRYGG", CreateStream: true})
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

			// The other server takes over once the lease has run out, with
			// the sender the subscription's kind names.
			w.clock.Advance(2 * time.Minute)
			w.svc.Delivery.NewSender = nil
			n, err := w.svc.DeliverSubscriptions(ctx, demo.TenantID, "server-2")
			if err != nil {
				t.Fatal(err)
			}
			kill()
			<-done
			if n != len(want)-11 {
				t.Errorf("the second server sent %d, want %d (the 12th again and the rest)", n, len(want)-11)
			}

			got := consumeStream(t, broker.URL(), "TRYGG")
			var order []int64
			perCase := map[string][]int64{}
			for _, m := range got {
				var ce struct {
					ID   string `json:"id"`
					Type string `json:"type"`
					Data struct {
						Seq    int64  `json:"seq"`
						CaseID string `json:"case_id"`
					} `json:"data"`
				}
				if err := json.Unmarshal(m.Data(), &ce); err != nil {
					t.Fatalf("%s: %v", m.Data(), err)
				}
				if m.Subject() != "trygg.demo.case.transitioned" || m.Headers().Get(jetstream.MsgIDHeader) != ce.ID || ce.Type != "se.trygg.case.transitioned" {
					t.Errorf("message on %s, Nats-Msg-Id %q: %s", m.Subject(), m.Headers().Get(jetstream.MsgIDHeader), m.Data())
				}
				order = append(order, ce.Data.Seq)
				perCase[ce.Data.CaseID] = append(perCase[ce.Data.CaseID], ce.Data.Seq)
			}
			if !slices.Equal(order, want) {
				t.Errorf("the consumer received %v, want each event once in log order %v", order, want)
			}
			for c, seqs := range perCase {
				if !slices.IsSorted(seqs) || len(seqs) != 10 {
					t.Errorf("case %s: %v, want 10 in order", c, seqs)
				}
			}
			got2 := w.sub(t, sub.ID)
			if last, _ := w.db.LastEventSeq(ctx, demo.TenantID); got2.Cursor != last || got2.Lag != 0 {
				t.Errorf("cursor %d, lag %d; want %d, 0", got2.Cursor, got2.Lag, last)
			}
		})
	}
}

// A NATS subscription whose server is down is tried again later, and not
// disabled; once the server is there its events are delivered.
func TestNATSDeliveryWaitsForTheServer(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			broker, err := natsembed.Start(natsembed.Config{StoreDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			natsURL := broker.URL()
			broker.Close()

			w := newDeliveryWorld(t, engine)
			sub, _, err := w.svc.CreateSubscription(ctx, w.admin, service.SubscriptionInput{Name: "Larmcentralen",
				Kind: service.SubscriptionNATS, EventTypes: []string{"*"}, Destination: natsURL, Stream: "TRYGG", CreateStream: true})
			if err != nil {
				t.Fatal(err)
			}
			w.appendCaseEvents(t, []string{"case-a"}, 3)
			if _, err := w.svc.DeliverSubscriptions(ctx, demo.TenantID, "server-1"); err != nil {
				t.Fatal(err)
			}
			got := w.sub(t, sub.ID)
			if got.State != store.SubscriptionActive || got.Attempts != 1 || got.Lag == 0 {
				t.Fatalf("after a failed attempt: %+v, lag %d; want it active, 1 attempt, events behind", got.Subscription, got.Lag)
			}

			u, err := url.Parse(natsURL)
			if err != nil {
				t.Fatal(err)
			}
			p, err := strconv.Atoi(u.Port())
			if err != nil {
				t.Fatal(err)
			}
			broker, err = natsembed.Start(natsembed.Config{StoreDir: dir, Port: p})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { broker.Close() })
			w.clock.Advance(time.Hour)
			if _, err := w.svc.DeliverSubscriptions(ctx, demo.TenantID, "server-1"); err != nil {
				t.Fatal(err)
			}
			got = w.sub(t, sub.ID)
			if got.Lag != 0 || got.Attempts != 0 {
				t.Errorf("after the server came back: %+v, lag %d; want caught up", got.Subscription, got.Lag)
			}
			if msgs := consumeStream(t, natsURL, "TRYGG"); len(msgs) != 6 {
				t.Errorf("the stream holds %d messages, want the 6 events", len(msgs))
			}
		})
	}
}

// consumeStream reads every message of stream with an ordered consumer.
func consumeStream(t *testing.T, natsURL, stream string) []jetstream.Msg {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var got []jetstream.Msg
	for len(got) < int(info.State.Msgs) {
		batch, err := c.Fetch(int(info.State.Msgs)-len(got), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			got = append(got, m)
		}
		if n == 0 {
			t.Fatalf("the consumer received %d of %d messages", len(got), info.State.Msgs)
		}
	}
	return got
}

// BenchmarkNATSDelivery delivers events from the event log to a NATS
// subscription on the embedded server, as the delivery loop does: read from
// the cursor, publish each event and wait for the stream's ack, move the
// cursor. One op is one event delivered.
func BenchmarkNATSDelivery(b *testing.B) {
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			broker, err := natsembed.Start(natsembed.Config{StoreDir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			defer broker.Close()
			clock := storetest.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
			db := storetest.Open(b, engine, clock)
			w := newDemoWorld(b, db, 5, 20, clock.Now())
			admin := w.actorFunc(b)("admin")
			if _, _, err := w.svc.CreateSubscription(ctx, admin, service.SubscriptionInput{Name: "Integrationsplattformen",
				Kind: service.SubscriptionNATS, EventTypes: []string{"*"}, Destination: broker.URL(), Stream: "TRYGG", CreateStream: true}); err != nil {
				b.Fatal(err)
			}
			sys := service.SystemActor(demo.TenantID)
			for i := 0; i < b.N; i += 1000 {
				err := db.Update(ctx, func(tx *store.Tx) error {
					for j := i; j < min(i+1000, b.N); j++ {
						e := events.New(sys, events.CaseTransitioned, "case", "case-a", map[string]any{"to": "x"})
						e.CaseID = "case-a"
						if _, err := tx.AppendEvent(ctx, e); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			sent, err := w.svc.DeliverSubscriptions(ctx, demo.TenantID, "bench")
			b.StopTimer()
			if err != nil || sent != b.N {
				b.Fatalf("delivered %d of %d: %v", sent, b.N, err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
