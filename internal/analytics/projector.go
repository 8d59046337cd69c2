package analytics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/trygg"
)

// EventLog is what the projector reads: the main store's event log
// (*store.DB), and the list of tenants whose logs there are.
type EventLog interface {
	Tenants(ctx context.Context) ([]org.Tenant, error)
	Events(ctx context.Context, tenant trygg.TenantID, after int64, limit int) ([]events.Event, error)
	LastEventSeq(ctx context.Context, tenant trygg.TenantID) (int64, error)
}

// DefaultBatch is how many events the projector writes in one
// transaction.
const DefaultBatch = 1000

// RebuildBatch is how many events a rebuild writes in one transaction:
// nobody reads a store being rebuilt, so its transactions are large.
const RebuildBatch = 10_000

// page is the most events read from the log in one query.
const page = 1000

// ErrKeyChanged is returned when the store was built with another key
// than the one given: its pseudonyms would not match the new ones.
var ErrKeyChanged = errors.New("the analysis store was built with another analytics key; rebuild it with 'trygg analytics rebuild' (or give the key it was built with)")

// Projector feeds the analysis store from the event log: for each tenant,
// the events after its cursor, Batch at a time, each batch and the cursor
// moved past it in one transaction of the analysis store. Two projectors
// on the same store (two servers, or a rebuild beside a server) never
// write a batch twice: a batch whose cursor moved meanwhile is dropped.
type Projector struct {
	log   EventLog
	st    *Store
	p     pseudonymizer
	clock trygg.Clock
	// Batch is the most events per transaction (DefaultBatch when 0).
	Batch int
	// rebuilding: a rebuild is under way, its batches RebuildBatch
	// events.
	rebuilding bool
	// reads counts the reads of the analysis store its batches made:
	// one a batch (the cursor with prefetch) unless a record a batch
	// names was missed. noPrefetch (tests) reads each record when met.
	reads      atomic.Int64
	noPrefetch bool
	// sinceStats counts the events projected since the store's
	// statistics were last taken (analyzeEvery); statsAfter is how many
	// make it take them again on PostgreSQL (0: pgAnalyzeFirst).
	sinceStats, statsAfter int

	eventsBehind  *prometheus.GaugeVec
	secondsBehind *prometheus.GaugeVec
}

// Store returns the analysis store the projector writes, for the
// dashboards to read.
func (pr *Projector) Store() *Store { return pr.st }

// NewProjector returns a projector from log into st with pseudonyms made
// with key. Returns ErrNoKey without a key, an error for a key too short,
// and ErrKeyChanged when st was built with another key.
func NewProjector(ctx context.Context, log EventLog, st *Store, key []byte, clock trygg.Clock) (*Projector, error) {
	p, err := newPseudonymizer(key)
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = trygg.SystemClock{}
	}
	pr := &Projector{log: log, st: st, p: p, clock: clock,
		eventsBehind: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "trygg_analytics_events_behind",
			Help: "Events in the event log the analysis store has not yet projected, per tenant."}, []string{"tenant"}),
		secondsBehind: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "trygg_analytics_seconds_behind",
			Help: "Age in seconds of the oldest event the analysis store has not yet projected, per tenant (0 when caught up)."}, []string{"tenant"}),
	}
	if err := pr.claimKey(ctx); err != nil {
		return nil, err
	}
	if err := st.restoreIndexes(ctx); err != nil { // after a rebuild that stopped
		return nil, fmt.Errorf("analytics: restore indexes: %w", err)
	}
	if err := st.refreshIfStale(ctx); err != nil { // likewise, or a store from before the summaries
		return nil, err
	}
	if err := st.settleAllNeeds(ctx); err != nil { // after a projector that stopped before settling
		return nil, err
	}
	return pr, nil
}

// claimKey records the key's fingerprint in a new store, or checks it
// against the one recorded.
func (pr *Projector) claimKey(ctx context.Context) error {
	return pr.st.update(ctx, func(t *tx) error {
		if err := t.exec(`INSERT INTO meta (name, value) VALUES ('key_check', ?) ON CONFLICT (name) DO NOTHING`, pr.p.check()); err != nil {
			return err
		}
		var got string
		if err := t.row(`SELECT value FROM meta WHERE name = 'key_check'`).Scan(&got); err != nil {
			return err
		}
		if got != pr.p.check() {
			return ErrKeyChanged
		}
		return nil
	})
}

