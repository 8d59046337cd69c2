package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The Citus cluster: a coordinator and two workers, three private servers
// on 127.0.0.1 started together on the first call to NewCitusDatabase in
// a test binary and stopped by Main. Each test gets a database of its own
// on all three, with the citus extension created in each and the workers
// added to the coordinator, dropped when the test ends.
//
// Environment: TRYGG_TEST_PG=off skips these tests too; TRYGG_TEST_CITUS=off
// skips only them. Citus itself is built into Debian's PostgreSQL 15 by
// `make deps` (../shared/vendor/citus/build).

const envCitus = "TRYGG_TEST_CITUS"

// CitusShardCount is the number of shards of each distributed table in
// the test cluster (Citus' default is 32): two per worker keeps creating
// the tables quick and still spreads tenants over both workers.
const CitusShardCount = 4

// citusConf is appended to each node's postgresql.conf. The workers also
// load pg_stat_statements, by which tests see which statements reached
// which worker. Unlike the PostgreSQL server's, these nodes do not flush
// to disk: the Citus tests are about where rows and statements go, the
// PostgreSQL engine's about durability, and each test database is a copy
// of a template whose every page (of three servers) would be flushed.
const citusConf = `
shared_preload_libraries = 'citus,pg_stat_statements'
citus.shard_count = %d
max_prepared_transactions = 100
max_worker_processes = 16
fsync = off
synchronous_commit = off
full_page_writes = off
`

// Cluster is the test Citus cluster's three servers.
type Cluster struct {
	Coordinator *url.URL   // admin DSN of the coordinator
	Workers     []*url.URL // admin DSNs of the workers
	nodes       []*server  // coordinator first

	mu        sync.Mutex
	templates map[string]string // template database by key ("" while failed)
}

var (
	citusMu  sync.Mutex
	citus    *Cluster
	citusErr error
)

// citusLib is where Debian's PostgreSQL 15 keeps the extension once built.
const citusLib = "/usr/lib/postgresql/15/lib/citus.so"

// CitusDatabase is a database of the test cluster: its DSN on the
// coordinator (what the program connects to) and on each worker.
type CitusDatabase struct {
	DSN     string
	Workers []string
}

// NewCitusDatabase returns a fresh database on the test Citus cluster for
// t (see NewCitusDatabaseOn) and its DSN on the coordinator.
func NewCitusDatabase(t testing.TB) string {
	t.Helper()
	return NewCitusDatabaseOn(t).DSN
}

// NewCitusDatabaseOn returns a fresh database on the test Citus cluster:
// on the coordinator and both workers, the citus extension in each
// (pg_stat_statements too on the workers), the workers added to the
// coordinator. It is dropped on every node in t.Cleanup. The first call in
// a process starts the cluster (three servers, a few seconds).
func NewCitusDatabaseOn(t testing.TB) CitusDatabase {
	t.Helper()
	return NewCitusDatabaseFrom(t, "", nil)
}

