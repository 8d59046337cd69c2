package service_test

// Benchmarks of the process tool on both engines: cases moved through their
// steps, deadline timers coming due in bulk, an intake with a guard and a
// large form, and the inbox over 100,000 open cases. Results and how to
// read them: docs/benchmarks.md.
//
//	go test -run '^$' -bench 'CaseOneStep|CaseFiveSteps|TimersDue|IntakeWithGuard|Inbox' -benchtime 2s ./internal/service/
//
// Cases are worked one after another by one officer, so p50 and p99 are
// the latencies of whole cases and statements per transition are exact.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

const (
	processBenchPersons = 2000    // demo persons the benchmark cases belong to
	bulkCases           = 100_000 // open cases in BenchmarkTimersDue and BenchmarkInbox
	bulkBatch           = 2000    // cases per transaction when inserting them
	timerWorkers        = 2       // concurrent FireDueTimers loops
	timerLimit          = 500     // timers per FireDueTimers call
)

// processBenchYAML holds the benchmarks' case types and the intake form.
const processBenchYAML = `kind: case_type
id: one_step
name: {sv: Enkel anmälan, en: Simple report}
field: IFO
start: received
steps:
  - {id: received, name: {sv: Inkommen, en: Received}}
  - {id: closed, name: {sv: Avslutad, en: Closed}, final: true}
transitions:
  - {id: close, name: {sv: Avsluta, en: Close}, from: [received], to: closed, roles: [handlaggare]}
---
kind: case_type
id: five_steps
name: {sv: Utredning, en: Investigation}
field: IFO
start: received
steps:
  - {id: received, name: {sv: Inkommen, en: Received}}
  - {id: screening, name: {sv: Förhandsbedömning, en: Screening}}
  - {id: investigation, name: {sv: Utredning, en: Investigation}}
  - {id: decision, name: {sv: Beslut, en: Decision}}
  - {id: closed, name: {sv: Avslutad, en: Closed}, final: true}
transitions:
  - {id: screen, name: {sv: Förhandsbedöm}, from: [received], to: screening, roles: [handlaggare]}
  - {id: investigate, name: {sv: Inled utredning}, from: [screening], to: investigation, roles: [handlaggare]}
  - {id: propose, name: {sv: Föreslå beslut}, from: [investigation], to: decision, roles: [handlaggare]}
  - {id: close, name: {sv: Avsluta}, from: [decision], to: closed, roles: [handlaggare, arbetsledare], actions: [{type: close_case}]}
---
kind: form
id: intake_report
name: {sv: Mottagning, en: Intake}
sections:
  - id: reporter
    label: {sv: Anmälare, en: Reporter}
    fields:
      - {id: reporter_name, type: text, required: true, label: {sv: Namn, en: Name}}
      - {id: reporter_role, type: text, label: {sv: Roll, en: Role}}
      - {id: reporter_phone, type: text, max_length: 20, label: {sv: Telefon, en: Phone}}
      - {id: contact_ok, type: yes_no, label: {sv: "Får vi ringa?", en: "May we call?"}}
  - id: situation
    label: {sv: Situation, en: Situation}
    fields:
      - {id: household_size, type: number, min: 1, max: 20, required: true, label: {sv: Hushållets storlek, en: Household size}}
      - {id: monthly_income, type: money, min: 0, label: {sv: Inkomst per månad, en: Monthly income}}
      - {id: has_debts, type: yes_no, label: {sv: Skulder, en: Debts}}
      - {id: debts, type: money, min: 0, label: {sv: Skuldbelopp, en: Amount owed}, visible_if: form.has_debts, required_if: form.has_debts}
      - {id: situation, type: long_text, required: true, label: {sv: Beskrivning, en: Description}}
      - {id: history, type: long_text, label: {sv: Tidigare kontakter, en: Earlier contacts}}
      - {id: urgent, type: yes_no, label: {sv: Akut, en: Urgent}}
      - {id: urgency, type: long_text, label: {sv: "Varför akut?", en: "Why urgent?"}, visible_if: form.urgent, required_if: form.urgent}
  - id: household
    label: {sv: Hushållet, en: Household}
    fields:
      - id: members
        type: group
        label: {sv: Personer i hushållet, en: People in the household}
        min_rows: 1
        max_rows: 12
        row_summary: "row.name + ' (' + row.relation + ')'"
        fields:
          - {id: name, type: text, required: true, label: {sv: Namn, en: Name}}
          - {id: born, type: date, label: {sv: Född, en: Born}}
          - {id: relation, type: text, label: {sv: Relation, en: Relation}}
          - {id: note, type: long_text, label: {sv: Anteckning, en: Note}}
validations:
  - rule: "form.household_size >= double(size(form.members))"
    field: household_size
    message: {sv: "Fler personer än hushållets storlek.", en: "More people than the household size."}
---
kind: case_type
id: intake
name: {sv: Mottagning, en: Intake}
field: IFO
start: received
steps:
  - {id: received, name: {sv: Inkommen, en: Received}, forms: [intake_report]}
  - {id: registered, name: {sv: Registrerad, en: Registered}, final: true}
transitions:
  - id: register
    name: {sv: Registrera, en: Register}
    from: [received]
    to: registered
    roles: [handlaggare]
    forms: [intake_report]
    guard: "size(forms.intake_report.members) > 0 && forms.intake_report.situation != '' && (forms.intake_report.monthly_income < 3000000 || 'arbetsledare' in actor.roles) && (!forms.intake_report.urgent || forms.intake_report.urgency != '')"
    guard_message: {sv: "Höga inkomster registreras av arbetsledaren."}
---
kind: case_type
id: screening
name: {sv: Orosanmälan, en: Report of concern}
field: IFO
start: received
steps:
  - {id: received, name: {sv: Inkommen, en: Received}}
  - {id: investigation, name: {sv: Utredning, en: Investigation}}
  - {id: closed, name: {sv: Avslutad, en: Closed}, final: true}
transitions:
  - {id: investigate, name: {sv: Inled utredning}, from: [received], to: investigation, roles: [handlaggare]}
  - {id: close, name: {sv: Avsluta}, from: [received, investigation], to: closed, roles: [handlaggare]}
deadlines:
  - id: screening
    name: {sv: Förhandsbedömning, en: Screening}
    start: case_opened
    period: 14d
    warn_before: 3d
    met_by: [investigation, closed]
    on_warning: [assignee]
    on_overdue: [assignee, team_lead]
`

