package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
)

// TestServeRegistryChanges: serve --demo reads the population registry's
// change files from registry-changes in the data folder and applies a file
// put there while it runs; trygg registry changes shows the change applied
// and where the demo municipality is in the feed.
func TestServeRegistryChanges(t *testing.T) {
	data := t.TempDir()
	if out, stderr, err := runCmd(t, nil, "demo", "--persons", "30", "--staff", "20", "--data", data); err != nil {
		t.Fatalf("trygg demo: %v\n%s\n%s", err, out, stderr)
	}
	ds := demo.Generate(demo.Options{Persons: 30, Staff: 20, Today: time.Now().UTC()})
	p := ds.Persons[len(ds.Persons)-1]
	srv := startServer(t, nil, "--demo", "--data", data, "--registry-changes-interval", "100ms", "--notify-file", "off")

	dir := filepath.Join(data, "registry-changes")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	line := "T1;" + time.Now().UTC().Format(time.DateOnly) + ";address;" + p.Identity.Value + ";Registervägen 9;111 22;Trygstad\n"
	if err := os.WriteFile(filepath.Join(dir, "9999-test.txt"), []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, stderr, err := runCmd(t, nil, "registry", "changes", "--data", data)
		if err != nil {
			t.Fatalf("trygg registry changes: %v\n%s", err, stderr)
		}
		if strings.Contains(out, "at 9999-test.txt:1") && strings.Contains(out, "T1") && strings.Contains(out, "applied") {
			if strings.Contains(out, p.Identity.Value) || strings.Contains(out, "Registervägen") {
				t.Errorf("trygg registry changes shows the change's personal content:\n%s", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the change was not applied within 30s:\n%s\nserver log:\n%s", out, srv.Stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestDemoRegistryChanges: the demo's example change file is one change
// the parser reads, about a demo person in no journey; it is written once.
func TestDemoRegistryChanges(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "registry-changes")
	today := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ds := demo.Generate(demo.Options{Persons: 30, Staff: 20, Today: today})
	if err := writeDemoRegistryChanges(dir, ds, today); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "2026-12-07-demo.txt"))
	if err != nil {
		t.Fatal(err)
	}
	changes, errs := persons.ParseChanges(b, today)
	if len(errs) != 0 || len(changes) != 1 || changes[0].Kind != persons.ChangeAddress {
		t.Fatalf("the demo's changes: %+v, %v", changes, errs)
	}
	for _, c := range ds.Cases {
		if c.Journey && slices.ContainsFunc(ds.Persons, func(p persons.Person) bool { return p.ID == c.PersonID && p.Identity == changes[0].Identity }) {
			t.Error("the demo's change is about a journey's person")
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "2026-12-07-demo.txt"), []byte("# kept\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeDemoRegistryChanges(dir, ds, today.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("written again: %d files", len(entries))
	}
}
