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

func (sqlite) name() string           { return "sqlite" }
func (sqlite) rebind(q string) string { return q }
func (sqlite) forUpdate() string      { return "" }
func (sqlite) isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
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
