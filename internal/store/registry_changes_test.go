package store_test

import (
	"testing"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestRegistryCursor: one owner at a time holds a tenant's place in the
// population registry's change feed; the place moves only from where it
// is, only for its owner and only in a transaction that commits; a
// change's id is handled once; a person's date of death is recorded and
// cleared again when the person is purged.
func TestRegistryCursor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		tenant := trygg.TenantID("north")
		seedTenant(t, db, tenant, "North")
		until := db.Now().Add(time.Minute)
		pos, held, err := db.LeaseRegistryCursor(ctx, tenant, "a", until)
		if err != nil || !held || pos != "" {
			t.Fatalf("first lease: %q, %v, %v", pos, held, err)
		}
		if _, held, _ := db.LeaseRegistryCursor(ctx, tenant, "b", until); held {
			t.Fatal("a second owner took a lease that runs")
		}
		move := func(owner, from, to string, fail bool) bool {
			t.Helper()
			var moved bool
			err := db.Update(ctx, func(tx *store.Tx) error {
				var err error
				if moved, err = tx.AdvanceRegistryCursor(ctx, tenant, owner, from, to); err != nil {
					return err
				}
				if err := tx.InsertRegistryChange(ctx, tenant, store.RegistryChange{ChangeID: to, Position: to, Kind: "address",
					ChangeDate: "2026-12-07", Outcome: store.RegistryApplied}); err != nil {
					return err
				}
				if fail {
					return trygg.Errorf(trygg.EConflict, "rolled back")
				}
				return nil
			})
			if err != nil && !fail {
				t.Fatal(err)
			}
			return moved
		}
		if move("b", "", "f:1", false) {
			t.Error("an owner without the lease moved the place")
		}
		if !move("a", "", "f:2", true) {
			t.Error("the owner could not move the place")
		}
		if p, _ := db.RegistryPosition(ctx, tenant); p != "" {
			t.Errorf("a rolled-back move left the place at %q", p)
		}
		if !move("a", "", "f:3", false) {
			t.Error("the owner could not move the place")
		}
		if move("a", "", "f:4", false) {
			t.Error("the place moved from where it no longer is")
		}
		if p, _ := db.RegistryPosition(ctx, tenant); p != "f:3" {
			t.Errorf("the place is %q, want f:3", p)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			done, err := tx.RegistryChangeHandled(ctx, tenant, "f:3")
			if err != nil || !done {
				t.Errorf("change f:3 handled: %v, %v", done, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.InsertRegistryChange(ctx, tenant, store.RegistryChange{ChangeID: "f:3", Position: "f:3", Outcome: store.RegistryApplied})
		})
		if trygg.ErrorCode(err) != trygg.EConflict {
			t.Errorf("the same change again: %v", err)
		}
		if err := db.ReleaseRegistryCursor(ctx, tenant, "a"); err != nil {
			t.Fatal(err)
		}
		if pos, held, _ := db.LeaseRegistryCursor(ctx, tenant, "b", until); !held || pos != "f:3" {
			t.Errorf("after the release another owner has %q, %v", pos, held)
		}

		// The date of death, and the purge that clears it.
		update(t, db, func(tx *store.Tx) error {
			if err := tx.InsertPerson(ctx, tenant, persons.Person{ID: "p-9", Identity: testIdentity(9), GivenName: "Nils", FamilyName: "Död"}); err != nil {
				return err
			}
			return tx.SetPersonDied(ctx, tenant, "p-9", "2026-12-01")
		})
		if d, err := db.PersonDiedOn(ctx, tenant, "p-9"); err != nil || d != "2026-12-01" {
			t.Fatalf("died on %q, %v", d, err)
		}
		update(t, db, func(tx *store.Tx) error {
			_, err := tx.PurgePersonIfDone(ctx, tenant, "p-9")
			return err
		})
		if d, err := db.PersonDiedOn(ctx, tenant, "p-9"); err != nil || d != "" {
			t.Errorf("after the purge died on %q, %v", d, err)
		}
	})
}
