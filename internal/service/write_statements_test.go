package service_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// TestWriteStatements counts the SQL statements (BEGIN and COMMIT
// included, reads before the transaction too) of the busiest writes: a
// journal note started and signed, a one-step case opened and closed. On
// PostgreSQL each statement is a round trip and a few hundred
// microseconds of the server's CPU, so a statement that creeps back in is
// a slower write (docs/benchmarks.md, "Fewer statements per write").
func TestWriteStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newDemoWorld(t, db, 20, 10, db.Now())
		actor := w.actorFunc(t)
		officer := actor("ekonom")
		if _, err := w.svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
			Files: []store.DefinitionFile{{Name: "bench.yaml", Content: processBenchYAML}}}); err != nil {
			t.Fatal(err)
		}
		// A case opened by identity number makes the person one the
		// officer may read, so the measured cases open by id, as the
		// pages and trygg bench open them.
		first, err := w.svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: w.ds.Persons[3].Identity.String()},
			UnitID: "norra-eb", CaseType: "one_step", Title: "Första"})
		if err != nil {
			t.Fatal(err)
		}
		person := first.PersonID

		var mu sync.Mutex
		var sent []string
		db.TraceStatements(func(q string) {
			mu.Lock()
			sent = append(sent, strings.Join(strings.Fields(q), " "))
			mu.Unlock()
		})
		t.Cleanup(func() { db.TraceStatements(nil) })
		// count runs one write and returns the statements it sent.
		count := func(write func() error) []string {
			t.Helper()
			mu.Lock()
			sent = nil
			mu.Unlock()
			if err := write(); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			return sent
		}
		var got [4][]string
		for round := range 2 { // the first round fills the caches
			var c store.Case
			var n store.Note
			got[0] = count(func() (err error) {
				c, err = w.svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonID: person, UnitID: "norra-eb", CaseType: "one_step", Title: fmt.Sprint("Runda ", round)})
				return err
			})
			got[1] = count(func() error {
				_, err := w.svc.Transition(ctx, officer, c.ID, service.TransitionInput{Transition: "close"}, "sv")
				return err
			})
			c, err := w.svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonID: person, UnitID: "norra-eb", CaseType: "one_step", Title: "Anteckningar"})
			if err != nil {
				t.Fatal(err)
			}
			got[2] = count(func() (err error) {
				n, err = w.svc.AddNote(ctx, officer, c.ID, service.NoteInput{Body: "Samtal med den enskilde."})
				return err
			})
			got[3] = count(func() error {
				_, err := w.svc.SignNote(ctx, officer, c.ID, n.ID)
				return err
			})
		}
		// Statements per write, reads before the transaction included.
		// Before these were cut (2026-12-08) the four took 13, 19, 11 and
		// 13 on both engines.
		want := map[string][4]int{
			"sqlite": {13, 16, 9, 9},
			// An event is one statement, and one with the row it is
			// about (store.Tx.AppendEvent, InsertNoteWithEvent); closing
			// a case's timers and tasks one (CancelCaseTimers).
			"postgres": {11, 12, 7, 8},
		}[db.Engine()]
		for i, name := range []string{"OpenCase", "Transition (close)", "AddNote", "SignNote"} {
			if len(got[i]) != want[i] {
				t.Errorf("%s sent %d statements, want %d:\n  %s", name, len(got[i]), want[i], strings.Join(got[i], "\n  "))
			}
		}
	})
}
