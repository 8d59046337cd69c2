package main

// trygg bench: builds a generated municipality of a chosen size, starts the
// real server in this process on 127.0.0.1 and drives named workloads over
// HTTP with a bounded number of virtual users, each for a bounded time;
// then prints one table, with the machine's own limits measured in the same
// run. How to read it: docs/benchmarks.md.

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web"
)

// benchOptions are the flags of trygg bench.
type benchOptions struct {
	data, db     string
	keep         bool
	persons      int
	staff        int
	seed         int64
	duration     time.Duration
	vus          int
	workloads    []string
	soak         bool
	history      bool
	notes        int // signed journal notes of history per person
	soakDuration time.Duration
	out          string
	cpuProfile   string
	args         []string // as given, for the report
}

func parseBenchFlags(args []string) (benchOptions, error) {
	opt := benchOptions{args: args}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&opt.data, "data", "", "folder for the SQLite database (default: a fresh temporary folder, removed afterwards unless --keep)")
	fs.StringVar(&opt.db, "db", "", "an empty database: a SQLite file path or a postgres:// URL (default: trygg.db in --data)")
	fs.BoolVar(&opt.keep, "keep", false, "keep the temporary data folder")
	fs.IntVar(&opt.persons, "persons", 100_000, "persons in the generated municipality")
	fs.IntVar(&opt.staff, "staff", 200, "staff accounts in the generated municipality")
	fs.Int64Var(&opt.seed, "seed", 1, "random seed of the generated municipality")
	fs.DurationVar(&opt.duration, "duration", 10*time.Second, "how long each workload runs")
	fs.IntVar(&opt.vus, "vus", 32, "virtual users: requests in flight at once")
	wl := fs.String("workloads", "all", "comma-separated workloads ("+strings.Join(benchWorkloadNames(), ", ")+")")
	fs.BoolVar(&opt.history, "history", true, fmt.Sprintf("add history: cases up to %.1f per person in every step, --notes-per-person signed journal notes with their events, over %d days",
		benchCasesPerPerson, benchHistoryDays))
	fs.IntVar(&opt.notes, "notes-per-person", benchNotesPerPerson, "signed journal notes of history per person")
	fs.BoolVar(&opt.soak, "soak", false, "instead of the workloads, run the officer mix for --soak-duration and report memory and file-descriptor growth")
	fs.DurationVar(&opt.soakDuration, "soak-duration", 30*time.Minute, "how long --soak runs")
	fs.StringVar(&opt.out, "out", "", "also write the report as Markdown to this file")
	fs.StringVar(&opt.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured part (workloads or soak, not the set-up) to this file")
	// No TRYGG_* variables: a benchmark must never find its way to the
	// database a configured server uses.
	if err := parseFlags(fs, args, func(string) string { return "" }); err != nil {
		return opt, err
	}
	switch {
	case opt.persons < 20 || opt.persons > 10_000_000:
		return opt, usageError{"--persons must be between 20 and 10000000"}
	case opt.staff < 60:
		return opt, usageError{"--staff must be at least 60"}
	case opt.vus < 1 || opt.vus > 1024:
		return opt, usageError{"--vus must be between 1 and 1024"}
	case opt.duration <= 0:
		return opt, usageError{"--duration must be positive"}
	case opt.notes < 0 || opt.notes > 100:
		return opt, usageError{"--notes-per-person must be between 0 and 100"}
	case opt.soakDuration <= 0:
		return opt, usageError{"--soak-duration must be positive"}
	case opt.db != "" && opt.data != "":
		return opt, usageError{"give --db or --data, not both"}
	}
	if *wl == "all" || *wl == "" {
		opt.workloads = benchWorkloadNames()
	} else {
		for _, name := range strings.Split(*wl, ",") {
			name = strings.TrimSpace(name)
			if !slices.Contains(benchWorkloadNames(), name) {
				return opt, usageError{fmt.Sprintf("unknown workload %q (known: %s)", name, strings.Join(benchWorkloadNames(), ", "))}
			}
			if !slices.Contains(opt.workloads, name) {
				opt.workloads = append(opt.workloads, name)
			}
		}
	}
	return opt, nil
}

