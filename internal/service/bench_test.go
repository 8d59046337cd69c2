package service_test

// Benchmarks of the hot paths on both engines, over a generated municipality
// of 20,000 persons loaded once per engine per benchmark. Results and how to
// read them: docs/benchmarks.md.
//
//	go test -run '^$' -bench . -benchtime 3s ./internal/service/
//
// Latency percentiles come from timing every operation; throughput is
// operations over the benchmark's measured time.

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

const (
	benchPersons  = 20000
	benchOfficers = 25 // officers whose reads and searches the benchmarks replay
	// readParallelism × GOMAXPROCS goroutines issue requests at once, so
	// several reads wait for the access log together and group commit
	// matters.
	readParallelism = 8
	recorders       = 64 // concurrent Record callers in BenchmarkAccessLogAppend
)

// benchDataset is generated once per process; every benchmark loads it into
// fresh databases.
var benchDataset = sync.OnceValue(func() *demo.Dataset {
	return demo.Generate(demo.Options{Persons: benchPersons, Seed: 1})
})

// countingStore counts the access-log commits the committer makes.
type countingStore struct {
	audit.Store
	commits atomic.Int64
	entries atomic.Int64
}

func (s *countingStore) AppendAccessLog(ctx context.Context, entries []audit.Entry) error {
	s.commits.Add(1)
	s.entries.Add(int64(len(entries)))
	return s.Store.AppendAccessLog(ctx, entries)
}

// officerRead is a person a case officer may read (ground assigned or unit).
type officerRead struct {
	actor    trygg.Actor
	personID string
	identity string // the person's identity number, as typed in a search
	prefix   string // the first three letters of the person's family name
}

// benchEnv is the demo municipality loaded into one engine.
type benchEnv struct {
	db    *store.DB
	svc   *service.Service
	log   *countingStore // the store under svc's group committer
	reads []officerRead  // shuffled, fixed order
}

// loadDemo opens a fresh database of engine, loads the demo municipality
// through service.LoadDemo and picks the officers' readable persons. The
// database and the committer close when b ends.
func loadDemo(b *testing.B, engine string) *benchEnv {
	b.Helper()
	ctx := context.Background()
	ds := benchDataset()
	db := storetest.Open(b, engine, nil)
	log := &countingStore{Store: db}
	committer := audit.NewCommitter(log)
	b.Cleanup(committer.Close) // before db.Close: cleanups run last-in first-out
	svc := service.New(db, committer, ds.Registry(), nil)
	start := time.Now()
	if ok, err := svc.LoadDemo(ctx, ds); err != nil || !ok {
		b.Fatalf("load demo on %s: loaded %v, %v", engine, ok, err)
	}
	b.Logf("%s: demo of %d persons, %d cases loaded in %v", engine, len(ds.Persons), len(ds.Cases), time.Since(start).Round(time.Millisecond))

	byID := make(map[string]persons.Person, len(ds.Persons))
	for _, p := range ds.Persons {
		byID[p.ID] = p
	}
	env := &benchEnv{db: db, svc: svc, log: log}
	officers := 0
	for _, u := range ds.Users {
		if officers == benchOfficers {
			break
		}
		if u.ProtectedIdentity || u.PersonID != "" || !slices.ContainsFunc(u.Grants, func(g trygg.Grant) bool { return g.Role == trygg.RoleOfficer }) {
			continue
		}
		grants, err := db.Grants(ctx, demo.TenantID, u.ID)
		if err != nil {
			b.Fatal(err)
		}
		a := trygg.Actor{Tenant: demo.TenantID, UserID: u.ID, DisplayName: u.DisplayName, Grants: grants}
		visible, err := db.VisiblePersonIDs(ctx, a)
		if err != nil {
			b.Fatal(err)
		}
		ids := make([]string, 0, len(visible))
		for id := range visible {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			p := byID[id]
			env.reads = append(env.reads, officerRead{actor: a, personID: id, identity: p.Identity.String(),
				prefix: strings.ToLower(string([]rune(p.FamilyName)[:min(3, len([]rune(p.FamilyName)))]))})
		}
		officers++
	}
	if len(env.reads) == 0 {
		b.Fatal("no officer can read anyone in the demo data")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(env.reads), func(i, j int) { env.reads[i], env.reads[j] = env.reads[j], env.reads[i] })
	b.Logf("%s: %d officers, %d readable (officer, person) pairs", engine, officers, len(env.reads))
	return env
}

// eachEngine runs fn once per engine on a freshly loaded demo; fn must
// measure in sub-benchmarks (b.Run), so the load is not repeated as the
// framework grows b.N.
func eachEngine(b *testing.B, fn func(b *testing.B, env *benchEnv)) {
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) {
			fn(b, loadDemo(b, engine))
		})
	}
}

