package store_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestVisibilityMatchesDecide checks, on a demo municipality with emergency
// openings (active and expired) and relations (current, expired, future)
// added, that the SQL filter of lists and searches shows every demo user
// exactly the persons access.Decide lets them read. -short checks one seed.
func TestVisibilityMatchesDecide(t *testing.T) {
	seeds := []int64{1, 7}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		for _, engine := range storetest.Engines {
			t.Run(fmt.Sprintf("%s/seed-%d", engine, seed), func(t *testing.T) {
				checkVisibility(t, engine, seed)
			})
		}
	}
}

// demoWorld is a loaded demo dataset with lookups for the test.
type demoWorld struct {
	t     *testing.T
	db    *store.DB
	svc   *service.Service
	ds    *demo.Dataset
	units map[string][]string // person id -> units of their cases
	byID  map[string]persons.Person
}

func (w demoWorld) signIn(t *testing.T, username string) trygg.Actor {
	t.Helper()
	sess, err := w.svc.SignIn(t.Context(), demo.TenantID, username, demo.Password)
	if err != nil {
		t.Fatalf("sign in %s: %v", username, err)
	}
	a, err := w.svc.Authenticate(t.Context(), sess.Token)
	if err != nil {
		t.Fatalf("authenticate %s: %v", username, err)
	}
	return a
}

// person returns the demo person with id (the zero person if none).
func (w demoWorld) person(id string) persons.Person { return w.byID[id] }

func (w demoWorld) personOf(username string) persons.Person {
	w.t.Helper()
	for _, u := range w.ds.Users {
		if u.Username == username {
			return w.person(u.PersonID)
		}
	}
	w.t.Fatalf("no user %s", username)
	return persons.Person{}
}

// pick returns the first person, not in skip, with protection prot and no
// case in a unit whose id starts with any of avoid.
func (w demoWorld) pick(prot persons.Protection, skip map[string]bool, avoid ...string) (persons.Person, bool) {
	for _, p := range w.ds.Persons[12:] { // past the journeys' people
		if p.Protection != prot || skip[p.ID] {
			continue
		}
		ok := true
		for _, u := range w.units[p.ID] {
			for _, a := range avoid {
				if strings.HasPrefix(u, a) {
					ok = false
				}
			}
		}
		if ok {
			return p, true
		}
	}
	return persons.Person{}, false
}

// casePerson returns the first person, not in skip, with an unprotected
// case in unit.
func (w demoWorld) casePerson(unit string, skip map[string]bool) persons.Person {
	w.t.Helper()
	for _, c := range w.ds.Cases {
		if p := w.person(c.PersonID); c.UnitID == unit && !skip[p.ID] && p.Protection == persons.ProtectionNone {
			return p
		}
	}
	w.t.Fatalf("no person with a case in %s", unit)
	return persons.Person{}
}

func (w demoWorld) emergencyOpen(a trygg.Actor, p persons.Person, wantCode string) {
	w.t.Helper()
	v, err := w.svc.EmergencyOpen(w.t.Context(), a, service.EmergencyInput{IdentityNumber: p.Identity.String(), Reason: "Akut ärende, brukaren nås inte"})
	if got := trygg.ErrorCode(err); got != wantCode {
		w.t.Fatalf("%s opens %s in an emergency: %v, want code %q", a.UserID, p.ID, err, wantCode)
	}
	if err == nil && (v.ID != p.ID || v.Ground != access.RelEmergency) {
		w.t.Fatalf("emergency opening shows %s on ground %s", v.ID, v.Ground)
	}
}

func (w demoWorld) addRelation(a trygg.Actor, from, to persons.Person, kind persons.RelationKind, validFrom, validTo string) {
	w.t.Helper()
	_, err := w.svc.AddRelation(w.t.Context(), a, service.RelationInput{FromIdentityNumber: from.Identity.String(), ToPersonID: to.ID, Kind: kind,
		ValidFrom: validFrom, ValidTo: validTo})
	if err != nil {
		w.t.Fatalf("add relation %s -> %s: %v", from.ID, to.ID, err)
	}
}

