package store_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for the raw connection
	_ "modernc.org/sqlite"             // "sqlite" driver for the raw connection

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/pgtest"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestMain runs the store's contract tests on every engine, a Citus
// cluster included (storetest.WithCitus).
func TestMain(m *testing.M) {
	storetest.Engines = storetest.WithCitus
	os.Exit(pgtest.Main(m))
}

// rawDB is a store together with a second, plain connection to the same
// database, for what the store has no method for: schema rows and tampering.
type rawDB struct {
	*store.DB
	raw    *sql.DB
	engine string
	dsn    string
}

// eachEngine runs fn as a subtest per engine.
func eachEngine(t *testing.T, fn func(t *testing.T, engine string)) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) { fn(t, engine) })
	}
}

// openRaw opens a fresh database of engine, migrated if migrate is set,
// with a raw connection beside the store.
func openRaw(t *testing.T, engine string, migrate bool) rawDB {
	t.Helper()
	dsn := storetest.DSN(t, engine)
	if migrate && engine == "citus" {
		dsn = storetest.CitusMigrated(t) // migrated once per binary, copied
	}
	db, err := store.Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if migrate {
		if _, err := db.Migrate(t.Context()); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	driver := "pgx"
	if engine == "sqlite" {
		driver = "sqlite"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open raw %s: %v", engine, err)
	}
	t.Cleanup(func() { raw.Close() })
	return rawDB{DB: db, raw: raw, engine: engine, dsn: dsn}
}

// rebind turns '?' placeholders into PostgreSQL's $n.
func (r rawDB) rebind(q string) string {
	if r.engine == "sqlite" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (r rawDB) exec(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	res, err := r.raw.ExecContext(t.Context(), r.rebind(q), args...)
	if err != nil {
		t.Fatalf("raw exec %q: %v", q, err)
	}
	n, _ := res.RowsAffected()
	return n
}

func (r rawDB) queryString(t *testing.T, q string, args ...any) string {
	t.Helper()
	var s string
	if err := r.raw.QueryRowContext(t.Context(), r.rebind(q), args...).Scan(&s); err != nil {
		t.Fatalf("raw query %q: %v", q, err)
	}
	return s
}

func (r rawDB) queryInt(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	n, err := strconv.ParseInt(r.queryString(t, q, args...), 10, 64)
	if err != nil {
		t.Fatalf("raw query %q: %v", q, err)
	}
	return n
}

func update(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Update(t.Context(), fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

func createTenant(t *testing.T, db *store.DB, ids ...trygg.TenantID) {
	t.Helper()
	update(t, db, func(tx *store.Tx) error {
		for _, id := range ids {
			if err := tx.CreateTenant(t.Context(), org.Tenant{ID: id, Name: "Kommun " + string(id), MunicipalityCode: "0999"}); err != nil {
				return err
			}
		}
		return nil
	})
}

func testIdentity(n int) persons.Identity {
	return persons.GenerateTestNumber(time.Date(1950+n, 3, 1+n%28, 0, 0, 0, 0, time.UTC), "F", n)
}

func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := trygg.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func TestMigrate(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, false)
		ctx := t.Context()
		if v, err := r.SchemaVersion(ctx); err != nil || v != 0 {
			t.Fatalf("new database: version %d, %v; want 0", v, err)
		}
		applied, err := r.Migrate(ctx)
		if err != nil {
			t.Fatalf("migrate: %v", err)
		}
		latest := store.LatestVersion()
		if len(applied) == 0 || applied[len(applied)-1] != latest || !slices.IsSorted(applied) {
			t.Fatalf("applied %v, want ascending versions up to %d", applied, latest)
		}
		if v, err := r.SchemaVersion(ctx); err != nil || v != latest {
			t.Fatalf("after migrate: version %d, %v; want %d", v, err, latest)
		}
		rows := r.queryInt(t, `SELECT COUNT(*) FROM schema_migrations`)
		if rows != int64(len(applied)) {
			t.Fatalf("schema_migrations has %d rows, want %d", rows, len(applied))
		}
		// Idempotent: a second run (a restarted server) applies nothing.
		for i := range 2 {
			again, err := r.Migrate(ctx)
			if err != nil || len(again) != 0 {
				t.Fatalf("run %d on a migrated database: applied %v, %v; want nothing", i+2, again, err)
			}
		}
		if n := r.queryInt(t, `SELECT COUNT(*) FROM schema_migrations`); n != rows {
			t.Fatalf("schema_migrations grew from %d to %d rows", rows, n)
		}
		if n := r.queryInt(t, `SELECT COUNT(*) FROM persons`); n != 0 {
			t.Fatalf("persons: %d rows in a new database", n)
		}
	})
}

// TestMigrateConcurrent starts two servers on one new database at once:
// each migration is applied exactly once and neither fails.
func TestMigrateConcurrent(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, false)
		other, err := store.Open(t.Context(), r.dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, db := range []*store.DB{r.DB, other} {
			wg.Go(func() { _, errs[i] = db.Migrate(t.Context()) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("server %d: %v", i+1, err)
			}
		}
		if v, err := r.SchemaVersion(t.Context()); err != nil || v != store.LatestVersion() {
			t.Fatalf("version %d, %v; want %d", v, err, store.LatestVersion())
		}
		if n, m := r.queryInt(t, `SELECT COUNT(*) FROM schema_migrations`), r.queryInt(t, `SELECT COUNT(DISTINCT version) FROM schema_migrations`); n != m {
			t.Fatalf("schema_migrations: %d rows for %d versions", n, m)
		}
	})
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, true)
		latest := store.LatestVersion()
		newer := latest + 1
		r.exec(t, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, newer, fmt.Sprintf("%04d_from_the_future.sql", newer), 0)
		applied, err := r.Migrate(t.Context())
		if err == nil {
			t.Fatalf("migrate on a newer schema succeeded (applied %v)", applied)
		}
		if len(applied) != 0 {
			t.Errorf("applied %v on a newer schema", applied)
		}
		msg := err.Error()
		for _, want := range []string{fmt.Sprintf("version %d", newer), fmt.Sprintf("only up to %d", latest), "newer trygg"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not say %q", msg, want)
			}
		}
		if v, err := r.SchemaVersion(t.Context()); err != nil || v != newer {
			t.Errorf("version after refusal: %d, %v; want %d unchanged", v, err, newer)
		}
	})
}

