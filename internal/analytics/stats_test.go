package analytics_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/trygg/trygg/internal/analytics"
)

// TestStatisticsTaken: a SQLite analysis store opened again after a
// server projected into it has its planner's statistics, and a rebuild
// takes them at its end: without them SQLite read every fact of a unit
// where a batch looks up a few cases by key, each batch slower as the
// store grew.
func TestStatisticsTaken(t *testing.T) {
	ctx := context.Background()
	db, st, total, dsn := generatedSetup(t, "sqlite", 60)
	stats := func() int {
		t.Helper()
		f, err := sql.Open("sqlite", "file:"+analytics.DefaultDSN(dsn)+"?_pragma=query_only(1)")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var n int
		if err := f.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_stat1 WHERE idx = 'fact_cases_unit'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	pr, err := analytics.NewProjector(ctx, db, st, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	pr.Batch = 50
	if n, err := pr.CatchUp(ctx); err != nil || n != total {
		t.Fatalf("%d events, %v; want %d", n, err, total)
	}
	if n := stats(); n != 0 {
		t.Fatalf("statistics of fact_cases_unit before any were taken: %d rows", n)
	}
	again, err := analytics.Open(ctx, analytics.DefaultDSN(dsn))
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
	if n := stats(); n != 1 {
		t.Errorf("statistics of fact_cases_unit after opening the store: %d rows, want 1", n)
	}
	if _, err := pr.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if n := stats(); n != 1 {
		t.Errorf("statistics of fact_cases_unit after a rebuild: %d rows, want 1", n)
	}
}

// TestStatisticsTakenPostgres: a PostgreSQL analysis store filled by a
// catch-up takes its statistics after its first 5,000 events, before
// autovacuum would: without them the planner's plans of a batch's
// statements were made for an empty store.
func TestStatisticsTakenPostgres(t *testing.T) {
	ctx := context.Background()
	db, st, total, dsn := generatedSetup(t, "postgres", 220)
	pr, err := analytics.NewProjector(ctx, db, st, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	pr.Batch = 1000
	if n, err := pr.CatchUp(ctx); err != nil || n != total || total < 5000 {
		t.Fatalf("%d events, %v; want %d (at least 5,000)", n, err, total)
	}
	pg, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	var analyzed bool
	if err := pg.QueryRowContext(ctx, `SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables
		WHERE schemaname = 'analytics' AND relname = 'fact_cases'`).Scan(&analyzed); err != nil {
		t.Fatal(err)
	}
	if !analyzed {
		t.Errorf("fact_cases has no statistics after %d events projected", total)
	}
}
