package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/legacy/synthetic"
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
