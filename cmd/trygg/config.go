package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	data string
	db   string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./data", "data folder (SQLite file, population-registry file)")
	fs.StringVar(&f.db, "db", "", "database: a SQLite file path or a postgres:// URL (default: trygg.db in the data folder)")
}

func (f *dbFlags) dsn() string {
	if f.db != "" {
		return f.db
	}
	return filepath.Join(f.data, "trygg.db")
}

// errHelp is what parseFlags and parseArgs return after -h or --help has
// printed the command's help; run turns it into success.
var errHelp = errors.New("help printed")

// flagSet returns the flag set c's flags go in: -h and --help print c's
// help to stdout; parse errors print nothing (run reports them).
func (c *command) flagSet(stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() { c.help(stdout, fs) }
	return fs
}

// help writes what c does, its usage, its flags with their defaults and an
// example.
func (c *command) help(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	fmt.Fprintf(&b, "trygg %s: %s\n\nUsage:\n  trygg %s", c.name, c.summary, c.name)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		b.WriteString(" [flags]")
	}
	if c.args != "" {
		b.WriteString(" " + c.args)
	}
	b.WriteString("\n")
	if n > 0 {
		b.WriteString("\nFlags:\n")
		fs.VisitAll(func(f *flag.Flag) {
			kind, text := flag.UnquoteUsage(f)
			fmt.Fprintf(&b, "  --%s", f.Name)
			if kind != "" {
				b.WriteString(" " + kind)
			}
			b.WriteString("\n        " + text)
			switch {
			case f.DefValue == "" || f.DefValue == "0" || f.DefValue == "false" || f.DefValue == "0s":
			case kind == "string":
				fmt.Fprintf(&b, " (default %q)", f.DefValue)
			default:
				fmt.Fprintf(&b, " (default %s)", f.DefValue)
			}
			b.WriteString("\n")
		})
		if !c.noEnv {
			b.WriteString("\nEvery flag can also be set as TRYGG_<FLAG>, dashes as underscores (docs/configuration.md).\n")
		}
	}
	fmt.Fprintf(&b, "\nExample:\n  %s\n", c.example)
	io.WriteString(w, b.String())
}

// parseFlags parses args, which must hold only flags, as parseArgs does.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := parseArgs(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// parseArgs parses the flags in args, leaving the arguments after them in
// fs.Args(), then fills every flag not given on the command line from
// TRYGG_<NAME> in the environment (dashes become underscores). With -h or
// --help it prints the command's help (fs.Usage) and returns errHelp.
func parseArgs(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		if usage != nil {
			usage()
		}
		return errHelp
	}
	if err != nil {
		return usageError{err.Error()}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		env := "TRYGG_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(env); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = usageError{fmt.Sprintf("%s: %v", env, e)}
			}
		}
	})
	return err
}

// secret reads a secret from TRYGG_<NAME> or the file named by
// TRYGG_<NAME>_FILE.
func secret(getenv func(string) string, name string) (string, error) {
	if path := getenv("TRYGG_" + name + "_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("TRYGG_%s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return getenv("TRYGG_" + name), nil
}

func openStore(ctx context.Context, f dbFlags, migrate bool, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, f.dsn(), nil)
	if err != nil {
		return nil, err
	}
	if migrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if len(applied) > 0 {
			log.Info("schema migrated", "versions", applied)
		}
	}
	return db, nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// demoWalksPerType is how many generated cases of each case type get a
// played history in the demo: at most demo.SampleCases, so trygg demo's
// streamed municipality plays the same cases as serve's.
const demoWalksPerType = 25

// loadDemo loads ds as loadDemoData does and then writes its past
// (loadDemoHistory) before it returns. It reports whether anything was
// loaded (false: the demo was there).
func loadDemo(ctx context.Context, svc *service.Service, ds *demo.Dataset, log *slog.Logger) (bool, error) {
	loaded, err := loadDemoData(ctx, svc, ds, time.Now().UTC(), log)
	if err != nil || !loaded {
		return loaded, err
	}
	return true, loadDemoHistory(ctx, svc, ds, log)
}

