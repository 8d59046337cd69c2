package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// benchTable is a table rendered as aligned text or as Markdown.
type benchTable struct {
	head  []string
	right []bool // right-align the column
	rows  [][]string
}

func (t benchTable) text(w io.Writer) {
	width := make([]int, len(t.head))
	for _, r := range append([][]string{t.head}, t.rows...) {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i > 0 {
				b.WriteString("  ")
			}
			if t.right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(t.head)
	sep := make([]string, len(t.head))
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	line(sep)
	for _, r := range t.rows {
		line(r)
	}
}

func (t benchTable) markdown(w io.Writer) {
	fmt.Fprintln(w, "| "+strings.Join(t.head, " | ")+" |")
	align := make([]string, len(t.head))
	for i := range align {
		align[i] = "---"
		if t.right[i] {
			align[i] = "---:"
		}
	}
	fmt.Fprintln(w, "| "+strings.Join(align, " | ")+" |")
	for _, r := range t.rows {
		fmt.Fprintln(w, "| "+strings.Join(r, " | ")+" |")
	}
}

// num formats a rate or a count for people: thousands separated, one
// decimal below 10.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	if v < 10 && v != math.Trunc(v) {
		return fmt.Sprintf("%.1f", v)
	}
	s := fmt.Sprintf("%.0f", v)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// ms formats a latency in milliseconds with two significant decimals.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	}
	return num(v)
}

