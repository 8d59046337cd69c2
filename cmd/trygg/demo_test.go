package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
)

// TestDemoInChunks: trygg demo loads the municipality a chunk of persons
// at a time, and what it loads is what the whole dataset holds: every
// person, case and account, the journeys' people (the first persons) in
// the population registry it writes beside the database, with the
// registry's own people; loaded again, nothing changes.
func TestDemoInChunks(t *testing.T) {
	defer func(n int) { demoChunk = n }(demoChunk)
	demoChunk = 20
	data := t.TempDir()
	out, stderr, err := runCmd(t, nil, "demo", "--persons", "130", "--staff", "20", "--data", data)
	if err != nil {
		t.Fatalf("trygg demo: %v\n%s\n%s", err, out, stderr)
	}
	want := demo.Generate(demo.Options{Persons: 130, Staff: 20, Today: time.Now().UTC()})
	counts := rowCounts(t, "sqlite", sqliteReader(filepath.Join(data, "trygg.db")))
	if counts["persons"] < 130 || counts["cases"] < int64(len(want.Cases)) {
		t.Errorf("loaded %v, want the dataset's 130 persons and %d cases (and the past's)", counts, len(want.Cases))
	}
	if line := strings.TrimSpace(out); !strings.HasPrefix(line, fmt.Sprintf("loaded 130 persons, %d cases", len(want.Cases))) {
		t.Errorf("trygg demo said %q, want 130 persons and %d cases", line, len(want.Cases))
	}
	numbers := registryNumbers(t, data)
	if len(numbers) != 130+len(want.RegistryOnly) {
		t.Errorf("the registry holds %d persons, want 130 and %d only the registry knows", len(numbers), len(want.RegistryOnly))
	}
	reg, err := persons.LoadFileRegistry(filepath.Join(data, "registry.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The journeys' people are the first ten, the same for the seed.
	for _, p := range want.Persons[:10] {
		rec, err := reg.Lookup(context.Background(), p.Identity)
		if err != nil || rec.GivenName != p.GivenName || rec.FamilyName != p.FamilyName {
			t.Errorf("journey person %s %s: %+v, %v", p.GivenName, p.FamilyName, rec, err)
		}
	}
	out, _, err = runCmd(t, nil, "demo", "--persons", "130", "--staff", "20", "--data", data)
	if err != nil || !strings.Contains(out, "already loaded") {
		t.Errorf("loaded again: %q, %v", out, err)
	}
}