// Describe and Collect make the projector's lag a Prometheus collector.
func (pr *Projector) Describe(ch chan<- *prometheus.Desc) {
	pr.eventsBehind.Describe(ch)
	pr.secondsBehind.Describe(ch)
}

// Collect measures the lag as the log and the cursor stand when /metrics
// is read, and sends it: a catch-up moves the cursor batch by batch, so a
// long one shows how far it still has to go rather than what was measured
// before it began. When the measurement fails, the last one is sent.
func (pr *Projector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_ = pr.Measure(ctx)
	cancel()
	pr.eventsBehind.Collect(ch)
	pr.secondsBehind.Collect(ch)
}

func (pr *Projector) batch() int {
	if pr.rebuilding && pr.Batch <= 0 {
		return RebuildBatch
	}
	if pr.Batch <= 0 || pr.Batch > 1000 {
		return DefaultBatch
	}
	return pr.Batch
}

// Cursor returns the sequence number of tenant's last event projected (0
// before the first).
func (pr *Projector) Cursor(ctx context.Context, tenant trygg.TenantID) (int64, error) {
	rows, err := pr.st.query(ctx, `SELECT last_seq FROM cursors WHERE tenant_id = ?`, string(tenant))
	if err != nil {
		return 0, fmt.Errorf("analytics: cursor: %w", err)
	}
	defer rows.Close()
	var seq int64
	if rows.Next() {
		if err := rows.Scan(&seq); err != nil {
			return 0, err
		}
	}
	return seq, rows.Err()
}

// Step projects the next batch of tenant's events and returns how many
// it projected (0 when the store has caught up, or another projector
// took the batch).
func (pr *Projector) Step(ctx context.Context, tenant trygg.TenantID) (int, error) {
	from, err := pr.Cursor(ctx, tenant)
	if err != nil {
		return 0, err
	}
	return pr.step(ctx, tenant, from, pr.batch())
}

// step projects at most size of tenant's events after from.
func (pr *Projector) step(ctx context.Context, tenant trygg.TenantID, from int64, size int) (int, error) {
	evs, err := pr.read(ctx, tenant, from, size)
	if err != nil {
		return 0, err
	}
	return pr.write(ctx, tenant, from, evs)
}

// read returns at most size of tenant's events after from.
func (pr *Projector) read(ctx context.Context, tenant trygg.TenantID, from int64, size int) ([]events.Event, error) {
	var evs []events.Event
	for len(evs) < size {
		after := from
		if len(evs) > 0 {
			after = evs[len(evs)-1].Seq
		}
		more, err := pr.log.Events(ctx, tenant, after, min(page, size-len(evs)))
		if err != nil {
			return nil, err
		}
		evs = append(evs, more...)
		if len(more) < min(page, size-len(evs)+len(more)) {
			break
		}
	}
	return evs, nil
}

// readAhead is a batch of the log being read while the one before it is
// written.
type readAhead struct {
	from int64
	evs  []events.Event
	err  error
	done chan struct{}
}

// readAsync starts reading at most size of tenant's events after from.
func (pr *Projector) readAsync(ctx context.Context, tenant trygg.TenantID, from int64, size int) *readAhead {
	r := &readAhead{from: from, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.evs, r.err = pr.read(ctx, tenant, from, size)
	}()
	return r
}