// benchDefinitions are the case types the workloads open, move and time,
// published with the packs: a case closed in one step, one moved back and
// forth between two steps, and one with a deadline for the timers.
const benchDefinitions = `kind: case_type
id: bench_one_step
name: {sv: Prestandatest i ett steg, en: Benchmark in one step}
field: IFO
start: received
steps:
  - {id: received, name: {sv: Inkommen, en: Received}}
  - {id: closed, name: {sv: Avslutad, en: Closed}, final: true}
transitions:
  - {id: close, name: {sv: Avsluta, en: Close}, from: [received], to: closed, roles: [handlaggare]}
---
kind: case_type
id: bench_cycle
name: {sv: Prestandatest fram och tillbaka, en: Benchmark back and forth}
field: IFO
start: received
steps:
  - {id: received, name: {sv: Inkommen, en: Received}}
  - {id: in_progress, name: {sv: Pågår, en: In progress}}
  - {id: closed, name: {sv: Avslutad, en: Closed}, final: true}
transitions:
  - {id: start, name: {sv: Påbörja, en: Start}, from: [received], to: in_progress, roles: [handlaggare]}
  - {id: pause, name: {sv: Pausa, en: Pause}, from: [in_progress], to: received, roles: [handlaggare]}
  - {id: close, name: {sv: Avsluta, en: Close}, from: [received, in_progress], to: closed, roles: [handlaggare]}
---
kind: case_type
id: bench_deadline
name: {sv: Prestandatest med tidsfrist, en: Benchmark with a deadline}
field: IFO
start: received
steps:
  - {id: received, name: {sv: Inkommen, en: Received}}
  - {id: closed, name: {sv: Avslutad, en: Closed}, final: true}
transitions:
  - {id: close, name: {sv: Avsluta, en: Close}, from: [received], to: closed, roles: [handlaggare]}
deadlines:
  - id: bench
    name: {sv: Prestandatestets tidsfrist, en: Benchmark deadline}
    start: case_opened
    period: 14d
    met_by: [closed]
    on_overdue: [assignee, team_lead]
`

// discardLog is an access-log store that writes nothing. Only trygg bench
// uses it, for the server that measures what reads cost without the
// durable access log; serve has no way to reach it.
type discardLog struct{}

func (discardLog) AppendAccessLog(context.Context, []audit.Entry) error { return nil }

// benchLogHandler formats every record as serve's logger does, so the
// request log costs what it costs in serve, but prints only warnings and
// errors (to stderr); the request lines are formatted and dropped.
type benchLogHandler struct{ all, warn slog.Handler }

func newBenchLogger(stderr io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	return slog.New(benchLogHandler{all: slog.NewTextHandler(io.Discard, opts), warn: slog.NewTextHandler(stderr, opts)})
}

func (h benchLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.all.Enabled(ctx, l)
}

func (h benchLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if err := h.all.Handle(ctx, r); err != nil {
		return err
	}
	if r.Level >= slog.LevelWarn {
		return h.warn.Handle(ctx, r)
	}
	return nil
}

func (h benchLogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return benchLogHandler{all: h.all.WithAttrs(as), warn: h.warn.WithAttrs(as)}
}

func (h benchLogHandler) WithGroup(name string) slog.Handler {
	return benchLogHandler{all: h.all.WithGroup(name), warn: h.warn.WithGroup(name)}
}

// bench is one run: the database, the servers and the virtual users.
type bench struct {
	opt            benchOptions
	stdout, stderr io.Writer
	start          time.Time
	load0          string // load average when the run started

	dsn     string
	db      *store.DB
	raw     *sql.DB // PostgreSQL only: ANALYZE, database size, the bare commit loop
	engine  string
	version string // the database engine's version
	ds      *demo.Dataset
	defs    int64      // the published definition version
	server  *serverCPU // PostgreSQL's processes, nil when not readable
	svc     *service.Service

	client   *http.Client
	logURL   string // the server as serve runs it
	noLogURL string // the same handler over a service whose access log writes nothing
	bareURL  string // a bare net/http JSON handler

	vus        []*benchVU
	loadTime   time.Duration
	diskLoaded int64
	rows       []benchRow
	limits     []benchRow
	httpLimit  float64 // requests/s of the bare handler
	commitRate float64 // commits/s of the bare loop
	soakRows   []soakSample
	// providerNotes explain the provider rows, under the tables.
	providerNotes []string
	// citizenNotes explain the citizen rows, under the tables.
	citizenNotes []string
	// compiled caches compiled definitions by version (see definitions).
	compiled map[int64]*process.Compiled
	// histCases and histNotes are what loadHistory added.
	histCases, histNotes int
}

