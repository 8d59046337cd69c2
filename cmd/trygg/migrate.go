package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/trygg/trygg/internal/store"
)

// runMigrate is trygg migrate: it applies the schema migrations the
// database lacks.
func runMigrate(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	db, err := openStore(ctx, dbf, false, newLogger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "schema is up to date (version %d)\n", store.LatestVersion())
		return nil
	}
	fmt.Fprintf(stdout, "applied migrations %v; schema is at version %d\n", applied, store.LatestVersion())
	return nil
}
