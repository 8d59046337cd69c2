package service_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// retentionWorld is the demo's history with the clock moved on years
// past its cases, an archivist and the database's DSN.
type retentionWorld struct {
	ctx       context.Context
	engine    string
	dsn       string
	clock     *storetest.Clock
	db        *store.DB
	svc       *service.Service
	archivist trygg.Actor
}

func newRetentionWorld(t *testing.T, engine string, years float64) *retentionWorld {
	t.Helper()
	w := &retentionWorld{ctx: context.Background(), engine: engine, dsn: storetest.DSN(t, engine), clock: storetest.NewClock(time.Now().UTC())}
	db, err := store.Open(w.ctx, w.dsn, w.clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(w.ctx); err != nil {
		t.Fatal(err)
	}
	w.db, w.svc = db, storetest.Service(t, db, nil)
	ds := demo.Generate(demo.Options{Persons: 60, Staff: 20})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	if _, err := w.svc.LoadDemo(w.ctx, ds); err != nil {
		t.Fatal(err)
	}
	walks, err := demo.Walks()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.LoadDemoHistory(w.ctx, ds, walks, demo.HistoryOptions{Weeks: 8, PerWeek: 2, Today: w.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Duration(years * 365.25 * 24 * float64(time.Hour)))
	w.archivist = trygg.Actor{Tenant: demo.TenantID, UserID: "archivist", Grants: []trygg.Grant{{Role: trygg.RoleArchivist}}}
	return w
}

// run previews, approves and runs a retention run.
func (w *retentionWorld) run(t *testing.T) service.RetentionReport {
	t.Helper()
	p, err := w.svc.RetentionPreview(w.ctx, w.archivist)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.RetentionApprove(w.ctx, w.archivist, p.ID); err != nil {
		t.Fatal(err)
	}
	done, err := w.svc.RetentionRun(w.ctx, w.archivist, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

// live returns the ids of the cases not purged.
func (w *retentionWorld) live(t *testing.T) map[string]bool {
	t.Helper()
	cs, err := w.db.RetentionCases(w.ctx, demo.TenantID, "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, c := range cs {
		out[c.ID] = true
	}
	return out
}

// warnDay is the first day of the shipped rules' warning (three months)
// before deadline.
func warnDay(deadline string) string { return deadline[:4] + "-09-30" }

// TestRetentionWarnsArchivistsOncePerDeadline runs the daily check of
// purge deadlines twice a day on two days, before and within the
// warning time: one task per deadline whose warning has begun, saying
// the deadline and how many cases, never a second one; once a run has
// purged its cases the task is closed and not made again.
func TestRetentionWarnsArchivistsOncePerDeadline(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newRetentionWorld(t, engine, 5.5)
			officer := trygg.Actor{Tenant: demo.TenantID, UserID: "officer", Grants: []trygg.Grant{{Role: trygg.RoleOfficer}}}
			if _, err := w.svc.RetentionTasks(w.ctx, officer); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Errorf("an officer lists the warnings: %v", err)
			}
			made := 0
			for day := 0; day < 400; day += 100 {
				if day > 0 {
					w.clock.Advance(100 * 24 * time.Hour)
				}
				today := calendar.Today(w.clock.Now())
				// What is due, as a preview would list it.
				due := map[string]int{}
				cs, _ := w.db.RetentionCases(w.ctx, demo.TenantID, "")
				_ = cs
				prev, err := w.svc.RetentionPreview(w.ctx, w.archivist)
				if err != nil && trygg.ErrorCode(err) != trygg.EConflict {
					t.Fatal(err)
				}
				for _, it := range prev.Items {
					if it.Action != process.RetentionKeep && warnDay(it.Deadline) <= today {
						due[it.Deadline]++
					}
				}
				for range 2 {
					n, err := w.svc.RetentionWarn(w.ctx, demo.TenantID)
					if err != nil {
						t.Fatal(err)
					}
					made += n
				}
				tasks, err := w.svc.RetentionTasks(w.ctx, w.archivist)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int{}
				for _, tk := range tasks {
					got[tk.Deadline] = tk.Cases
					want := fmt.Sprintf("Gallring ska vara gjord senast %s: %d ärenden", tk.Deadline, tk.Cases)
					if tk.Cases == 1 {
						want = fmt.Sprintf("Gallring ska vara gjord senast %s: 1 ärende", tk.Deadline)
					}
					if tk.Title != want {
						t.Errorf("title %q, want %q", tk.Title, want)
					}
				}
				for d, n := range due {
					if got[d] == 0 {
						t.Errorf("%s: no task for deadline %s with %d cases in its warning time", today, d, n)
					}
				}
				for d := range got {
					if warnDay(d) > today {
						t.Errorf("%s: a task for deadline %s before its warning time", today, d)
					}
				}
				t.Logf("%s: due %v, tasks %v", today, due, got)
			}
			all, err := w.db.RetentionTasks(w.ctx, demo.TenantID, false)
			if err != nil {
				t.Fatal(err)
			}
			if made == 0 || made != len(all) {
				t.Fatalf("made %d tasks, %d kept: one per deadline", made, len(all))
			}
			// A run purges what was due; the next check closes the tasks
			// and makes none again.
			w.run(t)
			for range 2 {
				if n, err := w.svc.RetentionWarn(w.ctx, demo.TenantID); err != nil || n != 0 {
					t.Fatalf("after the run: %d made, %v", n, err)
				}
			}
			if open, _ := w.svc.RetentionTasks(w.ctx, w.archivist); len(open) != 0 {
				t.Errorf("tasks open after the run: %+v", open)
			}
		})
	}
}

