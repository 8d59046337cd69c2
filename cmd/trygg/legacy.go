package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/legacy/synthetic"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// runLegacyExport writes a synthetic export of one district in the legacy
// interchange format (docs/migration.md), with the dirt real exports
// have unless --dirt=false.
func runLegacyExport(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	synth := fs.Bool("synthetic", false, "write a synthetic export (required: trygg does not read the old system itself)")
	district := fs.String("district", "", "the old system's district code: N, S, O, V or C for the demo's districts Norra, Södra, Östra, Västra and Centrum, or another of letters and digits")
	persons := fs.Int("persons", 1000, fmt.Sprintf("persons in the district, at most %d", synthetic.MaxPersons))
	notes := fs.Int("notes-per-person", 3, "journal notes per person")
	format := fs.String("format", "csv", "csv (';' separated) or jsonl (JSON lines)")
	encoding := fs.String("encoding", "utf-8", "utf-8 or windows-1252 (csv only)")
	seed := fs.Int64("seed", 1, "random seed: the same seed, options and day give the same export")
	dirt := fs.Bool("dirt", true, "add the dirt real exports have: persons twice, changed identity numbers, unknown codes, text in the wrong encoding … (docs/migration.md)")
	out := fs.String("out", "", "the folder to write the export into; it must be empty or not exist")
	// No TRYGG_* variables: an export's options are its own, never a
	// server's configuration.
	if err := parseFlags(fs, args, func(string) string { return "" }); err != nil {
		return err
	}
	if !*synth {
		return usageError{"--synthetic is required: trygg writes synthetic exports; the old system writes the real ones (docs/migration.md)"}
	}
	if *out == "" {
		return usageError{"--out DIR is required: the folder to write the export into"}
	}
	if strings.TrimSpace(*district) == "" {
		return usageError{"--district is required: the old system's district code, for example S (the demo's Södra)"}
	}
	if *persons < 1 || *persons > synthetic.MaxPersons {
		return usageError{fmt.Sprintf("--persons must be 1–%d", synthetic.MaxPersons)}
	}
	if *notes < 0 || *notes > 1000 {
		return usageError{"--notes-per-person must be 0–1000"}
	}
	f := legacy.Format(strings.ToLower(*format))
	if f != legacy.FormatCSV && f != legacy.FormatJSONL {
		return usageError{fmt.Sprintf("--format %q: use csv or jsonl", *format)}
	}
	enc, err := legacy.ParseEncoding(*encoding)
	if err != nil || enc == "" {
		return usageError{fmt.Sprintf("--encoding %q: use utf-8 or windows-1252", *encoding)}
	}
	if f == legacy.FormatJSONL && enc != legacy.EncodingUTF8 {
		return usageError{"--encoding windows-1252 is for csv: JSON lines are UTF-8"}
	}

	start := time.Now()
	prog := newProgress(stderr, "persons", *persons, nil)
	sum, err := synthetic.Write(ctx, *out, synthetic.Options{
		District: *district, Persons: *persons, NotesPerPerson: *notes, NoNotes: *notes == 0,
		Format: f, Encoding: enc, Seed: *seed, Dirt: *dirt,
		Progress: func(done, total int) { prog.update(done) },
	})
	if err != nil {
		if prog.printed {
			fmt.Fprintln(stderr)
		}
		return fmt.Errorf("legacy export: %w", err)
	}
	prog.finish(*persons)
	m := sum.Manifest
	fmt.Fprintf(stdout, "export of district %s written to %s in %s (%s, %s)\n", m.District, *out, roughDuration(time.Since(start)), f, enc)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, k := range legacy.Kinds {
		fmt.Fprintf(tw, "  %s\t%10s\n", k, groupDigits(m.Counts[k]))
	}
	fmt.Fprintf(tw, "  payments' sum\t%10s kr\n", kronor(m.PaymentSum))
	if len(sum.Dirt) > 0 {
		keys := make([]string, 0, len(sum.Dirt))
		for k := range sum.Dirt {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		fmt.Fprintln(tw, "dirt:")
		for _, k := range keys {
			fmt.Fprintf(tw, "  %s\t%10s\n", strings.ReplaceAll(k, "_", " "), groupDigits(sum.Dirt[k]))
		}
	}
	tw.Flush()
	return nil
}

// kronor writes an amount in öre as kronor, grouped: 26 195 770,40.
func kronor(o legacy.Ore) string {
	s := o.String()
	whole, frac, _ := strings.Cut(s, ",")
	sign := ""
	if strings.HasPrefix(whole, "-") {
		sign, whole = "-", whole[1:]
	}
	var n int
	fmt.Sscan(whole, &n)
	return sign + groupDigits(n) + "," + frac
}

// legacyFlags are the flags the import's commands share: the database,
// the tenant, the system administrator who runs them and the export.
type legacyFlags struct {
	dbf    dbFlags
	tenant *string
	as     *string
	dir    *string
	report *string
}

func (f *legacyFlags) register(fs *flag.FlagSet) {
	f.dbf.register(fs)
	f.tenant = fs.String("tenant", "", "tenant (default: the only tenant)")
	f.as = fs.String("as", "", "the system administrator (username) who runs it; required")
	f.dir = fs.String("dir", "", "the export's folder (manifest.json and a file per kind; docs/migration.md); required")
	f.report = fs.String("report", "", "write the run's report here as CSV (file;line;legacy_id;kind;outcome;reason;detail): ids, codes and reasons, never a record's content")
}

// open parses args, opens the export and the service, and returns the
// actor --as.
func (f *legacyFlags) open(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stderr io.Writer) (*service.Service, *legacy.Export, trygg.Actor, func(), error) {
	if err := parseFlags(fs, args, getenv); err != nil {
		return nil, nil, trygg.Actor{}, nil, err
	}
	if *f.dir == "" {
		return nil, nil, trygg.Actor{}, nil, usageError{"--dir DIR is required: the export's folder"}
	}
	if *f.as == "" {
		return nil, nil, trygg.Actor{}, nil, usageError{"--as names the system administrator who runs it"}
	}
	exp, err := legacy.Open(*f.dir)
	if err != nil {
		return nil, nil, trygg.Actor{}, nil, err
	}
	svc, db, closeAll, err := openService(ctx, f.dbf, stderr)
	if err != nil {
		return nil, nil, trygg.Actor{}, nil, err
	}
	t, err := onlyTenant(ctx, db, *f.tenant)
	if err != nil {
		closeAll()
		return nil, nil, trygg.Actor{}, nil, err
	}
	a, err := svc.ActorByUsername(ctx, t, *f.as)
	if err != nil {
		closeAll()
		return nil, nil, trygg.Actor{}, nil, fmt.Errorf("--as %q: %s", *f.as, trygg.ErrorMessage(err))
	}
	return svc, exp, a, closeAll, nil
}

// writeReport writes run id's report to the file --report names, if any.
func (f *legacyFlags) writeReport(ctx context.Context, svc *service.Service, a trygg.Actor, id string, stdout io.Writer) error {
	if *f.report == "" {
		return nil
	}
	out, err := os.OpenFile(*f.report, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := svc.WriteLegacyReport(ctx, a, id, out); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "report written to %s\n", *f.report)
	return nil
}

// legacyProgress is the progress line of a run on stderr: records read of
// the export's count, and the time left.
func legacyProgress(stderr io.Writer) (service.LegacyOptions, func(store.LegacyRun)) {
	var prog *progress
	var done int64
	opt := service.LegacyOptions{Progress: func(p service.LegacyProgress) {
		if prog == nil {
			prog = newProgress(stderr, "records", int(p.Total), nil)
		}
		done = p.Done
		prog.update(int(p.Done))
	}}
	return opt, func(store.LegacyRun) {
		if prog != nil {
			prog.finish(int(done))
		}
	}
}

// printLegacyRun writes a run's counts, kind by kind.
func printLegacyRun(w io.Writer, run store.LegacyRun) {
	outcomes := []string{store.LegacyCreated, store.LegacyMapped, store.LegacyMerged, store.LegacyRefused, store.LegacySkipped}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for _, o := range outcomes {
		fmt.Fprintf(tw, "%s\t", o)
	}
	fmt.Fprintln(tw)
	for _, k := range legacy.Kinds {
		if len(run.Counts[string(k)]) == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t", k)
		for _, o := range outcomes {
			fmt.Fprintf(tw, "%s\t", groupDigits(int(run.Counts[string(k)][o])))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// legacyRunError is a run that did not end as done, as one line.
func legacyRunError(what string, run store.LegacyRun, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s stopped after %s %s; run the same command again to go on from there", what, groupDigits(int(run.CheckpointDone)), run.CheckpointKind)
	}
	var te *trygg.Error
	if errors.As(err, &te) {
		return fmt.Errorf("%s: %w", what, describe(err))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// runLegacyImport dry-runs or imports an export with a published mapping.
func runLegacyImport(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f legacyFlags
	f.register(fs)
	mapping := fs.String("mapping", "", "the published legacy mapping's id (kind legacy_mapping); required")
	dry := fs.Bool("dry-run", false, "only report what the import would do: nothing but the run and its report is written")
	return legacyImportRun(ctx, fs, args, getenv, stdout, stderr, &f, mapping, func(svc *service.Service, ctx context.Context, a trygg.Actor, exp *legacy.Export, opt service.LegacyOptions) (store.LegacyRun, error) {
		if *dry {
			return svc.LegacyDryRun(ctx, a, exp, *mapping, opt)
		}
		return svc.LegacyImport(ctx, a, exp, *mapping, opt)
	})
}

// runLegacyMark imports an export's persons only, marking each as having
// records in a district still in the old system.
func runLegacyMark(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f legacyFlags
	f.register(fs)
	mapping := fs.String("mapping", "", "the published legacy mapping's id (kind legacy_mapping); required")
	return legacyImportRun(ctx, fs, args, getenv, stdout, stderr, &f, mapping, func(svc *service.Service, ctx context.Context, a trygg.Actor, exp *legacy.Export, opt service.LegacyOptions) (store.LegacyRun, error) {
		return svc.LegacyMarkPersons(ctx, a, exp, *mapping, opt)
	})
}

func legacyImportRun(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer, f *legacyFlags,
	mapping *string, do func(*service.Service, context.Context, trygg.Actor, *legacy.Export, service.LegacyOptions) (store.LegacyRun, error)) error {
	svc, exp, a, closeAll, err := f.open(ctx, fs, args, getenv, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	if *mapping == "" {
		return usageError{"--mapping ID is required: the published legacy mapping (kind legacy_mapping)"}
	}
	start := time.Now()
	opt, finish := legacyProgress(stderr)
	run, err := do(svc, ctx, a, exp, opt)
	finish(run)
	what := map[string]string{store.LegacyDryRun: "dry run", store.LegacyImport: "import", store.LegacyPersons: "import of persons"}[run.Mode]
	if what == "" {
		what = "legacy " + fs.Name()
	}
	if run.ID != "" {
		fmt.Fprintf(stdout, "%s %s of %s (mapping %s, definitions version %d): %s in %s\n", what, run.ID, run.Source, run.MappingID,
			run.DefinitionVersion, run.Status, roughDuration(time.Since(start)))
		printLegacyRun(stdout, run)
		if rerr := f.writeReport(context.WithoutCancel(ctx), svc, a, run.ID, stdout); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	if err != nil {
		return legacyRunError(what, run, err)
	}
	return nil
}

// runLegacyReconcile compares an export with what trygg has of it.
func runLegacyReconcile(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f legacyFlags
	f.register(fs)
	svc, exp, a, closeAll, err := f.open(ctx, fs, args, getenv, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	rec, err := svc.LegacyReconcile(ctx, a, exp)
	if rec.Run.ID == "" {
		return legacyRunError("reconciliation", rec.Run, err)
	}
	s := rec.Summary
	fmt.Fprintf(stdout, "reconciliation %s of %s against import %s, on %s: %s\n", rec.Run.ID, rec.Run.Source, s.Import, s.Today, rec.Run.Status)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tmanifest\texport\tcreated\tmapped\tmerged\trefused\tunreadable\tmissing\tunexplained\t")
	for _, k := range s.Kinds {
		manifest := "–"
		if k.Manifest >= 0 {
			manifest = groupDigits(int(k.Manifest))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", k.Kind, manifest, groupDigits(int(k.Export)), groupDigits(int(k.Created)),
			groupDigits(int(k.Mapped)), groupDigits(int(k.Merged)), groupDigits(int(k.Refused)), groupDigits(int(k.Unreadable)),
			groupDigits(int(k.Missing)), groupDigits(int(k.Unexplained)))
	}
	tw.Flush()
	p := s.Payments
	fmt.Fprintf(stdout, "payments (kr): manifest %s, export %s, trygg %s, refused %s, unexplained %s\n", kronor(legacy.Ore(p.Manifest)),
		kronor(legacy.Ore(p.Export)), kronor(legacy.Ore(p.Trygg)), kronor(legacy.Ore(p.Refused)), kronor(legacy.Ore(p.Unexplained)))
	for _, x := range []struct {
		what string
		p    service.LegacyPersonSummary
	}{{"decisions in force", s.OpenDecisions}, {"orders running", s.RunningOrders}} {
		fmt.Fprintf(stdout, "%s: export %s, trygg %s; %s persons differ, %s explained, %s unexplained\n", x.what, groupDigits(int(x.p.Export)),
			groupDigits(int(x.p.Trygg)), groupDigits(int(x.p.Persons)), groupDigits(int(x.p.Explained)), groupDigits(int(x.p.Unexplained)))
	}
	if rerr := f.writeReport(context.WithoutCancel(ctx), svc, a, rec.Run.ID, stdout); rerr != nil {
		return errors.Join(err, rerr)
	}
	if err != nil {
		return legacyRunError("reconciliation", rec.Run, err)
	}
	if s.Unexplained > 0 {
		return fmt.Errorf("reconciliation: %s differences are unexplained (outcome unexplained in the report)", groupDigits(int(s.Unexplained)))
	}
	fmt.Fprintln(stdout, "every difference is explained")
	return nil
}
