package main

// The crash test kills the real binary with SIGKILL while writers open
// cases, restarts it on the same data, and checks that every case the
// server acknowledged is still there and the access-log chain verifies.

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
)

// built is the binary the tests that run trygg as a process share: it
// is built once per test run, into binDir (removed by TestMain).
var built struct {
	once sync.Once
	bin  string
	err  error
}

var binDir string

// buildBinary builds ./cmd/trygg, once per test run, and returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "trygg-bin-")
		if err != nil {
			built.err = err
			return
		}
		binDir = dir
		built.bin = filepath.Join(dir, "trygg")
		if out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// childEnv is the test's environment without TRYGG_* settings, so the
// child sees only its flags.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRYGG_") {
			env = append(env, kv)
		}
	}
	return env
}

// child is a `trygg serve` process.
type child struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

// startChild starts `bin serve --addr 127.0.0.1:0 args...`, appending its
// stderr to logFile, and waits until it is ready.
func startChild(t *testing.T, bin string, logFile *os.File, args ...string) *child {
	t.Helper()
	stdout := &syncBuffer{}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = stdout, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting trygg: %v", err)
	}
	c := &child{cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() { c.kill() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := runningRE.FindStringSubmatch(stdout.String()); m != nil {
			c.url = m[1]
			break
		}
		select {
		case err := <-c.done:
			c.done <- err
			t.Fatalf("trygg serve exited before it was running: %v\n%s", err, tailOf(t, logFile.Name()))
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("trygg serve did not print its URL within 60s\n%s", tailOf(t, logFile.Name()))
		}
	}
	waitReady(t, c.url)
	return c
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	err := <-c.done
	c.done <- err
}

// stop asks for a graceful shutdown and returns how the process ended.
func (c *child) stop() error {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		c.done <- err
		return err
	case <-time.After(30 * time.Second):
		return fmt.Errorf("no exit within 30s of SIGTERM")
	}
}

func tailOf(t testing.TB, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it repeatedly")
	}
	bin := buildBinary(t)
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			testCrashRecovery(t, bin, eng)
		})
	}
}

// target is where the writers send requests: the current server and how
// many restarts it has seen.
type target struct {
	url        string
	generation int
}

func testCrashRecovery(t *testing.T, bin string, eng engine) {
	const (
		writers = 8
		kills   = 3
	)
	data := t.TempDir()
	// Timers are fired often, so crashes fall while the demo's due
	// timers fire.
	dbArgs := eng.dbArgs(t)
	args := append([]string{"--demo", "--data", data, "--timer-interval", "100ms"}, dbArgs...)
	logPath := filepath.Join(data, "server.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	defer func() {
		if t.Failed() {
			t.Logf("server log (tail):\n%s", tailOf(t, logPath))
		}
	}()

	srv := startChild(t, bin, logFile, args...)
	var cur atomic.Pointer[target]
	cur.Store(&target{url: srv.url})
	// One session for all writers: sessions are rows in the database, so
	// it must survive the crashes too.
	token := signIn(t, srv.url, "handlaggare", demo.Password)
	visible := searchVisible(t, srv.url, token)

	type ack struct {
		id, personID, title string
		generation          int
	}
	var (
		mu         sync.Mutex
		acked      []ack
		unexpected []string
		netErrors  atomic.Int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	transport := http.DefaultTransport.(*http.Transport).Clone()
	client := &http.Client{Timeout: 10 * time.Second, Transport: transport}
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				tg := cur.Load()
				personID := visible[rng.IntN(len(visible))]
				title := fmt.Sprintf("Crash test, writer %d, case %d", w, n)
				id, status, b, err := openCaseOver(client, tg.url, token, personID, "crash-test", title)
				if err != nil {
					// The server is down or was killed mid-request.
					netErrors.Add(1)
					if status == 0 {
						time.Sleep(5 * time.Millisecond)
					}
					continue
				}
				mu.Lock()
				switch {
				case id != "":
					acked = append(acked, ack{id: id, personID: personID, title: title, generation: tg.generation})
				default:
					unexpected = append(unexpected, fmt.Sprintf("generation %d: %d %s", tg.generation, status, b))
				}
				mu.Unlock()
			}
		})
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	// ackedIn counts the cases generation g has acknowledged so far.
	ackedIn := func(g int) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, a := range acked {
			if a.generation == g {
				n++
			}
		}
		return n
	}
	for k := 1; k <= kills; k++ {
		time.Sleep(time.Duration(300+rng.IntN(900)) * time.Millisecond)
		// A busy machine may start a server slowly: each run is killed
		// only once the writers have reached it, so every run is a crash
		// in the middle of writes.
		for deadline := time.Now().Add(30 * time.Second); ackedIn(k-1) == 0 && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		srv.kill()
		srv = startChild(t, bin, logFile, args...)
		cur.Store(&target{url: srv.url, generation: k})
	}
	time.Sleep(500 * time.Millisecond)
	for deadline := time.Now().Add(30 * time.Second); ackedIn(kills) == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	perGeneration := make([]int, kills+1)
	for _, a := range acked {
		perGeneration[a.generation]++
	}
	t.Logf("%s: %d cases acknowledged per server run %v, %d requests failed in transit", eng.name, len(acked), perGeneration, netErrors.Load())
	for g, n := range perGeneration {
		if n == 0 {
			t.Errorf("server run %d acknowledged no case; the writers did not reach it", g)
		}
	}
	for i, u := range unexpected {
		if i == 5 {
			t.Errorf("... and %d more", len(unexpected)-5)
			break
		}
		t.Errorf("unexpected answer to a valid case: %s", u)
	}

	// Every acknowledged case survived the crashes.
	jobs := make(chan ack)
	var missing atomic.Int64
	var rwg sync.WaitGroup
	for range writers {
		rwg.Go(func() {
			for a := range jobs {
				req, _ := http.NewRequest("GET", srv.url+"/api/v1/cases/"+a.id, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					t.Errorf("reading case %s: %v", a.id, err)
					missing.Add(1)
					continue
				}
				var c caseDoc
				err = json.NewDecoder(resp.Body).Decode(&c)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || err != nil || c.ID != a.id || c.PersonID != a.personID || c.Title != a.title {
					if missing.Add(1) <= 5 {
						t.Errorf("acknowledged case %s (server run %d) reads back as %d %+v", a.id, a.generation, resp.StatusCode, c)
					}
				}
			}
		})
	}
	for _, a := range acked {
		jobs <- a
	}
	close(jobs)
	rwg.Wait()
	if n := missing.Load(); n > 0 {
		t.Errorf("%d of %d acknowledged cases are lost", n, len(acked))
	}

	// Let the last server's timer loop run before stopping it.
	time.Sleep(500 * time.Millisecond)
	// A connection the client dialled but never used would hold up the
	// graceful shutdown for 5s (net/http treats it as active until then).
	transport.CloseIdleConnections()
	if err := srv.stop(); err != nil {
		t.Errorf("graceful stop after the crashes: %v", err)
	}
	checkTimersFiredOnce(t, args, data)
	checkDemoPastMonthsOnce(t, args, data)
	verify := exec.Command(bin, append([]string{"audit", "verify", "--data", data}, dbArgs...)...)
	verify.Env = childEnv()
	out, err := verify.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "tenant demo:") || !strings.Contains(string(out), "chain verified") {
		t.Errorf("trygg audit verify after %d crashes: %v\n%s", kills, err, out)
	}
	log, _ := os.ReadFile(logPath)
	checkNoIdentityNumbers(t, "crashed server", string(log), readRegistry(t, data))
	if strings.Contains(string(log), "writing the demo's past failed") {
		t.Error("a restarted server failed to continue the demo's past")
	}
}

