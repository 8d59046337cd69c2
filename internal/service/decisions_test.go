package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

const homeCareYAML = `
kind: code_system
id: insatser
version: "1"
name: {sv: Insatser}
codes:
  - {code: hemtjanst, label: {sv: Hemtjänst}}
  - {code: trygghetslarm, label: {sv: Trygghetslarm}}
  - {code: sarskilt-boende, label: {sv: Särskilt boende}}
---
kind: case_type
id: hemtjanst
name: {sv: Ansökan om hemtjänst}
field: AO
start: investigation
steps:
  - {id: investigation, name: {sv: Utredning}}
  - {id: decided, name: {sv: Beslutad}, final: true}
transitions:
  - id: decide
    name: {sv: Beslut fattat}
    from: [investigation]
    to: decided
    roles: [handlaggare, arbetsledare]
    guard: case.decisions > 0
    guard_message: {sv: Fatta minst ett beslut först., en: Make at least one decision first.}
decisions:
  insatser: insatser
  legal_bases: ["SoL 4 kap. 1 §"]
  delegation:
    - roles: [handlaggare]
      insatser: [hemtjanst, trygghetslarm]
      max_amount: 4000
    - roles: [arbetsledare]
`

// TestDecisions drafts and decides per insats with delegation and the
// appeal notice enforced, on both engines.
func TestDecisions(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)) // a Thursday
			db := storetest.Open(t, engine, clock)
			world := newDemoWorld(t, db, 40, 30, clock.Now())
			svc, ds, actor := world.svc, world.ds, world.actorFunc(t)
			officer, lead := actor("handlaggare"), actor("arbetsledare")
			if _, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
				Files: []store.DefinitionFile{{Name: "hemtjanst.yaml", Content: homeCareYAML}}}); err != nil {
				t.Fatal(err)
			}
			c, err := svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: ds.Persons[0].Identity.String()}, UnitID: "norra-ao", CaseType: "hemtjanst", Title: "Hemtjänst"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Transition(ctx, officer, c.ID, service.TransitionInput{Transition: "decide"}, "en"); trygg.ErrorMessage(err) != "Make at least one decision first." {
				t.Fatalf("transition before any decision: %v", err)
			}
			draft := func(in service.DecisionInput) store.Decision {
				d, err := svc.SaveDecision(ctx, officer, c.ID, "", in)
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			// Bad drafts change nothing and name the field.
			for _, tt := range []struct {
				in    service.DecisionInput
				field string
			}{
				{service.DecisionInput{Insats: "flygresa", Outcome: "granted", LegalBasis: "SoL 4 kap. 1 §"}, "insats"},
				{service.DecisionInput{Insats: "hemtjanst", Outcome: "maybe", LegalBasis: "SoL 4 kap. 1 §"}, "outcome"},
				{service.DecisionInput{Insats: "hemtjanst", Outcome: "granted", LegalBasis: "LVU 2 §"}, "legal_basis"},
				{service.DecisionInput{Insats: "hemtjanst", Outcome: "granted", LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2027-01-01", ValidTo: "2026-01-01"}, "valid_to"},
			} {
				_, err := svc.SaveDecision(ctx, officer, c.ID, "", tt.in)
				var te *trygg.Error
				if !asError(err, &te) || te.Fields[tt.field] == "" {
					t.Errorf("%+v: want an error on %s, got %v", tt.in, tt.field, err)
				}
			}
			home := draft(service.DecisionInput{Insats: "hemtjanst", Outcome: "granted", LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-12-07", Amount: 4000})
			if _, err := svc.FinaliseDecision(ctx, officer, c.ID, home.ID); !hasField(err, "justification") {
				t.Fatalf("finalising without justification: %v", err)
			}
			home.Justification = "Behöver hjälp med personlig vård och hemliv."
			if home, err = svc.SaveDecision(ctx, officer, c.ID, home.ID, service.DecisionInput{Insats: home.Insats, Outcome: home.Outcome,
				LegalBasis: home.LegalBasis, ValidFrom: home.ValidFrom, Amount: home.Amount, Justification: home.Justification}); err != nil {
				t.Fatal(err)
			}
			if home, err = svc.FinaliseDecision(ctx, officer, c.ID, home.ID); err != nil || home.Status != "final" || home.AppealBy != "" {
				t.Fatalf("finalise granted: %+v %v", home, err)
			}
			if _, err := svc.SaveDecision(ctx, officer, c.ID, home.ID, service.DecisionInput{Insats: "hemtjanst", Outcome: "refused", LegalBasis: "SoL 4 kap. 1 §"}); trygg.ErrorCode(err) != trygg.EConflict {
				t.Fatalf("changing a final decision: want conflict, got %v", err)
			}
			// A refusal needs the appeal notice; special housing is beyond
			// the officer's delegation, so the team lead decides.
			housing := draft(service.DecisionInput{Insats: "sarskilt-boende", Outcome: "refused", LegalBasis: "SoL 4 kap. 1 §", Justification: "Behoven kan tillgodoses i hemmet."})
			if _, err := svc.FinaliseDecision(ctx, officer, c.ID, housing.ID); !hasField(err, "appeal_notice") {
				t.Fatalf("refusal without appeal notice: %v", err)
			}
			housing, err = svc.SaveDecision(ctx, officer, c.ID, housing.ID, service.DecisionInput{Insats: housing.Insats, Outcome: housing.Outcome,
				LegalBasis: housing.LegalBasis, Justification: housing.Justification, AppealNotice: "Du kan överklaga beslutet till förvaltningsrätten inom tre veckor."})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.FinaliseDecision(ctx, officer, c.ID, housing.ID); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Fatalf("officer without delegation: want forbidden, got %v", err)
			}
			if housing, err = svc.FinaliseDecision(ctx, lead, c.ID, housing.ID); err != nil || housing.DecidedBy != lead.UserID {
				t.Fatalf("team lead decides: %+v %v", housing, err)
			}
			// Three weeks from Thursday 3 December end on Christmas Eve, a day
			// off: the last day to appeal is the next weekday, 28 December.
			if housing.AppealBy != "2026-12-28" {
				t.Fatalf("appeal by %s, want 2026-12-28", housing.AppealBy)
			}
			over := draft(service.DecisionInput{Insats: "trygghetslarm", Outcome: "granted", LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-12-07",
				Amount: 4001, Justification: "Fallrisk."})
			if _, err := svc.FinaliseDecision(ctx, officer, c.ID, over.ID); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Fatalf("amount over the officer's delegation: want forbidden, got %v", err)
			}
			if c, err = svc.Transition(ctx, officer, c.ID, service.TransitionInput{Transition: "decide"}, "en"); err != nil || c.Step != "decided" {
				t.Fatalf("transition after decisions: %+v %v", c, err)
			}
			list, err := svc.Decisions(ctx, officer, c.ID)
			if err != nil || len(list) != 3 {
				t.Fatalf("decisions: %d %v", len(list), err)
			}
		})
	}
}

