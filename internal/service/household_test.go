package service_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/packs"
)

// householdLabels are the labels of the rows a form's group proposes.
func householdLabels(fv service.FormView, field string) []string {
	var out []string
	for _, r := range fv.Household[field] {
		out = append(out, r.Label)
	}
	return out
}

// TestHouseholdFromRegistry: the economic-assistance application proposes
// the household the registry knows, to the officer and to the citizen:
// the applicant, a spouse registered at the same address, the children in
// the applicant's custody living there; in Swedish, each a row to
// confirm; none once the household is filled in.
func TestHouseholdFromRegistry(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine, storetest.NewClock(flowDay))
			ds := demo.Generate(demo.Options{Persons: 60, Staff: 30, Today: flowDay})
			for _, f := range packs.Files() {
				ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
			}
			registry := ds.Registry()
			svc := storetest.Service(t, db, registry)
			if _, err := svc.LoadDemo(ctx, ds); err != nil {
				t.Fatal(err)
			}
			w := &demoWorld{svc: svc, ds: ds}
			officer, citizen := w.actorFunc(t)("ekonom"), w.actorFunc(t)("invanare")
			c := journeyCaseID(t, ds, "ekonomiskt_bistand")
			mother := journeyPerson(t, ds, "ekonomiskt_bistand")
			var kids []persons.Person
			for _, r := range ds.Relations {
				if r.FromPersonID == mother.ID && r.Kind == persons.RelGuardian {
					for _, p := range ds.Persons {
						if p.ID == r.ToPersonID {
							kids = append(kids, p)
						}
					}
				}
			}
			if len(kids) != 2 {
				t.Fatalf("the journey mother has %d children", len(kids))
			}
			older, younger := kids[0], kids[1]
			if a, _ := older.Identity.Age(flowDay); a < 10 {
				older, younger = younger, older
			}
			officerForm := func() service.FormView {
				t.Helper()
				p, err := svc.CaseProcess(ctx, officer, c, "sv")
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range p.Forms {
					if f.FormID == "eb_ansokan" {
						return f
					}
				}
				t.Fatal("no eb_ansokan on the case")
				return service.FormView{}
			}
			want := []string{
				mother.GivenName + ", 34 år – Ensamstående",
				older.GivenName + ", 12 år – Barn (0–20 år, bor hemma)",
				younger.GivenName + ", 4 år – Barn (0–20 år, bor hemma)",
			}
			if got := householdLabels(officerForm(), "members"); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("proposed to the officer:\n%q\nwant\n%q", got, want)
			}
			rows := officerForm().Household["members"]
			if rows[0].Values["role"] != "single" || rows[0].Values["age"] != 34.0 || rows[2].Values["role"] != "child" || rows[2].Values["name"] != younger.GivenName {
				t.Errorf("the rows' values: %+v", rows)
			}

			// A spouse at the same address makes a couple; one registered
			// elsewhere is not of the household.
			spouse := persons.GenerateTestNumber(time.Date(1990, 6, 1, 0, 0, 0, 0, time.UTC), "M", 7)
			rec, err := registry.Lookup(ctx, mother.Identity)
			if err != nil {
				t.Fatal(err)
			}
			rec.Partner = spouse
			registry.Add(rec)
			registry.Add(persons.RegistryRecord{Identity: spouse, GivenName: "Kalle", FamilyName: mother.FamilyName, Address: persons.Address{
				Street: " " + mother.Address.Street, PostalCode: mother.Address.PostalCode, City: mother.Address.City}})
			want = []string{mother.GivenName + ", 34 år – Gift, sambo eller registrerad partner", "Kalle, 35 år – Gift, sambo eller registrerad partner",
				want[1], want[2]}
			if got := householdLabels(officerForm(), "members"); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("with a spouse at the address:\n%q\nwant\n%q", got, want)
			}
			registry.Add(persons.RegistryRecord{Identity: spouse, GivenName: "Kalle", FamilyName: mother.FamilyName,
				Address: persons.Address{Street: "Annangatan 9", PostalCode: "999 99", City: "Annanstad"}})
			if got := householdLabels(officerForm(), "members"); len(got) != 3 || got[0] != mother.GivenName+", 34 år – Ensamstående" {
				t.Errorf("with a spouse elsewhere: %q", got)
			}

			// The citizen's application proposes the same.
			app, err := svc.ApplicationForm(ctx, citizen, mother.ID, "ekonomiskt_bistand", "sv")
			if err != nil {
				t.Fatal(err)
			}
			if got := householdLabels(app.Form, "members"); len(got) != 3 || got[1] != want[2] {
				t.Errorf("proposed to the citizen: %q", got)
			}

			// Once the household is filled in, nothing is proposed; the rows
			// read in Swedish.
			members := []any{}
			for _, r := range rows {
				members = append(members, r.Values)
			}
			fv, err := svc.SaveForm(ctx, officer, c, "eb_ansokan", service.FormInput{Values: map[string]any{"members": members}}, "sv")
			if err != nil {
				t.Fatal(err)
			}
			if len(fv.Household) != 0 {
				t.Errorf("proposals beside a filled household: %v", fv.Household)
			}
			if got := fv.State.Summaries["members"]; len(got) != 3 || got[2] != younger.GivenName+", Barn (0–20 år, bor hemma), 4 år" {
				t.Errorf("the rows' summaries: %q", got)
			}
		})
	}
}
