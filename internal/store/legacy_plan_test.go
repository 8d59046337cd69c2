package store

import (
	"database/sql"
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
	path := filepath.Join(t.TempDir(), "trygg.db")
	db, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	for _, q := range []string{
		`ANALYZE`,
		`DELETE FROM sqlite_stat1 WHERE tbl IN ('cases', 'units')`,
		// The demo's municipality of 2,000 persons, analyzed.
		`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cases', 'cases_reference', '5882 5882 1'),
			('cases', 'cases_inbox_unit', '5882 5882 236 118 62'), ('cases', 'cases_inbox_assigned', '5882 5882 35 19 17'),
			('cases', 'cases_assigned', '5882 5882 35'), ('cases', 'cases_unit', '5882 5882 236'), ('cases', 'cases_person', '5882 5882 1'),
			('cases', 'sqlite_autoindex_cases_1', '5882 5882 1'), ('units', 'units_path', '36 36 1'),
			('units', 'sqlite_autoindex_units_1', '36 36 1')`,
		`ANALYZE sqlite_schema`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	in := `(?` + strings.Repeat(", ?", 499) + `)`
	plan := func(query string) string {
		t.Helper()
		args := make([]any, 501)
		args[0] = "demo"
		for i := 1; i <= 500; i++ {
			args[i] = "id"
		}
		rows, err := raw.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
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
		return b.String()
	}
	if p := plan(`SELECT ` + caseCols + caseFrom + ` WHERE c.tenant_id = ? AND c.id IN ` + in); !strings.Contains(p, "SCAN u") {
		t.Errorf("the join, which CasesByIDs used, is no longer planned as a scan of the units (update this test's statistics):\n%s", p)
	}
	if p := plan(`SELECT ` + casesByIDCols + ` FROM cases c WHERE c.tenant_id = ? AND c.id IN ` + in); strings.Contains(p, "SCAN") ||
		!strings.Contains(p, "SEARCH c USING INDEX sqlite_autoindex_cases_1 (tenant_id=? AND id=?)") {
		t.Errorf("CasesByIDs is planned as\n%s", p)
	}
}
