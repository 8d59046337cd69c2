package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/store"
)

// demoAnalyticsKey is the pseudonym key of the demo's analysis store:
// public, like the demo's passwords, so never for real data.
const demoAnalyticsKey = "the demo's analytics key, public: never for real data"

// analyticsFlags are the flags of the analysis store (docs/analytics.md).
type analyticsFlags struct {
	key string
	db  string
}

func (f *analyticsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.key, "analytics-key", "", "key of the analysis store's pseudonyms (HMAC-SHA256), at least 16 characters; better TRYGG_ANALYTICS_KEY or TRYGG_ANALYTICS_KEY_FILE (docs/analytics.md)")
	fs.StringVar(&f.db, "analytics-db", "", "analysis store: a SQLite file path or a postgres:// URL (default: analytics.db beside a SQLite database, the schema analytics of a PostgreSQL one)")
}

// keyValue returns the key: the flag, TRYGG_ANALYTICS_KEY or the file
// TRYGG_ANALYTICS_KEY_FILE names; under the demo, the demo's key when
// none is given.
func (f *analyticsFlags) keyValue(getenv func(string) string, demoMode bool) (string, error) {
	key := f.key
	if key == "" {
		var err error
		if key, err = secret(getenv, "ANALYTICS_KEY"); err != nil {
			return "", err
		}
	}
	if key == "" && demoMode {
		key = demoAnalyticsKey
	}
	return key, nil
}

func (f *analyticsFlags) dsn(dbf dbFlags) string {
	if f.db != "" {
		return f.db
	}
	return analytics.DefaultDSN(dbf.dsn())
}

// openProjector opens the analysis store and a projector into it from
// db's event log; the caller closes the store.
func openProjector(ctx context.Context, f *analyticsFlags, dbf dbFlags, db *store.DB, key string) (*analytics.Projector, *analytics.Store, error) {
	st, err := analytics.Open(ctx, f.dsn(dbf))
	if err != nil {
		return nil, nil, err
	}
	pr, err := analytics.NewProjector(ctx, db, st, []byte(key), nil)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return pr, st, nil
}

// startAnalytics starts serve's projector in its own goroutine and returns
// it (nil, with a warning logged, when no key is configured) and a
// function that closes its store.
func startAnalytics(ctx context.Context, f *analyticsFlags, dbf dbFlags, db *store.DB, getenv func(string) string, demoMode bool,
	every time.Duration, log *slog.Logger) (*analytics.Projector, func(), error) {
	key, err := f.keyValue(getenv, demoMode)
	if err != nil {
		return nil, nil, err
	}
	if key == "" {
		log.Warn("analytics is off: no pseudonym key; set TRYGG_ANALYTICS_KEY (or --analytics-key) to feed the analysis store (docs/analytics.md)")
		return nil, func() {}, nil
	}
	pr, st, err := openProjector(ctx, f, dbf, db, key)
	if err != nil {
		return nil, nil, fmt.Errorf("analytics: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		pr.Run(ctx, every, log)
	}()
	return pr, func() { cancel(); <-done; st.Close() }, nil
}

// runAnalyticsRebuild is trygg analytics rebuild: it drops the analysis
// store and projects the whole event log into it again.
func runAnalyticsRebuild(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	var af analyticsFlags
	af.register(fs)
	demoMode := fs.Bool("demo", false, "use the demo's public analytics key when none is given")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the rebuild to this file")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	key, err := af.keyValue(getenv, *demoMode)
	if err != nil {
		return err
	}
	if key == "" {
		return errors.New(analytics.ErrNoKey.Error())
	}
	log := newLogger(stderr)
	db, err := openStore(ctx, dbf, true, log)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := analytics.Open(ctx, af.dsn(dbf))
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	// Dropped first: a new key is one thing a rebuild is for.
	if err := st.Drop(ctx); err != nil {
		return err
	}
	pr, err := analytics.NewProjector(ctx, db, st, []byte(key), nil)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// A rebuild's bulk load: the facts' secondary indexes made and the
	// summaries counted once at the end, not kept batch by batch.
	n, err := pr.Rebuild(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "the analysis store (%s) is rebuilt from %d events in %s\n", st.Engine(), n, time.Since(start).Round(time.Millisecond))
	return nil
}
