package service_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

var updateRegisters = flag.Bool("update-registers", false, "rewrite the register golden files in testdata/")

// decideMonth fills and signs the case's application for month with
// register values, assesses it and finalises the drafted decisions.
func decideMonth(t *testing.T, svc *service.Service, officer trygg.Actor, caseID string, values map[string]any) {
	t.Helper()
	ctx := context.Background()
	fillAndSign(t, svc, officer, caseID, "eb_ansokan", values)
	if _, err := svc.Transition(ctx, officer, caseID, service.TransitionInput{Transition: "assess"}, "sv"); err != nil {
		t.Fatal(err)
	}
	for _, d := range byInsats(t, svc, officer, caseID) {
		in := service.DecisionInput{Insats: d.Insats, Outcome: d.Outcome, LegalBasis: d.LegalBasis, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
			Justification: "Behovet är styrkt.", AppealNotice: d.AppealNotice}
		if _, err := svc.SaveDecision(ctx, officer, caseID, d.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.FinaliseDecision(ctx, officer, caseID, d.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEconomicAssistanceRegister makes Socialstyrelsen's monthly file of
// economic assistance for a small synthetic month on both engines: a
// single mother of two and a couple. While the couple's case lacks the
// co-applicant's obstacle to self-support and the purpose, the file is
// refused with a list that names the case and says what to fill in; once
// fixed, the file is the golden one, made twice identical, and every
// person in it is in the access log on the ground "register".
func TestEconomicAssistanceRegister(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(flowDay)
			db := storetest.Open(t, engine, clock)
			w := packsWorld(t, db, flowDay)
			svc, actor := w.svc, w.actorFunc(t)
			officer, lead := actor("ekonom"), actor("arbetsledare")
			single := journeyCaseID(t, w.ds, "ekonomiskt_bistand")
			var couple string
			for _, c := range w.ds.Cases {
				if c.CaseType == "ekonomiskt_bistand" && c.UnitID == "norra-eb" && c.ID != single && !c.Journey {
					couple = c.ID
					break
				}
			}
			if couple == "" {
				t.Fatal("no second case of economic assistance in Norra")
			}
			decideMonth(t, svc, officer, single, map[string]any{"month": "2026-03-01", "applied_for": []any{"forsorjningsstod"},
				"members": []any{map[string]any{"role": "single", "age": 34.0}, map[string]any{"role": "child", "age": 4.0},
					map[string]any{"role": "child", "age": 12.0}},
				"housing_cost": 750000.0, "child_allowance": 250000.0,
				"hinder_sokande": "arbetslos_ingen_ersattning", "andamal": "forsorjning", "atgard": "praktik"})
			coupleValues := map[string]any{"month": "2026-03-01", "applied_for": []any{"forsorjningsstod"},
				"members":      []any{map[string]any{"role": "couple", "age": 41.0}, map[string]any{"role": "couple", "age": 39.0}},
				"housing_cost": 820000.0, "salary": 300000.0,
				"hinder_sokande": "sjuk_intyg", "atgard": "ingen", "upphor": true, "avslut_orsak": "arbete"}
			decideMonth(t, svc, officer, couple, coupleValues)

			// The month has ended.
			clock.Advance(31 * 24 * time.Hour)

			list, err := svc.Registers(ctx, lead, "sv")
			eb := slices.IndexFunc(list, func(r service.RegisterInfo) bool { return r.ID == "ekonomiskt_bistand" })
			if err != nil || eb < 0 || list[eb].Period != "2026-03" || list[eb].Due != "2026-04-15" {
				t.Fatalf("registers: %+v %v", list, err)
			}
			if l, _ := svc.Registers(ctx, officer, "sv"); len(l) != 0 {
				t.Errorf("an officer may make registers: %+v", l)
			}
			if _, err := svc.RegisterFile(ctx, officer, "ekonomiskt_bistand", "2026-03"); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Errorf("an officer made the file: %v", err)
			}

			check, err := svc.RegisterCheck(ctx, lead, "ekonomiskt_bistand", "2026-03")
			if err != nil {
				t.Fatal(err)
			}
			var missing []string
			for _, m := range check.Missing {
				if m.CaseID != couple {
					t.Errorf("missing on another case: %+v", m)
				}
				missing = append(missing, m.Field+": "+m.Message)
			}
			want := "hinder2: Fyll i försörjningshinder för medsökande under ”Uppgifter till Socialstyrelsen” i ansökan.\n" +
				"andamal: Fyll i ändamål med biståndet under ”Uppgifter till Socialstyrelsen” i ansökan."
			if got := strings.Join(missing, "\n"); got != want || check.Records != 2 || check.Missing[0].CaseReference == "" {
				t.Fatalf("check: %d records, missing\n%s\nwant\n%s", check.Records, got, want)
			}
			_, err = svc.RegisterFile(ctx, lead, "ekonomiskt_bistand", "2026-03")
			var incomplete *service.RegisterIncomplete
			if !errors.As(err, &incomplete) || len(incomplete.Missing) != 2 || trygg.ErrorCode(err) != trygg.EConflict {
				t.Fatalf("the file was not refused with the list: %v", err)
			}

			// The officer fills in what was missing: a correction of the
			// signed application.
			coupleValues["hinder_medsokande"], coupleValues["andamal"] = "arbetslos_vantar", "forsorjning"
			fillAndSign(t, svc, officer, couple, "eb_ansokan", coupleValues)

			f1, err := svc.RegisterFile(ctx, lead, "ekonomiskt_bistand", "2026-03")
			if err != nil {
				t.Fatal(err)
			}
			f2, err := svc.RegisterFile(ctx, lead, "ekonomiskt_bistand", "")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(f1.Data, f2.Data) || f1.Name != f2.Name {
				t.Error("the file made twice differs")
			}
			if f1.Name != "EB_0999_202603.txt" || f1.Records != 2 {
				t.Errorf("file %s with %d records", f1.Name, f1.Records)
			}
			golden := filepath.Join("testdata", "registers", "ekonomiskt_bistand-2026-03.txt")
			if *updateRegisters {
				if err := os.WriteFile(golden, f1.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wantFile, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(f1.Data, wantFile) {
				t.Errorf("file:\n%s\nwant (%s):\n%s", f1.Data, golden, wantFile)
			}

			// Each person in the file is in the access log, on the
			// ground "register".
			entries, err := db.AccessLog(ctx, lead.Tenant, store.AccessLogFilter{ActorID: lead.UserID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			logged := map[string]bool{}
			for _, e := range entries {
				if e.Ground == "register" && e.Action == "make_register" && strings.HasSuffix(e.Reason, " file") {
					logged[e.CaseID] = true
				}
			}
			if !logged[single] || !logged[couple] {
				t.Errorf("the file's persons are not all logged: %v", logged)
			}
		})
	}
}

// TestEconomicAssistanceYearRegister makes Socialstyrelsen's yearly file
// of economic assistance (HSLF-FS 2015:30, due 30 April) for a small
// synthetic year on both engines: the single mother had assistance for
// March and, in a second case, for May; the couple for March. The file
// has one line per person: the months with assistance and the year's
// total from all the person's cases, the household and obstacle from the
// latest application. It is the golden one, made twice the same.
func TestEconomicAssistanceYearRegister(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(flowDay)
			db := storetest.Open(t, engine, clock)
			w := packsWorld(t, db, flowDay)
			svc, actor := w.svc, w.actorFunc(t)
			officer, lead := actor("ekonom"), actor("arbetsledare")
			single := journeyCaseID(t, w.ds, "ekonomiskt_bistand")
			var couple, mother string
			for _, c := range w.ds.Cases {
				if c.ID == single {
					mother = c.PersonID
				}
				if couple == "" && c.CaseType == "ekonomiskt_bistand" && c.UnitID == "norra-eb" && c.ID != single && !c.Journey {
					couple = c.ID
				}
			}
			household := []any{map[string]any{"role": "single", "age": 34.0}, map[string]any{"role": "child", "age": 4.0},
				map[string]any{"role": "child", "age": 12.0}}
			decideMonth(t, svc, officer, single, map[string]any{"month": "2026-03-01", "applied_for": []any{"forsorjningsstod"},
				"members": household, "housing_cost": 750000.0, "child_allowance": 250000.0,
				"hinder_sokande": "arbetslos_ingen_ersattning", "andamal": "forsorjning", "atgard": "praktik"})
			decideMonth(t, svc, officer, couple, map[string]any{"month": "2026-03-01", "applied_for": []any{"forsorjningsstod"},
				"members":      []any{map[string]any{"role": "couple", "age": 41.0}, map[string]any{"role": "couple", "age": 39.0}},
				"housing_cost": 820000.0, "salary": 300000.0, "hinder_sokande": "sjuk_intyg", "hinder_medsokande": "arbetslos_vantar",
				"andamal": "forsorjning", "atgard": "ingen"})

			// May: the mother applies again, now studying.
			clock.Advance(61 * 24 * time.Hour)
			c, err := svc.RegisterCase(ctx, officer, service.RegistrationInput{PersonID: mother, UnitID: "norra-eb", CaseType: "ekonomiskt_bistand"})
			if err != nil {
				t.Fatal(err)
			}
			decideMonth(t, svc, officer, c.ID, map[string]any{"month": "2026-05-01", "applied_for": []any{"forsorjningsstod"},
				"members": household, "housing_cost": 750000.0, "child_allowance": 250000.0,
				"hinder_sokande": "studier", "andamal": "forsorjning", "atgard": "utbildning"})

			// April 2027: the year's file is due by the 30th.
			clock.Advance(335 * 24 * time.Hour)
			list, err := svc.Registers(ctx, lead, "sv")
			i := slices.IndexFunc(list, func(r service.RegisterInfo) bool { return r.ID == "ekonomiskt_bistand_ar" })
			if err != nil || i < 0 || list[i].Period != "2026" || list[i].Due != "2027-04-30" || list[i].Regulation != "HSLF-FS 2015:30" {
				t.Fatalf("registers: %+v %v", list, err)
			}
			if got := missingList(t, svc, lead, "ekonomiskt_bistand_ar", "2026", nil); got != "" {
				t.Fatalf("missing:\n%s", got)
			}
			f := makeTwice(t, svc, lead, "ekonomiskt_bistand_ar", "2026")
			if f.Name != "EBAR_0999_2026.txt" || f.Records != 2 {
				t.Errorf("file %s with %d records", f.Name, f.Records)
			}
			checkGolden(t, "ekonomiskt_bistand_ar-2026.txt", f.Data)
		})
	}
}
