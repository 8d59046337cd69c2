package service_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// finalDecision saves decision id ("" for a new one) on the case as in,
// and finalises it as who.
func finalDecision(t *testing.T, svc *service.Service, officer, who trygg.Actor, caseID, id string, in service.DecisionInput) string {
	t.Helper()
	ctx := context.Background()
	if in.Justification == "" {
		in.Justification = "Behovet är styrkt."
	}
	d, err := svc.SaveDecision(ctx, officer, caseID, id, in)
	if err != nil {
		t.Fatalf("save decision %s: %v", in.Insats, err)
	}
	if _, err := svc.FinaliseDecision(ctx, who, caseID, d.ID); err != nil {
		t.Fatalf("finalise %s: %v", in.Insats, err)
	}
	return d.ID
}

// ibicToDecision fills the application with insatser in field applied,
// starts the investigation, signs it with extra values and moves the case
// to its decision step; it returns the drafted decisions by insats.
func ibicToDecision(t *testing.T, svc *service.Service, officer trygg.Actor, caseID, applied string, insatser []any, extra map[string]any) map[string]string {
	t.Helper()
	ctx := context.Background()
	fillAndSign(t, svc, officer, caseID, "ibic_ansokan", map[string]any{"applicant_kind": "self", applied: insatser, "own_description": "Behöver stöd i vardagen."})
	if _, err := svc.Transition(ctx, officer, caseID, service.TransitionInput{Transition: "start_investigation"}, "sv"); err != nil {
		t.Fatal(err)
	}
	values := map[string]any{
		"needs_assessment": []any{map[string]any{"code": "d510", "qualifier": 3.0, "text": "Behöver hjälp."}},
		"own_view":         "Vill klara mer själv.",
		"goals":            []any{map[string]any{"need": "d510", "goal": "Klarar mer själv.", "follow_up_by": "2026-09-01"}}}
	for k, v := range extra {
		values[k] = v
	}
	fillAndSign(t, svc, officer, caseID, "ibic_utredning", values)
	if _, err := svc.Transition(ctx, officer, caseID, service.TransitionInput{Transition: "to_decision"}, "sv"); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, d := range byInsats(t, svc, officer, caseID) {
		out[k] = d.ID
	}
	return out
}

// otherCase is a demo case of caseType in unit that is not a journey's.
func (w *demoWorld) otherCase(t *testing.T, caseType, unit string) string {
	t.Helper()
	for _, c := range w.ds.Cases {
		if c.CaseType == caseType && c.UnitID == unit && !c.Journey {
			return c.ID
		}
	}
	t.Fatalf("no other case of %s in %s", caseType, unit)
	return ""
}

// checkGolden compares a register file with its golden file in
// testdata/registers (rewritten with -update-registers).
func checkGolden(t *testing.T, name string, data []byte) {
	t.Helper()
	golden := filepath.Join("testdata", "registers", name)
	if *updateRegisters {
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("file:\n%s\nwant (%s):\n%s", data, golden, want)
	}
}

// makeTwice makes register id's file for period twice, checks the two are
// the same, and returns it.
func makeTwice(t *testing.T, svc *service.Service, lead trygg.Actor, id, period string) service.RegisterFileOut {
	t.Helper()
	ctx := context.Background()
	f1, err := svc.RegisterFile(ctx, lead, id, period)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	f2, err := svc.RegisterFile(ctx, lead, id, period)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f1.Data, f2.Data) || f1.Name != f2.Name {
		t.Errorf("%s: the file made twice differs", id)
	}
	return f1
}

