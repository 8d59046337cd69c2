package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/payments"
)

// TestLoadBookkeepingLayout: the city's layout file is read, and one that
// cannot be used stops the start with every problem named.
func TestLoadBookkeepingLayout(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("grouping: per_payment\ncolumns: [{header: Ref, source: reference}, {header: Kr, source: amount}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := loadBookkeepingLayout(good)
	if err != nil || l.Grouping != payments.GroupingPerPayment || len(l.Columns) != 2 {
		t.Fatalf("a good layout: %+v %v", l, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("encoding: ebcdic\ncolumns: [{header: K, source: konto}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = loadBookkeepingLayout(bad)
	for _, want := range []string{"--bookkeeping-layout", "encoding: Unknown encoding", `columns[0].source: Unknown source "konto"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a bad layout: %v, want it to say %q", err, want)
		}
	}
	if _, err := loadBookkeepingLayout(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("a missing file: no error")
	}
}
