package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/storetest"
)

// TestBench runs the bench with tiny settings on each engine and checks
// that the Markdown table has every workload with throughput and no
// errors, and the machine's limits.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a municipality per engine")
	}
	BenchRetentionCases = 300 // the retention workload's miniature
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			var stderr syncBuffer
			opt := wired(t, engine, Options{Persons: 100, Staff: 200, Seed: 1, History: true, NotesPerPerson: NotesPerPerson,
				Duration: 200 * time.Millisecond, VUs: 4, Workloads: Workloads(), PaymentHouseholds: 300, LegacyPersons: 60}, &stderr)
			rep, err := Run(context.Background(), opt)
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, stderr.String())
			}
			var md, stdout bytes.Buffer
			if err := rep.Markdown(&md); err != nil {
				t.Fatal(err)
			}
			if err := rep.Text(&stdout); err != nil {
				t.Fatal(err)
			}
			rows := map[string][]string{}
			for _, line := range strings.Split(md.String(), "\n") {
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
				t.Errorf("no row %q in\n%s", prefix, md.String())
				return nil
			}
			for _, name := range []string{"officer: inbox", "officer: person search, identity", "officer: person search, name", "officer: case view", "officer: journal note",
				"officer: transition", "officer mix", "officer mix: its case views", "access log on", "access log off", "engine: one-step case", "engine: deadline timers",
				"provider: performed-insats batches", "provider: payment basis", "citizen: Mina sidor", "citizen: message sent", "payments: monthly run for 300 households", "payments: month proposed", "payments: attested", "payments: run made",
				"retention: preview", "retention: run",
				"legacy: export written", "legacy: dry run", "legacy: import", "legacy: reconciliation",
				"deliveries: webhook on loopback, from a backlog",
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
			for _, want := range []string{"workload", "machine limit", "cost of the durable access log", "bytes on disk", "provider batches:", "entries/s", "citizen messages:", "payment run: 300 households", "legacy import: a district of 60 persons", "statements per 1,000 records, peak heap"} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
		})
	}
	t.Run("soak", func(t *testing.T) {
		t.Parallel()
		var stderr syncBuffer
		opt := wired(t, "sqlite", Options{Persons: 100, Staff: 200, Seed: 1, History: true, NotesPerPerson: NotesPerPerson,
			Duration: 10 * time.Second, VUs: 2, Workloads: Workloads(), Soak: true, SoakDuration: time.Second}, &stderr)
		rep, err := Run(context.Background(), opt)
		if err != nil {
			t.Fatalf("Run: %v\n%s", err, stderr.String())
		}
		var stdout bytes.Buffer
		if err := rep.Text(&stdout); err != nil {
			t.Fatal(err)
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
