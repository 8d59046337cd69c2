package service_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// registrationDay is Wednesday 25 March 2026, 10:00 in Sweden.
var registrationDay = time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)

// eachOnRegistrationDay runs fn on each engine with the clock on
// registrationDay.
func eachOnRegistrationDay(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			fn(t, storetest.Open(t, engine, storetest.NewClock(registrationDay)))
		})
	}
}

// registrationWorld is the demo municipality with its population
// registry and the packs published, on registrationDay.
func registrationWorld(t *testing.T, db *store.DB) *demoWorld {
	t.Helper()
	ds := demo.Generate(demo.Options{Persons: 300, Staff: 40, Today: registrationDay})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	svc := storetest.Service(t, db, ds.Registry())
	if _, err := svc.LoadDemo(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	return &demoWorld{svc: svc, ds: ds}
}

// journeyPerson is the person of the demo's journey case of a case type.
func journeyPerson(t *testing.T, ds *demo.Dataset, caseType string) persons.Person {
	t.Helper()
	for _, c := range ds.Cases {
		if c.Journey && c.CaseType == caseType {
			for _, p := range ds.Persons {
				if p.ID == c.PersonID {
					return p
				}
			}
		}
	}
	t.Fatalf("no journey person of %s", caseType)
	return persons.Person{}
}

// draftOf returns the values of the case's draft of form.
func draftOf(t *testing.T, svc *service.Service, a trygg.Actor, caseID, form string) map[string]any {
	t.Helper()
	p, err := svc.CaseProcess(context.Background(), a, caseID, "sv")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Forms {
		if f.FormID == form {
			if f.Status != "draft" {
				t.Fatalf("the form %s is %q, want a draft", form, f.Status)
			}
			return f.State.Values
		}
	}
	t.Fatalf("the case has no form %s", form)
	return nil
}

// TestRegisteringAnApplicationFillsInWhatIsKnown: an officer registers an
// application for a person she may read; the unit's case types are
// offered, the case opens assigned to her, received today, titled by the
// case type, and the application form's draft names the representative
// from the person's relations, by name and role.
func TestRegisteringAnApplicationFillsInWhatIsKnown(t *testing.T) {
	eachOnRegistrationDay(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := registrationWorld(t, db)
		officer := w.actorFunc(t)("handlaggare")
		mother := journeyPerson(t, w.ds, demo.CaseType("ao"))
		var daughter persons.Person
		for _, r := range w.ds.Relations {
			if r.ToPersonID == mother.ID && r.Kind == persons.RelRepresentative {
				daughter = w.person(t, r.FromPersonID)
			}
		}

		v, err := w.svc.RegistrationForm(ctx, officer, service.RegistrationInput{PersonID: mother.ID}, "sv")
		if err != nil {
			t.Fatal(err)
		}
		want := []service.Representative{{Name: daughter.GivenName + " " + daughter.FamilyName, Kind: persons.RelRepresentative}}
		if v.PersonID != mother.ID || v.FamilyName != mother.FamilyName || v.Address != mother.Address || !slices.Equal(v.Representatives, want) {
			t.Errorf("the registration page shows %+v, want the mother with her daughter %v", v, want)
		}
		if v.Today != "2026-03-25" {
			t.Errorf("today is %s", v.Today)
		}
		// Seeing the daughter's name on the page is logged.
		seen, err := w.svc.AccessLog(ctx, w.actorFunc(t)("granskare"), store.AccessLogFilter{PersonID: daughter.ID, ActorID: officer.UserID})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(seen, func(e audit.Entry) bool { return e.Action == string(access.ReadPersonName) }) {
			t.Errorf("the page named the daughter without a log entry: %+v", seen)
		}
		var offered []string
		for _, c := range v.Choices {
			offered = append(offered, c.UnitID+" "+c.CaseType)
		}
		if !slices.Equal(offered, []string{"norra-ao ibic_sol_aldre"}) {
			t.Errorf("offered %v, want the home-care case type of the officer's elderly-care unit", offered)
		}

		c, err := w.svc.RegisterCase(ctx, officer, service.RegistrationInput{PersonID: mother.ID, UnitID: "norra-ao", CaseType: "ibic_sol_aldre"})
		if err != nil {
			t.Fatal(err)
		}
		if c.PersonID != mother.ID || c.AssignedTo != officer.UserID || c.ReceivedDate != "2026-03-25" || c.Step != "application" ||
			c.Title != "Ansökan om stöd och hjälp i hemmet" || !strings.HasPrefix(c.Reference, "ÄO-2026-") {
			t.Errorf("registered %+v", c)
		}
		got := draftOf(t, w.svc, officer, c.ID, "ibic_ansokan")
		if got["applicant_kind"] != "representative" || got["representative_name"] != want[0].Name || got["representative_role"] != "Ombud" {
			t.Errorf("the application's draft is %v, want the daughter as representative (Ombud)", got)
		}

		// A case type the unit does not take is not registered there.
		_, err = w.svc.RegisterCase(ctx, officer, service.RegistrationInput{PersonID: mother.ID, UnitID: "norra-ao", CaseType: "bbic_barn"})
		if trygg.ErrorCode(err) != trygg.EInvalid || err.(*trygg.Error).Fields["case_type"] == "" {
			t.Errorf("a BBIC case in elderly care: %v, want a field error on case_type", err)
		}
	})
}

