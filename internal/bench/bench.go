// Package bench is the load-test harness behind trygg bench: it builds a
// generated municipality of a chosen size in an empty database, starts the
// real server in this process on 127.0.0.1 and drives named workloads over
// HTTP with a bounded number of virtual users, each for a bounded time;
// then it reports one table, with the machine's own limits measured in the
// same run. How to read it: docs/benchmarks.md.
//
// The command opens the database and says how serve builds and runs its
// server (Options.Handler, Options.Listen), so the bench measures the code
// serve runs; the harness does the rest.
package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Options are one run's settings. trygg bench sets them from its flags
// (`trygg bench -h` lists them with their defaults); the zero value of a
// number is not a default.
type Options struct {
	// DB is an open, migrated and empty database: Run refuses one with a
	// tenant. DSN is what it was opened with, a SQLite file path or a
	// postgres:// URL; the harness reads the engine's version and the
	// database's size through it and runs its bare commit loop beside it
	// (SQLite: a file in the same folder; PostgreSQL: a table, dropped).
	DB  *store.DB
	DSN string

	// Persons and Staff size the generated municipality (Persons at least
	// 20, Staff at least 60), Seed is its random seed.
	Persons, Staff int
	Seed           int64
	// History adds the history that gives a city's shape: cases up to
	// CasesPerPerson per person and NotesPerPerson signed journal notes per
	// person with their events, over HistoryDays.
	History        bool
	NotesPerPerson int

	// PaymentHouseholds sizes the payment-run workload (0:
	// BenchPaymentHouseholds).
	PaymentHouseholds int
	// LegacyPersons and LegacyDistricts size the legacy-import workload:
	// districts of the old system moved in one after the other, each of
	// LegacyPersons persons (0: BenchLegacyPersons, 1 district).
	LegacyPersons, LegacyDistricts int

	// Duration is how long each workload runs, VUs how many virtual users
	// (requests in flight at once) run it.
	Duration time.Duration
	VUs      int
	// Workloads are the workloads to run, by name (see Workloads); they run
	// in the harness's order, whatever the order here.
	Workloads []string
	// Soak runs, instead of the workloads, the officer mix for
	// SoakDuration and reports memory and file-descriptor growth.
	Soak         bool
	SoakDuration time.Duration

	// CPUProfile, if not empty, is a file to write a CPU profile of the
	// measured part (workloads or soak, not the set-up) to.
	CPUProfile string
	// Args is the command line as given, shown in the report's header with
	// a database URL's password masked.
	Args []string
	// Log receives the progress lines ("bench: …") and the servers'
	// warnings and errors; nil discards them.
	Log io.Writer

	// Load loads the generated dataset into svc's database as trygg demo
	// does (the packs and the demo city's rule sets published, demo
	// histories played); the dataset already holds the bench's own case
	// types among its definitions.
	Load func(ctx context.Context, svc *service.Service, ds *demo.Dataset) error
	// Handler returns serve's HTTP handler over svc, logging to log.
	Handler func(svc *service.Service, log *slog.Logger) http.Handler
	// Listen serves h as serve runs its server, on 127.0.0.1 on a free
	// port, and returns its base URL (http://127.0.0.1:PORT) and a function
	// that shuts it down.
	Listen func(h http.Handler, log *slog.Logger) (url string, stop func(), err error)
}

// check reports what makes opt unusable: a missing database or hook, or
// an unknown workload.
func (opt Options) check() error {
	switch {
	case opt.DB == nil || opt.DSN == "":
		return errors.New("bench: no database")
	case opt.Load == nil || opt.Handler == nil || opt.Listen == nil:
		return errors.New("bench: Load, Handler and Listen are required")
	case opt.VUs < 1:
		return errors.New("bench: at least one virtual user is needed")
	}
	for _, name := range opt.Workloads {
		if !slices.Contains(Workloads(), name) {
			return fmt.Errorf("bench: unknown workload %q (known: %s)", name, strings.Join(Workloads(), ", "))
		}
	}
	return nil
}

