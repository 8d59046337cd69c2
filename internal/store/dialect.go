package store

import (
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// dialect isolates the differences between SQLite and PostgreSQL. Queries
// are written once with '?' placeholders and portable SQL.
type dialect interface {
	name() string
	rebind(query string) string
	// forUpdate is appended to a SELECT that must lock its rows until commit.
	// SQLite needs none: its writer holds the database lock.
	forUpdate() string
	isUniqueViolation(err error) bool
}

type sqlite struct{}

func (sqlite) name() string      { return "sqlite" }
func (sqlite) forUpdate() string { return "" }
func (sqlite) isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

var sqliteRebound sync.Map // query -> query with its equalities marked

// rebind marks every "= ?" with COLLATE BINARY, which changes nothing in
// what is compared (every column here is BINARY) but keeps SQLite's (3.54)
// planner from looking at the bound value: when it does (to estimate a
// join's rows), it plans the statement again each time a new value is
// bound, which made planning cost more than running the queries
// (docs/benchmarks.md, "SQLite planned statements again on every run").
// Other comparisons are left as written.
func (sqlite) rebind(q string) string {
	if v, ok := sqliteRebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 64)
	for i := 0; i < len(q); i++ {
		b.WriteByte(q[i])
		if q[i] != '=' || i > 0 && strings.IndexByte("!<>=", q[i-1]) >= 0 {
			continue
		}
		j := i + 1
		for j < len(q) && (q[j] == ' ' || q[j] == '\t' || q[j] == '\n') {
			j++
		}
		if j < len(q) && q[j] == '?' {
			b.WriteString(q[i+1 : j+1])
			b.WriteString(" COLLATE BINARY")
			i = j
		}
	}
	out := b.String()
	sqliteRebound.Store(q, out)
	return out
}

type postgres struct{}

func (postgres) name() string      { return "postgres" }
func (postgres) forUpdate() string { return " FOR UPDATE" }
func (postgres) isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

var rebound sync.Map // query -> query with $n placeholders

// rebind turns '?' placeholders into $1, $2, … (none of our SQL has '?'
// inside string literals).
func (postgres) rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	rebound.Store(q, out)
	return out
}
