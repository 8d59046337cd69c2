// Package sqlitebench compares the two pure-Go SQLite drivers,
// modernc.org/sqlite and github.com/ncruces/go-sqlite3, on the storage
// workload of the trygg server: WAL, busy_timeout 5000, foreign_keys on,
// synchronous=FULL, a single-connection writer pool and a 4-connection
// reader pool. See docs/sqlite-driver.md for the results.
//
//	cd tools/sqlitebench && go test -run '^$' -bench . -benchtime 2s -count 3
package sqlitebench

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/ncruces/go-sqlite3/driver" // registers "sqlite3"
	_ "modernc.org/sqlite"                   // registers "sqlite"
)

type driver struct{ name, sqlName string }

var drivers = []driver{{"modernc", "sqlite"}, {"ncruces", "sqlite3"}}

// Both drivers take the same DSN keys. Each pragma runs on every new
// connection; _txlock=immediate makes BEGIN take the write lock at once.
const dsnParams = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"

const (
	tenants          = 10
	personsPerTenant = 10_000 // 100,000 persons in all
	readers          = 4
)

var root string // temp dir for every database of this run

func TestMain(m *testing.M) {
	var err error
	if root, err = os.MkdirTemp("", "sqlitebench-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(root)
	os.Exit(code)
}

// open returns the writer pool (1 conn) and the reader pool (4 conns) on path.
func open(tb testing.TB, d driver, path string) (w, r *sql.DB) {
	tb.Helper()
	dsn := "file:" + path + "?" + dsnParams
	var err error
	if w, err = sql.Open(d.sqlName, dsn); err != nil {
		tb.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	if r, err = sql.Open(d.sqlName, dsn); err != nil {
		tb.Fatal(err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	tb.Cleanup(func() { r.Close(); w.Close() })
	checkPragmas(tb, w)
	checkPragmas(tb, r)
	return w, r
}

// checkPragmas fails unless the DSN pragmas took effect on the connection.
func checkPragmas(tb testing.TB, db *sql.DB) {
	tb.Helper()
	want := map[string]string{"journal_mode": "wal", "synchronous": "2",
		"foreign_keys": "1", "busy_timeout": "5000"}
	for p, v := range want {
		var got string
		if err := db.QueryRow("PRAGMA " + p).Scan(&got); err != nil {
			tb.Fatal(err)
		}
		if got != v {
			tb.Fatalf("PRAGMA %s = %s, want %s", p, got, v)
		}
	}
}

func exec(tb testing.TB, db *sql.DB, query string) {
	tb.Helper()
	if _, err := db.Exec(query); err != nil {
		tb.Fatal(err)
	}
}

func prepare(tb testing.TB, db *sql.DB, query string) *sql.Stmt {
	tb.Helper()
	s, err := db.Prepare(query)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func perSec(b *testing.B, rows int64) {
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

const accessLogDDL = `CREATE TABLE access_log (
	tenant_id TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	actor     TEXT NOT NULL,
	person    TEXT NOT NULL,
	hash      TEXT NOT NULL,
	PRIMARY KEY (tenant_id, seq))`

const insertAccess = `INSERT INTO access_log (tenant_id, seq, at, actor, person, hash)
	VALUES (?, ?, ?, ?, ?, ?)`

const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// benchInsert commits perTx access-log rows per transaction.
func benchInsert(b *testing.B, perTx int) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			w, _ := open(b, d, filepath.Join(b.TempDir(), "log.db"))
			exec(b, w, accessLogDDL)
			stmt := prepare(b, w, insertAccess)
			var seq int64
			for b.Loop() {
				tx, err := w.Begin()
				if err != nil {
					b.Fatal(err)
				}
				ins := tx.Stmt(stmt)
				for range perTx {
					seq++
					_, err := ins.Exec("t01", seq, time.Now().UnixMicro(), "u0042",
						fmt.Sprintf("p%05d", seq%personsPerTenant), hash)
					if err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			perSec(b, seq)
		})
	}
}

func BenchmarkInsertDurable(b *testing.B)  { benchInsert(b, 1) }
func BenchmarkInsertBatch100(b *testing.B) { benchInsert(b, 100) }

const personsDDL = `CREATE TABLE persons (
	tenant_id         TEXT NOT NULL,
	id                TEXT NOT NULL,
	given_name        TEXT NOT NULL,
	family_name       TEXT NOT NULL,
	family_name_lower TEXT NOT NULL,
	birth_date        TEXT NOT NULL,
	address           TEXT NOT NULL,
	PRIMARY KEY (tenant_id, id))`

const personsIndex = `CREATE INDEX persons_family ON persons (tenant_id, family_name_lower)`

var (
	givens   = strings.Fields("Anna Erik Maria Lars Karin Anders Eva Johan Sara Per Lena Nils Emma Olof Ida Karl")
	roots    = strings.Fields("Ander Berg Carl Dahl Ek Fors Gustav Hol Is Jo Karl Lind Malm Nils Ols Pers Ros Sand Ström Sven Tor Wall Ax Öst")
	suffixes = strings.Fields("son sson berg qvist ström gren lund ell man blad")
	prefixes = strings.Fields("a and berg ek fors hol l lind m nil p ros s sv t w")
)

func familyName(i int) string {
	return roots[i%len(roots)] + suffixes[(i/len(roots))%len(suffixes)]
}

func tenantID(t int) string { return fmt.Sprintf("t%02d", t) }

var (
	personsMu sync.Mutex
	personsDB = map[string]string{} // driver name → path of a filled persons db
)

// persons returns a persons database of 100,000 rows made by driver d,
// built once per test binary run and reused by every read benchmark.
func persons(b *testing.B, d driver) string {
	personsMu.Lock()
	defer personsMu.Unlock()
	if p, ok := personsDB[d.name]; ok {
		return p
	}
	path := filepath.Join(root, d.name+"-persons.db")
	db, err := sql.Open(d.sqlName, "file:"+path+"?"+dsnParams)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	exec(b, db, personsDDL)
	exec(b, db, personsIndex)
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO persons VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for t := range tenants {
		for i := range personsPerTenant {
			fam := familyName(rng.IntN(1 << 20))
			_, err := ins.Exec(tenantID(t), fmt.Sprintf("p%05d", i),
				givens[rng.IntN(len(givens))], fam, strings.ToLower(fam),
				fmt.Sprintf("19%02d-%02d-%02d", rng.IntN(100), 1+rng.IntN(12), 1+rng.IntN(28)),
				fmt.Sprintf("Storgatan %d, %03d %02d Stad", 1+rng.IntN(200), 100+rng.IntN(900), rng.IntN(100)))
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	exec(b, db, "ANALYZE")
	exec(b, db, "PRAGMA wal_checkpoint(TRUNCATE)")
	personsDB[d.name] = path
	return path
}

// benchRead runs query on the reader pool from 4 goroutines; args picks
// the arguments and scan reads the rows, returning how many it read.
func benchRead(b *testing.B, query string, args func(*rand.Rand) []any,
	scan func(*sql.Rows) (int64, error)) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			path := persons(b, d)
			_, r := open(b, d, path)
			stmt := prepare(b, r, query)
			var rows, seed atomic.Int64
			b.SetParallelism(readers / 2) // 2 cores × 2 = 4 goroutines, one per conn
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(uint64(seed.Add(1)), 7))
				var n int64
				for pb.Next() {
					rs, err := stmt.Query(args(rng)...)
					if err != nil {
						b.Error(err) // not Fatal: this is not the benchmark goroutine
						return
					}
					k, err := scan(rs)
					if err != nil {
						b.Error(err)
						return
					}
					n += k
				}
				rows.Add(n)
			})
			perSec(b, rows.Load())
		})
	}
}

