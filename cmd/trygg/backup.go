package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/trygg/trygg/internal/store"
)

// runBackup writes a checked copy of a SQLite database, which may be in use
// by a running server, and copies the population-registry file beside it.
// PostgreSQL is refused: pg_dump does that job (docs/backups.md).
func runBackup(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	out := fs.String("out", "", "the backup file to write; it must not exist")
	registryFile := fs.String("registry", "", "population-registry file to copy beside the backup (default: registry.json in the data folder, when it is there)")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"--out FILE is required: the backup file to write (for example /backup/trygg-2026-05-01.db)"}
	}
	dsn := dbf.dsn()
	if store.IsPostgres(dsn) {
		return store.ErrPostgresBackup
	}
	if fi, err := os.Stat(dsn); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("no SQLite database at %s; point --data at the data folder or --db at the file", dsn)
	}

	// The registry is optional unless named; both targets are checked
	// before anything is written, so a refusal leaves no half backup.
	if _, err := os.Lstat(*out); err == nil {
		return fmt.Errorf("%s already exists; a backup never overwrites a file, choose a new name", *out)
	}
	regPath, regOut := *registryFile, registryBeside(*out)
	if regPath == "" {
		regPath = filepath.Join(dbf.data, "registry.json")
		if _, err := os.Stat(regPath); errors.Is(err, os.ErrNotExist) {
			regPath = ""
		}
	}
	if regPath != "" {
		if _, err := os.Stat(regPath); err != nil {
			return fmt.Errorf("population-registry file: %w", err)
		}
		if _, err := os.Lstat(regOut); err == nil {
			return fmt.Errorf("%s already exists; a backup never overwrites a file, choose a new name for --out", regOut)
		}
	}

	db, err := openStore(ctx, dbf, false, newLogger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	info, err := db.BackupTo(ctx, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s (%s)\n", info.Path, byteSize(info.Size))
	fmt.Fprintf(stdout, "checked: integrity ok, schema version %d\n", info.SchemaVersion)
	fmt.Fprintf(stdout, "holds: tenants %d, persons %d, cases %d, events %d, access-log entries %d\n",
		info.Tenants, info.Persons, info.Cases, info.Events, info.AccessLog)
	if regPath == "" {
		fmt.Fprintf(stdout, "no population-registry file at %s; nothing else to copy\n", filepath.Join(dbf.data, "registry.json"))
		return nil
	}
	if err := copyNew(regPath, regOut); err != nil {
		return fmt.Errorf("the database backup %s is written and checked, but the population-registry file was not copied: %w", info.Path, err)
	}
	fmt.Fprintf(stdout, "population registry copied to %s\n", regOut)
	return nil
}

// registryBeside names the copy of the registry file that goes with the
// backup out: trygg-2026-05-01.db gets trygg-2026-05-01.registry.json.
func registryBeside(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + ".registry.json"
}

// copyNew copies src to dst, which must not exist: through a temporary
// file in dst's folder, synced, then linked to its name (a link never
// replaces a file). On failure nothing is left behind.
func copyNew(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	dir := filepath.Dir(dst)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), dst); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; a backup never overwrites a file", dst)
		}
		if _, serr := os.Lstat(dst); serr == nil {
			return fmt.Errorf("%s already exists; a backup never overwrites a file", dst)
		}
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return err
		}
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// byteSize writes n bytes for a person to read.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
