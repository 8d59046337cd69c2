package demo

import (
	"testing"
	"time"

	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

func TestGenerate(t *testing.T) {
	today := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	ds := Generate(Options{Today: today})
	if len(ds.Persons) != 2000 {
		t.Errorf("persons = %d, want 2000", len(ds.Persons))
	}
	if len(ds.Units) != 36 {
		t.Errorf("units = %d, want 36 (1 administration, 5 districts, 25 units, 5 home-care units)", len(ds.Units))
	}
	staff := 0
	providers := map[string]bool{}
	for _, p := range ds.Providers {
		providers[p.Key] = true
	}
	providerStaff := map[string]int{}
	for _, u := range ds.Users {
		switch {
		case u.Provider != "":
			if !providers[u.Provider] || len(u.Grants) != 1 || u.Grants[0].Role != trygg.RoleProvider {
				t.Errorf("provider staff %s: provider %q, grants %v", u.Username, u.Provider, u.Grants)
			}
			providerStaff[u.Provider]++
		case u.PersonID == "":
			staff++
		}
	}
	if staff != 200 {
		t.Errorf("staff = %d, want 200", staff)
	}
	// The municipality's home care in each district, two home-care
	// companies and an LSS company, each with staff.
	if len(ds.Providers) != 8 {
		t.Errorf("providers = %d, want 8", len(ds.Providers))
	}
	for _, p := range ds.Providers {
		if providerStaff[p.Key] < 3 {
			t.Errorf("provider %s has %d staff, want at least 3", p.Key, providerStaff[p.Key])
		}
		if p.Kind == "external" {
			if _, err := org.ParseOrgNumber(p.OrgNumber); err != nil {
				t.Errorf("provider %s: organisation number %s: %v", p.Key, p.OrgNumber, err)
			}
		}
	}
	units := map[string]org.Unit{}
	for _, u := range ds.Units {
		units[u.ID] = org.Unit{ID: u.ID, Kind: u.Kind}
	}
	seen := map[string]bool{}
	byID := map[string]persons.Person{}
	protected := 0
	for _, p := range ds.Persons {
		id, err := persons.ParseIdentityNumber(p.Identity.String(), today)
		if err != nil {
			t.Fatalf("person %s has an invalid identity number: %v", p.ID, err)
		}
		if id != p.Identity || seen[id.Value] {
			t.Fatalf("person %s: number not canonical or not unique", p.ID)
		}
		seen[id.Value] = true
		byID[p.ID] = p
		if p.Protection != persons.ProtectionNone {
			protected++
		}
	}
	if protected == 0 {
		t.Error("no person with protected identity; the demo should show protection")
	}
	for _, c := range ds.Cases {
		if _, ok := byID[c.PersonID]; !ok {
			t.Fatalf("case %s points at an unknown person", c.ID)
		}
		if units[c.UnitID].Kind != org.KindUnit {
			t.Fatalf("case %s is in %q, which is not a unit (enhet)", c.ID, c.UnitID)
		}
	}
	for _, r := range ds.Relations {
		if _, ok := byID[r.FromPersonID]; !ok {
			t.Fatalf("relation %s from unknown person", r.ID)
		}
		if _, ok := byID[r.ToPersonID]; !ok {
			t.Fatalf("relation %s to unknown person", r.ID)
		}
	}
	for _, rec := range ds.RegistryOnly {
		if seen[rec.Identity.Value] {
			t.Fatal("a registry-only person is also registered")
		}
	}
	// The journeys' people: an 84-year-old with a representative, a
	// 9-year-old with guardians, a single mother with children aged 4 and 12.
	ages := map[int]bool{}
	for _, p := range ds.Persons {
		if a, ok := p.Identity.Age(today); ok {
			ages[a] = true
		}
	}
	for _, a := range []int{84, 9, 4, 12, 24} {
		if !ages[a] {
			t.Errorf("no person aged %d (journeys)", a)
		}
	}
	again := Generate(Options{Today: today})
	p, q := again.Persons[100], ds.Persons[100]
	if p.ID == q.ID {
		t.Error("two datasets share a person id: demo ids must be random, not derived from the seed")
	}
	p.ID = q.ID
	if p != q || len(again.Cases) != len(ds.Cases) {
		t.Error("the same seed must give the same data")
	}
}

// TestProtectedCasesAssignedOnlyWithPermission: no demo case of a person
// with protected identity is assigned to someone who may not see them.
func TestProtectedCasesAssignedOnlyWithPermission(t *testing.T) {
	ds := Generate(Options{Today: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)})
	permitted := map[string]bool{}
	for _, u := range ds.Users {
		permitted[u.ID] = u.ProtectedIdentity
	}
	protected := map[string]bool{}
	for _, p := range ds.Persons {
		protected[p.ID] = p.Protection != persons.ProtectionNone
	}
	n := 0
	for _, c := range ds.Cases {
		if !protected[c.PersonID] {
			continue
		}
		n++
		if c.AssignedTo != "" && !permitted[c.AssignedTo] {
			t.Errorf("case %s of a protected person is assigned to a user without the permission", c.ID)
		}
	}
	if n < 2 {
		t.Fatalf("the demo has %d cases of protected persons; the test needs some", n)
	}
}