// write projects evs, tenant's events after from, and moves the cursor
// past them, in one transaction; it returns how many it projected (0
// when another projector moved the cursor meanwhile).
func (pr *Projector) write(ctx context.Context, tenant trygg.TenantID, from int64, evs []events.Event) (int, error) {
	if len(evs) == 0 {
		return 0, nil
	}
	n := 0
	err := pr.st.updateBatched(ctx, func(t *tx) error {
		if err := t.exec(`INSERT INTO cursors (tenant_id, last_seq, last_at) VALUES (?, 0, 0) ON CONFLICT (tenant_id) DO NOTHING`,
			string(tenant)); err != nil {
			return err
		}
		lock := ""
		if t.pg {
			lock = " FOR UPDATE"
		}
		// The cursor is read with what the batch's events name from the
		// store (prefetch): on PostgreSQL one round trip.
		now := int64(-1)
		cursor := readQuery{sql: `SELECT last_seq FROM cursors WHERE tenant_id = ?` + lock, args: []any{string(tenant)},
			row: func(r rowsIter) error { return r.Scan(&now) }}
		a := &applier{tx: t, tenant: string(tenant), p: pr.p}
		defer func() { pr.reads.Add(int64(t.reads)) }()
		prefetch := evs
		if pr.noPrefetch {
			prefetch = nil
		}
		// The summaries follow the facts the batch changes; a rebuild
		// counts them afterwards (refresh).
		var d *delta
		if !pr.rebuilding {
			d = newDelta(t, string(tenant), pr.p, evs)
		}
		if err := a.prefetch(prefetch, append([]readQuery{cursor}, d.reads()...)...); err != nil {
			return err
		}
		if now != from {
			return nil // another projector moved on meanwhile
		}
		if err := d.take(); err != nil {
			return err
		}
		for _, e := range evs {
			if err := a.apply(e); err != nil {
				return err
			}
		}
		if err := a.finish(); err != nil {
			return err
		}
		if err := d.put(); err != nil {
			return err
		}
		last := evs[len(evs)-1]
		n = len(evs)
		return t.exec(`UPDATE cursors SET last_seq = ?, last_at = ? WHERE tenant_id = ?`, last.Seq, last.At.UnixMicro(), string(tenant))
	})
	if err != nil {
		return 0, fmt.Errorf("analytics: project %s: %w", tenant, err)
	}
	return n, nil
}

// CatchUp projects every tenant's events until the store has caught up
// with the log as it was when each tenant's turn came, and measures the
// lag. It returns how many events it projected.
func (pr *Projector) CatchUp(ctx context.Context) (int, error) {
	tenants, err := pr.log.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, tn := range tenants {
		n, err := pr.catchUp(ctx, tn.ID)
		total += n
		if err != nil {
			return total, err
		}
		if err := pr.measure(ctx, tn.ID); err != nil {
			return total, err
		}
	}
	return total, nil
}

// analyzeEvery is how many events projected make a SQLite store take
// its statistics again.
const analyzeEvery = 50_000

// pgAnalyzeFirst is how many events projected make a PostgreSQL store
// take its statistics the first time; then twice as many as the last
// time. Autovacuum takes them too, but a minute or more late while a
// catch-up fills the store, and an ANALYZE of the store costs the server
// about a second of CPU at a few hundred thousand events, so every
// 50,000 events would be a fifth of its work near the log.
const pgAnalyzeFirst = 5_000

// statsDue says whether the store is to take its statistics after the
// events projected since it last did.
func (pr *Projector) statsDue() bool {
	if pr.rebuilding {
		return false
	}
	if !pr.st.pg {
		return pr.sinceStats >= analyzeEvery
	}
	if pr.statsAfter == 0 {
		pr.statsAfter = pgAnalyzeFirst
	}
	if pr.sinceStats < pr.statsAfter {
		return false
	}
	pr.statsAfter *= 2
	return true
}

