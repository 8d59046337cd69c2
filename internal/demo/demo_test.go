package demo

import (
	"fmt"
	"slices"
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

// TestStreamChunks: Stream hands the municipality over in chunks of at
// most the size asked, each chunk's relations and cases pointing at its
// own persons, keeps no persons itself, and gives the same persons,
// relations, cases, payees and played cases as Generate (ids aside,
// which are random): the journeys' people first, in the first chunk.
func TestStreamChunks(t *testing.T) {
	today := time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC)
	opts := Options{Persons: 3000, Staff: 60, Today: today}
	want := Generate(opts)
	wantCases := caseSummaries(want.Persons, want.Cases)
	for _, size := range []int{1, 97, 1000, 0} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			limit := size
			if size == 0 {
				limit = ChunkPersons
			}
			limit = max(limit, minChunk)
			var all Chunk
			chunks := 0
			var firstUsers int
			ds, err := Stream(opts, size, func(ds *Dataset, c Chunk) error {
				if chunks == 0 {
					firstUsers = len(ds.Users)
				}
				chunks++
				if len(c.Persons) > limit {
					t.Errorf("chunk %d has %d persons, want at most %d", chunks, len(c.Persons), limit)
				}
				own := map[string]bool{}
				for _, p := range c.Persons {
					own[p.ID] = true
				}
				for _, r := range c.Relations {
					if !own[r.FromPersonID] || !own[r.ToPersonID] {
						t.Fatalf("chunk %d: a relation points outside the chunk", chunks)
					}
				}
				for _, cs := range c.Cases {
					if !own[cs.PersonID] {
						t.Fatalf("chunk %d: case %s is of a person outside the chunk", chunks, cs.Key)
					}
				}
				all.Persons = append(all.Persons, c.Persons...)
				all.Relations = append(all.Relations, c.Relations...)
				all.Cases = append(all.Cases, c.Cases...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if chunks < (3000+limit-1)/limit {
				t.Errorf("%d chunks of at most %d persons for 3000", chunks, limit)
			}
			if len(ds.Persons) != 0 || len(ds.Relations) != 0 || len(ds.Cases) >= len(want.Cases) {
				t.Errorf("the streamed dataset keeps %d persons, %d relations, %d of %d cases", len(ds.Persons), len(ds.Relations), len(ds.Cases), len(want.Cases))
			}
			// Every account but the providers' staff, the citizens' among
			// them, is there for the first chunk.
			providerStaff := 0
			for _, u := range ds.Users {
				if u.Provider != "" {
					providerStaff++
				}
			}
			if firstUsers != len(ds.Users)-providerStaff {
				t.Errorf("the first chunk sees %d accounts, want %d", firstUsers, len(ds.Users)-providerStaff)
			}
			if len(all.Persons) != len(want.Persons) || len(all.Relations) != len(want.Relations) || len(all.Cases) != len(want.Cases) {
				t.Fatalf("streamed %d persons, %d relations, %d cases; Generate %d, %d, %d", len(all.Persons), len(all.Relations), len(all.Cases),
					len(want.Persons), len(want.Relations), len(want.Cases))
			}
			for i := range all.Persons {
				p, q := all.Persons[i], want.Persons[i]
				p.ID = q.ID
				if p != q {
					t.Fatalf("person %d differs: %+v, Generate %+v", i, p, q)
				}
			}
			if got := caseSummaries(all.Persons, all.Cases); !slices.Equal(got, wantCases) {
				t.Fatal("the streamed cases differ from Generate's")
			}
			// The cases whose histories are played are the same, chosen
			// as PlayDemoWalks does (from the streamed dataset, which has
			// no persons to tell the protected by).
			if got, want := playedCases(ds.Persons, ds.Cases), playedCases(want.Persons, want.Cases); !slices.Equal(got, want) || len(want) < 50 {
				t.Errorf("played cases: streamed %d %v\nGenerate %d %v", len(got), got, len(want), want)
			}
			// The payees are the same persons' with the same accounts.
			if len(ds.Payees) != len(want.Payees) {
				t.Fatalf("payees %d, Generate %d", len(ds.Payees), len(want.Payees))
			}
			numbers := identities(all.Persons)
			wantNumbers := identities(want.Persons)
			for i := range ds.Payees {
				p, q := ds.Payees[i], want.Payees[i]
				if numbers[p.PersonID] != wantNumbers[q.PersonID] || p.Account != q.Account {
					t.Errorf("payee %d differs", i)
				}
			}
			// The demo's past gets persons of its own either way.
			h := History(ds, HistoryOptions{Weeks: 10, Today: today})
			for _, hc := range h {
				if _, ok := slices.BinarySearch(sortedNumbers(all.Persons), hc.Person.Identity.Value); ok {
					t.Fatal("a person of the past has the number of a generated person")
				}
			}
			if wh := History(want, HistoryOptions{Weeks: 10, Today: today}); len(wh) != len(h) || wh[0].Person.Identity != h[0].Person.Identity {
				t.Error("the past of the streamed dataset differs from Generate's")
			}
		})
	}
}

// caseSummaries writes each case with its person's identity number in
// place of ids.
func caseSummaries(ps []persons.Person, cs []Case) []string {
	numbers := identities(ps)
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s %s %s %s %s %v %v %v %s %v", c.Key, numbers[c.PersonID], c.UnitID, c.CaseType, c.Title,
			c.AssignedTo != "", c.Journey, c.WalkAll, c.Walk, c.OpenedAt))
	}
	return out
}

func identities(ps []persons.Person) map[string]string {
	m := map[string]string{}
	for _, p := range ps {
		m[p.ID] = p.Identity.Value
	}
	return m
}

func sortedNumbers(ps []persons.Person) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Identity.Value)
	}
	slices.Sort(out)
	return out
}

// playedCases are the keys of the cases PlayDemoWalks plays from cs, 25
// of each walk: the journeys' units first, then the rest, each in the
// dataset's order, skipping the journeys' cases, unassigned ones and
// those of persons with protected identity.
func playedCases(ps []persons.Person, cs []Case) []string {
	protected := map[string]bool{}
	for _, p := range ps {
		protected[p.ID] = p.Protection != persons.ProtectionNone
	}
	journeyUnits := map[string]bool{}
	for _, c := range cs {
		journeyUnits[c.UnitID] = journeyUnits[c.UnitID] || c.Journey
	}
	count := map[string]int{}
	var out []string
	for _, first := range []bool{true, false} {
		for _, c := range cs {
			key := c.CaseType + "/" + c.Walk
			if journeyUnits[c.UnitID] != first || c.Journey || c.AssignedTo == "" || protected[c.PersonID] || count[key] >= 25 {
				continue
			}
			count[key]++
			out = append(out, c.Key)
		}
	}
	return out
}