func TestLoginsMatchGenerate(t *testing.T) {
	ds := Generate(Options{Persons: 30, Staff: 20})
	got, want := Logins(), ds.Logins
	if len(got) != len(want) {
		t.Fatalf("Logins() has %d accounts, the generated demo %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("login %d: %+v, generated %+v", i, got[i], want[i])
		}
	}
}

// TestWalks: the histories parse, and every walk that orders from
// providers chooses them first, and has them accept rather than the
// officer recording execution.
func TestWalks(t *testing.T) {
	walks, err := Walks()
	if err != nil {
		t.Fatal(err)
	}
	ordering := 0
	for _, w := range walks {
		chosen, accepted := false, false
		for i, s := range w.Steps {
			switch {
			case s.ChooseProvider:
				chosen = true
			case s.Transition == "order":
				ordering++
				if !chosen {
					t.Errorf("%s step %d orders before providers are chosen", w.CaseType, i+1)
				}
			case s.Accept:
				accepted = true
			case s.Execute && chosen:
				t.Errorf("%s step %d: the officer records execution of ordered insatser; the provider's acceptance does", w.CaseType, i+1)
			case s.Plan != nil || s.Report != nil:
				if !accepted {
					t.Errorf("%s step %d: plan or report before the orders are accepted", w.CaseType, i+1)
				}
			}
		}
	}
	if ordering < 2 {
		t.Errorf("%d walks order from providers, want both IBIC ones", ordering)
	}
}

// TestNamedWalks: the cases that name a walk find it, journey 1's officer
// has the waiting home-care case, decided about four months back, and
// three children of journey 2's unit are placed by the team lead; none
// is a journey's case, and naming them draws no random numbers (the rest
// of the dataset is the same).
func TestNamedWalks(t *testing.T) {
	today := time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC)
	ds := Generate(Options{Persons: 400, Staff: 40, Today: today})
	walks, err := Walks()
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]Walk{}
	for _, w := range walks {
		named[w.CaseType+"/"+w.Name] = w
	}
	officer := ""
	for _, u := range ds.Users {
		if u.Username == "handlaggare" {
			officer = u.ID
		}
	}
	count := map[string]int{}
	for _, c := range ds.Cases {
		if c.Walk == "" {
			continue
		}
		count[c.Walk]++
		if _, ok := named[c.CaseType+"/"+c.Walk]; !ok || c.Journey || !c.WalkAll {
			t.Errorf("case %s names walk %q of %s: found %v, journey %v, walked to the end %v", c.Key, c.Walk, c.CaseType, ok, c.Journey, c.WalkAll)
		}
		if c.Walk == "waiting" && (c.AssignedTo != officer || c.OpenedAt.Format(time.DateOnly) != "2025-11-12") {
			t.Errorf("the waiting case is %s's, opened %s", c.AssignedTo, c.OpenedAt)
		}
	}
	if count["waiting"] != 1 || count["placement"] != 3 {
		t.Errorf("named walks' cases: %v, want one waiting and three placements", count)
	}
	byTeamLead := false
	for _, s := range named["bbic_barn/placement"].Steps {
		byTeamLead = byTeamLead || s.Decide != nil && s.Decide.By == DecideByTeamLead
	}
	if !byTeamLead {
		t.Error("the placement walk's decision is not the team lead's")
	}
}