// seedTenant writes the same ids into tenant: unit "unit-a", officer "u-1"
// assigned to case "c-1" of person "p-1" (family name Andersson, given
// name label), one event and one access-log entry.
func seedTenant(t *testing.T, db *store.DB, tenant trygg.TenantID, label string) {
	t.Helper()
	ctx := t.Context()
	createTenant(t, db, tenant)
	update(t, db, func(tx *store.Tx) error {
		if err := tx.CreateUnit(ctx, tenant, org.Unit{ID: "unit-a", Name: label + " unit", Kind: org.KindAdministration, Field: org.FieldIFO, Path: "/unit-a/"}); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, tenant, store.User{ID: "u-1", Username: "officer", DisplayName: label + " officer"}); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, tenant, store.User{ID: "u-c", Username: "citizen", DisplayName: label + " citizen", PersonID: "p-1"}); err != nil {
			return err
		}
		if err := tx.GrantRole(ctx, tenant, "u-1", trygg.RoleOfficer, "unit-a"); err != nil {
			return err
		}
		if err := tx.GrantRole(ctx, tenant, "u-c", trygg.RoleCitizen, "unit-a"); err != nil {
			return err
		}
		if err := tx.InsertPerson(ctx, tenant, persons.Person{ID: "p-1", Identity: testIdentity(1), GivenName: label, FamilyName: "Andersson"}); err != nil {
			return err
		}
		if err := tx.InsertCase(ctx, tenant, store.Case{ID: "c-1", PersonID: "p-1", UnitID: "unit-a", CaseType: "test", Title: label + " case",
			Status: "open", AssignedTo: "u-1", OpenedAt: tx.Now}); err != nil {
			return err
		}
		e := events.Event{Tenant: tenant, ActorID: "u-1", Type: "test.seeded", SubjectType: "person", SubjectID: "p-1", PersonID: "p-1",
			Payload: json.RawMessage(`{"label":"` + label + `"}`)}
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
	if err := db.AppendAccessLog(ctx, []audit.Entry{{Tenant: tenant, ActorID: label + "-reader", Action: string(access.ReadPerson),
		PersonID: "p-1", Ground: string(access.RelAssigned)}}); err != nil {
		t.Fatal(err)
	}
}

func actorOf(t *testing.T, db *store.DB, tenant trygg.TenantID, userID string) trygg.Actor {
	t.Helper()
	u, err := db.UserByID(t.Context(), tenant, userID)
	if err != nil {
		t.Fatal(err)
	}
	grants, err := db.Grants(t.Context(), tenant, userID)
	if err != nil {
		t.Fatal(err)
	}
	return trygg.Actor{Tenant: tenant, UserID: u.ID, PersonID: u.PersonID, Grants: grants, ProtectedIdentity: u.ProtectedIdentity}
}

