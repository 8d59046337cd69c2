package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/packs"
)

var previewID = regexp.MustCompile(`preview ([0-9a-f-]{36}) `)

// retentionData writes, into a new data folder, the demo municipality
// with its past as it was six years ago, so its closed cases are due for
// retention today.
func retentionData(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	clock := storetest.NewClock(time.Now().UTC().AddDate(-6, 0, -10))
	db, err := store.Open(ctx, filepath.Join(dir, "trygg.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := storetest.Service(t, db, nil)
	ds := demo.Generate(demo.Options{Persons: 40, Staff: 20, Today: clock.Now()})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	if _, err := svc.LoadDemo(ctx, ds); err != nil {
		t.Fatal(err)
	}
	walks, err := demo.Walks()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.LoadDemoHistory(ctx, ds, walks, demo.HistoryOptions{Weeks: 4, PerWeek: 1, Today: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// liveCases counts the cases of the database in dir not purged.
func liveCases(t *testing.T, dir string) int {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "trygg.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cs, err := db.RetentionCases(context.Background(), demo.TenantID, "")
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}

// TestRetentionCommands runs a retention from the command line, as the
// demo's archivist: preview, a run refused before approval, approve, run
// with the key from TRYGG_RETENTION_KEY_FILE, the protocol; audit verify
// says plainly that it cannot check the checkpoint without the key and
// verifies with it. Then the backup drill of docs/backups.md: a backup
// taken before the run is restored, and retention reapply purges again
// the cases the run purged, from the replaced database's protocol, which
// it puts back; a second reapply finds them purged.
func TestRetentionCommands(t *testing.T) {
	dir := retentionData(t)
	keyFile := filepath.Join(t.TempDir(), "retention.key")
	if err := os.WriteFile(keyFile, []byte("a retention key for the test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	withKey := map[string]string{"TRYGG_RETENTION_KEY_FILE": keyFile}
	as := []string{"--data", dir, "--as", "arkivarie"}
	cmd := func(env map[string]string, args ...string) (string, error) {
		t.Helper()
		out, _, err := runCmd(t, env, args...)
		return out, err
	}
	for _, c := range []string{"preview", "approve", "run", "protocol", "reapply"} {
		out, err := cmd(nil, "retention", c, "-h")
		if err != nil || !strings.Contains(out, "-as") || !strings.Contains(out, "trygg retention "+c) {
			t.Errorf("retention %s -h: %v\n%s", c, err, out)
		}
	}
	if _, err := cmd(nil, "retention", "preview", "--data", dir, "--as", "handlaggare"); err == nil ||
		!strings.Contains(err.Error(), "Only an archivist") {
		t.Errorf("an officer's preview: %v", err)
	}

	before := liveCases(t, dir)
	backup := filepath.Join(t.TempDir(), "before.db")
	if out, err := cmd(nil, "backup", "--data", dir, "--out", backup); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}

	out, err := cmd(nil, append([]string{"retention", "preview"}, as...)...)
	m := previewID.FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("preview: %v\n%s", err, out)
	}
	id := m[1]
	for _, want := range []string{"personakt", "purge", "next: trygg retention approve", "no retention key is set"} {
		if !strings.Contains(out, want) {
			t.Errorf("preview lacks %q:\n%s", want, out)
		}
	}
	if _, err := cmd(withKey, append([]string{"retention", "run"}, append(as, id)...)...); err == nil || !strings.Contains(err.Error(), "not approved") {
		t.Errorf("a run before approval: %v", err)
	}
	if out, err := cmd(nil, append([]string{"retention", "approve"}, append(as, id)...)...); err != nil || !strings.Contains(out, "approved by arkivarie") {
		t.Fatalf("approve: %v\n%s", err, out)
	}
	out, err = cmd(withKey, append([]string{"retention", "run"}, append(as, id)...)...)
	if err != nil || !strings.Contains(out, "run "+id+" done") || strings.Contains(out, "not pruned") {
		t.Fatalf("run: %v\n%s", err, out)
	}
	purged := before - liveCases(t, dir)
	if purged == 0 {
		t.Fatal("the run purged nothing")
	}
	if _, err := cmd(withKey, append([]string{"retention", "run"}, append(as, id)...)...); err == nil || !strings.Contains(err.Error(), "already been run") {
		t.Errorf("a second run: %v", err)
	}
	out, err = cmd(nil, append([]string{"retention", "protocol"}, as...)...)
	if err != nil || !strings.Contains(out, id) || !strings.Contains(out, "done") {
		t.Errorf("protocol: %v\n%s", err, out)
	}
	out, err = cmd(nil, append([]string{"retention", "protocol"}, append(as, id)...)...)
	if err != nil || !strings.Contains(out, "approved by ") || strings.Count(out, "personakt") < purged {
		t.Errorf("the run's protocol: %v\n%s", err, out)
	}

	// audit verify: without the key it says it cannot check; with it, it does.
	out, err = cmd(nil, "audit", "verify", "--data", dir)
	if err == nil || !strings.Contains(out, "no retention key is set") || !strings.Contains(out, "cannot be checked") {
		t.Errorf("audit verify without the key: %v\n%s", err, out)
	}
	if out, err := cmd(withKey, "audit", "verify", "--data", dir); err != nil || !strings.Contains(out, "chain verified") {
		t.Errorf("audit verify with the key: %v\n%s", err, out)
	}

	// The backup drill: restore the backup from before the run, reapply.
	broken := filepath.Join(dir, "broken")
	if err := os.Mkdir(broken, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"trygg.db", "trygg.db-wal", "trygg.db-shm"} {
		if err := os.Rename(filepath.Join(dir, f), filepath.Join(broken, f)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "trygg.db"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if n := liveCases(t, dir); n != before {
		t.Fatalf("the restored backup has %d live cases, want %d", n, before)
	}
	reapply := append([]string{"retention", "reapply"}, append(as, "--from", filepath.Join(broken, "trygg.db"))...)
	out, err = cmd(nil, reapply...)
	if err != nil || !strings.Contains(out, "1 preview(s) put back in the protocol") {
		t.Fatalf("reapply: %v\n%s", err, out)
	}
	if n := before - liveCases(t, dir); n != purged {
		t.Errorf("after reapply %d cases are purged, the run purged %d", n, purged)
	}
	out, err = cmd(nil, append([]string{"retention", "protocol"}, as...)...)
	if err != nil || !strings.Contains(out, id) {
		t.Errorf("the restored protocol lacks the run: %v\n%s", err, out)
	}
	out, err = cmd(nil, reapply...)
	if err != nil || !strings.Contains(out, "0 preview(s) put back in the protocol; 0 case(s) purged again") {
		t.Errorf("a second reapply: %v\n%s", err, out)
	}
	if _, err := cmd(nil, append([]string{"retention", "reapply"}, as...)...); err == nil || !strings.Contains(err.Error(), "--from") {
		t.Errorf("reapply without --from: %v", err)
	}
}
