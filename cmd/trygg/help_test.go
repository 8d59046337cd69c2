package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

// TestHelp runs every subcommand with -h and with --help through run():
// exit status 0, nothing on standard error, and on standard output what
// it does, every flag of its flag set and an example of it.
func TestHelp(t *testing.T) {
	for _, c := range commands {
		// The flag set the command registers, built as run builds it.
		fs := c.flagSet(io.Discard)
		if err := c.run(context.Background(), fs, []string{"-h"}, envOf(nil), io.Discard, io.Discard); !errors.Is(err, errHelp) {
			t.Errorf("%s -h: %v, want the help", c.name, err)
		}
		for _, h := range []string{"-h", "--help"} {
			t.Run(c.name+" "+h, func(t *testing.T) {
				args := append(strings.Fields(c.name), h)
				var stdout, stderr bytes.Buffer
				err := run(context.Background(), args, envOf(nil), &stdout, &stderr)
				if code := exitCode(err); code != 0 {
					t.Errorf("trygg %s: exit status %d (%v), want 0", strings.Join(args, " "), code, err)
				}
				if stderr.Len() > 0 {
					t.Errorf("trygg %s wrote to standard error:\n%s", strings.Join(args, " "), stderr.String())
				}
				out := stdout.String()
				if !strings.HasPrefix(out, "trygg "+c.name+": "+c.summary+"\n") {
					t.Errorf("help does not start with what %s does:\n%s", c.name, out)
				}
				fs.VisitAll(func(f *flag.Flag) {
					if !strings.Contains(out, "\n  --"+f.Name+" ") && !strings.Contains(out, "\n  --"+f.Name+"\n") {
						t.Errorf("help of %s lacks --%s:\n%s", c.name, f.Name, out)
					}
				})
				if _, example, ok := strings.Cut(out, "\nExample:\n  "); !ok || !strings.Contains(example, "trygg "+c.name+" ") {
					t.Errorf("help of %s has no example of it:\n%s", c.name, out)
				}
			})
		}
	}
	// trygg -h and the groups' -h list their commands, one line each.
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"definitions", "-h"}, {"audit", "--help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), args, envOf(nil), &stdout, &stderr)
			if code := exitCode(err); code != 0 || stderr.Len() > 0 {
				t.Errorf("trygg %s: exit status %d (%v), standard error %q", strings.Join(args, " "), code, err, stderr.String())
			}
			lines := strings.Split(stdout.String(), "\n")
			for _, c := range commands {
				if len(args) > 1 && !strings.HasPrefix(c.name, args[0]+" ") {
					continue
				}
				n := 0
				for _, l := range lines {
					if strings.HasPrefix(l, "  "+c.name+"  ") && strings.HasSuffix(l, "  "+c.summary) {
						n++
					}
				}
				if n != 1 {
					t.Errorf("trygg %s lists %s on %d lines, want one:\n%s", strings.Join(args, " "), c.name, n, stdout.String())
				}
			}
		})
	}
}

// TestUsageErrors checks that a command that is missing or unknown, or a
// flag that is, is a usage error (exit status 2) saying so.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"definitions"}, "usage: trygg definitions validate|publish|export|import …"},
		{[]string{"definitions", "frobnicate"}, `unknown definitions command "frobnicate": use validate, publish, export or import`},
		{[]string{"audit"}, "usage: trygg audit verify …"},
		{[]string{"audit", "check"}, `unknown audit command "check": use verify`},
		{[]string{"bench", "--frobnicate"}, "flag provided but not defined: -frobnicate"},
		{[]string{"migrate", "extra"}, `unexpected argument "extra"`},
		{[]string{"definitions", "validate"}, "usage: trygg definitions validate DIR"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tc.args, envOf(nil), &stdout, &stderr)
			if code := exitCode(err); code != 2 || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("trygg %s: exit status %d (%v), want 2 and %q", strings.Join(tc.args, " "), code, err, tc.want)
			}
			if stdout.Len() > 0 {
				t.Errorf("trygg %s wrote to standard output:\n%s", strings.Join(tc.args, " "), stdout.String())
			}
		})
	}
}