// TestTenantIsolation gives two tenants the same unit, user, person and case
// ids; tenant south also has a person p-2 that u-1 and p-1 are related to
// there. Nothing of one tenant may be read through the other.
func TestTenantIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		const north, south trygg.TenantID = "north", "south"
		seedTenant(t, db, north, "Nora")
		seedTenant(t, db, south, "Sune")
		update(t, db, func(tx *store.Tx) error {
			if err := tx.CreateUnit(ctx, south, org.Unit{ID: "unit-b", Name: "B", Kind: org.KindAdministration, Field: org.FieldIFO, Path: "/unit-b/"}); err != nil {
				return err
			}
			if err := tx.GrantRole(ctx, south, "u-1", trygg.RoleTeamLead, "unit-b"); err != nil {
				return err
			}
			if err := tx.InsertPerson(ctx, south, persons.Person{ID: "p-2", Identity: testIdentity(2), GivenName: "Selma", FamilyName: "Andersson"}); err != nil {
				return err
			}
			if err := tx.InsertCase(ctx, south, store.Case{ID: "c-2", PersonID: "p-2", UnitID: "unit-a", CaseType: "test", Title: "Sune case 2",
				Status: "open", AssignedTo: "u-1", OpenedAt: tx.Now}); err != nil {
				return err
			}
			if err := tx.InsertEmergencyOpening(ctx, south, "e-1", "u-1", "p-2", "emergency in south", tx.Now.Add(time.Hour)); err != nil {
				return err
			}
			if err := tx.InsertRelation(ctx, south, persons.Relation{ID: "r-1", FromPersonID: "p-1", ToPersonID: "p-2", Kind: persons.RelGuardian}); err != nil {
				return err
			}
			_, err := tx.AppendEvent(ctx, events.Event{Tenant: south, ActorID: "u-1", Type: "test.seeded", SubjectType: "person", SubjectID: "p-2"})
			return err
		})

		for _, tc := range []struct {
			tenant trygg.TenantID
			label  string
			seen   int // persons visible to u-1
			events int
		}{{north, "Nora", 1, 1}, {south, "Sune", 2, 2}} {
			t.Run(string(tc.tenant), func(t *testing.T) {
				p, err := db.PersonByID(ctx, tc.tenant, "p-1")
				if err != nil || p.GivenName != tc.label {
					t.Errorf("person p-1: %q, %v; want %q", p.GivenName, err, tc.label)
				}
				u, err := db.UserByUsername(ctx, tc.tenant, "officer")
				if err != nil || u.DisplayName != tc.label+" officer" {
					t.Errorf("user: %q, %v", u.DisplayName, err)
				}
				unit, err := db.Unit(ctx, tc.tenant, "unit-a")
				if err != nil || unit.Name != tc.label+" unit" {
					t.Errorf("unit: %q, %v", unit.Name, err)
				}
				c, err := db.CaseByID(ctx, tc.tenant, "c-1")
				if err != nil || c.Title != tc.label+" case" {
					t.Errorf("case c-1: %q, %v", c.Title, err)
				}
				cs, err := db.CasesOfPerson(ctx, tc.tenant, "p-1")
				if err != nil || len(cs) != 1 || cs[0].Title != tc.label+" case" {
					t.Errorf("cases of p-1: %+v, %v", cs, err)
				}

				officer := actorOf(t, db, tc.tenant, "u-1")
				vis, err := db.VisiblePersonIDs(ctx, officer)
				if err != nil || len(vis) != tc.seen || !vis["p-1"] {
					t.Errorf("visible to officer: %v, %v; want p-1 and %d in all", vis, err, tc.seen)
				}
				found, err := db.SearchPersons(ctx, officer, store.PersonQuery{Name: "andersson"})
				if err != nil || len(found) != tc.seen {
					t.Errorf("search: %d hits, %v; want %d", len(found), err, tc.seen)
				}
				for _, p := range found {
					if p.ID == "p-1" && p.GivenName != tc.label {
						t.Errorf("search found p-1 named %q, the other tenant's", p.GivenName)
					}
				}
				id := testIdentity(1)
				found, err = db.SearchPersons(ctx, officer, store.PersonQuery{Identity: &id})
				if err != nil || len(found) != 1 || found[0].GivenName != tc.label {
					t.Errorf("search by identity: %+v, %v", found, err)
				}

				evs, err := db.Events(ctx, tc.tenant, 0, 100)
				if err != nil || len(evs) != tc.events {
					t.Fatalf("events: %d, %v; want %d", len(evs), err, tc.events)
				}
				for i, e := range evs {
					if e.Tenant != tc.tenant || e.Seq != int64(i+1) {
						t.Errorf("event %d: tenant %s seq %d", i, e.Tenant, e.Seq)
					}
				}
				if !strings.Contains(string(evs[0].Payload), tc.label) {
					t.Errorf("event 1 payload %s is not this tenant's", evs[0].Payload)
				}

				log, err := db.AccessLog(ctx, tc.tenant, store.AccessLogFilter{})
				if err != nil || len(log) != 1 || log[0].ActorID != tc.label+"-reader" {
					t.Errorf("access log: %+v, %v", log, err)
				}
				log, err = db.AccessLog(ctx, tc.tenant, store.AccessLogFilter{PersonID: "p-1"})
				if err != nil || len(log) != 1 || log[0].ActorID != tc.label+"-reader" {
					t.Errorf("access log of p-1: %+v, %v", log, err)
				}
				rep, err := db.VerifyAccessLog(ctx, tc.tenant)
				if err != nil || !rep.OK() || rep.Entries != 1 {
					t.Errorf("verify: %v, %v", rep, err)
				}
			})
		}

		// What only south has must not reach north.
		if _, err := db.PersonByID(ctx, north, "p-2"); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Errorf("north person p-2: %v, want not found", err)
		}
		if _, err := db.CaseByID(ctx, north, "c-2"); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Errorf("north case c-2: %v, want not found", err)
		}
		if _, err := db.Unit(ctx, north, "unit-b"); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Errorf("north unit-b: %v, want not found", err)
		}
		officer := actorOf(t, db, north, "u-1")
		if len(officer.Grants) != 1 || officer.Grants[0].UnitID != "unit-a" {
			t.Errorf("north u-1 grants: %+v, want only unit-a", officer.Grants)
		}
		if rels, err := db.PersonRelations(ctx, officer, "p-2"); err != nil || len(rels) != 0 {
			t.Errorf("north officer's relations to south's p-2: %v, %v", rels, err)
		}
		citizen := actorOf(t, db, north, "u-c")
		if rels, err := db.PersonRelations(ctx, citizen, "p-2"); err != nil || len(rels) != 0 {
			t.Errorf("north citizen's relations to south's p-2: %v, %v", rels, err)
		}
		if vis, err := db.VisiblePersonIDs(ctx, citizen); err != nil || len(vis) != 1 || !vis["p-1"] {
			t.Errorf("visible to north citizen: %v, %v; want only p-1", vis, err)
		}
		southCitizen := actorOf(t, db, south, "u-c")
		if vis, err := db.VisiblePersonIDs(ctx, southCitizen); err != nil || len(vis) != 2 {
			t.Errorf("visible to south citizen: %v, %v; want p-1 and p-2", vis, err)
		}
		id := testIdentity(2)
		if found, err := db.SearchPersons(ctx, officer, store.PersonQuery{Identity: &id}); err != nil || len(found) != 0 {
			t.Errorf("north search for south's identity: %+v, %v", found, err)
		}
		if rels, err := db.Relations(ctx, north, "p-1"); err != nil || len(rels) != 0 {
			t.Errorf("north relations of p-1: %+v, %v", rels, err)
		}
		if log, err := db.AccessLog(ctx, north, store.AccessLogFilter{ActorID: "Sune-reader"}); err != nil || len(log) != 0 {
			t.Errorf("north access log by south's reader: %+v, %v", log, err)
		}
		if evs, err := db.Events(ctx, "nowhere", 0, 100); err != nil || len(evs) != 0 {
			t.Errorf("events of an unknown tenant: %+v, %v", evs, err)
		}
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendEvent(ctx, events.Event{Tenant: "nowhere", Type: "test"})
			return err
		})
		wantCode(t, err, trygg.ENotFound, "append event to an unknown tenant")
	})
}