// TestRetentionKeepsCasesWithOpenDebts: a case with an unpaid recovery
// debt is not purged: the preview lists it (and the rest of that
// personakt) as kept for the open debt and the run leaves it; once the
// debt is repaid the next preview purges it.
func TestRetentionKeepsCasesWithOpenDebts(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newRetentionWorld(t, engine, 6)
			first, err := w.svc.RetentionPreview(w.ctx, w.archivist)
			if err != nil {
				t.Fatal(err)
			}
			var target store.RetentionItem
			for _, it := range first.Items {
				if it.Action == process.RetentionPurge {
					target = it
					break
				}
			}
			if target.CaseID == "" {
				t.Fatal("nothing to purge")
			}
			debt := store.RecoveryDebt{ID: "debt-1", CaseID: target.CaseID, PersonID: target.PersonID, Amount: 120000, Reason: "r",
				LegalBasis: "b", DecidedBy: "officer"}
			if err := w.db.Update(w.ctx, func(tx *store.Tx) error { return tx.InsertRecoveryDebt(w.ctx, demo.TenantID, debt) }); err != nil {
				t.Fatal(err)
			}
			// Half repaid is still open.
			repay := func(id string, amount int64) {
				t.Helper()
				err := w.db.Update(w.ctx, func(tx *store.Tx) error {
					ok, err := tx.AddRepayment(w.ctx, demo.TenantID, store.Repayment{ID: id, DebtID: debt.ID, PaidOn: calendar.Today(w.clock.Now()), Amount: amount, RegisteredBy: "officer"})
					if err == nil && !ok {
						err = fmt.Errorf("repayment refused")
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			repay("r1", 60000)
			done := w.run(t)
			kept := 0
			for _, it := range done.Items {
				if it.PersonID != target.PersonID {
					continue
				}
				if it.Action != process.RetentionKeep || it.Reason != process.RetentionReasonOpenDebt {
					t.Errorf("case %s of the debtor: %s (%q), want kept for the open debt", it.CaseID, it.Action, it.Reason)
				}
				kept++
			}
			if kept == 0 {
				t.Fatal("the debtor's cases are not in the preview")
			}
			if !w.live(t)[target.CaseID] {
				t.Fatal("the case with an open debt was purged")
			}
			if n := done.KeepCount; n < kept {
				t.Errorf("keep count %d, %d kept for the debt", n, kept)
			}
			// Repaid in full: the next preview purges (or delivers) it.
			repay("r2", 60000)
			next, err := w.svc.RetentionPreview(w.ctx, w.archivist)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range next.Items {
				if it.CaseID == target.CaseID && (it.Action == process.RetentionKeep || it.Reason != "") {
					t.Errorf("the repaid case: %s (%q)", it.Action, it.Reason)
				}
			}
		})
	}
}

// TestRetentionRunResumesAfterAFailure: a run that fails half-way (the
// database refuses to purge one person's second case) has done whole
// persons before it and nothing of that person; run again, it finishes
// exactly what the preview listed.
func TestRetentionRunResumesAfterAFailure(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newRetentionWorld(t, engine, 6)
			defer service.SetRetentionBatch(5)() // transactions of a few persons, so some are done before the failure
			before := w.live(t)
			p, err := w.svc.RetentionPreview(w.ctx, w.archivist)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.svc.RetentionApprove(w.ctx, w.archivist, p.ID); err != nil {
				t.Fatal(err)
			}
			// A person, not the first, with two cases to purge: the second fails.
			byPerson := map[string][]store.RetentionItem{}
			var order []string
			for _, it := range p.Items {
				if len(byPerson[it.PersonID]) == 0 {
					order = append(order, it.PersonID)
				}
				byPerson[it.PersonID] = append(byPerson[it.PersonID], it)
			}
			// (The demo's persons mostly have one case: then any person after
			// the first.)
			var victim []store.RetentionItem
			for _, least := range []int{2, 1} {
				for _, pid := range order[len(order)/2:] {
					n := 0
					for _, it := range byPerson[pid] {
						if it.Action != process.RetentionKeep {
							n++
						}
					}
					if victim == nil && n >= least {
						victim = byPerson[pid]
					}
				}
			}
			if victim == nil {
				t.Fatal("no person with a case to purge")
			}
			t.Logf("the run fails at person %d of %d, with %d cases", slices.Index(order, victim[0].PersonID)+1, len(order), len(victim))
			failing := victim[len(victim)-1].CaseID
			raw := rawDB(t, w)
			trigger(t, raw, w.engine, failing, true)
			if _, err := w.svc.RetentionRun(w.ctx, w.archivist, p.ID); err == nil || !strings.Contains(err.Error(), "refused by test") {
				t.Fatalf("the failing run: %v", err)
			}
			mid, err := w.svc.RetentionPreviewByID(w.ctx, w.archivist, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			live := w.live(t)
			doneN := 0
			for _, it := range mid.Items {
				if !it.DoneAt.IsZero() {
					doneN++
				}
				if it.PersonID == victim[0].PersonID {
					if !it.DoneAt.IsZero() || !live[it.CaseID] {
						t.Errorf("the failed person's case %s: done %v, live %v", it.CaseID, it.DoneAt, live[it.CaseID])
					}
				} else if it.Action != process.RetentionKeep && it.DoneAt.IsZero() == !live[it.CaseID] {
					t.Errorf("case %s half done: done %v, live %v", it.CaseID, !it.DoneAt.IsZero(), live[it.CaseID])
				}
			}
			if mid.Status != store.RetentionRunning || doneN == 0 || doneN == len(mid.Items) {
				t.Fatalf("after the failure: status %s, %d of %d done", mid.Status, doneN, len(mid.Items))
			}
			trigger(t, raw, w.engine, failing, false)
			done, err := w.svc.RetentionRun(w.ctx, w.archivist, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			after := w.live(t)
			if got, want := len(before)-len(after), p.PurgeCount+p.ArchiveCount; got != want || done.Status != store.RetentionDone {
				t.Errorf("%d purged, the preview listed %d; status %s", got, want, done.Status)
			}
			for _, it := range done.Items {
				if it.DoneAt.IsZero() || after[it.CaseID] != (it.Action == process.RetentionKeep) {
					t.Errorf("case %s (%s): done %v, live %v", it.CaseID, it.Action, it.DoneAt, after[it.CaseID])
				}
			}
		})
	}
}

