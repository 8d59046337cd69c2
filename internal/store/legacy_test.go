package store_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// TestLegacyRunsAndReports keeps a run's progress and its report: the
// checkpoint and counts a batch moves, the report paged and filtered by
// outcome and kind, runs listed newest first by export and mode, and
// nothing of another tenant.
func TestLegacyRunsAndReports(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, true)
		db, ctx := r.DB, t.Context()
		seedTenant(t, db, "north", "North")
		seedTenant(t, db, "south", "South")

		run := store.LegacyRun{ID: "run-1", Source: "Procapita/Norra", System: "Procapita", District: "Norra", Mode: store.LegacyDryRun,
			MappingID: "norra", DefinitionVersion: 3, Status: store.LegacyRunning, StartedBy: "u-1"}
		update(t, db, func(tx *store.Tx) error { return tx.InsertLegacyRun(ctx, "north", run) })
		var items []store.LegacyItem
		for i := range 620 {
			outcome, kind := store.LegacyRefused, "persons"
			if i%3 == 0 {
				outcome, kind = store.LegacyMerged, "cases"
			}
			items = append(items, store.LegacyItem{Seq: int64(i + 1), Kind: kind, File: kind + ".csv", Line: i + 2, LegacyID: fmt.Sprintf("L%d", i),
				Outcome: outcome, Reason: "unknown_unit"})
		}
		update(t, db, func(tx *store.Tx) error {
			if err := tx.InsertLegacyItems(ctx, "north", "run-1", items); err != nil {
				return err
			}
			run.CheckpointKind, run.CheckpointDone, run.Items = "persons", 620, 620
			run.Counts = store.LegacyCounts{}
			run.Counts.Add("persons", store.LegacyCreated, 5)
			run.Counts.Add("persons", store.LegacyRefused, 413)
			run.Summary = json.RawMessage(`{"ok":true}`)
			return tx.SaveLegacyRun(ctx, "north", run)
		})
		got, err := db.LegacyRun(ctx, "north", "run-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.CheckpointKind != "persons" || got.CheckpointDone != 620 || got.Items != 620 || got.Counts.Total("persons", "") != 418 ||
			got.Counts.Total("", store.LegacyRefused) != 413 || string(got.Summary) != `{"ok":true}` || got.MappingID != "norra" || got.DefinitionVersion != 3 {
			t.Fatalf("run = %+v", got)
		}
		if _, err := db.LegacyRun(ctx, "south", "run-1"); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Errorf("another tenant's run: %v, want not found", err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error { return tx.SaveLegacyRun(ctx, "south", run) })
		wantCode(t, err, trygg.ENotFound, "saving another tenant's run")

		// Pages of 100 merged cases follow each other in the run's order.
		var seen []store.LegacyItem
		var after int64
		for {
			page, err := db.LegacyItems(ctx, "north", "run-1", store.LegacyItemQuery{Outcome: store.LegacyMerged, Kind: "cases", After: after, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			seen = append(seen, page...)
			after = page[len(page)-1].Seq
		}
		if len(seen) != 207 || seen[0].LegacyID != "L0" || seen[1].LegacyID != "L3" || seen[206].Line != 620 {
			t.Fatalf("merged cases: %d rows, first %+v", len(seen), seen[0])
		}
		counts, err := db.LegacyItemCounts(ctx, "north", "run-1")
		if err != nil || counts.Total("cases", store.LegacyMerged) != 207 || counts.Total("persons", store.LegacyRefused) != 413 {
			t.Fatalf("item counts %v, %v", counts, err)
		}
		if its, _ := db.LegacyItems(ctx, "south", "run-1", store.LegacyItemQuery{}); len(its) != 0 {
			t.Errorf("another tenant reads %d report rows", len(its))
		}

		later := store.LegacyRun{ID: "run-2", Source: "Procapita/Norra", Mode: store.LegacyImport, Status: store.LegacyRunning, StartedBy: "u-1"}
		other := store.LegacyRun{ID: "run-3", Source: "Procapita/Södra", Mode: store.LegacyImport, Status: store.LegacyRunning, StartedBy: "u-1"}
		r.exec(t, `UPDATE legacy_runs SET started_at = started_at - 1000000 WHERE id = 'run-1'`)
		update(t, db, func(tx *store.Tx) error {
			if err := tx.InsertLegacyRun(ctx, "north", later); err != nil {
				return err
			}
			return tx.InsertLegacyRun(ctx, "north", other)
		})
		runs, err := db.LegacyRuns(ctx, "north", store.LegacyRunQuery{Source: "Procapita/Norra"})
		if err != nil || len(runs) != 2 || runs[0].ID != "run-2" || runs[1].ID != "run-1" {
			t.Fatalf("runs of Norra: %+v, %v", runs, err)
		}
		runs, _ = db.LegacyRuns(ctx, "north", store.LegacyRunQuery{Modes: []string{store.LegacyImport}, Limit: 1})
		if len(runs) != 1 || runs[0].Mode != store.LegacyImport {
			t.Fatalf("newest import: %+v", runs)
		}
		if runs, _ := db.LegacyRuns(ctx, "south", store.LegacyRunQuery{}); len(runs) != 0 {
			t.Errorf("another tenant lists %d runs", len(runs))
		}
	})
}