// TestEventLogConcurrentAppend appends from 8 goroutines, each event in its
// own transaction, to two tenants, while a consumer per tenant follows the
// log: every tenant's sequence is 1..n without gaps, the consumers see every
// event exactly once and in order, and each writer's events keep its order.
func TestEventLogConcurrentAppend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		tenants := []trygg.TenantID{"ev-a", "ev-b"}
		createTenant(t, db, tenants...)
		const writers, perWriter = 8, 20
		want := map[trygg.TenantID]int{}
		for w := range writers {
			for i := range perWriter {
				want[tenants[(w+i)%2]]++
			}
		}

		var wg sync.WaitGroup
		writeErrs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				for i := range perWriter {
					tenant := tenants[(w+i)%2]
					err := db.Update(ctx, func(tx *store.Tx) error {
						_, err := tx.AppendEvent(ctx, events.Event{Tenant: tenant, ActorID: fmt.Sprintf("w%d", w), Type: "test.appended",
							SubjectType: "test", SubjectID: fmt.Sprintf("%d/%d", w, i)})
						return err
					})
					if err != nil {
						writeErrs <- fmt.Errorf("writer %d event %d: %w", w, i, err)
						return
					}
				}
			})
		}
		// Consumers follow the log with a cursor, as integrations do.
		consumed := map[trygg.TenantID][]events.Event{}
		var cmu sync.Mutex
		var cwg sync.WaitGroup
		consumeErrs := make(chan error, len(tenants))
		for _, tenant := range tenants {
			cwg.Go(func() {
				var got []events.Event
				var cursor int64
				deadline := time.Now().Add(time.Minute)
				for len(got) < want[tenant] {
					if time.Now().After(deadline) {
						consumeErrs <- fmt.Errorf("%s: consumer saw %d of %d events", tenant, len(got), want[tenant])
						return
					}
					page, err := db.Events(ctx, tenant, cursor, 7)
					if err != nil {
						consumeErrs <- err
						return
					}
					for _, e := range page {
						if e.Seq != cursor+1 {
							consumeErrs <- fmt.Errorf("%s: after %d the consumer got %d", tenant, cursor, e.Seq)
							return
						}
						cursor = e.Seq
						got = append(got, e)
					}
					if len(page) == 0 {
						time.Sleep(time.Millisecond)
					}
				}
				cmu.Lock()
				consumed[tenant] = got
				cmu.Unlock()
			})
		}
		wg.Wait()
		close(writeErrs)
		for err := range writeErrs {
			t.Fatal(err)
		}
		cwg.Wait()
		close(consumeErrs)
		for err := range consumeErrs {
			t.Error(err)
		}

		for _, tenant := range tenants {
			all, err := db.Events(ctx, tenant, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != want[tenant] {
				t.Fatalf("%s: %d events, want %d", tenant, len(all), want[tenant])
			}
			subjects := map[string]bool{}
			lastOfWriter := map[string]int{}
			for i, e := range all {
				if e.Seq != int64(i+1) {
					t.Fatalf("%s: event %d has seq %d; sequence must be 1..n", tenant, i, e.Seq)
				}
				if e.Tenant != tenant || e.Type != "test.appended" || e.At.IsZero() {
					t.Errorf("%s: event %d: %+v", tenant, e.Seq, e)
				}
				if subjects[e.SubjectID] {
					t.Errorf("%s: %s appended twice", tenant, e.SubjectID)
				}
				subjects[e.SubjectID] = true
				w, n, _ := strings.Cut(e.SubjectID, "/")
				i, _ := strconv.Atoi(n)
				if prev, ok := lastOfWriter[w]; ok && i <= prev {
					t.Errorf("%s: writer %s's event %d comes after its event %d", tenant, w, i, prev)
				}
				lastOfWriter[w] = i
			}
			if got := consumed[tenant]; len(got) == len(all) {
				for i := range all {
					if got[i].SubjectID != all[i].SubjectID {
						t.Errorf("%s: consumer's event %d is %s, log has %s", tenant, i+1, got[i].SubjectID, all[i].SubjectID)
					}
				}
			}
		}
	})
}

