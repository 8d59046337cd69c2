//go:build linux

package deliver_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The NATS tests also run against Debian's nats-server package as a
// separate process, installed by `make deps`. TRYGG_TEST_NATS_SERVER names
// another binary, or is "off" to skip these runs; without it a missing
// binary fails the tests, as a missing PostgreSQL does (internal/pgtest).
const envNATSServer = "TRYGG_TEST_NATS_SERVER"

func init() {
	natsBrokers = append(natsBrokers, natsBroker{name: "nats-server package", start: startNATSServerProcess})
}

func natsServerBinary(t *testing.T) string {
	t.Helper()
	switch v := os.Getenv(envNATSServer); v {
	case "off":
		t.Skip("tests against the nats-server package off (" + envNATSServer + "=off)")
	case "":
	default:
		return v
	}
	if p, err := exec.LookPath("nats-server"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/nats-server", "/usr/bin/nats-server"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("nats-server not found: install the Debian package nats-server (make deps installs it), name a binary in %s, or set %s=off to skip", envNATSServer, envNATSServer)
	return ""
}

// startNATSServerProcess runs nats-server with JetStream on 127.0.0.1,
// its streams in dir/js, and reads its port from the ports file it writes.
// The process is killed if the test binary dies.
func startNATSServerProcess(t *testing.T, dir string, port int) (string, func()) {
	t.Helper()
	bin := natsServerBinary(t)
	portsDir := filepath.Join(dir, "ports")
	if err := os.RemoveAll(portsDir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(portsDir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := "-1"
	if port != 0 {
		p = strconv.Itoa(port)
	}
	logFile := filepath.Join(dir, "nats-server.log")
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", p, "-js", "-sd", filepath.Join(dir, "js"),
		"--ports_file_dir", portsDir, "-l", logFile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	t.Cleanup(stop)

	portsFile := filepath.Join(portsDir, filepath.Base(bin)+"_"+strconv.Itoa(cmd.Process.Pid)+".ports")
	deadline := time.Now().Add(15 * time.Second)
	for {
		b, err := os.ReadFile(portsFile)
		if err == nil {
			var ports struct {
				Nats []string `json:"nats"`
			}
			if err := json.Unmarshal(b, &ports); err == nil && len(ports.Nats) > 0 {
				return ports.Nats[0], stop
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		select {
		case <-done:
			log, _ := os.ReadFile(logFile)
			t.Fatalf("%s exited: %s", bin, log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile)
			t.Fatalf("%s wrote no ports file within 15s: %s", bin, log)
		}
	}
}
