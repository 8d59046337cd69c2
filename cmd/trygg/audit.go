package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// runAuditVerify is trygg audit verify: it checks every tenant's (or one
// tenant's) access-log hash chain and fails if any is broken.
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