// TestEventsPaging pages through the log with several limits; every page
// continues the previous without missing or repeating an event.
func TestEventsPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		createTenant(t, db, "pg-a", "pg-b")
		const total = 23
		for i := range total {
			update(t, db, func(tx *store.Tx) error {
				// Interleave another tenant so its events sit between ours.
				if _, err := tx.AppendEvent(ctx, events.Event{Tenant: "pg-b", Type: "other"}); err != nil {
					return err
				}
				_, err := tx.AppendEvent(ctx, events.Event{Tenant: "pg-a", Type: "test", SubjectID: strconv.Itoa(i + 1),
					Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i+1))})
				return err
			})
		}
		for _, limit := range []int{1, 2, 7, 22, 23, 24, 1000, 0, -1, 5000} {
			t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
				var cursor int64
				var seqs []int64
				for pages := 0; ; pages++ {
					if pages > total+1 {
						t.Fatal("paging does not end")
					}
					page, err := db.Events(ctx, "pg-a", cursor, limit)
					if err != nil {
						t.Fatal(err)
					}
					if page == nil {
						t.Fatal("Events returned nil, want an empty slice")
					}
					if limit > 0 && len(page) > limit {
						t.Fatalf("page of %d events, limit %d", len(page), limit)
					}
					if len(page) == 0 {
						break
					}
					for _, e := range page {
						seqs = append(seqs, e.Seq)
						var p struct{ N int64 }
						if err := json.Unmarshal(e.Payload, &p); err != nil || p.N != e.Seq || e.SubjectID != strconv.FormatInt(e.Seq, 10) {
							t.Errorf("event %d: subject %q payload %s", e.Seq, e.SubjectID, e.Payload)
						}
					}
					cursor = page[len(page)-1].Seq
				}
				if len(seqs) != total {
					t.Fatalf("paged %d events, want %d: %v", len(seqs), total, seqs)
				}
				for i, s := range seqs {
					if s != int64(i+1) {
						t.Fatalf("paged sequence %v, want 1..%d", seqs, total)
					}
				}
			})
		}
		if page, err := db.Events(ctx, "pg-a", 10, 5); err != nil || len(page) != 5 || page[0].Seq != 11 || page[4].Seq != 15 {
			t.Errorf("events after 10, limit 5: %v, %v", page, err)
		}
		if page, err := db.Events(ctx, "pg-a", total, 10); err != nil || len(page) != 0 {
			t.Errorf("events after the last: %v, %v", page, err)
		}
	})
}

