package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// runAuditVerify is trygg audit verify: it checks every tenant's (or one
// tenant's) access-log hash chain and fails if any is broken. Where
// retention removed old entries the chain starts at their checkpoint,
// whose signature it checks with the retention key; without the key it
// says so and fails.
func runAuditVerify(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	tenant := fs.String("tenant", "", "verify only this tenant")
	var rk retentionKeyFlags
	rk.register(fs)
	demoMode := fs.Bool("demo", false, "use the demo's public retention key when none is given")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	key, err := rk.value(getenv, *demoMode)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, dbf, false, newLogger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	if key != "" {
		db.SetAccessLogKey([]byte(key))
	}
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
		// Retention removed old rows behind a signed checkpoint: without
		// the key its signature cannot be checked, and the chain fails.
		if _, pruned, err := db.LatestAccessLogCheckpoint(ctx, t.ID); err != nil {
			return err
		} else if pruned && key == "" {
			fmt.Fprintf(stdout, "tenant %s: retention removed old entries behind a signed checkpoint, and no retention key is set (TRYGG_RETENTION_KEY or TRYGG_RETENTION_KEY_FILE): the checkpoint's signature cannot be checked\n", t.ID)
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