// TestLegacyIDs keeps what each legacy record became: looked up in
// chunks, counted per kind and outcome, never recorded twice; and the
// refusals of the newest import that met a record, not of dry runs.
func TestLegacyIDs(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		db, ctx := openRaw(t, engine, true).DB, t.Context()
		seedTenant(t, db, "north", "North")
		seedTenant(t, db, "south", "South")
		const src = "Procapita/Norra"
		var ids []store.LegacyID
		var keys []string
		for i := range 1200 {
			outcome := store.LegacyCreated
			if i%100 == 0 {
				outcome = store.LegacyMerged
			}
			ids = append(ids, store.LegacyID{Kind: "persons", LegacyID: fmt.Sprintf("P%d", i), TryggID: fmt.Sprintf("p-%d", i/2), Outcome: outcome, RunID: "run-1"})
			keys = append(keys, fmt.Sprintf("P%d", i))
		}
		update(t, db, func(tx *store.Tx) error { return tx.InsertLegacyIDs(ctx, "north", src, ids) })
		got, err := db.LegacyIDs(ctx, "north", src, "persons", append(keys, "P-none"))
		if err != nil || len(got) != 1200 || got["P1199"].TryggID != "p-599" || got["P100"].Outcome != store.LegacyMerged {
			t.Fatalf("lookup: %d ids, %v", len(got), err)
		}
		if got, _ := db.LegacyIDs(ctx, "north", "Procapita/Södra", "persons", keys); len(got) != 0 {
			t.Errorf("another export's ids: %d", len(got))
		}
		if got, _ := db.LegacyIDs(ctx, "south", src, "persons", keys); len(got) != 0 {
			t.Errorf("another tenant's ids: %d", len(got))
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			if got, err := tx.LegacyIDs(ctx, "north", src, "persons", []string{"P7"}); err != nil || got["P7"].TryggID != "p-3" {
				t.Errorf("lookup inside a transaction: %v, %v", got, err)
			}
			return tx.InsertLegacyIDs(ctx, "north", src, ids[7:8])
		})
		wantCode(t, err, trygg.EConflict, "a legacy id recorded twice")
		counts, err := db.LegacyIDCounts(ctx, "north", src)
		if err != nil || counts.Total("persons", store.LegacyCreated) != 1188 || counts.Total("persons", store.LegacyMerged) != 12 {
			t.Fatalf("counts %v, %v", counts, err)
		}

		// A record refused by an import, then by a dry run, then imported by
		// a later import: its refusal is the import's until it is imported.
		update(t, db, func(tx *store.Tx) error {
			for i, run := range []store.LegacyRun{
				{ID: "imp-1", Source: src, Mode: store.LegacyImport},
				{ID: "dry-2", Source: src, Mode: store.LegacyDryRun},
				{ID: "imp-3", Source: src, Mode: store.LegacyImport},
			} {
				run.Status, run.StartedBy = store.LegacyDone, "u-1"
				tx.Now = tx.Now.Add(time.Duration(i) * time.Second)
				if err := tx.InsertLegacyRun(ctx, "north", run); err != nil {
					return err
				}
			}
			for run, its := range map[string][]store.LegacyItem{
				"imp-1": {{Seq: 1, Kind: "cases", LegacyID: "C1", Outcome: store.LegacyRefused, Reason: "unknown_unit"},
					{Seq: 2, Kind: "cases", LegacyID: "C2", Outcome: store.LegacyRefused, Reason: "unknown_code"}},
				"dry-2": {{Seq: 1, Kind: "cases", LegacyID: "C3", Outcome: store.LegacyRefused, Reason: "unknown_code"}},
				"imp-3": {{Seq: 1, Kind: "cases", LegacyID: "C2", Outcome: store.LegacyMapped, Reason: "free_text"}},
			} {
				if err := tx.InsertLegacyItems(ctx, "north", run, its); err != nil {
					return err
				}
			}
			return nil
		})
		refused, err := db.LegacyRefusals(ctx, "north", src, "cases", []string{"C1", "C2", "C3"})
		if err != nil || len(refused) != 1 || refused["C1"].Reason != "unknown_unit" || refused["C1"].RunID != "imp-1" {
			t.Fatalf("refusals %+v, %v", refused, err)
		}
	})
}

