package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

const followUpYAML = `
kind: case_type
id: support
name: {sv: Stöd}
field: AO
start: open
steps:
  - {id: open, name: {sv: Öppen}}
  - {id: ongoing, name: {sv: Pågående}}
  - {id: closed, name: {sv: Avslutad}, final: true}
transitions:
  - id: start
    name: {sv: Starta insatsen}
    from: [open]
    to: ongoing
    roles: [handlaggare]
    actions:
      - {type: schedule_follow_up, period: 3m, name: {sv: Uppföljning av stödet}}
      - {type: notify_citizen, message: {sv: "Ditt stöd har startat.", en: "Your support has started."}}
  - {id: close, name: {sv: Avsluta}, from: [open, ongoing], to: closed, roles: [handlaggare]}
`

// TestTransitionActions schedules a follow-up that lands in the inbox when
// due, records a notice to the citizen, and cancels what is pending when
// the case closes.
func TestTransitionActions(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC))
			db := storetest.Open(t, engine, clock)
			svc := storetest.Service(t, db, nil)
			ds := demo.Generate(demo.Options{Persons: 40, Staff: 30, Today: clock.Now()})
			if _, err := svc.LoadDemo(ctx, ds); err != nil {
				t.Fatal(err)
			}
			designer, _ := svc.ActorByUsername(ctx, demo.TenantID, "designer")
			officer, _ := svc.ActorByUsername(ctx, demo.TenantID, "handlaggare")
			if _, err := svc.PublishDefinitions(ctx, designer, service.DefinitionsInput{Files: []store.DefinitionFile{{Name: "support.yaml", Content: followUpYAML}}}); err != nil {
				t.Fatal(err)
			}
			open := func() store.Case {
				c, err := svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: ds.Persons[3].Identity.String()}, UnitID: "norra-ao", CaseType: "support", Title: "Stöd"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.Transition(ctx, officer, c.ID, service.TransitionInput{Transition: "start"}, "sv"); err != nil {
					t.Fatal(err)
				}
				return c
			}
			c1, c2 := open(), open()
			// Three months from 31 January is the last day of April.
			p, _ := svc.CaseProcess(ctx, officer, c1.ID, "sv")
			if len(p.Timers) != 1 || p.Timers[0].Kind != "follow_up" || p.Timers[0].DueDate != "2026-04-30" {
				t.Fatalf("follow-up timer: %+v", p.Timers)
			}
			if _, err := svc.Transition(ctx, officer, c2.ID, service.TransitionInput{Transition: "close"}, "sv"); err != nil {
				t.Fatal(err)
			}
			clock.Advance(90 * 24 * time.Hour)
			if n, err := svc.FireDueTimers(ctx, demo.TenantID, 10); err != nil || n != 1 {
				t.Fatalf("fired %d, %v: want only the open case's follow-up", n, err)
			}
			view, err := svc.Inbox(ctx, officer, service.InboxInput{})
			tasks := view.Tasks
			if err != nil || len(tasks) != 1 || tasks[0].CaseID != c1.ID || tasks[0].Title != "Uppföljning: Uppföljning av stödet" {
				t.Fatalf("inbox: %+v %v", tasks, err)
			}
			evs, _ := db.Events(ctx, demo.TenantID, 0, 5000)
			notices := 0
			for _, e := range evs {
				if e.Type == "citizen.notice" && strings.Contains(string(e.Payload), "Ditt stöd har startat.") {
					notices++
				}
			}
			if notices != 2 {
				t.Fatalf("%d citizen notices, want 2", notices)
			}
		})
	}
}
