package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// demoRetentionKey signs the demo's access-log checkpoints: public, so
// never for real data.
const demoRetentionKey = "the demo's retention key, public: never for real data"

// retentionKeyFlags is the key that signs and checks the access log's
// retention checkpoints (docs/retention.md, docs/configuration.md).
type retentionKeyFlags struct{ key string }

func (f *retentionKeyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.key, "retention-key", "", "key that signs and checks the access log's retention checkpoints (HMAC-SHA256), at least 16 characters; better TRYGG_RETENTION_KEY or TRYGG_RETENTION_KEY_FILE (docs/retention.md)")
}

// value returns the key: the flag, TRYGG_RETENTION_KEY or the file
// TRYGG_RETENTION_KEY_FILE names, or with demoMode the demo's public key;
// "" when none is set. A key shorter than 16 characters is refused.
func (f *retentionKeyFlags) value(getenv func(string) string, demoMode bool) (string, error) {
	key := f.key
	if key == "" {
		var err error
		if key, err = secret(getenv, "RETENTION_KEY"); err != nil {
			return "", err
		}
	}
	if key == "" && demoMode {
		key = demoRetentionKey
	}
	if key != "" && len(key) < 16 {
		return "", usageError{"the retention key (--retention-key, TRYGG_RETENTION_KEY) must be at least 16 characters"}
	}
	return key, nil
}

// noRetentionKey is what a run without the key says of the access log.
const noRetentionKey = "the access log was not pruned: no retention key is set (TRYGG_RETENTION_KEY or TRYGG_RETENTION_KEY_FILE), so no checkpoint could be signed"

// retentionFlags are the flags every retention command has.
type retentionFlags struct {
	dbf    dbFlags
	key    retentionKeyFlags
	tenant *string
	as     *string
	demo   *bool
}

func (f *retentionFlags) register(fs *flag.FlagSet) {
	f.dbf.register(fs)
	f.key.register(fs)
	f.tenant = fs.String("tenant", "", "tenant (default: the only tenant)")
	f.as = fs.String("as", "", "the archivist (username) who does it; required")
	f.demo = fs.Bool("demo", false, "use the demo's public retention key when none is given")
}