// NewCitusDatabaseFrom is NewCitusDatabaseOn with prepare run on the new
// database's coordinator DSN, e.g. the store's migrations. Databases are
// copies of a template made once per process for each key (CREATE
// DATABASE ... TEMPLATE on each node, which copies the Citus metadata and
// the shards alike), so prepare runs once per key: making one database
// and its shards on three servers takes many seconds, copying one far less.
func NewCitusDatabaseFrom(t testing.TB, key string, prepare func(dsn string) error) CitusDatabase {
	t.Helper()
	if os.Getenv(envSwitch) == "off" {
		t.Skip("PostgreSQL tests off (TRYGG_TEST_PG=off)")
	}
	if os.Getenv(envCitus) == "off" {
		t.Skip("Citus tests off (TRYGG_TEST_CITUS=off)")
	}
	c, err := getCluster()
	if err != nil {
		t.Fatalf("pgtest: citus: %v", err)
	}
	tmpl, err := c.template(key, prepare)
	if err != nil {
		t.Fatalf("pgtest: citus template %q: %v", key, err)
	}
	name := "c_" + randomHex(8)
	t.Cleanup(func() {
		for i, n := range c.nodes {
			// Citus' maintenance daemon, ended by DROP DATABASE, starts
			// again and connects: close the database to connections first,
			// and try again while one holds on.
			n.run("ALTER DATABASE " + quoteIdent(name) + " WITH ALLOW_CONNECTIONS false")
			for try := 0; ; try++ {
				out, err := n.run("DROP DATABASE IF EXISTS " + quoteIdent(name) + " WITH (FORCE)")
				if err == nil {
					break
				}
				if try == 50 {
					t.Errorf("pgtest: drop database %s on node %d: %v\n%s", name, i, err, out)
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
	})
	for i, n := range c.nodes {
		if out, err := n.run("CREATE DATABASE " + quoteIdent(name) + " TEMPLATE " + quoteIdent(tmpl)); err != nil {
			t.Fatalf("pgtest: create database %s on node %d: %v\n%s", name, i, err, out)
		}
	}
	return c.database(name)
}

// database returns the DSNs of database name on the cluster's nodes.
func (c *Cluster) database(name string) CitusDatabase {
	var db CitusDatabase
	for i, n := range c.nodes {
		u := *n.adminURL
		u.Path, u.RawPath = "/"+name, ""
		if i == 0 {
			db.DSN = u.String()
		} else {
			db.Workers = append(db.Workers, u.String())
		}
	}
	return db
}

// template returns the name of the template database for key, making it
// on first use: a database on every node with the extensions, the workers
// added, prepare run, and then closed to connections so it can be copied.
func (c *Cluster) template(key string, prepare func(dsn string) error) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.templates == nil {
		c.templates = map[string]string{}
	}
	if name, ok := c.templates[key]; ok {
		if name == "" {
			return "", errors.New("making it failed before")
		}
		return name, nil
	}
	c.templates[key] = ""
	name := "ctmpl_" + randomHex(6)
	for i, n := range c.nodes {
		if out, err := n.run("CREATE DATABASE " + quoteIdent(name)); err != nil {
			return "", fmt.Errorf("create database on node %d: %v\n%s", i, err, out)
		}
		sql := "CREATE EXTENSION citus"
		if i > 0 {
			sql += "; CREATE EXTENSION pg_stat_statements"
		}
		if out, err := n.runIn(name, sql); err != nil {
			return "", fmt.Errorf("%s on node %d: %v\n%s", sql, i, err, out)
		}
	}
	add := fmt.Sprintf("SELECT citus_set_coordinator_host('127.0.0.1', %s)", c.nodes[0].adminURL.Port())
	for _, w := range c.nodes[1:] {
		add += fmt.Sprintf("; SELECT citus_add_node('127.0.0.1', %s)", w.adminURL.Port())
	}
	if out, err := c.nodes[0].runIn(name, add); err != nil {
		return "", fmt.Errorf("adding the workers: %v\n%s", err, out)
	}
	if prepare != nil {
		if err := prepare(c.database(name).DSN); err != nil {
			return "", err
		}
	}
	// Closed to new connections, then rid of the ones Citus keeps (its
	// maintenance daemon, the coordinator's connections to the workers):
	// a database is copied only when no one is connected to it.
	for i, n := range c.nodes {
		if out, err := n.run("ALTER DATABASE " + quoteIdent(name) + " WITH ALLOW_CONNECTIONS false"); err != nil {
			return "", fmt.Errorf("closing the template on node %d: %v\n%s", i, err, out)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for {
		busy := 0
		for _, n := range c.nodes {
			out, err := n.runArgs([]string{"-A", "-t"}, fmt.Sprintf("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '%s' AND pid <> pg_backend_pid()", name))
			if err != nil {
				return "", fmt.Errorf("ending the template's connections: %v\n%s", err, out)
			}
			if strings.TrimSpace(string(out)) != "0" {
				busy++
			}
		}
		if busy == 0 {
			break
		}
		if time.Now().After(deadline) {
			return "", errors.New("connections to the template did not end in a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.templates[key] = name
	return name, nil
}

// runIn executes SQL in database name of the server.
func (s *server) runIn(name, sql string) ([]byte, error) {
	u := *s.adminURL
	u.Path, u.RawPath = "/"+name, ""
	return (&server{adminURL: &u, psql: s.psql, env: s.env}).run(sql)
}

func getCluster() (*Cluster, error) {
	citusMu.Lock()
	defer citusMu.Unlock()
	if citus == nil && citusErr == nil {
		citus, citusErr = startCluster()
	}
	return citus, citusErr
}

// startCluster starts the coordinator and the two workers at once.
func startCluster() (*Cluster, error) {
	if _, err := os.Stat(citusLib); err != nil {
		return nil, fmt.Errorf("Citus is not installed (%s is missing): run `make deps` (it builds it from ../shared/vendor/citus) or set %s=off to skip the Citus tests", citusLib, envCitus)
	}
	if bin, err := findBinDir(); err != nil {
		return nil, err
	} else if filepath.Base(filepath.Dir(bin)) != "15" {
		return nil, fmt.Errorf("Citus is built for PostgreSQL 15, but the newest server here is %s", bin)
	}
	conf := fmt.Sprintf(citusConf, CitusShardCount)
	nodes := make([]*server, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i], errs[i] = startServerConf(conf)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, n := range nodes {
			if n != nil {
				n.stop()
			}
		}
		return nil, err
	}
	c := &Cluster{Coordinator: nodes[0].adminURL, nodes: nodes}
	for _, n := range nodes[1:] {
		c.Workers = append(c.Workers, n.adminURL)
	}
	return c, nil
}

// stopCluster stops a cluster this process started; Main calls it.
func stopCluster() error {
	citusMu.Lock()
	c := citus
	citus, citusErr = nil, errors.New("test cluster already stopped (pgtest.Main returned)")
	citusMu.Unlock()
	if c == nil {
		return nil
	}
	var errs []error
	for _, n := range c.nodes {
		errs = append(errs, n.stop())
	}
	return errors.Join(errs...)
}

// Psql runs sql in the database of dsn (a DSN NewCitusDatabaseOn or
// NewDatabase returned) with psql, unaligned and without headers, and
// returns its output.
func Psql(t testing.TB, dsn, sql string) string {
	t.Helper()
	bin, err := findBinDir()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-d", u.String(), "-c", sql)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}