// benchVU is one virtual user: an officer's session and what they work on.
// Only one goroutine uses a benchVU at a time.
type benchVU struct {
	userID, unitID string
	token          string
	person         string   // person the VU's own cases are opened for
	view           []string // cases the officer may read
	numbers, names []string // identity numbers and family-name prefixes of persons the officer may see
	cycle          []*cycleCase
	rng            *rand.Rand
	next           int
	draft          string // a note started in the mix, to be signed next
	draftCase      string
	providerToken  string // a provider staff session, for the provider workload
	index          int    // the VU's place in b.vus
}

type cycleCase struct {
	id      string
	started bool // in step in_progress
}

func runBench(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	opt, err := parseBenchFlags(args)
	if err != nil {
		return err
	}
	b := &bench{opt: opt, stdout: stdout, stderr: stderr, start: time.Now(), load0: loadAverage()}
	cleanup, err := b.setup(ctx)
	defer cleanup()
	if err != nil {
		return err
	}
	if opt.cpuProfile != "" {
		f, err := os.Create(opt.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if opt.soak {
		if err := b.runSoak(ctx); err != nil {
			return err
		}
	} else {
		if err := b.runWorkloads(ctx); err != nil {
			return err
		}
	}
	return b.report()
}

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.stderr, "bench: "+format+"\n", args...)
}

