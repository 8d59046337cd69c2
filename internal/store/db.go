// Package store implements trygg's storage over database/sql for two
// engines: SQLite (the embedded default, pure-Go driver) and PostgreSQL.
// One implementation serves both; the few dialect differences live in
// dialect.go. Exported methods open a transaction and call small helpers
// that take a *Tx; every query filters on the tenant.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// DB is an open store. For SQLite it holds a single-connection writer pool
// and a reader pool; for PostgreSQL both are the same pool.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect dialect
	clock   trygg.Clock
	// replay, when not zero, is the moment (Unix microseconds) Now
	// returns instead of the clock's: set while a demo's history is
	// played, so its records carry the days they happened on.
	replay atomic.Int64

	statements atomic.Int64 // SQL statements sent, for benchmarks
	// trace, when set, is told every statement counted (TraceStatements).
	trace atomic.Pointer[func(query string)]

	// stmts caches prepared statements by query text (SQLite only: pgx
	// caches them itself). Parsing and planning took more of a read's CPU
	// than running it; see docs/benchmarks.md.
	stmts stmtCache

	// accessLogKey signs and checks the access log's retention
	// checkpoints (SetAccessLogKey, retention.go).
	accessLogKey []byte

	// citus caches IsCitus for the queries whose shape differs on Citus:
	// 0 not asked yet, 1 no, 2 yes.
	citus atomic.Int32
}

// ReplayAt makes Now return t until ReplayAt is called with the zero time.
// It is for loading a demo's history through the ordinary services, before
// the server takes requests; nothing else uses it.
func (db *DB) ReplayAt(t time.Time) {
	if t.IsZero() {
		db.replay.Store(0)
		return
	}
	db.replay.Store(t.UnixMicro())
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL
// for PostgreSQL, otherwise a SQLite file path (created if missing). It
// does not migrate; call Migrate. Returns an error if the database cannot be
// reached.
func Open(ctx context.Context, dsn string, clock trygg.Clock) (*DB, error) {
	if clock == nil {
		clock = trygg.SystemClock{}
	}
	db := &DB{clock: clock}
	var err error
	if IsPostgres(dsn) {
		db.dialect = postgres{}
		db.write, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.write.SetMaxOpenConns(32)
		db.write.SetMaxIdleConns(32)
		db.write.SetConnMaxIdleTime(5 * time.Minute)
		db.read = db.write
	} else {
		db.dialect = sqlite{}
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("store: create data folder: %w", err)
			}
		}
		if err := createPrivate(dsn); err != nil {
			return nil, fmt.Errorf("store: create database file: %w", err)
		}
		// synchronous=FULL: a commit is on disk before it returns, so an
		// acknowledged write survives a power cut too. Group commit of the
		// access log keeps the cost low.
		pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
		db.write, err = sql.Open("sqlite", "file:"+dsn+"?"+pragmas+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		db.write.SetMaxOpenConns(1)
		db.write.SetMaxIdleConns(1)
		db.write.SetConnMaxIdleTime(0)
		db.read, err = sql.Open("sqlite", "file:"+dsn+"?"+pragmas+"&_pragma=query_only(1)")
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		db.read.SetMaxOpenConns(readers)
		db.read.SetMaxIdleConns(readers)
		db.stmts.on.Store(true)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.write.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return db, nil
}

// createPrivate creates an empty SQLite file at path readable by its owner
// only, unless a file is there already, whose mode is the operator's. SQLite
// would create it 0644 (less the umask); it gives the WAL, its index and a
// rollback journal the database file's mode, so they are owner-only too.
// Returns the error from creating the file.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// readers is the size of SQLite's reader pool.
const readers = 8

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Engine returns "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.name() }

// Close closes both pools.
func (db *DB) Close() error {
	db.stmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers; used by /readyz.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Statements returns how many SQL statements the store has sent.
func (db *DB) Statements() int64 { return db.statements.Load() }

// TraceStatements calls fn with every statement the store sends from now
// on, BEGIN and COMMIT included, as Statements counts them; nil stops it.
// It is for tests that list the statements of a write.
func (db *DB) TraceStatements(fn func(query string)) {
	if fn == nil {
		db.trace.Store(nil)
		return
	}
	db.trace.Store(&fn)
}

// sent counts a statement and tells the trace, if any.
func (db *DB) sent(query string) {
	db.statements.Add(1)
	if fn := db.trace.Load(); fn != nil {
		(*fn)(query)
	}
}

// Now returns the store clock's time, truncated to microseconds as stored.
func (db *DB) Now() time.Time {
	if us := db.replay.Load(); us != 0 {
		return time.UnixMicro(us).UTC()
	}
	return db.clock.Now().UTC().Truncate(time.Microsecond)
}

// Tx is a write transaction. It fixes "now" once so every row it writes
// carries the same time.
type Tx struct {
	tx  *sql.Tx
	db  *DB
	Now time.Time
}

// Update runs fn in one write transaction and commits it if fn returns nil.
// The commit is durable when Update returns nil.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	db.sent("BEGIN")
	tx := &Tx{tx: sqlTx, db: db, Now: db.Now()}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	db.sent("COMMIT")
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	// The writer connection is free again: prepare what this transaction
	// ran for the first time, so the next ones reuse it.
	db.stmts.preparePending(ctx, db.write)
	return nil
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tx.db.sent(query)
	query = tx.db.dialect.rebind(query)
	if st := tx.db.stmts.forTx(query); st != nil {
		return tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, query, args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	tx.db.sent(query)
	query = tx.db.dialect.rebind(query)
	if st := tx.db.stmts.forTx(query); st != nil {
		return tx.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, query, args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	tx.db.sent(query)
	query = tx.db.dialect.rebind(query)
	if st := tx.db.stmts.forTx(query); st != nil {
		return tx.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, query, args...)
}

// query and queryRow on the DB use the reader pool.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	db.sent(query)
	query = db.dialect.rebind(query)
	if st := db.stmts.get(ctx, db.read, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, query, args...)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	db.sent(query)
	query = db.dialect.rebind(query)
	if st := db.stmts.get(ctx, db.read, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, query, args...)
}

// prefixed puts prefix before every column of a comma-separated list.
func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// limitSQL is a LIMIT clause with n written into the SQL. A bound LIMIT
// makes SQLite plan the statement again every time it runs (the planner
// reads the value), which costs more than most of these queries; n is
// always an int, so writing it in is safe.
func limitSQL(n int) string { return " LIMIT " + strconv.Itoa(n) }

// micros converts a time to the stored unix-microsecond form; zero stays 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros converts a stored time back; 0 is the zero time.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// notFound turns sql.ErrNoRows into a trygg not-found error.
func notFound(err error, what string) error {
	_ = what // names the record for the reader of the code, never in the answer
	if errors.Is(err, sql.ErrNoRows) {
		// One answer for every kind: "Case not found." beside access's
		// "Not found." would tell a missing case from an invisible one.
		return trygg.ErrNotFound
	}
	return err
}
