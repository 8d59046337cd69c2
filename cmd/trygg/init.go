package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
)

// runInit is trygg init: it creates a tenant, its root unit and its
// first system administrator, whose password it checks before writing.
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