// person returns the demo person with id.
func (w *demoWorld) person(t *testing.T, id string) persons.Person {
	t.Helper()
	for _, p := range w.ds.Persons {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no demo person %s", id)
	return persons.Person{}
}

// TestRegisteringAReportCountsFromTheDayItCameIn: a report registered as
// received five days ago has that day in the report form's draft, and
// the screening's 14 days count from it at once (before the report is
// signed); registered without a day, it was received today. A day after
// today is refused, and nothing is written.
func TestRegisteringAReportCountsFromTheDayItCameIn(t *testing.T) {
	eachOnRegistrationDay(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := registrationWorld(t, db)
		officer := w.actorFunc(t)("utredare")
		child := journeyPerson(t, w.ds, demo.CaseType("bou"))
		due := func(c store.Case) string {
			t.Helper()
			p, err := w.svc.CaseProcess(ctx, officer, c.ID, "sv")
			if err != nil {
				t.Fatal(err)
			}
			for _, tm := range p.Timers {
				if tm.DeadlineID == "screening_time" && tm.Kind == "overdue" && tm.Status == "pending" {
					return tm.DueDate
				}
			}
			return ""
		}
		register := func(received string) (store.Case, error) {
			return w.svc.RegisterCase(ctx, officer, service.RegistrationInput{PersonID: child.ID, UnitID: "norra-bou", CaseType: "bbic_barn",
				ReceivedDate: received, Title: "Orosanmälan från skolan"})
		}

		// Friday 20 March: the 14 days end on Good Friday, 3 April.
		c, err := register("2026-03-20")
		if err != nil {
			t.Fatal(err)
		}
		if c.ReceivedDate != "2026-03-20" || c.Title != "Orosanmälan från skolan" {
			t.Errorf("registered %+v", c)
		}
		if got := draftOf(t, w.svc, officer, c.ID, "bbic_anmalan")["received_date"]; got != "2026-03-20" {
			t.Errorf("the report's received date is %v, want 2026-03-20", got)
		}
		if got := due(c); got != "2026-04-03" {
			t.Errorf("the screening is due %s, want 2026-04-03 (14 days from the day the report came in)", got)
		}
		today, err := register("")
		if err != nil {
			t.Fatal(err)
		}
		if today.ReceivedDate != "2026-03-25" || due(today) != "2026-04-08" {
			t.Errorf("registered without a day: received %s, due %s; want today and 14 days on", today.ReceivedDate, due(today))
		}

		before, _ := db.CasesOfPerson(ctx, demo.TenantID, child.ID)
		seq := lastSeq(t, ctx, db)
		for _, day := range []string{"2026-03-26", "25 mars", "2026-02-30"} {
			_, err := register(day)
			if trygg.ErrorCode(err) != trygg.EInvalid || err.(*trygg.Error).Fields["received_date"] == "" {
				t.Errorf("received %q: %v, want a field error on received_date", day, err)
			}
		}
		if after, _ := db.CasesOfPerson(ctx, demo.TenantID, child.ID); len(after) != len(before) || lastSeq(t, ctx, db) != seq {
			t.Errorf("a refused registration wrote something: %d cases (was %d), events to %d (was %d)", len(after), len(before), lastSeq(t, ctx, db), seq)
		}
	})
}