func mb(n int64) string {
	if n < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// cpuPer1k formats the CPU seconds per 1,000 ops: this process, and on
// PostgreSQL "+" the server's processes.
func (r benchRow) cpuPer1k() string {
	if r.ops == 0 {
		return "—"
	}
	s := fmt.Sprintf("%.2f", r.cpu.Seconds()/float64(r.ops)*1000)
	if r.serverCPU >= 0 {
		s += fmt.Sprintf(" + %.2f", r.serverCPU/float64(r.ops)*1000)
	}
	return s
}

// cpuSeconds is the CPU the row's ops used: this process and, when
// measured, PostgreSQL's.
func (r benchRow) cpuSeconds() float64 { return r.cpu.Seconds() + max(r.serverCPU, 0) }

// coresUsed is how many of the machine's cores the run kept busy on
// average; on a machine shared with other work it shows how much CPU the
// run actually got.
func (r benchRow) coresUsed() string {
	if r.elapsed <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", r.cpuSeconds()/r.elapsed.Seconds())
}

// cpuCeiling is the ops/s all cores would allow if CPU were the only
// limit: cores over CPU seconds per op.
func (r benchRow) cpuCeiling() string {
	if r.ops == 0 || r.cpuSeconds() == 0 {
		return "—"
	}
	return num(float64(runtime.NumCPU()) / (r.cpuSeconds() / float64(r.ops)))
}

func (b *bench) cpuHead() string {
	if b.server != nil {
		return "CPU-s/1k ops (+ server)"
	}
	return "CPU-s/1k ops"
}

func (b *bench) workloadTable() benchTable {
	t := benchTable{head: []string{"workload", "op", "ops/s", "p50 ms", "p95 ms", "p99 ms", "errors", "limit ops/s", "of limit", "stmts/op", b.cpuHead(), "cores used", "CPU ceiling ops/s"},
		right: []bool{false, false, true, true, true, true, true, true, true, true, true, true, true}}
	for _, r := range b.rows {
		if r.unavailable != "" {
			t.rows = append(t.rows, []string{r.name, r.unavailable, "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—"})
			continue
		}
		limit, ratio := "—", "—"
		if r.limit > 0 {
			limit = num(r.limit) + " (" + r.limitBy + ")"
			ratio = fmt.Sprintf("%.0f %%", 100*r.rate()/r.limit)
			if v := 100 * r.rate() / r.limit; v < 10 {
				ratio = fmt.Sprintf("%.1f %%", v)
			}
		}
		stmts := "—"
		if r.ops > 0 {
			stmts = fmt.Sprintf("%.1f", float64(r.stmts)/float64(r.ops))
		}
		if r.latOnly {
			t.rows = append(t.rows, []string{r.name, r.op, num(r.rate()), ms(r.percentile(.50)), ms(r.percentile(.95)), ms(r.percentile(.99)),
				num(float64(r.errors)), "—", "—", "—", "—", "—", "—"})
			continue
		}
		t.rows = append(t.rows, []string{r.name, r.op, num(r.rate()), ms(r.percentile(.50)), ms(r.percentile(.95)), ms(r.percentile(.99)),
			num(float64(r.errors)), limit, ratio, stmts, r.cpuPer1k(), r.coresUsed(), r.cpuCeiling()})
	}
	return t
}

func (b *bench) limitsTable() benchTable {
	t := benchTable{head: []string{"machine limit", "op", "ops/s", "p50 ms", "p95 ms", "p99 ms", "errors", b.cpuHead(), "cores used", "CPU ceiling ops/s"},
		right: []bool{false, false, true, true, true, true, true, true, true, true}}
	for _, r := range b.limits {
		t.rows = append(t.rows, []string{r.name, r.op, num(r.rate()), ms(r.percentile(.50)), ms(r.percentile(.95)), ms(r.percentile(.99)),
			num(float64(r.errors)), r.cpuPer1k(), r.coresUsed(), r.cpuCeiling()})
	}
	return t
}

// header describes the run: what, where, and how loaded the machine was.
func (b *bench) header() []string {
	return []string{
		fmt.Sprintf("trygg bench %s", strings.Join(redactArgs(b.opt.Args), " ")),
		fmt.Sprintf("started %s, took %v", b.start.UTC().Format("2006-01-02 15:04 UTC"), time.Since(b.start).Round(time.Second)),
		fmt.Sprintf("machine: %d cores (%s), GOMAXPROCS %d, %s %s/%s", runtime.NumCPU(), cpuModel(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH),
		fmt.Sprintf("load average (1, 5, 15 min): %s at the start, %s at the end", b.load0, loadAverage()),
		fmt.Sprintf("database: %s", b.version),
		fmt.Sprintf("dataset: %s persons, %s cases (%s of them history), %s signed journal notes of history with their events, %s staff; "+
			"generated and loaded in %v (packs published, demo histories played)",
			num(float64(len(b.ds.Persons))), num(float64(len(b.ds.Cases)+b.histCases)), num(float64(b.histCases)), num(float64(b.histNotes)),
			num(float64(len(b.ds.Users))), b.loadTime.Round(time.Second)),
		fmt.Sprintf("load: %d virtual users, closed loop (no think time), %v per workload, HTTP/1.1 keep-alive on 127.0.0.1", b.opt.VUs, b.opt.Duration),
	}
}

// redactArgs hides the password of a database URL among args.
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(k, "-") {
			if u, err := url.Parse(v); err == nil && u.User != nil {
				out[i] = k + "=" + u.Redacted()
			}
		} else if u, err := url.Parse(a); err == nil && u.User != nil {
			out[i] = u.Redacted()
		}
	}
	return out
}

