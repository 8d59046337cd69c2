package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestRunBookkeeping: a payment run's bookkeeping file in the shipped
// layout sums its lines per account, cost centre and unit with a decimal
// comma; a city's per-payment layout names each line; only a team lead
// reads it.
func TestRunBookkeeping(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			db := storetest.Open(t, engine, clock)
			world := newDemoWorld(t, db, 40, 80, clock.Now())
			svc, ds, actor := world.svc, world.ds, world.actorFunc(t)
			ekonom, lead := actor("ekonom"), actor("arbetsledare")
			if _, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
				Files: []store.DefinitionFile{{Name: "stod.yaml", Content: supportYAML}}}); err != nil {
				t.Fatal(err)
			}
			c, err := svc.OpenCase(ctx, ekonom, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: ds.Persons[0].Identity.String()},
				UnitID: "norra-eb", CaseType: "stod", Title: "Stöd"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SaveForm(ctx, ekonom, c.ID, "stod_ansokan", service.FormInput{Values: map[string]any{"extra": 25000}}, "sv"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SignForm(ctx, ekonom, c.ID, "stod_ansokan", "sv"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.RegisterPayee(ctx, ekonom, service.PayeeInput{Category: store.PayeePerson, PersonID: c.PersonID,
				AccountInput: service.AccountInput{Kind: "bank_account", Clearing: "5656", Number: "246 60 67"}}); err != nil {
				t.Fatal(err)
			}
			for _, in := range []service.DecisionInput{
				{Insats: "manad", Outcome: "granted", ValidFrom: "2026-12-01", ValidTo: "2027-01-31", Amount: 500000},
				{Insats: "engang", Outcome: "granted", ValidFrom: "2026-12-10", Amount: 100000},
			} {
				in.LegalBasis, in.Justification = "SoL 4 kap. 1 §", "Behovet är styrkt."
				d, err := svc.SaveDecision(ctx, ekonom, c.ID, "", in)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.FinaliseDecision(ctx, ekonom, c.ID, d.ID); err != nil {
					t.Fatal(err)
				}
			}
			lines, err := svc.PaymentProposal(ctx, lead, service.PaymentFilter{CaseID: c.ID})
			if err != nil || len(lines) != 2 {
				t.Fatalf("proposal: %+v %v", lines, err)
			}
			if err := svc.Attest(ctx, lead, []string{lines[0].ID, lines[1].ID}); err != nil {
				t.Fatal(err)
			}
			svc.Payer = payments.Debtor{Name: "Demo kommun", Account: mustAccount(t, payments.KindBankgiro, "", "5402-9681"), BIC: "ESSESESS"}
			run, err := svc.CreateRun(ctx, lead, service.CreateRunInput{})
			if err != nil {
				t.Fatal(err)
			}

			file, err := svc.RunBookkeeping(ctx, lead, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			rows := strings.Split(strings.TrimSuffix(string(file), "\r\n"), "\r\n")
			if rows[0] != "Konto;Ansvar;Enhet;Belopp;Datum;Utbetalning;Antal" {
				t.Errorf("header %q", rows[0])
			}
			var total int
			for _, r := range rows[1:] {
				if !strings.Contains(r, ";norra-eb;") || !strings.Contains(r, ";"+run.MessageID+";") {
					t.Errorf("row %q lacks the unit or the run", r)
				}
				total++
			}
			if !strings.Contains(string(file), "4711;7310;norra-eb;5000,00;2026-12-03;") || total < 1 || total > 2 {
				t.Errorf("the bookkeeping file:\n%s", file)
			}

			l, err := payments.ParseBookkeepingLayout([]byte("grouping: per_payment\nline_end: lf\ncolumns: [{header: Ref, source: reference}, {header: Öre, source: amount_ore}]\n"))
			if err != nil {
				t.Fatal(err)
			}
			svc.BookkeepingLayout = l
			if file, err = svc.RunBookkeeping(ctx, lead, run.ID); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Ref;Öre\n", lines[0].ID + ";", lines[1].ID + ";", ";500000\n", ";125000\n"} {
				if !strings.Contains(string(file), want) {
					t.Errorf("the per-payment file lacks %q:\n%s", want, file)
				}
			}
			if _, err := svc.RunBookkeeping(ctx, ekonom, run.ID); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Errorf("an officer: %v", err)
			}
			if _, err := svc.RunBookkeeping(ctx, lead, "no-such-run"); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Errorf("an unknown run: %v", err)
			}
		})
	}
}
