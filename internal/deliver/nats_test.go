package deliver_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/trygg/trygg/internal/deliver"
	"github.com/trygg/trygg/internal/natsembed"
)

// A natsBroker starts a NATS server with JetStream on 127.0.0.1 that keeps
// its streams in dir, on port (0: a free one). It returns the server's URL
// and a function that stops it (keeping the streams), and stops it when the
// test ends.
type natsBroker struct {
	name  string
	start func(t *testing.T, dir string, port int) (url string, stop func())
}

// natsBrokers are the servers every NATS test runs against: the embedded
// one and, where it is available, Debian's nats-server package as a
// separate process (nats_server_test.go).
var natsBrokers = []natsBroker{{name: "embedded", start: startEmbeddedNATS}}

func startEmbeddedNATS(t *testing.T, dir string, port int) (string, func()) {
	t.Helper()
	s, err := natsembed.Start(natsembed.Config{StoreDir: dir, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			s.Close()
		}
	}
	t.Cleanup(stop)
	return s.URL(), stop
}

// testBroker is a started broker that can be stopped and started again on
// the same port and store, as after an outage.
type testBroker struct {
	t    *testing.T
	kind natsBroker
	dir  string
	url  string
	stop func()
}

func startBroker(t *testing.T, kind natsBroker) *testBroker {
	t.Helper()
	b := &testBroker{t: t, kind: kind, dir: t.TempDir()}
	b.url, b.stop = kind.start(t, b.dir, 0)
	return b
}

func (b *testBroker) restart() {
	b.t.Helper()
	u, err := url.Parse(b.url)
	if err != nil {
		b.t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		b.t.Fatal(err)
	}
	b.stop()
	b.url, b.stop = b.kind.start(b.t, b.dir, port)
}

// event is the message of event seq of tenant, about caseID.
func event(tenant string, seq int64, typ, caseID string) deliver.Message {
	id := fmt.Sprintf("%s-%d", tenant, seq)
	return deliver.Message{
		ID: id, Type: typ, Tenant: tenant, Seq: seq, CaseID: caseID,
		Body: []byte(fmt.Sprintf(`{"specversion":"1.0","id":%q,"type":"se.trygg.%s","data":{"seq":%d,"case_id":%q}}`, id, typ, seq, caseID)),
	}
}

