package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// HistoryOptions sizes the demo's past: the cases received week by week
// before the demo's day, for the analysis dashboards to count.
type HistoryOptions struct {
	// Weeks is how far back the history goes (default 104: two years).
	Weeks int
	// PerWeek is how many cases of each case type arrive in an average
	// week of the first year (default 8); the second year has more.
	PerWeek int
	Seed    int64 // default 1
	// Today is the day the history ends (default: now).
	Today time.Time
	// IDKey is the key the ids of the history's persons, cases and
	// records follow (default: a new random one when the history is
	// planned), so that the history written again is the same.
	IDKey string
	// Months, when more than 0, is the most months of the history one
	// call writes (the rest is written by the next).
	Months int
}

// WithDefaults returns opt with its defaults filled in (Today: now, to
// the day).
func (opt HistoryOptions) WithDefaults() HistoryOptions {
	if opt.Weeks <= 0 {
		opt.Weeks = 104
	}
	if opt.PerWeek <= 0 {
		opt.PerWeek = 8
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Today.IsZero() {
		opt.Today = time.Now().UTC()
	}
	opt.Today = time.Date(opt.Today.Year(), opt.Today.Month(), opt.Today.Day(), 0, 0, 0, 0, time.UTC)
	return opt
}

// HistoryCase is a case of the demo's past, for a person of its own (new
// to the dataset, so the journeys' people and cases are never touched).
type HistoryCase struct {
	Person                       persons.Person
	UnitID, CaseType, AssignedTo string
	// Received is the day the application or report came in.
	Received time.Time
	// MayStayOpen is false in the journeys' districts: a case there is
	// closed by today, so the journeys' inboxes stay as they are.
	MayStayOpen bool
	// Pick is the case's own random number, for the choices its history
	// makes.
	Pick uint64
}

// historyAges are the ages of the persons of each kind of unit's cases,
// as Generate makes them.
var historyAges = map[string][2]int{"ao": {67, 96}, "bou": {0, 17}, "eb": {19, 63}, "fs": {18, 67}, "hsl": {67, 96}}

// History returns the cases of the demo's past, oldest first: for each
// kind of unit with a case type, about PerWeek a week spread over the
// districts, more in the autumn and winter and fewer in the summer (a
// yearly wave of ±25 %), growing by a fifth over two years. Each case is
// for a new person of an age that fits the unit, and is assigned to a
// generated officer of its unit (never one of the named demo accounts).
// The same dataset and options give the same history.
func History(ds *Dataset, opt HistoryOptions) []HistoryCase {
	opt = opt.WithDefaults()
	today := opt.Today
	used := newNumberSet()
	if ds.used != nil {
		// Stream's dataset keeps the numbers, not the persons.
		used = ds.used.clone()
	}
	g := &gen{rng: rand.New(rand.NewPCG(uint64(opt.Seed), 17)), today: today, ds: &Dataset{}, used: used}
	for _, p := range ds.Persons {
		g.used.add(p.Identity.Value)
	}
	for _, r := range ds.RegistryOnly {
		g.used.add(r.Identity.Value)
	}
	named := map[string]bool{}
	for _, n := range namedStaff {
		named[n.user] = true
	}
	officers := map[string][]string{}
	for _, u := range ds.Users {
		if named[u.Username] || u.Provider != "" || u.PersonID != "" || u.ProtectedIdentity {
			continue
		}
		for _, gr := range u.Grants {
			if gr.Role == trygg.RoleOfficer {
				officers[gr.UnitID] = append(officers[gr.UnitID], u.ID)
			}
		}
	}
	parent := map[string]string{}
	for _, u := range ds.Units {
		parent[u.ID] = u.ParentID
	}
	journeyDistricts := map[string]bool{}
	for _, c := range ds.Cases {
		if c.Journey {
			journeyDistricts[parent[c.UnitID]] = true
		}
	}
	kinds := []string{}
	for k := range caseTypes {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)

	var out []HistoryCase
	first := today.AddDate(0, 0, -7*opt.Weeks)
	for w := range opt.Weeks {
		weekStart := first.AddDate(0, 0, 7*w)
		// Week of the year from 0 in January: most in late autumn, least
		// in July.
		season := 1 + 0.25*math.Cos(2*math.Pi*(float64(weekStart.YearDay())-330)/365)
		growth := 1 + 0.2*float64(w)/float64(max(1, opt.Weeks-1))
		for _, k := range kinds {
			mean := float64(opt.PerWeek) * season * growth
			n := int(mean + g.rng.NormFloat64()*math.Sqrt(mean) + 0.5)
			for range max(0, n) {
				d := districts[g.rng.IntN(len(districts))]
				unit := unitID(d, k)
				ages := historyAges[k]
				p := g.person(ages[0]+g.rng.IntN(ages[1]-ages[0]+1), []string{"F", "M"}[g.rng.IntN(2)])
				p.Protection = persons.ProtectionNone
				c := HistoryCase{Person: p, UnitID: unit, CaseType: caseTypes[k], Received: weekStart.AddDate(0, 0, g.rng.IntN(7)),
					MayStayOpen: !journeyDistricts[parent[unit]], Pick: g.rng.Uint64()}
				if ids := officers[unit]; len(ids) > 0 {
					c.AssignedTo = ids[g.rng.IntN(len(ids))]
				}
				if c.Received.Before(today) {
					out = append(out, c)
				}
			}
		}
	}
	slices.SortStableFunc(out, func(x, y HistoryCase) int { return x.Received.Compare(y.Received) })
	return out
}
