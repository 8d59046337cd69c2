package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/bench"
)

func TestBenchFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--workloads", "inbox,nonsense"},
		{"--vus", "0"},
		{"--persons", "5"},
		{"--duration", "0s"},
		{"--notes-per-person", "-1"},
		{"--notes-per-person", "101"},
		{"--db", "x.db", "--data", "d"},
	} {
		if _, err := parseBenchFlags(flag.NewFlagSet("bench", flag.ContinueOnError), args); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	f, err := parseBenchFlags(flag.NewFlagSet("bench", flag.ContinueOnError), []string{"--workloads", "case-view,access-log,case-view"})
	if err != nil || strings.Join(f.Workloads, ",") != "case-view,access-log" {
		t.Errorf("workloads %v, %v", f.Workloads, err)
	}
	f, err = parseBenchFlags(flag.NewFlagSet("bench", flag.ContinueOnError), nil)
	if err != nil || strings.Join(f.Workloads, ",") != strings.Join(bench.Workloads(), ",") || len(f.Workloads) < 11 || f.Persons != 100_000 || f.VUs != 32 || !f.History || f.NotesPerPerson != 10 {
		t.Errorf("defaults: %+v, %v", f, err)
	}
}

// TestBenchCommand runs trygg bench through run() with the smallest
// settings on SQLite in a temporary folder: the harness gets serve's
// handler and server, prints the report and writes it as Markdown.
func TestBenchCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a municipality")
	}
	out := filepath.Join(t.TempDir(), "bench.md")
	args := []string{"bench", "--persons", "100", "--history=false", "--duration", "100ms", "--vus", "2", "--workloads", "case-view,access-log", "--out", out}
	var stdout, stderr syncBuffer
	if err := run(context.Background(), args, envOf(nil), &stdout, &stderr); err != nil {
		t.Fatalf("trygg %v: %v\n%s", args, err, stderr.String())
	}
	md, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"trygg bench --persons 100 --history=false", "officer: case view", "access log off", "machine limit", "cost of the durable access log"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
		if !strings.Contains(string(md), want) {
			t.Errorf("%s lacks %q:\n%s", out, want, md)
		}
	}
	if !strings.HasPrefix(string(md), "```\ntrygg bench ") || !strings.Contains(string(md), "| workload | op | ops/s |") {
		t.Errorf("%s is not the Markdown report:\n%s", out, md)
	}
	if !strings.Contains(stderr.String(), "bench: signing in 2 virtual users") {
		t.Errorf("no progress on stderr:\n%s", stderr.String())
	}
}
