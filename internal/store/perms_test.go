//go:build unix

package store_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/trygg/trygg/internal/store"
)

// TestFilePermissions opens a fresh SQLite store, writes to it and backs it
// up with the umask cleared, and checks that the database, its WAL and
// shared-memory files, the backup, and a data folder the store made are
// readable by their owner only: they hold personal data.
func TestFilePermissions(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })

	tests := []struct {
		name   string
		folder func(t *testing.T) string // the data folder; made by the store when missing
		made   bool                      // the store made the folder
	}{
		{name: "existing folder", folder: func(t *testing.T) string { return t.TempDir() }},
		{name: "missing folder", folder: func(t *testing.T) string { return filepath.Join(t.TempDir(), "data", "inner") }, made: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.folder(t)
			path := filepath.Join(dir, "trygg.db")
			db, err := store.Open(t.Context(), path, nil)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer db.Close()
			wantMode(t, path, 0o600)
			if tt.made {
				wantMode(t, dir, 0o700|os.ModeDir)
			}
			// The first write makes the WAL and its index.
			if _, err := db.Migrate(t.Context()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			seedTenant(t, db, "north", "Nora")
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				wantMode(t, f, 0o600)
			}
			if _, err := os.Stat(path + "-journal"); err == nil {
				wantMode(t, path+"-journal", 0o600)
			}

			out := filepath.Join(t.TempDir(), "backup.db")
			if _, err := db.BackupTo(t.Context(), out); err != nil {
				t.Fatalf("backup: %v", err)
			}
			wantMode(t, out, 0o600)
		})
	}
}

// wantMode checks the permission bits (and whether it is a folder) of path.
func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("%s: %v", filepath.Base(path), err)
		return
	}
	if got := fi.Mode() & (os.ModePerm | os.ModeDir); got != want {
		t.Errorf("%s has mode %v, want %v", filepath.Base(path), got, want)
	}
}