// setup builds the dataset, starts the servers and signs the virtual users
// in. The returned function undoes what was done, also after an error.
func (b *bench) setup(ctx context.Context) (func(), error) {
	var undo []func()
	cleanup := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	opt := b.opt
	b.dsn = opt.db
	if b.dsn == "" {
		dir := opt.data
		if dir == "" {
			tmp, err := os.MkdirTemp("", "trygg-bench-")
			if err != nil {
				return cleanup, err
			}
			dir = tmp
			undo = append(undo, func() {
				if opt.keep {
					b.progress("kept the data folder %s", tmp)
					return
				}
				os.RemoveAll(tmp)
			})
		}
		b.dsn = filepath.Join(dir, "trygg.db")
	}
	loadLog := newLogger(b.stderr)
	db, err := openStore(ctx, dbFlags{db: b.dsn}, true, loadLog)
	if err != nil {
		return cleanup, err
	}
	undo = append(undo, func() { db.Close() })
	b.db, b.engine = db, db.Engine()
	if tenants, err := db.Tenants(ctx); err != nil {
		return cleanup, err
	} else if len(tenants) > 0 {
		return cleanup, errors.New("bench needs an empty database: it loads its own municipality (this one has tenants)")
	}
	if store.IsPostgres(b.dsn) {
		raw, err := sql.Open("pgx", b.dsn)
		if err != nil {
			return cleanup, err
		}
		undo = append(undo, func() { raw.Close() })
		b.raw = raw
		if err := raw.QueryRowContext(ctx, "SHOW server_version").Scan(&b.version); err != nil {
			return cleanup, err
		}
		b.version = "PostgreSQL " + b.version
		b.server = pgServerCPU(ctx, raw)
	} else {
		b.version = "SQLite " + sqliteVersion(ctx, b.dsn) + " (modernc.org/sqlite, WAL, synchronous=FULL)"
	}

	// The municipality, with the packs published and histories played,
	// as trygg demo loads it, plus the benchmark's own case types.
	b.progress("generating %d persons (%s)", opt.persons, b.engine)
	t0 := time.Now()
	b.ds = demo.Generate(demo.Options{Persons: opt.persons, Staff: opt.staff, Seed: opt.seed})
	b.ds.Definitions = append(b.ds.Definitions, demo.Definition{Name: "bench/bench.yaml", Content: benchDefinitions})
	b.progress("loading them, publishing the packs and playing the demo histories (about a minute per 100,000 persons on SQLite)")
	committer := audit.NewCommitter(db)
	undo = append(undo, committer.Close)
	registry := b.ds.Registry()
	b.svc = service.New(db, committer, registry, newBenchLogger(b.stderr))
	if _, err := loadDemo(ctx, b.svc, b.ds, loadLog); err != nil {
		return cleanup, err
	}
	b.progress("loaded %d persons, %d cases, %d staff in %v", len(b.ds.Persons), len(b.ds.Cases), len(b.ds.Users), time.Since(t0).Round(time.Second))
	if b.defs, err = db.LatestDefinitionVersion(ctx, demo.TenantID); err != nil {
		return cleanup, err
	}
	if opt.history {
		if err := b.loadHistory(ctx); err != nil {
			return cleanup, err
		}
	}
	b.loadTime = time.Since(t0)
	b.progress("loaded in %v", b.loadTime.Round(time.Second))
	if err := b.analyze(ctx); err != nil {
		return cleanup, err
	}
	if err := b.svc.WarmDefinitions(ctx); err != nil {
		return cleanup, err
	}
	if b.diskLoaded, err = b.diskBytes(ctx); err != nil {
		return cleanup, err
	}

	// The servers: serve's handler over the service with the durable
	// access log; the same handler over a service whose access log writes
	// nothing (reachable only from here); a bare JSON handler.
	noLog := audit.NewCommitter(discardLog{})
	undo = append(undo, noLog.Close)
	svcNoLog := service.New(db, noLog, registry, newBenchLogger(b.stderr))
	if err := svcNoLog.WarmDefinitions(ctx); err != nil {
		return cleanup, err
	}
	cfg := web.Config{DefaultTenant: demo.TenantID, Demo: true, Ready: db.Ping}
	for _, s := range []struct {
		url *string
		h   http.Handler
	}{
		{&b.logURL, b.handler(cfg, b.svc)},
		{&b.noLogURL, b.handler(cfg, svcNoLog)},
		{&b.bareURL, http.HandlerFunc(bareJSON)},
	} {
		url, stop, err := b.listen(s.h)
		if err != nil {
			return cleanup, err
		}
		undo = append(undo, stop)
		*s.url = url
	}
	tr := &http.Transport{MaxIdleConns: 4 * opt.vus, MaxIdleConnsPerHost: 2 * opt.vus, IdleConnTimeout: 5 * time.Minute,
		DisableCompression: true}
	b.client = &http.Client{Transport: tr, Timeout: time.Minute}
	undo = append(undo, tr.CloseIdleConnections)

	if err := b.signIn(ctx); err != nil {
		return cleanup, err
	}
	return cleanup, nil
}

// handler is serve's handler, with serve's metrics collectors.
func (b *bench) handler(cfg web.Config, svc *service.Service) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return web.New(cfg, svc, newBenchLogger(b.stderr), reg)
}

