// Package pgtest gives tests a fresh, empty PostgreSQL database on a real
// server.
//
// By default the first call to NewDatabase in a test binary starts a private
// PostgreSQL server (initdb + pg_ctl from /usr/lib/postgresql/*/bin) in a
// temporary directory, listening only on 127.0.0.1 on a free port. Each test
// gets its own database on it, dropped when the test ends. Packages should
// call Main from TestMain so the server is stopped and its directory removed
// when the tests finish; a watchdog process cleans up as well if the test
// binary dies (timeout, signal) or Main is not used.
//
// Environment:
//
//	TRYGG_TEST_PG=off      skip every test that needs PostgreSQL
//	TRYGG_TEST_PG_URL=DSN  use this server instead (admin DSN, e.g.
//	                       postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable);
//	                       test databases are created and dropped in it
//
// There is no PostgreSQL driver in the standard library, so databases are
// created and dropped with psql from the same PostgreSQL installation.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	envSwitch = "TRYGG_TEST_PG"
	envURL    = "TRYGG_TEST_PG_URL"
	pgUser    = "postgres" // OS user and database superuser of the private server
)

// server is the PostgreSQL server databases are created on.
type server struct {
	adminURL *url.URL // DSN of a maintenance database, used to create/drop
	psql     string   // path of the psql binary
	env      []string // environment for psql (nil: inherit)

	// Only for a private server started by this process.
	dir      string    // temp dir: data/, sockets, log
	watchdog *exec.Cmd // stops the server and removes dir once stopW closes
	stopW    *os.File  // write end of the watchdog's stdin
}

var (
	mu     sync.Mutex
	srv    *server
	srvErr error
)

// NewDatabase returns the DSN
// (postgres://...@127.0.0.1:PORT/DBNAME?sslmode=disable) of a fresh, empty
// database created for this test on a test PostgreSQL server, and drops it
// in t.Cleanup.
//
// If TRYGG_TEST_PG_URL is set it is used as the server (admin DSN, databases
// are created in it). Otherwise the first call in the process starts a
// private server. With TRYGG_TEST_PG=off the test is skipped.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if os.Getenv(envSwitch) == "off" {
		t.Skip("PostgreSQL tests off (TRYGG_TEST_PG=off)")
	}
	s, err := getServer()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}

	name := "t_" + randomHex(8)
	if out, err := s.run("CREATE DATABASE " + quoteIdent(name)); err != nil {
		t.Fatalf("pgtest: create database %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() {
		// FORCE (PostgreSQL 13+) terminates connections the test left open.
		if out, err := s.run("DROP DATABASE IF EXISTS " + quoteIdent(name) + " WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v\n%s", name, err, out)
		}
	})

	u := *s.adminURL
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

// Main is for TestMain: it runs the tests, then stops a server this process
// started (pg_ctl stop -m immediate) and removes its directory. It returns
// m.Run's code.
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	s := srv
	srv, srvErr = nil, errors.New("test server already stopped (pgtest.Main returned)")
	mu.Unlock()
	if s != nil {
		if err := s.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping test server: %v\n", err)
		}
	}
	if err := stopCluster(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: stopping the test Citus cluster: %v\n", err)
	}
	return code
}

// getServer returns the server, starting a private one on first use.
func getServer() (*server, error) {
	mu.Lock()
	defer mu.Unlock()
	if srv == nil && srvErr == nil {
		if dsn := os.Getenv(envURL); dsn != "" {
			srv, srvErr = externalServer(dsn)
		} else {
			srv, srvErr = startServer()
		}
	}
	return srv, srvErr
}

// run executes one SQL command on the server's maintenance database.
func (s *server) run(sql string) ([]byte, error) { return s.runArgs(nil, sql) }

// runArgs is run with more psql options (e.g. -A -t for bare values).
func (s *server) runArgs(opts []string, sql string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"-X", "-q", "-v", "ON_ERROR_STOP=1"}, opts...)
	cmd := exec.CommandContext(ctx, s.psql, append(args, "-d", s.adminURL.String(), "-c", sql)...)
	cmd.Env = s.env
	return cmd.CombinedOutput()
}

func externalServer(dsn string) (*server, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("%s must be a URL like postgres://user@host:port/postgres?sslmode=disable, got %q", envURL, dsn)
	}
	psql := ""
	if bin, err := findBinDir(); err == nil {
		psql = filepath.Join(bin, "psql")
	} else if p, err := exec.LookPath("psql"); err == nil {
		psql = p
	} else {
		return nil, fmt.Errorf("psql not found (needed to create test databases on %s); run `make test` (which installs PostgreSQL) or set %s=off", envURL, envSwitch)
	}
	return &server{adminURL: u, psql: psql}, nil
}

// findBinDir returns the newest /usr/lib/postgresql/VERSION/bin with initdb,
// pg_ctl and psql.
func findBinDir() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	type cand struct {
		dir string
		ver []int
	}
	var cands []cand
	for _, m := range matches {
		dir := filepath.Dir(m)
		if !isExec(filepath.Join(dir, "pg_ctl")) || !isExec(filepath.Join(dir, "psql")) || !isExec(m) {
			continue
		}
		var ver []int
		for _, p := range strings.Split(filepath.Base(filepath.Dir(dir)), ".") {
			n, _ := strconv.Atoi(p)
			ver = append(ver, n)
		}
		cands = append(cands, cand{dir, ver})
	}
	if len(cands) == 0 {
		return "", fmt.Errorf("PostgreSQL server binaries (initdb, pg_ctl, psql) not found in /usr/lib/postgresql/*/bin; run `make test` (its `deps` step installs the Debian package postgresql) or set %s=off to skip PostgreSQL tests", envSwitch)
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i].ver, cands[j].ver
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] > b[k]
			}
		}
		return len(a) > len(b)
	})
	return cands[0].dir, nil
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// startServer initialises and starts a private server in a temp directory.
func startServer() (*server, error) { return startServerConf("") }