// loadDemoData loads ds, generated for the day today, with the shipped
// packs and the demo city's own rule sets as its definitions, plays the
// histories of some of its cases and plans its past up to today (written
// by loadDemoHistory: serve does it once it listens). It reports whether
// anything was loaded (false: the demo was there).
func loadDemoData(ctx context.Context, svc *service.Service, ds *demo.Dataset, today time.Time, log *slog.Logger) (bool, error) {
	ds.Definitions = append(ds.Definitions, demoDefinitions()...)
	loaded, err := svc.LoadDemo(ctx, ds)
	if err != nil || !loaded {
		return loaded, err
	}
	return true, playDemo(ctx, svc, ds, today, log)
}

// demoDefinitions are the demo's definitions: the shipped packs and the
// demo city's own rule sets.
func demoDefinitions() []demo.Definition {
	var out []demo.Definition
	for _, f := range packs.Files() {
		out = append(out, demo.Definition{Name: f.Name, Content: f.Content})
	}
	return append(out, demo.CityDefinitions()...)
}

// playDemo plays the histories of some of the loaded demo's cases and
// plans its past up to today.
func playDemo(ctx context.Context, svc *service.Service, ds *demo.Dataset, today time.Time, log *slog.Logger) error {
	walks, err := demo.Walks()
	if err != nil {
		return err
	}
	start := time.Now()
	n, err := svc.PlayDemoWalks(ctx, ds, walks, demoWalksPerType)
	if err != nil {
		return err
	}
	log.Info("demo histories played", "cases", n, "duration", time.Since(start).Round(time.Millisecond))
	// Two years of past work for the analysis dashboards, up to the day
	// the dataset was generated for, written once the server listens.
	return svc.PlanDemoHistory(ctx, ds.Tenant.ID, demo.HistoryOptions{Today: today})
}

// loadDemoHistory writes what is left of the demo's planned past (two
// years of work for the analysis dashboards, in persons and cases of its
// own), month by month, until it is complete or ctx ends; a server
// stopped part-way continues at its next start. ds is the demo's dataset,
// or nil: then it is generated again for the day the past was planned on.
func loadDemoHistory(ctx context.Context, svc *service.Service, ds *demo.Dataset, log *slog.Logger) error {
	day, pending, err := svc.DemoHistoryPending(ctx, demo.TenantID)
	if err != nil {
		return err
	}
	if !pending {
		log.Info("demo past complete")
		return nil
	}
	if ds == nil {
		ds = demo.Generate(demo.Options{Today: day})
	}
	walks, err := demo.Walks()
	if err != nil {
		return err
	}
	start := time.Now()
	log.Info("writing the demo's past", "until", day.Format(time.DateOnly))
	hs, err := svc.LoadDemoHistory(ctx, ds, walks, demo.HistoryOptions{})
	if err != nil {
		if ctx.Err() != nil {
			log.Info("demo past paused, continued at the next start", "months", hs.Months, "events", hs.Events,
				"duration", time.Since(start).Round(time.Millisecond))
			return nil
		}
		return err
	}
	log.Info("demo past written", "cases", hs.Cases, "still open", hs.Open, "events", hs.Events, "months", hs.Months,
		"duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// openService opens (and migrates) the database and returns a service over
// it, with a function that closes both.
func openService(ctx context.Context, dbf dbFlags, stderr io.Writer) (*service.Service, *store.DB, func(), error) {
	log := newLogger(stderr)
	db, err := openStore(ctx, dbf, true, log)
	if err != nil {
		return nil, nil, nil, err
	}
	committer := audit.NewCommitter(db)
	return service.New(db, committer, nil, log), db, func() { committer.Close(); db.Close() }, nil
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
