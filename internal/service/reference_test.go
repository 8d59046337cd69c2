package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// TestCaseReferences: every case gets a reference people can say and
// write, "PREFIX-YEAR-NNNNN", counted per prefix and year, never twice;
// demo cases have one, and a case stored without one gets one when the
// server starts (EnsureCaseReferences), once.
func TestCaseReferences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newDemoWorld(t, db, 60, 20, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		seen := map[string]bool{}
		for _, dc := range w.ds.Cases {
			c, err := db.CaseByID(ctx, demo.TenantID, dc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Reference == "" || seen[c.Reference] {
				t.Fatalf("demo case %s has reference %q (empty or given twice)", c.ID, c.Reference)
			}
			seen[c.Reference] = true
		}
		officer := w.actorFunc(t)("handlaggare")
		var refs []string
		for i := range 2 {
			c, err := w.svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: w.ds.Persons[30+i].Identity.String()},
				UnitID: "norra-ao", CaseType: "ansokan_hemtjanst", Title: "Ansökan"})
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, c.Reference)
		}
		if !strings.HasPrefix(refs[0], "AH-2026-") || refs[1] <= refs[0] {
			t.Errorf("references %v: want AH-2026-… counting up", refs)
		}

		// A case stored without a reference (opened before references
		// existed) gets one at start, and only once.
		old := store.Case{ID: "11111111-2222-4333-8444-555555555555", PersonID: w.ds.Persons[40].ID, UnitID: "norra-ao", CaseType: "ansokan_hemtjanst",
			Title: "Gammalt ärende", Status: "open", OpenedAt: time.Date(2019, 5, 1, 8, 0, 0, 0, time.UTC)}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertCase(ctx, demo.TenantID, old) }); err != nil {
			t.Fatal(err)
		}
		for i, want := range []int{1, 0} {
			n, err := w.svc.EnsureCaseReferences(ctx)
			if err != nil || n != want {
				t.Fatalf("run %d: EnsureCaseReferences gave %d references (%v), want %d", i, n, err, want)
			}
		}
		got, err := db.CaseByID(ctx, demo.TenantID, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Reference != "AH-2019-00001" {
			t.Errorf("the older case got %q, want AH-2019-00001 (the year it was opened)", got.Reference)
		}
	})
}
