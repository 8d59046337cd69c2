package bench

import (
	"context"
	"encoding/json"

	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/trygg/trygg/internal/deliver"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
)

// deliveryInterval and cursorEvery are serve's --delivery-interval and
// --delivery-cursor-every defaults.
const (
	deliveryInterval = 250 * time.Millisecond
	cursorEvery      = 100 * time.Millisecond
)

// benchReceiver is a webhook receiver on loopback: it answers 204 and
// keeps, for each message received once (by webhook-id), how long after
// its event was written it arrived.
type benchReceiver struct {
	srv *http.Server
	url string

	mu   sync.Mutex
	seen map[string]bool
	lags []time.Duration
}

func startBenchReceiver() (*benchReceiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &benchReceiver{seen: map[string]bool{}, url: "http://" + ln.Addr().String() + "/hooks"}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *benchReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	now := time.Now()
	var ce struct {
		Time time.Time `json:"time"`
	}
	_ = json.Unmarshal(body, &ce)
	r.mu.Lock()
	if id := req.Header.Get("webhook-id"); !r.seen[id] {
		r.seen[id] = true
		r.lags = append(r.lags, now.Sub(ce.Time))
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// take returns the lags received so far and forgets them.
func (r *benchReceiver) take() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.lags
	r.lags = nil
	return out
}

// deliveries measures events out to a webhook on loopback: first how
// many events a second one server delivers from a backlog (the whole
// log, replayed from its start, one message at a time as delivery does,
// the cursor moved as serve moves it), then the delivery lag while the
// officer mix runs with the delivery loop at serve's interval: from an
// event's commit to its message's arrival at the receiver, as the
// row's percentiles.
func (b *bench) deliveries(ctx context.Context) ([]benchRow, error) {
	rcv, err := startBenchReceiver()
	if err != nil {
		return nil, err
	}
	defer rcv.srv.Close()
	b.svc.Delivery.Policy, b.svc.Delivery.CursorEvery = deliver.Policy{AllowPrivate: true}, cursorEvery
	admin, err := b.svc.ActorByUsername(ctx, demo.TenantID, "admin")
	if err != nil {
		return nil, err
	}
	subscribe := func(name string) (string, error) {
		sub, _, err := b.svc.CreateSubscription(ctx, admin, service.SubscriptionInput{Name: name, Kind: service.SubscriptionWebhook,
			EventTypes: []string{"*"}, Destination: rcv.url})
		return sub.ID, err
	}

	// The backlog: the log from its start, for the run's duration.
	id, err := subscribe("bench backlog")
	if err != nil {
		return nil, err
	}
	if err := b.svc.ReplaySubscription(ctx, admin, id, 1); err != nil {
		return nil, err
	}
	b.progress("workload deliveries: the event log to a webhook from its start (%v)", b.opt.Duration)
	stmts0, cpu0 := b.db.Statements(), processCPU()
	dctx, cancel := context.WithTimeout(ctx, b.opt.Duration)
	start := time.Now()
	sent, err := b.svc.DeliverSubscriptions(dctx, demo.TenantID, "bench")
	elapsed := time.Since(start)
	cancel()
	backlog := benchRow{name: "deliveries: webhook on loopback, from a backlog (one server)", op: "event", ops: int64(sent), elapsed: elapsed,
		stmts: b.db.Statements() - stmts0, cpu: processCPU() - cpu0, serverCPU: -1, limit: b.httpLimit, limitBy: "http"}
	if err != nil && ctx.Err() == nil && dctx.Err() == nil {
		backlog.errors, backlog.firstErr = 1, err.Error()
	}
	lags := rcv.take()
	backlog.lat = nil
	if len(lags) > 0 {
		// Per message: the time between arrivals.
		per := elapsed / time.Duration(len(lags))
		backlog.lat = []time.Duration{per}
	}
	if err := b.svc.DeleteSubscription(ctx, admin, id); err != nil {
		return nil, err
	}

	// The lag under the officer mix, with the delivery loop running as
	// serve runs it.
	if _, err := subscribe("bench lag"); err != nil {
		return nil, err
	}
	lctx, stop := context.WithCancel(ctx)
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		b.svc.RunDeliveries(lctx, deliveryInterval)
	}()
	b.progress("workload deliveries: the officer mix with a webhook subscribed to every event (%v, %d virtual users)", b.opt.Duration, b.opt.VUs)
	mix, err := b.httpWorkload(ctx, "deliveries: the officer mix while a webhook follows every event", "request", b.logURL, (*bench).mix)
	// The events of the mix's last moments arrive within the loop's next
	// rounds.
	time.Sleep(2 * time.Second)
	stop()
	<-loopDone
	if err != nil {
		return nil, err
	}
	lags = rcv.take()
	slices.Sort(lags)
	lag := benchRow{name: "deliveries: webhook lag under the officer mix (event written → received; interval 250 ms)", op: "event",
		ops: int64(len(lags)), elapsed: mix[0].elapsed, lat: lags, serverCPU: -1}
	if len(lags) == 0 {
		lag.errors, lag.firstErr = 1, "no event was delivered"
	}
	subs, err := b.svc.Subscriptions(ctx, admin)
	if err != nil {
		return nil, err
	}
	for _, s := range subs {
		if err := b.svc.DeleteSubscription(ctx, admin, s.ID); err != nil {
			return nil, err
		}
	}
	b.progress("deliveries: %d events from the backlog in %v; under the mix %d events, lag p50 %v, p99 %v",
		sent, elapsed.Round(time.Millisecond), len(lags), lag.percentile(.5), lag.percentile(.99))
	return []benchRow{backlog, mix[0], lag}, nil
}
