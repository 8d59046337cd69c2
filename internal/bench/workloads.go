package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
)

// benchWorkload is a named workload: what it does, and the rows it adds.
type benchWorkload struct {
	name string
	run  func(b *bench, ctx context.Context) ([]benchRow, error)
	// unavailable, when set, says which feature the workload waits for;
	// it is listed under title, not run.
	title, unavailable string
}

var benchWorkloads = []benchWorkload{
	{name: "inbox", run: func(b *bench, ctx context.Context) ([]benchRow, error) {
		return b.httpWorkload(ctx, "officer: inbox", "request", b.logURL, (*bench).inbox)
	}},
	{name: "search", run: func(b *bench, ctx context.Context) ([]benchRow, error) {
		byNumber, err := b.httpWorkload(ctx, "officer: person search, identity number", "request", b.logURL, func(b *bench, ctx context.Context, base string, vu *benchVU) error {
			return b.search(ctx, base, vu, vu.pick(vu.numbers))
		})
		if err != nil {
			return nil, err
		}
		b.progress("workload search, by name (%v)", b.opt.Duration)
		byName, err := b.httpWorkload(ctx, "officer: person search, name prefix (3 letters)", "request", b.logURL, func(b *bench, ctx context.Context, base string, vu *benchVU) error {
			return b.search(ctx, base, vu, vu.pick(vu.names))
		})
		return append(byNumber, byName...), err
	}},
	{name: "case-view", run: func(b *bench, ctx context.Context) ([]benchRow, error) {
		return b.httpWorkload(ctx, "officer: case view (durable access log)", "request", b.logURL, caseView)
	}},
	{name: "sign-note", run: func(b *bench, ctx context.Context) ([]benchRow, error) {
		return b.writeWorkload(ctx, "officer: journal note written and signed", "note (2 requests)", 2, (*bench).signNote)
	}},
	{name: "transition", run: func(b *bench, ctx context.Context) ([]benchRow, error) {
		return b.writeWorkload(ctx, "officer: transition", "request", 1, (*bench).transition)
	}},
	{name: "mix", run: func(b *bench, ctx context.Context) ([]benchRow, error) {
		for _, vu := range b.vus {
			vu.mixViews = vu.mixViews[:0]
		}
		rows, err := b.httpWorkload(ctx, "officer mix", "request", b.logURL, (*bench).mix)
		if len(rows) == 1 {
			// The mix's case views alone: their latencies among the
			// other requests (their CPU is in the mix's row).
			views := benchRow{name: "officer mix: its case views", op: "request", elapsed: rows[0].elapsed, serverCPU: -1, latOnly: true}
			for _, vu := range b.vus {
				views.lat = append(views.lat, vu.mixViews...)
			}
			views.ops = int64(len(views.lat))
			slices.Sort(views.lat)
			rows = append(rows, views)
		}
		return rows, err
	}},
	{name: "access-log", run: (*bench).accessLog},
	{name: "open-close", run: func(b *bench, ctx context.Context) ([]benchRow, error) {
		return b.writeWorkload(ctx, "engine: one-step case opened and closed", "case (2 requests)", 2, (*bench).openClose)
	}},
	{name: "timers", run: (*bench).timers},
	{name: "provider", run: (*bench).provider},
	{name: "citizen", run: (*bench).citizen},
	{name: "payment-run", run: (*bench).paymentRun},
	{name: "analytics", run: (*bench).analyticsWorkload},
	{name: "retention", run: (*bench).retention},
	{name: "legacy-import", run: (*bench).legacyImport},
	{name: "deliveries", run: (*bench).deliveries},
}

// Workloads returns the names of the workloads, in the order they run.
func Workloads() []string {
	var out []string
	for _, w := range benchWorkloads {
		out = append(out, w.name)
	}
	return out
}

// benchRow is one line of the report.
type benchRow struct {
	name, op    string
	ops, errors int64
	elapsed     time.Duration
	lat         []time.Duration // sorted
	stmts       int64
	cpu         time.Duration // this process
	serverCPU   float64       // PostgreSQL's processes, seconds; -1 when not measured
	// limit is the ceiling the machine allows for this workload, in ops/s
	// (0: none measured), and limitBy says which.
	limit    float64
	limitBy  string
	firstErr string
	// unavailable rows only carry this.
	unavailable string
	// latOnly rows are a part of the row before them: their rate and
	// latencies only.
	latOnly bool
}

