package analytics

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
)

// The few statements a projection's batch runs whose SQL differs by
// engine: a read of many records by key, and rows written many at a
// time.

// rowsIter is the rows of a query's result: *sql.Rows or pgx.Rows.
type rowsIter interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// readQuery is one query of a read: its SQL ('?' placeholders), its
// arguments, what to do with each row, and what to do after the last.
type readQuery struct {
	sql  string
	args []any
	row  func(rowsIter) error
	done func()
}

// read runs queries in the transaction. On PostgreSQL they go in one
// round trip, after the writes queued before them.
func (t *tx) read(qs ...readQuery) error {
	t.reads++
	if t.pgtx != nil {
		b := t.batch
		t.batch = &pgx.Batch{}
		writes := b.Len()
		for _, q := range qs {
			b.Queue(rebindPG(q.sql), q.args...)
		}
		br := t.pgtx.SendBatch(t.ctx, b)
		for range writes {
			if _, err := br.Exec(); err != nil {
				br.Close()
				return err
			}
		}
		for _, q := range qs {
			rows, err := br.Query()
			if err != nil {
				br.Close()
				return err
			}
			if err := scanAll(rows, q); err != nil {
				rows.Close()
				br.Close()
				return err
			}
			rows.Close()
		}
		return br.Close()
	}
	for _, q := range qs {
		var rows *sql.Rows
		st, err := t.stmt(q.sql)
		if err == nil {
			rows, err = st.QueryContext(t.ctx, q.args...)
		}
		if err != nil {
			return err
		}
		err = scanAll(rows, q)
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func scanAll(rows rowsIter, q readQuery) error {
	for rows.Next() {
		if err := q.row(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if q.done != nil {
		q.done()
	}
	return nil
}

// anyOf returns a condition that col is one of keys, and its one
// argument: on PostgreSQL an array, on SQLite a JSON array.
func (t *tx) anyOf(col string, keys []string) (string, any) {
	if t.pg {
		return col + ` = ANY(?)`, keys
	}
	b, _ := json.Marshal(keys)
	return col + ` IN (SELECT value FROM json_each(?))`, string(b)
}

// insertRows inserts rows into table's columns cols, ending each
// statement with conflict (an ON CONFLICT clause, or ""). Each row's
// values are strings and int64s, the same kind in each column. On
// PostgreSQL the rows go in one statement, a column an array; on SQLite
// in statements of 128 rows, then of the powers of two the rest is made
// of (so that a few statements, kept prepared, serve every batch).
func (t *tx) insertRows(table string, cols []string, conflict string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	head := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) `
	if t.pg {
		args := make([]any, len(cols))
		casts := make([]string, len(cols))
		for i := range cols {
			switch rows[0][i].(type) {
			case string:
				col := make([]string, len(rows))
				for j, r := range rows {
					col[j] = r[i].(string)
				}
				args[i], casts[i] = col, "?::text[]"
			case int64:
				col := make([]int64, len(rows))
				for j, r := range rows {
					col[j] = r[i].(int64)
				}
				args[i], casts[i] = col, "?::bigint[]"
			default:
				return fmt.Errorf("analytics: %s.%s: a value of type %T", table, cols[i], rows[0][i])
			}
		}
		return t.exec(head+`SELECT * FROM unnest(`+strings.Join(casts, ", ")+`) `+conflict, args...)
	}
	const most = 128
	one := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	for len(rows) > 0 {
		n := most
		for n > len(rows) {
			n /= 2
		}
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if err := t.exec(head+`VALUES `+one+strings.Repeat(", "+one, n-1)+` `+conflict, args...); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// copyFrom is how many new rows of a table a batch writes with COPY on
// PostgreSQL: fewer go with the batch's other statements, in its one
// round trip; more in one of their own, at less cost to the server.
const copyFrom = 64

// insertNew inserts rows no row of the table can have the key of: those
// whose keys prefetch found missing, or that are keyed by their event's
// sequence number. On PostgreSQL, many of them are copied (COPY) once the
// statements before them are sent; otherwise as insertRows with ON
// CONFLICT DO NOTHING on key (the primary key's columns).
func (t *tx) insertNew(table string, cols []string, key string, rows [][]any) error {
	if t.pgtx == nil || len(rows) < copyFrom {
		return t.insertRows(table, cols, `ON CONFLICT (`+key+`) DO NOTHING`, rows)
	}
	if err := t.flush(); err != nil {
		return err
	}
	if _, err := t.pgtx.CopyFrom(t.ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	return nil
}

// rebound are queries with PostgreSQL's placeholders, by query.
var rebound sync.Map

// rebindPG is rebind(true, query), remembered.
func rebindPG(query string) string {
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	q := rebind(true, query)
	if len(query) < 4096 {
		rebound.Store(query, q)
	}
	return q
}

// stmtCache keeps a SQLite store's writer statements prepared from one
// transaction to the next: a projection's batch is one transaction, and
// parsing its statements again each time (the rows' multi-row inserts
// above all) costs as much as a tenth of a rebuild. A query first met in
// a transaction is prepared for it alone, and for the writer's
// connection after it (prepareNew): a statement cannot be prepared
// beside the transaction on the writer's single connection.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	met   map[string]bool
}

// get returns query's statement prepared on the writer, or nil, and
// otherwise remembers to prepare it.
func (c *stmtCache) get(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.stmts[query]; st != nil {
		return st
	}
	if c.met == nil {
		c.met = map[string]bool{}
	}
	c.met[query] = true
	return nil
}

// keptStmts is the most statements a stmtCache keeps: a retention run's
// deletions, their lists of keys of every length, are prepared each time.
const keptStmts = 256

// prepareNew prepares on db the queries met since it last ran. A query
// that fails to prepare is left to be prepared in each transaction.
func (c *stmtCache) prepareNew(ctx context.Context, db *sql.DB) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.met {
		if len(c.stmts) >= keptStmts {
			break
		}
		if st, err := db.PrepareContext(ctx, q); err == nil {
			if c.stmts == nil {
				c.stmts = map[string]*sql.Stmt{}
			}
			c.stmts[q] = st
		}
	}
	c.met = nil
}

// close closes the statements.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}