// latencies collects per-operation durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

// report adds throughput (b.N × perOp per second, in unit) and the p50 and
// p99 latency of one operation, in microseconds.
func (l *latencies) report(b *testing.B, perOp float64, unit string) {
	b.Helper()
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)*perOp/s, unit)
	}
	if len(l.d) == 0 {
		return
	}
	slices.Sort(l.d)
	pct := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(l.d)))) - 1
		return float64(l.d[max(i, 0)]) / float64(time.Microsecond)
	}
	b.ReportMetric(pct(0.50), "p50-us")
	b.ReportMetric(pct(0.99), "p99-us")
}

// readParallel runs op for b.N officer reads spread over
// readParallelism × GOMAXPROCS goroutines and reports unit per second and
// latency percentiles.
func readParallel(b *testing.B, env *benchEnv, unit string, op func(r officerRead) error) {
	var next atomic.Int64
	var lat latencies
	b.SetParallelism(readParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		defer func() { lat.add(local) }()
		for pb.Next() {
			r := env.reads[int(next.Add(1)-1)%len(env.reads)]
			start := time.Now()
			err := op(r)
			local = append(local, time.Since(start))
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	lat.report(b, 1, unit)
}

// BenchmarkPersonRead is service.Person by id as a case officer: the reads,
// the access decision, and the durable access-log write through the group
// committer before the view is returned, with many requests at once.
func BenchmarkPersonRead(b *testing.B) {
	eachEngine(b, func(b *testing.B, env *benchEnv) {
		b.Run("officer", func(b *testing.B) {
			ctx := context.Background()
			commits0, entries0 := env.log.commits.Load(), env.log.entries.Load()
			readParallel(b, env, "reads/s", func(r officerRead) error {
				v, err := env.svc.Person(ctx, r.actor, r.personID)
				if err != nil {
					return fmt.Errorf("read %s as %s: %w", r.personID, r.actor.UserID, err)
				}
				if v.Ground != access.RelAssigned && v.Ground != access.RelUnit {
					return fmt.Errorf("read %s as %s: ground %q", r.personID, r.actor.UserID, v.Ground)
				}
				return nil
			})
			if commits := env.log.commits.Load() - commits0; commits > 0 {
				b.ReportMetric(float64(b.N)/float64(commits), "reads/commit")
				b.ReportMetric(float64(env.log.entries.Load()-entries0)/float64(commits), "entries/commit")
			}
		})
	})
}

// BenchmarkPersonReadNoLog is the comparison baseline for
// BenchmarkPersonRead: the same store reads and access decisions that
// service.Person makes (PersonByID, PersonRelations, access.Decide,
// Relations, CasesOfPerson and a decision per case), under the same load,
// but without writing the access log. Its throughput over
// BenchmarkPersonRead's is the cost of durable logging. The service itself
// never reads without logging; this exists only to measure.
func BenchmarkPersonReadNoLog(b *testing.B) {
	eachEngine(b, func(b *testing.B, env *benchEnv) {
		b.Run("officer", func(b *testing.B) {
			ctx := context.Background()
			readParallel(b, env, "reads/s", func(r officerRead) error {
				v, err := readWithoutLog(ctx, env.db, r.actor, r.personID)
				if err != nil {
					return fmt.Errorf("read %s as %s: %w", r.personID, r.actor.UserID, err)
				}
				if v.Ground != access.RelAssigned && v.Ground != access.RelUnit {
					return fmt.Errorf("read %s as %s: ground %q", r.personID, r.actor.UserID, v.Ground)
				}
				return nil
			})
		})
	})
}

// readWithoutLog mirrors service.Person and its view up to, not including,
// the access-log write.
func readWithoutLog(ctx context.Context, db *store.DB, a trygg.Actor, id string) (service.PersonView, error) {
	p, err := db.PersonByID(ctx, a.Tenant, id)
	if err != nil {
		return service.PersonView{}, err
	}
	rels, err := db.PersonRelations(ctx, a, id)
	if err != nil {
		return service.PersonView{}, err
	}
	ground, err := access.Decide(a, access.ReadPerson, access.Subject{Relations: rels, Protection: p.Protection})
	if err != nil {
		return service.PersonView{}, err
	}
	v := service.PersonView{Person: p, IdentityNumber: p.Identity.String(), IdentityType: p.Identity.Type, Ground: ground, Cases: []store.Case{}}
	if v.Relations, err = db.Relations(ctx, a.Tenant, p.ID); err != nil {
		return v, err
	}
	all, err := db.CasesOfPerson(ctx, a.Tenant, p.ID)
	if err != nil {
		return v, err
	}
	for _, c := range all {
		if _, err := access.Decide(a, access.ReadCase, access.Subject{Relations: access.CaseRelations(a, c.AssignedTo, c.UnitPath, rels), Protection: p.Protection}); err != nil {
			continue
		}
		v.Cases = append(v.Cases, c)
	}
	return v, nil
}

// BenchmarkPersonSearch is service.SearchPersons as a case officer, with as
// many requests at once as BenchmarkPersonRead: by a three-letter family
// name prefix (up to 25 hits, each access-logged) and by exact identity
// number (one hit).
func BenchmarkPersonSearch(b *testing.B) {
	eachEngine(b, func(b *testing.B, env *benchEnv) {
		ctx := context.Background()
		for _, kind := range []string{"name-prefix", "identity-number"} {
			b.Run(kind, func(b *testing.B) {
				var hits atomic.Int64
				readParallel(b, env, "searches/s", func(r officerRead) error {
					q := r.prefix
					if kind == "identity-number" {
						q = r.identity
					}
					found, err := env.svc.SearchPersons(ctx, r.actor, service.SearchInput{Query: q})
					if err != nil {
						return fmt.Errorf("search %q as %s: %w", q, r.actor.UserID, err)
					}
					if len(found) == 0 {
						return fmt.Errorf("search %q as %s: no hits, want the person %s", q, r.actor.UserID, r.personID)
					}
					hits.Add(int64(len(found)))
					return nil
				})
				b.ReportMetric(float64(hits.Load())/float64(b.N), "hits/search")
			})
		}
	})
}

// BenchmarkEventAppend appends events to the event log, one durable commit
// per op: with one event per transaction and with 100.
func BenchmarkEventAppend(b *testing.B) {
	eachEngine(b, func(b *testing.B, env *benchEnv) {
		ctx := context.Background()
		sys := service.SystemActor(demo.TenantID)
		for _, perTx := range []int{1, 100} {
			b.Run(fmt.Sprintf("%d-per-commit", perTx), func(b *testing.B) {
				var lat latencies
				local := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for i := range b.N {
					start := time.Now()
					err := env.db.Update(ctx, func(tx *store.Tx) error {
						for j := range perTx {
							r := env.reads[(i*perTx+j)%len(env.reads)]
							e := events.New(sys, events.PersonUpdated, "person", r.personID, map[string]any{"field": "address", "source": "bench"})
							e.PersonID = r.personID
							if _, err := tx.AppendEvent(ctx, e); err != nil {
								return err
							}
						}
						return nil
					})
					local = append(local, time.Since(start))
					if err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				lat.add(local)
				lat.report(b, float64(perTx), "events/s")
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
			})
		}
	})
}

// BenchmarkAccessLogAppend writes access-log entries: one entry per
// AppendAccessLog call in sequence (a commit each), and through a group
// committer with 64 goroutines recording one entry each at a time. One op is
// one entry.
func BenchmarkAccessLogAppend(b *testing.B) {
	eachEngine(b, func(b *testing.B, env *benchEnv) {
		ctx := context.Background()
		entryFor := func(i int) audit.Entry {
			r := env.reads[i%len(env.reads)]
			return audit.Entry{Tenant: demo.TenantID, ActorID: r.actor.UserID, Action: string(access.ReadPerson),
				PersonID: r.personID, Ground: string(access.RelUnit)}
		}
		b.Run("sequential", func(b *testing.B) {
			var lat latencies
			local := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				err := env.db.AppendAccessLog(ctx, []audit.Entry{entryFor(i)})
				local = append(local, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			lat.add(local)
			lat.report(b, 1, "entries/s")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
		})
		b.Run(fmt.Sprintf("committer-%d", recorders), func(b *testing.B) {
			log := &countingStore{Store: env.db}
			c := audit.NewCommitter(log)
			defer c.Close()
			var next atomic.Int64
			var lat latencies
			var wg sync.WaitGroup
			b.ResetTimer()
			for range recorders {
				wg.Go(func() {
					var local []time.Duration
					defer func() { lat.add(local) }()
					for {
						i := int(next.Add(1) - 1)
						if i >= b.N {
							return
						}
						start := time.Now()
						err := c.Record(ctx, entryFor(i))
						local = append(local, time.Since(start))
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			lat.report(b, 1, "entries/s")
			commits := log.commits.Load()
			b.ReportMetric(float64(commits)/b.Elapsed().Seconds(), "commits/s")
			if commits > 0 {
				b.ReportMetric(float64(b.N)/float64(commits), "entries/commit")
			}
		})
	})
}
