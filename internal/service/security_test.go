package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// outsider returns a demo person with protection prot whose cases are all
// in units whose id does not start with avoid, and who has at least one.
func outsider(t *testing.T, ds *demo.Dataset, prot persons.Protection, avoid string) persons.Person {
	t.Helper()
	units := map[string][]string{}
	for _, c := range ds.Cases {
		units[c.PersonID] = append(units[c.PersonID], c.UnitID)
	}
	for _, p := range ds.Persons[12:] {
		if p.Protection != prot || len(units[p.ID]) == 0 {
			continue
		}
		ok := true
		for _, u := range units[p.ID] {
			ok = ok && !strings.HasPrefix(u, avoid)
		}
		if ok {
			return p
		}
	}
	t.Fatalf("the demo has no person with protection %q outside %s", prot, avoid)
	return persons.Person{}
}

// TestOpeningACaseIsNoWayToRead: an officer who names, by id, a person
// she may not read cannot open a case for them, and gets the answer a
// person who does not exist gets; nothing is written and the person stays
// unreadable. Naming them by full identity number is the explicit path:
// it opens the case and is logged on its own ground, which the log
// review lists first. A protected person is refused without saying why.
func TestOpeningACaseIsNoWayToRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newDemoWorld(t, db, 300, 40, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		as := w.actorFunc(t)
		officer, reviewer := as("handlaggare"), as("granskare")
		other := outsider(t, w.ds, persons.ProtectionNone, "norra-")
		protected := outsider(t, w.ds, persons.ProtectionProtected, "norra-")
		open := func(in service.OpenCaseInput) (store.Case, error) {
			in.UnitID, in.CaseType, in.Title = "norra-ao", demo.CaseType("ao"), "Ansökan om hemtjänst"
			return w.svc.OpenCase(ctx, officer, in)
		}
		unreadable := func(p persons.Person) {
			t.Helper()
			if _, err := w.svc.Person(ctx, officer, p.ID); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Fatalf("the officer reads person %s: %v, want not found", p.ID, err)
			}
		}
		unreadable(other)
		unreadable(protected)
		casesBefore, _ := db.CasesOfPerson(ctx, demo.TenantID, other.ID)

		// By id: the same answer as for an id nobody has.
		_, missing := open(service.OpenCaseInput{PersonID: "00000000-0000-4000-8000-000000000000"})
		if trygg.ErrorCode(missing) != trygg.EInvalid {
			t.Fatalf("a missing person: %v, want invalid", missing)
		}
		for _, p := range []persons.Person{other, protected} {
			_, err := open(service.OpenCaseInput{PersonID: p.ID})
			if err == nil || err.Error() != missing.Error() || !equalFields(err, missing) {
				t.Errorf("a person the officer may not read (protection %q): %v, want the answer for a missing person, %v", p.Protection, err, missing)
			}
		}
		if after, _ := db.CasesOfPerson(ctx, demo.TenantID, other.ID); len(after) != len(casesBefore) {
			t.Fatalf("a refused opening wrote a case")
		}
		unreadable(other)

		// By identity number: opened, logged on its own ground, listed first.
		c, err := open(service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: other.Identity.String()}})
		if err != nil {
			t.Fatalf("opening by identity number: %v", err)
		}
		if c.PersonID != other.ID {
			t.Fatalf("the case is for %s, want %s", c.PersonID, other.ID)
		}
		first, err := w.svc.AccessLog(ctx, reviewer, store.AccessLogFilter{EmergencyOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range first {
			found = found || (e.PersonID == other.ID && e.CaseID == c.ID && e.Ground == string(access.RelIdentityNumber) && e.ActorID == officer.UserID)
		}
		if !found {
			t.Errorf("the opening by identity number is not among the entries the log review lists first: %+v", first)
		}

		// A protected person by identity number: refused, without a word
		// about protection, and nothing written.
		_, err = open(service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: protected.Identity.String()}})
		if trygg.ErrorCode(err) != trygg.EForbidden || strings.Contains(strings.ToLower(trygg.ErrorMessage(err)), "protect") {
			t.Errorf("a protected person by identity number: %v, want forbidden without naming protection", err)
		}
		if cs, _ := db.CasesOfPerson(ctx, demo.TenantID, protected.ID); len(cs) != len(casesOf(w.ds, protected.ID)) {
			t.Errorf("a refused opening for a protected person wrote a case")
		}
	})
}

func casesOf(ds *demo.Dataset, personID string) []demo.Case {
	var out []demo.Case
	for _, c := range ds.Cases {
		if c.PersonID == personID {
			out = append(out, c)
		}
	}
	return out
}

