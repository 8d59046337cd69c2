// Package analytics is the history database: an analysis store of facts
// and dimensions fed only from the event log, by a projector that reads
// each tenant's log from a cursor after commit, in bounded batches. Persons
// and their records are keyed by pseudonyms (HMAC-SHA256 with a key the
// operator holds); every figure the queries return from fewer than
// MinPersons persons is suppressed. See docs/analytics.md.
package analytics

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"           // registers the "sqlite" driver

	"github.com/trygg/trygg/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Schema is the PostgreSQL schema the analysis store lives in when it
// shares the main store's database.
const Schema = "analytics"

// tables are the analysis store's tables, in the order a dump lists them.
var tables = []string{"cursors", "meta", "dim_units", "dim_persons", "dim_case_types", "dim_insatser", "dim_codes",
	"fact_cases", "fact_case_steps", "fact_decisions", "fact_orders", "fact_plans", "fact_performed", "fact_deadlines",
	"fact_payments", "fact_codes", "sum_received", "sum_closed", "sum_decisions", "sum_first_decisions", "sum_execution",
	"sum_deadlines", "sum_deadlines_late", "sum_performed", "sum_orders", "sum_code_systems", "sum_needs", "need_pending_persons",
	"need_pending_cells"}

// Store is an open analysis store: a SQLite file (a single-connection
// writer and a pool of readers) or a PostgreSQL schema.
type Store struct {
	write, read *sql.DB
	pg          bool
	stmts       stmtCache // the writer's prepared statements (SQLite)
}