// catchUp projects tenant's events until the store has caught up with
// the log as it was, and returns how many it projected.
func (pr *Projector) catchUp(ctx context.Context, tenant trygg.TenantID) (int, error) {
	total := 0
	var ahead *readAhead
	defer func() {
		if ahead != nil {
			<-ahead.done
		}
	}()
	for {
		// A store far behind its log (a server starting on an empty
		// one, or after a while off) catches up in a rebuild's
		// batches; near it, in bounded ones.
		from, err := pr.Cursor(ctx, tenant)
		if err != nil {
			return total, err
		}
		size := pr.batch()
		if pr.Batch <= 0 && size < RebuildBatch {
			last, err := pr.log.LastEventSeq(ctx, tenant)
			if err != nil {
				return total, err
			}
			if last-from >= RebuildBatch {
				size = RebuildBatch
			}
		}
		var evs []events.Event
		if ahead != nil && ahead.from == from {
			<-ahead.done
			evs, err = ahead.evs[:min(len(ahead.evs), size)], ahead.err
		} else {
			evs, err = pr.read(ctx, tenant, from, size)
		}
		if ahead != nil {
			<-ahead.done
			ahead = nil
		}
		if err != nil {
			return total, err
		}
		// Far behind, the next batch is read from the log while this
		// one is written: on another core.
		if size >= RebuildBatch && len(evs) == size {
			ahead = pr.readAsync(ctx, tenant, evs[len(evs)-1].Seq, size)
		}
		n, err := pr.write(ctx, tenant, from, evs)
		total += n
		if err != nil {
			return total, err
		}
		// The store's statistics follow its growth, so its planner
		// looks a batch's keys up by their primary keys rather than
		// scanning a unit's rows (a rebuild takes them at its end).
		if pr.sinceStats += n; pr.statsDue() {
			pr.sinceStats = 0
			if err := pr.st.analyze(ctx); err != nil {
				return total, err
			}
		}
		if n < size {
			if total > 0 && !pr.rebuilding { // what the last batch left of the sets of persons assessed
				return total, pr.st.settleNeeds(ctx, string(tenant))
			}
			return total, nil
		}
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}

// Measure sets every tenant's lag gauges without projecting anything.
func (pr *Projector) Measure(ctx context.Context) error {
	tenants, err := pr.log.Tenants(ctx)
	if err != nil {
		return err
	}
	for _, tn := range tenants {
		if err := pr.measure(ctx, tn.ID); err != nil {
			return err
		}
	}
	return nil
}

// measure sets tenant's lag gauges: events not yet projected, and the age
// of the oldest of them.
func (pr *Projector) measure(ctx context.Context, tenant trygg.TenantID) error {
	cur, err := pr.Cursor(ctx, tenant)
	if err != nil {
		return err
	}
	last, err := pr.log.LastEventSeq(ctx, tenant)
	if err != nil {
		return err
	}
	behind, seconds := max(0, last-cur), 0.0
	if behind > 0 {
		next, err := pr.log.Events(ctx, tenant, cur, 1)
		if err != nil {
			return err
		}
		if len(next) > 0 {
			seconds = max(0, pr.clock.Now().Sub(next[0].At).Seconds())
		}
	}
	pr.eventsBehind.WithLabelValues(string(tenant)).Set(float64(behind))
	pr.secondsBehind.WithLabelValues(string(tenant)).Set(seconds)
	return nil
}

// Rebuild drops the analysis store and projects every tenant's event log
// into it again from the start; it returns how many events it projected.
func (pr *Projector) Rebuild(ctx context.Context) (int, error) {
	if err := pr.st.Drop(ctx); err != nil {
		return 0, err
	}
	if err := pr.claimKey(ctx); err != nil {
		return 0, err
	}
	// The rows are written into tables without their secondary indexes,
	// which are made afterwards from the whole table: quicker than
	// keeping them in order row by row. The projector's own reads use
	// primary keys only.
	if err := pr.st.dropIndexes(ctx); err != nil {
		return 0, fmt.Errorf("analytics: drop indexes: %w", err)
	}
	if err := pr.st.markStale(ctx); err != nil {
		return 0, err
	}
	if err := pr.st.bulk(ctx, true); err != nil {
		return 0, err
	}
	pr.rebuilding = true
	n, err := pr.CatchUp(ctx)
	pr.rebuilding = false
	// The indexes are made and the summaries counted with the bulk
	// load's page cache still set: both read every row of the facts.
	if ierr := pr.st.restoreIndexes(context.WithoutCancel(ctx)); ierr != nil {
		err = errors.Join(err, fmt.Errorf("analytics: restore indexes: %w", ierr))
	} else {
		err = errors.Join(err, pr.st.analyze(context.WithoutCancel(ctx)), pr.st.refresh(context.WithoutCancel(ctx)))
	}
	err = errors.Join(err, pr.st.bulk(context.WithoutCancel(ctx), false))
	pr.sinceStats = 0
	return n, err
}

// Run catches up every interval until ctx ends, in its own goroutine's
// time: a request never waits for it. Errors are logged and tried again
// at the next round.
func (pr *Projector) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := pr.CatchUp(ctx); err != nil && ctx.Err() == nil && log != nil {
			log.Warn("analytics projection failed; trying again", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