// checkDemoPastMonthsOnce reads the database the crashed servers used and
// checks that the demo's past, written after each start while the server
// took requests and cut short by the crashes, has no month written twice.
func checkDemoPastMonthsOnce(t *testing.T, args []string, data string) {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(data, "trygg.db")+"?mode=ro"
	for i, a := range args {
		if a == "--db" && i+1 < len(args) {
			driver, dsn = "pgx", args[i+1]
		}
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT payload FROM events WHERE type = 'demo.history_written' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	written := map[string]int{}
	plans := 0
	for rows.Next() {
		var payload string
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		var m struct {
			Through string `json:"through"`
		}
		_ = json.Unmarshal([]byte(payload), &m)
		if m.Through == "" {
			plans++
			continue
		}
		if written[m.Through]++; written[m.Through] == 2 {
			t.Errorf("the demo's past up to %s was written twice", m.Through)
		}
	}
	if plans != 1 {
		t.Errorf("the demo's past was planned %d times, want once", plans)
	}
	t.Logf("%d months of the demo's past written across the crashes", len(written))
}

// checkTimersFiredOnce reads the database the crashed servers used and
// checks the demo's due timers across the crashes: each fired timer has
// exactly one event (none fired twice; an execution warning's has none
// when its decision was executed or ended by then), every event of a
// timer belongs to a fired timer (the demo's past has deadline events of
// its own, without timers), and no timer that was due before the last
// start is still pending (none vanished).
func checkTimersFiredOnce(t *testing.T, args []string, data string) {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(data, "trygg.db")+"?mode=ro"
	for i, a := range args {
		if a == "--db" && i+1 < len(args) {
			driver, dsn = "pgx", args[i+1]
		}
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	status, kind := map[string]string{}, map[string]string{}
	var overduePending int
	rows, err := db.Query(`SELECT id, status, fire_at, kind FROM timers`)
	if err != nil {
		t.Fatal(err)
	}
	cutoff := time.Now().Add(-2 * time.Second).UnixMicro()
	for rows.Next() {
		var id, st, k string
		var fireAt int64
		if err := rows.Scan(&id, &st, &fireAt, &k); err != nil {
			t.Fatal(err)
		}
		status[id], kind[id] = st, k
		if st == "pending" && fireAt < cutoff {
			overduePending++
		}
	}
	rows.Close()
	fired := map[string]int{}
	rows, err = db.Query(`SELECT payload FROM events WHERE type IN ('deadline.warning', 'deadline.overdue', 'follow_up.due')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var payload string
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		var p struct {
			TimerID string `json:"timer_id"`
		}
		_ = json.Unmarshal([]byte(payload), &p)
		if p.TimerID != "" {
			fired[p.TimerID]++
		}
	}
	rows.Close()
	n := 0
	for id, st := range status {
		if st != "fired" {
			continue
		}
		n++
		if fired[id] != 1 && !(kind[id] == "execution" && fired[id] == 0) {
			t.Errorf("timer %s fired %d times", id, fired[id])
		}
	}
	for id := range fired {
		if status[id] != "fired" {
			t.Errorf("an event says timer %s fired, but it is %q", id, status[id])
		}
	}
	if overduePending > 0 {
		t.Errorf("%d due timers were never fired across the crashes", overduePending)
	}
	if n == 0 {
		t.Error("no timer fired: the crash test did not exercise the timers")
	}
	t.Logf("%d timers fired exactly once across the crashes", n)
}
