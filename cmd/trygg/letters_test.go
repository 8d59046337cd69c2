package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/mailbox"
	"github.com/trygg/trygg/internal/storetest"
)

// The letters sender runs with the file-backed digital post in the demo,
// whose adults under 80 get mailboxes in a file only trygg's user reads;
// without --demo only when a mailbox file and the sender id are given.
func TestLetterFlags(t *testing.T) {
	today := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	ds := demo.Generate(demo.Options{Persons: 30, Staff: 10, Today: today})
	tests := []struct {
		name    string
		args    []string
		demo    bool
		running bool
		err     string
	}{
		{"off without --demo", nil, false, false, ""},
		{"on with --demo", nil, true, true, ""},
		{"off with --demo", []string{"--mailbox-file", "off"}, true, false, ""},
		{"a file without the sender id", []string{"--mailbox-file", "x.json"}, false, false, "--mailbox-sender"},
		{"a file and the sender id", []string{"--mailbox-file", "x.json", "--mailbox-sender", "2120000001"}, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			args := tt.args
			for i, a := range args {
				if a == "x.json" {
					args[i] = filepath.Join(data, a)
				}
			}
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			var f letterFlags
			f.register(fs)
			if err := parseFlags(fs, args, func(string) string { return "" }); err != nil {
				t.Fatal(err)
			}
			svc := storetest.Service(t, storetest.Open(t, "sqlite", storetest.NewClock(today)), nil)
			ctx, cancel := context.WithCancel(context.Background())
			var set *demo.Dataset
			if tt.demo {
				set = ds
			}
			done, err := f.start(ctx, svc, data, tt.demo, set, slog.New(slog.DiscardHandler))
			cancel()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || (done != nil) != tt.running {
				t.Fatalf("running %v, %v; want running %v", done != nil, err, tt.running)
			}
			if done != nil {
				<-done
			}
			if !tt.demo || !tt.running {
				return
			}
			path := filepath.Join(data, "mailboxes.json")
			st, err := os.Stat(path)
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("the demo's mailboxes: %v %v", st, err)
			}
			mb, err := mailbox.LoadFile(path, filepath.Join(data, "mailbox"))
			if err != nil {
				t.Fatal(err)
			}
			with, without := 0, 0
			for _, p := range ds.Persons {
				age, _ := p.Identity.Age(time.Now())
				r, _ := mb.Reachable(context.Background(), "x", p.Identity.String())
				switch {
				case age < 18 || age >= 80:
					if r.Reachable {
						t.Errorf("a person of %d has a mailbox", age)
					}
				case r.Reachable:
					with++
				default:
					without++
				}
			}
			if with == 0 || without == 0 || without > with/3 {
				t.Errorf("the demo's adults: %d with a mailbox, %d without", with, without)
			}
		})
	}
}
