package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// runRegistryChanges prints where each tenant is in the population
// registry's change feed and the last changes it handled: which, when,
// about which person (by trygg's id) and what came of them.
func runRegistryChanges(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	tenant := fs.String("tenant", "", "only this tenant")
	last := fs.Int("last", 20, "how many of the last changes handled to list")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	svc, db, closeAll, err := openService(ctx, dbf, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	tenants, err := db.Tenants(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, t := range tenants {
		if *tenant != "" && string(t.ID) != *tenant {
			continue
		}
		found = true
		st, err := svc.RegistryChangesStatus(ctx, trygg.SystemActor(t.ID), *last)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: at %s\n", t.ID, dash(st.Position))
		if len(st.Changes) == 0 {
			fmt.Fprintln(stdout, "  no changes handled yet")
			continue
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  change\tposition\tkind\tdate\tperson\toutcome\thandled\tdetail")
		for _, c := range st.Changes {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ChangeID, c.Position, dash(c.Kind), c.ChangeDate, dash(c.PersonID),
				c.Outcome, stamp(c.AppliedAt), dash(c.Detail))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if !found && *tenant != "" {
		return fmt.Errorf("tenant %q does not exist", *tenant)
	}
	return nil
}

// writeDemoRegistryChanges writes the demo's example change file in dir
// (once: not when the folder has files already): an address change of a
// demo person who is in no journey, so the demo's journeys stay as they
// are. The server applies it within its first round.
func writeDemoRegistryChanges(dir string, ds *demo.Dataset, today time.Time) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil
	}
	inJourney := map[string]bool{}
	for _, c := range ds.Cases {
		if c.Journey {
			inJourney[c.PersonID] = true
		}
	}
	var who *persons.Person
	for i := len(ds.Persons) - 1; i >= 0; i-- {
		p := &ds.Persons[i]
		if !inJourney[p.ID] && p.Protection == persons.ProtectionNone && p.Identity.Type == persons.IDPersonnummer {
			who = p
			break
		}
	}
	if who == nil {
		return nil
	}
	day := today.Format(time.DateOnly)
	var b strings.Builder
	b.WriteString("# Population registry changes (docs/integrations.md): id;date;kind;identity number;...\n")
	fmt.Fprintf(&b, "DEMO-1;%s;address;%s;Nya Torget 1;123 45;%s\n", day, who.Identity.Value, who.Address.City)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// Written under another name and renamed: the registry reads a .txt
	// file only once it is whole.
	path := filepath.Join(dir, day+"-demo.txt")
	if err := os.WriteFile(path+".part", []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(path+".part", path)
}