func (r benchRow) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ops) / r.elapsed.Seconds()
}

// percentile returns the p-th percentile (nearest rank) of r's latencies.
func (r benchRow) percentile(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat))*p+0.999999) - 1
	return r.lat[min(max(i, 0), len(r.lat)-1)]
}

// runWorkloads runs the machine's limits, then every chosen workload.
func (b *bench) runWorkloads(ctx context.Context) error {
	if err := b.measureLimits(ctx); err != nil {
		return err
	}
	for _, w := range benchWorkloads {
		if !slices.Contains(b.opt.Workloads, w.name) {
			continue
		}
		if w.unavailable != "" {
			b.rows = append(b.rows, benchRow{name: w.title + " (" + w.unavailable + ")", unavailable: "not available yet"})
			continue
		}
		b.progress("workload %s (%v, %d virtual users)", w.name, b.opt.Duration, b.opt.VUs)
		rows, err := w.run(b, ctx)
		if err != nil {
			return fmt.Errorf("workload %s: %w", w.name, err)
		}
		for _, r := range rows {
			if r.errors > 0 {
				b.progress("%s: %d errors, the first: %s", r.name, r.errors, r.firstErr)
			}
		}
		b.rows = append(b.rows, rows...)
	}
	return ctx.Err()
}

// errWorkerDone ends a worker of measured early: it has nothing left to do.
var errWorkerDone = errors.New("bench: worker done")