// TestUniqueViolations checks that inserting what is already there is a
// conflict error (a taken username: an invalid error on the username field,
// as the API documents) and leaves the first row as it was.
func TestUniqueViolations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		const tenant trygg.TenantID = "uniq"
		seedTenant(t, db, tenant, "Uno")
		tests := []struct {
			name  string
			code  string
			field string // the field the error names, if any
			write func(tx *store.Tx) error
			check func() error // the first row is unchanged
		}{
			{"tenant id", trygg.EConflict, "", func(tx *store.Tx) error {
				return tx.CreateTenant(ctx, org.Tenant{ID: tenant, Name: "Again", MunicipalityCode: "0998"})
			}, func() error {
				if tn, err := db.Tenant(ctx, tenant); err != nil || tn.Name != "Kommun uniq" {
					return fmt.Errorf("tenant now %+v, %v", tn, err)
				}
				return nil
			}},
			{"unit id", trygg.EConflict, "", func(tx *store.Tx) error {
				return tx.CreateUnit(ctx, tenant, org.Unit{ID: "unit-a", Name: "Again", Kind: org.KindAdministration, Field: org.FieldIFO, Path: "/unit-a/"})
			}, func() error {
				if u, err := db.Unit(ctx, tenant, "unit-a"); err != nil || u.Name != "Uno unit" {
					return fmt.Errorf("unit now %+v, %v", u, err)
				}
				return nil
			}},
			{"person identity", trygg.EConflict, "", func(tx *store.Tx) error {
				return tx.InsertPerson(ctx, tenant, persons.Person{ID: "p-new", Identity: testIdentity(1), GivenName: "Again", FamilyName: "Again"})
			}, func() error {
				if _, err := db.PersonByID(ctx, tenant, "p-new"); trygg.ErrorCode(err) != trygg.ENotFound {
					return fmt.Errorf("the duplicate was stored: %v", err)
				}
				return nil
			}},
			{"person id", trygg.EConflict, "", func(tx *store.Tx) error {
				return tx.InsertPerson(ctx, tenant, persons.Person{ID: "p-1", Identity: testIdentity(9), GivenName: "Again", FamilyName: "Again"})
			}, func() error {
				if p, err := db.PersonByID(ctx, tenant, "p-1"); err != nil || p.GivenName != "Uno" {
					return fmt.Errorf("person now %+v, %v", p, err)
				}
				return nil
			}},
			{"username", trygg.EInvalid, "username", func(tx *store.Tx) error {
				return tx.InsertUser(ctx, tenant, store.User{ID: "u-new", Username: "officer", DisplayName: "Again"})
			}, func() error {
				if _, err := db.UserByID(ctx, tenant, "u-new"); trygg.ErrorCode(err) != trygg.ENotFound {
					return fmt.Errorf("the duplicate was stored: %v", err)
				}
				return nil
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := db.Update(ctx, tt.write)
				wantCode(t, err, tt.code, tt.name)
				var te *trygg.Error
				if tt.field != "" && (!errors.As(err, &te) || te.Fields[tt.field] == "") {
					t.Errorf("error %v does not name the field %q", err, tt.field)
				}
				if msg := trygg.ErrorMessage(err); strings.Contains(msg, "UNIQUE") || strings.Contains(msg, "23505") {
					t.Errorf("message shows database detail: %q", msg)
				}
				if err := tt.check(); err != nil {
					t.Error(err)
				}
			})
		}
		// The store still works after the failed transactions.
		update(t, db, func(tx *store.Tx) error {
			return tx.InsertPerson(ctx, tenant, persons.Person{ID: "p-ok", Identity: testIdentity(3), GivenName: "Ok", FamilyName: "Ok"})
		})
	})
}

