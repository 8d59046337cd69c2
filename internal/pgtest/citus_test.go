package pgtest

import (
	"strings"
	"testing"
	"time"
)

// TestCitusCluster: a database on the test cluster has both workers in
// it, a table distributed in it has its shards on both, and a copy of the
// template (every database after the first) is made quickly.
func TestCitusCluster(t *testing.T) {
	start := time.Now()
	db := NewCitusDatabaseOn(t)
	first := time.Since(start)
	if len(db.Workers) != 2 {
		t.Fatalf("workers %v, want 2", db.Workers)
	}
	if got := Psql(t, db.DSN, `SELECT count(*) FROM citus_get_active_worker_nodes()`); got != "2" {
		t.Errorf("active workers: %s, want 2", got)
	}
	Psql(t, db.DSN, `CREATE TABLE t (tenant_id text, id text, PRIMARY KEY (tenant_id, id)); SELECT create_distributed_table('t', 'tenant_id')`)
	nodes := Psql(t, db.DSN, `SELECT count(DISTINCT nodeport) || ' ' || count(*) FROM citus_shards WHERE table_name = 't'::regclass`)
	if want := "2 4"; nodes != want {
		t.Errorf("workers and shards of t: %q, want %q", nodes, want)
	}
	start = time.Now()
	other := NewCitusDatabaseOn(t)
	t.Logf("cluster and first database %v, a copy %v", first.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if got := Psql(t, other.DSN, `SELECT count(*) FROM pg_class WHERE relname = 't'`); got != "0" {
		t.Errorf("the copy has table t of the first database: %s", got)
	}
	if !strings.HasPrefix(other.Workers[0], "postgres://") {
		t.Errorf("worker DSN %q", other.Workers[0])
	}
}
