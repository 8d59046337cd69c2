package service_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestProcessEndToEnd publishes a case type, opens a case of it, fills and
// signs its form and moves it to the end, on both engines.
func TestProcessEndToEnd(t *testing.T) {
	grant, err := os.ReadFile("../../examples/definitions/grant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := storetest.Service(t, db, nil)
		ds := demo.Generate(demo.Options{Persons: 60, Staff: 30})
		if _, err := svc.LoadDemo(ctx, ds); err != nil {
			t.Fatal(err)
		}
		actor := func(username string) trygg.Actor {
			a, err := svc.ActorByUsername(ctx, demo.TenantID, username)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		designer, officer, reviewer := actor("designer"), actor("ekonom"), actor("granskare")
		files := service.DefinitionsInput{Files: []store.DefinitionFile{{Name: "grant.yaml", Content: string(grant)}}, Note: "first"}

		// Only a process designer may publish; bad definitions change nothing.
		if _, err := svc.PublishDefinitions(ctx, officer, files); trygg.ErrorCode(err) != trygg.EForbidden {
			t.Fatalf("officer publishing: want forbidden, got %v", err)
		}
		broken := service.DefinitionsInput{Files: []store.DefinitionFile{{Name: "grant.yaml", Content: strings.Replace(string(grant), "to: closed", "to: nowhere", 1)}}}
		res, err := svc.ValidateDefinitions(ctx, designer, broken)
		if err != nil || res.Valid || len(res.Problems) != 2 || !strings.Contains(res.Problems[1].Message, `unknown step "nowhere"`) ||
			res.Problems[1].Pos.Line != 70 {
			t.Fatalf("validate broken: %+v %v", res, err)
		}
		if _, err := svc.PublishDefinitions(ctx, designer, broken); trygg.ErrorCode(err) != trygg.EInvalid {
			t.Fatalf("publish broken: want invalid, got %v", err)
		}
		if v, _ := db.LatestDefinitionVersion(ctx, demo.TenantID); v != 0 {
			t.Fatalf("a broken publish created version %d", v)
		}
		dv, err := svc.PublishDefinitions(ctx, designer, files)
		if err != nil || dv.Version != 1 {
			t.Fatalf("publish: %+v %v", dv, err)
		}
		if _, err := svc.PublishDefinitions(ctx, designer, files); trygg.ErrorCode(err) != trygg.EConflict {
			t.Fatalf("publishing the same again: want conflict, got %v", err)
		}

		// A new case of the type runs on version 1 from its start step.
		c, err := svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: ds.Persons[20].Identity.String()}, UnitID: "norra-eb", CaseType: "grant", Title: "Bidrag till glasögon"})
		if err != nil {
			t.Fatal(err)
		}
		if c.DefinitionVersion != 1 || c.Step != "received" {
			t.Fatalf("case pinned to %d/%q, want 1/received", c.DefinitionVersion, c.Step)
		}
		// The form must be signed before the assessment can start.
		if _, err := svc.Transition(ctx, officer, c.ID, service.TransitionInput{Transition: "assess"}, "en"); trygg.ErrorCode(err) != trygg.EConflict ||
			!strings.Contains(trygg.ErrorMessage(err), "signed first") {
			t.Fatalf("assess before signing: %v", err)
		}
		// A draft with has_income true makes income required (required_if).
		fv, err := svc.SaveForm(ctx, officer, c.ID, "grant_application", service.FormInput{Values: map[string]any{
			"purpose": "glasses", "amount": 250000.0, "has_income": true}}, "en")
		if err != nil {
			t.Fatal(err)
		}
		if fv.Status != "draft" || !fv.State.Required["income"] || fv.State.Errors["income"] == "" || fv.State.Complete {
			t.Fatalf("draft state: %+v", fv.State)
		}
		if _, err := svc.SignForm(ctx, officer, c.ID, "grant_application", "en"); trygg.ErrorCode(err) != trygg.EInvalid {
			t.Fatalf("signing an incomplete form: want invalid, got %v", err)
		}
		// Without income the field is hidden and not required.
		fv, err = svc.SaveForm(ctx, officer, c.ID, "grant_application", service.FormInput{Values: map[string]any{
			"purpose": "glasses", "amount": 250000.0, "has_income": false, "income": 100.0}}, "en")
		if err != nil || !fv.State.Complete || fv.State.Visible["income"] {
			t.Fatalf("complete draft: %+v %v", fv.State, err)
		}
		if _, ok := fv.State.Values["income"]; ok {
			t.Fatal("a hidden field's value was kept")
		}
		if fv, err = svc.SignForm(ctx, officer, c.ID, "grant_application", "en"); err != nil || fv.Status != "signed" || len(fv.Signed) != 1 {
			t.Fatalf("sign: %+v %v", fv, err)
		}
		// A reviewer may not work on the case; an unknown transition is invalid.
		if _, err := svc.Transition(ctx, reviewer, c.ID, service.TransitionInput{Transition: "assess"}, "en"); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Fatalf("reviewer transition: want not found, got %v", err)
		}
		if _, err := svc.Transition(ctx, officer, c.ID, service.TransitionInput{Transition: "fly"}, "en"); trygg.ErrorCode(err) != trygg.EInvalid {
			t.Fatalf("unknown transition: want invalid, got %v", err)
		}
		if c, err = svc.Transition(ctx, officer, c.ID, service.TransitionInput{Transition: "assess"}, "en"); err != nil || c.Step != "assessment" {
			t.Fatalf("assess: %+v %v", c, err)
		}
		p, err := svc.CaseProcess(ctx, officer, c.ID, "sv")
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Transitions) != 1 || p.Transitions[0].ID != "close" || !p.Transitions[0].Allowed || !p.Steps[1].Current {
			t.Fatalf("process view: %+v", p)
		}
		if c, err = svc.Transition(ctx, officer, c.ID, service.TransitionInput{Transition: "close"}, "en"); err != nil || c.Status != "closed" {
			t.Fatalf("close: %+v %v", c, err)
		}
		// A second publish makes version 2 for new cases; the old case keeps 1.
		v2 := service.DefinitionsInput{Files: []store.DefinitionFile{{Name: "grant.yaml", Content: strings.Replace(string(grant), "Bidrag, en: Grant", "Bidrag (ny), en: Grant", 1)}}}
		if dv, err = svc.PublishDefinitions(ctx, designer, v2); err != nil || dv.Version != 2 {
			t.Fatalf("publish v2: %+v %v", dv, err)
		}
		if got, _ := svc.Case(ctx, officer, c.ID); got.DefinitionVersion != 1 {
			t.Fatalf("running case moved to version %d", got.DefinitionVersion)
		}

		// Everything is in the event log, and the publish carries its diff.
		evs, err := db.Events(ctx, demo.TenantID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		var diff string
		for _, e := range evs {
			if e.CaseID == c.ID || e.Type == "definitions.published" {
				types = append(types, e.Type)
			}
			if e.Type == "definitions.published" && e.SubjectID == "2" {
				diff = string(e.Payload)
			}
		}
		want := "definitions.published case.opened form.draft_saved form.draft_saved form.signed case.transitioned case.transitioned case.closed definitions.published"
		if strings.Join(types, " ") != want {
			t.Fatalf("events:\n got %s\nwant %s", strings.Join(types, " "), want)
		}
		var payload struct {
			Diff []struct {
				Name  string   `json:"name"`
				Lines []string `json:"lines"`
			} `json:"diff"`
		}
		if err := json.Unmarshal([]byte(diff), &payload); err != nil || len(payload.Diff) != 1 || len(payload.Diff[0].Lines) != 2 ||
			!strings.HasPrefix(payload.Diff[0].Lines[0], "- ") || !strings.Contains(payload.Diff[0].Lines[1], "(ny)") {
			t.Fatalf("diff in the publish event: %s", diff)
		}
	})
}
