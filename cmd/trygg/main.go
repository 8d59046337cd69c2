// Command trygg is the whole platform in one binary: the server and the
// operator's commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "trygg:", err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "trygg:", err)
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `trygg — social services case platform

Usage:
  trygg serve   [--demo] [--addr 127.0.0.1:8080] [--data ./data] [--db DSN]   run the server
  trygg migrate [--data ./data] [--db DSN]                                    apply schema migrations
  trygg init    --tenant ID --name NAME --code NNNN --admin USERNAME          create a tenant and its first administrator
  trygg demo    [--persons 2000] [--staff 200] [--data ./data] [--db DSN]     load the synthetic demo municipality
  trygg audit verify [--tenant ID] [--data ./data] [--db DSN]               verify the access-log hash chains
  trygg bench   [--persons 100000] [--duration 10s] [--vus 32] [--workloads LIST] [--soak] [--db DSN] [--out FILE]
                                                                            load-test on an empty database (see docs/benchmarks.md)
  trygg backup  --out FILE [--data ./data] [--db FILE]                        copy a running SQLite database, checked (PostgreSQL: pg_dump)
  trygg definitions validate DIR                                            check process definitions (file:line:column problems)
  trygg definitions publish --author USERNAME [--tenant ID] DIR             publish them as a new version
  trygg definitions export [--version N] [--tenant ID]                      write a published version (files and checksum) as JSON
  trygg definitions import --author USERNAME [--tenant ID] FILE             publish an exported version here, checksum checked

--db takes a SQLite file path or a postgres:// URL; the default is data/trygg.db.
Every flag can also be set as TRYGG_<FLAG> (for example TRYGG_DB); secrets also as TRYGG_<NAME>_FILE.
`

// run is the testable main: it dispatches to a subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "init":
		return runInit(ctx, args[1:], getenv, stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], getenv, stdout, stderr)
	case "definitions":
		return runDefinitions(ctx, args[1:], getenv, stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], getenv, stdout, stderr)
	case "audit":
		if len(args) < 2 || args[1] != "verify" {
			return usageError{"usage: trygg audit verify [--tenant ID]"}
		}
		return runAuditVerify(ctx, args[2:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}