func newSender(t *testing.T, cfg deliver.NATSConfig) *deliver.NATS {
	t.Helper()
	n, err := deliver.NewNATS(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewNATS: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func send(t *testing.T, n *deliver.NATS, ms ...deliver.Message) {
	t.Helper()
	for _, m := range ms {
		if err := n.Send(t.Context(), m); err != nil {
			t.Fatalf("Send %s: %v", m.ID, err)
		}
	}
}

// consumed is what a consumer of the stream receives, in order.
type consumed struct {
	subject, msgID string
	body           string
}

// consume reads every message in stream with an ordered consumer, as a
// consuming system would.
func consume(t *testing.T, natsURL, stream string) []consumed {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
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
	var got []consumed
	for len(got) < int(info.State.Msgs) {
		batch, err := c.Fetch(int(info.State.Msgs)-len(got), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			got = append(got, consumed{subject: m.Subject(), msgID: m.Headers().Get(jetstream.MsgIDHeader), body: string(m.Data())})
		}
		if err := batch.Error(); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("consumer received %d of %d messages", len(got), info.State.Msgs)
		}
	}
	return got
}

func streamMsgs(t *testing.T, natsURL, stream string) uint64 {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(t.Context(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// A consumer receives every event once, in log order and so in order per
// case, on subjects PREFIX.TENANT.TYPE, even though the sender crashed after
// the stream took three events and before their cursor moved, and sent them
// again with the same ids.
func TestNATSConsumerReceivesEventsOncePerCaseInOrder(t *testing.T) {
	for _, kind := range natsBrokers {
		t.Run(kind.name, func(t *testing.T) {
			b := startBroker(t, kind)
			cfg := deliver.NATSConfig{URL: b.url, Stream: "TRYGG", CreateStream: true}

			log := []deliver.Message{
				event("malmo", 1, "case.opened", "c1"),
				event("malmo", 2, "case.opened", "c2"),
				event("malmo", 3, "form.saved", "c1"),
				event("malmo", 4, "person.registered", ""),
				event("malmo", 5, "decision.made", "c2"),
				event("malmo", 6, "form.saved", "c1"),
				event("malmo", 7, "decision.made", "c1"),
				event("malmo", 8, "case.closed", "c2"),
				event("malmo", 9, "case.closed", "c1"),
			}
			first := newSender(t, cfg)
			send(t, first, log[:6]...)
			first.Close() // the crash: the cursor still points after seq 3

			again := newSender(t, cfg) // a new server process; the stream exists
			send(t, again, log[3:]...)

			got := consume(t, b.url, "TRYGG")
			if len(got) != len(log) {
				t.Fatalf("consumer received %d messages, want %d (each event once): %v", len(got), len(log), got)
			}
			lastSeq := map[string]int64{}
			for i, m := range log {
				want := consumed{subject: "trygg.malmo." + m.Type, msgID: m.ID, body: string(m.Body)}
				if got[i] != want {
					t.Errorf("message %d = %+v, want %+v", i, got[i], want)
				}
				if m.CaseID != "" {
					if m.Seq <= lastSeq[m.CaseID] {
						t.Errorf("case %s: seq %d after %d", m.CaseID, m.Seq, lastSeq[m.CaseID])
					}
					lastSeq[m.CaseID] = m.Seq
				}
			}
		})
	}
}

// While the broker is down a publish fails with an error the delivery loop
// retries (not ErrGone); once it is back the same sender reconnects and the
// message is delivered, and a further repeat is dropped by the stream.
func TestNATSSendRetriesAcrossAnOutage(t *testing.T) {
	for _, kind := range natsBrokers {
		t.Run(kind.name, func(t *testing.T) {
			b := startBroker(t, kind)
			n := newSender(t, deliver.NATSConfig{URL: b.url, Stream: "EVENTS", SubjectPrefix: "city.social", CreateStream: true})
			send(t, n, event("lund", 1, "case.opened", "c1"))

			b.stop()
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			err := n.Send(ctx, event("lund", 2, "form.saved", "c1"))
			cancel()
			if err == nil || errors.Is(err, deliver.ErrGone) {
				t.Fatalf("Send while the broker is down = %v, want a retryable error", err)
			}

			b.restart()
			deadline := time.Now().Add(20 * time.Second)
			for {
				ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
				err = n.Send(ctx, event("lund", 2, "form.saved", "c1"))
				cancel()
				if err == nil {
					break
				}
				if errors.Is(err, deliver.ErrGone) || time.Now().After(deadline) {
					t.Fatalf("Send after the broker came back: %v", err)
				}
				time.Sleep(200 * time.Millisecond)
			}
			send(t, n, event("lund", 2, "form.saved", "c1"))

			got := consume(t, b.url, "EVENTS")
			var ids []string
			for _, m := range got {
				ids = append(ids, m.subject+" "+m.msgID)
			}
			if want := "city.social.lund.case.opened lund-1,city.social.lund.form.saved lund-2"; strings.Join(ids, ",") != want {
				t.Errorf("stream holds %q, want %q", strings.Join(ids, ","), want)
			}
		})
	}
}

func TestNATSRefusals(t *testing.T) {
	b := startBroker(t, natsBrokers[0])
	tokenDir := t.TempDir()
	withToken, err := natsembed.Start(natsembed.Config{StoreDir: tokenDir, Token: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { withToken.Close() })

	t.Run("config", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			cfg  deliver.NATSConfig
			want string
		}{
			{"no URL", deliver.NATSConfig{Stream: "S"}, "no server URL"},
			{"http URL", deliver.NATSConfig{URL: "http://127.0.0.1:4222", Stream: "S"}, "is not nats://"},
			{"password not shown", deliver.NATSConfig{URL: "http://u:hunter2@127.0.0.1:4222", Stream: "S"}, "u:xxxxx@"},
			{"user in the URL", deliver.NATSConfig{URL: "nats://u:hunter2@127.0.0.1:4222", Stream: "S"}, "has a user name"},
			{"no stream", deliver.NATSConfig{URL: b.url}, "no stream"},
			{"stream with a dot", deliver.NATSConfig{URL: b.url, Stream: "a.b"}, "stream name"},
			{"wildcard prefix", deliver.NATSConfig{URL: b.url, Stream: "S", SubjectPrefix: "trygg.*"}, "subject prefix"},
			{"empty prefix token", deliver.NATSConfig{URL: b.url, Stream: "S", SubjectPrefix: "trygg..x"}, "subject prefix"},
			{"token and creds", deliver.NATSConfig{URL: b.url, Stream: "S", Token: "t", CredsFile: "/x.creds"}, "both a token"},
			{"no server", deliver.NATSConfig{URL: "nats://127.0.0.1:1", Stream: "S"}, "connect to NATS"},
			{"wrong token", deliver.NATSConfig{URL: withToken.URL(), Stream: "S", Token: "wrong"}, "connect to NATS"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				n, err := deliver.NewNATS(t.Context(), tc.cfg)
				if err == nil {
					n.Close()
					t.Fatalf("NewNATS accepted %+v", tc.cfg)
				}
				if errors.Is(err, deliver.ErrGone) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q, want one containing %q and not ErrGone", err, tc.want)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error %q shows the password", err)
				}
			})
		}
	})

	t.Run("right token", func(t *testing.T) {
		n := newSender(t, deliver.NATSConfig{URL: withToken.URL(), Stream: "S", Token: "s3cret", CreateStream: true})
		send(t, n, event("malmo", 1, "case.opened", "c1"))
	})

	// A tenant id NATS would read as separators or wildcards is published
	// with underscores in their place, not refused for ever.
	t.Run("tenant with a dot", func(t *testing.T) {
		n := newSender(t, deliver.NATSConfig{URL: b.url, Stream: "ODD", SubjectPrefix: "odd", CreateStream: true})
		send(t, n, event("mal.mo *>", 1, "case.opened", "c1"))
		got := consume(t, b.url, "ODD")
		if len(got) != 1 || got[0].subject != "odd.mal_mo___.case.opened" {
			t.Errorf("stream ODD holds %+v, want one message on odd.mal_mo___.case.opened", got)
		}
	})

	t.Run("send", func(t *testing.T) {
		n := newSender(t, deliver.NATSConfig{URL: b.url, Stream: "MISSING"})
		for _, tc := range []struct {
			name string
			m    deliver.Message
			want string
		}{
			{"stream missing", event("malmo", 1, "case.opened", "c1"), "no stream takes the subject (create stream MISSING over trygg.>)"},
			{"wildcard type", event("malmo", 1, "case.*", "c1"), "cannot be a subject"},
			{"no id", deliver.Message{Tenant: "malmo", Type: "case.opened"}, "without an id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
				defer cancel()
				err := n.Send(ctx, tc.m)
				if err == nil || errors.Is(err, deliver.ErrGone) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Send = %v, want an error containing %q and not ErrGone", err, tc.want)
				}
			})
		}
	})

	t.Run("another stream takes the subject", func(t *testing.T) {
		newSender(t, deliver.NATSConfig{URL: b.url, Stream: "OTHER", SubjectPrefix: "other", CreateStream: true})
		n := newSender(t, deliver.NATSConfig{URL: b.url, Stream: "MINE", SubjectPrefix: "other"})
		err := n.Send(t.Context(), event("malmo", 1, "case.opened", "c1"))
		if err == nil || errors.Is(err, deliver.ErrGone) {
			t.Errorf("Send = %v, want a retryable error", err)
		}
		if got := streamMsgs(t, b.url, "OTHER"); got != 0 {
			t.Errorf("stream OTHER holds %d messages, want 0", got)
		}
	})
}

// BenchmarkNATSSend publishes events one at a time, each waiting for the
// stream's ack as the delivery loop does, to the embedded server: the
// events per second one NATS subscription can deliver.
func BenchmarkNATSSend(b *testing.B) {
	s, err := natsembed.Start(natsembed.Config{StoreDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	n, err := deliver.NewNATS(b.Context(), deliver.NATSConfig{URL: s.URL(), Stream: "TRYGG", CreateStream: true})
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	m := event("malmo", 0, "case.opened", "c1")
	b.ResetTimer()
	for i := range b.N {
		m.Seq = int64(i + 1)
		m.ID = "malmo-" + strconv.Itoa(i+1)
		if err := n.Send(b.Context(), m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
