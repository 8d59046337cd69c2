package service_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// registryWorld is a demo municipality on 23 November 2026 with a home-care
// provider, a file registry whose change folder the test writes, and
// cases of an older person (protected by a change), a person who dies
// (both with accepted orders, assigned to an officer) and a child whose
// custody changes.
type registryWorld struct {
	ctx     context.Context
	db      *store.DB
	svc     *service.Service
	reg     *persons.FileRegistry
	dir     string
	officer trygg.Actor
	staff   trygg.Actor
	// elder, dying, child, guardian, mover: persons; orders by person id.
	elder, dying, child, guardian, mover persons.Person
	childCase, elderCase, dyingCase      string
	orders                               map[string]string
}

func newRegistryWorld(t *testing.T, engine string) *registryWorld {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, engine, clock)
	dw := newDemoWorld(t, db, 30, 5, clock.Now())
	actor := dw.actorFunc(t)
	var files []store.DefinitionFile
	for _, f := range packs.Files() {
		files = append(files, store.DefinitionFile{Name: f.Name, Content: f.Content})
	}
	dv, err := dw.svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{Files: files})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := dw.svc.CreateProvider(ctx, actor("admin"), service.ProviderInput{Name: "Test Omsorg AB", Kind: service.ProviderExternal,
		OrgNumber: "5598765435", Insatser: []string{"hemtjanst_omvardnad"}})
	if err != nil {
		t.Fatal(err)
	}
	w := &registryWorld{ctx: ctx, db: db, svc: dw.svc, reg: persons.NewFileRegistry(), dir: t.TempDir(), orders: map[string]string{},
		staff: trygg.Actor{Tenant: demo.TenantID, UserID: "test-provider-staff", ProviderID: prov.ID,
			Grants: []trygg.Grant{{Role: trygg.RoleProvider, UnitID: "soc"}}}}
	for _, u := range dw.ds.Users {
		if len(u.Grants) == 1 && u.Grants[0].Role == trygg.RoleOfficer && !u.ProtectedIdentity {
			w.officer = actor(u.Username)
			break
		}
	}
	if w.officer.UserID == "" {
		t.Fatal("no officer without the protected-identity permission in the demo")
	}
	today := clock.Now()
	byID := map[string]persons.Person{}
	for _, p := range dw.ds.Persons {
		byID[p.ID] = p
	}
	guardians := map[string]int{}
	for _, r := range dw.ds.Relations {
		if r.Kind == persons.RelGuardian {
			guardians[r.ToPersonID]++
		}
	}
	for _, r := range dw.ds.Relations {
		child := byID[r.ToPersonID]
		if age, ok := child.Identity.Age(today); r.Kind == persons.RelGuardian && guardians[child.ID] == 1 && ok && age < 16 &&
			child.Protection == persons.ProtectionNone && byID[r.FromPersonID].Protection == persons.ProtectionNone {
			w.child, w.guardian = child, byID[r.FromPersonID]
			break
		}
	}
	if w.child.ID == "" {
		t.Fatal("no child with one guardian in the demo")
	}
	var adults []persons.Person
	for _, p := range dw.ds.Persons {
		if age, ok := p.Identity.Age(today); ok && age >= 30 && p.Protection == persons.ProtectionNone && p.ID != w.guardian.ID &&
			p.Identity.Type == persons.IDPersonnummer {
			adults = append(adults, p)
		}
	}
	w.elder, w.dying, w.mover = adults[0], adults[1], adults[2]
	for _, p := range dw.ds.Persons {
		w.reg.Add(persons.RegistryRecord{Identity: p.Identity, GivenName: p.GivenName, FamilyName: p.FamilyName, Address: p.Address, Protection: p.Protection})
	}
	unit := w.officer.Grants[0].UnitID
	err = db.Update(ctx, func(tx *store.Tx) error {
		for _, p := range []persons.Person{w.elder, w.dying, w.child, w.mover} {
			c := store.Case{ID: uuid.NewString(), PersonID: p.ID, UnitID: unit, CaseType: "ibic_sol_aldre",
				Title: "Hemtjänst", Status: "open", DefinitionVersion: dv.Version, Step: "implementation", AssignedTo: w.officer.UserID, OpenedAt: tx.Now}
			if err := tx.InsertCase(ctx, demo.TenantID, c); err != nil {
				return err
			}
			switch p.ID {
			case w.child.ID:
				w.childCase = c.ID
				continue
			case w.elder.ID:
				w.elderCase = c.ID
			case w.dying.ID:
				w.dyingCase = c.ID
			}
			d := store.Decision{ID: uuid.NewString(), CaseID: c.ID, Insats: "hemtjanst_omvardnad", Outcome: process.OutcomeGranted,
				LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-10-01", Amount: 2400, Justification: "Behov.", DraftedBy: w.officer.UserID}
			if err := tx.SaveDecisionDraft(ctx, demo.TenantID, d); err != nil {
				return err
			}
			if err := tx.FinaliseDecision(ctx, demo.TenantID, d.ID, w.officer.UserID, ""); err != nil {
				return err
			}
			o := store.Order{ID: uuid.NewString(), CaseID: c.ID, DecisionID: d.ID, PersonID: c.PersonID, ProviderID: prov.ID,
				UnitID: c.UnitID, Insats: d.Insats, Amount: d.Amount, AmountUnit: process.UnitHours, ValidFrom: d.ValidFrom,
				Status: store.OrderAccepted, StartDate: "2026-10-01", Revision: 1,
				Content: store.OrderContent{InsatsLabel: "Hemtjänst", Needs: []store.OrderNeed{}, Goals: []store.OrderGoal{}}}
			if err := tx.InsertOrder(ctx, demo.TenantID, o); err != nil {
				return err
			}
			w.orders[p.ID] = o.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.reg.ReadChanges(w.dir); err != nil {
		t.Fatal(err)
	}
	return w
}

// write puts a change file in the registry's folder.
func (w *registryWorld) write(t *testing.T, name string, lines ...string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// apply applies the registry's changes as owner and returns how many it
// handled.
func (w *registryWorld) apply(t *testing.T, owner string) int {
	t.Helper()
	n, _, err := w.svc.ApplyRegistryChanges(w.ctx, demo.TenantID, w.reg, owner, 100)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// providerSees reports whether the provider's staff have the order in
// their list, on their day and when they open it.
func (w *registryWorld) providerSees(t *testing.T, orderID string) (list, day, open bool) {
	t.Helper()
	orders, err := w.svc.ProviderOrders(w.ctx, w.staff, service.OrdersInput{})
	if err != nil {
		t.Fatal(err)
	}
	list = slices.ContainsFunc(orders, func(o store.Order) bool { return o.ID == orderID })
	pd, err := w.svc.DayVisits(w.ctx, w.staff, "2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	day = slices.ContainsFunc(pd.Orders, func(o store.Order) bool { return o.ID == orderID })
	_, err = w.svc.Order(w.ctx, w.staff, orderID)
	return list, day, err == nil
}

// citizen is a citizen's actor for the person.
func citizen(p persons.Person) trygg.Actor {
	return trygg.Actor{Tenant: demo.TenantID, UserID: "citizen-" + p.ID, PersonID: p.ID, Grants: []trygg.Grant{{Role: trygg.RoleCitizen}}}
}

// actsFor reports whether the citizen p may act for the child on Mina
// sidor and sees the child's case there.
func (w *registryWorld) actsFor(t *testing.T, p persons.Person) (subject, sees bool) {
	t.Helper()
	subs, err := w.svc.CitizenSubjects(w.ctx, citizen(p))
	if err != nil {
		t.Fatal(err)
	}
	subject = slices.ContainsFunc(subs, func(s service.Subject) bool { return s.PersonID == w.child.ID })
	o, err := w.svc.CitizenOverview(w.ctx, citizen(p), w.child.ID, "sv")
	switch trygg.ErrorCode(err) {
	case "":
		sees = slices.ContainsFunc(o.Cases, func(c store.Case) bool { return c.ID == w.childCase })
	case trygg.ENotFound, trygg.EForbidden:
	default:
		t.Fatal(err)
	}
	return subject, sees
}

// TestRegistryChanges applies a change file and checks what each change
// does for those who use trygg: a protection hides the person from the
// officer without the permission (search and case page) and the order
// from the provider's staff at once; an address is the person's; a death
// ends the person's running order on the day of death and puts a task in
// the officer's inbox; a custody change moves the child on Mina sidor
// from the old guardian to the new one (registered from the registry); a
// new identity number finds the same person. A bad record, and one about
// someone trygg does not hold, are recorded and passed; each change
// applied has its event; a change delivered again is not applied again,
// and a second server applies nothing while the first holds the lease.
func TestRegistryChanges(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newRegistryWorld(t, engine)
			ctx := w.ctx
			// A new guardian whom only the registry knows.
			newGuardian := persons.GenerateTestNumber(time.Date(1984, 4, 4, 0, 0, 0, 0, time.UTC), "F", 7)
			w.reg.Add(persons.RegistryRecord{Identity: newGuardian, GivenName: "Nina", FamilyName: "Nyvårdnad", Address: persons.Address{Street: "Ekvägen 1"}})
			stranger := persons.GenerateTestNumber(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), "M", 3)
			birth, _ := w.mover.Identity.BirthDate()
			newNumber := persons.GenerateTestNumber(birth, w.mover.Sex, 49)
			for k := 48; newNumber == w.mover.Identity; k-- {
				newNumber = persons.GenerateTestNumber(birth, w.mover.Sex, k)
			}

			if list, day, open := w.providerSees(t, w.orders[w.elder.ID]); !list || !day || !open {
				t.Fatalf("before the change the provider sees the order: list %v, day %v, open %v", list, day, open)
			}
			if sub, sees := w.actsFor(t, w.guardian); !sub || !sees {
				t.Fatalf("before the change the guardian acts for the child: %v, %v", sub, sees)
			}
			w.write(t, "2026-11-23.txt",
				"R1;2026-11-23;protection;"+w.elder.Identity.Value+";skyddad_folkbokforing",
				"R2;2026-11-23;address;"+w.mover.Identity.Value+";Nya gatan 5;123 45;Trygstad",
				"R3;2026-11-23;death;"+w.dying.Identity.Value+";2026-11-20",
				"R4;2026-11-23;custody;"+w.child.Identity.Value+";"+newGuardian.Value,
				"R5;2026-11-23;identity;"+w.mover.Identity.Value+";"+newNumber.Value,
				"not a record",
				"R6;2026-11-23;protection;"+stranger.Value+";none",
				"R7;2026-11-23;protection;"+w.child.Identity.Value+";hemlig")
			if n := w.apply(t, "server-1"); n != 8 {
				t.Fatalf("handled %d changes, want 8", n)
			}

			// Protection: hidden from the provider's staff and from the
			// officer without the permission, at once.
			if list, day, open := w.providerSees(t, w.orders[w.elder.ID]); list || day || open {
				t.Errorf("after the protection the provider still sees the order: list %v, day %v, open %v", list, day, open)
			}
			hits, err := w.svc.SearchPersons(ctx, w.officer, service.SearchInput{Query: w.elder.FamilyName + " " + w.elder.GivenName})
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(hits, func(h service.SearchResult) bool { return h.ID == w.elder.ID }) {
				t.Error("the officer without the permission still finds the protected person")
			}
			if _, err := w.svc.Case(ctx, w.officer, w.elderCase); err == nil {
				t.Error("the officer without the permission still opens the protected person's case")
			}
			permitted := w.officer
			permitted.ProtectedIdentity = true
			if _, err := w.svc.Case(ctx, permitted, w.elderCase); err != nil {
				t.Errorf("the officer with the permission cannot open the case: %v", err)
			}

			// Address and identity number.
			moved, err := w.db.PersonByIdentity(ctx, demo.TenantID, newNumber)
			if err != nil || moved.ID != w.mover.ID || moved.Address != (persons.Address{Street: "Nya gatan 5", PostalCode: "123 45", City: "Trygstad"}) {
				t.Errorf("the mover under the new number: %+v, %v", moved, err)
			}
			if _, err := w.db.PersonByIdentity(ctx, demo.TenantID, w.mover.Identity); err == nil {
				t.Error("the old identity number still finds a person")
			}
			// The provider's order says where the mover lives now, and
			// under which number.
			if o, err := w.db.Order(ctx, demo.TenantID, w.orders[w.mover.ID]); err != nil ||
				o.Content.Person.Address != "Nya gatan 5, 123 45 Trygstad" || o.Content.Person.IdentityNumber != newNumber.Value || o.Revision != 3 {
				t.Errorf("the mover's order: %+v, revision %d, %v", o.Content.Person, o.Revision, err)
			}

			// Death: the order ends on the day of death; the officer has a task.
			o, err := w.db.Order(ctx, demo.TenantID, w.orders[w.dying.ID])
			if err != nil || o.Status != store.OrderEnded || o.EndedOn != "2026-11-20" {
				t.Errorf("the dead person's order: %s ended on %q, %v", o.Status, o.EndedOn, err)
			}
			if died, _ := w.db.PersonDiedOn(ctx, demo.TenantID, w.dying.ID); died != "2026-11-20" {
				t.Errorf("died on %q", died)
			}
			inbox, err := w.svc.Inbox(ctx, w.officer, service.InboxInput{})
			if err != nil {
				t.Fatal(err)
			}
			deathTask := func(tk store.Task) bool {
				return tk.Kind == service.TaskPersonDied && tk.CaseID == w.dyingCase && strings.Contains(tk.Title, "Avliden 2026-11-20")
			}
			if !slices.ContainsFunc(inbox.Tasks, deathTask) {
				t.Errorf("no task about the death in the officer's inbox: %+v", inbox.Tasks)
			}
			// The officer opens the case: the task is done.
			if _, err := w.svc.CaseOverview(ctx, w.officer, w.dyingCase, "sv"); err != nil {
				t.Fatal(err)
			}
			if inbox, err = w.svc.Inbox(ctx, w.officer, service.InboxInput{}); err != nil || slices.ContainsFunc(inbox.Tasks, deathTask) {
				t.Errorf("the death's task is still in the inbox once the officer opened the case (%v)", err)
			}

			// Custody: the old guardian no longer acts for the child; the
			// new one, registered from the registry, does.
			if sub, sees := w.actsFor(t, w.guardian); sub || sees {
				t.Errorf("the old guardian still acts for the child: %v, %v", sub, sees)
			}
			ng, err := w.db.PersonByIdentity(ctx, demo.TenantID, newGuardian)
			if err != nil {
				t.Fatalf("the new guardian was not registered: %v", err)
			}
			if sub, sees := w.actsFor(t, ng); !sub || !sees {
				t.Errorf("the new guardian does not act for the child: %v, %v", sub, sees)
			}

			// What was handled, and the events.
			st, err := w.svc.RegistryChangesStatus(ctx, trygg.SystemActor(demo.TenantID), 20)
			if err != nil {
				t.Fatal(err)
			}
			outcomes := map[string]string{}
			for _, c := range st.Changes {
				outcomes[c.ChangeID] = c.Outcome
				if c.Outcome == store.RegistryRefused && (c.Detail == "" || strings.Contains(c.Detail, "not a record")) {
					t.Errorf("refused change's detail %q", c.Detail)
				}
			}
			want := map[string]string{"R1": "applied", "R2": "applied", "R3": "applied", "R4": "applied", "R5": "applied",
				"@2026-11-23.txt:6": "refused", "R6": "not_registered", "@2026-11-23.txt:8": "refused"}
			if !sameOutcomes(outcomes, want) || st.Position != "2026-11-23.txt:8" {
				t.Errorf("handled %v at %q, want %v at 2026-11-23.txt:8", outcomes, st.Position, want)
			}
			if _, err := w.svc.RegistryChangesStatus(ctx, w.officer, 20); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Errorf("an officer reads the registry changes: %v", err)
			}
			counts := eventCounts(t, w.db)
			for typ, n := range map[string]int{events.PersonProtectionChanged: 1, events.PersonAddressChanged: 1, events.PersonDied: 1,
				events.PersonCustodyChanged: 1, events.PersonIdentityChanged: 1} {
				if counts[typ] != n {
					t.Errorf("%d %s events, want %d", counts[typ], typ, n)
				}
			}

			// Delivered again: not applied again; a refused record
			// delivered again corrected is. Another server waits for the
			// lease.
			w.write(t, "2026-11-24.txt", "R1;2026-11-23;protection;"+w.elder.Identity.Value+";none",
				"R7;2026-11-23;protection;"+w.child.Identity.Value+";sekretessmarkering")
			if n := w.apply(t, "server-2"); n != 0 {
				t.Errorf("a second server handled %d changes while the first holds the lease", n)
			}
			if n := w.apply(t, "server-1"); n != 2 {
				t.Errorf("handled %d changes, want 2", n)
			}
			if p, _ := w.db.PersonByID(ctx, demo.TenantID, w.child.ID); p.Protection != persons.ProtectionMarked {
				t.Error("the corrected change was not applied")
			}
			if p, _ := w.db.PersonByID(ctx, demo.TenantID, w.elder.ID); p.Protection != persons.ProtectionProtected {
				t.Error("a change delivered again was applied again")
			}
			if c := eventCounts(t, w.db); c[events.PersonProtectionChanged] != 2 {
				t.Errorf("%d protection events after a repeat", c[events.PersonProtectionChanged])
			}
			if n := w.apply(t, "server-1"); n != 0 {
				t.Errorf("handled %d changes with none new", n)
			}
		})
	}
}

// sameOutcomes reports whether two string maps are equal.
func sameOutcomes(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// eventCounts counts the demo tenant's events by type.
func eventCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, typ := range []string{events.PersonProtectionChanged, events.PersonAddressChanged, events.PersonDied,
		events.PersonCustodyChanged, events.PersonIdentityChanged} {
		evs, err := db.EventsOfType(context.Background(), demo.TenantID, typ, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		out[typ] = len(evs)
	}
	return out
}
