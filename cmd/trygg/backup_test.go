package main

// Backup and restore, as docs/backups.md tells an operator to do them: a
// running server keeps taking writes while the backup is made, the server
// is stopped, the backup put in place, checked with `trygg audit verify`
// and the server started on it again. What the server acknowledged before
// the backup began must be there; what it acknowledged after the backup
// was done must not (else the test restored nothing).

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver, to count rows
	_ "modernc.org/sqlite"             // "sqlite" driver, to count rows

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/pgtest"
	"github.com/trygg/trygg/internal/store"
)

// backupCaseType marks the cases the writers open.
const backupCaseType = "backup-test"

// ackedCase is a case the server acknowledged: when the request was sent
// and when the answer came.
type ackedCase struct {
	id, title      string
	sent, answered time.Time
}

// caseWriters open cases through the API (and read each back, which
// writes the access log) until halted.
type caseWriters struct {
	stop     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	acked    []ackedCase
	problems []string
	// A connection dialled but never used would hold up the server's
	// graceful shutdown for 5s; halt closes the idle ones.
	transport *http.Transport
}

func startCaseWriters(t *testing.T, base, token string, personIDs []string, n int) *caseWriters {
	t.Helper()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	w := &caseWriters{stop: make(chan struct{}), transport: transport}
	client := &http.Client{Timeout: 10 * time.Second, Transport: transport}
	send := func(method, path string, body []byte) (int, []byte, error) {
		req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	for k := range n {
		w.wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-w.stop:
					return
				default:
				}
				title := fmt.Sprintf("Backup test, writer %d, case %d", k, i)
				body, _ := json.Marshal(map[string]string{"person_id": personIDs[(k*7919+i)%len(personIDs)], "unit_id": "norra-ao",
					"case_type": backupCaseType, "title": title})
				sent := time.Now()
				status, b, err := send("POST", "/api/v1/cases", body)
				answered := time.Now()
				var c caseDoc
				if err != nil || status != http.StatusCreated || json.Unmarshal(b, &c) != nil || c.ID == "" {
					w.problem(fmt.Sprintf("opening a case: %d %s %v", status, b, err))
					continue
				}
				w.mu.Lock()
				w.acked = append(w.acked, ackedCase{id: c.ID, title: title, sent: sent, answered: answered})
				w.mu.Unlock()
				if status, b, err := send("GET", "/api/v1/cases/"+c.ID, nil); err != nil || status != http.StatusOK {
					w.problem(fmt.Sprintf("reading case %s back: %d %s %v", c.ID, status, b, err))
				}
			}
		})
	}
	t.Cleanup(func() { w.halt(t) })
	return w
}

func (w *caseWriters) problem(p string) {
	w.mu.Lock()
	w.problems = append(w.problems, p)
	w.mu.Unlock()
}

// snapshot returns the cases acknowledged so far.
func (w *caseWriters) snapshot() []ackedCase {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.acked)
}

