package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/store"
)

// TestInsertSignedNotes brings in notes written elsewhere: more than one
// multi-row INSERT's worth, each signed with its own author and times.
func TestInsertSignedNotes(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		db := openRaw(t, engine, true)
		ctx := t.Context()
		seedTenant(t, db.DB, "north", "North")
		written := time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)
		var ns []store.Note
		for i := range 501 {
			w := written.Add(time.Duration(i) * time.Minute)
			ns = append(ns, store.Note{ID: fmt.Sprintf("n-%03d", i), CaseID: "c-1", Body: fmt.Sprintf("Anteckning %d.", i), Author: "u-old",
				CreatedAt: w, SignedAt: w.Add(5 * time.Minute)})
		}
		update(t, db.DB, func(tx *store.Tx) error { return tx.InsertSignedNotes(ctx, "north", ns) })
		got, err := db.Notes(ctx, "north", "c-1", "u-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(ns) {
			t.Fatalf("got %d notes, want %d", len(got), len(ns))
		}
		for i, n := range got {
			w := ns[i]
			if n.ID != w.ID || n.Status != "signed" || n.Body != w.Body || n.Author != "u-old" || !n.CreatedAt.Equal(w.CreatedAt) || !n.SignedAt.Equal(w.SignedAt) {
				t.Fatalf("note %d = %+v, want %+v signed", i, n, w)
			}
		}

		// A note without its times is refused, and nothing of the call is written.
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.InsertSignedNotes(ctx, "north", []store.Note{{ID: "n-ok", CaseID: "c-1", Body: "x", Author: "u-1", CreatedAt: written, SignedAt: written},
				{ID: "n-bad", CaseID: "c-1", Body: "x", Author: "u-1"}})
		})
		if err == nil {
			t.Fatal("a note without times was written")
		}
		if n := db.queryInt(t, `SELECT COUNT(*) FROM journal_notes WHERE tenant_id = ? AND id IN (?, ?)`, "north", "n-ok", "n-bad"); n != 0 {
			t.Errorf("%d notes of the refused call were written", n)
		}
	})
}