func checkVisibility(t *testing.T, engine string, seed int64) {
	ctx := t.Context()
	start := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	clock := storetest.NewClock(start)
	db := storetest.Open(t, engine, clock)
	ds := demo.Generate(demo.Options{Persons: 300, Staff: 30, Seed: seed, Today: start})
	svc := storetest.Service(t, db, ds.Registry())
	if ok, err := svc.LoadDemo(ctx, ds); err != nil || !ok {
		t.Fatalf("load demo: %v, %v", ok, err)
	}
	w := demoWorld{t: t, db: db, svc: svc, ds: ds, units: map[string][]string{}, byID: map[string]persons.Person{}}
	for _, p := range ds.Persons {
		w.byID[p.ID] = p
	}
	for _, c := range ds.Cases {
		w.units[c.PersonID] = append(w.units[c.PersonID], c.UnitID)
	}
	used := map[string]bool{}
	mustPick := func(prot persons.Protection, avoid ...string) persons.Person {
		t.Helper()
		p, ok := w.pick(prot, used, avoid...)
		if !ok {
			t.Fatalf("seed %d: no person to pick", seed)
		}
		used[p.ID] = true
		return p
	}

	// An emergency opening that expires before the check.
	expired := mustPick(persons.ProtectionNone, "norra-")
	w.emergencyOpen(w.signIn(t, "lss"), expired, "")
	clock.Advance(5 * time.Hour) // EmergencyDuration is 4 hours
	now := clock.Now()
	yesterday, tomorrow := now.AddDate(0, 0, -1).Format("2006-01-02"), now.AddDate(0, 0, 1).Format("2006-01-02")
	lastYear := now.AddDate(-1, 0, 0).Format("2006-01-02")

	// Active emergency openings.
	handlaggare, skyddad, utredare := w.signIn(t, "handlaggare"), w.signIn(t, "skyddad"), w.signIn(t, "utredare")
	opened := mustPick(persons.ProtectionNone, "norra-")
	w.emergencyOpen(handlaggare, opened, "")
	hidden := w.person(ds.Cases[4].PersonID) // the protected child of the journeys
	if hidden.Protection != persons.ProtectionProtected {
		t.Fatalf("journey case 5 is not the protected child")
	}
	w.emergencyOpen(utredare, hidden, trygg.ENotFound)
	w.emergencyOpen(w.signIn(t, "granskare"), opened, trygg.EForbidden)
	var protectedOpened *persons.Person
	for _, prot := range []persons.Protection{persons.ProtectionProtected, persons.ProtectionMarked} {
		if p, ok := w.pick(prot, used, "norra-bou"); ok {
			used[p.ID] = true
			w.emergencyOpen(skyddad, p, "")
			protectedOpened = &p
			break
		}
	}
	var sodraLead string // a staff member of Södra
	for _, u := range ds.Users {
		if strings.HasPrefix(u.Username, "sodra-") {
			sodraLead = u.Username
			break
		}
	}
	leadOpened := mustPick(persons.ProtectionNone, "sodra-", "norra-")
	w.emergencyOpen(w.signIn(t, sodraLead), leadOpened, "")

	// Relations: current, ended and not yet begun.
	single, daughter := w.personOf("invanare"), w.personOf("dotter")
	mother := w.person(ds.Cases[0].PersonID)
	if mother.Protection != persons.ProtectionNone {
		t.Fatalf("seed %d: the mother of journey 1 is protected; choose another seed", seed)
	}
	w.addRelation(handlaggare, single, mother, persons.RelRepresentative, "", "")
	w.addRelation(skyddad, single, hidden, persons.RelGuardian, lastYear, "")
	lead := w.signIn(t, "arbetsledare")
	used[mother.ID] = true
	ended := w.casePerson("norra-eb", used)
	used[ended.ID] = true
	future := w.casePerson("norra-fs", used)
	used[future.ID] = true
	current := w.casePerson("norra-hsl", used)
	w.addRelation(lead, daughter, ended, persons.RelGodMan, lastYear, yesterday)
	w.addRelation(lead, daughter, future, persons.RelForvaltare, tomorrow, "")
	w.addRelation(lead, daughter, current, persons.RelRepresentative, yesterday, tomorrow)

	// The property, for every demo user; users run in parallel.
	visible := map[string]map[string]bool{}
	var mu sync.Mutex
	t.Run("users", func(t *testing.T) {
		for _, u := range ds.Users {
			t.Run(u.Username, func(t *testing.T) {
				t.Parallel()
				want := checkUser(t, w, u.Username)
				mu.Lock()
				visible[u.Username] = want
				mu.Unlock()
			})
		}
	})
	if t.Failed() {
		return
	}

	// The property must not hold merely because nobody sees anything.
	sees := func(user string, ids ...string) {
		t.Helper()
		for _, id := range ids {
			if !visible[user][id] {
				t.Errorf("%s does not see %s", user, id)
			}
		}
	}
	blind := func(user string, ids ...string) {
		t.Helper()
		for _, id := range ids {
			if visible[user][id] {
				t.Errorf("%s sees %s", user, id)
			}
		}
	}
	sees("handlaggare", mother.ID, opened.ID)
	blind("handlaggare", hidden.ID, expired.ID, leadOpened.ID)
	blind("lss", expired.ID)
	sees(sodraLead, leadOpened.ID)
	sees("skyddad", hidden.ID)
	if protectedOpened != nil {
		sees("skyddad", protectedOpened.ID)
		blind("handlaggare", protectedOpened.ID)
	}
	blind("utredare", hidden.ID)
	sees("arbetsledare", mother.ID, ended.ID, future.ID, current.ID)
	blind("arbetsledare", hidden.ID, opened.ID)
	sees("invanare", single.ID, mother.ID, hidden.ID)
	for _, r := range ds.Relations {
		if r.FromPersonID == single.ID {
			sees("invanare", r.ToPersonID)
		}
	}
	blind("invanare", daughter.ID, current.ID)
	sees("dotter", daughter.ID, mother.ID, current.ID)
	blind("dotter", ended.ID, future.ID, single.ID, hidden.ID)
	for _, user := range []string{"designer", "granskare", "admin", "analytiker"} {
		if n := len(visible[user]); n != 0 {
			t.Errorf("%s sees %d persons, want none", user, n)
		}
	}
	if n := len(visible["arbetsledare"]); n < 10 {
		t.Errorf("the team lead of Norra sees only %d persons: %v", n, slices.Sorted(maps.Keys(visible["arbetsledare"])))
	}
}

