package main

import (
	"os"
	"testing"

	"github.com/trygg/trygg/internal/pgtest"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// engine is a database the black-box tests run the program on.
type engine struct {
	name string
	// dbArgs returns the flags that point the program at a fresh, empty
	// database of this engine (none for SQLite: the file in --data).
	dbArgs func(t testing.TB) []string
}

var engines = []engine{
	{"sqlite", func(testing.TB) []string { return nil }},
	{"postgres", func(t testing.TB) []string { return []string{"--db", pgtest.NewDatabase(t)} }},
}
