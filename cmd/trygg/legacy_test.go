package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/legacy"
)

// TestLegacyExportCommand writes a synthetic export through run() and
// reads it back; wrong flags are usage errors naming the flag.
func TestLegacyExportCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "export")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"legacy", "export", "--synthetic", "--district", "s", "--persons", "120",
		"--notes-per-person", "2", "--format", "jsonl", "--seed", "3", "--out", dir}, envOf(nil), &stdout, &stderr)
	if err != nil {
		t.Fatalf("legacy export: %v\n%s", err, stderr.String())
	}
	e, err := legacy.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if e.Manifest.District != "S" || e.FileName(legacy.KindNotes) != "notes.jsonl" || e.Manifest.Counts[legacy.KindPersons] < 120 {
		t.Errorf("manifest %+v, notes in %q", e.Manifest, e.FileName(legacy.KindNotes))
	}
	notes := 0
	for _, err := range e.Notes() {
		if err != nil {
			t.Fatal(err)
		}
		notes++
	}
	out := stdout.String()
	for _, want := range []string{"export of district S written to " + dir, "  notes", "240\n", "payments' sum", " kr\n", "dirt:", "  duplicate persons"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if notes != 240 {
		t.Errorf("%d notes, want 240", notes)
	}
	if stderr.Len() > 0 {
		t.Errorf("a short run wrote progress: %q", stderr.String())
	}

	// --dirt=false: no dirt to report.
	clean := filepath.Join(t.TempDir(), "clean")
	stdout.Reset()
	if err := run(context.Background(), []string{"legacy", "export", "--synthetic", "--district", "N", "--persons", "20", "--dirt=false",
		"--encoding", "windows-1252", "--out", clean}, envOf(nil), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stdout.String(), "dirt") {
		t.Errorf("a clean export reports dirt:\n%s", stdout.String())
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--district", "S", "--out", "x"}, "--synthetic is required"},
		{[]string{"--synthetic", "--district", "S"}, "--out DIR is required"},
		{[]string{"--synthetic", "--out", "x"}, "--district is required"},
		{[]string{"--synthetic", "--district", "S", "--out", "x", "--persons", "0"}, "--persons must be"},
		{[]string{"--synthetic", "--district", "S", "--out", "x", "--notes-per-person", "-1"}, "--notes-per-person must be"},
		{[]string{"--synthetic", "--district", "S", "--out", "x", "--format", "xml"}, `--format "xml"`},
		{[]string{"--synthetic", "--district", "S", "--out", "x", "--encoding", "ebcdic"}, `--encoding "ebcdic"`},
		{[]string{"--synthetic", "--district", "S", "--out", "x", "--format", "jsonl", "--encoding", "windows-1252"}, "JSON lines are UTF-8"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			err := run(context.Background(), append([]string{"legacy", "export"}, tc.args...), envOf(nil), &stdout, &stderr)
			if code := exitCode(err); code != 2 || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("exit status %d (%v), want 2 and %q", code, err, tc.want)
			}
		})
	}
	// A folder that is not empty is refused, and a bad district code.
	for _, tc := range []struct{ district, out, want string }{
		{"S", dir, "is not empty"},
		{"S-1", filepath.Join(t.TempDir(), "y"), "district code"},
	} {
		err := run(context.Background(), []string{"legacy", "export", "--synthetic", "--district", tc.district, "--persons", "5", "--out", tc.out}, envOf(nil), &stdout, &stderr)
		if code := exitCode(err); code != 1 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("district %s into %s: exit status %d (%v), want 1 and %q", tc.district, tc.out, code, err, tc.want)
		}
	}
	// An interrupted export leaves no manifest.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cut := filepath.Join(t.TempDir(), "cut")
	if err := run(ctx, []string{"legacy", "export", "--synthetic", "--district", "S", "--persons", "2000", "--out", cut}, envOf(nil), &stdout, &stderr); err == nil {
		t.Error("a cancelled export succeeded")
	}
	if _, err := os.Stat(filepath.Join(cut, legacy.ManifestName)); !os.IsNotExist(err) {
		t.Errorf("a cancelled export has a manifest: %v", err)
	}
}

// TestLegacyProgressLine: quiet in the first second, then at most once a
// second the count, the share and the time left, ended with the time
// taken; without a total, the count and its pace.
func TestLegacyProgressLine(t *testing.T) {
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var b bytes.Buffer
	p := newProgress(&b, "persons", 100_000, clock)
	now = now.Add(500 * time.Millisecond)
	p.update(1000)
	if b.Len() > 0 {
		t.Fatalf("wrote in the first second: %q", b.String())
	}
	now = now.Add(4500 * time.Millisecond) // 5 s for 25 000: 15 s left
	p.update(25_000)
	now = now.Add(200 * time.Millisecond)
	p.update(26_000) // too soon
	now = now.Add(295 * time.Second)
	p.update(99_000)
	p.finish(100_000)
	want := "\r25 000 / 100 000 persons (25 %), 15 s left" +
		"\r99 000 / 100 000 persons (99 %), 3 s left " +
		"\r100 000 / 100 000 persons in 5 min 0 s   \n"
	if b.String() != want {
		t.Errorf("progress wrote\n%q\nwant\n%q", b.String(), want)
	}
	// An export without a manifest's counts: no total, so no "of 0".
	now = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	b.Reset()
	p = newProgress(&b, "records", 0, clock)
	now = now.Add(2 * time.Second)
	p.update(9000)
	now = now.Add(2 * time.Second)
	p.finish(12_000)
	want = "\r9 000 records, 4 500 a second\r12 000 records in 4 s        \n"
	if b.String() != want {
		t.Errorf("progress without a total wrote\n%q\nwant\n%q", b.String(), want)
	}
	for n, s := range map[int]string{0: "0", 999: "999", 1000: "1 000", 1234567: "1 234 567", -4500: "-4 500"} {
		if got := groupDigits(n); got != s {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, s)
		}
	}
	for o, s := range map[legacy.Ore]string{0: "0,00", 123450: "1 234,50", -2619577040: "-26 195 770,40"} {
		if got := kronor(o); got != s {
			t.Errorf("kronor(%d) = %q, want %q", o, got, s)
		}
	}
}