// TestRegisteringIsNoWayToRead: for a person in another district the
// registration page shows only what the population registry says (the
// same as for a person social services do not know), and registering by
// id is answered as for a person who does not exist; by full identity
// number it opens the case, logged on the identity_number ground. A
// person with protected identity is refused without saying why, on the
// page and when registering, and nothing is written. A person only the
// registry knows is registered with the case.
func TestRegisteringIsNoWayToRead(t *testing.T) {
	eachOnRegistrationDay(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := registrationWorld(t, db)
		as := w.actorFunc(t)
		officer := as("handlaggare")
		other := outsider(t, w.ds, persons.ProtectionNone, "norra-")
		protected := outsider(t, w.ds, persons.ProtectionProtected, "norra-")
		var fresh persons.RegistryRecord
		for _, r := range w.ds.RegistryOnly {
			if r.Protection == persons.ProtectionNone {
				fresh = r
				break
			}
		}
		register := func(in service.RegistrationInput) (store.Case, error) {
			in.UnitID, in.CaseType = "norra-ao", "ibic_sol_aldre"
			return w.svc.RegisterCase(ctx, officer, in)
		}

		// The page: by id not found; by number the registry's record,
		// the same for a known and an unknown person.
		if _, err := w.svc.RegistrationForm(ctx, officer, service.RegistrationInput{PersonID: other.ID}, "sv"); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Errorf("the page for a person the officer may not read, by id: %v, want not found", err)
		}
		for _, p := range []struct {
			number, given string
		}{{other.Identity.String(), other.GivenName}, {fresh.Identity.String(), fresh.GivenName}} {
			v, err := w.svc.RegistrationForm(ctx, officer, service.RegistrationInput{IdentityNumber: p.number}, "sv")
			if err != nil {
				t.Fatal(err)
			}
			if v.PersonID != "" || v.GivenName != p.given || len(v.Representatives) != 0 || v.NeedsName {
				t.Errorf("the page by identity number shows %+v, want the registry's record only", v)
			}
		}

		// Registering: by id, the answer for an id nobody has.
		_, missing := register(service.RegistrationInput{PersonID: "00000000-0000-4000-8000-000000000000"})
		if _, err := register(service.RegistrationInput{PersonID: other.ID}); err == nil || err.Error() != missing.Error() || !equalFields(err, missing) {
			t.Errorf("by id, a person the officer may not read: %v, want %v", err, missing)
		}
		c, err := register(service.RegistrationInput{IdentityNumber: other.Identity.String()})
		if err != nil {
			t.Fatalf("by identity number: %v", err)
		}
		if c.PersonID != other.ID {
			t.Errorf("the case is for %s, want %s", c.PersonID, other.ID)
		}
		first, err := w.svc.AccessLog(ctx, as("granskare"), store.AccessLogFilter{EmergencyOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(first, func(e audit.Entry) bool {
			return e.PersonID == other.ID && e.CaseID == c.ID && e.Ground == string(access.RelIdentityNumber)
		}) {
			t.Errorf("the registration by identity number is not among the entries the log review lists first")
		}

		// A protected person: refused alike on the page and when
		// registering, without a word about protection; nothing written.
		seq := lastSeq(t, ctx, db)
		_, pageErr := w.svc.RegistrationForm(ctx, officer, service.RegistrationInput{IdentityNumber: protected.Identity.String()}, "sv")
		_, regErr := register(service.RegistrationInput{IdentityNumber: protected.Identity.String()})
		for _, err := range []error{pageErr, regErr} {
			if trygg.ErrorCode(err) != trygg.EForbidden || strings.Contains(strings.ToLower(trygg.ErrorMessage(err)), "protect") {
				t.Errorf("a protected person: %v, want forbidden without naming protection", err)
			}
		}
		if cs, _ := db.CasesOfPerson(ctx, demo.TenantID, protected.ID); len(cs) != len(casesOf(w.ds, protected.ID)) || lastSeq(t, ctx, db) != seq {
			t.Errorf("a refused registration for a protected person wrote something")
		}

		// Someone only the registry knows: registered with the case,
		// readable by the officer from then on.
		c, err = register(service.RegistrationInput{IdentityNumber: fresh.Identity.String()})
		if err != nil {
			t.Fatal(err)
		}
		pv, err := w.svc.Person(ctx, officer, c.PersonID)
		if err != nil || pv.GivenName != fresh.GivenName {
			t.Errorf("the new person: %+v %v", pv, err)
		}
		if got := draftOf(t, w.svc, officer, c.ID, "ibic_ansokan")["applicant_kind"]; got != "self" {
			t.Errorf("the new person applies as %v, want self (no one acts for them)", got)
		}
		ev, err := db.CaseEvents(ctx, demo.TenantID, c.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var opened map[string]any
		for _, e := range ev {
			if e.Type == "case.opened" {
				_ = json.Unmarshal(e.Payload, &opened)
			}
		}
		if opened["received_date"] != "2026-03-25" {
			t.Errorf("case.opened records the received date %v, want 2026-03-25", opened["received_date"])
		}
	})
}