// measured runs op on every VU until the duration is over and returns the
// row: operations, errors, latencies, statements and CPU over the run.
func (b *bench) measured(ctx context.Context, name, op string, workers int, d time.Duration, fn func(ctx context.Context, worker int) error) benchRow {
	stmts0, cpu0, srv0 := b.db.Statements(), processCPU(), b.server.seconds()
	var (
		mu       sync.Mutex
		lat      []time.Duration
		ops      atomic.Int64
		errs     atomic.Int64
		firstErr atomic.Value
		wg       sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range workers {
		wg.Go(func() {
			local := make([]time.Duration, 0, 4096)
			for ctx.Err() == nil && time.Now().Before(deadline) {
				t0 := time.Now()
				err := fn(ctx, w)
				if errors.Is(err, errWorkerDone) {
					break
				}
				local = append(local, time.Since(t0))
				ops.Add(1)
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	r := benchRow{name: name, op: op, ops: ops.Load(), errors: errs.Load(), elapsed: time.Since(start),
		stmts: b.db.Statements() - stmts0, cpu: processCPU() - cpu0, serverCPU: -1}
	if b.server != nil {
		r.serverCPU = b.server.seconds() - srv0
	}
	if s, ok := firstErr.Load().(string); ok {
		r.firstErr = s
	}
	slices.Sort(lat)
	r.lat = lat
	return r
}

// httpWorkload runs a read workload on the VUs against base; its limit is
// the bare handler's rate.
func (b *bench) httpWorkload(ctx context.Context, name, op, base string, fn func(b *bench, ctx context.Context, base string, vu *benchVU) error) ([]benchRow, error) {
	r := b.measured(ctx, name, op, len(b.vus), b.opt.Duration, func(ctx context.Context, w int) error {
		return fn(b, ctx, base, b.vus[w])
	})
	r.limit, r.limitBy = b.httpLimit, "http"
	return []benchRow{r}, ctx.Err()
}

// writeWorkload runs a write workload; its limit is the bare loop's
// durable commits per second over the commits one op needs.
func (b *bench) writeWorkload(ctx context.Context, name, op string, commits float64, fn func(b *bench, ctx context.Context, vu *benchVU) error) ([]benchRow, error) {
	r := b.measured(ctx, name, op, len(b.vus), b.opt.Duration, func(ctx context.Context, w int) error {
		return fn(b, ctx, b.vus[w])
	})
	r.limit, r.limitBy = b.commitRate/commits, "commits"
	if commits != 1 {
		r.limitBy = fmt.Sprintf("commits÷%g", commits)
	}
	return []benchRow{r}, ctx.Err()
}

// call sends one API request and returns the body of the wanted status;
// any other status is an error naming the problem's title.
func (b *bench) call(ctx context.Context, base, token, method, path string, body any, want int) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		var p struct{ Title, Detail string }
		_ = json.Unmarshal(data, &p)
		return nil, fmt.Errorf("%s %s: status %d (%s: %s)", method, routeOf(path), resp.StatusCode, p.Title, p.Detail)
	}
	return data, nil
}

// callJSON is call that decodes the answer into out.
func (b *bench) callJSON(ctx context.Context, base, token, method, path string, body any, want int, out any) error {
	data, err := b.call(ctx, base, token, method, path, body, want)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// routeOf replaces the ids in an API path by {id}, so errors name the
// route and nothing else.
func routeOf(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if _, err := uuid.Parse(p); err == nil || (len(p) > 12 && strings.ContainsAny(p, "0123456789")) {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

// pick returns the VU's next item of list, round robin.
func (vu *benchVU) pick(list []string) string {
	vu.next++
	return list[vu.next%len(list)]
}

func (b *bench) openCase(ctx context.Context, vu *benchVU, caseType string) (string, error) {
	var c struct{ ID string }
	err := b.callJSON(ctx, b.logURL, vu.token, "POST", "/api/v1/cases",
		map[string]string{"person_id": vu.person, "unit_id": vu.unitID, "case_type": caseType, "title": "Prestandatest"}, http.StatusCreated, &c)
	return c.ID, err
}

func (b *bench) inbox(ctx context.Context, base string, vu *benchVU) error {
	_, err := b.call(ctx, base, vu.token, "GET", "/api/v1/inbox", nil, http.StatusOK)
	return err
}

// search looks a person up by identity number or by the first three
// letters of the family name; a search that does not find anyone the
// officer may see is an error.
func (b *bench) search(ctx context.Context, base string, vu *benchVU, query string) error {
	data, err := b.call(ctx, base, vu.token, "POST", "/api/v1/persons/search", map[string]string{"query": query}, http.StatusOK)
	if err != nil {
		return err
	}
	if !bytes.Contains(data, []byte(`"id"`)) {
		return errors.New("POST /api/v1/persons/search: no hits")
	}
	return nil
}

func caseView(b *bench, ctx context.Context, base string, vu *benchVU) error {
	_, err := b.call(ctx, base, vu.token, "GET", "/api/v1/cases/"+vu.pick(vu.view), nil, http.StatusOK)
	return err
}

// signNote starts a journal note on one of the VU's cases and signs it.
func (b *bench) signNote(ctx context.Context, vu *benchVU) error {
	c := vu.cycle[vu.next%len(vu.cycle)].id
	vu.next++
	id, err := b.startNote(ctx, vu, c)
	if err != nil {
		return err
	}
	_, err = b.call(ctx, b.logURL, vu.token, "POST", "/api/v1/cases/"+c+"/notes/"+id+"/signature", nil, http.StatusOK)
	return err
}

func (b *bench) startNote(ctx context.Context, vu *benchVU, caseID string) (string, error) {
	var n struct{ ID string }
	err := b.callJSON(ctx, b.logURL, vu.token, "POST", "/api/v1/cases/"+caseID+"/notes",
		map[string]string{"body": "Prestandatest: samtal med den enskilde om planeringen framåt. Nästa uppföljning om två veckor."}, http.StatusCreated, &n)
	return n.ID, err
}

// transition moves one of the VU's cases between its two open steps.
func (b *bench) transition(ctx context.Context, vu *benchVU) error {
	c := vu.cycle[vu.next%len(vu.cycle)]
	vu.next++
	tr := "start"
	if c.started {
		tr = "pause"
	}
	var out struct{ Step string }
	err := b.callJSON(ctx, b.logURL, vu.token, "POST", "/api/v1/cases/"+c.id+"/transitions", map[string]string{"transition": tr}, http.StatusOK, &out)
	if err != nil {
		// Learn where the case stands, so one error does not make more.
		if e := b.callJSON(ctx, b.logURL, vu.token, "GET", "/api/v1/cases/"+c.id, nil, http.StatusOK, &out); e == nil {
			c.started = out.Step == "in_progress"
		}
		return err
	}
	c.started = out.Step == "in_progress"
	return nil
}

// mix is one request of the officer mix; a note takes two turns (started,
// then signed).
func (b *bench) mix(ctx context.Context, base string, vu *benchVU) error {
	if vu.draft != "" {
		id, c := vu.draft, vu.draftCase
		vu.draft = ""
		_, err := b.call(ctx, base, vu.token, "POST", "/api/v1/cases/"+c+"/notes/"+id+"/signature", nil, http.StatusOK)
		return err
	}
	// Weights per turn that is not a signature, in half percent of all
	// requests: each note started makes a signature turn too.
	switch n := vu.rng.IntN(185); {
	case n < 80:
		t0 := time.Now()
		err := caseView(b, ctx, base, vu)
		vu.mixViews = append(vu.mixViews, time.Since(t0))
		return err
	case n < 100:
		return b.search(ctx, base, vu, vu.pick(vu.numbers))
	case n < 120:
		return b.search(ctx, base, vu, vu.pick(vu.names))
	case n < 150:
		return b.inbox(ctx, base, vu)
	case n < 165:
		c := vu.cycle[vu.rng.IntN(len(vu.cycle))].id
		id, err := b.startNote(ctx, vu, c)
		if err == nil {
			vu.draft, vu.draftCase = id, c
		}
		return err
	default:
		return b.transition(ctx, vu)
	}
}

// openClose opens a case of the one-step type and closes it.
func (b *bench) openClose(ctx context.Context, vu *benchVU) error {
	id, err := b.openCase(ctx, vu, "bench_one_step")
	if err != nil {
		return err
	}
	_, err = b.call(ctx, b.logURL, vu.token, "POST", "/api/v1/cases/"+id+"/transitions", map[string]string{"transition": "close"}, http.StatusOK)
	return err
}

// accessLog measures case views with the durable access log and, right
// after, the same views on the server whose access log writes nothing.
func (b *bench) accessLog(ctx context.Context) ([]benchRow, error) {
	on, err := b.httpWorkload(ctx, "access log on: case view", "request", b.logURL, caseView)
	if err != nil {
		return nil, err
	}
	b.progress("workload access-log, logging off (%v)", b.opt.Duration)
	off, err := b.httpWorkload(ctx, "access log off: case view (bench-only server, log not written)", "request", b.noLogURL, caseView)
	return append(on, off...), err
}

// timerBatch is how many timers one call fires, as serve's timer loop does.
const timerBatch = 200

// timers inserts overdue deadline timers (set-up, not timed) and fires
// them as serve's timer loop does: one loop, timerBatch per transaction,
// until none is left or the duration is over. One op is one timer; the
// latencies are of whole batches.
func (b *bench) timers(ctx context.Context) ([]benchRow, error) {
	n := min(max(int(2000*b.opt.Duration.Seconds()), 400), 200_000)
	b.progress("inserting %d cases with an overdue deadline timer (not timed)", n)
	now := b.db.Now()
	fireAt := now.Add(-time.Minute)
	due := now.AddDate(0, 0, -1).Format(time.DateOnly)
	const batch = 2000
	for from := 0; from < n; from += batch {
		err := b.db.Update(ctx, func(tx *store.Tx) error {
			for i := from; i < min(from+batch, n); i++ {
				vu := b.vus[i%len(b.vus)]
				c := store.Case{ID: uuid.Must(uuid.NewV7()).String(), PersonID: vu.person, UnitID: vu.unitID, CaseType: "bench_deadline",
					Title: "Prestandatest", Status: "open", DefinitionVersion: b.defs, Step: "received", AssignedTo: vu.userID, OpenedAt: tx.Now}
				if err := tx.InsertCase(ctx, demo.TenantID, c); err != nil {
					return err
				}
				if err := tx.InsertTimer(ctx, demo.TenantID, store.Timer{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID,
					DeadlineID: "bench", Kind: process.TimerOverdue, DueDate: due, FireAt: fireAt}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if err := b.analyze(ctx); err != nil {
		return nil, err
	}
	var fired atomic.Int64
	r := b.measured(ctx, "engine: deadline timers fired", fmt.Sprintf("timer (batches of %d)", timerBatch), 1, b.opt.Duration, func(ctx context.Context, _ int) error {
		k, err := b.svc.FireDueTimers(ctx, demo.TenantID, timerBatch)
		if err == nil && k == 0 {
			return errWorkerDone
		}
		fired.Add(int64(k))
		return err
	})
	// Ops are timers; the latencies stay those of the batches.
	r.ops = fired.Load()
	if r.ops < int64(n) {
		b.progress("timers: %d of %d fired in %v", r.ops, n, b.opt.Duration)
	}
	return []benchRow{r}, ctx.Err()
}
