package main

// Many servers on one PostgreSQL: three `trygg serve` behind HAProxy (a
// real load balancer, Debian's haproxy, as a child process), one of them
// killed with SIGKILL and restarted while writers sign in and open cases
// through the balancer. Nothing acknowledged is lost, every timer due
// during the run fires exactly once, a session made on one server works
// on every server and across the restart, and the loops one server at a
// time runs (the notifier, a subscription's deliveries) move to a live
// server once the killed one's lease runs out, the webhook's receiver
// getting every event in log order.

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/pgtest"
)

// haproxyBinary is Debian's haproxy (make deps installs it), or the one
// TRYGG_TEST_HAPROXY names; TRYGG_TEST_HAPROXY=off skips the test.
func haproxyBinary(t *testing.T) string {
	t.Helper()
	switch v := os.Getenv("TRYGG_TEST_HAPROXY"); v {
	case "off":
		t.Skip("the HAProxy test is off (TRYGG_TEST_HAPROXY=off)")
	case "":
	default:
		return v
	}
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	t.Fatal("haproxy not found: `make deps` installs it (Debian package haproxy); TRYGG_TEST_HAPROXY=off skips this test")
	return ""
}

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// haproxyConfig is the balancer in front of the servers on ports: round
// robin, each server checked on /readyz every 200 ms, out after two
// failed checks and back after one good one.
func haproxyConfig(front int, ports []int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
    maxconn 512

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    retries 2
    option redispatch

frontend trygg
    bind 127.0.0.1:%d
    default_backend trygg

backend trygg
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 200ms fall 2 rise 1
`, front)
	for i, p := range ports {
		fmt.Fprintf(&b, "    server trygg%d 127.0.0.1:%d check\n", i+1, p)
	}
	return b.String()
}

// cpuOf is the CPU time an exited child used.
func cpuOf(cmd *exec.Cmd) time.Duration {
	if cmd.ProcessState == nil {
		return 0
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// selfCPU is the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// leaseHolder returns who holds the consumer's lease (its cursor's
// leased_by) and until when.
func leaseHolder(t *testing.T, db *sql.DB, consumer string) (string, time.Time) {
	t.Helper()
	var by string
	var until int64
	err := db.QueryRow(`SELECT leased_by, leased_until FROM notifier_cursors WHERE tenant_id = $1 AND consumer = $2`, string(demo.TenantID), consumer).Scan(&by, &until)
	if err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return by, time.UnixMicro(until)
}

func TestManyServersBehindHAProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary, runs three servers and HAProxy")
	}
	haproxy := haproxyBinary(t)
	dsn := pgtest.NewDatabase(t)
	bin := buildBinary(t)
	start, selfStart := time.Now(), selfCPU()
	var serversCPU time.Duration // the servers' and HAProxy's, as each exits

	// The demo municipality is loaded once, before the servers start.
	data := t.TempDir()
	if out, stderr, err := runCmd(t, nil, "demo", "--persons", "20", "--staff", "20", "--data", data, "--db", dsn); err != nil {
		t.Fatalf("trygg demo: %v\n%s\n%s", err, out, stderr)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// A webhook receiver on loopback that records each event's id once,
	// in the order first received, and counts repeats.
	var (
		rmu      sync.Mutex
		received []string
		seen     = map[string]bool{}
		repeats  int
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		id := r.Header.Get("webhook-id")
		rmu.Lock()
		if seen[id] {
			repeats++
		} else {
			seen[id] = true
			received = append(received, id)
		}
		rmu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()

	const lease = 3 * time.Second
	ports := []int{freePort(t), freePort(t), freePort(t)}
	logPath := filepath.Join(data, "servers.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	defer func() {
		if t.Failed() {
			t.Logf("servers' log (tail):\n%s", tailOf(t, logPath))
		}
	}()
	// Every server shares the database and the population registry; each
	// has a data folder of its own (where the demo keeps its notices and
	// letters). --demo lets the demo's public passwords be used; the demo
	// municipality is already loaded, so no server loads it again. No
	// secret of a server's own needs sharing: sessions are rows in the
	// database.
	legacy := t.TempDir()
	for i := range 3 {
		if err := os.Mkdir(filepath.Join(data, "server"+strconv.Itoa(i+1)), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	args := func(i int) []string {
		own := filepath.Join(data, "server"+strconv.Itoa(i+1))
		return []string{"--demo", "--addr", "127.0.0.1:" + strconv.Itoa(ports[i]), "--db", dsn, "--data", own,
			"--registry", filepath.Join(data, "registry.json"), "--legacy-dir", legacy, "--nats-embedded", "off",
			"--timer-interval", "200ms", "--notify-interval", "200ms", "--delivery-interval", "100ms",
			"--webhook-allow-private", "--webhook-timeout", "1s", "--lease", lease.String()}
	}
	servers := make([]*child, 3)
	servers[0] = startChild(t, bin, logFile, args(0)...)
	first := servers[0].url

	// The subscription is made while the first server runs alone, so it
	// holds the deliveries' and the notifier's leases: it is the one
	// killed.
	admin := signIn(t, first, "admin", demo.Password)
	var made struct {
		Subscription struct{ ID string }
	}
	in, _ := json.Marshal(map[string]any{"name": "Plattformen", "kind": "webhook", "event_types": []string{"case.*"}, "destination": rcv.URL + "/trygg"})
	do(t, first, request{Method: "POST", Path: "/api/v1/subscriptions", Token: admin, Body: string(in)}).expect(t, http.StatusCreated, &made)
	deliveries := "subscription:" + made.Subscription.ID
	// The subscription starts at the end of the log: what it is to get
	// comes after this.
	var from int64
	if err := db.QueryRow(`SELECT seq FROM notifier_cursors WHERE tenant_id = $1 AND consumer = $2`, string(demo.TenantID), deliveries).Scan(&from); err != nil {
		t.Fatal(err)
	}
	// Writers sign in and open cases, on the first server until the
	// balancer is in front of all three, then through the balancer (each
	// request may reach any server); each case answered 201 for is
	// acknowledged. Their events keep the first server delivering, so it
	// keeps the deliveries' lease.
	const writers = 6
	var target atomic.Pointer[string]
	target.Store(&first)
	visible := searchVisible(t, first, signIn(t, first, "handlaggare", demo.Password))
	type ack struct{ id, title string }
	var (
		mu         sync.Mutex
		acked      []ack
		unexpected []string
		failed     atomic.Int64
		afterKill  atomic.Bool
		ackedAfter atomic.Int64
	)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	client := &http.Client{Timeout: 10 * time.Second, Transport: transport}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		token := signIn(t, first, "handlaggare", demo.Password)
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				title := fmt.Sprintf("Many servers, writer %d, case %d", w, n)
				id, status, b, err := openCaseOver(client, *target.Load(), token, visible[(w+n)%len(visible)], "many-servers", title)
				if err != nil {
					failed.Add(1)
					if status == 0 {
						time.Sleep(5 * time.Millisecond)
					}
					continue
				}
				mu.Lock()
				switch {
				case id != "":
					acked = append(acked, ack{id, title})
					if afterKill.Load() {
						ackedAfter.Add(1)
					}
				case status == http.StatusBadGateway || status == http.StatusServiceUnavailable:
					// The balancer lost the request with the server it sent it to.
					failed.Add(1)
				default:
					unexpected = append(unexpected, fmt.Sprintf("%d %s", status, b))
				}
				mu.Unlock()
				// At most 20 cases a second each: the load is steady,
				// whatever the machine's speed, and the test stays cheap.
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	var killedOwners [2]string
	for deadline := time.Now().Add(20 * time.Second); killedOwners[0] == "" || killedOwners[1] == ""; {
		killedOwners[0], _ = leaseHolder(t, db, deliveries)
		killedOwners[1], _ = leaseHolder(t, db, "citizen_notices")
		if time.Now().After(deadline) {
			t.Fatalf("the first server took no lease on the deliveries (%q) and the notifier (%q)", killedOwners[0], killedOwners[1])
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := 1; i < 3; i++ {
		servers[i] = startChild(t, bin, logFile, args(i)...)
	}

	// HAProxy in front, in the foreground (-db) as the test's child.
	front := freePort(t)
	cfg := filepath.Join(data, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(haproxyConfig(front, ports)), 0o600); err != nil {
		t.Fatal(err)
	}
	var hlog syncBuffer
	hp := exec.Command(haproxy, "-f", cfg, "-db")
	hp.Stdout, hp.Stderr = &hlog, &hlog
	if err := hp.Start(); err != nil {
		t.Fatalf("starting haproxy: %v", err)
	}
	defer func() {
		_ = hp.Process.Kill()
		_ = hp.Wait()
		if t.Failed() {
			t.Logf("haproxy's output:\n%s", hlog.String())
		}
	}()
	lb := "http://127.0.0.1:" + strconv.Itoa(front)
	waitReady(t, lb)
	target.Store(&lb)
	atLB := count()

	// A session made on one server, as the browser's cookie.
	cookie := signIn(t, servers[1].url, "arbetsledare", demo.Password)
	signedIn := func(base string) error {
		req, _ := http.NewRequest("GET", base+"/inbox", nil)
		req.AddCookie(&http.Cookie{Name: "trygg_session", Value: cookie})
		resp, err := httpClient.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s/inbox with the session cookie: %d, want 200", base, resp.StatusCode)
		}
		return nil
	}

	// Kill the first server in the middle of the writes, then start it
	// again on its port; the balancer's checks take it out and back.
	for deadline := time.Now().Add(30 * time.Second); count() < atLB+30 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	// Twenty timers fall due over the next five seconds, on both sides
	// of the kill: warnings of the demo's own deadlines.
	now := time.Now()
	res, err := db.Exec(`INSERT INTO timers (tenant_id, id, case_id, deadline_id, kind, due_date, fire_at, status)
		SELECT tenant_id, 'many-servers-' || n || '-' || id, case_id, deadline_id, 'warning', due_date,
			$1 + (ROW_NUMBER() OVER (ORDER BY n, id)) * 250000, 'pending'
		FROM timers, generate_series(1, 20) AS n WHERE tenant_id = $2 AND kind IN ('warning', 'overdue')
		ORDER BY n, id LIMIT 20`, now.UnixMicro(), string(demo.TenantID))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 20 {
		t.Fatalf("made %d timers, want 20: the demo has no deadline", n)
	}

	time.Sleep(1500 * time.Millisecond) // the first timers are firing
	killedAt := time.Now()
	servers[0].kill()
	serversCPU += cpuOf(servers[0].cmd)
	afterKill.Store(true)
	for _, s := range servers[1:] {
		if err := signedIn(s.url); err != nil {
			t.Errorf("while a server is down: %v", err)
		}
	}

	// The loops the killed server held move to a live server once its
	// lease runs out, before the killed one is back.
	for i, consumer := range []string{deliveries, "citizen_notices"} {
		for deadline := time.Now().Add(lease + 15*time.Second); ; {
			by, until := leaseHolder(t, db, consumer)
			if by != "" && by != killedOwners[i] && until.After(time.Now()) {
				t.Logf("%s: taken over by a live server %v after the kill", consumer, time.Since(killedAt).Round(time.Millisecond))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still leased by %q until %v, %v after the kill", consumer, by, until, time.Since(killedAt))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	restartLog := filepath.Join(data, "restarted.log")
	rlog, err := os.OpenFile(restartLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer rlog.Close()
	servers[0] = startChild(t, bin, rlog, args(0)...)
	t.Logf("the killed server was back after %v", time.Since(killedAt).Round(time.Millisecond))
	// The balancer sends writes to the restarted server too.
	for deadline := time.Now().Add(20 * time.Second); ; {
		b, _ := os.ReadFile(restartLog)
		if strings.Contains(string(b), `route="POST /api/v1/cases" status=201`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the balancer sent no case to the restarted server within 20s:\n%s", tailOf(t, restartLog))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The last timers are due five seconds after they were made.
	if d := time.Until(now.Add(6 * time.Second)); d > 0 {
		time.Sleep(d)
	}
	close(stop)
	wg.Wait()
	transport.CloseIdleConnections()

	for _, base := range []string{servers[0].url, servers[1].url, servers[2].url, lb} {
		if err := signedIn(base); err != nil {
			t.Errorf("after the restart: %v", err)
		}
	}
	mu.Lock()
	t.Logf("%d cases acknowledged (%d after the kill), %d requests lost in transit", len(acked), ackedAfter.Load(), failed.Load())
	if ackedAfter.Load() == 0 {
		t.Error("no case was acknowledged after the kill")
	}
	for i, u := range unexpected {
		if i == 5 {
			t.Errorf("... and %d more", len(unexpected)-5)
			break
		}
		t.Errorf("unexpected answer to a valid case: %s", u)
	}
	// Every acknowledged case is in the database.
	stored := map[string]string{}
	rows, err := db.Query(`SELECT id, title FROM cases WHERE tenant_id = $1 AND case_type = 'many-servers'`, string(demo.TenantID))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, title string
		if err := rows.Scan(&id, &title); err != nil {
			t.Fatal(err)
		}
		stored[id] = title
	}
	rows.Close()
	lost := 0
	for _, a := range acked {
		if stored[a.id] != a.title {
			if lost++; lost <= 5 {
				t.Errorf("acknowledged case %s (%q) is not in the database", a.id, a.title)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged cases are lost", lost, len(acked))
	}
	mu.Unlock()

	// The receiver gets every case event of the log, in log order, after
	// the kill as before it.
	var want []string
	wantAll := func() {
		want = want[:0]
		rows, err := db.Query(`SELECT seq FROM events WHERE tenant_id = $1 AND seq > $2 AND type LIKE 'case.%' ORDER BY seq`, string(demo.TenantID), from)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				t.Fatal(err)
			}
			want = append(want, fmt.Sprintf("%s-%d", demo.TenantID, seq))
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		wantAll()
		rmu.Lock()
		n := len(received)
		rmu.Unlock()
		if n >= len(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the receiver has %d of the log's %d case events 30s after the writes", n, len(want))
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	rmu.Lock()
	if strings.Join(received, " ") != strings.Join(want, " ") {
		t.Errorf("the receiver got %d events (first seen order), the log has %d: not every event once in log order", len(received), len(want))
		for i := range min(len(received), len(want)) {
			if received[i] != want[i] {
				t.Errorf("first difference at %d: got %s, want %s", i, received[i], want[i])
				break
			}
		}
	}
	t.Logf("the receiver got %d case events in log order, %d of them twice (sent again after the kill)", len(received), repeats)
	rmu.Unlock()

	for _, s := range servers {
		if err := s.stop(); err != nil {
			t.Errorf("stopping a server: %v", err)
		}
		serversCPU += cpuOf(s.cmd)
	}
	_ = hp.Process.Kill()
	_ = hp.Wait()
	serversCPU += cpuOf(hp)
	// Every timer due during the run fired exactly once.
	var mine, minePending int
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE status <> 'fired') FROM timers WHERE id LIKE 'many-servers-%'`).Scan(&mine, &minePending); err != nil {
		t.Fatal(err)
	}
	if minePending > 0 {
		t.Errorf("%d of the %d timers due during the run did not fire", minePending, mine)
	}
	checkTimersFiredOnce(t, []string{"--db", dsn}, data)
	checkDemoPastMonthsOnce(t, []string{"--db", dsn}, data)
	t.Logf("the test took %v, %v of CPU in the test process (the demo's load, the writers, the checks) and %v in the servers and HAProxy (PostgreSQL's not counted)",
		time.Since(start).Round(time.Millisecond), (selfCPU() - selfStart).Round(time.Millisecond), serversCPU.Round(time.Millisecond))
}

// A lease no longer than the webhook's timeout is refused: a send could
// outlive it and be made again by the server that takes over.
func TestServeLeaseLongerThanWebhookTimeout(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{{"--lease", "5s"}, {"--lease", "2s", "--webhook-timeout", "2s"}} {
		_, _, err := runCmd(t, nil, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "--lease must be longer than --webhook-timeout") {
			t.Errorf("serve %v: %v, want --lease refused", args, err)
		}
	}
}
