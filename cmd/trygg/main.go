// Command trygg is the whole platform in one binary: the server and the
// operator's commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "trygg:", err)
	}
	os.Exit(exitCode(err))
}

// exitCode is the exit status for run's error: 0 for none, 2 for a usage
// error, 1 for any other.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// A command is one of trygg's subcommands: what trygg -h lists, what its
// own -h prints, and the function that runs it.
type command struct {
	name    string // as typed after trygg: "serve", "audit verify"
	summary string // what it does, one line
	args    string // what follows the flags, if anything: "DIR"
	example string // a command line that works
	// noEnv: the command reads no TRYGG_* variables.
	noEnv bool
	// run registers the command's flags on fs (made by flagSet), parses
	// args with parseFlags or parseArgs and does the work.
	run func(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error
}

// commands are trygg's subcommands, in the order trygg -h lists them.
var commands = []*command{
	{name: "serve", summary: "run the server", run: runServe,
		example: "trygg serve --demo --addr 127.0.0.1:8080"},
	{name: "migrate", summary: "apply schema migrations", run: runMigrate,
		example: "trygg migrate --db postgres://trygg@db.example.se/trygg"},
	{name: "init", summary: "create a tenant and its first administrator (password in TRYGG_ADMIN_PASSWORD)", run: runInit,
		example: "TRYGG_ADMIN_PASSWORD_FILE=/run/secrets/admin trygg init --tenant malmo --name Malmö --code 1280 --admin anna"},
	{name: "demo", summary: "load the synthetic demo municipality", run: runDemo,
		example: "trygg demo --persons 2000 --data ./data"},
	{name: "audit verify", summary: "verify the access-log hash chains", run: runAuditVerify,
		example: "trygg audit verify --tenant malmo"},
	{name: "bench", summary: "load-test the whole server over HTTP on an empty database (docs/benchmarks.md)", run: runBench, noEnv: true,
		example: "trygg bench --persons 5000 --history=false --workloads inbox,case-view --duration 5s --out bench.md"},
	{name: "analytics rebuild", summary: "drop the analysis store and project the whole event log into it again (docs/analytics.md)", run: runAnalyticsRebuild,
		example: "TRYGG_ANALYTICS_KEY_FILE=/run/secrets/analytics trygg analytics rebuild --data ./data"},
	{name: "archive deliver", summary: "deliver closed cases older than N years to the archive as E-ARK packages, without purging (docs/archive.md)", run: runArchiveDeliver,
		example: "trygg archive deliver --as arkivarie --older-than 10y --out /srv/arkiv"},
	{name: "retention preview", summary: "work out what a retention run (gallring) purges, delivers to the archive and keeps today, as a preview to approve (docs/retention.md)", run: runRetentionPreview,
		example: "trygg retention preview --as arkivarie"},
	{name: "retention approve", summary: "approve a retention preview for running (an archivist)", args: "PREVIEW", run: runRetentionApprove,
		example: "trygg retention approve --as arkivarie 3f6c…"},
	{name: "retention run", summary: "run an approved retention preview exactly, or refuse if anything changed; prunes the access log with the retention key", args: "PREVIEW", run: runRetentionRun,
		example: "TRYGG_RETENTION_KEY_FILE=/run/secrets/retention trygg retention run --as arkivarie 3f6c…"},
	{name: "retention protocol", summary: "list the retention protocol (gallringsprotokoll), or one preview's cases with what was done", args: "[PREVIEW]", run: runRetentionProtocol,
		example: "trygg retention protocol --as arkivarie"},
	{name: "retention reapply", summary: "after restoring a backup, purge again what the replaced database's protocol purged after the backup (docs/backups.md)", run: runRetentionReapply,
		example: "trygg retention reapply --as arkivarie --data /var/lib/trygg --from /var/lib/trygg/broken/trygg.db"},
	{name: "backup", summary: "copy a running SQLite database, checked (PostgreSQL: pg_dump)", run: runBackup,
		example: "trygg backup --data ./data --out /backup/trygg-2026-05-01.db"},
	{name: "definitions validate", summary: "check process definitions (file:line:column problems)", args: "DIR", run: runDefinitionsValidate,
		example: "trygg definitions validate packs"},
	{name: "definitions publish", summary: "publish a folder of definitions as a new version", args: "DIR", run: runDefinitionsPublish,
		example: "trygg definitions publish --author designer --tenant malmo ./definitions"},
	{name: "definitions export", summary: "write a published version (files and checksum) as JSON", run: runDefinitionsExport,
		example: "trygg definitions export --version 3 > export.json"},
	{name: "definitions import", summary: "publish an exported version here, checksum checked", args: "FILE", run: runDefinitionsImport,
		example: "trygg definitions import --author designer export.json"},
	{name: "legacy export", summary: "write a synthetic export of one district of the old system, with the dirt real exports have, to try the import on (docs/migration.md)", run: runLegacyExport, noEnv: true,
		example: "trygg legacy export --synthetic --district S --persons 100000 --notes-per-person 10 --out ./export-sodra"},
	{name: "legacy import", summary: "dry-run (--dry-run) or import a district's legacy export with a published mapping, in batches that resume where they stopped (docs/migration.md)", run: runLegacyImport,
		example: "trygg legacy import --as admin --dir ./export-sodra --mapping socialregistret --dry-run --report dry-run.csv"},
	{name: "legacy mark", summary: "import a district's persons only and mark them as having records in the old system, for the districts already in trygg to see", run: runLegacyMark,
		example: "trygg legacy mark --as admin --dir ./export-ostra --mapping socialregistret"},
	{name: "legacy reconcile", summary: "compare a district's export with what trygg has of it, every difference explained or not", run: runLegacyReconcile,
		example: "trygg legacy reconcile --as admin --dir ./export-sodra --report reconciliation.csv"},
	{name: "registry changes", summary: "show where each tenant is in the population registry's change feed and the last changes handled (docs/integrations.md)", run: runRegistryChanges,
		example: "trygg registry changes --data ./data --last 50"},
}

// usage is trygg -h: every command, one line each.
func usage() string {
	var b strings.Builder
	b.WriteString("trygg — social services case platform\n\nUsage: trygg COMMAND [flags]\n\nCommands:\n")
	listCommands(&b, "")
	b.WriteString(`
'trygg COMMAND -h' prints a command's flags and an example.
--db takes a SQLite file path or a postgres:// URL; the default is data/trygg.db.
Every flag can also be set as TRYGG_<FLAG> (for example TRYGG_DB), except bench's; secrets also as TRYGG_<NAME>_FILE.
`)
	return b.String()
}

// listCommands writes a line for each command whose name starts with
// prefix: its name and summary.
func listCommands(w io.Writer, prefix string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands {
		if strings.HasPrefix(c.name, prefix) {
			fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
		}
	}
	tw.Flush()
}

// run is the testable main: it finds the subcommand args name and runs it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return usageError{"no command given"}
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage())
		return nil
	}
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			err := c.run(ctx, c.flagSet(stdout), args[len(words):], getenv, stdout, stderr)
			if errors.Is(err, errHelp) {
				return nil
			}
			return err
		}
	}
	// A group of commands (trygg definitions, trygg audit) without one of
	// its commands.
	var names []string
	for _, c := range commands {
		if group, name, ok := strings.Cut(c.name, " "); ok && group == args[0] {
			names = append(names, name)
		}
	}
	if len(names) > 0 {
		switch {
		case len(args) == 1:
			return usageError{fmt.Sprintf("usage: trygg %s %s …", args[0], strings.Join(names, "|"))}
		case args[1] == "-h" || args[1] == "--help" || args[1] == "help":
			fmt.Fprintf(stdout, "Usage: trygg %s COMMAND [flags]\n\nCommands:\n", args[0])
			listCommands(stdout, args[0]+" ")
			fmt.Fprintf(stdout, "\n'trygg %s COMMAND -h' prints a command's flags and an example.\n", args[0])
			return nil
		}
		use := names[len(names)-1]
		if len(names) > 1 {
			use = strings.Join(names[:len(names)-1], ", ") + " or " + use
		}
		return usageError{fmt.Sprintf("unknown %s command %q: use %s", args[0], args[1], use)}
	}
	fmt.Fprint(stderr, usage())
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}