// DefaultDSN returns where the analysis store of the main store at
// mainDSN lives by default: for a SQLite file, analytics.db in the same
// folder; for PostgreSQL, the same database (Open puts it in the schema
// analytics).
func DefaultDSN(mainDSN string) string {
	if isPostgres(mainDSN) {
		return mainDSN
	}
	return filepath.Join(filepath.Dir(mainDSN), "analytics.db")
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the analysis store at dsn (a SQLite file path, created if
// missing, or a postgres:// URL, whose schema analytics it creates) and
// applies its migrations. Returns an error if the database cannot be
// reached or its schema is newer than this program knows.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{pg: isPostgres(dsn)}
	var err error
	if s.pg {
		u, perr := url.Parse(dsn)
		if perr != nil {
			return nil, fmt.Errorf("analytics: database URL: %w", perr)
		}
		q := u.Query()
		q.Set("search_path", Schema)
		u.RawQuery = q.Encode()
		if s.write, err = sql.Open("pgx", u.String()); err != nil {
			return nil, fmt.Errorf("analytics: open postgres: %w", err)
		}
		s.write.SetMaxOpenConns(4)
		s.read = s.write
	} else {
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("analytics: create data folder: %w", err)
			}
		}
		if f, err := os.OpenFile(dsn, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
		} else if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("analytics: create database file: %w", err)
		}
		// synchronous=NORMAL: a power cut may lose the last batches,
		// which the projector reads again from the event log.
		pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
		// The writer's page cache (64 MB): the facts' keys are
		// pseudonyms, so a batch's inserts land all over the indexes, and
		// SQLite's default 2 MB spills pages mid-transaction.
		if s.write, err = sql.Open("sqlite", "file:"+dsn+"?"+pragmas+"&_pragma=cache_size(-65536)&_txlock=immediate"); err != nil {
			return nil, fmt.Errorf("analytics: open sqlite: %w", err)
		}
		s.write.SetMaxOpenConns(1)
		if s.read, err = sql.Open("sqlite", "file:"+dsn+"?"+pragmas+"&_pragma=query_only(1)"); err != nil {
			s.write.Close()
			return nil, fmt.Errorf("analytics: open sqlite: %w", err)
		}
		s.read.SetMaxOpenConns(4)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.write.PingContext(pingCtx); err != nil {
		s.Close()
		return nil, fmt.Errorf("analytics: connect: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if !s.pg {
		// Statistics for SQLite's planner, taken again every 50,000
		// events projected (a server that projects fewer between starts
		// has them from here): without them it plans a batch's reads of
		// the summaries' facts as scans of a unit's rows.
		if err := s.analyze(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// analyze takes the statistics of the store's tables for the planner:
// on SQLite from a bounded sample of each index (analysis_limit), on
// PostgreSQL (whose autovacuum also takes them, later) of the store's
// schema's tables.
func (s *Store) analyze(ctx context.Context) error {
	var err error
	if s.pg {
		for _, t := range tables {
			if _, err = s.write.ExecContext(ctx, `ANALYZE `+t); err != nil {
				break
			}
		}
	} else {
		_, err = s.write.ExecContext(ctx, `PRAGMA analysis_limit = 1000; ANALYZE`)
	}
	if err != nil {
		return fmt.Errorf("analytics: take statistics: %w", err)
	}
	return nil
}

// Close closes the store's pools.
func (s *Store) Close() error {
	s.stmts.close()
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Engine returns "sqlite" or "postgres".
func (s *Store) Engine() string {
	if s.pg {
		return "postgres"
	}
	return "sqlite"
}

func migrations() ([]store.Migration, error) {
	ms, err := store.ReadMigrations(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	return ms, nil
}

// advisoryLock is the PostgreSQL advisory lock held while the analysis
// schema changes or is dropped.
const advisoryLock = 74797968

// migrate applies the migrations the store lacks, each in its own
// transaction, and refuses a schema newer than this program knows.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		err := s.update(ctx, func(tx *tx) error {
			if s.pg {
				if err := tx.exec(`SELECT pg_advisory_xact_lock(` + strconv.Itoa(advisoryLock) + `)`); err != nil {
					return err
				}
				if err := tx.exec(`CREATE SCHEMA IF NOT EXISTS ` + Schema); err != nil {
					return err
				}
			}
			if err := tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
				return err
			}
			var newest int
			if err := tx.row(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
				return err
			}
			if newest > ms[len(ms)-1].Version {
				return fmt.Errorf("the analysis store's schema is version %d but this program knows only up to %d; use a newer trygg", newest, ms[len(ms)-1].Version)
			}
			if newest >= m.Version {
				return nil
			}
			for _, stmt := range store.SplitStatements(m.SQL) {
				if err := tx.exec(stmt); err != nil {
					return fmt.Errorf("%s: %w", m.Name, err)
				}
			}
			return tx.exec(`INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name)
		})
		if err != nil {
			return fmt.Errorf("analytics: migrate: %w", err)
		}
	}
	return nil
}

// Drop removes every table of the store, then migrates it again: an empty
// store, every cursor at the start of its log, no key recorded. Returns
// an error if the database refuses.
func (s *Store) Drop(ctx context.Context) error {
	err := s.update(ctx, func(tx *tx) error {
		if s.pg {
			if err := tx.exec(`SELECT pg_advisory_xact_lock(` + strconv.Itoa(advisoryLock) + `)`); err != nil {
				return err
			}
			return tx.exec(`DROP SCHEMA IF EXISTS ` + Schema + ` CASCADE`)
		}
		for _, t := range append(append([]string{}, tables...), "schema_migrations") {
			if err := tx.exec(`DROP TABLE IF EXISTS ` + t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("analytics: drop: %w", err)
	}
	return s.migrate(ctx)
}

// dropIndexes drops the store's secondary indexes before a bulk load
// (a rebuild), which then writes each row into its table alone, and
// records each index's definition in meta, in the same transaction, so
// restoreIndexes makes them again: after the load, or after a crash in
// it when a projector next starts.
func (s *Store) dropIndexes(ctx context.Context) error {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`
	if s.pg {
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = '` + Schema + `'
			AND indexname NOT IN (SELECT conname FROM pg_constraint)`
	}
	return s.update(ctx, func(t *tx) error {
		rows, err := t.tx.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		var defs [][2]string
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				rows.Close()
				return err
			}
			defs = append(defs, [2]string{name, def})
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for _, d := range defs {
			if err := t.exec(`INSERT INTO meta (name, value) VALUES (?, ?)`, "index:"+d[0], d[1]); err != nil {
				return err
			}
			if err := t.exec(`DROP INDEX ` + d[0]); err != nil {
				return err
			}
		}
		return nil
	})
}

// restoreIndexes makes the indexes dropIndexes dropped again.
func (s *Store) restoreIndexes(ctx context.Context) error {
	return s.update(ctx, func(t *tx) error {
		rows, err := t.tx.QueryContext(ctx, rebind(s.pg, `SELECT name, value FROM meta WHERE name LIKE 'index:%' ORDER BY name`))
		if err != nil {
			return err
		}
		var defs [][2]string
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				rows.Close()
				return err
			}
			defs = append(defs, [2]string{name, def})
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for _, d := range defs {
			if err := t.exec(d[1]); err != nil {
				return err
			}
			if err := t.exec(`DELETE FROM meta WHERE name = ?`, d[0]); err != nil {
				return err
			}
		}
		return nil
	})
}

// bulk sets a SQLite store's connection for a bulk load (on) or back
// (off): no sync at commit and a larger page cache while a rebuild
// writes, which a crash in it would start again anyway. PostgreSQL's
// settings stay.
func (s *Store) bulk(ctx context.Context, on bool) error {
	if s.pg {
		return nil
	}
	pragmas := []string{`PRAGMA synchronous = NORMAL`, `PRAGMA cache_size = -65536`}
	if on {
		pragmas = []string{`PRAGMA synchronous = OFF`, `PRAGMA cache_size = -262144`}
	}
	for _, p := range pragmas {
		if _, err := s.write.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("analytics: %s: %w", p, err)
		}
	}
	return nil
}

// tx is a write transaction on the store, its queries written with '?'.
type tx struct {
	ctx context.Context
	tx  *sql.Tx
	pg  bool
	// stmts are the statements prepared in this transaction (SQLite),
	// by query: a statement the projector runs for each event is parsed
	// once a transaction.
	stmts map[string]*sql.Stmt
	// pgtx and batch: a projection's transaction on PostgreSQL, whose
	// writes are queued in order and sent in one round trip before the
	// next read and at commit (see updateBatched).
	pgtx  pgx.Tx
	batch *pgx.Batch
	// reads counts the reads (round trips on PostgreSQL) of a batched
	// transaction.
	reads int
	// cache: the writer's statements kept from one transaction to the
	// next (SQLite).
	cache *stmtCache
}

// update runs fn in one write transaction and commits it if fn returns
// nil.
func (s *Store) update(ctx context.Context, fn func(*tx) error) error {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&tx{ctx: ctx, tx: sqlTx, pg: s.pg, cache: &s.stmts}); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return err
	}
	if !s.pg {
		s.stmts.prepareNew(ctx, s.write)
	}
	return nil
}

// updateBatched is update for the projector's batches: on PostgreSQL
// the transaction runs on a pgx connection, its writes pipelined (sent
// together, in order, when a read needs their result and at commit), so
// a batch costs a round trip per read instead of one per statement.
func (s *Store) updateBatched(ctx context.Context, fn func(*tx) error) error {
	if !s.pg {
		return s.update(ctx, fn)
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("analytics: not a pgx connection: %T", dc)
		}
		ptx, err := pc.Conn().Begin(ctx)
		if err != nil {
			return err
		}
		t := &tx{ctx: ctx, pg: true, pgtx: ptx, batch: &pgx.Batch{}}
		t.batch.Queue(pgPlanning)
		if err := fn(t); err != nil {
			_ = ptx.Rollback(ctx)
			return err
		}
		if err := t.flush(); err != nil {
			_ = ptx.Rollback(ctx)
			return err
		}
		return ptx.Commit(ctx)
	})
}

// pgPlanning turns JIT compilation off in a projector's transaction:
// counting the summaries over a whole store (refresh) is estimated
// costly enough to compile (70 functions, inlined and optimized, for the
// steps of the codes at 100,000 code rows; not shown to pay), and a
// batch's statements never reach JIT's costs. Plans are left to
// PostgreSQL: custom plans for every statement of a batch cost more in
// planning than the generic plans they replaced.
const pgPlanning = `SELECT set_config('jit', 'off', true)`

// pipelineMax is how many writes a batched transaction queues before it
// sends them.
const pipelineMax = 2000

// flush sends the writes queued in a batched transaction and returns the
// first error of any of them.
func (t *tx) flush() error {
	if t.batch == nil || t.batch.Len() == 0 {
		return nil
	}
	b := t.batch
	t.batch = &pgx.Batch{}
	return t.pgtx.SendBatch(t.ctx, b).Close()
}

// stmt returns query prepared in the transaction (SQLite).
func (t *tx) stmt(query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if kept := t.cache.get(query); kept != nil {
		st = t.tx.StmtContext(t.ctx, kept)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(t.ctx, query); err != nil {
			return nil, err
		}
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st, nil
}

func (t *tx) exec(query string, args ...any) error {
	if t.pgtx != nil {
		t.batch.Queue(rebindPG(query), args...)
		if t.batch.Len() >= pipelineMax {
			return t.flush()
		}
		return nil
	}
	if !t.pg && len(args) > 0 {
		st, err := t.stmt(query)
		if err != nil {
			return err
		}
		_, err = st.ExecContext(t.ctx, args...)
		return err
	}
	_, err := t.tx.ExecContext(t.ctx, rebind(t.pg, query), args...)
	return err
}

// scanner is a row of a query's result: *sql.Row, or a row read in a
// batched transaction.
type scanner interface {
	Scan(dest ...any) error
}

func (t *tx) row(query string, args ...any) scanner {
	t.reads++
	if t.pgtx != nil {
		if err := t.flush(); err != nil {
			return pgRow{err: err}
		}
		return pgRow{row: t.pgtx.QueryRow(t.ctx, rebindPG(query), args...)}
	}
	if !t.pg && len(args) > 0 {
		st, err := t.stmt(query)
		if err != nil {
			return pgRow{err: err}
		}
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, rebind(t.pg, query), args...)
}

// pgRow is a row read with pgx, its "no rows" sql.ErrNoRows as
// database/sql's; or an error met before the read.
type pgRow struct {
	row pgx.Row
	err error
}

func (r pgRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	err := r.row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sql.ErrNoRows
	}
	return err
}

// query runs a read on the reader pool.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.read.QueryContext(ctx, rebind(s.pg, query), args...)
}

// rebind turns '?' placeholders into PostgreSQL's $1, $2, ….
func rebind(pg bool, query string) string {
	if !pg || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Dump returns every row of every table of the store, each row its
// columns' values as text joined by '|', the rows of a table sorted: what
// a rebuild is compared by, and what a test searches for data that must
// not be there.
func (s *Store) Dump(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	for _, t := range tables {
		rows, err := s.query(ctx, `SELECT * FROM `+t)
		if err != nil {
			return nil, fmt.Errorf("analytics: dump %s: %w", t, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, err
		}
		list := []string{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			parts := make([]string, len(cols))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts[i] = fmt.Sprint(v)
			}
			list = append(list, strings.Join(parts, "|"))
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		sort.Strings(list)
		out[t] = list
	}
	return out, nil
}
