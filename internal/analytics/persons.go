package analytics

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// A figure is shown only when MinPersons or more persons are behind it,
// and suppression needs no more than that: whether a figure's rows have
// five persons, and how many when fewer. The dashboards count their
// figures from summaries, which cannot say that (persons are not
// additive); so each figure's persons are counted from its own rows, the
// first few of which nearly always have five. A query gathers its
// figures' rows (counts) and counts them together, in one statement for
// many figures.

// probeRows are how many rows persons reads, in turn, before it counts
// them all.
var probeRows = []int{32, 256}

// personsChunk is the most figures counted in one statement.
const personsChunk = 50

// personCount is a figure whose persons are to be counted.
type personCount struct {
	from string // a FROM and WHERE clause selecting its rows
	args []any
	rows int64 // how many rows it rests on; -1 when not known
	out  *int
}

// personCounts are the figures whose persons a query counts together.
type personCounts []personCount

// add asks for the persons of the rows of from (rows of them, or -1
// when not known) to be written to out.
func (c *personCounts) add(out *int, rows int64, from string, args []any) {
	*c = append(*c, personCount{from: from, args: args, rows: rows, out: out})
}

// count writes the persons of each figure of c: exactly when fewer than
// MinPersons, otherwise at least MinPersons. Fewer rows than MinPersons
// have fewer persons too, and are not read; the rest are counted from
// their first rows, many figures a statement, and those whose first rows
// do not settle it one by one (persons).
func (s *Store) count(ctx context.Context, c personCounts) error {
	var todo []personCount
	for _, p := range c {
		if p.rows >= 0 && p.rows < MinPersons {
			*p.out = int(p.rows)
			continue
		}
		todo = append(todo, p)
	}
	var again []personCount
	for start := 0; start < len(todo); start += personsChunk {
		part := todo[start:min(start+personsChunk, len(todo))]
		var q []string
		var args []any
		for i, p := range part {
			q = append(q, `SELECT `+strconv.Itoa(i)+`, COUNT(DISTINCT person_key), COUNT(*) FROM (SELECT person_key `+p.from+
				` LIMIT `+strconv.Itoa(probeRows[0])+`) x`+strconv.Itoa(i))
			args = append(args, p.args...)
		}
		rows, err := s.query(ctx, strings.Join(q, ` UNION ALL `), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var i, n, read int
			if err := rows.Scan(&i, &n, &read); err != nil {
				rows.Close()
				return err
			}
			*part[i].out = n
			if n < MinPersons && read == probeRows[0] {
				again = append(again, part[i])
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, p := range again {
		n, err := s.persons(ctx, p.from, p.args, probeRows[1:]...)
		if err != nil {
			return err
		}
		*p.out = n
	}
	return nil
}

// persons returns the distinct persons (person_key) of the rows of from
// (a FROM and WHERE clause), exactly when fewer than MinPersons, and
// otherwise at least MinPersons: counted from the first rows (limits of
// them in turn, probeRows when none are given) when they have enough,
// else from all.
func (s *Store) persons(ctx context.Context, from string, args []any, limits ...int) (int, error) {
	if len(limits) == 0 {
		limits = probeRows
	}
	var n, rows int
	for _, limit := range limits {
		err := s.read.QueryRowContext(ctx, rebind(s.pg, `SELECT COUNT(DISTINCT person_key), COUNT(*) FROM (SELECT person_key `+from+
			` LIMIT `+strconv.Itoa(limit)+`) x`), args...).Scan(&n, &rows)
		if err != nil || n >= MinPersons || rows < limit {
			return n, err
		}
	}
	err := s.read.QueryRowContext(ctx, rebind(s.pg, `SELECT COUNT(DISTINCT person_key) `+from), args...).Scan(&n)
	return n, err
}

// most returns the most persons of ps: what a sum has at least.
func most(ps ...int) int {
	if len(ps) == 0 {
		return 0
	}
	return slices.Max(ps)
}
