package store_test

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// TestBackupTo copies a SQLite database while access-log entries are being
// appended, and checks that the copy holds everything committed before the
// backup began, verifies, and opens as a working store.
func TestBackupTo(t *testing.T) {
	r := openRaw(t, "sqlite", true)
	ctx := t.Context()
	seedTenant(t, r.DB, "north", "Nora")
	seedTenant(t, r.DB, "south", "Sune")

	// A writer appends one entry per commit until told to stop.
	var committed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	start := time.Now()
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := r.AppendAccessLog(context.Background(), []audit.Entry{{Tenant: "north", ActorID: "u-1",
				Action: string(access.ReadPerson), PersonID: "p-1", Ground: string(access.RelAssigned), Reason: fmt.Sprintf("during backup %d", i)}})
			if err != nil {
				writeErr = err
				return
			}
			committed.Add(1)
		}
	})
	for committed.Load() < 20 && time.Since(start) < 10*time.Second {
		time.Sleep(time.Millisecond)
	}
	before := r.queryInt(t, `SELECT COUNT(*) FROM access_log`)
	dir := t.TempDir()
	path := filepath.Join(dir, "trygg-backup.db")
	info, err := r.BackupTo(ctx, path)
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writing during the backup: %v", writeErr)
	}
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if info.AccessLog < before {
		t.Errorf("the backup holds %d access-log entries; %d were committed before it began", info.AccessLog, before)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	want := store.BackupInfo{Path: path, Size: fi.Size(), SchemaVersion: store.LatestVersion(), Tenants: 2, Persons: 2, Cases: 2,
		Events: r.queryInt(t, `SELECT COUNT(*) FROM events`), AccessLog: info.AccessLog}
	if info != want {
		t.Errorf("backup info %+v, want %+v", info, want)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("the backup is readable by others: %v", fi.Mode())
	}
	// Only the backup is left in the folder: no temporary file.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the backup folder holds %v, want only the backup", names)
	}
	if again, err := store.VerifyBackup(ctx, path); err != nil || again != info {
		t.Errorf("VerifyBackup: %+v, %v; want %+v", again, err, info)
	}

	// The copy is a working database whose chains verify.
	copyDB, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if applied, err := copyDB.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Errorf("migrate on the copy: applied %v, %v; want nothing", applied, err)
	}
	for _, tenant := range []trygg.TenantID{"north", "south"} {
		rep, err := copyDB.VerifyAccessLog(ctx, tenant)
		if err != nil || !rep.OK() {
			t.Errorf("the copy's access log of %s: %v %v", tenant, rep, err)
		}
	}
}

// TestBackupRefusals checks what BackupTo refuses, and that a refusal
// leaves an existing file as it was and no temporary file behind.
func TestBackupRefusals(t *testing.T) {
	ctx := t.Context()
	tests := []struct {
		name    string
		engine  string
		migrate bool
		target  func(t *testing.T, dir string) string
		want    string // part of the error
		is      error  // the error it must be, if any
	}{
		{name: "an existing file", engine: "sqlite", migrate: true, want: "already exists",
			target: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "yesterday.db")
				if err := os.WriteFile(p, []byte("yesterday's backup"), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}},
		{name: "an existing empty file", engine: "sqlite", migrate: true, want: "already exists",
			target: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "empty.db")
				if err := os.WriteFile(p, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}},
		{name: "a missing folder", engine: "sqlite", migrate: true, want: "no such file",
			target: func(t *testing.T, dir string) string { return filepath.Join(dir, "missing", "backup.db") }},
		{name: "a database without schema", engine: "sqlite", migrate: false, want: "no trygg schema",
			target: func(t *testing.T, dir string) string { return filepath.Join(dir, "backup.db") }},
		{name: "PostgreSQL", engine: "postgres", migrate: true, want: "pg_dump", is: store.ErrPostgresBackup,
			target: func(t *testing.T, dir string) string { return filepath.Join(dir, "backup.db") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := openRaw(t, tc.engine, tc.migrate)
			dir := t.TempDir()
			target := tc.target(t, dir)
			before := snapshotDir(t, dir)
			info, err := r.BackupTo(ctx, target)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("backup to %s: %+v, %v; want an error saying %q", target, info, err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v, want %v", err, tc.is)
			}
			if after := snapshotDir(t, dir); !slices.Equal(before, after) {
				t.Errorf("the folder changed from %q to %q", before, after)
			}
		})
	}
}

// snapshotDir lists each file in dir with its content.
func snapshotDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out = append(out, e.Name()+"="+string(b))
	}
	return out
}

// TestVerifyBackup checks that VerifyBackup refuses what is not a sound,
// known trygg database.
func TestVerifyBackup(t *testing.T) {
	ctx := t.Context()
	r := openRaw(t, "sqlite", true)
	seedTenant(t, r.DB, "north", "Nora")
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	if _, err := r.BackupTo(ctx, good); err != nil {
		t.Fatal(err)
	}
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// An index that has lost its entries opens and reads fine; only
	// integrity_check finds it. Set the cell count of the persons
	// table's first index (a single leaf page here) to zero.
	goodDB, err := sql.Open("sqlite", "file:"+good+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var root int
	err = goodDB.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'persons' ORDER BY name LIMIT 1`).Scan(&root)
	goodDB.Close()
	if err != nil {
		t.Fatal(err)
	}
	pageSize := int(binary.BigEndian.Uint16(goodBytes[16:18]))
	damaged := slices.Clone(goodBytes)
	hdr := (root - 1) * pageSize
	if damaged[hdr] != 0x0a {
		t.Fatalf("page %d is of type %#x, want an index leaf (0x0a)", root, damaged[hdr])
	}
	damaged[hdr+3], damaged[hdr+4] = 0, 0
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	newer := filepath.Join(dir, "newer.db")
	if _, err := r.BackupTo(ctx, newer); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future.sql', 0)`, store.LatestVersion()+1); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	tests := []struct {
		name string
		path string
		want string
	}{
		{"a missing file", filepath.Join(dir, "missing.db"), "no such file"},
		{"not a database", write("text.db", []byte(strings.Repeat("not a database\n", 500))), "not a database"},
		{"an empty file", write("empty.db", nil), "no trygg schema"},
		{"a truncated copy", write("truncated.db", goodBytes[:len(goodBytes)/2]), "malformed"},
		{"a damaged page", write("damaged.db", damaged), "integrity check failed"},
		{"a newer schema", newer, fmt.Sprintf("schema version %d", store.LatestVersion()+1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := store.VerifyBackup(ctx, tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%+v, %v; want an error saying %q", info, err, tc.want)
			}
		})
	}
}
