package store_test

import (
	"testing"
	"time"

	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestCaseSecrecyChains: a mark withholds the record's chain and nothing
// else. A later signing of a form is covered when it supersedes the
// marked one even if its server's clock put it earlier; another form of
// the case is not. A note's correction of a correction is covered; a note
// beside it is not. A release frees the one record from the marks in
// force when it was given: after the mark is lifted and set again, the
// record is withheld again.
func TestCaseSecrecyChains(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			db := storetest.Open(t, engine, clock)
			ctx := t.Context()
			const tenant trygg.TenantID = "north"
			seedTenant(t, db, tenant, "Nora")
			sign := func(id, form, supersedes string) {
				update(t, db, func(tx *store.Tx) error {
					if err := tx.SaveFormDraft(ctx, tenant, store.FormEntry{ID: id, CaseID: "c-1", FormID: form, DefinitionVersion: 1,
						Values: `{}`, UpdatedBy: "u-1", Supersedes: supersedes}); err != nil {
						return err
					}
					return tx.SignFormEntry(ctx, tenant, id, `{}`, "u-1")
				})
			}
			note := func(id, corrects string) {
				update(t, db, func(tx *store.Tx) error {
					if err := tx.InsertNote(ctx, tenant, store.Note{ID: id, CaseID: "c-1", Body: id, Author: "u-1", Corrects: corrects}); err != nil {
						return err
					}
					_, err := tx.SignNote(ctx, tenant, "c-1", id, "u-1")
					return err
				})
			}
			mark := func(kind, id, markID string) {
				update(t, db, func(tx *store.Tx) error {
					return tx.InsertSecrecyMark(ctx, tenant, store.SecrecyMark{ID: markID, CaseID: "c-1", RecordKind: kind, RecordID: id,
						LegalGround: "OSL 26 kap. 5 §", MarkedBy: "u-1"})
				})
			}
			withheld := func(kind string, want map[string]bool) {
				t.Helper()
				sec, err := db.CaseSecrecy(ctx, tenant, "c-1")
				if err != nil {
					t.Fatal(err)
				}
				for id, w := range want {
					if _, got := sec.Of(kind, id).Withheld(); got != w {
						t.Errorf("%s %s withheld: %v, want %v", kind, id, got, w)
					}
				}
			}

			// v2 supersedes v1 but was signed "before" it; v3 was signed
			// after v1 without naming it; other is another form.
			sign("v2", "intake", "v1")
			clock.Advance(time.Hour)
			sign("v1", "intake", "")
			sign("other", "plan", "")
			clock.Advance(time.Hour)
			sign("v3", "intake", "")
			mark(store.SecretForm, "v1", "m-1")
			withheld(store.SecretForm, map[string]bool{"v1": true, "v2": true, "v3": true, "other": false})

			note("n1", "")
			note("n2", "n1")
			note("n3", "n2")
			note("beside", "")
			mark(store.SecretNote, "n1", "m-2")
			withheld(store.SecretNote, map[string]bool{"n1": true, "n2": true, "n3": true, "beside": false})

			// n3 released from m-2: given; n2 not. Lifted and marked
			// again, the new mark withholds n3 again.
			update(t, db, func(tx *store.Tx) error {
				return tx.InsertSecrecyReleases(ctx, tenant, []store.SecrecyRelease{{ID: "r-1", CaseID: "c-1", RecordKind: store.SecretNote,
					RecordID: "n3", MarkID: "m-2", Reason: "Prövat.", ReleasedBy: "u-1"}})
			})
			withheld(store.SecretNote, map[string]bool{"n1": true, "n2": true, "n3": false})
			update(t, db, func(tx *store.Tx) error {
				_, err := tx.LiftSecrecyMark(ctx, tenant, "c-1", store.SecretNote, "n1", "u-1")
				return err
			})
			withheld(store.SecretNote, map[string]bool{"n1": false, "n2": false, "n3": false})
			mark(store.SecretNote, "n1", "m-3")
			withheld(store.SecretNote, map[string]bool{"n1": true, "n2": true, "n3": true})

			// The same release again is a conflict.
			err := db.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertSecrecyReleases(ctx, tenant, []store.SecrecyRelease{{ID: "r-2", CaseID: "c-1", RecordKind: store.SecretNote,
					RecordID: "n3", MarkID: "m-2", Reason: "Igen.", ReleasedBy: "u-1"}})
			})
			if trygg.ErrorCode(err) != trygg.EConflict {
				t.Errorf("releasing again: %v, want a conflict", err)
			}
		})
	}
}