func equalFields(a, b error) bool {
	ea, _ := a.(*trygg.Error)
	eb, _ := b.(*trygg.Error)
	if ea == nil || eb == nil || len(ea.Fields) != len(eb.Fields) {
		return false
	}
	for k, v := range ea.Fields {
		if eb.Fields[k] != v {
			return false
		}
	}
	return true
}

// TestRegisteringAKnownPersonTellsNothing: registering a person answers
// the same whether they were registered before or not (no conflict that
// tells they are a client), keeps the known person's id, and does not let
// the officer read them; the lookup is logged on the identity-number
// ground.
func TestRegisteringAKnownPersonTellsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		today := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		ds := demo.Generate(demo.Options{Persons: 300, Staff: 40, Today: today})
		svc := storetest.Service(t, db, ds.Registry())
		if _, err := svc.LoadDemo(ctx, ds); err != nil {
			t.Fatal(err)
		}
		w := &demoWorld{svc: svc, ds: ds}
		officer := w.actorFunc(t)("handlaggare")
		known := outsider(t, ds, persons.ProtectionNone, "norra-")
		fresh := ds.RegistryOnly[0]
		if fresh.Protection != persons.ProtectionNone {
			t.Skip("the first registry-only person is protected")
		}
		var answers []persons.Person
		for _, number := range []string{fresh.Identity.String(), known.Identity.String()} {
			p, err := svc.RegisterPerson(ctx, officer, service.RegisterPersonInput{PersonInput: service.PersonInput{IdentityNumber: number}, UnitID: "norra-ao"})
			if err != nil {
				t.Fatalf("register: %v", err)
			}
			answers = append(answers, p)
		}
		if answers[1].ID != known.ID {
			t.Errorf("registering a known person answers id %s, want the known %s", answers[1].ID, known.ID)
		}
		if _, err := svc.Person(ctx, officer, known.ID); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Errorf("registering made the person readable: %v", err)
		}
		log, err := svc.AccessLog(ctx, w.actorFunc(t)("granskare"), store.AccessLogFilter{PersonID: known.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 0 || log[0].Ground != string(access.RelIdentityNumber) {
			t.Errorf("the lookup of a known person is not logged on the identity-number ground: %+v", log)
		}
	})
}

// TestNoAccountIsTheSystemActor: an account asked for with the id "system"
// gets an id the server makes; it is never the system actor, and passes
// none of the checks the system actor passes.
func TestNoAccountIsTheSystemActor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newDemoWorld(t, db, 30, 20, time.Time{})
		admin := w.actorFunc(t)("admin")
		u, err := w.svc.CreateUser(ctx, admin, service.UserInput{ID: trygg.SystemActorID, Username: "system", DisplayName: "System",
			Grants: []trygg.Grant{{Role: trygg.RoleOfficer, UnitID: "norra-ao"}}})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == trygg.SystemActorID {
			t.Fatalf("the account got the id %q", u.ID)
		}
		a, err := w.svc.ActorByUsername(ctx, demo.TenantID, "system")
		if err != nil {
			t.Fatal(err)
		}
		if a.IsSystem() || a.UserID == trygg.SystemActorID {
			t.Fatalf("the account acts as the system actor: %+v", a)
		}
		if _, err := w.svc.CreateUnit(ctx, a, service.UnitInput{Name: "Egen enhet", Kind: "unit", Field: "ifo", ParentID: "soc"}); trygg.ErrorCode(err) != trygg.EForbidden {
			t.Errorf("the account named system creates a unit: %v, want forbidden", err)
		}
		if _, err := w.svc.CreateUser(ctx, a, service.UserInput{Username: "x2", DisplayName: "X"}); trygg.ErrorCode(err) != trygg.EForbidden {
			t.Errorf("the account named system creates a user: %v, want forbidden", err)
		}
	})
}

