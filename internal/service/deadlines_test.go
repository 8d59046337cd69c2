package service_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

const screeningYAML = `
kind: case_type
id: report
name: {sv: Anmälan, en: Report}
field: IFO
start: received
steps:
  - id: received
    name: {sv: Inkommen}
  - id: investigation
    name: {sv: Utredning}
  - id: closed
    name: {sv: Avslutad}
    final: true
transitions:
  - id: open-investigation
    name: {sv: Inled utredning}
    from: [received]
    to: investigation
    roles: [handlaggare]
  - id: close
    name: {sv: Avsluta}
    from: [received, investigation]
    to: closed
    roles: [handlaggare]
deadlines:
  - id: screening
    name: {sv: Förhandsbedömning}
    start: case_opened
    period: 14d
    warn_before: 3d
    met_by: [investigation, closed]
    on_warning: [assignee]
    on_overdue: [assignee, team_lead]
  - id: investigation
    name: {sv: Utredningstid}
    start: investigation
    period: 4m
    met_by: [closed]
    on_overdue: [assignee]
`

// TestDeadlines runs a case type with a 14-day screening deadline: the
// warning and overdue timers fire once each, make tasks in the officer's
// and the team's inboxes, and meeting the deadline cancels what is left.
func TestDeadlines(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) // a Monday
			db := storetest.Open(t, engine, clock)
			world := newDemoWorld(t, db, 40, 30, clock.Now())
			svc, ds, actor := world.svc, world.ds, world.actorFunc(t)
			officer, lead := actor("utredare"), actor("arbetsledare")
			if _, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
				Files: []store.DefinitionFile{{Name: "report.yaml", Content: screeningYAML}}}); err != nil {
				t.Fatal(err)
			}
			open := func() store.Case {
				c, err := svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: ds.Persons[5].Identity.String()}, UnitID: "norra-bou", CaseType: "report", Title: "Orosanmälan"})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			c := open()
			p, err := svc.CaseProcess(ctx, officer, c.ID, "sv")
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Timers) != 2 || p.Timers[1].DueDate != "2026-03-16" || p.Timers[0].Kind != "warning" ||
				!p.Timers[0].FireAt.Equal(time.Date(2026, 3, 13, 0, 0, 0, 0, calendar.Sweden)) {
				t.Fatalf("timers: %+v", p.Timers)
			}
			fire := func() int {
				n, err := svc.FireDueTimers(ctx, demo.TenantID, 100)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			inbox := func(a trygg.Actor, team bool) []store.Task {
				view, err := svc.Inbox(ctx, a, service.InboxInput{Team: team})
				if err != nil {
					t.Fatal(err)
				}
				return view.Tasks
			}
			if fire() != 0 {
				t.Fatal("a timer fired too early")
			}
			view, err := svc.Inbox(ctx, officer, service.InboxInput{})
			if err != nil || len(view.Cases) == 0 || view.Cases[0].ID != c.ID || view.Cases[0].NextDue != "2026-03-16" || view.Cases[0].Step != "received" {
				t.Fatalf("the officer's cases, nearest deadline first: %+v %v", view.Cases, err)
			}
			clock.Advance(11 * 24 * time.Hour) // 13 March: the warning day
			if n := fire(); n != 1 {
				t.Fatalf("warning: %d timers fired, want 1", n)
			}
			if fire() != 0 {
				t.Fatal("a fired timer fired again")
			}
			mine := inbox(officer, false)
			if len(mine) != 1 || mine[0].Kind != "deadline_warning" || mine[0].DueDate != "2026-03-16" || mine[0].Overdue {
				t.Fatalf("officer's inbox after the warning: %+v", mine)
			}
			clock.Advance(4 * 24 * time.Hour) // 17 March: overdue
			if n := fire(); n != 1 {
				t.Fatalf("overdue: %d timers fired, want 1", n)
			}
			// The overdue notice replaces the warning.
			mine = inbox(officer, false)
			if len(mine) != 1 || !mine[0].Overdue || mine[0].Kind != "deadline_overdue" || !strings.Contains(mine[0].Title, "gick ut") {
				t.Fatalf("officer's inbox when overdue: %+v", mine)
			}
			team := inbox(lead, true)
			if len(team) != 2 {
				t.Fatalf("team inbox: %d tasks, want 2 (the officer's overdue task, one notice for the team): %+v", len(team), team)
			}
			// Opening the investigation meets the screening deadline: its tasks
			// leave the inboxes and the investigation deadline starts.
			if _, err := svc.Transition(ctx, officer, c.ID, service.TransitionInput{Transition: "open-investigation"}, "sv"); err != nil {
				t.Fatal(err)
			}
			if got := inbox(lead, true); len(got) != 0 {
				t.Fatalf("tasks left after the deadline was met: %+v", got)
			}
			p, _ = svc.CaseProcess(ctx, officer, c.ID, "sv")
			var pending []string
			for _, tm := range p.Timers {
				if tm.Status == "pending" {
					pending = append(pending, tm.DeadlineID+"/"+tm.DueDate)
				}
			}
			if strings.Join(pending, ",") != "investigation/2026-07-17" {
				t.Fatalf("pending timers after opening the investigation: %v", pending)
			}

			// Many cases due at once, fired by four workers at the same time:
			// each timer fires exactly once.
			var ids []string
			for range 30 {
				ids = append(ids, open().ID)
			}
			clock.Advance(20 * 24 * time.Hour)
			var wg sync.WaitGroup
			var mu sync.Mutex
			total := 0
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						n, err := svc.FireDueTimers(ctx, demo.TenantID, 7)
						if err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						total += n
						mu.Unlock()
						if n == 0 {
							return
						}
					}
				}()
			}
			wg.Wait()
			// Workers may stop while another holds the lock; sweep the rest.
			for n := fire(); n > 0; n = fire() {
				total += n
			}
			if total != 60 {
				t.Fatalf("%d timers fired for 30 cases, want 60 (a warning and an overdue each)", total)
			}
			evs, err := db.Events(ctx, demo.TenantID, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			perCase := map[string]int{}
			for _, e := range evs {
				if e.Type == "deadline.warning" || e.Type == "deadline.overdue" {
					perCase[e.CaseID+e.Type]++
				}
			}
			for _, id := range ids {
				if perCase[id+"deadline.warning"] != 1 || perCase[id+"deadline.overdue"] != 1 {
					t.Fatalf("case %s: warning %d, overdue %d events, want 1 each", id, perCase[id+"deadline.warning"], perCase[id+"deadline.overdue"])
				}
			}
		})
	}
}
