package store

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestCasesByIDsPlan: with the statistics a municipality gives SQLite
// (every case has the tenant's id, a unit has hundreds of cases), the
// legacy import's lookup of a batch's cases reads them by key, never
// every case of the units: joined to units, the planner reads the units
// first and each unit's cases, and an import's batches slow down as its
// cases grow.
func TestCasesByIDsPlan(t *testing.T) {
	ctx := t.Context()
	raw := sqliteWithStatistics(t,
		`DELETE FROM sqlite_stat1 WHERE tbl IN ('cases', 'units')`,
		// The demo's municipality of 2,000 persons, analyzed.
		`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cases', 'cases_reference', '5882 5882 1'),
			('cases', 'cases_inbox_unit', '5882 5882 236 118 62'), ('cases', 'cases_inbox_assigned', '5882 5882 35 19 17'),
			('cases', 'cases_person', '5882 5882 1'),
			('cases', 'sqlite_autoindex_cases_1', '5882 5882 1'), ('units', 'units_path', '36 36 1'),
			('units', 'sqlite_autoindex_units_1', '36 36 1')`)
	in := `(?` + strings.Repeat(", ?", 499) + `)`
	plan := func(query string) string {
		t.Helper()
		args := make([]any, 501)
		args[0] = "demo"
		for i := 1; i <= 500; i++ {
			args[i] = "id"
		}
		return queryPlan(ctx, t, raw, query, args...)
	}
	if p := plan(`SELECT ` + caseCols + caseFrom + ` WHERE c.tenant_id = ? AND c.id IN ` + in); !strings.Contains(p, "SCAN u") {
		t.Errorf("the join, which CasesByIDs used, is no longer planned as a scan of the units (update this test's statistics):\n%s", p)
	}
	if p := plan(`SELECT ` + casesByIDCols + ` FROM cases c WHERE c.tenant_id = ? AND c.id IN ` + in); strings.Contains(p, "SCAN") ||
		!strings.Contains(p, "SEARCH c USING INDEX sqlite_autoindex_cases_1 (tenant_id=? AND id=?)") {
		t.Errorf("CasesByIDs is planned as\n%s", p)
	}
}

// TestAnalyzeTablesSQLite: a table that grew from a hundred rows to
// twenty thousand since its statistics were taken is read by key again
// once AnalyzeTables has run: before, SQLite scans the whole table for a
// batch's 500 ids (a legacy import's decisions, each batch slower).
func TestAnalyzeTablesSQLite(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "trygg.db")
	db, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	insert := func(from, to int) {
		t.Helper()
		_, err := raw.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO decisions (tenant_id, id, case_id, insats, outcome, legal_basis, status, drafted_by, created_at)
			SELECT 'demo', printf('d-%07d', i), printf('c-%07d', i / 2), 'hemtjanst', 'granted', 'SoL', 'final', 'u', 0 FROM n`, from, to)
		if err != nil {
			t.Fatal(err)
		}
	}
	insert(1, 121)
	if err := db.Optimize(ctx); err != nil { // as serve does at start
		t.Fatal(err)
	}
	insert(122, 20_000) // an import's decisions since
	in := `(?` + strings.Repeat(", ?", 499) + `)`
	plan := func() string {
		t.Helper()
		args := []any{"demo"}
		for i := range 500 {
			args = append(args, fmt.Sprintf("d-%07d", i))
		}
		return queryPlan(ctx, t, db.write, `SELECT `+decisionCols+` FROM decisions WHERE tenant_id = ? AND id IN `+in, args...)
	}
	if p := plan(); !strings.Contains(p, "SCAN decisions") {
		t.Errorf("with the statistics of 121 decisions the lookup is no longer a scan (update this test):\n%s", p)
	}
	if err := db.AnalyzeTables(ctx, "decisions"); err != nil {
		t.Fatal(err)
	}
	if p := plan(); strings.Contains(p, "SCAN") {
		t.Errorf("after AnalyzeTables the lookup of 500 decisions of 20,000 is\n%s", p)
	}
}
