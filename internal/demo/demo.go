// Package demo generates a synthetic municipality: units, staff, persons
// with test-range identity numbers, families, representatives and cases,
// providers and their staff, including the people of the journeys in
// JOURNEYS.md. The same seed gives the same data.
package demo

import (
	_ "embed"
	"fmt"
	"github.com/google/uuid"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/trygg/trygg/internal/incomecheck"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// TenantID is the demo tenant.
const TenantID trygg.TenantID = "demo"

// Password is the password of every demo account. Demo accounts exist only
// when the server runs with --demo.
const Password = "demo-trygg-2026"

// Options sizes the dataset.
type Options struct {
	Persons int   // default 2000
	Staff   int   // default 200
	Seed    int64 // default 1
	// Today anchors ages and dates.
	Today time.Time
}

// Unit is a unit to create, parent first.
type Unit struct {
	ID, ParentID, Name string
	Kind               org.UnitKind
	Field              org.Field
}

// User is a demo account.
type User struct {
	ID, Username, DisplayName string
	PersonID                  string
	// Provider is the Key of the provider the user works for (then the
	// only grant is the provider role).
	Provider          string
	ProtectedIdentity bool
	Grants            []trygg.Grant
}

// Provider is a provider (utförare) to register: internal (one of the
// municipality's units) or external (a company with an organisation
// number), with the insatser it provides and the units whose subtrees it
// serves (none: all). Key names it within the dataset; it gets its id
// when it is registered.
type Provider struct {
	Key, Name, Kind   string
	OrgNumber, UnitID string
	Insatser, Areas   []string
}

// Case is a demo case.
type Case struct {
	ID, PersonID, UnitID, CaseType, Title, AssignedTo string
	OpenedAt                                          time.Time
	// Key is the case's place in the dataset ("case-17"): what its played
	// history is chosen by, so the same seed gives the same histories
	// although ids are random.
	Key string
	// Journey marks the cases of the journeys' people: they start fresh,
	// for a newcomer to work through, and get no played history.
	Journey bool
	// WalkAll plays the case's history to its end (as far as today),
	// where other cases stop at random.
	WalkAll bool
	// Walk names the walk (walks.yaml's name:) the case's history
	// follows, when it is not its case type's unnamed one.
	Walk string
}

// Login is a demo account worth printing, with what it shows.
type Login struct {
	Username, Role, What string
}

// Dataset is a generated municipality.
type Dataset struct {
	Tenant    org.Tenant
	Units     []Unit
	Users     []User
	Persons   []persons.Person
	Relations []persons.Relation
	Cases     []Case
	// Providers are registered after the municipality's staff; their
	// staff (Users with Provider set) after them.
	Providers []Provider
	// RegistryOnly are people the population registry knows but trygg has
	// not registered yet, for trying registration by identity number.
	RegistryOnly []persons.RegistryRecord
	// Incomes are what the national income check's file answers about
	// the journeys' people (serve writes them to its file).
	Incomes []incomecheck.Record
	Logins  []Login
	// Payees are registered after the cases (payees.go).
	Payees []Payee
	// Definitions, when set, are published by the process designer before
	// the cases are loaded, so cases of their types run on them.
	Definitions []Definition

	// used are the identity numbers given out, for History's new persons.
	used *numberSet
}

// Chunk is a part of the municipality's persons with the relations
// between them and their cases. A household is never split: a chunk's
// relations and cases point only at its own persons (and its cases at
// staff).
type Chunk struct {
	Persons   []persons.Person
	Relations []persons.Relation
	Cases     []Case
}

// ChunkPersons is how many persons Stream hands over at a time when
// asked for no other size.
const ChunkPersons = 10_000

// minChunk is the fewest persons a chunk may be asked to hold: the
// journeys' people all come in the first.
const minChunk = 20

// SampleCases is how many generated cases of each unit and walk the
// dataset Stream returns keeps, besides the journeys': the first ones a
// played history may take (assigned, their person without protected
// identity). PlayDemoWalks, playing at most SampleCases of each walk,
// chooses the same cases from them as from every case.
const SampleCases = 64

// Definition is a definition file to publish with the demo.
type Definition struct {
	Name, Content string
}

//go:embed case_types.yaml
var caseTypesYAML []byte

// caseTypes maps a kind of unit to the case type of its demo cases; the
// names are data (case_types.yaml), so no Go code names a pack.
var caseTypes = func() map[string]string {
	m := map[string]string{}
	if err := yaml.Unmarshal(caseTypesYAML, &m); err != nil {
		panic("demo: case_types.yaml: " + err.Error())
	}
	return m
}()

// CaseType returns the case type of the demo's cases in a kind of unit
// (ao, bou, eb, fs, hsl).
func CaseType(unitKind string) string { return caseTypes[unitKind] }

// namedStaff are the demo accounts worth printing, one per kind of work.
var namedStaff = []struct {
	user, name, role, unit, what string
	protected                    bool
}{
	{"handlaggare", "Hanna Handläggare", string(trygg.RoleOfficer), "norra-ao", "case officer, elderly care Norra (journey 1)", false},
	{"utredare", "Ulf Utredare", string(trygg.RoleOfficer), "norra-bou", "investigator, children and young people Norra (journey 2)", false},
	{"ekonom", "Emir Ekonom", string(trygg.RoleOfficer), "norra-eb", "officer, economic assistance Norra (journey 3)", false},
	{"lss", "Lisa Stödhandläggare", string(trygg.RoleOfficer), "norra-fs", "officer, disability support Norra (journey 4)", false},
	{"skyddad", "Sam Skydd", string(trygg.RoleOfficer), "norra-bou", "officer with permission for protected identities", true},
	{"arbetsledare", "Aina Arbetsledare", string(trygg.RoleTeamLead), "norra-omr", "team lead for all of Norra", false},
	{"designer", "Vera Verksamhetsutvecklare", string(trygg.RoleProcessDesigner), "soc", "process designer (journeys 5, 8)", false},
	{"granskare", "Love Logggranskare", string(trygg.RoleLogReviewer), "soc", "access-log reviewer (journey 7)", false},
	{"admin", "Sigrid Systemförvaltare", string(trygg.RoleSysAdmin), "soc", "system administrator", false},
	{"analytiker", "Alva Analytiker", string(trygg.RoleAnalyst), "soc", "analyst", false},
	{"arkivarie", "Arvid Arkivarie", string(trygg.RoleArchivist), "soc", "archivist: retention runs (gallring) and archive deliveries", false},
}

// providerLogins are the demo's provider staff worth printing; each works
// for the provider named by its key (see providers).
var providerLogins = []struct {
	login    Login
	name     string
	provider string
}{
	{Login{Username: "utforare", Role: string(trygg.RoleProvider), What: "home-care staff, Hemtjänst Norra: the orders of journey 1's district (journey 6)"},
		"Ulla Utförare", "norra-ht"},
}

// citizenLogins are the demo's citizen accounts.
var citizenLogins = []Login{
	{Username: "invanare", Role: string(trygg.RoleCitizen), What: "citizen: the single mother of journey 3, guardian of two"},
	{Username: "dotter", Role: string(trygg.RoleCitizen), What: "citizen: the daughter of journey 1, representative of her mother"},
}

// Logins returns the demo accounts worth printing, without generating the
// municipality.
func Logins() []Login {
	var out []Login
	for _, n := range namedStaff {
		out = append(out, Login{Username: n.user, Role: n.role, What: n.what})
	}
	for _, p := range providerLogins {
		out = append(out, p.login)
	}
	return append(out, citizenLogins...)
}

var districts = []string{"Norra", "Södra", "Östra", "Västra", "Centrum"}

var unitKinds = []struct {
	slug, name string
	field      org.Field
}{
	{"ao", "Äldreomsorg, myndighet", org.FieldElderly},
	{"bou", "Barn och unga", org.FieldIFO},
	{"eb", "Ekonomiskt bistånd", org.FieldIFO},
	{"fs", "Funktionsstöd", org.FieldDisability},
	{"hsl", "Hälso- och sjukvård", org.FieldHealth},
}

var givenF = []string{"Anna", "Maria", "Elin", "Karin", "Sara", "Emma", "Ingrid", "Kerstin", "Fatima", "Amina", "Lena", "Eva", "Sofia", "Maja", "Alice", "Ella", "Wilma", "Astrid", "Signe", "Leila", "Birgitta", "Margareta", "Ulla", "Hanna", "Nora"}
var givenM = []string{"Erik", "Lars", "Karl", "Johan", "Anders", "Per", "Mohammed", "Ali", "Oskar", "Lucas", "Liam", "Noah", "Hugo", "William", "Elias", "Gustav", "Nils", "Sven", "Ahmed", "Omar", "Olof", "Mats", "Jonas", "Viktor", "Axel"}
var family = []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Lindberg", "Lindqvist", "Berg", "Holm", "Ali", "Hassan", "Mohammed", "Nguyen", "Yilmaz", "Lundgren", "Sjöberg", "Wikström", "Ek", "Dahl", "Björk"}
var streets = []string{"Storgatan", "Kyrkogatan", "Skolgatan", "Parkvägen", "Björkvägen", "Ringvägen", "Hamngatan", "Torggatan", "Ekvägen", "Lärkgatan", "Solvägen", "Ängsvägen"}

type gen struct {
	rng   *rand.Rand
	today time.Time
	ds    *Dataset
	used  *numberSet

	// What Stream hands over: the chunk being made, its most persons and
	// where it goes; how many persons and cases are made so far.
	cur            Chunk
	size           int
	emit           func(*Dataset, Chunk) error
	persons, cases int
	permitted      map[string]bool // user id: may see protected identities
	sampled        map[string]int  // unit and walk: cases kept in ds.Cases
	named          namedCases
	payeePersons   []string
	payeeOthers    int
}

// id makes a record's id: random, like the ids the server makes, so that
// the demo's ids can't be guessed or walked from one to the next (the
// rest of the dataset follows the seed).
func (g *gen) id() string {
	return uuid.NewString()
}

// person makes a person of the given age and sex with a unique test number.
func (g *gen) person(age int, sex string) persons.Person {
	birth := g.today.AddDate(-age, 0, -g.rng.IntN(365))
	var id persons.Identity
	k := g.rng.IntN(persons.TestNumbersPerDay)
	for tries := 0; ; tries++ {
		if tries == persons.TestNumbersPerDay { // the day is full: the day before
			birth, tries = birth.AddDate(0, 0, -1), 0
		}
		id = persons.GenerateTestNumber(birth, sex, k+tries)
		if !g.used.has(id.Value) {
			break
		}
	}
	g.used.add(id.Value)
	given := givenF
	if sex == "M" {
		given = givenM
	}
	p := persons.Person{ID: g.id(), Identity: id, GivenName: given[g.rng.IntN(len(given))],
		FamilyName: family[g.rng.IntN(len(family))], Sex: sex, BirthDate: birth.Format("2006-01-02"),
		Address: persons.Address{Street: fmt.Sprintf("%s %d", streets[g.rng.IntN(len(streets))], 1+g.rng.IntN(80)),
			PostalCode: fmt.Sprintf("1%02d %02d", g.rng.IntN(100), g.rng.IntN(100)), City: "Demostad"}}
	if g.rng.IntN(100) == 0 {
		p.Protection = persons.ProtectionMarked
	} else if g.rng.IntN(150) == 0 {
		p.Protection = persons.ProtectionProtected
	}
	return p
}

func (g *gen) add(p persons.Person) persons.Person {
	g.cur.Persons = append(g.cur.Persons, p)
	g.persons++
	return p
}

func (g *gen) relate(from, to persons.Person, kind persons.RelationKind) {
	g.cur.Relations = append(g.cur.Relations, persons.Relation{ID: g.id(), FromPersonID: from.ID, ToPersonID: to.ID, Kind: kind})
}

func (g *gen) openCase(p persons.Person, unitID, caseType, title, officer string) {
	g.cur.Cases = append(g.cur.Cases, Case{ID: g.id(), Key: fmt.Sprintf("case-%d", g.cases), PersonID: p.ID, UnitID: unitID, CaseType: caseType, Title: title,
		AssignedTo: officer, OpenedAt: g.today.AddDate(0, 0, -g.rng.IntN(400))})
	g.cases++
}

// flush settles the chunk's cases and hands the chunk over.
func (g *gen) flush() error {
	if len(g.cur.Persons) == 0 && len(g.cur.Cases) == 0 {
		return nil
	}
	protected := map[string]bool{}
	for _, p := range g.cur.Persons {
		if p.Protection != persons.ProtectionNone {
			protected[p.ID] = true
		}
	}
	for i := range g.cur.Cases {
		g.settle(&g.cur.Cases[i], protected[g.cur.Cases[i].PersonID])
	}
	c := g.cur
	g.cur = Chunk{}
	return g.emit(g.ds, c)
}

var asciiFold = strings.NewReplacer("Ö", "o", "ö", "o", "ä", "a", "å", "a")

func unitID(district, kind string) string {
	return strings.ToLower(asciiFold.Replace(district)) + "-" + kind
}

// Generate returns a dataset for opts with every person, relation and
// case in it: for tests and the small demo serve loads. A large
// municipality is generated with Stream, which gives the same data.
func Generate(opts Options) *Dataset {
	var all Chunk
	ds, _ := Stream(opts, math.MaxInt, func(_ *Dataset, c Chunk) error {
		all.Persons = append(all.Persons, c.Persons...)
		all.Relations = append(all.Relations, c.Relations...)
		all.Cases = append(all.Cases, c.Cases...)
		return nil
	})
	ds.Persons, ds.Relations, ds.Cases = all.Persons, all.Relations, all.Cases
	return ds
}

// Stream generates the dataset for opts, the same as Generate, but hands
// its persons, with their relations and cases, to fn a chunk of at most
// size persons at a time (ChunkPersons when size is 0; at least 20)
// instead of keeping them, so a municipality of millions takes no more
// memory than one of thousands. fn gets the dataset as far as it is
// made: its units, the municipality's staff, the citizens' accounts (of
// the first chunk's persons) and the providers are there from the first
// call. The dataset Stream returns adds the providers' staff, the
// payees and the people only the registry knows, and holds no persons
// or relations and of the cases only the journeys' and a sample for
// played histories (SampleCases). It returns fn's first error.
func Stream(opts Options, size int, fn func(*Dataset, Chunk) error) (*Dataset, error) {
	if size == 0 {
		size = ChunkPersons
	}
	size = max(size, minChunk)
	if opts.Persons <= 0 {
		opts.Persons = 2000
	}
	if opts.Staff <= 0 {
		opts.Staff = 200
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Today.IsZero() {
		opts.Today = time.Now().UTC()
	}
	ds := &Dataset{Tenant: org.Tenant{ID: TenantID, Name: "Demo kommun", MunicipalityCode: "0999"}}
	g := &gen{rng: rand.New(rand.NewPCG(uint64(opts.Seed), 2026)), today: opts.Today, ds: ds, used: newNumberSet(),
		size: size, emit: fn, permitted: map[string]bool{}, sampled: map[string]int{}, named: namedCases{today: opts.Today, longRunning: map[string]bool{}}}

	ds.Units = append(ds.Units, Unit{ID: "soc", Name: "Socialförvaltningen", Kind: org.KindAdministration, Field: org.FieldIFO})
	for _, d := range districts {
		did := unitID(d, "omr")
		ds.Units = append(ds.Units, Unit{ID: did, ParentID: "soc", Name: d + " område", Kind: org.KindDepartment, Field: org.FieldIFO})
		for _, k := range unitKinds {
			ds.Units = append(ds.Units, Unit{ID: unitID(d, k.slug), ParentID: did, Name: k.name + " " + d, Kind: org.KindUnit, Field: k.field})
		}
	}

	// Staff: per unit one team lead and officers; named accounts first.
	officers := map[string][]string{} // unit -> user ids
	addUser := func(username, name string, protected bool, grants ...trygg.Grant) User {
		u := User{ID: g.id(), Username: username, DisplayName: name, ProtectedIdentity: protected, Grants: grants}
		ds.Users = append(ds.Users, u)
		for _, gr := range grants {
			if gr.Role == trygg.RoleOfficer {
				officers[gr.UnitID] = append(officers[gr.UnitID], u.ID)
			}
		}
		return u
	}
	grant := func(r trygg.Role, unit string) trygg.Grant { return trygg.Grant{Role: r, UnitID: unit} }
	for _, n := range namedStaff {
		addUser(n.user, n.name, n.protected, grant(trygg.Role(n.role), n.unit))
		ds.Logins = append(ds.Logins, Login{Username: n.user, Role: n.role, What: n.what})
	}
	var leafUnits []Unit
	for _, u := range ds.Units {
		if u.Kind == org.KindUnit {
			leafUnits = append(leafUnits, u)
		}
	}
	for i := 0; len(ds.Users) < opts.Staff; i++ {
		u := leafUnits[i%len(leafUnits)]
		role := trygg.RoleOfficer
		if i < len(leafUnits) {
			role = trygg.RoleTeamLead
		}
		sex := []string{"F", "M"}[g.rng.IntN(2)]
		given := givenF
		if sex == "M" {
			given = givenM
		}
		name := given[g.rng.IntN(len(given))] + " " + family[g.rng.IntN(len(family))]
		addUser(fmt.Sprintf("%s.%d", u.ID, i), name, false, grant(role, u.ID))
	}
	officerIn := func(unit string) string {
		if ids := officers[unit]; len(ids) > 0 {
			return ids[g.rng.IntN(len(ids))]
		}
		return ""
	}
	named0 := func(username string) string {
		for _, u := range ds.Users {
			if u.Username == username {
				return u.ID
			}
		}
		return ""
	}
	for _, u := range ds.Users {
		g.permitted[u.ID] = u.ProtectedIdentity
	}
	g.named.officer = named0("handlaggare")
	// The providers, with units of their own; their staff come last.
	g.providers()

	// The journeys' people, in district Norra.
	// 1. An 84-year-old woman after a fall, her daughter as representative.
	mother := g.add(g.person(84, "F"))
	daughter := g.add(g.person(55, "F"))
	daughter.FamilyName = mother.FamilyName
	g.cur.Persons[len(g.cur.Persons)-1] = daughter
	g.relate(daughter, mother, persons.RelRepresentative)
	g.openCase(mother, "norra-ao", caseTypes["ao"], "Ansökan om hemtjänst och trygghetslarm", named0("handlaggare"))
	// 2. A 9-year-old child reported by the school; guardians.
	child := g.add(g.person(9, "M"))
	p1, p2 := g.add(g.person(38, "F")), g.add(g.person(40, "M"))
	g.relate(p1, child, persons.RelGuardian)
	g.relate(p2, child, persons.RelGuardian)
	g.openCase(child, "norra-bou", caseTypes["bou"], "Orosanmälan från skolan", named0("utredare"))
	// 3. A single mother of two (4 and 12) applying for economic assistance.
	single := g.add(g.person(34, "F"))
	for _, age := range []int{4, 12} {
		kid := g.person(age, []string{"F", "M"}[g.rng.IntN(2)])
		kid.FamilyName, kid.Address = single.FamilyName, single.Address
		g.add(kid)
		g.relate(single, kid, persons.RelGuardian)
	}
	g.openCase(single, "norra-eb", caseTypes["eb"], "Ansökan om ekonomiskt bistånd, mars", named0("ekonom"))
	// Försäkringskassan pays her child allowance for both children, 1 250
	// kr each, as her application says.
	ds.Incomes = append(ds.Incomes, incomecheck.Record{Identity: single.Identity, Payments: []incomecheck.Payment{
		{Source: incomecheck.Forsakringskassan, Benefit: "child_allowance", From: opts.Today.AddDate(-1, 0, 0).Format("2006-01"), Amount: 250000},
	}})
	// 4. A 24-year-old man with autism applying under LSS.
	young := g.add(g.person(24, "M"))
	g.openCase(young, "norra-fs", caseTypes["fs"], "Ansökan om daglig verksamhet och bostad med särskild service", named0("lss"))
	// A child with protected identity, visible only with permission.
	hidden := g.person(11, "F")
	hidden.Protection = persons.ProtectionProtected
	hidden = g.add(hidden)
	g.openCase(hidden, "norra-bou", caseTypes["bou"], "Orosanmälan", named0("skyddad"))
	for i := range g.cur.Cases {
		g.cur.Cases[i].Journey = true
	}
	// Citizen accounts for the journeys (the portal is a later issue; they
	// can already sign in and read their own records through the API).
	for _, c := range []struct {
		login Login
		p     persons.Person
	}{{citizenLogins[0], single}, {citizenLogins[1], daughter}} {
		ds.Users = append(ds.Users, User{ID: g.id(), Username: c.login.Username, DisplayName: c.p.GivenName + " " + c.p.FamilyName,
			PersonID: c.p.ID, Grants: []trygg.Grant{{Role: trygg.RoleCitizen, UnitID: "soc"}}})
		ds.Logins = append(ds.Logins, c.login)
	}

	// The rest of the municipality: households with cases where the person's
	// age and situation fit the unit.
	for g.persons < opts.Persons {
		// A household has at most four persons.
		if len(g.cur.Persons) > size-4 {
			if err := g.flush(); err != nil {
				return nil, err
			}
		}
		d := districts[g.rng.IntN(len(districts))]
		switch r := g.rng.IntN(10); {
		case r < 3: // an older person in elderly care
			p := g.add(g.person(67+g.rng.IntN(30), []string{"F", "M"}[g.rng.IntN(2)]))
			g.openCase(p, unitID(d, "ao"), caseTypes["ao"], "Ansökan om hemtjänst", officerIn(unitID(d, "ao")))
			if g.rng.IntN(3) == 0 {
				g.openCase(p, unitID(d, "hsl"), caseTypes["hsl"], "Hemsjukvård", officerIn(unitID(d, "hsl")))
			}
		case r < 5: // a family with a child welfare report
			parent := g.add(g.person(25+g.rng.IntN(25), []string{"F", "M"}[g.rng.IntN(2)]))
			n := 1 + g.rng.IntN(3)
			for i := 0; i < n && g.persons < opts.Persons; i++ {
				kid := g.person(g.rng.IntN(18), []string{"F", "M"}[g.rng.IntN(2)])
				kid.FamilyName, kid.Address = parent.FamilyName, parent.Address
				g.add(kid)
				g.relate(parent, kid, persons.RelGuardian)
				if i == 0 {
					g.openCase(kid, unitID(d, "bou"), caseTypes["bou"], "Orosanmälan", officerIn(unitID(d, "bou")))
				}
			}
		case r < 7: // economic assistance
			p := g.add(g.person(19+g.rng.IntN(45), []string{"F", "M"}[g.rng.IntN(2)]))
			g.openCase(p, unitID(d, "eb"), caseTypes["eb"], "Ansökan om ekonomiskt bistånd", officerIn(unitID(d, "eb")))
		case r < 8: // disability support
			p := g.add(g.person(18+g.rng.IntN(50), []string{"F", "M"}[g.rng.IntN(2)]))
			g.openCase(p, unitID(d, "fs"), caseTypes["fs"], "Ansökan om insats enligt LSS", officerIn(unitID(d, "fs")))
		default: // known to the registry and to trygg, no open case
			g.add(g.person(g.rng.IntN(95), []string{"F", "M"}[g.rng.IntN(2)]))
		}
	}
	if err := g.flush(); err != nil {
		return nil, err
	}
	// People only the registry knows: for registering a new report.
	for i := 0; i < 50; i++ {
		p := g.person(g.rng.IntN(90), []string{"F", "M"}[g.rng.IntN(2)])
		ds.RegistryOnly = append(ds.RegistryOnly, persons.RegistryRecord{Identity: p.Identity, GivenName: p.GivenName,
			FamilyName: p.FamilyName, Address: p.Address, Protection: p.Protection})
	}
	// Last, so everything above is the same with or without them.
	g.addProviderStaff()
	g.payees()
	ds.used = g.used
	return ds, nil
}

// namedCases is what settle has given the named histories so far.
type namedCases struct {
	today       time.Time
	officer     string          // journey 1's
	households  int             // of journey 3's district
	longRunning map[string]bool // by unit
	waiting     bool
	placements  int
}

// settle finishes a generated case, in the dataset's order: it leaves the
// case of a person with protected identity unassigned unless its officer
// may see protected identities (a case is never assigned to someone who
// could not open it; such cases wait in the team inbox of those with the
// permission); notes the payees' persons; gives the first fitting cases
// (never a journey's, nor a protected person's) the histories the
// registers and reports need whatever the day; and keeps the case in
// ds.Cases when it is a journey's or one a played history may take
// (SampleCases). It draws no random numbers.
func (g *gen) settle(c *Case, protected bool) {
	if protected && !g.permitted[c.AssignedTo] {
		c.AssignedTo = ""
	}
	if c.CaseType == caseTypes["eb"] && c.UnitID == "norra-eb" {
		if c.Journey {
			g.payeePersons = append([]string{c.PersonID}, g.payeePersons...)
		} else if g.payeeOthers < 3 {
			g.payeePersons = append(g.payeePersons, c.PersonID)
			g.payeeOthers++
		}
	}
	if !c.Journey && c.AssignedTo != "" && !protected {
		g.named.give(c)
	}
	if c.Journey || c.AssignedTo != "" && !protected {
		key := c.UnitID + "/" + c.CaseType + "/" + c.Walk
		if c.Journey || g.sampled[key] < SampleCases {
			g.ds.Cases = append(g.ds.Cases, *c)
			g.sampled[key]++
		}
	}
}

// give gives c, assigned, not a journey's and its person without
// protected identity, a named history if one still wants a case of its
// kind:
//   - the first three economic-assistance cases of journey 3's district
//     are received early in the month before today and played to the
//     end, so Socialstyrelsen's monthly register has households for the
//     last month that ended;
//   - the first case of each of journey 1's and 4's units is opened 20
//     months before today and played to the end, so its decisions are
//     executed and in force on the last day of last month and on last
//     year's and this year's status days: Socialstyrelsen's registers of
//     insatser in force have records for their latest period;
//   - the next home-care case of journey 1's unit is given to her
//     officer and walked by the walk "waiting" from four months and 19
//     days before today: its decisions, made four months ago and ordered
//     from a provider who has not accepted, wait for execution more than
//     three calendar months, so IVO's report of decisions not executed
//     has them and her inbox has the day-60 warning;
//   - the first three cases of journey 2's unit are walked by the walk
//     "placement" from 20, 19 and 18 months before today: each child is
//     placed in a family home by a decision about 17 months ago that
//     runs still, so Socialstyrelsen's yearly register of children and
//     young people has records for last year;
//
// all whatever the day.
func (n *namedCases) give(c *Case) {
	today := n.today
	switch u := c.UnitID; {
	case u == unitID("Norra", "eb"):
		if n.households < 3 {
			first := time.Date(today.Year(), today.Month()-1, 1, 9, 0, 0, 0, time.UTC)
			c.OpenedAt, c.WalkAll = first.AddDate(0, 0, 2+n.households), true
			n.households++
		}
	case (u == unitID("Norra", "ao") || u == unitID("Norra", "fs")) && !n.longRunning[u]:
		c.OpenedAt, c.WalkAll = time.Date(today.Year(), today.Month()-20, 1, 9, 0, 0, 0, time.UTC), true
		n.longRunning[u] = true
	case u == unitID("Norra", "ao") && !n.waiting:
		opened := time.Date(today.Year(), today.Month()-4, today.Day(), 9, 0, 0, 0, time.UTC).AddDate(0, 0, -19)
		c.OpenedAt, c.WalkAll, c.Walk, c.AssignedTo = opened, true, "waiting", n.officer
		n.waiting = true
	case u == unitID("Norra", "bou") && n.placements < 3:
		c.OpenedAt = time.Date(today.Year(), today.Month()-20+time.Month(n.placements), 1, 9, 0, 0, 0, time.UTC)
		c.WalkAll, c.Walk = true, "placement"
		n.placements++
	}
}

// providerStaff is how many generated staff each provider has, besides
// the named ones.
const providerStaff = 3

// providers adds the providers: the municipality's own home care in each
// district (a unit of the elderly-care field under the district), two
// home-care companies, each in some districts, and a company providing
// LSS insatser everywhere; and their logins (addProviderStaff adds
// their staff). It draws no random numbers.
func (g *gen) providers() {
	ds := g.ds
	homeCare := []string{"hemtjanst", "hemtjanst_service", "hemtjanst_omvardnad", "trygghetslarm", "matdistribution", "ledsagning", "avlosning"}
	for _, d := range districts {
		id := unitID(d, "ht")
		ds.Units = append(ds.Units, Unit{ID: id, ParentID: unitID(d, "omr"), Name: "Hemtjänst " + d, Kind: org.KindUnit, Field: org.FieldElderly})
		ds.Providers = append(ds.Providers, Provider{Key: id, Name: "Hemtjänst " + d, Kind: "internal", UnitID: id,
			Insatser: homeCare, Areas: []string{unitID(d, "omr")}})
	}
	areas := func(names ...string) []string {
		var out []string
		for _, d := range names {
			out = append(out, unitID(d, "omr"))
		}
		return out
	}
	ds.Providers = append(ds.Providers,
		Provider{Key: "omsorgsbolaget", Name: "Omsorgsbolaget Norr AB", Kind: "external", OrgNumber: "556677-8899",
			Insatser: []string{"hemtjanst", "hemtjanst_service", "hemtjanst_omvardnad", "trygghetslarm"}, Areas: areas("Norra", "Östra")},
		Provider{Key: "trivsam", Name: "Trivsam Hemtjänst AB", Kind: "external", OrgNumber: "556011-2236",
			Insatser: []string{"hemtjanst", "hemtjanst_service", "hemtjanst_omvardnad"}, Areas: areas("Södra", "Västra", "Centrum")},
		Provider{Key: "stodpunkten", Name: "Stödpunkten LSS AB", Kind: "external", OrgNumber: "556123-4567",
			Insatser: []string{"lss_1_rad_och_stod", "lss_3_ledsagarservice", "lss_4_kontaktperson", "lss_5_avlosarservice",
				"lss_9_bostad_vuxna", "lss_10_daglig_verksamhet"}})

	for i, n := range providerLogins {
		ds.Logins = slices.Insert(ds.Logins, len(namedStaff)+i, n.login)
	}
}

// addProviderStaff adds the providers' staff: an internal provider's in its
// unit, an external one's in the municipality's root unit. Named accounts
// first.
func (g *gen) addProviderStaff() {
	ds := g.ds
	grantUnit := map[string]string{}
	for _, p := range ds.Providers {
		grantUnit[p.Key] = "soc"
		if p.UnitID != "" {
			grantUnit[p.Key] = p.UnitID
		}
	}
	add := func(username, name, provider string) {
		ds.Users = append(ds.Users, User{ID: g.id(), Username: username, DisplayName: name, Provider: provider,
			Grants: []trygg.Grant{{Role: trygg.RoleProvider, UnitID: grantUnit[provider]}}})
	}
	for _, n := range providerLogins {
		add(n.login.Username, n.name, n.provider)
	}
	for _, p := range ds.Providers {
		for i := 1; i <= providerStaff; i++ {
			sex := []string{"F", "M"}[g.rng.IntN(2)]
			given := givenF
			if sex == "M" {
				given = givenM
			}
			add(fmt.Sprintf("%s.%d", p.Key, i), given[g.rng.IntN(len(given))]+" "+family[g.rng.IntN(len(family))], p.Key)
		}
	}
}

// Registry returns the population registry holding every person of the
// dataset and the registry-only ones.
func (ds *Dataset) Registry() *persons.FileRegistry {
	r := persons.NewFileRegistry()
	for _, p := range ds.Persons {
		r.Add(RegistryRecord(p))
	}
	for _, rec := range ds.RegistryOnly {
		r.Add(rec)
	}
	return r
}

// RegistryRecord returns what the population registry tells about p.
func RegistryRecord(p persons.Person) persons.RegistryRecord {
	return persons.RegistryRecord{Identity: p.Identity, GivenName: p.GivenName, FamilyName: p.FamilyName, Address: p.Address, Protection: p.Protection}
}

// numberSet is a set of identity numbers that stays small however many
// it holds: a test number (birth number 900–999, as the generator
// makes) is one bit of its birth date's hundred; any other is kept whole.
type numberSet struct {
	days  map[uint32][2]uint64
	other map[string]bool
}

func newNumberSet() *numberSet {
	return &numberSet{days: map[uint32][2]uint64{}, other: map[string]bool{}}
}

// slot returns where the valid twelve-digit number v is kept: its date
// digits and birth number less 900 (the check digit follows from them),
// or false when v is not a test number.
func slot(v string) (uint32, uint, bool) {
	if len(v) != 12 {
		return 0, 0, false
	}
	var day uint32
	bn := 0
	for i := range 11 {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		if i < 8 {
			day = day*10 + uint32(c-'0')
		} else {
			bn = bn*10 + int(c-'0')
		}
	}
	if bn < 900 {
		return 0, 0, false
	}
	return day, uint(bn - 900), true
}

func (s *numberSet) has(v string) bool {
	day, b, ok := slot(v)
	if !ok {
		return s.other[v]
	}
	return s.days[day][b/64]&(1<<(b%64)) != 0
}

func (s *numberSet) add(v string) {
	day, b, ok := slot(v)
	if !ok {
		s.other[v] = true
		return
	}
	bits := s.days[day]
	bits[b/64] |= 1 << (b % 64)
	s.days[day] = bits
}

func (s *numberSet) clone() *numberSet {
	return &numberSet{days: maps.Clone(s.days), other: maps.Clone(s.other)}
}
