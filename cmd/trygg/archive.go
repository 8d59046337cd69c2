package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/trygg/trygg/internal/archive"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
)

// runArchiveDeliver is trygg archive deliver: archiving without purging.
// It delivers the closed cases older than --older-than that no delivery
// holds yet as archive packages (docs/archive.md) into --out, one folder
// per package, or into one zip with --zip, and marks them archived.
func runArchiveDeliver(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	tenant := fs.String("tenant", "", "tenant (default: the only tenant)")
	as := fs.String("as", "", "the archivist (username) who delivers; required")
	older := fs.String("older-than", "10y", "deliver cases closed at least this many years ago (10y or 10)")
	perCase := fs.Bool("per-case", false, "a package per case instead of per personakt")
	org := fs.String("org-number", "", "the municipality's organisationsnummer for the packages' submitting agent")
	out := fs.String("out", "", "write the packages into this folder, one folder each")
	zipFile := fs.String("zip", "", "write the delivery as one zip file instead")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	years, err := strconv.Atoi(strings.TrimSuffix(*older, "y"))
	if err != nil {
		return usageError{"--older-than takes whole years, like 10y"}
	}
	if (*out == "") == (*zipFile == "") {
		return usageError{"give either --out DIR or --zip FILE"}
	}
	if *as == "" {
		return usageError{"--as names the archivist who delivers"}
	}
	svc, a, closeAll, err := openPublisher(ctx, dbf, *tenant, *as, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	d, err := svc.ArchiveDelivery(ctx, a, service.ArchiveDeliveryIn{OlderThanYears: years, PerCase: *perCase, OrgNumber: *org})
	if err != nil {
		return fmt.Errorf("archive deliver: %s", trygg.ErrorMessage(err))
	}
	where := *zipFile
	if *zipFile != "" {
		var buf bytes.Buffer
		if err := archive.WriteZip(&buf, d.Created, d.Packages...); err != nil {
			return err
		}
		if err := os.WriteFile(*zipFile, buf.Bytes(), 0o640); err != nil {
			return fmt.Errorf("archive deliver: %w", err)
		}
	} else {
		where = filepath.Join(*out, d.ID)
		for _, p := range d.Packages {
			if _, err := p.WriteDir(where); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stdout, "delivery %s: %d cases of %d persons in %d packages, written to %s\n", d.ID, d.Cases, d.Persons, len(d.Packages), where)
	return nil
}
