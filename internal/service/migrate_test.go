package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestMigrateCases moves running cases to a new version by a step
// mapping: previewed first, all or nothing.
func TestMigrateCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world := newDemoWorld(t, db, 40, 30, time.Time{})
		svc, ds, actor := world.svc, world.ds, world.actorFunc(t)
		designer, officer := actor("designer"), actor("utredare")
		publish := func(yaml string) int64 {
			dv, err := svc.PublishDefinitions(ctx, designer, service.DefinitionsInput{Files: []store.DefinitionFile{{Name: "report.yaml", Content: yaml}}})
			if err != nil {
				t.Fatal(err)
			}
			return dv.Version
		}
		publish(screeningYAML)
		var ids []string
		for i := range 3 {
			c, err := svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: ds.Persons[i].Identity.String()}, UnitID: "norra-bou", CaseType: "report", Title: "Anmälan"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		if _, err := svc.Transition(ctx, officer, ids[0], service.TransitionInput{Transition: "open-investigation"}, "sv"); err != nil {
			t.Fatal(err)
		}
		// Version 2 renames the step "received" to "screening".
		v2 := publish(strings.NewReplacer("start: received", "start: screening", "id: received", "id: screening",
			"from: [received]", "from: [screening]", "from: [received, investigation]", "from: [screening, investigation]").Replace(screeningYAML))

		if _, err := svc.MigrateCases(ctx, officer, v2, service.MigrationInput{CaseType: "report"}); trygg.ErrorCode(err) != trygg.EForbidden {
			t.Fatalf("officer migrating: want forbidden, got %v", err)
		}
		plan, err := svc.MigrateCases(ctx, designer, v2, service.MigrationInput{CaseType: "report", Preview: true})
		if err != nil || plan.Cases != 3 || len(plan.Moves) != 1 || len(plan.Unmapped) != 1 || plan.Unmapped[0].FromStep != "received" || plan.Unmapped[0].Cases != 2 {
			t.Fatalf("preview without mapping: %+v %v", plan, err)
		}
		if _, err := svc.MigrateCases(ctx, designer, v2, service.MigrationInput{CaseType: "report"}); !hasField(err, "steps.received") {
			t.Fatalf("migration with unmapped steps: %v", err)
		}
		for _, id := range ids {
			if c, _ := svc.Case(ctx, officer, id); c.DefinitionVersion != 1 {
				t.Fatalf("a failed migration moved case %s", id)
			}
		}
		if _, err := svc.MigrateCases(ctx, designer, v2, service.MigrationInput{CaseType: "report", Steps: map[string]string{"received": "closed"}}); !hasField(err, "steps.received") {
			t.Fatalf("mapping to a final step: %v", err)
		}
		plan, err = svc.MigrateCases(ctx, designer, v2, service.MigrationInput{CaseType: "report", Steps: map[string]string{"received": "screening"}})
		if err != nil || !plan.Performed {
			t.Fatalf("migrate: %+v %v", plan, err)
		}
		steps := map[string]int{}
		for _, id := range ids {
			c, _ := svc.Case(ctx, officer, id)
			if c.DefinitionVersion != v2 {
				t.Fatalf("case %s still on version %d", id, c.DefinitionVersion)
			}
			steps[c.Step]++
		}
		if steps["screening"] != 2 || steps["investigation"] != 1 {
			t.Fatalf("steps after migration: %v", steps)
		}
		// The moved cases run on the new version's transitions.
		if _, err := svc.Transition(ctx, officer, ids[1], service.TransitionInput{Transition: "open-investigation"}, "sv"); err != nil {
			t.Fatal(err)
		}
	})
}
