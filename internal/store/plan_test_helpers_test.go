package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// sqliteWithStatistics returns a connection to a fresh, migrated SQLite
// store whose planner statistics are its own ANALYZE changed by stats
// (statements on sqlite_stat1: a municipality's figures), for the tests
// that pin a statement's plan at a municipality's size.
func sqliteWithStatistics(t *testing.T, stats ...string) *sql.DB {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "trygg.db")
	db, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	raw.SetMaxOpenConns(1)
	qs := append(append([]string{`ANALYZE`}, stats...), `ANALYZE sqlite_schema`)
	for _, q := range qs {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return raw
}

// queryPlan returns SQLite's EXPLAIN QUERY PLAN of query with args, a
// line per step, for the tests that pin a statement's plan.
func queryPlan(ctx context.Context, t *testing.T, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) string {
	t.Helper()
	rows, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
