package pgtest

import (
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// psqlQuery runs sql on the database of dsn and returns its unaligned output.
func psqlQuery(t *testing.T, dsn, sql string) string {
	t.Helper()
	s, err := getServer()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(s.psql, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", sql)
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql -c %q on %s: %v\n%s", sql, dsn, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestNewDatabase(t *testing.T) {
	dsn := NewDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if !strings.HasPrefix(name, "t_") || u.Query().Get("sslmode") != "disable" {
		t.Errorf("unexpected DSN %q", dsn)
	}
	if os.Getenv(envURL) == "" && !strings.HasPrefix(u.Host, "127.0.0.1:") {
		t.Errorf("private server DSN %q does not point at 127.0.0.1", dsn)
	}
	if got := psqlQuery(t, dsn, "select 1"); got != "1" {
		t.Errorf("select 1 = %q", got)
	}
	if got := psqlQuery(t, dsn, "select current_database()"); got != name {
		t.Errorf("current_database() = %q, want %q", got, name)
	}
	// The database is fresh and empty: no user tables.
	if got := psqlQuery(t, dsn, "select count(*) from pg_tables where schemaname not in ('pg_catalog','information_schema')"); got != "0" {
		t.Errorf("new database has %s tables", got)
	}
	// Durability settings are left on.
	if got := psqlQuery(t, dsn, "show fsync"); got != "on" {
		t.Errorf("fsync = %q, want on", got)
	}
	if got := psqlQuery(t, dsn, "show synchronous_commit"); got != "on" {
		t.Errorf("synchronous_commit = %q, want on", got)
	}
}

func TestDatabaseDroppedAfterTest(t *testing.T) {
	var name string
	t.Run("inner", func(t *testing.T) {
		u, err := url.Parse(NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		name = strings.TrimPrefix(u.Path, "/")
	})
	if name == "" {
		t.Skip("inner test did not get a database")
	}
	s, err := getServer()
	if err != nil {
		t.Fatal(err)
	}
	got := psqlQuery(t, s.adminURL.String(), "select count(*) from pg_database where datname = '"+name+"'")
	if got != "0" {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func TestParallelDatabasesAreDistinct(t *testing.T) {
	const n = 8
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
	)
	for i := 0; i < n; i++ {
		t.Run("db", func(t *testing.T) {
			t.Parallel()
			dsn := NewDatabase(t)
			psqlQuery(t, dsn, "create table x (id int primary key); insert into x values (1)")
			if got := psqlQuery(t, dsn, "select count(*) from x"); got != "1" {
				t.Errorf("count = %q", got)
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[dsn] {
				t.Errorf("DSN %s handed out twice", dsn)
			}
			seen[dsn] = true
		})
	}
}
