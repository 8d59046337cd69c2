package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// TestScreeningCountsFromTheReceivedDate: in the BBIC pack the 14 days of
// the screening run from the day the report was received, not the day
// the case was opened. The signed report's date moves the timer and its
// warning (a draft does not), a correction moves them again, a date after
// today is refused at its field, and a date that puts the deadline in the
// past makes it overdue at once. The inboxes show the new last day.
func TestScreeningCountsFromTheReceivedDate(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			// Wednesday 25 March 2026, 10:00 in Sweden; the report came in
			// on Friday the 20th, five days before.
			clock := storetest.NewClock(time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC))
			db := storetest.Open(t, engine, clock)
			world := newDemoWorld(t, db, 30, 20, clock.Now())
			svc, actor := world.svc, world.actorFunc(t)
			officer, lead := actor("utredare"), actor("arbetsledare")
			var files []store.DefinitionFile
			for _, f := range packs.Files() {
				files = append(files, store.DefinitionFile{Name: f.Name, Content: f.Content})
			}
			if _, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{Files: files}); err != nil {
				t.Fatal(err)
			}
			var child persons.Person
			for _, p := range world.ds.Persons {
				if p.Protection == persons.ProtectionNone {
					child = p
					break
				}
			}
			c, err := svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: child.Identity.String()},
				UnitID: "norra-bou", CaseType: "bbic_barn", Title: "Orosanmälan från skolan"})
			if err != nil {
				t.Fatal(err)
			}

			// timers lists the screening's pending timers as "kind due fire-at".
			timers := func() string {
				t.Helper()
				p, err := svc.CaseProcess(ctx, officer, c.ID, "sv")
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, tm := range p.Timers {
					if tm.DeadlineID == "screening_time" && tm.Status == "pending" {
						out = append(out, tm.Kind+" "+tm.DueDate+" "+tm.FireAt.In(calendar.Sweden).Format("2006-01-02T15:04"))
					}
				}
				return strings.Join(out, ", ")
			}
			// inbox is the actor's deadline tasks and the case's next due date.
			inbox := func(a trygg.Actor, team bool) (tasks []string, nextDue string) {
				t.Helper()
				view, err := svc.Inbox(ctx, a, service.InboxInput{Team: team})
				if err != nil {
					t.Fatal(err)
				}
				for _, task := range view.Tasks {
					if task.CaseID == c.ID {
						tasks = append(tasks, fmt.Sprintf("%s %s overdue=%v %q", task.Kind, task.DueDate, task.Overdue, task.Title))
					}
				}
				for _, ic := range view.Cases {
					if ic.ID == c.ID {
						nextDue = ic.NextDue
					}
				}
				return tasks, nextDue
			}
			fire := func() int {
				t.Helper()
				n, err := svc.FireDueTimers(ctx, demo.TenantID, 100)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			report := func(received string) map[string]any {
				return map[string]any{"reporter_kind": "skola", "reporter_name": "Rektorn, Norra skolan", "received_date": received,
					"concern": "Barnet kommer ofta hungrigt till skolan.", "suspected_violence": false,
					"safety_assessment_done": true, "safety_assessment": "Inget akut skyddsbehov."}
			}
			save := func(received string) service.FormView {
				t.Helper()
				fv, err := svc.SaveForm(ctx, officer, c.ID, "bbic_anmalan", service.FormInput{Values: report(received)}, "sv")
				if err != nil {
					t.Fatal(err)
				}
				return fv
			}
			sign := func() error {
				_, err := svc.SignForm(ctx, officer, c.ID, "bbic_anmalan", "sv")
				return err
			}
			at := func(moment time.Time) {
				t.Helper()
				clock.Advance(moment.Sub(clock.Now()))
			}

			// Until the report is signed, the 14 days count from the opening.
			opening := "warning 2026-04-08 2026-04-05T00:00, overdue 2026-04-08 2026-04-09T00:00"
			if got := timers(); got != opening {
				t.Fatalf("timers on opening: %s, want %s", got, opening)
			}
			// A draft does not move them.
			save("2026-03-20")
			if got := timers(); got != opening {
				t.Fatalf("a draft moved the timers: %s", got)
			}
			// Signed: 20 March + 14 days is Good Friday, 3 April (no move to
			// the next weekday for this time limit); the warning comes three
			// days before, at midnight in Sweden (summer time by then).
			if err := sign(); err != nil {
				t.Fatal(err)
			}
			received := "warning 2026-04-03 2026-03-31T00:00, overdue 2026-04-03 2026-04-04T00:00"
			if got := timers(); got != received {
				t.Fatalf("timers once the report is signed: %s, want %s", got, received)
			}
			if tasks, due := inbox(officer, false); len(tasks) != 0 || due != "2026-04-03" {
				t.Fatalf("the officer's inbox: tasks %v, next due %q; want none and 2026-04-03", tasks, due)
			}

			// The warning comes on 31 March, not before.
			at(time.Date(2026, 3, 30, 23, 59, 0, 0, calendar.Sweden))
			if n := fire(); n != 0 {
				t.Fatalf("%d timers fired on 30 March", n)
			}
			at(time.Date(2026, 3, 31, 0, 1, 0, 0, calendar.Sweden))
			if n := fire(); n != 1 {
				t.Fatalf("%d timers fired on 31 March, want the warning", n)
			}
			if tasks, _ := inbox(officer, false); len(tasks) != 1 ||
				tasks[0] != `deadline_warning 2026-04-03 overdue=false "Förhandsbedömning inom 14 dagar: tidsfristen går ut 2026-04-03"` {
				t.Fatalf("the officer's inbox on 31 March: %v", tasks)
			}

			// A received date after today is refused at its field, and
			// nothing moves.
			fv := save("2026-04-01")
			if msg := fv.State.Errors["received_date"]; !strings.Contains(msg, "senare än i dag") {
				t.Errorf("the form's message for a date after today: %q", msg)
			}
			err = sign()
			if e := (*trygg.Error)(nil); trygg.ErrorCode(err) != trygg.EInvalid || !asError(err, &e) || e.Fields["values.received_date"] == "" {
				t.Fatalf("signing a received date after today: %v", err)
			}
			if got := timers(); got != "overdue 2026-04-03 2026-04-04T00:00" {
				t.Fatalf("a refused date moved the timers: %s", got)
			}

			// A correction to the 23rd moves the timer and its warning; the
			// warning that named the 3rd leaves the inbox, and the inbox
			// shows the new last day, Easter Monday 6 April.
			save("2026-03-23")
			if err := sign(); err != nil {
				t.Fatal(err)
			}
			moved := "warning 2026-04-06 2026-04-03T00:00, overdue 2026-04-06 2026-04-07T00:00"
			if got := timers(); got != moved {
				t.Fatalf("timers after the correction: %s, want %s", got, moved)
			}
			if tasks, due := inbox(officer, false); len(tasks) != 0 || due != "2026-04-06" {
				t.Fatalf("the officer's inbox after the correction: tasks %v, next due %q", tasks, due)
			}
			at(time.Date(2026, 4, 3, 0, 1, 0, 0, calendar.Sweden))
			if n := fire(); n != 1 {
				t.Fatalf("%d timers fired on 3 April, want the new warning", n)
			}
			if tasks, _ := inbox(officer, false); len(tasks) != 1 || !strings.HasPrefix(tasks[0], "deadline_warning 2026-04-06 ") {
				t.Fatalf("the officer's inbox on 3 April: %v", tasks)
			}

			// A correction to a day long past makes the deadline overdue at
			// once, the normal way: the overdue notice replaces the warning
			// for the officer and reaches the team lead.
			save("2026-03-10")
			if err := sign(); err != nil {
				t.Fatal(err)
			}
			if got := timers(); got != "overdue 2026-03-24 2026-03-25T00:00" {
				t.Fatalf("timers after a correction into the past: %s", got)
			}
			if n := fire(); n != 1 {
				t.Fatalf("%d timers fired at once, want the overdue notice", n)
			}
			if tasks, _ := inbox(officer, false); len(tasks) != 1 ||
				tasks[0] != `deadline_overdue 2026-03-24 overdue=true "Förhandsbedömning inom 14 dagar: tidsfristen gick ut 2026-03-24"` {
				t.Fatalf("the officer's inbox when overdue: %v", tasks)
			}
			if tasks, _ := inbox(lead, true); len(tasks) != 2 {
				t.Fatalf("the team's inbox when overdue: %v, want the officer's task and the team's notice", tasks)
			}

			// Once the notice has gone out the deadline has passed: a later
			// correction no longer moves it.
			save("2026-03-23")
			if err := sign(); err != nil {
				t.Fatal(err)
			}
			if got := timers(); got != "" {
				t.Fatalf("a passed deadline got new timers: %s", got)
			}

			// Each move is in the case's events, with both last days.
			evs, err := db.CaseEvents(ctx, demo.TenantID, c.ID, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var moves []string
			for _, e := range evs {
				if e.Type == events.DeadlineMoved {
					var p map[string]string
					if err := json.Unmarshal(e.Payload, &p); err != nil {
						t.Fatal(err)
					}
					moves = append([]string{p["deadline_id"] + " " + p["from_due_date"] + "→" + p["due_date"] + " " + p["form_id"]}, moves...)
				}
			}
			if got := strings.Join(moves, ", "); got != "screening_time 2026-04-08→2026-04-03 bbic_anmalan, "+
				"screening_time 2026-04-03→2026-04-06 bbic_anmalan, screening_time 2026-04-06→2026-03-24 bbic_anmalan" {
				t.Errorf("deadline.moved events: %s", got)
			}
		})
	}
}

