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
	"net/netip"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/deliver"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/incomecheck"
	"github.com/trygg/trygg/internal/notify"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web"
)

func runServe(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	demoMode := fs.Bool("demo", false, "load the demo municipality (once) and allow its demo accounts")
	tenant := fs.String("tenant", "", "tenant used when a sign-in names none (default: the only tenant)")
	registryFile := fs.String("registry", "", "population-registry file for the file-backed registry (default: registry.json in the data folder)")
	registryChanges := fs.String("registry-changes", "", "folder of the population registry's change files (*.txt, docs/integrations.md), applied as they arrive (default with --demo: registry-changes in the data folder; off: none)")
	registryEvery := fs.Duration("registry-changes-interval", 5*time.Second, "how often to look for new population registry changes")
	incomesFile := fs.String("income-check-file", "", "file the file-backed national income check answers from (default: incomes.json in the data folder)")
	publicURL := fs.String("public-url", "", "the URL users reach this server at (default http://ADDR)")
	oidcIssuer := fs.String("oidc-issuer", "", "OpenID Connect issuer URL for staff sign-in")
	oidcClient := fs.String("oidc-client-id", "", "OpenID Connect client id")
	idle := fs.Duration("session-idle", 30*time.Minute, "sign out after this long without activity")
	attachBytes := fs.Int64("attachment-max-bytes", service.DefaultAttachmentMaxBytes, "largest document a citizen may attach to an application, in bytes")
	attachFiles := fs.Int("attachment-max-files", service.DefaultAttachmentMaxFiles, "most documents a citizen may attach to one application")
	bookkeepingFile := fs.String("bookkeeping-layout", "", "YAML file with the layout of the bookkeeping file of each payment run (default: the one shipped; docs/payments.md)")
	eidIssuer := fs.String("eid-issuer", "", "OpenID Connect issuer of the e-identification broker for citizens' sign-in")
	eidClient := fs.String("eid-client-id", "", "client id at the e-identification broker")
	eidClaim := fs.String("eid-claim", auth.DefaultIdentityClaim, "claim(s) holding the citizen's identity number, comma-separated, tried in order")
	eidScopes := fs.String("eid-scopes", "profile", "scopes asked of the e-identification broker besides openid, comma-separated")
	eidACR := fs.String("eid-acr", auth.DefaultACR, "lowest level(s) of assurance (acr) of the e-identification, comma-separated; a Swedish LoA URI accepts the higher levels too")
	limits := web.Limits{}
	rateFlag(fs, &limits.SignInAddress, "limit-signin-address", "60/1m", "sign-in attempts per client address (`N/duration`, or off)")
	rateFlag(fs, &limits.SignInAccount, "limit-signin-account", "10/15m", "failed sign-in attempts per username, identity number or API client (`N/duration`, or off)")
	rateFlag(fs, &limits.CitizenSubmit, "limit-citizen-submit", "30/1h", "citizens' submissions per account (`N/duration`, or off)")
	trusted := fs.String("trusted-proxies", "", "reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For names the client and whose X-Forwarded-Proto: https turns on Strict-Transport-Security")
	timerEvery := fs.Duration("timer-interval", 5*time.Second, "how often to fire due deadline timers")
	notifyFile := fs.String("notify-file", "", "file the citizens' notices are written to, one JSON line each (default: notices.jsonl in the data folder; off: send none)")
	notifyEvery := fs.Duration("notify-interval", 5*time.Second, "how often to send new notices to citizens")
	deliveryEvery := fs.Duration("delivery-interval", 250*time.Millisecond, "how often to deliver new events to the subscriptions' webhooks and brokers (docs/integrations.md)")
	webhookPrivate := fs.Bool("webhook-allow-private", false, "let webhooks reach private, loopback and link-local addresses (on with --demo)")
	webhookHosts := fs.String("webhook-hosts", "", "the only destinations webhooks may reach: host names, *.domain, addresses or CIDR ranges, comma-separated (a range admits its private addresses; default: any public address)")
	webhookTimeout := fs.Duration("webhook-timeout", 10*time.Second, "how long a webhook's receiver has to answer")
	natsCreds := fs.String("nats-creds-dir", "", "folder of the NATS credentials files a NATS subscription may name (default: none may)")
	lease := fs.Duration("lease", service.DefaultLease, "how long a server holds the lease of a loop one server at a time runs (notices, letters, registry changes, each subscription's deliveries): when a server dies, another takes its loops over after this long (docs/scaling.md); longer than --webhook-timeout")
	cursorEvery := fs.Duration("delivery-cursor-every", 100*time.Millisecond, "how often, at most, a subscription's place in the event log moves past what its destination accepted while it catches up (0: after each message; a crash repeats what was accepted since)")
	var payer payerFlags
	payer.register(fs)
	var af analyticsFlags
	af.register(fs)
	analyticsEvery := fs.Duration("analytics-interval", 2*time.Second, "how often the analysis store reads new events from the event log")
	legacyDir := fs.String("legacy-dir", "", "folder of legacy exports the system administrator may dry-run and import in the browser, one subfolder per export (docs/migration.md; default with --demo: legacy in the data folder)")
	natsEmbedded := fs.String("nats-embedded", "", natsEmbeddedHelp)
	var rk retentionKeyFlags
	rk.register(fs)
	var lf letterFlags
	lf.register(fs)
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	log := newLogger(stderr)

	db, err := openStore(ctx, dbf, true, log)
	if err != nil {
		return err
	}
	defer db.Close()
	// The retention key signs the access log's checkpoints; without it a
	// retention run purges cases but leaves the access log as it is.
	retentionKey, err := rk.value(getenv, *demoMode)
	if err != nil {
		return err
	}
	if retentionKey != "" {
		db.SetAccessLogKey([]byte(retentionKey))
	} else {
		log.Warn("retention runs will not prune the access log: no retention key; set TRYGG_RETENTION_KEY (or TRYGG_RETENTION_KEY_FILE) to sign its checkpoints (docs/retention.md)")
	}
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
	today := time.Now().UTC()
	if *demoMode {
		// The municipality is generated only the first time.
		if _, err := db.Tenant(ctx, demo.TenantID); trygg.ErrorCode(err) == trygg.ENotFound {
			ds = demo.Generate(demo.Options{Today: today})
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
	if *attachBytes < 1 || *attachFiles < 1 {
		return usageError{"--attachment-max-bytes and --attachment-max-files must be at least 1"}
	}
	svc.AttachmentMaxBytes, svc.AttachmentMaxFiles = *attachBytes, *attachFiles
	if svc.Payer, err = payer.debtor(*demoMode); err != nil {
		return err
	}
	if *bookkeepingFile != "" {
		if svc.BookkeepingLayout, err = loadBookkeepingLayout(*bookkeepingFile); err != nil {
			return err
		}
	}
	// The national income check: the file-backed one (a real adapter of
	// incomecheck.Checker goes here in its place).
	incPath := *incomesFile
	if incPath == "" {
		incPath = filepath.Join(dbf.data, "incomes.json")
	}
	incomes, err := incomecheck.LoadFile(incPath)
	if err != nil {
		return err
	}
	svc.Incomes = incomes

	if ds != nil {
		loaded, err := loadDemoData(ctx, svc, ds, today, log)
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
			for _, rec := range ds.Incomes {
				incomes.Add(rec)
			}
			if err := incomes.Save(incPath); err != nil {
				return err
			}
			log.Info("demo data loaded", "persons", len(ds.Persons), "cases", len(ds.Cases), "staff", len(ds.Users))
		}
	}
	// The legacy exports offered in the browser; the demo writes one.
	if *legacyDir == "" && *demoMode {
		*legacyDir = filepath.Join(dbf.data, "legacy")
		if err := writeDemoExport(ctx, *legacyDir, today, log); err != nil {
			log.Warn("the demo's legacy export was not written", "err", err)
		}
	}
	if *legacyDir != "" {
		svc.Legacy = service.NewLegacyDesk(ctx, *legacyDir)
	}
	// Population registry changes: the folder of change files the file
	// registry reads (a real registry's feed comes behind the same
	// interface); the demo writes an example the first time.
	if *registryChanges == "" && *demoMode {
		*registryChanges = filepath.Join(dbf.data, "registry-changes")
		if ds != nil {
			if err := writeDemoRegistryChanges(*registryChanges, ds, today); err != nil {
				log.Warn("the demo's registry changes were not written", "err", err)
			}
		}
	}
	if *registryChanges == "off" {
		*registryChanges = ""
	}
	if *registryChanges != "" {
		if err := registry.ReadChanges(*registryChanges); err != nil {
			return err
		}
	}
	// Events out: which webhook destinations may be reached. The demo
	// allows private and loopback ones, so a receiver on the same machine
	// can be tried.
	hosts, err := deliver.ParseHosts(*webhookHosts)
	if err != nil {
		return usageError{"--webhook-hosts: " + err.Error()}
	}
	if *webhookTimeout <= 0 || *deliveryEvery <= 0 || *cursorEvery < 0 {
		return usageError{"--webhook-timeout and --delivery-interval must be positive"}
	}
	if *lease <= *webhookTimeout {
		return usageError{"--lease must be longer than --webhook-timeout: a send still under way when the lease runs out could be made again by the server that takes over"}
	}
	svc.Lease = *lease
	svc.Delivery = service.DeliverySettings{Policy: deliver.Policy{AllowPrivate: *webhookPrivate || *demoMode, Hosts: hosts}, Timeout: *webhookTimeout,
		CursorEvery: *cursorEvery, NATSCredsDir: *natsCreds}
	if err := svc.WarmDefinitions(ctx); err != nil {
		return err
	}
	if n, err := svc.EnsureCaseReferences(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("references given to older cases", "cases", n)
	}
	defTenant, err := chooseTenant(ctx, db, *tenant, *demoMode)
	if err != nil {
		return err
	}

	for _, p := range strings.Split(*trusted, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return usageError{fmt.Sprintf("--trusted-proxies: %q is not an address or CIDR range", p)}
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		limits.TrustedProxies = append(limits.TrustedProxies, prefix)
	}
	cfg := web.Config{DefaultTenant: defTenant, Demo: *demoMode, Ready: db.Ping, Limits: limits}
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

	if *eidIssuer != "" {
		secretValue, err := secret(getenv, "EID_CLIENT_SECRET")
		if err != nil {
			ln.Close()
			return err
		}
		if *eidClient == "" || secretValue == "" {
			ln.Close()
			return errors.New("e-identification is configured (--eid-issuer) but the client id or secret is missing: set --eid-client-id and TRYGG_EID_CLIENT_SECRET (or TRYGG_EID_CLIENT_SECRET_FILE)")
		}
		o, err := auth.NewCitizenOIDC(ctx, auth.CitizenOIDCConfig{Issuer: *eidIssuer, ClientID: *eidClient, ClientSecret: secretValue,
			RedirectURL: base + "/auth/eid/callback", IdentityClaims: strings.Split(*eidClaim, ","), Scopes: strings.Split(*eidScopes, ","),
			ACR: strings.Split(*eidACR, ",")})
		if err != nil {
			ln.Close()
			return err
		}
		cfg.CitizenOIDC = o
	}

	// The analysis store, fed from the event log by its own goroutine
	// (off without a key, docs/analytics.md).
	projector, closeAnalytics, err := startAnalytics(ctx, &af, dbf, db, getenv, *demoMode, *analyticsEvery, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer closeAnalytics()
	var collectors []prometheus.Collector
	if projector != nil {
		collectors = append(collectors, projector)
		// The dashboards read what the projector writes.
		svc.Analytics = projector.Store()
	}
	// A NATS server for NATS subscriptions to deliver to, before the
	// deliveries start (docs/integrations.md).
	natsServer, err := startEmbeddedNATS(dbf.data, *natsEmbedded, *demoMode)
	if err != nil {
		ln.Close()
		return err
	}
	if natsServer != nil {
		defer natsServer.Close()
	}
	srv := newHTTPServer(newHandler(cfg, svc, log, collectors...), log)
	go cleanSessions(ctx, db, svc, log)
	go svc.RunTimers(ctx, *timerEvery)
	// notifyDone closes when the notifier has stopped and given up its
	// lease, so a restarted server goes on sending at once.
	var notifyDone chan struct{}
	if *notifyFile != "off" {
		// Notices to citizens ("something new on Mina sidor"), from the
		// event log; the file stands in for e-mail and SMS.
		path := *notifyFile
		if path == "" {
			path = filepath.Join(dbf.data, "notices.jsonl")
		}
		n, err := notify.NewFile(path)
		if err != nil {
			ln.Close()
			return err
		}
		notifyDone = make(chan struct{})
		go func() {
			defer close(notifyDone)
			svc.RunNotices(ctx, n, *notifyEvery)
		}()
	}
	// Population registry changes, applied in order by one server at a
	// time; registryDone closes once it has given up its lease.
	var registryDone chan struct{}
	if *registryChanges != "" {
		registryDone = make(chan struct{})
		go func() {
			defer close(registryDone)
			svc.RunRegistryChanges(ctx, registry, *registryEvery)
		}()
	}

	// Events out to the subscriptions' webhooks and brokers, from the
	// event log; every server runs it, and a lease per subscription lets
	// one deliver each.
	deliveryDone := make(chan struct{})
	go func() {
		defer close(deliveryDone)
		svc.RunDeliveries(ctx, *deliveryEvery)
	}()

	// Letters to citizens: their digital mailboxes, or the print queue
	// (letters.go).
	lettersDone, err := lf.start(ctx, svc, dbf.data, *demoMode, ds, log)
	if err != nil {
		ln.Close()
		return err
	}

	fmt.Fprintf(stdout, "trygg is running at %s (database: %s)\n", base, db.Engine())
	if natsServer != nil {
		fmt.Fprintf(stdout, "NATS with JetStream (embedded, for NATS subscriptions) at %s\n", natsServer.URL())
	}
	if *demoMode {
		printLogins(stdout, demo.Logins())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The demo's past (two years of work for the analysis dashboards) is
	// written while the server takes requests, month by month; stopped,
	// it goes on at the next start.
	var historyDone chan struct{}
	if *demoMode {
		historyDone = make(chan struct{})
		go func() {
			defer close(historyDone)
			if err := loadDemoHistory(ctx, svc, ds, log); err != nil {
				log.Error("writing the demo's past failed", "err", err)
			}
		}()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	log.Info("shutting down")
	err = srv.Shutdown(shutdownCtx)
	// Legacy runs stop at their next batch and record where they were.
	var legacyDone chan struct{}
	if svc.Legacy != nil {
		legacyDone = make(chan struct{})
		go func() {
			defer close(legacyDone)
			svc.Legacy.Wait()
		}()
	}
	for _, done := range []chan struct{}{notifyDone, historyDone, legacyDone, deliveryDone, registryDone} {
		if done == nil {
			continue
		}
		select {
		case <-done:
		case <-shutdownCtx.Done():
		}
	}
	if lettersDone != nil {
		select {
		case <-lettersDone:
		case <-shutdownCtx.Done():
		}
	}
	return err
}

// newHandler is serve's HTTP handler over svc, with the Go runtime's and
// the process's metrics, and extra's (the analysis store's lag).
func newHandler(cfg web.Config, svc *service.Service, log *slog.Logger, extra ...prometheus.Collector) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	reg.MustRegister(extra...)
	return web.New(cfg, svc, log, reg)
}

// newHTTPServer is serve's HTTP server for h: its timeouts, and its errors
// logged as warnings.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
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

// rateFlag registers a rate-limit flag ("N/duration" or "off") that sets r.
func rateFlag(fs *flag.FlagSet, r *web.Rate, name, def, usage string) {
	v, err := web.ParseRate(def)
	if err != nil {
		panic(err)
	}
	*r = v
	fs.Func(name, usage+" (default "+def+")", func(s string) error {
		v, err := web.ParseRate(s)
		if err != nil {
			return err
		}
		*r = v
		return nil
	})
}
