package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// TestInboxSaysWhoseCaseItIs: every inbox row names its person (name,
// masked identity number), the case's reference and the day it came in;
// the persons named are logged once each on the ground of reading the
// case; the cases sort by name, reference or the day received, either
// way, and filter by name or reference, step and overdue. A citizen's
// application is a task "Ny ansökan" for the officer it goes to until an
// officer who may work the case opens it, and a case assigned to
// another officer takes its citizen's tasks along.
func TestInboxSaysWhoseCaseItIs(t *testing.T) {
	eachOnRegistrationDay(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := registrationWorld(t, db)
		as := w.actorFunc(t)
		officer, lead, reviewer := as("handlaggare"), as("arbetsledare"), as("granskare")
		mother := journeyPerson(t, w.ds, demo.CaseType("ao"))
		inbox := func(a trygg.Actor, in service.InboxInput) service.InboxView {
			t.Helper()
			v, err := w.svc.Inbox(ctx, a, in)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		named := func(a trygg.Actor) []audit.Entry {
			t.Helper()
			log, err := w.svc.AccessLog(ctx, reviewer, store.AccessLogFilter{ActorID: a.UserID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			return slices.DeleteFunc(log, func(e audit.Entry) bool { return e.Action != string(access.ReadPersonName) })
		}

		v := inbox(officer, service.InboxInput{})
		if len(v.Cases) == 0 {
			t.Fatal("the officer's inbox is empty")
		}
		persons := map[string]bool{}
		for _, c := range v.Cases {
			persons[c.PersonID] = true
			if c.PersonName == "" || !strings.HasSuffix(c.IdentityMasked, "-****") || !strings.HasPrefix(c.Reference, "ÄO-") ||
				len(c.ReceivedDate) != len("2026-03-25") {
				t.Fatalf("a row that does not say whose case it is: %+v", c)
			}
		}
		for _, task := range v.Tasks {
			persons[task.PersonID] = true
		}
		log := named(officer)
		if len(log) != len(persons) {
			t.Errorf("the inbox logged %d names, want one per person shown (%d)", len(log), len(persons))
		}
		for _, e := range log {
			if e.Ground != string(access.RelAssigned) || e.CaseID == "" {
				t.Errorf("an inbox entry: %+v, want the officer's case on the assigned ground", e)
			}
		}

		// Sorted by name in Swedish order, and the other way round.
		col := collate.New(language.Swedish)
		byName := inbox(officer, service.InboxInput{Sort: "name"}).Cases
		if !slices.IsSortedFunc(byName, func(a, b store.InboxCase) int { return col.CompareString(a.SortName, b.SortName) }) {
			t.Error("by name: not in Swedish alphabetical order")
		}
		desc := inbox(officer, service.InboxInput{Sort: "name", Desc: true}).Cases
		if len(desc) != len(byName) || desc[0].SortName != byName[len(byName)-1].SortName {
			t.Error("by name, the other way round")
		}
		byRef := inbox(officer, service.InboxInput{Sort: "reference"}).Cases
		if !slices.IsSortedFunc(byRef, func(a, b store.InboxCase) int { return strings.Compare(a.Reference, b.Reference) }) {
			t.Error("by reference: not in order")
		}
		byDay := inbox(officer, service.InboxInput{Sort: "received", Desc: true}).Cases
		if !slices.IsSortedFunc(byDay, func(a, b store.InboxCase) int { return strings.Compare(b.ReceivedDate, a.ReceivedDate) }) {
			t.Error("by the day received, newest first: not in order")
		}
		if _, err := w.svc.Inbox(ctx, officer, service.InboxInput{Sort: "colour"}); trygg.ErrorCode(err) != trygg.EInvalid {
			t.Errorf("an unknown order: %v, want invalid", err)
		}

		// Filtered by her family name (any case), by a reference, by step.
		var hers store.InboxCase
		for _, c := range inbox(officer, service.InboxInput{Search: strings.ToLower(mother.FamilyName)}).Cases {
			if !strings.HasSuffix(c.PersonName, " "+mother.FamilyName) {
				t.Errorf("searching %q found %s", mother.FamilyName, c.PersonName)
			}
			if c.PersonID == mother.ID {
				hers = c
			}
		}
		if hers.ID == "" {
			t.Fatal("searching her family name did not find her case")
		}
		if got := inbox(officer, service.InboxInput{Search: hers.Reference}).Cases; len(got) != 1 || got[0].ID != hers.ID {
			t.Errorf("searching the reference %s found %d cases", hers.Reference, len(got))
		}
		for _, c := range inbox(officer, service.InboxInput{Step: "investigation"}).Cases {
			if c.Step != "investigation" {
				t.Errorf("the step filter kept a case in %s", c.Step)
			}
		}
		for _, c := range inbox(officer, service.InboxInput{Overdue: true}).Cases {
			if !c.Overdue {
				t.Errorf("the overdue filter kept a case due %s", c.NextDue)
			}
		}

		// The team's inbox: the team lead sees names on the unit ground.
		inbox(lead, service.InboxInput{Team: true, Search: hers.Reference})
		if log := named(lead); len(log) != 1 || log[0].PersonID != mother.ID || log[0].Ground != string(access.RelUnit) {
			t.Errorf("the team's inbox logged %+v, want the mother on the unit ground", log)
		}

		// A citizen's application is a task until the case is opened.
		dotter := as("dotter")
		if _, err := w.svc.SaveApplicationDraft(ctx, dotter, mother.ID, "ibic_sol_aldre", service.FormInput{Values: map[string]any{
			"applicant_kind": "self", "applied_sol": []string{"trygghetslarm"}, "own_description": "Jag vill ha ett trygghetslarm."}}, "sv"); err != nil {
			t.Fatal(err)
		}
		receipt, err := w.svc.SubmitApplication(ctx, dotter, mother.ID, "ibic_sol_aldre", "sv")
		if err != nil {
			t.Fatal(err)
		}
		task := func(a trygg.Actor, caseID, kind string) bool {
			t.Helper()
			return slices.ContainsFunc(inbox(a, service.InboxInput{}).Tasks, func(x store.Task) bool {
				return x.CaseID == caseID && x.Kind == kind && x.PersonID == mother.ID && x.Title != ""
			})
		}
		if !task(officer, receipt.Case.ID, service.TaskApplication) {
			t.Fatal("the new application is not a task in the officer's inbox")
		}
		if _, err := w.svc.CaseOverview(ctx, officer, receipt.Case.ID, "sv"); err != nil {
			t.Fatal(err)
		}
		if task(officer, receipt.Case.ID, service.TaskApplication) {
			t.Error("the application is still a task after the officer opened the case")
		}

		// A message's task goes with the case to its new officer.
		if _, err := w.svc.SendCitizenMessage(ctx, dotter, mother.ID, receipt.Case.ID, "När kommer ni?"); err != nil {
			t.Fatal(err)
		}
		ws, err := w.svc.AssignableUsers(ctx, lead, "norra-ao")
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ws, func(u store.User) bool { return u.ID != officer.UserID && u.Username != "skyddad" })
		if i < 0 {
			t.Fatal("no other officer in norra-ao")
		}
		if _, err := w.svc.AssignCase(ctx, lead, receipt.Case.ID, service.AssignInput{UserID: ws[i].ID}); err != nil {
			t.Fatal(err)
		}
		other, err := w.svc.ActorByUsername(ctx, demo.TenantID, ws[i].Username)
		if err != nil {
			t.Fatal(err)
		}
		if task(officer, receipt.Case.ID, service.TaskMessage) || !task(other, receipt.Case.ID, service.TaskMessage) {
			t.Error("the message's task did not go with the case to its new officer")
		}
	})
}