// notes explain the figures; they are printed under the tables.
func (b *bench) notes(ctx context.Context) []string {
	var out []string
	var on, off *benchRow
	for i := range b.rows {
		switch {
		case strings.HasPrefix(b.rows[i].name, "access log on"):
			on = &b.rows[i]
		case strings.HasPrefix(b.rows[i].name, "access log off"):
			off = &b.rows[i]
		}
	}
	if on != nil && off != nil && on.rate() > 0 {
		out = append(out, fmt.Sprintf("cost of the durable access log on case views: %.2f× (without %s/s, p50 %s ms; with %s/s, p50 %s ms). "+
			"'Off' is a second server in this process, only in trygg bench, whose service records access-log entries into a store that discards them; "+
			"serve cannot run like that.", off.rate()/on.rate(), num(off.rate()), ms(off.percentile(.5)), num(on.rate()), ms(on.percentile(.5))))
	}
	disk, err := b.diskBytes(ctx)
	what := "SQLite file + WAL + shared memory"
	if b.raw != nil {
		what = "pg_database_size"
	}
	if err == nil {
		out = append(out, fmt.Sprintf("bytes on disk (%s): %s after loading, %s at the end", what, mb(b.diskLoaded), mb(disk)))
	}
	if slices.ContainsFunc(b.rows, func(r benchRow) bool { return r.name == "officer mix" }) || b.opt.Soak {
		out = append(out, "officer mix: 40 % case views, 20 % person searches (half by identity number, half by name), 15 % inboxes, "+
			"15 % journal-note requests (started, then signed), 10 % transitions; one op is one request.")
	}
	if b.opt.Soak {
		return out
	}
	out = append(out, b.providerNotes...)
	out = append(out, b.citizenNotes...)
	out = append(out, b.paymentNotes...)
	out = append(out, b.legacyNotes...)
	serverCPU := "."
	if b.server != nil {
		serverCPU = "; + server: PostgreSQL's processes from /proc."
	}
	out = append(out,
		"limit: 'http' is the bare handler's rate; 'commits' the bare loop's durable commits per second divided by the commits one op needs. "+
			"Timers are fired 200 to a transaction, so no bare figure bounds them.",
		"stmts/op: SQL statements the store sent per op, BEGIN and COMMIT included. CPU-s: getrusage of this process, which also runs the load generator "+
			"(see the bare handler's row for the HTTP client and server cost alone)"+serverCPU,
		fmt.Sprintf("cores used: CPU seconds of the run per second of it (this machine has %d cores; other work on it takes the rest). "+
			"CPU ceiling: %d cores ÷ CPU-s per op, what the cores would allow if CPU were the only limit.", runtime.NumCPU(), runtime.NumCPU()),
		"The server's request log is formatted as in serve and then discarded; deadline timers fire only in the timers workload (serve's timer loop is not running).",
	)
	return out
}

// Report is what a run measured, ready to print: a header saying what ran
// where, the tables (the workloads and the machine's limits, or the soak's
// samples) and notes on reading them.
type Report struct {
	header []string
	tables []benchTable
	notes  []string
}

