package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one embedded SQL migration: its number, file name and
// statements' source.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ReadMigrations reads the numbered migrations (NNNN_name.sql) in fsys's
// folder dir, oldest first; what names a file wrongly is an error. The
// analysis store reads its own through it too.
func ReadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %q must start with a number and '_'", e.Name())
		}
		b, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

func migrations() ([]Migration, error) {
	ms, err := ReadMigrations(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return ms, nil
}

// LatestVersion is the newest schema version this binary knows.
func LatestVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// migrationLock is the PostgreSQL advisory lock key held while the schema
// changes.
const migrationLock = 74797967

// SchemaVersion returns the version the database is at (0 if new).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	// Under the migration lock: two PostgreSQL servers starting at once
	// would otherwise race in CREATE TABLE IF NOT EXISTS, and one would fail
	// with a unique violation in the catalog.
	err := db.Update(ctx, func(tx *Tx) error {
		if db.dialect.name() == "postgres" {
			if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(`+strconv.Itoa(migrationLock)+`)`); err != nil {
				return err
			}
		}
		_, err := tx.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: schema table: %w", err)
	}
	var v int
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}

// Migrate applies the migrations the database lacks, each in its own
// transaction, and returns the versions it applied. It refuses a database
// whose schema is newer than this binary knows. On PostgreSQL an advisory
// lock keeps two servers from migrating at once.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	current, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	latest := ms[len(ms)-1].Version
	if current > latest {
		return nil, fmt.Errorf("store: the database schema is version %d but this program knows only up to %d; use a newer trygg", current, latest)
	}
	var applied []int
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		err := db.Update(ctx, func(tx *Tx) error {
			if db.dialect.name() == "postgres" {
				if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(`+strconv.Itoa(migrationLock)+`)`); err != nil {
					return err
				}
			}
			var done int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&done); err != nil {
				return err
			}
			if done > 0 { // another server applied it meanwhile
				return nil
			}
			for _, stmt := range SplitStatements(ForEngine(m.SQL, db.dialect.name())) {
				if _, err := tx.exec(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", m.Name, err)
				}
			}
			_, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.Version, m.Name, micros(tx.Now))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("store: migrate: %w", err)
		}
		applied = append(applied, m.Version)
	}
	// On Citus, tables the migrations added are distributed by tenant
	// (citus.go).
	if err := db.distribute(ctx); err != nil {
		return applied, fmt.Errorf("store: citus: %w", err)
	}
	return applied, nil
}

// ForEngine returns the part of a migration's source that engine
// ("sqlite" or "postgres") runs: a line "-- engine: postgres" (or sqlite)
// starts lines only that engine runs, "-- engine: all" ends them. The
// few things the engines do differently (PostgreSQL's extensions and
// index methods, SQLite's virtual tables and triggers) are written so.
func ForEngine(src, engine string) string {
	var out strings.Builder
	keep := true
	for _, line := range strings.SplitAfter(src, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-- engine:"); ok {
			e := strings.TrimSpace(rest)
			keep = e == "all" || e == engine
			continue
		}
		if keep {
			out.WriteString(line)
		}
	}
	return out.String()
}

// SplitStatements splits a migration on semicolons that end a line, after
// dropping "--" comment lines.
func SplitStatements(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// Optimize refreshes the query planner's statistics where the engine does
// not do it by itself: SQLite's PRAGMA optimize (PostgreSQL's autovacuum
// analyzes on its own). Serve calls it at start.
//
// SQLite keeps the per-index row counts (sqlite_stat1) but not the sampled
// key values (sqlite_stat4): with samples, every statement whose WHERE
// binds an indexed column is planned again each time it runs (the plan
// may depend on the value), which cost more CPU than the reads themselves
// (docs/benchmarks.md). Every query here starts with tenant_id and an id,
// where the counts are what the planner needs.
func (db *DB) Optimize(ctx context.Context) error {
	if db.dialect.name() != "sqlite" {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA optimize=0x10002`); err != nil {
		return err
	}
	var stat4 int
	if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat4'`).Scan(&stat4); err != nil {
		return err
	}
	if stat4 > 0 {
		if _, err := db.write.ExecContext(ctx, `DELETE FROM sqlite_stat4`); err != nil {
			return err
		}
	}
	// Load the statistics again: on the writer now, on readers by opening
	// them anew (a connection reads them when it first reads the schema).
	if _, err := db.write.ExecContext(ctx, `ANALYZE sqlite_schema`); err != nil {
		return err
	}
	db.read.SetMaxIdleConns(0)
	db.read.SetMaxIdleConns(readers)
	return nil
}
