package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// unexecutedYAML is home care decided in hours a month, with a task for
// the officer 60 days after a decision or an interruption not executed.
var unexecutedYAML = strings.Replace(homeCareYAML, `  legal_bases: ["SoL 4 kap. 1 §"]
`, `  legal_bases: ["SoL 4 kap. 1 §"]
  amount_unit: hours
  amount_period: month
  execution_warning:
    after: 60d
    within: 3m
    name: {sv: "Beslut ej verkställt", en: "Decision not executed"}
`, 1)

// TestExecutionWarningAndEntries: a granted decision not executed gives
// its officer one task on day 60 (none on day 59, no second one later),
// which executing it in full closes; an interruption gives a new one 60
// days on. Partial execution is recorded with the amount executed, and
// bad entries are refused at their field.
func TestExecutionWarningAndEntries(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			// Thursday 3 December 2026, 10:00 in Sweden.
			clock := storetest.NewClock(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
			db := storetest.Open(t, engine, clock)
			world := newDemoWorld(t, db, 40, 30, clock.Now())
			svc, ds, actor := world.svc, world.ds, world.actorFunc(t)
			officer := actor("handlaggare")
			if _, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
				Files: []store.DefinitionFile{{Name: "hemtjanst.yaml", Content: unexecutedYAML}}}); err != nil {
				t.Fatal(err)
			}
			c, err := svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: ds.Persons[0].Identity.String()},
				UnitID: "norra-ao", CaseType: "hemtjanst", Title: "Hemtjänst"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AssignCase(ctx, actor("arbetsledare"), c.ID, service.AssignInput{UserID: officer.UserID}); err != nil {
				t.Fatal(err)
			}
			d, err := svc.SaveDecision(ctx, officer, c.ID, "", service.DecisionInput{Insats: "hemtjanst", Outcome: "granted", LegalBasis: "SoL 4 kap. 1 §",
				ValidFrom: "2026-12-07", AmountText: "5", Justification: "Behöver hjälp med personlig vård."})
			if err != nil {
				t.Fatal(err)
			}
			if d, err = svc.FinaliseDecision(ctx, officer, c.ID, d.ID); err != nil {
				t.Fatal(err)
			}
			// tasks are the case's open tasks about the decision's execution.
			tasks := func() []store.Task {
				t.Helper()
				all, err := db.CaseOpenTasks(ctx, demo.TenantID, c.ID, calendar.Today(clock.Now()))
				if err != nil {
					t.Fatal(err)
				}
				var out []store.Task
				for _, task := range all {
					if strings.HasPrefix(task.DeadlineID, "execution/") {
						out = append(out, task)
					}
				}
				return out
			}
			fire := func() {
				t.Helper()
				if _, err := svc.FireDueTimers(ctx, demo.TenantID, 100); err != nil {
					t.Fatal(err)
				}
			}
			// Day 59 (31 January, 23:30 in Sweden): nothing yet.
			clock.Advance(time.Date(2027, 1, 31, 22, 30, 0, 0, time.UTC).Sub(clock.Now()))
			fire()
			if got := tasks(); len(got) != 0 {
				t.Fatalf("tasks on day 59: %+v", got)
			}
			// Day 60 (1 February, 00:30): one task for the officer, with
			// the last day, 3 March.
			clock.Advance(time.Hour)
			fire()
			got := tasks()
			if len(got) != 1 || got[0].Assignee != officer.UserID || got[0].Title != "Beslut ej verkställt: Hemtjänst, verkställ senast 2027-03-03" {
				t.Fatalf("tasks on day 60: %+v", got)
			}
			// Once: later runs add none.
			clock.Advance(24 * time.Hour)
			fire()
			fire()
			if got := tasks(); len(got) != 1 {
				t.Fatalf("tasks on day 61: %+v, want the one", got)
			}

			record := func(in service.ExecutionInput) error {
				_, err := svc.RecordExecution(ctx, officer, c.ID, d.ID, in)
				return err
			}
			// Bad entries are refused at their field and change nothing.
			for _, tt := range []struct {
				name  string
				in    service.ExecutionInput
				field string
			}{
				{"a reason too long", service.ExecutionInput{Kind: "delay", On: "2027-02-02", Reason: strings.Repeat("å", 2001)}, "reason"},
				{"offers too long", service.ExecutionInput{Kind: "delay", On: "2027-02-02", Reason: "Ingen personal.", Offers: strings.Repeat("x", 2001)}, "offers"},
				{"more than decided", service.ExecutionInput{Kind: "executed", On: "2027-02-02", AmountText: "6"}, "amount"},
				{"an amount not a number", service.ExecutionInput{Kind: "executed", On: "2027-02-02", AmountText: "tre"}, "amount"},
				{"an amount on an interruption", service.ExecutionInput{Kind: "interrupted", On: "2027-02-02", AmountText: "3"}, "amount"},
				{"a day before the decision", service.ExecutionInput{Kind: "executed", On: "2026-12-02"}, "on"},
			} {
				if err := record(tt.in); !hasField(err, tt.field) {
					t.Errorf("%s: want an error on %s, got %v", tt.name, tt.field, err)
				}
			}
			// The reason and offers, with history: each note is an entry.
			if err := record(service.ExecutionInput{Kind: "delay", On: "2027-02-02", Reason: "Ingen ledig personal.", Offers: "Annan utförare, avböjt."}); err != nil {
				t.Fatal(err)
			}
			// 3 of 5 hours: the task stays, the rest still waits.
			if err := record(service.ExecutionInput{Kind: "executed", On: "2027-02-02", AmountText: "3"}); err != nil {
				t.Fatal(err)
			}
			if err := record(service.ExecutionInput{Kind: "executed", On: "2027-02-02", AmountText: "2"}); !hasField(err, "amount") {
				t.Errorf("less than already executed: %v", err)
			}
			if got := tasks(); len(got) != 1 {
				t.Fatalf("tasks after a partial execution: %+v", got)
			}
			// In full: the task is closed.
			if err := record(service.ExecutionInput{Kind: "executed", On: "2027-02-02", Amount: 500}); err != nil {
				t.Fatal(err)
			}
			if got := tasks(); len(got) != 0 {
				t.Fatalf("tasks after execution in full: %+v", got)
			}
			// Interrupted on 10 February: a resumption before it is refused
			// at the day.
			clock.Advance(time.Date(2027, 2, 10, 9, 0, 0, 0, time.UTC).Sub(clock.Now()))
			if err := record(service.ExecutionInput{Kind: "interrupted", On: "2027-02-10"}); err != nil {
				t.Fatal(err)
			}
			if err := record(service.ExecutionInput{Kind: "resumed", On: "2027-02-09"}); !hasField(err, "on") {
				t.Errorf("a resumption before the interruption: %v", err)
			}
			// 60 days after the interruption (11 April): one task, last day
			// 10 May.
			clock.Advance(time.Date(2027, 4, 10, 21, 30, 0, 0, time.UTC).Sub(clock.Now()))
			fire()
			if got := tasks(); len(got) != 0 {
				t.Fatalf("tasks on day 59 of the interruption: %+v", got)
			}
			clock.Advance(time.Hour)
			fire()
			fire()
			got = tasks()
			if len(got) != 1 || !strings.HasSuffix(got[0].Title, "verkställ senast 2027-05-10") {
				t.Fatalf("tasks on day 60 of the interruption: %+v", got)
			}
			// Resumed: closed; nothing more after the decision ends.
			if err := record(service.ExecutionInput{Kind: "resumed", On: "2027-04-11"}); err != nil {
				t.Fatal(err)
			}
			if got := tasks(); len(got) != 0 {
				t.Fatalf("tasks after the resumption: %+v", got)
			}
			if err := record(service.ExecutionInput{Kind: "ended", On: "2027-04-11"}); trygg.ErrorCode(err) != trygg.EConflict {
				t.Errorf("ending a decision being carried out: %v", err)
			}
		})
	}
}