// staffMember is an officer and the unit their cases are in.
type staffMember struct{ userID, unitID string }

// procEnv is a small demo municipality with the benchmark definitions
// published, in one engine.
type procEnv struct {
	engine  string
	dsn     string
	db      *store.DB
	svc     *service.Service
	log     *stmtCountingLog
	clock   *storetest.Clock
	officer trygg.Actor // "ekonom", officer in norra-eb
	lead    trygg.Actor // "arbetsledare", team lead of all of Norra
	version int64       // the published definition version
	persons []string    // persons without protected identity
	numbers []string    // their identity numbers: officers open cases by them
	staff   []staffMember
	units   map[string]string // unit id -> path
	server  *serverCPU        // PostgreSQL's processes; nil on SQLite
}

// openProcEnv opens a fresh database of engine with the demo municipality
// of processBenchPersons persons and the benchmark definitions published.
func openProcEnv(b *testing.B, engine string) *procEnv {
	b.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)) // a Monday
	dsn := storetest.DSN(b, engine)
	db, err := store.Open(ctx, dsn, clock)
	if err != nil {
		b.Fatalf("open %s: %v", engine, err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatalf("migrate %s: %v", engine, err)
	}
	log := &stmtCountingLog{Store: db, db: db}
	committer := audit.NewCommitter(log)
	b.Cleanup(committer.Close) // before db.Close: cleanups run last-in first-out
	svc := service.New(db, committer, nil, nil)
	ds := demo.Generate(demo.Options{Persons: processBenchPersons, Seed: 1, Today: clock.Now()})
	if ok, err := svc.LoadDemo(ctx, ds); err != nil || !ok {
		b.Fatalf("load demo on %s: %v %v", engine, ok, err)
	}
	env := &procEnv{engine: engine, dsn: dsn, db: db, svc: svc, log: log, clock: clock, units: map[string]string{}}
	actor := func(username string) trygg.Actor {
		a, err := svc.ActorByUsername(ctx, demo.TenantID, username)
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	env.officer, env.lead = actor("ekonom"), actor("arbetsledare")
	dv, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
		Files: []store.DefinitionFile{{Name: "bench.yaml", Content: processBenchYAML}}})
	if err != nil {
		b.Fatalf("publish on %s: %v", engine, err)
	}
	env.version = dv.Version
	for _, p := range ds.Persons {
		if p.Protection == persons.ProtectionNone {
			env.persons = append(env.persons, p.ID)
			env.numbers = append(env.numbers, p.Identity.String())
		}
	}
	for _, u := range ds.Users {
		if len(u.Grants) == 1 && u.Grants[0].Role == trygg.RoleOfficer {
			env.staff = append(env.staff, staffMember{userID: u.ID, unitID: u.Grants[0].UnitID})
		}
	}
	units, err := db.Units(ctx, demo.TenantID)
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range units {
		env.units[u.ID] = u.Path
	}
	if engine == "postgres" {
		env.server = pgServerCPU(b, dsn)
	}
	return env
}

