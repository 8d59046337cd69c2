package service_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// TestLegacyImportLooksUpABatch imports persons whose fates depend on
// what trygg has and what the batch before brought in, with the
// persons, orders and executions of a batch looked up and written a
// batch at a time: a person trygg had under a samordningsnummer gets the
// personnummer that replaced it (and the export's other records of them
// are the same person, in the same batch and the next), and a decision
// with an order names the order's provider.
func TestLegacyImportLooksUpABatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newLegacyWorld(t, db)
		defer service.SetLegacyBatch(2)()

		pnr := persons.GenerateTestNumber(time.Date(1968, 4, 21, 0, 0, 0, 0, time.UTC), "M", 3).Value
		other := persons.GenerateTestNumber(time.Date(1982, 11, 5, 0, 0, 0, 0, time.UTC), "F", 4).Value
		coord, err := persons.ParseIdentityNumber(coordinationNumber(pnr), w.today)
		if err != nil || coord.Type != persons.IDSamordningsnummer {
			t.Fatalf("samordningsnummer %v, %v", coord, err)
		}
		had := persons.Person{ID: uuid.Must(uuid.NewV7()).String(), Identity: coord, GivenName: "Sam", FamilyName: "Ordning"}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertPerson(ctx, demo.TenantID, had) }); err != nil {
			t.Fatal(err)
		}

		dir := filepath.Join(t.TempDir(), "batch")
		wr, err := legacy.NewWriter(dir, legacy.FormatCSV, legacy.EncodingUTF8)
		if err != nil {
			t.Fatal(err)
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(wr.Unit(legacy.Unit{LegacyID: "N-ÄO", Name: "Biståndsenheten äldreomsorg"}))
		for _, p := range []legacy.Person{
			{LegacyID: "Q1", Identity: pnr, PreviousIdentity: coordinationNumber(pnr), GivenName: "Sam", FamilyName: "Ordning"},
			{LegacyID: "Q2", Identity: pnr[2:], GivenName: "Sam", FamilyName: "ORDNING"},
			{LegacyID: "Q3", Identity: coordinationNumber(pnr), GivenName: "Sam", FamilyName: "Ordning"},
			{LegacyID: "Q4", Identity: other, GivenName: "Ny", FamilyName: "Person"},
		} {
			must(wr.Person(p))
		}
		must(wr.Case(legacy.Case{LegacyID: "C1", Person: "Q4", Unit: "N-ÄO", CaseType: "ÄO", Received: "2024-03-01", Opened: "2024-03-04T08:30:00Z"}))
		for _, d := range []legacy.Decision{
			{LegacyID: "D1", Case: "C1", Insats: "HT", Outcome: "B", Decided: "2024-03-10T09:00:00Z", ValidFrom: "2024-03-10", Amount: 2000, AmountUnit: "TIM"},
			{LegacyID: "D2", Case: "C1", Insats: "TL", Outcome: "B", Decided: "2024-03-10T09:05:00Z", ValidFrom: "2024-03-10", Executed: "2024-03-12"},
			{LegacyID: "D3", Case: "C1", Insats: "MD", Outcome: "B", Decided: "2024-03-10T09:10:00Z", ValidFrom: "2024-03-10"},
		} {
			must(wr.Decision(d))
		}
		must(wr.Order(legacy.Order{LegacyID: "O1", Decision: "D1", Provider: "HT-N", Start: "2024-03-15"}))
		must(wr.Order(legacy.Order{LegacyID: "O2", Decision: "D3", Provider: "HT-N"}))
		wr.Manifest.System, wr.Manifest.District = "Socialregistret", "Batch"
		must(wr.Close())
		exp, err := legacy.Open(dir)
		must(err)

		run, err := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		items := map[string]string{}
		for _, r := range w.report(t, run.ID)[1:] {
			items[r[2]] = r[4] + ":" + r[5]
		}
		for id, want := range map[string]string{"Q1": "merged:identity_replaced", "Q2": "merged:same_identity", "Q3": "merged:identity_replaced", "Q4": ""} {
			if items[id] != want {
				t.Errorf("%s: %q, want %q", id, items[id], want)
			}
		}
		source := service.LegacySource(exp.Manifest)
		got, err := db.LegacyIDs(ctx, demo.TenantID, source, "persons", []string{"Q1", "Q2", "Q3", "Q4"})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"Q1", "Q2", "Q3"} {
			if got[id].TryggID != had.ID {
				t.Errorf("%s is person %q, want the one trygg had (%s)", id, got[id].TryggID, had.ID)
			}
		}
		p, err := db.PersonByID(ctx, demo.TenantID, had.ID)
		if err != nil || p.Identity.Type != persons.IDPersonnummer || p.Identity.String() != pnr[:8]+"-"+pnr[8:] {
			t.Errorf("the person trygg had: %v, %v; want personnummer %s", p.Identity, err, pnr)
		}

		cs, err := db.LegacyIDs(ctx, demo.TenantID, source, "cases", []string{"C1"})
		if err != nil || cs["C1"].TryggID == "" {
			t.Fatalf("case C1: %v, %v", cs, err)
		}
		os, err := db.CaseOrders(ctx, demo.TenantID, cs["C1"].TryggID)
		if err != nil || len(os) != 2 || os[0].ProviderID == "" {
			t.Fatalf("orders %+v, %v", os, err)
		}
		ds, err := db.Decisions(ctx, demo.TenantID, cs["C1"].TryggID)
		if err != nil || len(ds) != 3 {
			t.Fatalf("decisions %+v, %v", ds, err)
		}
		providers := map[string]string{}
		for _, d := range ds {
			providers[d.Insats] = d.ProviderID
		}
		if providers["hemtjanst"] != os[0].ProviderID || providers["matdistribution"] != os[0].ProviderID || providers["trygghetslarm"] != "" {
			t.Errorf("decisions' providers %v, want %s for the two with orders", providers, os[0].ProviderID)
		}
		execs, err := db.CaseExecutions(ctx, demo.TenantID, cs["C1"].TryggID)
		executed := map[string]string{}
		for _, e := range execs {
			executed[e.DecisionID] = e.On
		}
		byInsats := map[string]string{}
		for _, d := range ds {
			byInsats[d.Insats] = executed[d.ID]
		}
		if err != nil || len(execs) != 2 || byInsats["hemtjanst"] != "2024-03-15" || byInsats["trygghetslarm"] != "2024-03-12" {
			t.Errorf("executions %v, %v: want hemtjänst on its order's start, trygghetslarm on the export's day", byInsats, err)
		}
	})
}

// TestLegacyImportStatements imports a synthetic district and counts the
// SQL statements: a batch's lookups and writes are a few statements each
// whatever the batch's size, never one per record.
func TestLegacyImportStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newLegacyWorld(t, db)
		exp, _ := w.export(t, "S", 300)
		var records int64
		for _, n := range exp.Manifest.Counts {
			records += int64(n)
		}
		before := db.Statements()
		if _, err := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{}); err != nil {
			t.Fatal(err)
		}
		// 300 persons with 2 notes each are 3,773 records, about 300
		// statements: a statement a person, an order or an execution
		// would be over a thousand.
		if stmts := db.Statements() - before; stmts > records/10 {
			t.Errorf("%d statements for %d records, want at most one per 10 records", stmts, records)
		}
	})
}