// checkUser signs username in, checks that VisiblePersonIDs is exactly the
// set Decide allows and that no name search leaves it, and returns the set.
func checkUser(t *testing.T, w demoWorld, username string) map[string]bool {
	ctx := t.Context()
	a := w.signIn(t, username)
	want := map[string]bool{}
	for _, p := range w.ds.Persons {
		rels, err := w.db.PersonRelations(ctx, a, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := access.Decide(a, access.ReadPerson, access.Subject{Relations: rels, Protection: p.Protection}); err == nil {
			want[p.ID] = true
		} else if trygg.ErrorCode(err) != trygg.ENotFound {
			t.Errorf("reading %s: %v, want allowed or not found", p.ID, err)
		}
	}
	got, err := w.db.VisiblePersonIDs(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	for id := range got {
		if !want[id] {
			rels, _ := w.db.PersonRelations(ctx, a, id)
			t.Errorf("SQL shows %s (protection %s, relations %v), Decide refuses", id, w.person(id).Protection, rels)
		}
	}
	for id := range want {
		if !got[id] {
			rels, _ := w.db.PersonRelations(ctx, a, id)
			t.Errorf("Decide allows %s (protection %s, relations %v), SQL hides", id, w.person(id).Protection, rels)
		}
	}

	checkSearches(t, w, a, want)
	checkCaseLists(t, w, a)
	return want
}

// checkSearches checks, for every plan a name search may take, that no
// search returns a person outside want (the persons Decide lets the actor
// read) and that under the limit it returns every one of them whose name
// matches: single letters (a prefix of the name) and parts of three
// letters of the demo's names taken from their middles (found anywhere).
func checkSearches(t *testing.T, w demoWorld, a trygg.Actor, want map[string]bool) {
	t.Helper()
	ctx := t.Context()
	const limit = 100
	queries := []string{}
	for c := 'a'; c <= 'z'; c++ {
		queries = append(queries, string(c))
	}
	for i, p := range w.ds.Persons {
		if r := []rune(p.NameSearch()); i%37 == 0 && len(r) > 5 {
			queries = append(queries, string(r[2:5]), string(r[1:4])+" "+string(r[len(r)-2:]))
		}
	}
	for _, plan := range []store.SearchPlan{store.PlanAuto, store.PlanByName, store.PlanByScope} {
		for _, q := range queries {
			found, err := w.db.SearchPersons(ctx, a, store.PersonQuery{Name: q, Limit: limit, Plan: plan})
			if err != nil {
				t.Fatal(err)
			}
			hits := map[string]bool{}
			for _, p := range found {
				hits[p.ID] = true
				if !want[p.ID] {
					t.Errorf("plan %d: search %q returns %s, whom Decide refuses", plan, q, p.ID)
				}
			}
			// Under the limit the search must find every visible match.
			matches := 0
			for id := range want {
				if nameMatches(w.person(id).NameSearch(), q) {
					matches++
				}
			}
			if matches <= limit && matches != len(hits) {
				t.Errorf("plan %d: search %q returns %d persons, %d visible ones match", plan, q, len(hits), matches)
			}
		}
	}
}

// nameMatches is the matching rule of store.PersonQuery, written out
// independently: every word in the name, and when no word has three
// letters the name starts with the first.
func nameMatches(name, query string) bool {
	words := strings.Fields(persons.NameKey(query))
	long := false
	for _, w := range words {
		if !strings.Contains(name, w) {
			return false
		}
		long = long || utf8.RuneCountInString(w) >= 3
	}
	return len(words) > 0 && (long || strings.HasPrefix(name, words[0]))
}

// checkCaseLists checks that the staff's read rule for cases in SQL
// (VisibleCaseIDs) is exactly the cases Decide lets the actor open, and
// that every list of cases — the own and the team inbox, their tasks,
// every report the actor may run — holds only such cases, and the
// inboxes all of them that belong there.
func checkCaseLists(t *testing.T, w demoWorld, a trygg.Actor) {
	t.Helper()
	ctx := t.Context()
	ids, err := w.db.AllCaseIDs(ctx, demo.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]store.Case{}
	for _, id := range ids {
		c, err := w.db.CaseByID(ctx, demo.TenantID, id)
		if err != nil {
			t.Fatal(err)
		}
		rels, err := w.db.CaseRelations(ctx, a, c)
		if err != nil {
			t.Fatal(err)
		}
		ground, err := access.Decide(a, access.ReadCase, access.Subject{Relations: rels, Protection: w.person(c.PersonID).Protection})
		switch ground {
		case access.RelSelf, access.RelGuardian, access.RelRepresentative:
			continue // Mina sidor's, never the staff's lists
		}
		if err == nil {
			want[id] = c
		}
	}
	got, err := w.db.VisibleCaseIDs(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("the case list rule shows case %s, which Decide refuses", id)
		}
	}
	for id := range want {
		if !got[id] {
			t.Errorf("Decide lets %s read case %s, the case list rule hides it", a.UserID, id)
		}
	}

	teamPaths := []string{}
	for _, g := range a.Grants {
		if g.Role == trygg.RoleOfficer || g.Role == trygg.RoleTeamLead {
			teamPaths = append(teamPaths, g.UnitPath)
		}
	}
	for _, team := range []bool{false, true} {
		if team && len(teamPaths) == 0 {
			continue
		}
		view, err := w.svc.Inbox(ctx, a, service.InboxInput{Team: team})
		if trygg.ErrorCode(err) == trygg.EForbidden && !team {
			continue
		}
		if err != nil {
			t.Fatalf("inbox (team %v): %v", team, err)
		}
		listed := map[string]bool{}
		for _, c := range view.Cases {
			listed[c.ID] = true
			if _, ok := want[c.ID]; !ok {
				t.Errorf("inbox (team %v) lists case %s, which Decide refuses", team, c.ID)
			}
		}
		for _, task := range view.Tasks {
			if _, ok := want[task.CaseID]; !ok {
				t.Errorf("inbox (team %v) lists a task of case %s, which Decide refuses", team, task.CaseID)
			}
		}
		for id, c := range want {
			belongs := c.Status == "open" && c.AssignedTo == a.UserID
			if team {
				belongs = c.Status == "open" && slices.ContainsFunc(teamPaths, func(p string) bool { return strings.HasPrefix(c.UnitPath, p) })
			}
			if belongs && !listed[id] && len(view.Cases) < 200 {
				t.Errorf("inbox (team %v) leaves out case %s, which the actor may read", team, id)
			}
		}
	}

	reports, err := w.svc.Reports(ctx, a, "sv")
	if err != nil && trygg.ErrorCode(err) != trygg.ENotFound {
		t.Fatal(err)
	}
	for _, r := range reports {
		res, err := w.svc.RunReport(ctx, a, r.ID, process.PeriodOf(r.Period, w.db.Now().In(calendar.Sweden)), "sv")
		if err != nil {
			t.Fatalf("report %s: %v", r.ID, err)
		}
		for _, row := range res.Rows {
			c, err := w.db.CaseByID(ctx, demo.TenantID, row.CaseID)
			if err != nil {
				t.Fatalf("report %s row's case %q: %v", r.ID, row.CaseID, err)
			}
			if w.person(c.PersonID).Protection != persons.ProtectionNone && !a.ProtectedIdentity {
				t.Errorf("report %s shows a row of protected person %s's case to a reader without the permission", r.ID, c.PersonID)
			}
		}
	}
}