func BenchmarkPointRead(b *testing.B) {
	benchRead(b,
		`SELECT given_name, family_name, birth_date, address
		 FROM persons WHERE tenant_id = ? AND id = ?`,
		func(rng *rand.Rand) []any {
			return []any{tenantID(rng.IntN(tenants)), fmt.Sprintf("p%05d", rng.IntN(personsPerTenant))}
		},
		func(rs *sql.Rows) (int64, error) {
			defer rs.Close()
			var n int64
			var given, family, birth, addr string
			for rs.Next() {
				if err := rs.Scan(&given, &family, &birth, &addr); err != nil {
					return n, err
				}
				n++
			}
			if n != 1 {
				return n, fmt.Errorf("point read got %d rows", n)
			}
			return n, rs.Err()
		})
}

const prefixQuery = `SELECT id, given_name, family_name, birth_date
	FROM persons WHERE tenant_id = ? AND family_name_lower LIKE ? || '%'
	ORDER BY family_name_lower LIMIT 20`

func BenchmarkPrefixSearch(b *testing.B) {
	benchRead(b, prefixQuery,
		func(rng *rand.Rand) []any {
			return []any{tenantID(rng.IntN(tenants)), prefixes[rng.IntN(len(prefixes))]}
		},
		scanPersons)
}

// rangeQuery is the prefix search written as an index range.
const rangeQuery = `SELECT id, given_name, family_name, birth_date
	FROM persons WHERE tenant_id = ? AND family_name_lower >= ? AND family_name_lower < ?
	ORDER BY family_name_lower LIMIT 20`

// BenchmarkPrefixRange is PrefixSearch with the range the LIKE cannot use.
func BenchmarkPrefixRange(b *testing.B) {
	benchRead(b, rangeQuery,
		func(rng *rand.Rand) []any {
			p := prefixes[rng.IntN(len(prefixes))]
			return []any{tenantID(rng.IntN(tenants)), p, p + "\U0010FFFF"}
		},
		scanPersons)
}

func scanPersons(rs *sql.Rows) (int64, error) {
	defer rs.Close()
	var n int64
	var id, given, family, birth string
	for rs.Next() {
		if err := rs.Scan(&id, &given, &family, &birth); err != nil {
			return n, err
		}
		n++
	}
	if n == 0 {
		return n, fmt.Errorf("prefix search found nothing")
	}
	return n, rs.Err()
}

// TestPrefixPlan logs how SQLite runs the two prefix searches. The LIKE
// operand is an expression (? || '%'), so SQLite cannot turn it into an
// index range: it walks the tenant's whole index slice in order.
func TestPrefixPlan(t *testing.T) {
	for _, d := range drivers {
		w, _ := open(t, d, filepath.Join(t.TempDir(), "plan.db"))
		exec(t, w, personsDDL)
		exec(t, w, personsIndex)
		for _, c := range []struct {
			q    string
			args []any
		}{
			{prefixQuery, []any{"t01", "and"}},
			{rangeQuery, []any{"t01", "and", "and\U0010FFFF"}},
		} {
			var plan []string
			rows, err := w.Query("EXPLAIN QUERY PLAN "+c.q, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			t.Logf("%s: %s", d.name, strings.Join(plan, "; "))
		}
	}
}