// stmtCountingLog counts the statements of the access-log commits. Cases
// are worked one at a time and each call waits for its log entry, so the
// commits made during a call are that call's.
type stmtCountingLog struct {
	audit.Store
	db    *store.DB
	stmts atomic.Int64
}

func (l *stmtCountingLog) AppendAccessLog(ctx context.Context, entries []audit.Entry) error {
	s0 := l.db.Statements()
	err := l.Store.AppendAccessLog(ctx, entries)
	l.stmts.Add(l.db.Statements() - s0)
	return err
}

// eachProcEngine runs fn once per engine on a fresh procEnv; fn measures
// in sub-benchmarks.
func eachProcEngine(b *testing.B, fn func(b *testing.B, env *procEnv)) {
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) { fn(b, openProcEnv(b, engine)) })
	}
}

// insertCases inserts n open cases of caseType in step straight through
// the store, bulkBatch per transaction (several transactions at once on
// PostgreSQL), spread over the demo's officers, their units and persons;
// extra adds a case's timers or tasks in the same transaction. No events
// are written: this is set-up, not the work measured.
func (env *procEnv) insertCases(b *testing.B, n int, caseType, step string, extra func(tx *store.Tx, c store.Case, i int) error) {
	b.Helper()
	ctx := context.Background()
	workers := 1
	if env.engine == "postgres" {
		workers = 4
	}
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for {
				from := int(next.Add(bulkBatch)) - bulkBatch
				if from >= n {
					return
				}
				err := env.db.Update(ctx, func(tx *store.Tx) error {
					for i := from; i < min(from+bulkBatch, n); i++ {
						sm := env.staff[i%len(env.staff)]
						c := store.Case{ID: uuid.Must(uuid.NewV7()).String(), PersonID: env.persons[i%len(env.persons)], UnitID: sm.unitID,
							CaseType: caseType, Title: "Orosanmälan", Status: "open", DefinitionVersion: env.version, Step: step,
							AssignedTo: sm.userID, OpenedAt: tx.Now}
						if err := tx.InsertCase(ctx, demo.TenantID, c); err != nil {
							return err
						}
						if err := extra(tx, c, i); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatalf("insert cases: %v", err)
	}
	if env.engine == "postgres" {
		// Autovacuum would analyze the new rows within a minute or so;
		// without it the planner takes the tables for nearly empty and
		// picks plans that scan every timer per case (the query of an
		// officer's open cases took 66 s instead of 33 ms). Measure the steady state.
		conn, err := sql.Open("pgx", env.dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatalf("analyze: %v", err)
		}
	}
	b.Logf("%s: %d cases inserted in %v", env.engine, n, time.Since(start).Round(time.Millisecond))
}

// processCPU returns the CPU time (user + system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU reads the CPU time of a PostgreSQL server on this machine from
// /proc: the postmaster, the backends it has reaped, and its live children.
type serverCPU struct{ postmaster int }

// pgServerCPU finds the server of dsn through a backend's parent process;
// it returns nil (and the CPU metric is left out) when the server is not
// a local process we can read, e.g. with TRYGG_TEST_PG_URL.
func pgServerCPU(b *testing.B, dsn string) *serverCPU {
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Logf("server CPU not measured: %v", err)
		return nil
	}
	defer conn.Close()
	var pid int
	if err := conn.QueryRow("SELECT pg_backend_pid()").Scan(&pid); err != nil {
		b.Logf("server CPU not measured: %v", err)
		return nil
	}
	st, err := readProcStat(pid) // while the backend still lives
	if err != nil {
		b.Logf("server CPU not measured: %v", err)
		return nil
	}
	return &serverCPU{postmaster: int(st.ppid)}
}

// seconds returns the server's CPU seconds so far, 0 for a nil server.
func (s *serverCPU) seconds() float64 {
	if s == nil {
		return 0
	}
	pm, err := readProcStat(s.postmaster)
	if err != nil {
		return 0
	}
	ticks := pm.utime + pm.stime + pm.cutime + pm.cstime
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == s.postmaster {
			continue
		}
		if st, err := readProcStat(pid); err == nil && st.ppid == int64(s.postmaster) {
			ticks += st.utime + st.stime
		}
	}
	return float64(ticks) / 100 // USER_HZ, 100 on Linux
}

type procStat struct{ ppid, utime, stime, cutime, cstime int64 }

// readProcStat parses /proc/PID/stat (fields 4 and 14–17, see proc(5)).
func readProcStat(pid int) (procStat, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // the command may hold spaces
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("short /proc/%d/stat", pid)
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
	return procStat{ppid: n(1), utime: n(11), stime: n(12), cutime: n(13), cstime: n(14)}, nil
}

// caseRun counts the statements of the transitions in a measured run.
type caseRun struct {
	env                               *procEnv
	transitions, transStmts, logStmts int64
}

// open opens a case of caseType for the i-th person as the officer.
func (r *caseRun) open(ctx context.Context, caseType string, i int) (store.Case, error) {
	c, err := r.env.svc.OpenCase(ctx, r.env.officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: r.env.numbers[i%len(r.env.numbers)]},
		UnitID: "norra-eb", CaseType: caseType, Title: "Ärende " + strconv.Itoa(i)})
	if err != nil {
		return c, fmt.Errorf("open %s: %w", caseType, err)
	}
	return c, nil
}

