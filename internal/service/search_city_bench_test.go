package service_test

// BenchmarkCitySearch: the name search at the size of a city, on both
// engines (docs/benchmarks.md, "Name search at 1,000,000 persons"):
//
//	TRYGG_BENCH_CITY_PERSONS=1000000 go test -run '^$' -bench CitySearch -benchtime 200x -timeout 3h ./internal/service/
//
// Without the variable it runs at 20,000 persons. The municipality is
// the demo's persons and cases, written many rows to a statement without
// the demo's events, histories or staff accounts: what a name search
// reads, loaded in minutes. Searches run one at a time (the latency of
// one search, not of a queue), each access-logged as in serve; CPU is this
// process's (getrusage) plus, on PostgreSQL, that of the database's
// backends (/proc).

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// citySearch is a search an officer makes: three letters of a visible
// person's family name, from its start or its middle.
type citySearch struct {
	actor  trygg.Actor
	prefix string
	middle string
}

// cityEnv is the city loaded into one engine, with the officers' searches:
// those of officers whose scope is small (the smallest units) and large
// (the largest).
type cityEnv struct {
	db           *store.DB
	svc          *service.Service
	raw          *sql.DB // PostgreSQL: to find the backends' processes
	small, large []citySearch
	scopeCases   map[string]int // unit id -> cases
}

func cityPersons() int {
	if n, err := strconv.Atoi(os.Getenv("TRYGG_BENCH_CITY_PERSONS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// loadCity writes the demo municipality of n persons into a fresh
// database of engine: tenant and units through the service, persons and
// cases many to a statement.
func loadCity(b *testing.B, engine string, n int) *cityEnv {
	b.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(b, engine)
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	committer := audit.NewCommitter(db)
	b.Cleanup(committer.Close)
	svc := service.New(db, committer, persons.NewFileRegistry(), nil)
	env := &cityEnv{db: db, svc: svc, scopeCases: map[string]int{}}
	if engine == "postgres" {
		if env.raw, err = sql.Open("pgx", dsn); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { env.raw.Close() })
	}

	start := time.Now()
	today := time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC)
	sys := service.SystemActor(demo.TenantID)
	started := false
	family := map[string]string{}    // person id -> family name, of sampled persons
	sampled := map[string][]string{} // unit id -> person ids with a case there
	rng := rand.New(rand.NewPCG(1, 2))
	var nCases int
	_, err = demo.Stream(demo.Options{Persons: n, Seed: 1, Today: today}, 20000, func(ds *demo.Dataset, c demo.Chunk) error {
		if !started {
			started = true
			if err := svc.CreateTenant(ctx, ds.Tenant); err != nil {
				return err
			}
			for _, u := range ds.Units {
				if _, err := svc.CreateUnit(ctx, sys, service.UnitInput{ID: u.ID, ParentID: u.ParentID, Name: u.Name, Kind: u.Kind, Field: u.Field}); err != nil {
					return err
				}
			}
		}
		byID := make(map[string]persons.Person, len(c.Persons))
		for _, p := range c.Persons {
			byID[p.ID] = p
		}
		cases := make([]store.Case, 0, len(c.Cases))
		for _, dc := range c.Cases {
			cases = append(cases, store.Case{ID: dc.ID, PersonID: dc.PersonID, UnitID: dc.UnitID, CaseType: dc.CaseType, Title: dc.Title,
				Status: "open", AssignedTo: dc.AssignedTo, OpenedAt: dc.OpenedAt, ReceivedDate: calendar.Today(dc.OpenedAt)})
			env.scopeCases[dc.UnitID]++
			if p := byID[dc.PersonID]; p.Protection == persons.ProtectionNone && len([]rune(p.FamilyName)) >= 6 &&
				(len(sampled[dc.UnitID]) < 200 || rng.IntN(20) == 0) {
				if len(sampled[dc.UnitID]) >= 200 {
					sampled[dc.UnitID][rng.IntN(200)] = p.ID
				} else {
					sampled[dc.UnitID] = append(sampled[dc.UnitID], p.ID)
				}
				family[p.ID] = p.FamilyName
			}
		}
		nCases += len(cases)
		return db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.InsertPastPersons(ctx, demo.TenantID, c.Persons); err != nil {
				return err
			}
			return tx.InsertPastCases(ctx, demo.TenantID, cases)
		})
	})
	if err != nil {
		b.Fatalf("load the city on %s: %v", engine, err)
	}
	if err := db.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	if engine == "sqlite" { // the load's WAL into the file, not into the searches' time
		raw, err := sql.Open("sqlite", "file:"+dsn)
		if err != nil {
			b.Fatal(err)
		}
		_, err = raw.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		raw.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	if env.raw != nil {
		if _, err := env.raw.ExecContext(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: %d persons, %d cases loaded in %v", engine, n, nCases, time.Since(start).Round(time.Second))

	units, err := db.Units(ctx, demo.TenantID)
	if err != nil {
		b.Fatal(err)
	}
	// Officers of the leaf units with cases, smallest scope first.
	slices.SortFunc(units, func(x, y org.Unit) int { return cmp.Compare(env.scopeCases[x.ID], env.scopeCases[y.ID]) })
	var withCases []org.Unit
	for _, u := range units {
		if env.scopeCases[u.ID] > 0 && len(sampled[u.ID]) > 0 {
			withCases = append(withCases, u)
		}
	}
	searches := func(us []org.Unit) []citySearch {
		var out []citySearch
		for i, u := range us {
			a := trygg.Actor{Tenant: demo.TenantID, UserID: fmt.Sprintf("bench-officer-%d", i), DisplayName: "Bench officer",
				Grants: []trygg.Grant{{Role: trygg.RoleOfficer, UnitID: u.ID, UnitPath: u.Path}}}
			for _, id := range sampled[u.ID] {
				r := []rune(persons.NameKey(family[id]))
				out = append(out, citySearch{actor: a, prefix: string(r[:3]), middle: string(r[2:5])})
			}
		}
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}
	k := max(1, len(withCases)/4)
	env.small, env.large = searches(withCases[:k]), searches(withCases[len(withCases)-k:])
	for _, u := range withCases {
		b.Logf("%s: unit %s, %d cases", engine, u.ID, env.scopeCases[u.ID])
	}
	return env
}

// BenchmarkCitySearch runs name searches as officers of the smallest and
// the largest units, three letters from the start and from the middle of
// a family name, by the plan the store chooses and by each plan forced.
func BenchmarkCitySearch(b *testing.B) {
	n := cityPersons()
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) {
			env := loadCity(b, engine, n)
			for _, scope := range []string{"small-scope", "large-scope"} {
				for _, kind := range []string{"prefix", "middle"} {
					for _, plan := range []store.SearchPlan{store.PlanAuto, store.PlanByName, store.PlanByScope} {
						name := fmt.Sprintf("%s/%s/%s", scope, kind, [...]string{"auto", "by-name", "by-scope"}[plan])
						b.Run(name, func(b *testing.B) {
							list := env.small
							if scope == "large-scope" {
								list = env.large
							}
							env.run(b, list, kind, plan)
						})
					}
				}
			}
		})
	}
}

