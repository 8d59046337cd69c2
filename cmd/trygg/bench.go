package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/bench"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/legacy/synthetic"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/web"
)

// benchFlags are trygg bench's flags: the harness's options, where the
// database is, and where the report goes.
type benchFlags struct {
	bench.Options
	data, db string
	keep     bool
	out      string
}

// parseBenchFlags registers trygg bench's flags on fs, parses args and
// checks them; it returns a usage error naming the flag that is wrong.
func parseBenchFlags(fs *flag.FlagSet, args []string) (benchFlags, error) {
	f := benchFlags{Options: bench.Options{Args: args}}
	fs.StringVar(&f.data, "data", "", "folder for the SQLite database (default: a fresh temporary folder, removed afterwards unless --keep)")
	fs.StringVar(&f.db, "db", "", "an empty database: a SQLite file path or a postgres:// URL (default: trygg.db in --data)")
	fs.BoolVar(&f.keep, "keep", false, "keep the temporary data folder")
	fs.IntVar(&f.Persons, "persons", 100_000, "persons in the generated municipality")
	fs.IntVar(&f.Staff, "staff", 200, "staff accounts in the generated municipality")
	fs.Int64Var(&f.Seed, "seed", 1, "random seed of the generated municipality")
	fs.DurationVar(&f.Duration, "duration", 10*time.Second, "how long each workload runs")
	fs.IntVar(&f.VUs, "vus", 32, "virtual users: requests in flight at once")
	wl := fs.String("workloads", "all", "comma-separated workloads ("+strings.Join(bench.Workloads(), ", ")+")")
	fs.BoolVar(&f.History, "history", true, fmt.Sprintf("add history: cases up to %.1f per person in every step, --notes-per-person signed journal notes with their events, over %d days",
		bench.CasesPerPerson, bench.HistoryDays))
	fs.IntVar(&f.NotesPerPerson, "notes-per-person", bench.NotesPerPerson, "signed journal notes of history per person")
	fs.BoolVar(&f.Soak, "soak", false, "instead of the workloads, run the officer mix for --soak-duration and report memory and file-descriptor growth")
	fs.DurationVar(&f.SoakDuration, "soak-duration", 30*time.Minute, "how long --soak runs")
	fs.IntVar(&f.PaymentHouseholds, "payment-households", bench.BenchPaymentHouseholds, "households of the payment-run workload's monthly run")
	fs.IntVar(&f.LegacyPersons, "legacy-persons", bench.BenchLegacyPersons, "persons of each district the legacy-import workload moves in (10 journal notes each)")
	fs.IntVar(&f.LegacyDistricts, "legacy-districts", 1, "districts the legacy-import workload moves in, one after the other (at most 5, the demo's)")
	fs.StringVar(&f.out, "out", "", "also write the report as Markdown to this file")
	fs.StringVar(&f.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured part (workloads or soak, not the set-up) to this file")
	// No TRYGG_* variables: a benchmark must never find its way to the
	// database a configured server uses.
	if err := parseFlags(fs, args, func(string) string { return "" }); err != nil {
		return f, err
	}
	switch {
	case f.Persons < 20 || f.Persons > 10_000_000:
		return f, usageError{"--persons must be between 20 and 10000000"}
	case f.Staff < 60:
		return f, usageError{"--staff must be at least 60"}
	case f.VUs < 1 || f.VUs > 1024:
		return f, usageError{"--vus must be between 1 and 1024"}
	case f.Duration <= 0:
		return f, usageError{"--duration must be positive"}
	case f.NotesPerPerson < 0 || f.NotesPerPerson > 100:
		return f, usageError{"--notes-per-person must be between 0 and 100"}
	case f.SoakDuration <= 0:
		return f, usageError{"--soak-duration must be positive"}
	case f.PaymentHouseholds < 1 || f.PaymentHouseholds > 1_000_000:
		return f, usageError{"--payment-households must be between 1 and 1000000"}
	case f.LegacyPersons < 1 || f.LegacyPersons > synthetic.MaxPersons:
		return f, usageError{fmt.Sprintf("--legacy-persons must be between 1 and %d", synthetic.MaxPersons)}
	case f.LegacyDistricts < 1 || f.LegacyDistricts > 5:
		return f, usageError{"--legacy-districts must be between 1 and 5"}
	case f.db != "" && f.data != "":
		return f, usageError{"give --db or --data, not both"}
	}
	if *wl == "all" || *wl == "" {
		f.Workloads = bench.Workloads()
	} else {
		for _, name := range strings.Split(*wl, ",") {
			name = strings.TrimSpace(name)
			if !slices.Contains(bench.Workloads(), name) {
				return f, usageError{fmt.Sprintf("unknown workload %q (known: %s)", name, strings.Join(bench.Workloads(), ", "))}
			}
			if !slices.Contains(f.Workloads, name) {
				f.Workloads = append(f.Workloads, name)
			}
		}
	}
	return f, nil
}

// runBench is trygg bench: it opens an empty database (by default in a
// fresh temporary folder), gives the harness serve's handler and server,
// prints the report and writes it as Markdown to --out.
func runBench(ctx context.Context, fs *flag.FlagSet, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	f, err := parseBenchFlags(fs, args)
	if err != nil {
		return err
	}
	opt := f.Options
	opt.DSN = f.db
	if opt.DSN == "" {
		dir := f.data
		if dir == "" {
			tmp, err := os.MkdirTemp("", "trygg-bench-")
			if err != nil {
				return err
			}
			dir = tmp
			defer func() {
				if f.keep {
					fmt.Fprintf(stderr, "bench: kept the data folder %s\n", tmp)
					return
				}
				os.RemoveAll(tmp)
			}()
		}
		opt.DSN = filepath.Join(dir, "trygg.db")
	}
	loadLog := newLogger(stderr)
	db, err := openStore(ctx, dbFlags{db: opt.DSN}, true, loadLog)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg := web.Config{DefaultTenant: demo.TenantID, Demo: true, Ready: db.Ping}
	opt.DB, opt.Log = db, stderr
	opt.Load = func(ctx context.Context, svc *service.Service, ds *demo.Dataset) error {
		_, err := loadDemo(ctx, svc, ds, loadLog)
		return err
	}
	opt.Handler = func(svc *service.Service, log *slog.Logger) http.Handler { return newHandler(cfg, svc, log) }
	opt.Listen = listenLocal
	rep, err := bench.Run(ctx, opt)
	if err != nil {
		return err
	}
	if err := rep.Text(stdout); err != nil {
		return err
	}
	if f.out == "" {
		return nil
	}
	var md bytes.Buffer
	if err := rep.Markdown(&md); err != nil {
		return err
	}
	return os.WriteFile(f.out, md.Bytes(), 0o644)
}

// listenLocal serves h with serve's server settings on 127.0.0.1 on a free
// port; it returns the base URL and a function that shuts the server down.
func listenLocal(h http.Handler, log *slog.Logger) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", func() {}, err
	}
	srv := newHTTPServer(h, log)
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
