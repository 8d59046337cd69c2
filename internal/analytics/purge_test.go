package analytics_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// TestPurgeForgetsAndRebuildAgrees projects the history in small
// batches, then purges four persons' cases as a retention run does (their
// events' payloads emptied, a case.purged event per case saying the
// person was blanked): the store forgets every fact of those cases, the
// persons' pseudonymous rows and the case type only they had; rebuilt
// from zero afterwards, it holds the same rows, on both engines.
func TestPurgeForgetsAndRebuildAgrees(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, st := setup(t, engine)
			pr, err := analytics.NewProjector(ctx, db, st, testKey, nil)
			if err != nil {
				t.Fatal(err)
			}
			pr.Batch = 4
			for _, s := range history() {
				play(t, db, s)
			}
			if _, err := pr.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			before, err := st.Dump(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// Persons 2 (orders, visits), 6 (payments) and 8 and 9 (the
			// only lss cases).
			purged := []int{2, 6, 8, 9}
			db.ReplayAt(on("2032-02-01"))
			err = db.Update(ctx, func(tx *store.Tx) error {
				for _, n := range purged {
					if _, err := tx.PurgePersonIfDone(ctx, tenant, pid(n)); err != nil {
						return err
					}
					if _, err := tx.AppendEvent(ctx, ev(events.CasePurged, "case", cid(n), pid(n), cid(n),
						map[string]any{"preview": "p1", "rule": "personakt", "action": "purge", "person": "purged"})); err != nil {
						return err
					}
				}
				return nil
			})
			db.ReplayAt(time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pr.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			incremental, err := st.Dump(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// The purged persons' keys: the rows of dim_persons that went.
			var gone []string
			for _, row := range before["dim_persons"] {
				if !contains(incremental["dim_persons"], row) {
					gone = append(gone, strings.Split(row, "|")[1])
				}
			}
			if len(gone) != len(purged) {
				t.Fatalf("%d persons forgotten, want %d", len(gone), len(purged))
			}
			for table, rows := range incremental {
				for _, row := range rows {
					for _, k := range gone {
						if strings.Contains(row, k) {
							t.Errorf("%s keeps a purged person's row: %s", table, row)
						}
					}
				}
			}
			if got, want := len(incremental["fact_cases"]), len(before["fact_cases"])-len(purged); got != want {
				t.Errorf("%d cases left, want %d", got, want)
			}
			for _, table := range []string{"fact_orders", "fact_performed", "fact_plans", "fact_payments", "fact_decisions"} {
				if len(incremental[table]) >= len(before[table]) {
					t.Errorf("%s: %d rows before, %d after the purge", table, len(before[table]), len(incremental[table]))
				}
			}
			for _, row := range incremental["dim_case_types"] {
				if strings.Contains(row, "lss") {
					t.Errorf("the case type only purged cases had is left: %s", row)
				}
			}
			pr.Batch = 0
			if _, err := pr.Rebuild(ctx); err != nil {
				t.Fatal(err)
			}
			rebuilt, err := st.Dump(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for table, rows := range incremental {
				if !reflect.DeepEqual(rows, rebuilt[table]) {
					t.Errorf("%s differs after the rebuild:\nincremental %q\nrebuilt     %q", table, rows, rebuilt[table])
				}
			}
		})
	}
}

func contains(rows []string, row string) bool {
	for _, r := range rows {
		if r == row {
			return true
		}
	}
	return false
}
