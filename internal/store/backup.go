package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// ErrPostgresBackup is returned by BackupTo on a PostgreSQL database, which
// is backed up with PostgreSQL's own tools.
var ErrPostgresBackup = errors.New("trygg backup copies SQLite databases only; back up PostgreSQL with pg_dump --format=custom and restore with pg_restore (see docs/backups.md)")

// BackupInfo describes a verified backup file. It holds no personal data:
// the file's place and size, its schema version and row counts.
type BackupInfo struct {
	Path          string
	Size          int64 // bytes
	SchemaVersion int
	Tenants       int64
	Persons       int64
	Cases         int64
	Events        int64
	AccessLog     int64 // access-log entries
}

// BackupTo writes a consistent copy of a SQLite database to path while
// others keep writing (VACUUM INTO reads one snapshot), then checks the
// copy with VerifyBackup and returns what it found. The copy is written to
// a temporary file in path's folder, synced, verified, and only then given
// its name, so path exists only as a whole, checked backup. It refuses
// PostgreSQL (ErrPostgresBackup), a database without trygg's schema, and a
// path that exists: a backup never overwrites. On failure nothing is left
// behind.
func (db *DB) BackupTo(ctx context.Context, path string) (BackupInfo, error) {
	if db.dialect.name() != "sqlite" {
		return BackupInfo{}, ErrPostgresBackup
	}
	if path == "" {
		return BackupInfo{}, errors.New("store: backup: no file name given")
	}
	if _, err := os.Lstat(path); err == nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %s already exists; a backup never overwrites a file, choose a new name", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	var version int
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil || version == 0 {
		return BackupInfo{}, fmt.Errorf("store: backup: the database has no trygg schema (run trygg migrate first?): %v", errOrNone(err))
	}

	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: the folder for the backup: %w", err)
	} else if !fi.IsDir() {
		return BackupInfo{}, fmt.Errorf("store: backup: %s is not a folder", dir)
	}
	// VACUUM INTO accepts an existing empty file, so CreateTemp reserves a
	// fresh name with owner-only permissions.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpName)
		}
	}()

	if err := db.vacuumInto(ctx, tmpName); err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: vacuum into %s: %w", tmpName, err)
	}
	if err := syncFile(tmpName); err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	info, err := VerifyBackup(ctx, tmpName)
	if err != nil {
		return BackupInfo{}, err
	}
	if info.SchemaVersion != version {
		return BackupInfo{}, fmt.Errorf("store: backup: the copy has schema version %d, the database %d", info.SchemaVersion, version)
	}
	if err := linkNew(tmpName, path); err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	done = true
	if err := syncFile(dir); err != nil {
		return BackupInfo{}, fmt.Errorf("store: backup: sync folder %s: %w", dir, err)
	}
	info.Path = path
	return info, nil
}

// vacuumInto runs VACUUM INTO on a reader connection: the copy is made in
// one read transaction, so the writer (this process's or a server's in
// another) goes on meanwhile. Readers are query_only, which also forbids
// writing the new file; the connection is lifted out of that for the copy
// and discarded if it cannot be put back.
func (db *DB) vacuumInto(ctx context.Context, path string) (err error) {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	db.statements.Add(3)
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		return err
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA query_only = 1`); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, rerr)
		}
	}()
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

// VerifyBackup opens the SQLite file at path read-only, runs PRAGMA
// integrity_check and reads its schema version and row counts. It returns
// an error if the file is missing, is not a sound SQLite database, or has
// no trygg schema or one newer than this program knows.
func VerifyBackup(ctx context.Context, path string) (BackupInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: verify backup: %w", err)
	}
	info := BackupInfo{Path: path, Size: fi.Size()}
	// immutable: nobody writes the copy, so SQLite neither locks it nor
	// creates -wal or -shm files beside it.
	abs, err := filepath.Abs(path)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: verify backup: %w", err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: "mode=ro&immutable=1"}
	conn, err := sql.Open("sqlite", u.String())
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: verify backup: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)

	rows, err := conn.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: verify backup %s: integrity check: %w", path, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return BackupInfo{}, fmt.Errorf("store: verify backup %s: integrity check: %w", path, err)
		}
		for _, line := range strings.Split(s, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				problems = append(problems, line)
			}
		}
	}
	if err := rows.Close(); err != nil {
		return BackupInfo{}, fmt.Errorf("store: verify backup %s: integrity check: %w", path, err)
	}
	if err := rows.Err(); err != nil {
		return BackupInfo{}, fmt.Errorf("store: verify backup %s: integrity check: %w", path, err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		if len(problems) > 5 {
			problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
		}
		return BackupInfo{}, fmt.Errorf("store: verify backup %s: integrity check failed: %s", path, strings.Join(problems, "; "))
	}

	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&info.SchemaVersion); err != nil {
		return BackupInfo{}, fmt.Errorf("store: verify backup %s: no trygg schema: %w", path, err)
	}
	if latest := LatestVersion(); info.SchemaVersion == 0 || info.SchemaVersion > latest {
		return BackupInfo{}, fmt.Errorf("store: verify backup %s: schema version %d, want 1 to %d", path, info.SchemaVersion, latest)
	}
	for _, c := range []struct {
		table string
		n     *int64
	}{
		{"tenants", &info.Tenants},
		{"persons", &info.Persons},
		{"cases", &info.Cases},
		{"events", &info.Events},
		{"access_log", &info.AccessLog},
	} {
		if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+c.table).Scan(c.n); err != nil {
			return BackupInfo{}, fmt.Errorf("store: verify backup %s: count %s: %w", path, c.table, err)
		}
	}
	return info, nil
}

// syncFile flushes a file or folder to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}

// linkNew gives the file at tmp the name path, failing if path exists,
// and removes the name tmp. A hard link cannot replace an existing file;
// where hard links are not supported it checks and renames.
func linkNew(tmp, path string) error {
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		return os.Remove(tmp)
	case errors.Is(err, os.ErrExist):
		return fmt.Errorf("%s already exists; a backup never overwrites a file, choose a new name", path)
	}
	if _, serr := os.Lstat(path); serr == nil {
		return fmt.Errorf("%s already exists; a backup never overwrites a file, choose a new name", path)
	}
	return os.Rename(tmp, path)
}

func errOrNone(err error) string {
	if err == nil {
		return "no migrations recorded"
	}
	return err.Error()
}
