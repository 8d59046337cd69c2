// Package storetest runs tests against every store engine: a fresh SQLite
// file and a fresh PostgreSQL database (see package pgtest) per test, and
// for the store's own contract tests a database on a Citus cluster too.
package storetest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/pgtest"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Engines are the engine names, in the order tests run them.
var Engines = []string{"sqlite", "postgres"}

// WithCitus are Engines and "citus": a database on a coordinator and two
// workers (pgtest.NewCitusDatabase), distributed by tenant by Migrate.
// The store's contract tests run on it (internal/store's TestMain sets
// Engines to it); the services' tests do not, to keep the suite short.
var WithCitus = []string{"sqlite", "postgres", "citus"}

// DSN returns a fresh database of engine for t.
func DSN(t testing.TB, engine string) string {
	t.Helper()
	switch engine {
	case "postgres":
		return pgtest.NewDatabase(t)
	case "citus":
		return pgtest.NewCitusDatabase(t)
	}
	return filepath.Join(t.TempDir(), "trygg.db")
}

// CitusMigrated returns a fresh database on the Citus cluster, migrated
// and distributed already: a copy of one migrated once per test binary.
func CitusMigrated(t testing.TB) string {
	t.Helper()
	return CitusMigratedOn(t).DSN
}

// CitusMigratedOn is CitusMigrated with the database's DSNs on the workers.
func CitusMigratedOn(t testing.TB) pgtest.CitusDatabase {
	t.Helper()
	return pgtest.NewCitusDatabaseFrom(t, "migrated", func(dsn string) error {
		ctx := context.Background()
		db, err := store.Open(ctx, dsn, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.Migrate(ctx)
		return err
	})
}

// Open opens and migrates a fresh database of engine, closed at cleanup.
func Open(t testing.TB, engine string, clock trygg.Clock) *store.DB {
	t.Helper()
	ctx := context.Background()
	dsn := ""
	if engine == "citus" {
		dsn = CitusMigrated(t)
	} else {
		dsn = DSN(t, engine)
	}
	db, err := store.Open(ctx, dsn, clock)
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	return db
}

// Each runs fn as a subtest per engine, each with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, engine := range Engines {
		t.Run(engine, func(t *testing.T) {
			fn(t, Open(t, engine, nil))
		})
	}
}

// Service returns a service over db with a group committer (closed at
// cleanup) and the given registry (may be nil).
func Service(t testing.TB, db *store.DB, registry persons.Registry) *service.Service {
	t.Helper()
	c := audit.NewCommitter(db)
	t.Cleanup(c.Close)
	return service.New(db, c, registry, nil)
}

// Clock is a settable clock for tests, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
