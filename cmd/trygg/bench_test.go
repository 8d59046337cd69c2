package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBench runs trygg bench with tiny settings on each engine and checks
// that the Markdown table has every workload with throughput and no
// errors, and the machine's limits.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a municipality per engine")
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "bench.md")
			args := append([]string{"bench", "--persons", "100", "--duration", "200ms", "--vus", "4", "--out", out}, eng.dbArgs(t)...)
			var stdout, stderr syncBuffer
			if err := run(context.Background(), args, envOf(nil), &stdout, &stderr); err != nil {
				t.Fatalf("trygg %v: %v\n%s", args, err, stderr.String())
			}
			md, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			rows := map[string][]string{}
			for _, line := range strings.Split(string(md), "\n") {
				if !strings.HasPrefix(line, "| ") {
					continue
				}
				cells := strings.Split(strings.Trim(line, "| "), " | ")
				rows[cells[0]] = cells
			}
			find := func(prefix string) []string {
				t.Helper()
				for name, cells := range rows {
					if strings.HasPrefix(name, prefix) {
						return cells
					}
				}
				t.Errorf("no row %q in\n%s", prefix, md)
				return nil
			}
			for _, name := range []string{"officer: inbox", "officer: person search, identity", "officer: person search, name", "officer: case view", "officer: journal note",
				"officer: transition", "officer mix", "access log on", "access log off", "engine: one-step case", "engine: deadline timers",
				"provider: performed-insats batches", "provider: payment basis", "citizen: Mina sidor", "citizen: message sent",
				"bare net/http handler", "bare durable commits"} {
				cells := find(name)
				if cells == nil {
					continue
				}
				// ops/s is the third column, errors the seventh.
				if cells[2] == "0" || cells[2] == "—" {
					t.Errorf("%s: no throughput: %v", name, cells)
				}
				if cells[6] != "0" {
					t.Errorf("%s: errors: %v\n%s", name, cells, stderr.String())
				}
			}
			for _, want := range []string{"workload", "machine limit", "cost of the durable access log", "bytes on disk", "provider batches:", "entries/s", "citizen messages:"} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
		})
	}
	t.Run("soak", func(t *testing.T) {
		t.Parallel()
		args := []string{"bench", "--persons", "100", "--vus", "2", "--soak", "--soak-duration", "1s"}
		var stdout, stderr syncBuffer
		if err := run(context.Background(), args, envOf(nil), &stdout, &stderr); err != nil {
			t.Fatalf("trygg %v: %v\n%s", args, err, stderr.String())
		}
		for _, want := range []string{"live heap", "open fds", "growth over the soak", "growth over its second half", ", 0 errors"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
			}
		}
	})
}

func TestBenchRedactsPasswords(t *testing.T) {
	got := strings.Join(redactArgs([]string{"--db", "postgres://u:secret@h/db", "--db=postgres://u:secret@h/db", "--vus", "4"}), " ")
	if strings.Contains(got, "secret") || !strings.Contains(got, "postgres://u:xxxxx@h/db") {
		t.Errorf("redactArgs: %s", got)
	}
}

func TestBenchFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--workloads", "inbox,nonsense"},
		{"--vus", "0"},
		{"--persons", "5"},
		{"--duration", "0s"},
		{"--notes-per-person", "-1"},
		{"--notes-per-person", "101"},
	} {
		if _, err := parseBenchFlags(args); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	opt, err := parseBenchFlags([]string{"--workloads", "case-view,access-log,case-view"})
	if err != nil || strings.Join(opt.workloads, ",") != "case-view,access-log" {
		t.Errorf("workloads %v, %v", opt.workloads, err)
	}
}