// TestGrantsAreEventsAndCitizensComeFromEID: an administrator cannot bind
// an account to a person (citizens' accounts come from e-identification)
// or grant the citizen role; every grant is in the event log with what
// was granted, and grants of the protected-identity permission are listed
// for the log reviewer.
func TestGrantsAreEventsAndCitizensComeFromEID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newDemoWorld(t, db, 30, 20, time.Time{})
		as := w.actorFunc(t)
		admin, reviewer := as("admin"), as("granskare")
		someone := w.ds.Persons[20]
		for _, tc := range []struct {
			name  string
			in    service.UserInput
			field string
		}{
			{"bound to a person", service.UserInput{Username: "fake-citizen", DisplayName: "X", PersonID: someone.ID,
				Grants: []trygg.Grant{{Role: trygg.RoleOfficer, UnitID: "norra-ao"}}}, "person_id"},
			{"the citizen role", service.UserInput{Username: "fake-citizen2", DisplayName: "X",
				Grants: []trygg.Grant{{Role: trygg.RoleCitizen, UnitID: "soc"}}}, "grants"},
		} {
			_, err := w.svc.CreateUser(ctx, admin, tc.in)
			if !hasField(err, tc.field) {
				t.Errorf("%s: %v, want a field error on %s", tc.name, err, tc.field)
			}
			if _, err := w.svc.ActorByUsername(ctx, demo.TenantID, tc.in.Username); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Errorf("%s: the account was created (%v)", tc.name, err)
			}
		}

		before := lastSeq(t, ctx, db)
		u, err := w.svc.CreateUser(ctx, admin, service.UserInput{Username: "skyddad2", DisplayName: "Sara Skydd", ProtectedIdentity: true,
			Grants: []trygg.Grant{{Role: trygg.RoleOfficer, UnitID: "norra-bou"}}})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := db.Events(ctx, demo.TenantID, before, 100)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]map[string]any{}
		for _, e := range evs {
			var p map[string]any
			_ = json.Unmarshal(e.Payload, &p)
			kinds[e.Type] = p
			if e.ActorID != admin.UserID || e.SubjectID != u.ID {
				t.Errorf("event %s by %s about %s, want by the admin about the new account", e.Type, e.ActorID, e.SubjectID)
			}
		}
		if p := kinds[events.UserCreated]; p == nil || p["protected_identity"] != true {
			t.Errorf("user.created does not say the account may see protected identities: %v", p)
		}
		if p := kinds[events.RoleGranted]; p == nil || p["role"] != string(trygg.RoleOfficer) {
			t.Errorf("user.role_granted does not name the role: %v", p)
		}
		if p := kinds[events.PermissionGranted]; p == nil || p["permission"] != service.PermissionProtectedIdentity {
			t.Errorf("no user.permission_granted for the protected-identity permission: %v", kinds)
		}
		grants, err := w.svc.PermissionGrants(ctx, reviewer)
		if err != nil {
			t.Fatal(err)
		}
		if len(grants) == 0 || grants[0].UserID != u.ID || grants[0].By != admin.UserID {
			t.Errorf("the log review does not list the grant first: %+v", grants)
		}
		if _, err := w.svc.PermissionGrants(ctx, admin); trygg.ErrorCode(err) != trygg.EForbidden {
			t.Errorf("an administrator reads the grant list: %v", err)
		}
	})
}

// TestProtectedCaseAssignedOnlyWithPermission: a protected person's case
// is assigned only to someone who may see protected identities.
func TestProtectedCaseAssignedOnlyWithPermission(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newDemoWorld(t, db, 30, 20, time.Time{})
		as := w.actorFunc(t)
		lead, err := w.svc.CreateUser(ctx, as("admin"), service.UserInput{Username: "ledare-skydd", DisplayName: "Lea Ledare",
			ProtectedIdentity: true, Grants: []trygg.Grant{{Role: trygg.RoleTeamLead, UnitID: "norra-omr"}}})
		if err != nil {
			t.Fatal(err)
		}
		leadActor := as(lead.Username)
		var hidden string
		for _, c := range w.ds.Cases {
			if c.Journey && c.UnitID == "norra-bou" && c.Title == "Orosanmälan" {
				hidden = c.ID
			}
		}
		if hidden == "" {
			t.Fatal("no protected journey case")
		}
		users := map[string]string{"utredare": as("utredare").UserID, "skyddad": as("skyddad").UserID}
		_, err = w.svc.AssignCase(ctx, leadActor, hidden, service.AssignInput{UserID: users["utredare"]})
		if !hasField(err, "user_id") {
			t.Errorf("assigning a protected person's case to an officer without the permission: %v, want a field error", err)
		}
		c, err := w.svc.AssignCase(ctx, leadActor, hidden, service.AssignInput{UserID: users["skyddad"]})
		if err != nil || c.AssignedTo != users["skyddad"] {
			t.Errorf("assigning it to an officer with the permission: %v", err)
		}
		// The team lead without the permission neither sees nor assigns it.
		if _, err := w.svc.AssignCase(ctx, as("arbetsledare"), hidden, service.AssignInput{UserID: users["skyddad"]}); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Errorf("a team lead without the permission assigns the case: %v, want not found", err)
		}
		view, err := w.svc.Inbox(ctx, as("arbetsledare"), service.InboxInput{Team: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, ic := range view.Cases {
			if ic.ID == hidden {
				t.Errorf("the team inbox of a team lead without the permission lists the protected person's case")
			}
		}
	})
}
