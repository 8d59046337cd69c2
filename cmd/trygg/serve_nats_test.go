package main

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/trygg/trygg/internal/deliver"
)

var natsLineRE = regexp.MustCompile(`NATS with JetStream \(embedded, for NATS subscriptions\) at (nats://\S+)`)

// serveStdout runs trygg serve with args until the test ends (or stop is
// called) and returns what it printed once it said it is running.
func serveStdout(t *testing.T, args ...string) (out string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), envOf(nil), stdout, stderr)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("trygg serve %v: stopped with %v", args, err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("trygg serve %v: did not stop within 30s", args)
		}
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(60 * time.Second)
	for !runningRE.MatchString(stdout.String()) {
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("trygg serve %v exited: %v\n%s", args, err, stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("trygg serve %v did not print its URL within 60s\n%s", args, stderr)
		}
	}
	waitReady(t, runningRE.FindStringSubmatch(stdout.String())[1])
	return stdout.String(), stop
}

// trygg serve --nats-embedded runs a NATS server with JetStream on loopback
// and prints its URL; a NATS subscription's sender publishes to it, and
// after a restart the server is at the same URL with the stream it had.
// Without the flag (and without --demo) there is none.
func TestServeEmbeddedNATS(t *testing.T) {
	data := t.TempDir()
	dbFlags := []string{"--data", data}
	initArgs := append([]string{"init", "--tenant", "lillby", "--name", "Lillby kommun", "--code", "0123", "--admin", "sigrid"}, dbFlags...)
	if _, stderr, err := runCmd(t, map[string]string{"TRYGG_ADMIN_PASSWORD": "Lillbys förste förvaltare 2026"}, initArgs...); err != nil {
		t.Fatalf("init: %v\n%s", err, stderr)
	}

	out, stop := serveStdout(t, dbFlags...)
	if strings.Contains(out, "NATS") {
		t.Errorf("serve without --nats-embedded or --demo printed a NATS server:\n%s", out)
	}
	stop()

	out, stop = serveStdout(t, append(dbFlags, "--nats-embedded", "on")...)
	m := natsLineRE.FindStringSubmatch(out)
	if m == nil || !strings.HasPrefix(m[1], "nats://127.0.0.1:") {
		t.Fatalf("serve --nats-embedded on printed no NATS server on loopback:\n%s", out)
	}
	natsURL := m[1]
	n, err := deliver.NewNATS(t.Context(), deliver.NATSConfig{URL: natsURL, Stream: "TRYGG", CreateStream: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(t.Context(), deliver.Message{ID: "lillby-1", Type: "case.opened", Tenant: "lillby", Seq: 1, Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	n.Close()
	stop()

	out, _ = serveStdout(t, append(dbFlags, "--nats-embedded", "on")...)
	if m := natsLineRE.FindStringSubmatch(out); m == nil || m[1] != natsURL {
		t.Fatalf("after a restart serve printed %q, want the NATS server at %s again", out, natsURL)
	}
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(t.Context(), "TRYGG")
	if err != nil {
		t.Fatalf("the stream is gone after a restart: %v", err)
	}
	if info, err := s.Info(t.Context()); err != nil || info.State.Msgs != 1 {
		t.Errorf("stream after a restart: %+v, %v; want the 1 message", info, err)
	}
}

func TestEmbeddedNATSFlag(t *testing.T) {
	for _, tc := range []struct {
		mode    string
		demo    bool
		running bool
		usage   bool
	}{
		{"", false, false, false},
		{"", true, true, false},
		{"off", true, false, false},
		{"on", false, true, false},
		{"0", false, false, true},
		{"70000", false, false, true},
		{"sometimes", false, false, true},
	} {
		s, err := startEmbeddedNATS(t.TempDir(), tc.mode, tc.demo)
		if s != nil {
			s.Close()
		}
		if (s != nil) != tc.running {
			t.Errorf("--nats-embedded %q, demo %v: running %v, want %v", tc.mode, tc.demo, s != nil, tc.running)
		}
		var ue usageError
		if errors.As(err, &ue) != tc.usage || (err != nil && !tc.usage) {
			t.Errorf("--nats-embedded %q, demo %v: error %v, want a usage error: %v", tc.mode, tc.demo, err, tc.usage)
		}
	}
}
