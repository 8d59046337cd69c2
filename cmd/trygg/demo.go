package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/trygg/trygg/internal/demo"
)

// runDemo is trygg demo: it loads the synthetic demo municipality and
// writes its population registry beside the database.
func runDemo(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	n := fs.Int("persons", 2000, "number of persons")
	staff := fs.Int("staff", 200, "number of staff accounts")
	seed := fs.Int64("seed", 1, "random seed")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if *n < 20 || *n > 10_000_000 {
		return usageError{"--persons must be between 20 and 10000000"}
	}
	svc, _, closeAll, err := openService(ctx, dbf, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	ds := demo.Generate(demo.Options{Persons: *n, Staff: *staff, Seed: *seed})
	loaded, err := loadDemo(ctx, svc, ds, newLogger(stderr))
	if err != nil {
		return err
	}
	if !loaded {
		fmt.Fprintln(stdout, "the demo municipality is already loaded; nothing changed")
		return nil
	}
	reg := ds.Registry()
	if err := reg.Save(filepath.Join(dbf.data, "registry.json")); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded %d persons, %d cases, %d staff\n", len(ds.Persons), len(ds.Cases), len(ds.Users))
	return nil
}
