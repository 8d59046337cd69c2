package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestRunBelongsToItsUnits has the team leads of Norra and Södra each make
// a run of their own district's payments: neither lists the other's run,
// and reading it, its bank file, its bookkeeping file or its control
// findings, or reading a status report onto it, is not found, exactly as
// for a run that does not exist; each reads their own. On both engines.
func TestRunBelongsToItsUnits(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			w := newPaymentsWorld(t, engine, clock)
			norraOfficer, norraLead := w.actor("ekonom"), w.actor("arbetsledare")
			in := func(role trygg.Role, unit string) trygg.Actor {
				t.Helper()
				for _, u := range w.ds.Users {
					if slices.ContainsFunc(u.Grants, func(g trygg.Grant) bool { return g.Role == role && g.UnitID == unit }) {
						return w.actor(u.Username)
					}
				}
				t.Fatalf("the demo has no %s in %s", role, unit)
				return trygg.Actor{}
			}
			sodraOfficer, sodraLead := in(trygg.RoleOfficer, "sodra-eb"), in(trygg.RoleTeamLead, "sodra-eb")
			month := service.DecisionInput{Insats: "manad", Outcome: "granted", ValidFrom: "2026-12-01", ValidTo: "2026-12-31", Amount: 400000}
			p, q := w.person(0), w.person(1)
			w.decide(norraOfficer, "norra-eb", p, 0, month)
			w.payee(norraOfficer, p, bankgiro(1))
			norra := w.attestAndRun(norraLead)
			w.decide(sodraOfficer, "sodra-eb", q, 0, month)
			w.payee(sodraOfficer, q, bankgiro(2))
			sodra := w.attestAndRun(sodraLead)
			if norra.Lines != 1 || sodra.Lines != 1 {
				t.Fatalf("the runs: %+v %+v", norra, sodra)
			}

			for _, c := range []struct {
				name        string
				lead        trygg.Actor
				own, others store.PaymentRun
			}{
				{"Södra's team lead", sodraLead, sodra, norra},
				{"Norra's team lead", norraLead, norra, sodra},
			} {
				runs, err := w.svc.PaymentRuns(ctx, c.lead)
				if err != nil {
					t.Fatal(err)
				}
				if len(runs) != 1 || runs[0].ID != c.own.ID {
					t.Errorf("%s lists %+v, want only their own run", c.name, runs)
				}
				if run, err := w.svc.RunFile(ctx, c.lead, c.own.ID); err != nil || len(run.File) == 0 {
					t.Errorf("%s reads their own run's file: %v", c.name, err)
				}
				if _, err := w.svc.RunFindings(ctx, c.lead, c.own.ID); err != nil {
					t.Errorf("%s reads their own run's findings: %v", c.name, err)
				}
				if _, err := w.svc.RunBookkeeping(ctx, c.lead, c.own.ID); err != nil {
					t.Errorf("%s reads their own run's bookkeeping: %v", c.name, err)
				}
				// The other's run answers as a run that does not exist.
				report := statusReport(c.others.MessageID, map[string]string{})
				for _, id := range []string{c.others.ID, "00000000-0000-0000-0000-000000000000"} {
					reads := map[string]error{}
					_, reads["file"] = w.svc.RunFile(ctx, c.lead, id)
					_, reads["findings"] = w.svc.RunFindings(ctx, c.lead, id)
					_, reads["bookkeeping"] = w.svc.RunBookkeeping(ctx, c.lead, id)
					_, reads["status report"] = w.svc.ReadStatusReport(ctx, c.lead, id, strings.NewReader(report))
					for what, err := range reads {
						if trygg.ErrorCode(err) != trygg.ENotFound || trygg.ErrorMessage(err) != trygg.ErrorMessage(trygg.ErrNotFound) {
							t.Errorf("%s, the %s of run %s: %v, want not found", c.name, what, id, err)
						}
					}
				}
			}
			// Nothing the other team lead tried changed Norra's run.
			sent, err := w.svc.PaymentProposal(ctx, norraLead, service.PaymentFilter{Status: store.PaymentSent, RunID: norra.ID})
			if err != nil || len(sent) != 1 {
				t.Fatalf("Norra's run after Södra's tries: %+v %v", sent, err)
			}
			// An officer is no team lead: forbidden, whoever's run.
			if _, err := w.svc.RunFile(ctx, norraOfficer, norra.ID); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Errorf("an officer reads a run: %v", err)
			}
		})
	}
}