// run makes b.N searches one after another and reports their p50, p95
// and p99 in milliseconds, CPU per search (this process and PostgreSQL's
// backends) and hits per search.
func (env *cityEnv) run(b *testing.B, list []citySearch, kind string, plan store.SearchPlan) {
	ctx := context.Background()
	if len(list) == 0 {
		b.Skip("no searches")
	}
	lat := make([]time.Duration, 0, b.N)
	var hits int
	server0 := env.serverCPU(b)
	self0 := selfCPU()
	b.ResetTimer()
	for i := range b.N {
		s := list[i%len(list)]
		q := s.prefix
		if kind == "middle" {
			q = s.middle
		}
		t0 := time.Now()
		found, err := env.svc.SearchPersons(ctx, s.actor, service.SearchInput{Query: q, Plan: plan})
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatalf("search %q: %v", q, err)
		}
		if len(found) == 0 {
			b.Fatalf("search %q as an officer of %s: no hits", q, s.actor.Grants[0].UnitID)
		}
		hits += len(found)
	}
	b.StopTimer()
	self := selfCPU() - self0
	server := env.serverCPU(b) - server0
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[max(int(math.Ceil(p*float64(len(lat))))-1, 0)]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(self)/float64(time.Millisecond)/float64(b.N), "cpu-ms/search")
	if env.raw != nil {
		b.ReportMetric(float64(server)/float64(time.Millisecond)/float64(b.N), "pg-cpu-ms/search")
	}
	b.ReportMetric(float64(hits)/float64(b.N), "hits/search")
}

// selfCPU is this process's user and system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU is the CPU time of the PostgreSQL backends connected to the
// benchmark's database (0 on SQLite): the pool keeps its connections, so
// the difference over a run is what its queries cost the server.
func (env *cityEnv) serverCPU(b *testing.B) time.Duration {
	if env.raw == nil {
		return 0
	}
	rows, err := env.raw.Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var total time.Duration
	tick := 100.0 // USER_HZ on Linux
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		total += time.Duration((ut + st) / tick * float64(time.Second))
	}
	return total
}