// TestLegacyMarkers marks persons with records in a district still in the
// old system, once per district, and removes a district's marks when it
// moves in.
func TestLegacyMarkers(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		db, ctx := openRaw(t, engine, true).DB, t.Context()
		seedTenant(t, db, "north", "North")
		seedTenant(t, db, "south", "South")
		mark := func(tenant trygg.TenantID, ms ...store.LegacyMarker) {
			update(t, db, func(tx *store.Tx) error { return tx.InsertLegacyMarkers(ctx, tenant, ms) })
		}
		mark("north", store.LegacyMarker{PersonID: "p-1", Source: "Procapita/Norra", System: "Procapita", District: "Norra"})
		mark("north", store.LegacyMarker{PersonID: "p-1", Source: "Procapita/Norra", System: "Procapita", District: "Norra"},
			store.LegacyMarker{PersonID: "p-1", Source: "Procapita/Södra", System: "Procapita", District: "Södra"})
		ms, err := db.LegacyMarkers(ctx, "north", "p-1")
		if err != nil || len(ms) != 2 || ms[0].District != "Norra" && ms[1].District != "Norra" {
			t.Fatalf("markers %+v, %v", ms, err)
		}
		if ms, _ := db.LegacyMarkers(ctx, "south", "p-1"); len(ms) != 0 {
			t.Errorf("another tenant sees %d markers", len(ms))
		}
		var n int64
		update(t, db, func(tx *store.Tx) (err error) {
			n, err = tx.DeleteLegacyMarkers(ctx, "north", "Procapita/Norra")
			return err
		})
		ms, _ = db.LegacyMarkers(ctx, "north", "p-1")
		if n != 1 || len(ms) != 1 || ms[0].District != "Södra" {
			t.Fatalf("after Norra moved in: removed %d, left %+v", n, ms)
		}
	})
}

