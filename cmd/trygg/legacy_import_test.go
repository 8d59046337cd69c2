package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/packs"
)

// legacyDemo loads the demo municipality (its definitions publish the
// legacy mapping socialregistret) into a new database of engine and
// returns its DSN.
func legacyDemo(t *testing.T, engine string) string {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t, engine)
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := storetest.Service(t, db, nil)
	ds := demo.Generate(demo.Options{Persons: 30, Staff: 20})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	if _, err := svc.LoadDemo(ctx, ds); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// TestLegacyCommands moves a district in from the command line: a
// synthetic export, its dry run with a report file, the import, the
// reconciliation with nothing unexplained, the import again changing
// nothing, and a persons-only import of another district. The reports
// name records by file, line and legacy id, never by a name.
func TestLegacyCommands(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			dsn := legacyDemo(t, engine)
			dir := t.TempDir()
			run1 := func(args ...string) (string, string, error) {
				t.Helper()
				var stdout, stderr bytes.Buffer
				err := run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
				return stdout.String(), stderr.String(), err
			}
			must := func(args ...string) string {
				t.Helper()
				out, errOut, err := run1(args...)
				if err != nil {
					t.Fatalf("trygg %s: %v\n%s\n%s", strings.Join(args, " "), err, out, errOut)
				}
				return out
			}
			north := filepath.Join(dir, "north")
			must("legacy", "export", "--synthetic", "--district", "N", "--persons", "50", "--notes-per-person", "2", "--out", north)
			common := []string{"--db", dsn, "--as", "admin", "--dir", north}

			report := filepath.Join(dir, "dry-run.csv")
			out := must(append([]string{"legacy", "import", "--mapping", "socialregistret", "--dry-run", "--report", report}, common...)...)
			if !strings.Contains(out, "dry run ") || !strings.Contains(out, ": done") {
				t.Errorf("dry run said:\n%s", out)
			}
			recs := readReport(t, report)
			if len(recs) < 5 || strings.Join(recs[0], ";") != "file;line;legacy_id;kind;outcome;reason;detail" {
				t.Fatalf("dry-run report: %v", recs)
			}
			refused := false
			for _, r := range recs[1:] {
				refused = refused || r[4] == "refused" && r[5] != "" && r[0] != "" && r[1] != "" && r[2] != ""
			}
			if !refused {
				t.Errorf("the dry-run report refuses nothing with its file, line, legacy id and reason: %v", recs)
			}
			noPersonalContent(t, north, report)

			out = must(append([]string{"legacy", "import", "--mapping", "socialregistret"}, common...)...)
			if !strings.Contains(out, "import ") || !strings.Contains(out, ": done") {
				t.Errorf("import said:\n%s", out)
			}
			rec := filepath.Join(dir, "reconciliation.csv")
			out = must(append([]string{"legacy", "reconcile", "--report", rec}, common...)...)
			if !strings.Contains(out, "every difference is explained") {
				t.Errorf("reconciliation said:\n%s", out)
			}
			noPersonalContent(t, north, rec)

			out = must(append([]string{"legacy", "import", "--mapping", "socialregistret"}, common...)...)
			for _, line := range strings.Split(out, "\n") {
				f := strings.Fields(line)
				if len(f) == 6 && f[0] != "created" && (f[1] != "0" || f[2] != "0" || f[3] != "0") {
					t.Errorf("the import again brought in records: %q", line)
				}
			}

			east := filepath.Join(dir, "east")
			must("legacy", "export", "--synthetic", "--district", "O", "--persons", "20", "--out", east)
			out = must("legacy", "mark", "--db", dsn, "--as", "admin", "--dir", east, "--mapping", "socialregistret")
			if !strings.Contains(out, "import of persons ") || !strings.Contains(out, "persons") {
				t.Errorf("mark said:\n%s", out)
			}

			if _, _, err := run1(append([]string{"legacy", "import"}, common...)...); exitCode(err) != 2 {
				t.Errorf("an import without --mapping: %v, want a usage error", err)
			}
			if _, _, err := run1("legacy", "import", "--db", dsn, "--as", "handlaggare", "--dir", north, "--mapping", "socialregistret"); err == nil ||
				!strings.Contains(err.Error(), "Only a system administrator") {
				t.Errorf("an officer imports: %v", err)
			}
		})
	}
}

func readReport(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// noPersonalContent fails if the report holds a given or family name or
// an identity number of the export's persons.
func noPersonalContent(t *testing.T, exportDir, report string) {
	t.Helper()
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	persons := readReport(t, filepath.Join(exportDir, "persons.csv"))
	col := map[string]int{}
	for i, h := range persons[0] {
		col[h] = i
	}
	for _, p := range persons[1:] {
		for _, c := range []string{"identity", "given_name", "family_name", "street"} {
			if v := strings.TrimSpace(p[col[c]]); len(v) > 3 && bytes.Contains(b, []byte(v)) {
				t.Fatalf("%s holds a person's %s", filepath.Base(report), c)
			}
		}
	}
}