// appendChain writes n entries for each tenant, interleaved across tenants
// and split over two batches, and checks what AppendAccessLog filled in.
func appendChain(t *testing.T, db *store.DB, n int, tenants ...trygg.TenantID) {
	t.Helper()
	var all []audit.Entry
	for _, split := range [][2]int{{0, 2}, {2, n}} {
		var batch []audit.Entry
		for i := split[0]; i < split[1]; i++ {
			for _, tenant := range tenants {
				batch = append(batch, audit.Entry{Tenant: tenant, ActorID: fmt.Sprintf("u-%d", i), Action: string(access.ReadPerson),
					PersonID: fmt.Sprintf("p-%d", i), Ground: string(access.RelUnit), Reason: "review " + strconv.Itoa(i)})
			}
		}
		if err := db.AppendAccessLog(t.Context(), batch); err != nil {
			t.Fatal(err)
		}
		all = append(all, batch...)
	}
	prev := map[trygg.TenantID]audit.Entry{}
	for _, e := range all {
		p, ok := prev[e.Tenant]
		wantPrev, wantSeq := audit.Genesis, int64(1)
		if ok {
			wantPrev, wantSeq = p.Hash, p.Seq+1
		}
		if e.Seq != wantSeq || e.PrevHash != wantPrev || e.Hash != audit.ComputeHash(e) || e.At.IsZero() {
			t.Fatalf("%s entry %d: seq %d prev %.8s hash %.8s at %v", e.Tenant, wantSeq, e.Seq, e.PrevHash, e.Hash, e.At)
		}
		prev[e.Tenant] = e
	}
}

// TestAccessLogChain appends a chain per tenant, tampers with four of them
// through a raw connection and checks that VerifyAccessLog reports each
// break and still passes the untouched chain.
func TestAccessLogChain(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, true)
		ctx := t.Context()
		const n = 5
		type problem struct {
			seq    int64
			reason string // a word of the reason
		}
		tests := []struct {
			tenant  trygg.TenantID
			tamper  func(t *testing.T, tenant trygg.TenantID)
			entries int64
			want    []problem
		}{
			{"intact", func(*testing.T, trygg.TenantID) {}, n, nil},
			{"edited-actor", func(t *testing.T, tenant trygg.TenantID) {
				if r.exec(t, `UPDATE access_log SET actor_id = ? WHERE tenant_id = ? AND seq = 3`, "mallory", string(tenant)) != 1 {
					t.Fatal("no row edited")
				}
			}, n, []problem{{3, "altered"}}},
			{"deleted-middle", func(t *testing.T, tenant trygg.TenantID) {
				if r.exec(t, `DELETE FROM access_log WHERE tenant_id = ? AND seq = 3`, string(tenant)) != 1 {
					t.Fatal("no row deleted")
				}
			}, n - 1, []problem{{4, "missing"}, {4, "previous-hash link"}}},
			{"deleted-last", func(t *testing.T, tenant trygg.TenantID) {
				if r.exec(t, `DELETE FROM access_log WHERE tenant_id = ? AND seq = ?`, string(tenant), n) != 1 {
					t.Fatal("no row deleted")
				}
			}, n - 1, []problem{{n, "removed"}}},
			{"swapped-hashes", func(t *testing.T, tenant trygg.TenantID) {
				h2 := r.queryString(t, `SELECT hash FROM access_log WHERE tenant_id = ? AND seq = 2`, string(tenant))
				h3 := r.queryString(t, `SELECT hash FROM access_log WHERE tenant_id = ? AND seq = 3`, string(tenant))
				r.exec(t, `UPDATE access_log SET hash = ? WHERE tenant_id = ? AND seq = 2`, h3, string(tenant))
				r.exec(t, `UPDATE access_log SET hash = ? WHERE tenant_id = ? AND seq = 3`, h2, string(tenant))
			}, n, []problem{{2, "altered"}, {3, "previous-hash link"}, {3, "altered"}, {4, "previous-hash link"}}},
		}
		var tenants []trygg.TenantID
		for _, tt := range tests {
			tenants = append(tenants, tt.tenant)
		}
		appendChain(t, r.DB, n, tenants...)
		for _, tenant := range tenants {
			rep, err := r.VerifyAccessLog(ctx, tenant)
			if err != nil || !rep.OK() || rep.Entries != n {
				t.Fatalf("%s before tampering: %v, %v", tenant, rep, err)
			}
		}
		if rep, err := r.VerifyAccessLog(ctx, "empty"); err != nil || !rep.OK() || rep.Entries != 0 {
			t.Errorf("tenant without entries: %v, %v", rep, err)
		}
		for _, tt := range tests {
			tt.tamper(t, tt.tenant)
		}
		for _, tt := range tests {
			t.Run(string(tt.tenant), func(t *testing.T) {
				rep, err := r.VerifyAccessLog(ctx, tt.tenant)
				if err != nil {
					t.Fatal(err)
				}
				if rep.Entries != tt.entries {
					t.Errorf("entries %d, want %d", rep.Entries, tt.entries)
				}
				if rep.OK() != (len(tt.want) == 0) {
					t.Fatalf("OK() = %v with report:\n%v", rep.OK(), rep)
				}
				if len(rep.Problems) != len(tt.want) {
					t.Fatalf("%d problems, want %d:\n%v", len(rep.Problems), len(tt.want), rep)
				}
				for i, w := range tt.want {
					if p := rep.Problems[i]; p.Seq != w.seq || !strings.Contains(p.Reason, w.reason) {
						t.Errorf("problem %d: seq %d %q; want seq %d saying %q", i, p.Seq, p.Reason, w.seq, w.reason)
					}
				}
			})
		}
	})
}