// missingList checks register id for period and returns what is missing,
// one "reference field: message" a line, after checking the file is
// refused with the same list.
func missingList(t *testing.T, svc *service.Service, lead trygg.Actor, id, period string, refs map[string]string) string {
	t.Helper()
	ctx := context.Background()
	check, err := svc.RegisterCheck(ctx, lead, id, period)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range check.Missing {
		out = append(out, refs[m.CaseID]+" "+m.Field+": "+m.Message)
	}
	_, err = svc.RegisterFile(ctx, lead, id, period)
	var incomplete *service.RegisterIncomplete
	if len(out) > 0 && (!errors.As(err, &incomplete) || len(incomplete.Missing) != len(out) || trygg.ErrorCode(err) != trygg.EConflict) {
		t.Fatalf("%s: the file was not refused with the list: %v", id, err)
	}
	return strings.Join(out, "\n")
}

// TestCareRegisters makes Socialstyrelsen's registers of SoL insatser for
// older people (HSLF-FS 2016:86: the decisions in force on the month's
// last day, and those started or ended in the month), of LSS insatser on
// 1 October, and of placements of children and young people for a year,
// from the packs, on both engines, for a small synthetic set of cases:
// each file is the golden one and made twice the same, and while a case
// lacks what a register needs the file is refused with a list that says
// what to fill in where.
func TestCareRegisters(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(flowDay) // Monday 2 March 2026
			db := storetest.Open(t, engine, clock)
			w := packsWorld(t, db, flowDay)
			svc, actor := w.svc, w.actorFunc(t)
			home, lssOfficer, child, lead := actor("handlaggare"), actor("lss"), actor("utredare"), actor("arbetsledare")
			refs := map[string]string{}

			// SoL: personal care 40 hours a month and an alarm that ends
			// on 20 March; in another case meals, executed on 16 March.
			solA := journeyCaseID(t, w.ds, "ibic_sol_aldre")
			solB := w.otherCase(t, "ibic_sol_aldre", "norra-ao")
			refs[solA], refs[solB] = "A", "B"
			ds := ibicToDecision(t, svc, home, solA, "applied_sol", []any{"hemtjanst_omvardnad", "trygghetslarm"}, nil)
			finalDecision(t, svc, home, home, solA, ds["hemtjanst_omvardnad"], service.DecisionInput{Insats: "hemtjanst_omvardnad", Outcome: "granted",
				LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-03-09", ValidTo: "2026-12-31", AmountText: "40"})
			finalDecision(t, svc, home, home, solA, ds["trygghetslarm"], service.DecisionInput{Insats: "trygghetslarm", Outcome: "granted",
				LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-03-09", ValidTo: "2026-03-20"})
			ds = ibicToDecision(t, svc, home, solB, "applied_sol", []any{"matdistribution"}, nil)
			meals := finalDecision(t, svc, home, home, solB, ds["matdistribution"], service.DecisionInput{Insats: "matdistribution", Outcome: "granted",
				LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-03-02"})

			// LSS: housing and daily activities for the young man of
			// journey 4; a contact person (and advice and support, which
			// the register leaves out) in another case, whose personkrets
			// is not filled in yet.
			lssA := journeyCaseID(t, w.ds, "ibic_lss")
			// The demo's Norra has one LSS case: the other is registered
			// for the applicant of a case of economic assistance.
			var lssB string
			for _, p := range w.ds.Persons {
				if p.ID == w.ds.Cases[slices.IndexFunc(w.ds.Cases, func(c demo.Case) bool { return c.ID == w.otherCase(t, "ekonomiskt_bistand", "norra-eb") })].PersonID {
					c, err := svc.RegisterCase(ctx, lssOfficer, service.RegistrationInput{IdentityNumber: p.Identity.Value, UnitID: "norra-fs", CaseType: "ibic_lss"})
					if err != nil {
						t.Fatal(err)
					}
					lssB = c.ID
				}
			}
			refs[lssA], refs[lssB] = "C", "D"
			ds = ibicToDecision(t, svc, lssOfficer, lssA, "applied_lss", []any{"lss_9_bostad_vuxna", "lss_10_daglig_verksamhet"},
				map[string]any{"lss_personkrets": "pk1", "lss_boende_vuxna": "bostad_sarskild_service"})
			for _, ins := range []string{"lss_9_bostad_vuxna", "lss_10_daglig_verksamhet"} {
				finalDecision(t, svc, lssOfficer, lead, lssA, ds[ins], service.DecisionInput{Insats: ins, Outcome: "granted", LegalBasis: "LSS 9 §", ValidFrom: "2026-04-01"})
			}
			lssBValues := map[string]any{}
			ds = ibicToDecision(t, svc, lssOfficer, lssB, "applied_lss", []any{"lss_4_kontaktperson", "lss_1_rad_och_stod"}, lssBValues)
			for _, ins := range []string{"lss_4_kontaktperson", "lss_1_rad_och_stod"} {
				finalDecision(t, svc, lssOfficer, lssOfficer, lssB, ds[ins], service.DecisionInput{Insats: ins, Outcome: "granted", LegalBasis: "LSS 9 §", ValidFrom: "2026-03-16", ValidTo: "2027-03-15"})
			}

			// Children: journey 2's child placed in a family home under SoL
			// from 10 March to 31 August, then in an HVB under LVU 3 §.
			bou := journeyCaseID(t, w.ds, "bbic_barn")
			refs[bou] = "E"
			fillAndSign(t, svc, child, bou, "bbic_anmalan", map[string]any{"reporter_kind": "skola", "received_date": "2026-03-02",
				"concern": "Barnet far illa.", "safety_assessment_done": true, "safety_assessment": "Akut skydd behövs inte i dag."})
			for _, step := range []struct {
				form, transition string
				values           map[string]any
			}{
				{"", "screen", nil},
				{"bbic_forhandsbedomning", "open_investigation", map[string]any{"decision": "open", "child_heard": true}},
				{"bbic_utredning", "to_decision", map[string]any{"areas": []any{
					map[string]any{"code": "bb_halsa", "qualifier": 2.0, "text": "Oro."},
					map[string]any{"code": "ff_sakerhet", "qualifier": 3.0, "text": "Brister."},
					map[string]any{"code": "fm_boende", "qualifier": 1.0, "text": "Trångt."}},
					"child_view": "Vill bo någon annanstans.", "analysis": "Placering behövs."}},
			} {
				if step.form != "" {
					fillAndSign(t, svc, child, bou, step.form, step.values)
				}
				if _, err := svc.Transition(ctx, child, bou, service.TransitionInput{Transition: step.transition}, "sv"); err != nil {
					t.Fatalf("%s: %v", step.transition, err)
				}
			}
			finalDecision(t, svc, child, lead, bou, "", service.DecisionInput{Insats: "familjehem", Outcome: "granted", LegalBasis: "SoL 4 kap. 1 §",
				ValidFrom: "2026-03-10", ValidTo: "2026-08-31"})
			finalDecision(t, svc, child, lead, bou, "", service.DecisionInput{Insats: "hvb", Outcome: "granted", LegalBasis: "LVU 3 §", ValidFrom: "2026-09-01"})
			if _, err := svc.Transition(ctx, child, bou, service.TransitionInput{Transition: "plan"}, "sv"); err != nil {
				t.Fatal(err)
			}
			planValues := map[string]any{"goals": []any{map[string]any{"area": "bb_halsa", "goal": "Mår bättre.", "activities": "Samtal varje vecka.",
				"responsible": "Socialsekreteraren", "follow_up_by": "2026-09-01"}}, "child_participation": "Barnet har varit med på mötet."}
			fillAndSign(t, svc, child, bou, "bbic_plan", planValues)

			// The meals were executed on 16 March, later than decided.
			clock.Advance(18 * 24 * time.Hour)
			if _, err := svc.RecordExecution(ctx, home, solB, meals, service.ExecutionInput{Kind: "executed", On: "2026-03-16"}); err != nil {
				t.Fatal(err)
			}

			// April: March's SoL files.
			clock.Advance(13 * 24 * time.Hour)
			list, err := svc.Registers(ctx, lead, "sv")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range list {
				ids = append(ids, r.ID+" "+r.Period+" "+r.Due)
			}
			for _, want := range []string{"sol_insatser 2026-03 2026-04-15", "sol_insatser_forandringar 2026-03 2026-04-15", "lss_insatser 2025 2025-10-25", "barn_och_unga 2025 2026-01-31"} {
				if !slices.Contains(ids, want) {
					t.Errorf("registers lack %q: %v", want, ids)
				}
			}
			if got := missingList(t, svc, lead, "sol_insatser", "2026-03", refs); got != "" {
				t.Errorf("SoL missing:\n%s", got)
			}
			f := makeTwice(t, svc, lead, "sol_insatser", "2026-03")
			if f.Name != "SOL1_0999_202603.txt" || f.Records != 2 {
				t.Errorf("file %s with %d records", f.Name, f.Records)
			}
			checkGolden(t, "sol_insatser-2026-03.txt", f.Data)
			f = makeTwice(t, svc, lead, "sol_insatser_forandringar", "2026-03")
			if f.Name != "SOL2_0999_202603.txt" || f.Records != 3 {
				t.Errorf("file %s with %d records", f.Name, f.Records)
			}
			checkGolden(t, "sol_insatser_forandringar-2026-03.txt", f.Data)

			// October: the LSS file for 1 October is refused until the
			// other case's personkrets is filled in.
			clock.Advance(186 * 24 * time.Hour)
			want := "D personkrets: Fyll i personkrets under ”Uppgifter till Socialstyrelsen” i utredningen."
			if got := missingList(t, svc, lead, "lss_insatser", "2026", refs); got != want {
				t.Fatalf("LSS missing:\n%s\nwant\n%s", got, want)
			}
			fillAndSign(t, svc, lssOfficer, lssB, "ibic_utredning", map[string]any{
				"needs_assessment": []any{map[string]any{"code": "d510", "qualifier": 3.0, "text": "Behöver hjälp."}},
				"own_view":         "Vill klara mer själv.",
				"goals":            []any{map[string]any{"need": "d510", "goal": "Klarar mer själv.", "follow_up_by": "2026-09-01"}},
				"lss_personkrets":  "pk3"})
			f = makeTwice(t, svc, lead, "lss_insatser", "2026")
			if f.Name != "LSS_0999_2026.txt" || f.Records != 2 {
				t.Errorf("file %s with %d records", f.Name, f.Records)
			}
			checkGolden(t, "lss_insatser-2026.txt", f.Data)

			// January 2027: the year's placements, refused until the care
			// plan says who the guardian is and why the first placement
			// ended.
			clock.Advance(95 * 24 * time.Hour)
			want = "E vardnadshavare: Fyll i vårdnadshavare under ”Uppgifter till Socialstyrelsen” i vårdplanen.\n" +
				"E avslut: Fyll i varför placeringen upphörde under ”Uppgifter till Socialstyrelsen” i vårdplanen.\n" +
				"E vardnadshavare: Fyll i vårdnadshavare under ”Uppgifter till Socialstyrelsen” i vårdplanen."
			if got := missingList(t, svc, lead, "barn_och_unga", "2026", refs); got != want {
				t.Fatalf("children missing:\n%s\nwant\n%s", got, want)
			}
			planValues["vardnadshavare"], planValues["placering_avslut"] = "bada_foraldrarna", "omplacering"
			fillAndSign(t, svc, child, bou, "bbic_plan", planValues)
			f = makeTwice(t, svc, lead, "barn_och_unga", "2026")
			if f.Name != "BOU_0999_2026.txt" || f.Records != 2 {
				t.Errorf("file %s with %d records", f.Name, f.Records)
			}
			checkGolden(t, "barn_och_unga-2026.txt", f.Data)
		})
	}
}
