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
	"github.com/trygg/trygg/internal/trygg"
)

// TestJournal writes, signs and corrects journal notes: a signed note
// never changes, a correction points at it, drafts are their author's own.
func TestJournal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world := newDemoWorld(t, db, 40, 30, time.Time{})
		svc, ds, actor := world.svc, world.ds, world.actorFunc(t)
		officer, lead, other := actor("handlaggare"), actor("arbetsledare"), actor("ekonom")
		c, err := svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: ds.Persons[10].Identity.String()}, UnitID: "norra-ao", CaseType: "ansokan-hemtjanst", Title: "Hemtjänst"})
		if err != nil {
			t.Fatal(err)
		}
		bad := []struct {
			name string
			in   service.NoteInput
			code string
		}{
			{"empty", service.NoteInput{Body: "  "}, trygg.EInvalid},
			{"too long", service.NoteInput{Body: strings.Repeat("x", 50_001)}, trygg.EInvalid},
			{"corrects unknown", service.NoteInput{Body: "x", Corrects: "nope"}, trygg.EInvalid},
		}
		for _, b := range bad {
			if _, err := svc.AddNote(ctx, officer, c.ID, b.in); trygg.ErrorCode(err) != b.code {
				t.Errorf("%s: want %s, got %v", b.name, b.code, err)
			}
		}
		// Someone outside the unit cannot even see the case.
		if _, err := svc.AddNote(ctx, other, c.ID, service.NoteInput{Body: "x"}); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Fatalf("officer of another unit: want not found, got %v", err)
		}
		n, err := svc.AddNote(ctx, officer, c.ID, service.NoteInput{Body: "Hembesök: klarar inte duschen."})
		if err != nil || n.Status != "draft" {
			t.Fatalf("add: %+v %v", n, err)
		}
		if n, err = svc.SaveNote(ctx, officer, c.ID, n.ID, service.NoteInput{Body: "Hembesök: klarar inte duschen själv."}); err != nil || !strings.HasSuffix(n.Body, "själv.") {
			t.Fatalf("save: %+v %v", n, err)
		}
		// The team lead sees no one else's draft and cannot sign it.
		if notes, _ := svc.Notes(ctx, lead, c.ID); len(notes) != 0 {
			t.Fatalf("a draft was visible to someone else: %+v", notes)
		}
		if _, err := svc.SignNote(ctx, lead, c.ID, n.ID); trygg.ErrorCode(err) != trygg.EConflict {
			t.Fatalf("signing someone else's draft: want conflict, got %v", err)
		}
		if n, err = svc.SignNote(ctx, officer, c.ID, n.ID); err != nil || n.Status != "signed" || n.SignedAt.IsZero() {
			t.Fatalf("sign: %+v %v", n, err)
		}
		if _, err := svc.SaveNote(ctx, officer, c.ID, n.ID, service.NoteInput{Body: "ändrad"}); trygg.ErrorCode(err) != trygg.EConflict {
			t.Fatalf("changing a signed note: want conflict, got %v", err)
		}
		fix, err := svc.AddNote(ctx, officer, c.ID, service.NoteInput{Body: "Rättelse: gäller även badkaret.", Corrects: n.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SignNote(ctx, officer, c.ID, fix.ID); err != nil {
			t.Fatal(err)
		}
		notes, err := svc.Notes(ctx, lead, c.ID)
		if err != nil || len(notes) != 2 || notes[0].Body != "Hembesök: klarar inte duschen själv." || notes[1].Corrects != n.ID {
			t.Fatalf("notes as the team lead sees them: %+v %v", notes, err)
		}
		evs, _ := db.Events(ctx, demo.TenantID, 0, 5000)
		var types []string
		for _, e := range evs {
			if e.CaseID == c.ID && strings.HasPrefix(e.Type, "note.") {
				types = append(types, e.Type)
			}
		}
		if got := strings.Join(types, " "); got != "note.draft_saved note.draft_saved note.signed note.draft_saved note.signed" {
			t.Fatalf("note events: %s", got)
		}
	})
}