func asError(err error, target **trygg.Error) bool {
	te, ok := err.(*trygg.Error)
	*target = te
	return ok
}

func hasField(err error, field string) bool {
	var te *trygg.Error
	return asError(err, &te) && te.Code == trygg.EInvalid && te.Fields[field] != ""
}

const applicationYAML = `
kind: code_system
id: insatser
version: "1"
name: {sv: Insatser}
codes:
  - {code: hemtjanst, label: {sv: Hemtjänst}}
  - {code: trygghetslarm, label: {sv: Trygghetslarm}}
---
kind: form
id: application
name: {sv: Ansökan}
sections:
  - id: s
    label: {sv: Ansökan}
    fields:
      - {id: applied, type: multi_choice, code_system: insatser, label: {sv: Sökta insatser}, required: true}
      - {id: contact, type: person, label: {sv: Kontaktperson}}
---
kind: case_type
id: hemtjanst
name: {sv: Hemtjänst}
field: AO
start: received
steps:
  - {id: received, name: {sv: Inkommen}, forms: [application]}
  - {id: investigation, name: {sv: Utredning}}
  - {id: done, name: {sv: Klar}, final: true}
transitions:
  - id: investigate
    name: {sv: Utred}
    from: [received]
    to: investigation
    roles: [handlaggare]
    forms: [application]
    actions: [{type: create_decisions, form: application, field: applied}]
  - {id: finish, name: {sv: Klar}, from: [investigation], to: done, roles: [handlaggare]}
decisions:
  insatser: insatser
  legal_bases: ["SoL 4 kap. 1 §"]
  delegation: [{roles: [handlaggare]}]
`

// TestCreateDecisionsAction drafts a decision per applied-for insats when
// the investigation starts.
func TestCreateDecisionsAction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := storetest.Service(t, db, nil)
		ds := demo.Generate(demo.Options{Persons: 30, Staff: 20})
		if _, err := svc.LoadDemo(ctx, ds); err != nil {
			t.Fatal(err)
		}
		designer, _ := svc.ActorByUsername(ctx, demo.TenantID, "designer")
		officer, _ := svc.ActorByUsername(ctx, demo.TenantID, "handlaggare")
		if _, err := svc.PublishDefinitions(ctx, designer, service.DefinitionsInput{Files: []store.DefinitionFile{{Name: "a.yaml", Content: applicationYAML}}}); err != nil {
			t.Fatal(err)
		}
		c, err := svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: ds.Persons[0].Identity.String()}, UnitID: "norra-ao", CaseType: "hemtjanst", Title: "Ansökan"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveForm(ctx, officer, c.ID, "application", service.FormInput{Values: map[string]any{"contact": "no-such-person"}}, "sv"); !hasField(err, "values.contact") {
			t.Fatalf("a person field naming no one: %v", err)
		}
		if _, err := svc.SaveForm(ctx, officer, c.ID, "application", service.FormInput{Values: map[string]any{
			"applied": []any{"hemtjanst", "trygghetslarm"}, "contact": ds.Persons[1].ID}}, "sv"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SignForm(ctx, officer, c.ID, "application", "sv"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transition(ctx, officer, c.ID, service.TransitionInput{Transition: "investigate"}, "sv"); err != nil {
			t.Fatal(err)
		}
		list, err := svc.Decisions(ctx, officer, c.ID)
		if err != nil || len(list) != 2 || list[0].Status != "draft" || list[0].LegalBasis != "SoL 4 kap. 1 §" {
			t.Fatalf("drafted decisions: %+v %v", list, err)
		}
		got := map[string]bool{list[0].Insats: true, list[1].Insats: true}
		if !got["hemtjanst"] || !got["trygghetslarm"] {
			t.Fatalf("insatser drafted: %v", got)
		}
	})
}
