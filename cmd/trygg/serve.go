package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var dbf dbFlags
	dbf.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	demoMode := fs.Bool("demo", false, "load the demo municipality (once) and allow its demo accounts")
	tenant := fs.String("tenant", "", "tenant used when a sign-in names none (default: the only tenant)")
	registryFile := fs.String("registry", "", "population-registry file for the file-backed registry (default: registry.json in the data folder)")
	publicURL := fs.String("public-url", "", "the URL users reach this server at (default http://ADDR)")
	oidcIssuer := fs.String("oidc-issuer", "", "OpenID Connect issuer URL for staff sign-in")
	oidcClient := fs.String("oidc-client-id", "", "OpenID Connect client id")
	idle := fs.Duration("session-idle", 30*time.Minute, "sign out after this long without activity")
	timerEvery := fs.Duration("timer-interval", 5*time.Second, "how often to fire due deadline timers")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	log := newLogger(stderr)

	db, err := openStore(ctx, dbf, true, log)
	if err != nil {
		return err
	}
	defer db.Close()
	go func() {
		if err := db.Optimize(ctx); err != nil {
			log.Warn("planner statistics not refreshed", "err", err)
		}
	}()

	// Demo data and the population registry.
	regPath := *registryFile
	if regPath == "" {
		regPath = filepath.Join(dbf.data, "registry.json")
	}
	var ds *demo.Dataset
	if *demoMode {
		// The municipality is generated only the first time.
		if _, err := db.Tenant(ctx, demo.TenantID); trygg.ErrorCode(err) == trygg.ENotFound {
			ds = demo.Generate(demo.Options{})
		} else if err != nil {
			return err
		}
		if *tenant == "" {
			*tenant = string(demo.TenantID)
		}
	}
	registry, err := persons.LoadFileRegistry(regPath)
	if err != nil {
		return err
	}
	committer := audit.NewCommitter(db)
	defer committer.Close()
	svc := service.New(db, committer, registry, log)
	svc.SessionIdle = *idle

	if ds != nil {
		loaded, err := loadDemo(ctx, svc, ds, log)
		if err != nil {
			return err
		}
		if loaded {
			for _, rec := range registryRecords(ds) {
				registry.Add(rec)
			}
			if err := registry.Save(regPath); err != nil {
				return err
			}
			log.Info("demo data loaded", "persons", len(ds.Persons), "cases", len(ds.Cases), "staff", len(ds.Users))
		}
	}
	if err := svc.WarmDefinitions(ctx); err != nil {
		return err
	}
	defTenant, err := chooseTenant(ctx, db, *tenant, *demoMode)
	if err != nil {
		return err
	}

	cfg := web.Config{DefaultTenant: defTenant, Demo: *demoMode, Ready: db.Ping}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	base := *publicURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	if *oidcIssuer != "" {
		secretValue, err := secret(getenv, "OIDC_CLIENT_SECRET")
		if err != nil {
			ln.Close()
			return err
		}
		if *oidcClient == "" || secretValue == "" {
			ln.Close()
			return errors.New("OpenID Connect is configured (--oidc-issuer) but the client id or secret is missing: set --oidc-client-id and TRYGG_OIDC_CLIENT_SECRET (or TRYGG_OIDC_CLIENT_SECRET_FILE)")
		}
		o, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: *oidcIssuer, ClientID: *oidcClient, ClientSecret: secretValue,
			RedirectURL: base + "/auth/oidc/callback"})
		if err != nil {
			ln.Close()
			return err
		}
		cfg.OIDC = o
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	srv := &http.Server{
		Handler:           web.New(cfg, svc, log, reg),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go cleanSessions(ctx, db, svc, log)
	go svc.RunTimers(ctx, *timerEvery)

	fmt.Fprintf(stdout, "trygg is running at %s (database: %s)\n", base, db.Engine())
	if *demoMode {
		printLogins(stdout, demo.Logins())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	log.Info("shutting down")
	return srv.Shutdown(shutdownCtx)
}

func registryRecords(ds *demo.Dataset) []persons.RegistryRecord {
	var out []persons.RegistryRecord
	for _, p := range ds.Persons {
		out = append(out, persons.RegistryRecord{Identity: p.Identity, GivenName: p.GivenName, FamilyName: p.FamilyName,
			Address: p.Address, Protection: p.Protection})
	}
	return append(out, ds.RegistryOnly...)
}

// chooseTenant picks the default tenant and refuses unsafe starts: a
// normal start on a database holding the demo tenant (whose passwords are
// public) or with no tenant at all.
func chooseTenant(ctx context.Context, db *store.DB, flagTenant string, demoMode bool) (trygg.TenantID, error) {
	tenants, err := db.Tenants(ctx)
	if err != nil {
		return "", err
	}
	hasDemo := false
	for _, t := range tenants {
		if t.ID == demo.TenantID {
			hasDemo = true
		}
	}
	if hasDemo && !demoMode {
		return "", errors.New("this database holds the demo municipality, whose accounts have public passwords; start it with --demo, or use another database (--db or --data) for real use")
	}
	if flagTenant != "" {
		if _, err := db.Tenant(ctx, trygg.TenantID(flagTenant)); err != nil {
			return "", fmt.Errorf("tenant %q does not exist", flagTenant)
		}
		return trygg.TenantID(flagTenant), nil
	}
	switch len(tenants) {
	case 0:
		return "", errors.New("the database has no tenant yet: create one with 'trygg init' (or try the demo with 'trygg serve --demo')")
	case 1:
		return tenants[0].ID, nil
	}
	return "", errors.New("the database has several tenants: choose the default one with --tenant")
}

func printLogins(w io.Writer, logins []demo.Login) {
	fmt.Fprintf(w, "\nDemo mode: synthetic data only. Every demo account has the password %q.\n\n", demo.Password)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  username\trole\twhat you see")
	for _, l := range logins {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Username, l.Role, l.What)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// cleanSessions removes expired sessions every ten minutes.
func cleanSessions(ctx context.Context, db *store.DB, svc *service.Service, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		tenants, err := db.Tenants(ctx)
		if err != nil {
			continue
		}
		for _, tn := range tenants {
			if _, err := db.DeleteExpiredSessions(ctx, tn.ID, db.Now(), svc.SessionIdle); err != nil {
				log.Warn("session cleanup failed", "err", err)
			}
		}
	}
}