// TestLegacyPastRecords brings in a case's history with its own times and
// authors: a signed form, a final decision, an order, a visit and a paid
// payment line, and a person's identity replaced by a newer number.
func TestLegacyPastRecords(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, true)
		db, ctx := r.DB, t.Context()
		seedTenant(t, db, "north", "North")
		at := time.Date(2019, 3, 4, 9, 30, 0, 0, time.UTC)
		update(t, db, func(tx *store.Tx) error {
			if err := tx.InsertPerson(ctx, "north", persons.Person{ID: "p-2", Identity: testIdentity(2), GivenName: "B", FamilyName: "C"}); err != nil {
				return err
			}
			if err := tx.InsertPastRelations(ctx, "north", []persons.Relation{{ID: "r-1", FromPersonID: "p-2", ToPersonID: "p-1", Kind: persons.RelGodMan}}); err != nil {
				return err
			}
			if err := tx.InsertPastFormEntries(ctx, "north", []store.FormEntry{{ID: "f-1", CaseID: "c-1", FormID: "utredning", DefinitionVersion: 1,
				Values: `{"a":1}`, SignedBy: "u-old", SignedAt: at}}); err != nil {
				return err
			}
			if err := tx.InsertPastDecisions(ctx, "north", []store.Decision{{ID: "d-1", CaseID: "c-1", Insats: "hemtjanst", Outcome: "granted",
				Amount: 1250, DraftedBy: "u-old", DecidedBy: "u-old", DecidedAt: at.Add(time.Hour)}}); err != nil {
				return err
			}
			if err := tx.InsertPastOrders(ctx, "north", []store.Order{{ID: "o-1", CaseID: "c-1", DecisionID: "d-1", PersonID: "p-1", ProviderID: "prov",
				UnitID: "unit-a", Insats: "hemtjanst", Status: store.OrderAccepted, StartDate: "2019-03-10", CreatedAt: at, UpdatedAt: at.Add(48 * time.Hour)}}); err != nil {
				return err
			}
			if err := tx.InsertPastPerformed(ctx, "north", []store.Performed{{ID: "v-1", OrderID: "o-1", On: "2019-03-11", Minutes: 35, ReportedBy: "u-old",
				ReportedAt: at.Add(7 * 24 * time.Hour)}}, []string{"prov"}); err != nil {
				return err
			}
			line := store.PaymentLine{ID: "l-1", CaseID: "c-1", DecisionID: "d-1", PersonID: "p-1", UnitID: "unit-a", CaseType: "test", Item: "norm",
				ItemName: "Norm", Schedule: "once", Period: "2019-03", PayeeCategory: "person", Amount: 512300, DueDate: "2019-03-25",
				Status: store.PaymentPaid, PreparedBy: "u-old", PreparedAt: at, AttestedBy: "u-old", AttestedAt: at}
			return tx.InsertPastPaymentLines(ctx, "north", []store.PaymentLine{line})
		})
		line := store.PaymentLine{ID: "l-2", CaseID: "c-1", DecisionID: "d-1", PersonID: "p-1", UnitID: "unit-a", CaseType: "test", Item: "norm",
			Period: "2019-03", Status: store.PaymentPaid, PreparedAt: at}
		err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertPastPaymentLines(ctx, "north", []store.PaymentLine{line}) })
		wantCode(t, err, trygg.EConflict, "a second line of the decision's item and period")
		ds, err := db.Decisions(ctx, "north", "c-1")
		if err != nil || len(ds) != 1 || ds[0].Status != "final" || !ds[0].DecidedAt.Equal(at.Add(time.Hour)) || ds[0].Amount != 1250 {
			t.Fatalf("decisions %+v, %v", ds, err)
		}
		fs, err := db.FormEntries(ctx, "north", "c-1")
		if err != nil || len(fs) != 1 || fs[0].Status != "signed" || fs[0].SignedBy != "u-old" || !fs[0].SignedAt.Equal(at) {
			t.Fatalf("form entries %+v, %v", fs, err)
		}
		o, err := db.Order(ctx, "north", "o-1")
		if err != nil || !o.CreatedAt.Equal(at) || !o.UpdatedAt.Equal(at.Add(48*time.Hour)) || o.Revision != 1 {
			t.Fatalf("order %+v, %v", o, err)
		}
		ps, err := db.PerformedBetween(ctx, "north", "o-1", "2019-03-01", "2019-03-31")
		if err != nil || len(ps) != 1 || ps[0].Minutes != 35 || !ps[0].ReportedAt.Equal(at.Add(7*24*time.Hour)) {
			t.Fatalf("performed %+v, %v", ps, err)
		}
		if n := r.queryInt(t, `SELECT COUNT(*) FROM payment_lines WHERE tenant_id = 'north' AND status = 'paid' AND amount = 512300`); n != 1 {
			t.Errorf("%d paid lines", n)
		}

		// A samordningsnummer replaced by a personnummer; another person's
		// number is a conflict.
		newer := testIdentity(3)
		update(t, db, func(tx *store.Tx) error { return tx.SetPersonIdentity(ctx, "north", "p-2", newer) })
		if p, err := db.PersonByIdentity(ctx, "north", newer); err != nil || p.ID != "p-2" {
			t.Fatalf("by the new number: %+v, %v", p, err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error { return tx.SetPersonIdentity(ctx, "north", "p-1", newer) })
		wantCode(t, err, trygg.EConflict, "another person's number")
	})
}