// TestGroupCommitter records from 50 goroutines at once through one
// committer: every Record returns with its entries durable as one row of
// the chain, and each tenant's chain verifies with every row in it
// exactly once and every entry listed.
func TestGroupCommitter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := audit.NewCommitter(db)
		defer c.Close()
		tenants := []trygg.TenantID{"gc-a", "gc-b"}
		const goroutines, records = 50, 3
		var mu sync.Mutex
		written := map[trygg.TenantID][]audit.Entry{}
		rowsOf := map[trygg.TenantID][]int64{}
		var wg sync.WaitGroup
		errs := make(chan error, goroutines)
		for g := range goroutines {
			wg.Go(func() {
				for i := range records {
					tenant := tenants[(g+i)%2]
					es := make([]audit.Entry, 1+(g+i)%3)
					for k := range es {
						es[k] = audit.Entry{Tenant: tenant, ActorID: fmt.Sprintf("g%02d", g), Action: string(access.ReadPerson),
							PersonID: fmt.Sprintf("p-%d-%d-%d", g, i, k), Ground: string(access.RelUnit)}
					}
					if err := c.Record(ctx, es...); err != nil {
						errs <- fmt.Errorf("goroutine %d record %d: %w", g, i, err)
						return
					}
					// Durable on return: the row is there for any reader.
					for _, e := range es {
						got, err := db.AccessLog(ctx, tenant, store.AccessLogFilter{PersonID: e.PersonID})
						if err != nil || len(got) != 1 || got[0].Seq != es[0].Seq || got[0].Hash != es[0].Hash {
							errs <- fmt.Errorf("goroutine %d record %d: after Record the log has %+v, %v", g, i, got, err)
							return
						}
					}
					mu.Lock()
					written[tenant] = append(written[tenant], es...)
					rowsOf[tenant] = append(rowsOf[tenant], es[0].Seq)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if t.Failed() {
			return
		}
		for _, tenant := range tenants {
			es, rows := written[tenant], rowsOf[tenant]
			seqs := map[int64]bool{}
			for _, seq := range rows {
				if seq < 1 || seq > int64(len(rows)) || seqs[seq] {
					t.Errorf("%s: seq %d given twice or outside 1..%d", tenant, seq, len(rows))
				}
				seqs[seq] = true
			}
			rep, err := db.VerifyAccessLog(ctx, tenant)
			if err != nil || !rep.OK() || rep.Entries != int64(len(rows)) {
				t.Errorf("%s: %v, %v; want %d rows verified", tenant, rep, err, len(rows))
			}
			all, err := db.AccessLog(ctx, tenant, store.AccessLogFilter{Limit: 1000})
			if err != nil || len(all) != len(es) {
				t.Errorf("%s: access log has %d entries, %v; want %d", tenant, len(all), err, len(es))
			}
		}
		c.Close()
		// A Record after Close must fail at once, never wait for a writer
		// that has stopped.
		late := make(chan error, 1)
		go func() {
			for range 100 {
				if err := c.Record(ctx, audit.Entry{Tenant: "gc-a", ActorID: "late"}); err != audit.ErrClosed {
					late <- fmt.Errorf("Record after Close: %v, want ErrClosed", err)
					return
				}
			}
			late <- nil
		}()
		select {
		case err := <-late:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Record after Close does not return")
		}
		if rep, err := db.VerifyAccessLog(ctx, "gc-a"); err != nil || rep.Entries != int64(len(rowsOf["gc-a"])) {
			t.Errorf("after Close: %v, %v; late entries must not be written", rep, err)
		}
	})
}
