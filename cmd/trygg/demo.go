package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
)

// demoChunk is how many persons trygg demo generates and loads at a time.
var demoChunk = demo.ChunkPersons

// runDemo is trygg demo: it loads the synthetic demo municipality and
// writes its population registry beside the database. The municipality
// is generated, loaded and written to the registry file a chunk of
// persons at a time (demo.Stream), so a million persons take no more
// memory than a thousand.
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
	loader, err := svc.BeginDemo(ctx, demo.TenantID)
	if err != nil {
		return err
	}
	if loader == nil {
		fmt.Fprintln(stdout, "the demo municipality is already loaded; nothing changed")
		return nil
	}
	log := newLogger(stderr)
	reg, err := persons.CreateRegistryFile(filepath.Join(dbf.data, "registry.json"))
	if err != nil {
		return err
	}
	written := false
	defer func() {
		if !written {
			reg.Abort()
		}
	}()
	today := time.Now().UTC()
	prog := newProgress(stderr, "persons", *n, nil)
	loaded, cases := 0, 0
	ds, err := demo.Stream(demo.Options{Persons: *n, Staff: *staff, Seed: *seed, Today: today}, demoChunk, func(ds *demo.Dataset, c demo.Chunk) error {
		if loaded == 0 {
			ds.Definitions = demoDefinitions()
		}
		if err := loader.Load(ctx, ds, c); err != nil {
			return err
		}
		for _, p := range c.Persons {
			if err := reg.Write(demo.RegistryRecord(p)); err != nil {
				return err
			}
		}
		loaded, cases = loaded+len(c.Persons), cases+len(c.Cases)
		prog.update(loaded)
		return nil
	})
	if err != nil {
		return err
	}
	prog.finish(loaded)
	if err := loader.Finish(ctx, ds); err != nil {
		return err
	}
	for _, rec := range ds.RegistryOnly {
		if err := reg.Write(rec); err != nil {
			return err
		}
	}
	written = true
	if err := reg.Close(); err != nil {
		return err
	}
	if err := playDemo(ctx, svc, ds, today, log); err != nil {
		return err
	}
	if err := loadDemoHistory(ctx, svc, ds, log); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded %d persons, %d cases, %d staff\n", loaded, cases, len(ds.Users))
	return nil
}