// listen serves h on 127.0.0.1 on a free port with serve's timeouts.
func (b *bench) listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", func() {}, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(newBenchLogger(b.stderr).Handler(), slog.LevelWarn)}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// bareJSON is the reference handler: a small JSON document, nothing else.
func bareJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"id":"0199f6a2-7c1e-7d3a-9b1e-3f2a6c0d4e51","status":"open","step":"received","title":"Benchmark"}`+"\n")
}

// analyze refreshes the planner's statistics after the bulk load: serve
// does it for SQLite at start (PRAGMA optimize); on PostgreSQL autovacuum
// would within a minute or so.
func (b *bench) analyze(ctx context.Context) error {
	if b.raw != nil {
		_, err := b.raw.ExecContext(ctx, "ANALYZE")
		return err
	}
	return b.db.Optimize(ctx)
}

// signIn picks the virtual users' officers, signs each VU in over the API
// (before anything is timed) and opens each its own cases.
func (b *bench) signIn(ctx context.Context) error {
	units := map[string]bool{}
	for _, u := range b.ds.Units {
		if u.Field == org.FieldIFO {
			units[u.ID] = true
		}
	}
	protected := map[string]bool{}
	byID := map[string]persons.Person{}
	for _, p := range b.ds.Persons {
		byID[p.ID] = p
		if p.Protection != persons.ProtectionNone {
			protected[p.ID] = true
		}
	}
	unitCases := map[string][]demo.Case{}
	for _, c := range b.ds.Cases {
		if !protected[c.PersonID] {
			unitCases[c.UnitID] = append(unitCases[c.UnitID], c)
		}
	}
	// The cases the virtual users open go to a person of their unit who
	// is neither one of the journeys' people nor has an account: the
	// workloads open thousands, which would otherwise land on the demo's
	// citizens and weigh on what the citizen workload measures.
	accounts := map[string]bool{}
	for _, u := range b.ds.Users {
		if u.PersonID != "" {
			accounts[u.PersonID] = true
		}
	}
	spare := func(c demo.Case) bool { return !c.Journey && !accounts[c.PersonID] }
	type officer struct{ username, id, unit string }
	var officers []officer
	for _, u := range b.ds.Users {
		if len(u.Grants) == 1 && u.Grants[0].Role == trygg.RoleOfficer && units[u.Grants[0].UnitID] && !u.ProtectedIdentity && u.PersonID == "" {
			officers = append(officers, officer{u.Username, u.ID, u.Grants[0].UnitID})
		}
	}
	// Officers of units with cases first, spread over the units.
	slices.SortStableFunc(officers, func(a, c officer) int { return min(len(unitCases[c.unit]), 1) - min(len(unitCases[a.unit]), 1) })
	if len(officers) == 0 {
		return errors.New("bench: the generated municipality has no case officers in IFO units")
	}
	var anyPerson string
	for _, p := range b.ds.Persons {
		if p.Protection == persons.ProtectionNone {
			anyPerson = p.ID
			break
		}
	}
	b.progress("signing in %d virtual users and opening their cases", b.opt.vus)
	for i := range b.opt.vus {
		o := officers[i%len(officers)]
		vu := &benchVU{index: i, userID: o.id, unitID: o.unit, rng: rand.New(rand.NewPCG(uint64(i), 7))}
		var sess struct{ Token string }
		if err := b.callJSON(ctx, b.logURL, "", "POST", "/api/v1/session",
			map[string]string{"tenant": string(demo.TenantID), "username": o.username, "password": demo.Password}, http.StatusCreated, &sess); err != nil {
			return fmt.Errorf("sign in a virtual user: %w", err)
		}
		vu.token = sess.Token
		seen := map[string]bool{}
		for _, c := range unitCases[o.unit] {
			vu.view = append(vu.view, c.ID)
			if p := byID[c.PersonID]; !seen[p.ID] {
				seen[p.ID] = true
				if vu.person == "" && spare(c) {
					vu.person = p.ID
				}
				family := []rune(strings.ToLower(p.FamilyName))
				vu.numbers = append(vu.numbers, p.Identity.String())
				vu.names = append(vu.names, string(family[:min(3, len(family))]))
			}
		}
		if vu.person == "" {
			vu.person = anyPerson
			p := byID[anyPerson]
			family := []rune(strings.ToLower(p.FamilyName))
			vu.numbers = append(vu.numbers, p.Identity.String())
			vu.names = append(vu.names, string(family[:min(3, len(family))]))
		}
		for range 4 {
			id, err := b.openCase(ctx, vu, "bench_cycle")
			if err != nil {
				return fmt.Errorf("open a case for a virtual user: %w", err)
			}
			vu.cycle = append(vu.cycle, &cycleCase{id: id})
			vu.view = append(vu.view, id)
		}
		vu.rng.Shuffle(len(vu.view), func(i, j int) { vu.view[i], vu.view[j] = vu.view[j], vu.view[i] })
		vu.rng.Shuffle(len(vu.numbers), func(i, j int) {
			vu.numbers[i], vu.numbers[j] = vu.numbers[j], vu.numbers[i]
			vu.names[i], vu.names[j] = vu.names[j], vu.names[i]
		})
		b.vus = append(b.vus, vu)
	}
	return nil
}