// waitFor waits until n cases are acknowledged.
func (w *caseWriters) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(w.snapshot()) < n {
		if time.Now().After(deadline) {
			w.mu.Lock()
			problems := slices.Clone(w.problems)
			w.mu.Unlock()
			t.Fatalf("only %d of %d cases acknowledged within 30s; problems: %q", len(w.snapshot()), n, problems)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// halt stops the writers and reports any unexpected answer.
func (w *caseWriters) halt(t *testing.T) {
	t.Helper()
	select {
	case <-w.stop:
		return
	default:
	}
	close(w.stop)
	w.wg.Wait()
	w.transport.CloseIdleConnections()
	for i, p := range w.problems {
		if i == 5 {
			t.Errorf("... and %d more", len(w.problems)-5)
			break
		}
		t.Errorf("writer: %s", p)
	}
}

// splitAcked returns the cases acknowledged before began and those sent
// after done, and how many were acknowledged while the backup ran.
func splitAcked(acked []ackedCase, began, done time.Time) (before, after []ackedCase, during int) {
	for _, a := range acked {
		switch {
		case a.answered.Before(began):
			before = append(before, a)
		case a.sent.After(done):
			after = append(after, a)
		case a.answered.Before(done):
			during++
		}
	}
	return before, after, during
}

// checkRestored checks that every case in present reads back with its
// title and every case in absent is not found.
func checkRestored(t *testing.T, base, token string, present, absent []ackedCase) {
	t.Helper()
	if len(present) == 0 || len(absent) == 0 {
		t.Fatalf("%d cases acknowledged before the backup and %d after it; the test needs some of both", len(present), len(absent))
	}
	lost := 0
	for _, a := range present {
		var c caseDoc
		r := do(t, base, request{Method: "GET", Path: "/api/v1/cases/" + a.id, Token: token})
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &c) != nil || c.Title != a.title || c.CaseType != backupCaseType {
			if lost++; lost <= 5 {
				t.Errorf("case %s, acknowledged before the backup began, reads back as %d %s", a.id, r.Status, r.Body)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d cases acknowledged before the backup began are missing after the restore", lost, len(present))
	}
	for _, a := range absent {
		if r := do(t, base, request{Method: "GET", Path: "/api/v1/cases/" + a.id, Token: token}); r.Status != http.StatusNotFound {
			t.Errorf("case %s, opened after the backup was done, reads as %d after the restore; was the backup restored?", a.id, r.Status)
			break
		}
	}
}

// rowCounts counts the rows a backup reports, in a database.
func rowCounts(t *testing.T, driver, dsn string) map[string]int64 {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]int64{}
	for _, table := range []string{"tenants", "persons", "cases", "events", "access_log"} {
		var n int64
		if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// checkSnapshot checks that a restored database is one moment's state:
// every event sequence is gap-free up to its tenant's counter, and every
// backup-test case has its case.opened event and the other way round.
func checkSnapshot(t *testing.T, driver, dsn string) {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct{ what, query string }{
		{"tenants whose event counter is not the number of their events",
			`SELECT COUNT(*) FROM tenants t WHERE t.event_seq <> (SELECT COUNT(*) FROM events e WHERE e.tenant_id = t.id)
				OR t.event_seq <> (SELECT COALESCE(MAX(seq), 0) FROM events e WHERE e.tenant_id = t.id)`},
		{"cases without their case.opened event",
			`SELECT COUNT(*) FROM cases c WHERE c.case_type = '` + backupCaseType + `' AND NOT EXISTS
				(SELECT 1 FROM events e WHERE e.tenant_id = c.tenant_id AND e.type = 'case.opened' AND e.subject_id = c.id)`},
		{"case.opened events without their case",
			`SELECT COUNT(*) FROM events e WHERE e.type = 'case.opened' AND NOT EXISTS
				(SELECT 1 FROM cases c WHERE c.tenant_id = e.tenant_id AND c.id = e.subject_id)`},
	} {
		var n int64
		if err := db.QueryRow(c.query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("the restored database is not one moment's state: %d %s", n, c.what)
		}
	}
}

// checkBetween checks that each count of a restored database lies between
// the source's counts before the backup began and after it was done.
func checkBetween(t *testing.T, low, got, high map[string]int64) {
	t.Helper()
	for table, n := range got {
		if n < low[table] || n > high[table] {
			t.Errorf("%s: %d rows after the restore, want between %d (before the backup) and %d (after it)", table, n, low[table], high[table])
		}
	}
	if high["cases"] == low["cases"] {
		t.Errorf("no case was opened around the backup; the writers did not run")
	}
}

// sqliteReader is a DSN that reads a SQLite file beside a running server.
func sqliteReader(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
}

// restoreFile copies a backup file into the data folder, as cp would.
func restoreFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

var backupOutputRE = regexp.MustCompile(`(?m)^backup written to (\S+) \(([^)]+)\)
checked: integrity ok, schema version (\d+)
holds: tenants (\d+), persons (\d+), cases (\d+), events (\d+), access-log entries (\d+)
population registry copied to (\S+)
$`)

// smallDemo loads the smallest demo municipality (20 persons; the server's
// 2,000 take seconds longer) into a new data folder and the database dbArgs
// name, and returns the folder.
func smallDemo(t *testing.T, dbArgs ...string) string {
	t.Helper()
	data := t.TempDir()
	if out, stderr, err := runCmd(t, nil, append([]string{"demo", "--persons", "20", "--staff", "20", "--data", data}, dbArgs...)...); err != nil {
		t.Fatalf("trygg demo: %v\n%s\n%s", err, out, stderr)
	}
	return data
}

// registryNumbers returns the identity numbers in the data folder's
// population-registry file.
func registryNumbers(t *testing.T, data string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(data, "registry.json"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []struct {
		IdentityNumber string `json:"identity_number"`
	}
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range recs {
		out[r.IdentityNumber] = true
	}
	if len(out) < 20 {
		t.Fatalf("the registry holds %d identity numbers, want at least 20", len(out))
	}
	return out
}

func TestBackupRestoreSQLite(t *testing.T) {
	t.Parallel()
	data := smallDemo(t)
	dbPath := filepath.Join(data, "trygg.db")
	srv := startServer(t, nil, "--demo", "--data", data)
	registry := registryNumbers(t, data)
	token := signIn(t, srv.URL, "handlaggare", demo.Password)
	w := startCaseWriters(t, srv.URL, token, searchVisible(t, srv.URL, token), 4)
	w.waitFor(t, 20)

	// The backup, while the writers go on.
	out := filepath.Join(t.TempDir(), "trygg-backup.db")
	low := rowCounts(t, "sqlite", sqliteReader(dbPath))
	began := time.Now()
	stdout, stderr, err := runCmd(t, nil, "backup", "--data", data, "--out", out)
	done := time.Now()
	if err != nil {
		t.Fatalf("trygg backup: %v\n%s\n%s", err, stdout, stderr)
	}
	w.waitFor(t, len(w.snapshot())+20)
	w.halt(t)
	high := rowCounts(t, "sqlite", sqliteReader(dbPath))
	before, after, during := splitAcked(w.snapshot(), began, done)
	t.Logf("backup took %v; %d cases acknowledged before it, %d while it ran, %d after", done.Sub(began).Round(time.Millisecond), len(before), during, len(after))

	m := backupOutputRE.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("trygg backup printed:\n%s\nwant the file, its size, the checks, the counts and the registry copy", stdout)
	}
	if m[1] != out || m[3] != strconv.Itoa(store.LatestVersion()) || m[9] != filepath.Join(filepath.Dir(out), "trygg-backup.registry.json") {
		t.Errorf("trygg backup printed:\n%s", stdout)
	}
	for n := range registry {
		if strings.Contains(stdout+stderr, n) || strings.Contains(stdout+stderr, strings.ReplaceAll(n, "-", "")) {
			t.Fatalf("trygg backup printed the identity number %s", n)
		}
	}
	want, _ := os.ReadFile(filepath.Join(data, "registry.json"))
	if got, err := os.ReadFile(m[9]); err != nil || !bytes.Equal(got, want) {
		t.Errorf("the registry copy differs from data/registry.json (%v)", err)
	}

	// Restore: stop the server, put the backup in place of trygg.db
	// without stale -wal and -shm files, and the registry beside it.
	srv.stop()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	restoreFile(t, out, dbPath)
	restoreFile(t, m[9], filepath.Join(data, "registry.json"))

	got := rowCounts(t, "sqlite", sqliteReader(dbPath))
	printed := map[string]string{"tenants": m[4], "persons": m[5], "cases": m[6], "events": m[7], "access_log": m[8]}
	for table, n := range got {
		if strconv.FormatInt(n, 10) != printed[table] {
			t.Errorf("%s: trygg backup reported %s rows, the restored database has %d", table, printed[table], n)
		}
	}
	checkBetween(t, low, got, high)
	checkSnapshot(t, "sqlite", sqliteReader(dbPath))
	vout, _, err := runCmd(t, nil, "audit", "verify", "--data", data)
	if err != nil || !strings.Contains(vout, "tenant demo:") || !strings.Contains(vout, "chain verified") {
		t.Errorf("trygg audit verify on the restored database: %v\n%s", err, vout)
	}
	if mout, _, err := runCmd(t, nil, "migrate", "--data", data); err != nil || !strings.Contains(mout, "schema is up to date") {
		t.Errorf("trygg migrate on the restored database: %v\n%s", err, mout)
	}

	// The server serves the restored database; the session made before
	// the backup is in it too.
	restored := startServer(t, nil, "--demo", "--data", data)
	checkRestored(t, restored.URL, token, before, after)
	do(t, restored.URL, request{Method: "POST", Path: "/api/v1/cases", Token: token,
		Body: `{"person_id":"` + searchVisible(t, restored.URL, token)[0] + `","unit_id":"norra-ao","case_type":"` + backupCaseType + `","title":"After the restore"}`}).
		expect(t, http.StatusCreated, nil)
	restored.stop()
	checkNoIdentityNumbers(t, "restored server", restored.Stderr.String(), registry)
}

// TestBackupRefusals checks what trygg backup refuses, and that a refusal
// changes no file.
func TestBackupRefusals(t *testing.T) {
	data := t.TempDir()
	if _, _, err := runCmd(t, nil, "migrate", "--data", data); err != nil {
		t.Fatal(err)
	}
	withRegistry := t.TempDir()
	if _, _, err := runCmd(t, nil, "migrate", "--data", withRegistry); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(withRegistry, "registry.json"), []byte("[]"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string // {out} is the backup folder
		files  map[string]string
		usage  bool
		want   string // part of the error; "" for success
		stdout string // part of the output on success
	}{
		{name: "no --out", args: []string{"--data", data}, usage: true, want: "--out FILE is required"},
		{name: "an argument", args: []string{"--data", data, "--out", "{out}/b.db", "extra"}, usage: true, want: `unexpected argument "extra"`},
		{name: "an unknown flag", args: []string{"--data", data, "--out", "{out}/b.db", "--force"}, usage: true, want: "-force"},
		{name: "an existing file", args: []string{"--data", data, "--out", "{out}/b.db"},
			files: map[string]string{"b.db": "yesterday's backup"}, want: "already exists"},
		{name: "an existing registry copy", args: []string{"--data", withRegistry, "--out", "{out}/b.db"},
			files: map[string]string{"b.registry.json": "yesterday's registry"}, want: "b.registry.json already exists"},
		{name: "PostgreSQL", args: []string{"--db", "postgres://trygg@127.0.0.1:1/trygg?sslmode=disable", "--out", "{out}/b.db"},
			want: "pg_dump"},
		{name: "no database", args: []string{"--data", "{out}/nothing", "--out", "{out}/b.db"}, want: "no SQLite database at"},
		{name: "a missing folder", args: []string{"--data", data, "--out", "{out}/missing/b.db"}, want: "no such file"},
		{name: "without a registry", args: []string{"--data", data, "--out", "{out}/b.db"},
			stdout: "no population-registry file at " + filepath.Join(data, "registry.json")},
		{name: "with a registry", args: []string{"--data", withRegistry, "--out", "{out}/b.db"},
			stdout: "population registry copied to"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"backup"}
			for _, a := range tc.args {
				args = append(args, strings.ReplaceAll(a, "{out}", dir))
			}
			stdout, _, err := runCmd(t, nil, args...)
			var ue usageError
			if tc.want == "" {
				if err != nil || !strings.Contains(stdout, tc.stdout) {
					t.Fatalf("%v: %v\n%s", args, err, stdout)
				}
				if _, err := store.VerifyBackup(t.Context(), filepath.Join(dir, "b.db")); err != nil {
					t.Errorf("the backup: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.As(err, &ue) != tc.usage {
				t.Errorf("%v: %v (usage error: %v); want an error saying %q (usage error: %v)", args, err, errors.As(err, &ue), tc.want, tc.usage)
			}
			// Exactly the files that were there, unchanged.
			entries, _ := os.ReadDir(dir)
			if len(entries) != len(tc.files) {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("the backup folder holds %v after the refusal, want only %v", names, tc.files)
			}
			for name, content := range tc.files {
				if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != content {
					t.Errorf("%s was changed: %q, %v", name, b, err)
				}
			}
		})
	}
}

// pgTool returns the path of a PostgreSQL client program from the newest
// /usr/lib/postgresql/*/bin (where Debian's postgresql package puts it,
// and where internal/pgtest finds the server) or the PATH, or "".
func pgTool(name string) string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	version := func(p string) int {
		n, _ := strconv.Atoi(strings.SplitN(filepath.Base(filepath.Dir(filepath.Dir(p))), ".", 2)[0])
		return n
	}
	slices.SortFunc(matches, func(a, b string) int { return version(b) - version(a) })
	if len(matches) > 0 {
		return matches[0]
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return ""
}

// runPG runs a PostgreSQL client program without the caller's PG*
// settings, so it sees only its arguments.
func runPG(t *testing.T, bin string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
}

// TestBackupRestorePostgres runs the pg_dump and pg_restore commands of
// docs/backups.md while the server takes writes.
func TestBackupRestorePostgres(t *testing.T) {
	pgDump, pgRestore := pgTool("pg_dump"), pgTool("pg_restore")
	if pgDump == "" || pgRestore == "" {
		t.Skip("pg_dump and pg_restore not found in /usr/lib/postgresql/*/bin or on the PATH; they come with the Debian package postgresql (`make deps`)")
	}
	t.Parallel()
	src := pgtest.NewDatabase(t)
	data := smallDemo(t, "--db", src)
	srv := startServer(t, nil, "--demo", "--data", data, "--db", src)
	registry := registryNumbers(t, data)
	token := signIn(t, srv.URL, "handlaggare", demo.Password)
	w := startCaseWriters(t, srv.URL, token, searchVisible(t, srv.URL, token), 4)
	w.waitFor(t, 20)

	dump := filepath.Join(t.TempDir(), "trygg.dump")
	low := rowCounts(t, "pgx", src)
	began := time.Now()
	runPG(t, pgDump, "--format=custom", "--file="+dump, "--dbname="+src)
	done := time.Now()
	w.waitFor(t, len(w.snapshot())+20)
	w.halt(t)
	high := rowCounts(t, "pgx", src)
	before, after, during := splitAcked(w.snapshot(), began, done)
	t.Logf("pg_dump took %v; %d cases acknowledged before it, %d while it ran, %d after", done.Sub(began).Round(time.Millisecond), len(before), during, len(after))
	srv.stop()

	// Into a new, empty database, as the restore steps say.
	dst := pgtest.NewDatabase(t)
	runPG(t, pgRestore, "--exit-on-error", "--single-transaction", "--no-owner", "--dbname="+dst, dump)
	checkBetween(t, low, rowCounts(t, "pgx", dst), high)
	checkSnapshot(t, "pgx", dst)
	vout, _, err := runCmd(t, nil, "audit", "verify", "--db", dst)
	if err != nil || !strings.Contains(vout, "tenant demo:") || !strings.Contains(vout, "chain verified") {
		t.Errorf("trygg audit verify on the restored database: %v\n%s", err, vout)
	}
	if mout, _, err := runCmd(t, nil, "migrate", "--db", dst); err != nil || !strings.Contains(mout, "schema is up to date") {
		t.Errorf("trygg migrate on the restored database: %v\n%s", err, mout)
	}
	restored := startServer(t, nil, "--demo", "--data", data, "--db", dst)
	checkRestored(t, restored.URL, token, before, after)
	restored.stop()
	checkNoIdentityNumbers(t, "restored server", restored.Stderr.String(), registry)
}