// Run builds the municipality in opt.DB, starts the servers through
// opt.Handler and opt.Listen, signs the virtual users in and runs the
// workloads (or the soak); it returns the report, or the first error of
// the set-up or of a workload. What it started is stopped before it
// returns; the database is left open, with the municipality in it.
func Run(ctx context.Context, opt Options) (*Report, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	b := &bench{opt: opt, stderr: opt.Log, start: time.Now(), load0: loadAverage()}
	cleanup, err := b.setup(ctx)
	defer cleanup()
	if err != nil {
		return nil, err
	}
	if opt.CPUProfile != "" {
		f, err := os.Create(opt.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	if opt.Soak {
		if err := b.runSoak(ctx); err != nil {
			return nil, err
		}
	} else {
		if err := b.runWorkloads(ctx); err != nil {
			return nil, err
		}
	}
	return b.report(), nil
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
	opt    Options
	stderr io.Writer // progress lines
	log    *slog.Logger
	start  time.Time
	load0  string // load average when the run started

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
	// paymentNotes explain the payment-run rows, under the tables.
	paymentNotes []string
	// legacyNotes explain the legacy-import rows, under the tables.
	legacyNotes []string
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
	providerToken  string          // a provider staff session, for the provider workload
	index          int             // the VU's place in b.vus
	mixViews       []time.Duration // latencies of the mix's case views
}

type cycleCase struct {
	id      string
	started bool // in step in_progress
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
	b.log = newBenchLogger(b.stderr)
	db := opt.DB
	b.dsn, b.db, b.engine = opt.DSN, db, db.Engine()
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
	b.progress("generating %d persons (%s)", opt.Persons, b.engine)
	t0 := time.Now()
	b.ds = demo.Generate(demo.Options{Persons: opt.Persons, Staff: opt.Staff, Seed: opt.Seed})
	b.ds.Definitions = append(b.ds.Definitions, demo.Definition{Name: "bench/bench.yaml", Content: benchDefinitions + benchPaymentDefinitions})
	b.progress("loading them, publishing the packs and playing the demo histories (about a minute per 100,000 persons on SQLite)")
	committer := audit.NewCommitter(db)
	undo = append(undo, committer.Close)
	registry := b.ds.Registry()
	b.svc = service.New(db, committer, registry, b.log)
	if err := opt.Load(ctx, b.svc, b.ds); err != nil {
		return cleanup, err
	}
	b.progress("loaded %d persons, %d cases, %d staff in %v", len(b.ds.Persons), len(b.ds.Cases), len(b.ds.Users), time.Since(t0).Round(time.Second))
	var err error
	if b.defs, err = db.LatestDefinitionVersion(ctx, demo.TenantID); err != nil {
		return cleanup, err
	}
	if opt.History {
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
	svcNoLog := service.New(db, noLog, registry, b.log)
	if err := svcNoLog.WarmDefinitions(ctx); err != nil {
		return cleanup, err
	}
	for _, s := range []struct {
		url *string
		h   http.Handler
	}{
		{&b.logURL, opt.Handler(b.svc, b.log)},
		{&b.noLogURL, opt.Handler(svcNoLog, b.log)},
		{&b.bareURL, http.HandlerFunc(bareJSON)},
	} {
		url, stop, err := opt.Listen(s.h, b.log)
		if err != nil {
			return cleanup, err
		}
		undo = append(undo, stop)
		*s.url = url
	}
	tr := &http.Transport{MaxIdleConns: 4 * opt.VUs, MaxIdleConnsPerHost: 2 * opt.VUs, IdleConnTimeout: 5 * time.Minute,
		DisableCompression: true}
	b.client = &http.Client{Transport: tr, Timeout: time.Minute}
	undo = append(undo, tr.CloseIdleConnections)

	if err := b.signIn(ctx); err != nil {
		return cleanup, err
	}
	return cleanup, nil
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
	b.progress("signing in %d virtual users and opening their cases", b.opt.VUs)
	for i := range b.opt.VUs {
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