// startServerConf starts a private server with extra lines appended to
// its postgresql.conf.
func startServerConf(extra string) (_ *server, err error) {
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	asRoot := os.Geteuid() == 0
	uid, gid := -1, -1
	if asRoot {
		// initdb and postgres refuse to run as root.
		if _, err := exec.LookPath("runuser"); err != nil {
			return nil, errors.New("running as root, but runuser (needed to run PostgreSQL as the postgres user) was not found")
		}
		u, err := user.Lookup(pgUser)
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL must run as the OS user %q, which does not exist (it comes with the Debian package postgresql; run `make deps`): %v", pgUser, err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
	}

	dir, err := os.MkdirTemp("", "trygg-pgtest-")
	if err != nil {
		return nil, err
	}
	if asRoot {
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	s := &server{
		psql: filepath.Join(bin, "psql"),
		env:  cleanEnv(),
		dir:  dir,
	}
	// From here on the watchdog owns cleanup of dir and of the server.
	if err := s.startWatchdog(bin, asRoot); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting cleanup watchdog: %v", err)
	}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()

	data := filepath.Join(dir, "data")
	logFile := filepath.Join(dir, "postgres.log")
	if out, err := s.pgCmd(asRoot, filepath.Join(bin, "initdb"),
		"-D", data, "-U", pgUser, "-A", "trust", "-E", "UTF8", "--locale=C",
		"--no-sync", "--no-instructions").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}

	// Durability settings (fsync, synchronous_commit, full_page_writes) stay
	// at their defaults on purpose: tests exercise them.
	conf := fmt.Sprintf(`
# pgtest
listen_addresses = '127.0.0.1'
unix_socket_directories = '%s'
shared_buffers = 32MB
max_connections = 200
logging_collector = off
`, dir) + extra
	if err := appendFile(filepath.Join(data, "postgresql.conf"), conf); err != nil {
		return nil, err
	}

	// The port is chosen by binding :0 and closing; another process may
	// grab it before postgres does, so retry with a new port.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		out, err := s.pgCmd(asRoot, filepath.Join(bin, "pg_ctl"), "start",
			"-D", data, "-l", logFile, "-w", "-t", "120",
			"-o", "-p "+strconv.Itoa(port)).CombinedOutput()
		if err != nil {
			log, _ := os.ReadFile(logFile)
			lastErr = fmt.Errorf("pg_ctl start (port %d): %v\n%s\n--- server log ---\n%s", port, err, out, tail(log, 4000))
			continue
		}
		s.adminURL = &url.URL{
			Scheme:   "postgres",
			User:     url.User(pgUser),
			Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			Path:     "/postgres",
			RawQuery: "sslmode=disable",
		}
		if err := s.waitReady(30 * time.Second); err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, lastErr
}

// pgCmd builds a command for a PostgreSQL server binary, run as the
// postgres OS user when we are root.
func (s *server) pgCmd(asRoot bool, name string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if asRoot {
		cmd = exec.Command("runuser", append([]string{"-u", pgUser, "--", name}, args...)...)
	} else {
		cmd = exec.Command(name, args...)
	}
	cmd.Dir = s.dir // the postgres user may not be able to reach our cwd
	cmd.Env = s.env
	return cmd
}

// waitReady polls until the server answers a query.
func (s *server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		out, err := s.run("SELECT 1")
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server on %s not accepting connections after %v: %v\n%s", s.adminURL.Host, limit, err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// watchdogScript waits for EOF on stdin, which comes when Main closes the
// write end or when the test process dies for any reason, then stops the
// server and removes its directory. Args: $1 dir, $2 pg_ctl, $3 "root" or "".
const watchdogScript = `cat >/dev/null
if [ -f "$1/data/postmaster.pid" ]; then
  if [ "$3" = root ]; then
    (cd "$1" && runuser -u postgres -- "$2" stop -D "$1/data" -m immediate -w -t 60)
  else
    "$2" stop -D "$1/data" -m immediate -w -t 60
  fi
fi
rm -rf "$1"
`

func (s *server) startWatchdog(bin string, asRoot bool) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	root := ""
	if asRoot {
		root = "root"
	}
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "pgtest-watchdog", s.dir, filepath.Join(bin, "pg_ctl"), root)
	cmd.Stdin = r // stdout/stderr stay /dev/null so `go test` doesn't wait on it
	cmd.Dir = s.dir
	cmd.Env = s.env
	// Own process group: a Ctrl-C to the test must not kill the cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return err
	}
	r.Close()
	s.watchdog, s.stopW = cmd, w
	return nil
}

// stop shuts a private server down and removes its directory; no-op for an
// external server.
func (s *server) stop() error {
	if s.watchdog == nil {
		return nil
	}
	s.stopW.Close()
	done := make(chan error, 1)
	go func() { done <- s.watchdog.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(90 * time.Second):
		return fmt.Errorf("cleanup of %s did not finish in 90s", s.dir)
	}
}

// cleanEnv is the environment without libpq variables (PGHOST, PGPORT,
// PGDATABASE, ...), which must not redirect the private server's tools.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func tail(b []byte, n int) []byte {
	b = bytes.TrimSpace(b)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return b
}