// open parses args and opens the service as the archivist --as, with the
// retention key set when one is given.
func (f *retentionFlags) open(ctx context.Context, fs *flag.FlagSet, args []string, nargs int, getenv func(string) string, stderr io.Writer) (*service.Service, *store.DB, trygg.Actor, func(), error) {
	if err := parseArgs(fs, args, getenv); err != nil {
		return nil, nil, trygg.Actor{}, nil, err
	}
	if fs.NArg() != nargs {
		if nargs == 0 {
			return nil, nil, trygg.Actor{}, nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
		}
		return nil, nil, trygg.Actor{}, nil, usageError{"give the preview's id"}
	}
	if *f.as == "" {
		return nil, nil, trygg.Actor{}, nil, usageError{"--as names the archivist"}
	}
	key, err := f.key.value(getenv, *f.demo)
	if err != nil {
		return nil, nil, trygg.Actor{}, nil, err
	}
	svc, db, closeAll, err := openService(ctx, f.dbf, stderr)
	if err != nil {
		return nil, nil, trygg.Actor{}, nil, err
	}
	if key != "" {
		db.SetAccessLogKey([]byte(key))
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
	return svc, db, a, closeAll, nil
}

// retentionError is a refused retention step as one line.
func retentionError(step string, err error) error {
	var te *trygg.Error
	if errors.As(err, &te) {
		return fmt.Errorf("retention %s: %s", step, trygg.ErrorMessage(err))
	}
	return err
}

func runRetentionPreview(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f retentionFlags
	f.register(fs)
	svc, _, a, closeAll, err := f.open(ctx, fs, args, 0, getenv, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	rep, err := svc.RetentionPreview(ctx, a)
	if err != nil {
		return retentionError("preview", err)
	}
	fmt.Fprintf(stdout, "preview %s as of %s (definitions version %d): %d persons; purge %d, deliver to the archive %d, keep %d\n",
		rep.ID, rep.AsOf, rep.DefinitionVersion, rep.Persons, rep.PurgeCount, rep.ArchiveCount, rep.KeepCount)
	writeRuleCounts(stdout, rep)
	if rep.Warn > 0 {
		fmt.Fprintf(stdout, "%d case(s) are near or past their deadline\n", rep.Warn)
	}
	if !svc.RetentionKeySet() {
		fmt.Fprintln(stdout, "note: no retention key is set, so a run will not prune the access log")
	}
	fmt.Fprintf(stdout, "next: trygg retention approve --as %s %s\n", *f.as, rep.ID)
	return nil
}

func writeRuleCounts(w io.Writer, rep service.RetentionReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  rule\tpurge\tarchive\tkeep")
	for _, c := range rep.ByRule() {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\n", c.Rule, c.Purge, c.Archive, c.Keep)
	}
	tw.Flush()
}

func runRetentionApprove(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f retentionFlags
	f.register(fs)
	svc, _, a, closeAll, err := f.open(ctx, fs, args, 1, getenv, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	id := fs.Arg(0)
	if err := svc.RetentionApprove(ctx, a, id); err != nil {
		return retentionError("approve", err)
	}
	fmt.Fprintf(stdout, "preview %s approved by %s\nnext: trygg retention run --as %s %s\n", id, *f.as, *f.as, id)
	return nil
}

func runRetentionRun(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f retentionFlags
	f.register(fs)
	svc, _, a, closeAll, err := f.open(ctx, fs, args, 1, getenv, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	rep, err := svc.RetentionRun(ctx, a, fs.Arg(0))
	if err != nil {
		return retentionError("run", err)
	}
	fmt.Fprintf(stdout, "run %s done: purged %d, delivered to the archive and purged %d, kept %d; %d access-log rows removed\n",
		rep.ID, rep.PurgeCount, rep.ArchiveCount, rep.KeepCount, rep.AccessLogRemoved)
	if !svc.RetentionKeySet() {
		fmt.Fprintln(stdout, noRetentionKey)
	}
	return nil
}

func runRetentionProtocol(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f retentionFlags
	f.register(fs)
	if err := parseArgs(fs, args, getenv); err != nil {
		return err
	}
	nargs := min(fs.NArg(), 1)
	svc, _, a, closeAll, err := f.open(ctx, fs, args, nargs, getenv, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	if nargs == 0 {
		list, err := svc.RetentionProtocol(ctx, a)
		if err != nil {
			return retentionError("protocol", err)
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, "the protocol is empty: no retention preview has been made")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "preview\tas of\tstatus\tpurge\tarchive\tkeep\tpreviewed by\tapproved by\trun by\tfinished\taccess log removed")
		for _, p := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%d\n", p.ID, p.AsOf, p.Status, p.PurgeCount, p.ArchiveCount, p.KeepCount,
				p.CreatedBy, dash(p.ApprovedBy), dash(p.RunBy), stamp(p.FinishedAt), p.AccessLogRemoved)
		}
		return tw.Flush()
	}
	rep, err := svc.RetentionPreviewByID(ctx, a, fs.Arg(0))
	if err != nil {
		return retentionError("protocol", err)
	}
	p := rep.RetentionPreview
	fmt.Fprintf(stdout, "preview %s as of %s, definitions version %d, status %s\n", p.ID, p.AsOf, p.DefinitionVersion, p.Status)
	fmt.Fprintf(stdout, "previewed by %s at %s; approved by %s at %s; run by %s from %s to %s; %d access-log rows removed\n",
		p.CreatedBy, stamp(p.CreatedAt), dash(p.ApprovedBy), stamp(p.ApprovedAt), dash(p.RunBy), stamp(p.StartedAt), stamp(p.FinishedAt), p.AccessLogRemoved)
	writeRuleCounts(stdout, rep)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "person\tcase\trule\taction\tdeadline\tdone\tpackage\trows")
	for _, it := range rep.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.PersonID, it.CaseID, it.Rule, it.Action, dash(it.Deadline),
			stamp(it.DoneAt), dash(it.PackageID), dash(it.Counts))
	}
	return tw.Flush()
}

func runRetentionReapply(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f retentionFlags
	f.register(fs)
	from := fs.String("from", "", "the database whose protocol is re-applied (the one the restored backup replaced): a SQLite file path or a postgres:// URL; required")
	svc, _, a, closeAll, err := f.open(ctx, fs, args, 0, getenv, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	if *from == "" {
		return usageError{"--from names the database whose retention protocol is re-applied"}
	}
	if *from == f.dbf.dsn() {
		return usageError{"--from must be another database than the restored one (--db, --data)"}
	}
	old, err := store.Open(ctx, *from, nil)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer old.Close()
	res, err := svc.RetentionReapply(ctx, a, old)
	if err != nil {
		return retentionError("reapply", err)
	}
	fmt.Fprintf(stdout, "%d preview(s) put back in the protocol; %d case(s) purged again, %d already purged, %d not in this database\n",
		res.Previews, res.Purged, res.Already, res.Missing)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