// feedbackYAML is a case type citizens open online, with a time limit
// counted from the day of what happened, which they give in the form.
const feedbackYAML = `
kind: form
id: feedback
name: {sv: Synpunkt}
sections:
  - id: s
    label: {sv: Händelsen}
    fields:
      - {id: happened_on, type: date, required: true, label: {sv: När hände det}}
      - {id: what, type: long_text, required: true, label: {sv: Vad hände}}
---
kind: case_type
id: feedback
name: {sv: Synpunkt}
field: IFO
start: received
steps:
  - {id: received, name: {sv: Inkommen}, forms: [feedback]}
  - {id: answered, name: {sv: Besvarad}, final: true}
transitions:
  - {id: answer, name: {sv: Besvara}, from: [received], to: answered, roles: [handlaggare]}
deadlines:
  - {id: answer_time, name: {sv: Svar inom fyra veckor}, start: case_opened, from: {form: feedback, field: happened_on}, period: 4w, met_by: [answered], on_overdue: [team_lead]}
citizen_application:
  form: feedback
  title: {sv: Lämna en synpunkt}
  next: {sv: Vi svarar inom fyra veckor.}
  unit: norra-bou
`

// TestApplicationCountsFromItsDate: a case a citizen opens online, with the
// form signed as theirs, counts a deadline with from from the date they
// gave, not from the day they sent it; a day after today is refused.
func TestApplicationCountsFromItsDate(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)) // Wednesday 25 March
			db := storetest.Open(t, engine, clock)
			world := newDemoWorld(t, db, 30, 20, clock.Now())
			svc, actor := world.svc, world.actorFunc(t)
			if _, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
				Files: []store.DefinitionFile{{Name: "feedback.yaml", Content: feedbackYAML}}}); err != nil {
				t.Fatal(err)
			}
			var adult persons.Person
			for _, p := range world.ds.Persons {
				if age, ok := p.Identity.Age(clock.Now()); ok && age >= 18 && p.Protection == persons.ProtectionNone {
					adult = p
					break
				}
			}
			sess, err := svc.SignInCitizen(ctx, demo.TenantID, adult.Identity.String(), service.CitizenByTest)
			if err != nil {
				t.Fatal(err)
			}
			citizen := sess.Actor
			apply := func(day string) (service.Receipt, error) {
				t.Helper()
				if _, err := svc.SaveApplicationDraft(ctx, citizen, adult.ID, "feedback", service.FormInput{Values: map[string]any{
					"happened_on": day, "what": "Hemtjänsten kom inte."}}, "sv"); err != nil {
					t.Fatal(err)
				}
				return svc.SubmitApplication(ctx, citizen, adult.ID, "feedback", "sv")
			}
			_, err = apply("2026-03-26")
			if e := (*trygg.Error)(nil); !asError(err, &e) || e.Code != trygg.EInvalid || !strings.Contains(e.Fields["values.happened_on"], "senare än i dag") {
				t.Fatalf("an application dated tomorrow: %v", err)
			}
			rc, err := apply("2026-03-11")
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.CaseProcess(ctx, actor("arbetsledare"), rc.Case.ID, "sv")
			if err != nil {
				t.Fatal(err)
			}
			// 11 March + 4 weeks, not 25 March + 4 weeks (22 April).
			if len(p.Timers) != 1 || p.Timers[0].DueDate != "2026-04-08" {
				t.Fatalf("timers of the application's case: %+v", p.Timers)
			}
		})
	}
}
