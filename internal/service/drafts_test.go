package service_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestDefinitionDraft edits the working draft (problems are reported, not
// refused; every change is in the event log with its diff) and publishes it.
func TestDefinitionDraft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := storetest.Service(t, db, nil)
		if _, err := svc.LoadDemo(ctx, demo.Generate(demo.Options{Persons: 30, Staff: 20})); err != nil {
			t.Fatal(err)
		}
		designer, _ := svc.ActorByUsername(ctx, demo.TenantID, "designer")
		officer, _ := svc.ActorByUsername(ctx, demo.TenantID, "handlaggare")
		if _, err := svc.SaveDefinitionDraft(ctx, officer, service.DefinitionsInput{}); trygg.ErrorCode(err) != trygg.EForbidden {
			t.Fatalf("officer editing the draft: want forbidden, got %v", err)
		}
		if _, err := svc.PublishDraft(ctx, designer, ""); trygg.ErrorCode(err) != trygg.EConflict {
			t.Fatalf("publishing an empty draft: want conflict, got %v", err)
		}
		broken := strings.Replace(screeningYAML, "to: investigation", "to: nowhere", 1)
		d, err := svc.SaveDefinitionDraft(ctx, designer, service.DefinitionsInput{Files: []store.DefinitionFile{{Name: "report.yaml", Content: broken}}})
		if err != nil || d.Validation.Valid || len(d.Validation.Problems) == 0 {
			t.Fatalf("saving a broken draft: %+v %v", d.Validation, err)
		}
		if _, err := svc.PublishDraft(ctx, designer, "x"); trygg.ErrorCode(err) != trygg.EInvalid {
			t.Fatalf("publishing a broken draft: want invalid, got %v", err)
		}
		d, err = svc.SaveDefinitionDraft(ctx, designer, service.DefinitionsInput{Files: []store.DefinitionFile{{Name: "report.yaml", Content: screeningYAML}}})
		if err != nil || !d.Validation.Valid {
			t.Fatalf("fixing the draft: %+v %v", d.Validation, err)
		}
		dv, err := svc.PublishDraft(ctx, designer, "first version")
		if err != nil || dv.Version != 1 || dv.Note != "first version" {
			t.Fatalf("publish the draft: %+v %v", dv, err)
		}
		evs, _ := db.Events(ctx, demo.TenantID, 0, 5000)
		var changes []string
		for _, e := range evs {
			if e.Type == "definitions.draft_changed" {
				if e.ActorID != designer.UserID {
					t.Fatalf("draft change by %q, want the designer", e.ActorID)
				}
				changes = append(changes, string(e.Payload))
			}
		}
		if len(changes) != 2 || !strings.Contains(changes[1], `"-     to: nowhere"`) || !strings.Contains(changes[1], `"+     to: investigation"`) {
			t.Fatalf("draft changes in the event log: %v", changes)
		}
	})
}