// transition takes transition name on the case as the officer, counting
// the statements it sends (its reads, its write transaction, and the
// access-log commit it waits for).
func (r *caseRun) transition(ctx context.Context, caseID, name string) (store.Case, error) {
	s0, l0 := r.env.db.Statements(), r.env.log.stmts.Load()
	c, err := r.env.svc.Transition(ctx, r.env.officer, caseID, service.TransitionInput{Transition: name}, "sv")
	r.transStmts += r.env.db.Statements() - s0
	r.logStmts += r.env.log.stmts.Load() - l0
	r.transitions++
	if err != nil {
		return c, fmt.Errorf("transition %s: %w", name, err)
	}
	return c, nil
}

// measureCases runs oneCase b.N times in sequence and reports cases/s,
// p50/p99 per case, statements per transition and per case, and CPU
// seconds per 1,000 cases: this process's, and on PostgreSQL the server's.
func measureCases(b *testing.B, env *procEnv, oneCase func(ctx context.Context, r *caseRun, i int) error) {
	ctx := context.Background()
	r := &caseRun{env: env}
	var lat latencies
	local := make([]time.Duration, 0, 4096)
	stmts0, cpu0, srv0 := env.db.Statements(), processCPU(), env.server.seconds()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		err := oneCase(ctx, r, i)
		local = append(local, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu, srv := processCPU()-cpu0, env.server.seconds()-srv0
	lat.add(local)
	lat.report(b, 1, "cases/s")
	if r.transitions > 0 {
		b.ReportMetric(float64(r.transStmts)/float64(r.transitions), "stmts/transition")
		b.ReportMetric(float64(r.logStmts)/float64(r.transitions), "log-stmts/transition")
	}
	b.ReportMetric(float64(env.db.Statements()-stmts0)/float64(b.N), "stmts/case")
	b.ReportMetric(cpu.Seconds()/float64(b.N)*1000, "CPU-s/1000cases")
	if env.server != nil {
		b.ReportMetric(srv/float64(b.N)*1000, "server-CPU-s/1000cases")
	}
}

// BenchmarkCaseOneStep opens a case of a case type with one step before
// its final one and closes it with one transition.
func BenchmarkCaseOneStep(b *testing.B) {
	eachProcEngine(b, func(b *testing.B, env *procEnv) {
		b.Run("open-close", func(b *testing.B) {
			measureCases(b, env, func(ctx context.Context, r *caseRun, i int) error {
				c, err := r.open(ctx, "one_step", i)
				if err != nil {
					return err
				}
				if c, err = r.transition(ctx, c.ID, "close"); err != nil {
					return err
				}
				if c.Status != "closed" {
					return fmt.Errorf("case %s is %s after close", c.ID, c.Status)
				}
				return nil
			})
		})
	})
}

// BenchmarkCaseFiveSteps opens a case and moves it through five steps
// with four transitions, the last one closing it.
func BenchmarkCaseFiveSteps(b *testing.B) {
	eachProcEngine(b, func(b *testing.B, env *procEnv) {
		b.Run("open-4-transitions", func(b *testing.B) {
			measureCases(b, env, func(ctx context.Context, r *caseRun, i int) error {
				c, err := r.open(ctx, "five_steps", i)
				if err != nil {
					return err
				}
				for _, t := range []string{"screen", "investigate", "propose", "close"} {
					if c, err = r.transition(ctx, c.ID, t); err != nil {
						return err
					}
				}
				if c.Status != "closed" {
					return fmt.Errorf("case %s is %s after four transitions", c.ID, c.Status)
				}
				return nil
			})
		})
	})
}

// intakeValues is an intake form filled in with about 11 KB of JSON: three
// long texts, and six household members with notes.
func intakeValues() map[string]any {
	text := func(n int) string {
		const s = "Anmälaren beskriver att familjen har svårt att betala hyran och att barnen ofta är hemma från skolan. "
		return string([]rune(strings.Repeat(s, n/50+1))[:n]) // s has more than 50 characters
	}
	members := make([]any, 6)
	for i := range members {
		members[i] = map[string]any{"name": fmt.Sprintf("Person %d Andersson", i+1), "born": fmt.Sprintf("20%02d-03-%02d", 5+i, 10+i),
			"relation": "barn", "note": text(380)}
	}
	return map[string]any{
		"reporter_name": "Karin Skolsköterska", "reporter_role": "skolsköterska", "reporter_phone": "070-123 45 67", "contact_ok": true,
		"household_size": 8.0, "monthly_income": 2200000.0, "has_debts": true, "debts": 4500000.0,
		"situation": text(3700), "history": text(2700), "urgent": true, "urgency": text(900),
		"members": members,
	}
}

// BenchmarkIntakeWithGuard opens an intake case, saves its form with about
// 11 KB of values, signs it and takes the transition whose CEL guard reads
// the signed form's values.
func BenchmarkIntakeWithGuard(b *testing.B) {
	values := intakeValues()
	payload, err := json.Marshal(values)
	if err != nil {
		b.Fatal(err)
	}
	eachProcEngine(b, func(b *testing.B, env *procEnv) {
		b.Run("open-save-sign-transition", func(b *testing.B) {
			measureCases(b, env, func(ctx context.Context, r *caseRun, i int) error {
				c, err := r.open(ctx, "intake", i)
				if err != nil {
					return err
				}
				fv, err := env.svc.SaveForm(ctx, env.officer, c.ID, "intake_report", service.FormInput{Values: values}, "sv")
				if err != nil {
					return fmt.Errorf("save form: %w", err)
				}
				if !fv.State.Complete {
					return fmt.Errorf("the intake form is not complete: %v", fv.State.Errors)
				}
				if _, err := env.svc.SignForm(ctx, env.officer, c.ID, "intake_report", "sv"); err != nil {
					return fmt.Errorf("sign form: %w", err)
				}
				if c, err = r.transition(ctx, c.ID, "register"); err != nil {
					return err
				}
				if c.Status != "closed" {
					return fmt.Errorf("case %s is %s after register", c.ID, c.Status)
				}
				return nil
			})
			b.ReportMetric(float64(len(payload)), "payload-bytes")
		})
	})
}

// BenchmarkTimersDue inserts bulkCases open cases, each with a pending
// overdue timer of its screening deadline, all due at the same instant;
// then moves the clock past it and fires them with timerWorkers concurrent
// FireDueTimers loops of timerLimit timers per call until none are left.
// Each timer makes two tasks (the officer's, the team's) and an event.
// Lateness is wall time from the instant the timers came due (the clock
// moved) to the commit of the batch that fired each timer; the events'
// late_seconds would show the test clock, which stands still.
func BenchmarkTimersDue(b *testing.B) {
	eachProcEngine(b, func(b *testing.B, env *procEnv) {
		b.Run(fmt.Sprintf("%dk-cases-%d-workers", bulkCases/1000, timerWorkers), func(b *testing.B) {
			ctx := context.Background()
			var fired atomic.Int64
			var lat latencies
			var cpu time.Duration
			var srv float64
			var stmts int64
			b.StopTimer()
			for range b.N {
				fireAt := env.clock.Now().Add(time.Hour)
				due := fireAt.AddDate(0, 0, -1).Format("2006-01-02")
				env.insertCases(b, bulkCases, "screening", "received", func(tx *store.Tx, c store.Case, i int) error {
					return tx.InsertTimer(ctx, demo.TenantID, store.Timer{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID,
						DeadlineID: "screening", Kind: process.TimerOverdue, DueDate: due, FireAt: fireAt})
				})
				env.clock.Advance(2 * time.Hour)
				round0 := fired.Load()
				stmts0, cpu0, srv0 := env.db.Statements(), processCPU(), env.server.seconds()
				b.StartTimer()
				t0 := time.Now()
				var wg sync.WaitGroup
				for range timerWorkers {
					wg.Go(func() {
						local := make([]time.Duration, 0, bulkCases)
						defer func() { lat.add(local) }()
						for {
							n, err := env.svc.FireDueTimers(ctx, demo.TenantID, timerLimit)
							if err != nil {
								b.Error(err)
								return
							}
							if n == 0 {
								return // none left, or the rest claimed by the other worker
							}
							d := time.Since(t0)
							for range n {
								local = append(local, d)
							}
							fired.Add(int64(n))
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				cpu += processCPU() - cpu0
				srv += env.server.seconds() - srv0
				stmts += env.db.Statements() - stmts0
				if got := fired.Load() - round0; got != bulkCases {
					b.Fatalf("%d timers fired, want %d", got, bulkCases)
				}
			}
			n := float64(fired.Load())
			b.ReportMetric(n/b.Elapsed().Seconds(), "timers/s")
			slices.Sort(lat.d)
			b.ReportMetric(percentile(lat.d, 0.50).Seconds()*1000, "late-p50-ms")
			b.ReportMetric(percentile(lat.d, 0.99).Seconds()*1000, "late-p99-ms")
			b.ReportMetric(float64(stmts)/n, "stmts/timer")
			b.ReportMetric(cpu.Seconds()/n*1000, "CPU-s/1000timers")
			if env.server != nil {
				b.ReportMetric(srv/n*1000, "server-CPU-s/1000timers")
			}
		})
	})
}

// BenchmarkInbox lists the inbox (open tasks and open cases) of an officer
// and of a team lead of a fifth of the municipality when bulkCases open
// cases exist, each with a pending overdue timer and an open deadline task
// for its officer, due over the next 60 days.
func BenchmarkInbox(b *testing.B) {
	eachProcEngine(b, func(b *testing.B, env *procEnv) {
		ctx := context.Background()
		mine, team := env.seedInbox(b)
		for _, tc := range []struct {
			name  string
			actor trygg.Actor
			in    service.InboxInput
			open  int
		}{
			// As the API asks (up to 200 tasks and 200 cases, every
			// person named logged), and as the staff page does (50 of
			// each, "Visa alla" for the rest).
			{"officer", env.officer, service.InboxInput{}, mine},
			{"team-lead", env.lead, service.InboxInput{Team: true}, team},
			{"officer-page", env.officer, service.InboxInput{Limit: 50}, mine},
			{"team-lead-page", env.lead, service.InboxInput{Team: true, Limit: 50}, team},
		} {
			b.Run(tc.name, func(b *testing.B) {
				var lat latencies
				local := make([]time.Duration, 0, 4096)
				tasks, cases := 0, 0
				stmts0 := env.db.Statements()
				b.ResetTimer()
				for range b.N {
					start := time.Now()
					v, err := env.svc.Inbox(ctx, tc.actor, tc.in)
					local = append(local, time.Since(start))
					if err != nil {
						b.Fatal(err)
					}
					if len(v.Tasks) == 0 {
						b.Fatalf("%s: no tasks in the inbox", tc.name)
					}
					tasks += len(v.Tasks)
					cases += len(v.Cases)
				}
				b.StopTimer()
				lat.add(local)
				lat.report(b, 1, "queries/s")
				b.ReportMetric(float64(env.db.Statements()-stmts0)/float64(b.N), "stmts/query")
				b.ReportMetric(float64(tasks)/float64(b.N), "tasks/query")
				b.ReportMetric(float64(cases)/float64(b.N), "cases/query")
				b.ReportMetric(float64(tc.open), "open-tasks")
			})
		}
	})
}

// seedInbox inserts bulkCases open cases, each with a pending overdue
// timer and an open deadline task for its officer, due over the next 60
// days. It returns how many of them are the officer's and the team
// lead's.
func (env *procEnv) seedInbox(b *testing.B) (mine, team int) {
	ctx := context.Background()
	today := env.clock.Now()
	leadPath := ""
	for _, g := range env.lead.Grants {
		leadPath = g.UnitPath
	}
	env.insertCases(b, bulkCases, "screening", "received", func(tx *store.Tx, c store.Case, i int) error {
		dueDay := today.AddDate(0, 0, i%60)
		due := dueDay.Format("2006-01-02")
		if err := tx.InsertTimer(ctx, demo.TenantID, store.Timer{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID,
			DeadlineID: "screening", Kind: process.TimerOverdue, DueDate: due, FireAt: dueDay.AddDate(0, 0, 1)}); err != nil {
			return err
		}
		return tx.InsertTask(ctx, demo.TenantID, store.Task{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, UnitID: c.UnitID,
			Assignee: c.AssignedTo, Kind: "deadline_warning", DeadlineID: "screening",
			Title: "Förhandsbedömning: tidsfristen går ut " + due, DueDate: due})
	})
	for i := range bulkCases { // as insertCases spreads them
		sm := env.staff[i%len(env.staff)]
		if sm.userID == env.officer.UserID {
			mine++
		}
		if strings.HasPrefix(env.units[sm.unitID], leadPath) {
			team++
		}
	}
	return mine, team
}

// percentile returns the p-th percentile of sorted durations, 0 if none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[max(int(math.Ceil(p*float64(len(sorted))))-1, 0)]
}
