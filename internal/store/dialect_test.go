package store

import "testing"

func TestSQLiteRebindMarksEqualities(t *testing.T) {
	tests := []struct{ in, want string }{
		{`SELECT a FROM t WHERE id = ?`, `SELECT a FROM t WHERE id = ? COLLATE BINARY`},
		{`WHERE a=? AND b =  ?`, `WHERE a=? COLLATE BINARY AND b =  ? COLLATE BINARY`},
		{"WHERE a =\n\t?", "WHERE a =\n\t? COLLATE BINARY"},
		{`WHERE a <= ? AND b >= ? AND c != ? AND d <> ? AND e == ?`, `WHERE a <= ? AND b >= ? AND c != ? AND d <> ? AND e == ?`},
		{`WHERE a = 'x' AND b = c`, `WHERE a = 'x' AND b = c`},
		{`INSERT INTO t (a, b) VALUES (?, ?)`, `INSERT INTO t (a, b) VALUES (?, ?)`},
		{`WHERE a IN (?, ?) AND b LIKE ?`, `WHERE a IN (?, ?) AND b LIKE ?`},
	}
	for _, tt := range tests {
		if got := (sqlite{}).rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
