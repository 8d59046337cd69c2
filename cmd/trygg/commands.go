package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

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

func runInit(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	tenant := fs.String("tenant", "", "tenant id, e.g. the municipality's name in lower case")
	name := fs.String("name", "", "the municipality's name")
	code := fs.String("code", "", "the 4-digit municipality code")
	admin := fs.String("admin", "", "username of the first system administrator")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	password, err := secret(getenv, "ADMIN_PASSWORD")
	if err != nil {
		return err
	}
	if *admin == "" {
		return usageError{"--admin is required"}
	}
	if password == "" {
		return errors.New("set the first administrator's password (at least 15 characters) in TRYGG_ADMIN_PASSWORD or TRYGG_ADMIN_PASSWORD_FILE")
	}
	// Checked before anything is written, with the same rules as CreateUser.
	if problem := auth.PasswordProblem(password, *admin); problem != "" {
		return fmt.Errorf("the first administrator's password (TRYGG_ADMIN_PASSWORD) cannot be used: %s", problem)
	}
	svc, _, closeAll, err := openService(ctx, dbf, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	t := org.Tenant{ID: trygg.TenantID(*tenant), Name: *name, MunicipalityCode: *code}
	if err := svc.CreateTenant(ctx, t); err != nil {
		return describe(err)
	}
	sys := service.SystemActor(t.ID)
	root, err := svc.CreateUnit(ctx, sys, service.UnitInput{ID: "root", Name: *name, Kind: org.KindAdministration, Field: org.FieldIFO})
	if err != nil {
		return describe(err)
	}
	if _, err := svc.CreateUser(ctx, sys, service.UserInput{Username: *admin, DisplayName: *admin, Password: password,
		Grants: []trygg.Grant{{Role: trygg.RoleSysAdmin, UnitID: root.ID}}}); err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "created tenant %s with administrator %s\n", t.ID, *admin)
	return nil
}

// describe turns an application error into one line for the terminal:
// its message and, for an invalid one, each field's problem in order.
func describe(err error) error {
	var te *trygg.Error
	if !errors.As(err, &te) {
		return err
	}
	msg := te.Message
	for _, k := range slices.Sorted(maps.Keys(te.Fields)) {
		msg += fmt.Sprintf("\n  %s: %s", k, te.Fields[k])
	}
	return errors.New(msg)
}

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

func runAuditVerify(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	tenant := fs.String("tenant", "", "verify only this tenant")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	db, err := openStore(ctx, dbf, false, newLogger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	tenants, err := db.Tenants(ctx)
	if err != nil {
		return err
	}
	failed := 0
	for _, t := range tenants {
		if *tenant != "" && string(t.ID) != *tenant {
			continue
		}
		rep, err := db.VerifyAccessLog(ctx, t.ID)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, rep.String())
		if !rep.OK() {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("the access log of %d tenant(s) failed verification", failed)
	}
	return nil
}
