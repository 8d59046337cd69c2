package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// BenchRetentionCases is the closed cases of the retention workload
// (issue 19: a preview and a run over 100,000 closed cases).
var BenchRetentionCases = 100_000

// SeedClosedCases inserts n persons with one case each of caseType at
// unit, opened and closed at `at` (with their case.opened and
// case.closed events), in transactions of 500: cases a retention run
// finds due once the rules' period has run from at. The persons are born
// on days 1 to 28 in turn, so about one in ten is in the research sample
// (the 5th, 15th and 25th) and delivered to the archive.
func SeedClosedCases(ctx context.Context, db *store.DB, tenant trygg.TenantID, defs int64, n int, unit, caseType string, at time.Time) error {
	if defs == 0 {
		return errors.New("bench: no definitions published")
	}
	db.ReplayAt(at)
	defer db.ReplayAt(time.Time{})
	sys := trygg.Actor{Tenant: tenant, UserID: "system"}
	const perTx = 500
	for from := 0; from < n; from += perTx {
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i := from; i < min(from+perTx, n); i++ {
				p := persons.Person{ID: uuid.Must(uuid.NewV7()).String(), Identity: persons.Identity{Type: persons.IDReserve,
					Value: fmt.Sprintf("GALLR-%07d", i), Issuer: "trygg bench"}, GivenName: "Gallring", FamilyName: fmt.Sprintf("Prestandatest %d", i),
					BirthDate: fmt.Sprintf("1970-01-%02d", i%28+1)}
				if err := tx.InsertPerson(ctx, tenant, p); err != nil {
					return err
				}
				c := store.Case{ID: uuid.Must(uuid.NewV7()).String(), PersonID: p.ID, UnitID: unit, CaseType: caseType,
					Title: "Prestandatest", Status: "closed", DefinitionVersion: defs, Step: "closed", OpenedAt: tx.Now, ClosedAt: tx.Now}
				if err := tx.InsertCase(ctx, tenant, c); err != nil {
					return err
				}
				for _, typ := range []string{events.CaseOpened, events.CaseClosed} {
					e := events.New(sys, typ, "case", c.ID, map[string]any{"case_type": caseType, "unit_id": unit})
					e.PersonID, e.CaseID = p.ID, c.ID
					if _, err := tx.AppendEvent(ctx, e); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed closed cases: %w", err)
		}
	}
	return nil
}

// retention is the retention workload: BenchRetentionCases closed cases
// seven years old (not timed), then a preview, its approval and the run,
// each timed once, as an archivist.
func (b *bench) retention(ctx context.Context) ([]benchRow, error) {
	n := BenchRetentionCases
	b.progress("inserting %d closed cases seven years old (not timed)", n)
	if err := SeedClosedCases(ctx, b.db, demo.TenantID, b.defs, n, benchPaymentUnit, "bench_payments", b.db.Now().AddDate(-7, 0, 0)); err != nil {
		return nil, err
	}
	if err := b.analyze(ctx); err != nil {
		return nil, err
	}
	archivist := trygg.Actor{Tenant: demo.TenantID, UserID: "bench-archivist", Grants: []trygg.Grant{{Role: trygg.RoleArchivist}}}
	var id string
	var due int
	phases := []struct {
		name, op string
		fn       func() error
	}{
		{"retention: preview", "case", func() error {
			p, err := b.svc.RetentionPreview(ctx, archivist)
			id, due = p.ID, p.PurgeCount+p.ArchiveCount
			if err == nil && due < n {
				err = fmt.Errorf("the preview lists %d cases to purge or deliver, want at least %d", due, n)
			}
			return err
		}},
		{"retention: run (purge, or deliver the sample)", "case", func() error {
			if err := b.svc.RetentionApprove(ctx, archivist, id); err != nil {
				return err
			}
			_, err := b.svc.RetentionRun(ctx, archivist, id)
			return err
		}},
	}
	var rows []benchRow
	for _, ph := range phases {
		b.progress("workload retention: %s", ph.name)
		done := false
		r := b.measured(ctx, ph.name, ph.op, 1, time.Hour, func(ctx context.Context, _ int) error {
			if done {
				return errWorkerDone
			}
			done = true
			return ph.fn()
		})
		if r.errors > 0 {
			return nil, fmt.Errorf("%s: %s", ph.name, r.firstErr)
		}
		r.ops = int64(n)
		rows = append(rows, r)
	}
	return rows, nil
}