// Text writes the report as trygg bench prints it: aligned text. It
// returns w's error.
func (r *Report) Text(w io.Writer) error {
	var buf bytes.Buffer
	fmt.Fprintln(&buf)
	for _, l := range r.header {
		fmt.Fprintln(&buf, l)
	}
	for _, t := range r.tables {
		fmt.Fprintln(&buf)
		t.text(&buf)
	}
	fmt.Fprintln(&buf)
	for _, l := range r.notes {
		fmt.Fprintln(&buf, "- "+l)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Markdown writes the report as trygg bench --out writes it: the header
// in a code block, the tables as Markdown tables, the notes as a list. It
// returns w's error.
func (r *Report) Markdown(w io.Writer) error {
	var md bytes.Buffer
	fmt.Fprintln(&md, "```")
	for _, l := range r.header {
		fmt.Fprintln(&md, l)
	}
	fmt.Fprintln(&md, "```")
	for _, t := range r.tables {
		fmt.Fprintln(&md)
		t.markdown(&md)
	}
	fmt.Fprintln(&md)
	for _, l := range r.notes {
		fmt.Fprintln(&md, "- "+l)
	}
	_, err := w.Write(md.Bytes())
	return err
}

// report gathers the header, the tables and the notes.
func (b *bench) report() *Report {
	notes := b.notes(context.Background())
	r := &Report{header: b.header(), notes: append(b.soakGrowth(), notes...)}
	if b.opt.Soak {
		r.tables = []benchTable{b.soakTable()}
	} else {
		r.tables = []benchTable{b.workloadTable(), b.limitsTable()}
	}
	return r
}

// soakSample is one sample of the soak: the load since the previous one
// and the process's resources at that moment.
type soakSample struct {
	at          time.Duration
	ops, errors int64
	p99         time.Duration
	window      time.Duration
	heap        uint64 // live heap after a forced collection
	rss         int64
	goroutines  int
	fds         int
	disk        int64
	wal         int64 // SQLite's write-ahead log, part of disk; -1 on PostgreSQL
}

// runSoak runs the officer mix for --soak-duration and samples memory,
// goroutines, file descriptors and the database's size about 30 times.
func (b *bench) runSoak(ctx context.Context) error {
	d := b.opt.SoakDuration
	every := min(max(d/30, 100*time.Millisecond), time.Minute)
	b.progress("soak: officer mix for %v, sampling every %v", d, every)
	var (
		mu     sync.Mutex
		window []time.Duration
		errs   int64
	)
	sample := func(at, span time.Duration) {
		mu.Lock()
		lat := window
		e := errs
		window, errs = make([]time.Duration, 0, len(lat)), 0
		mu.Unlock()
		slices.Sort(lat)
		s := soakSample{at: at, ops: int64(len(lat)), errors: e, window: span, rss: residentBytes(), fds: openFiles()}
		if len(lat) > 0 {
			s.p99 = benchRow{lat: lat}.percentile(.99)
		}
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		s.heap, s.goroutines = m.HeapAlloc, runtime.NumGoroutine()
		s.disk, _ = b.diskBytes(ctx)
		s.wal = walBytes(b)
		b.soakRows = append(b.soakRows, s)
	}
	sample(0, 0)
	start := time.Now()
	deadline := start.Add(d)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for _, vu := range b.vus {
			wg.Go(func() {
				for ctx.Err() == nil && time.Now().Before(deadline) {
					t0 := time.Now()
					err := b.mix(ctx, b.logURL, vu)
					el := time.Since(t0)
					mu.Lock()
					window = append(window, el)
					if err != nil {
						if errs == 0 {
							b.progress("soak: error: %v", err)
						}
						errs++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
	}()
	tick := time.NewTicker(every)
	defer tick.Stop()
	last := start
	for {
		select {
		case <-done:
			now := time.Now()
			sample(now.Sub(start), now.Sub(last))
			return ctx.Err()
		case now := <-tick.C:
			sample(now.Sub(start), now.Sub(last))
			last = now
		}
	}
}

func (b *bench) soakTable() benchTable {
	t := benchTable{head: []string{"at", "req/s", "p99 ms", "errors", "live heap", "RSS", "goroutines", "open fds", "database", "of which WAL"},
		right: []bool{true, true, true, true, true, true, true, true, true, true}}
	for _, s := range b.soakRows {
		rate, p99 := "—", "—"
		if s.window > 0 {
			rate, p99 = num(float64(s.ops)/s.window.Seconds()), ms(s.p99)
		}
		t.rows = append(t.rows, []string{s.at.Round(100 * time.Millisecond).String(), rate, p99, num(float64(s.errors)),
			mb(int64(s.heap)), mb(s.rss), num(float64(s.goroutines)), num(float64(s.fds)), mb(s.disk), mb(s.wal)})
	}
	return t
}

// soakGrowth says how much memory, goroutines, descriptors and the
// database grew over the soak, and over its second half (after warming
// up), which is where a leak shows.
func (b *bench) soakGrowth() []string {
	if len(b.soakRows) < 2 {
		return nil
	}
	first, mid, last := b.soakRows[0], b.soakRows[len(b.soakRows)/2], b.soakRows[len(b.soakRows)-1]
	var ops, errs int64
	for _, s := range b.soakRows {
		ops, errs = ops+s.ops, errs+s.errors
	}
	growth := func(label string, a, z soakSample) string {
		return fmt.Sprintf("growth %s (%v → %v): live heap %+.1f MB, RSS %+.1f MB, goroutines %+d, open fds %+d, database %+.1f MB",
			label, a.at.Round(time.Second), z.at.Round(time.Second), float64(int64(z.heap)-int64(a.heap))/1e6, float64(z.rss-a.rss)/1e6,
			z.goroutines-a.goroutines, z.fds-a.fds, float64(z.disk-a.disk)/1e6)
	}
	out := []string{
		fmt.Sprintf("soak: %s requests of the officer mix in %v (%s/s), %s errors", num(float64(ops)), last.at.Round(time.Second),
			num(float64(ops)/last.at.Seconds()), num(float64(errs))),
		growth("over the soak", first, last),
		growth("over its second half", mid, last),
		"live heap is measured after a forced collection; RSS and open fds are this process's (server, load generator, SQLite); PostgreSQL's own memory is not included.",
	}
	if last.wal >= 0 && ops > 0 {
		out = append(out, fmt.Sprintf("the database grew by %s bytes per request of the mix; at the end %s of it was the write-ahead log",
			num(float64(last.disk-first.disk)/float64(ops)), mb(last.wal)))
	}
	return out
}