// rawDB opens a second connection to the world's database, to install
// a failure.
func rawDB(t *testing.T, w *retentionWorld) *sql.DB {
	t.Helper()
	var raw *sql.DB
	var err error
	if w.engine == "postgres" {
		raw, err = sql.Open("pgx", w.dsn)
	} else {
		raw, err = sql.Open("sqlite", "file:"+w.dsn+"?_pragma=busy_timeout(5000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// trigger makes the database refuse (on) or allow again (off) purging
// case id.
func trigger(t *testing.T, raw *sql.DB, engine, id string, on bool) {
	t.Helper()
	var stmts []string
	switch {
	case engine == "postgres" && on:
		stmts = []string{`CREATE FUNCTION refuse_purge() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'purge refused by test'; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER refuse_purge BEFORE UPDATE ON cases FOR EACH ROW WHEN (NEW.status = 'purged' AND OLD.id = '` + id + `') EXECUTE FUNCTION refuse_purge()`}
	case engine == "postgres":
		stmts = []string{`DROP TRIGGER refuse_purge ON cases`, `DROP FUNCTION refuse_purge()`}
	case on:
		stmts = []string{`CREATE TRIGGER refuse_purge BEFORE UPDATE ON cases WHEN NEW.status = 'purged' AND OLD.id = '` + id + `'
			BEGIN SELECT RAISE(ABORT, 'purge refused by test'); END`}
	default:
		stmts = []string{`DROP TRIGGER refuse_purge`}
	}
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}
