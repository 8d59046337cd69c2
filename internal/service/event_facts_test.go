package service_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/storetest"
)

// TestEventsCarryWhatAnalysisCounts: the analysis store reads only the
// event log, so the log carries what it counts. A person's registration
// carries the month of birth and the sex (never the identity number), a
// signed assessment its codes and qualifiers (never the text), and a
// final decision what its amount counts.
func TestEventsCarryWhatAnalysisCounts(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine, storetest.NewClock(flowDay))
			w := packsWorld(t, db, flowDay)
			svc, officer := w.svc, w.actorFunc(t)("handlaggare")
			c := journeyCaseID(t, w.ds, "ibic_sol_aldre")
			fillAndSign(t, svc, officer, c, "ibic_ansokan", map[string]any{"applicant_kind": "self",
				"applied_sol": []any{"hemtjanst_omvardnad"}, "own_description": "Klarar inte duschen efter fallet."})
			if _, err := svc.Transition(ctx, officer, c, service.TransitionInput{Transition: "start_investigation"}, "sv"); err != nil {
				t.Fatal(err)
			}
			fillAndSign(t, svc, officer, c, "ibic_utredning", map[string]any{
				"needs_assessment": []any{map[string]any{"code": "d510", "qualifier": 3.0, "text": "Behöver hjälp att duscha."}},
				"own_view":         "Vill klara duschen själv igen.",
				"goals":            []any{map[string]any{"need": "d510", "goal": "Klarar duschen själv.", "follow_up_by": "2026-06-01"}}})
			if _, err := svc.Transition(ctx, officer, c, service.TransitionInput{Transition: "to_decision"}, "sv"); err != nil {
				t.Fatal(err)
			}
			home := byInsats(t, svc, officer, c)["hemtjanst_omvardnad"]
			in := service.DecisionInput{Insats: home.Insats, Outcome: "granted", LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-03-09",
				ValidTo: "2026-12-31", Justification: "Behöver hjälp med personlig hygien.", AmountText: "40,5 timmar"}
			if _, err := svc.SaveDecision(ctx, officer, c, home.ID, in); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.FinaliseDecision(ctx, officer, c, home.ID); err != nil {
				t.Fatal(err)
			}

			evs, err := db.CaseEvents(ctx, officer.Tenant, c, 100)
			if err != nil {
				t.Fatal(err)
			}
			var assessed, decided string
			person := ""
			for _, e := range evs {
				person = e.PersonID
				if e.Type == events.FormSigned && strings.Contains(string(e.Payload), `"ibic_utredning"`) {
					assessed = string(e.Payload)
				}
				if e.Type == events.DecisionMade {
					decided = string(e.Payload)
				}
			}
			if !strings.Contains(assessed, `"codes":[{"field":"needs_assessment","code_system":"icf","code":"d510","qualifier":3}]`) ||
				strings.Contains(assessed, "duscha") {
				t.Errorf("the signed assessment's event: %s", assessed)
			}
			if !strings.Contains(decided, `"amount":4050`) || !strings.Contains(decided, `"amount_unit":"hours"`) ||
				!strings.Contains(decided, `"amount_period":"month"`) {
				t.Errorf("the final decision's event: %s", decided)
			}

			regs, err := db.LatestEventsOfType(ctx, officer.Tenant, events.PersonRegistered, 1000)
			if err != nil {
				t.Fatal(err)
			}
			p, err := db.PersonByID(ctx, officer.Tenant, person)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range regs {
				if e.PersonID != person {
					continue
				}
				found = true
				var got struct {
					BirthMonth string `json:"birth_month"`
					Sex        string `json:"sex"`
				}
				if err := json.Unmarshal(e.Payload, &got); err != nil {
					t.Fatal(err)
				}
				born, _ := p.Identity.BirthDate()
				if got.BirthMonth != born.Format("2006-01") || got.Sex != p.Identity.Sex() ||
					!regexp.MustCompile(`^\d{4}-\d{2}$`).MatchString(got.BirthMonth) {
					t.Errorf("the registration carries %+v, want %s and %s", got, born.Format("2006-01"), p.Identity.Sex())
				}
				if strings.Contains(string(e.Payload), p.Identity.Value) || strings.Contains(string(e.Payload), p.Identity.Value[:8]) {
					t.Errorf("the registration carries the identity number or the day of birth: %s", e.Payload)
				}
			}
			if !found {
				t.Error("no registration of the case's person")
			}
		})
	}
}
