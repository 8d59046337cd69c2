package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// journey 5: one district adds a local question to the shared screening
// form; other districts see no change. The shared part comes from a block.
const variantYAML = `
kind: block
id: safety
name: {sv: Skyddsbedömning}
sections:
  - id: safety
    label: {sv: Skyddsbedömning}
    fields:
      - {id: immediate_risk, type: yes_no, label: {sv: "Akut risk?"}}
---
kind: form
id: screening
name: {sv: Förhandsbedömning}
sections:
  - use: safety
  - id: decision
    label: {sv: Bedömning}
    fields:
      - {id: open_investigation, type: yes_no, label: {sv: "Inled utredning?"}, required: true}
---
kind: form
id: screening_norra
extends: screening
name: {sv: Förhandsbedömning (Norra)}
sections:
  - id: local
    label: {sv: Lokal fråga}
    fields:
      - {id: school_contacted, type: yes_no, label: {sv: "Har skolan kontaktats?"}, required: true}
---
kind: case_type
id: report
name: {sv: Anmälan}
field: IFO
units: [norra-bou, sodra-bou]
start: screening
steps:
  - {id: screening, name: {sv: Förhandsbedömning}, forms: [screening]}
  - {id: done, name: {sv: Klar}, final: true}
transitions:
  - {id: finish, name: {sv: Klar}, from: [screening], to: done, roles: [handlaggare], forms: [screening]}
variants:
  - units: [norra-omr]
    forms: {screening: screening_norra}
`

func TestFormVariants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world := newDemoWorld(t, db, 60, 60, time.Time{})
		svc, ds, actor := world.svc, world.ds, world.actorFunc(t)
		if _, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
			Files: []store.DefinitionFile{{Name: "report.yaml", Content: variantYAML}}}); err != nil {
			t.Fatal(err)
		}
		var southOfficer trygg.Actor
		for _, u := range ds.Users {
			if len(u.Grants) == 1 && u.Grants[0].UnitID == "sodra-bou" && u.Grants[0].Role == trygg.RoleOfficer {
				southOfficer = actor(u.Username)
				break
			}
		}
		if southOfficer.UserID == "" {
			t.Fatal("no officer in sodra-bou in the demo")
		}
		tests := []struct {
			name     string
			officer  trygg.Actor
			unit     string
			wantForm string
			local    bool
		}{
			{"Norra uses its variant", actor("utredare"), "norra-bou", "Förhandsbedömning (Norra)", true},
			{"Södra keeps the shared form", southOfficer, "sodra-bou", "Förhandsbedömning", false},
		}
		// The case type names the units that use it.
		if _, err := svc.OpenCase(ctx, actor("arbetsledare"), service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: ds.Persons[3].Identity.String()}, UnitID: "norra-ao",
			CaseType: "report", Title: "Anmälan"}); !hasField(err, "unit_id") {
			t.Fatalf("opening in a unit that does not use the case type: %v", err)
		}
		// Persons without protected identity, which an officer without the
		// permission may not open a case for.
		var open []int
		for i, p := range ds.Persons {
			if p.Protection == persons.ProtectionNone {
				open = append(open, i)
			}
		}
		for i, tt := range tests {
			c, err := svc.OpenCase(ctx, tt.officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: ds.Persons[open[i]].Identity.String()}, UnitID: tt.unit, CaseType: "report", Title: "Anmälan"})
			if err != nil {
				t.Fatal(err)
			}
			fv, err := svc.SaveForm(ctx, tt.officer, c.ID, "screening", service.FormInput{Values: map[string]any{"immediate_risk": false, "open_investigation": true}}, "sv")
			if err != nil {
				t.Fatal(err)
			}
			if fv.Name != tt.wantForm {
				t.Errorf("%s: form %q, want %q", tt.name, fv.Name, tt.wantForm)
			}
			if _, has := fv.State.Visible["school_contacted"]; has != tt.local {
				t.Errorf("%s: local question shown = %v, want %v", tt.name, has, tt.local)
			}
			if _, has := fv.State.Visible["immediate_risk"]; !has {
				t.Errorf("%s: the block's field is missing", tt.name)
			}
			_, err = svc.SignForm(ctx, tt.officer, c.ID, "screening", "sv")
			if tt.local {
				if !hasField(err, "values.school_contacted") {
					t.Fatalf("%s: signing without the local question: %v", tt.name, err)
				}
				if _, err := svc.SaveForm(ctx, tt.officer, c.ID, "screening", service.FormInput{Values: map[string]any{
					"immediate_risk": false, "open_investigation": true, "school_contacted": true}}, "sv"); err != nil {
					t.Fatal(err)
				}
				_, err = svc.SignForm(ctx, tt.officer, c.ID, "screening", "sv")
			}
			if err != nil {
				t.Fatalf("%s: sign: %v", tt.name, err)
			}
			if _, err := svc.Transition(ctx, tt.officer, c.ID, service.TransitionInput{Transition: "finish"}, "sv"); err != nil {
				t.Fatalf("%s: finish: %v", tt.name, err)
			}
		}
	})
}
