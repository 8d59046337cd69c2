package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/deliver"
)

// trygg serve delivers a subscription's events to its webhook from the
// event log: a receiver on loopback is refused until the operator allows
// private addresses (--webhook-allow-private), then gets the events
// signed, in order; after a restart delivery goes on from where it was,
// without repeating what was delivered. A bad allow-list stops the start.
func TestServeDeliversWebhooks(t *testing.T) {
	data := t.TempDir()
	dbFlags := []string{"--data", data}
	initArgs := append([]string{"init", "--tenant", "lillby", "--name", "Lillby kommun", "--code", "0123", "--admin", "sigrid"}, dbFlags...)
	const password = "Lillbys förste förvaltare 2026"
	if _, stderr, err := runCmd(t, map[string]string{"TRYGG_ADMIN_PASSWORD": password}, initArgs...); err != nil {
		t.Fatalf("init: %v\n%s", err, stderr)
	}
	var mu sync.Mutex
	var secret string
	var got []string // CloudEvent types, once each
	raw := 0         // messages received with a good signature
	seen := map[string]bool{}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		want, _ := deliver.Sign([]string{secret}, r.Header.Get("webhook-id"), time.Unix(unixOf(r.Header.Get("webhook-timestamp")), 0), body)
		if !strings.Contains(" "+r.Header.Get("webhook-signature")+" ", " "+want+" ") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		raw++
		if id := r.Header.Get("webhook-id"); !seen[id] {
			seen[id] = true
			var ce struct{ Type string }
			_ = json.Unmarshal(body, &ce)
			got = append(got, ce.Type)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	types := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
	api := func(base, token, method, path string, body any, want int, out any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, data)
		}
		if out != nil {
			_ = json.Unmarshal(data, out)
		}
	}
	signIn := func(base string) string {
		var s struct{ Token string }
		api(base, "", "POST", "/api/v1/session", map[string]string{"username": "sigrid", "password": password}, http.StatusCreated, &s)
		return s.Token
	}
	in := map[string]any{"name": "Plattformen", "kind": "webhook", "event_types": []string{"subscription.*"}, "destination": rcv.URL + "/trygg"}

	out, stop := serveStdout(t, dbFlags...)
	base := runningRE.FindStringSubmatch(out)[1]
	api(base, signIn(base), "POST", "/api/v1/subscriptions", in, http.StatusUnprocessableEntity, nil)
	stop()

	out, stop = serveStdout(t, append(dbFlags, "--webhook-allow-private", "--delivery-interval", "50ms")...)
	base = runningRE.FindStringSubmatch(out)[1]
	token := signIn(base)
	var made struct {
		Subscription struct{ ID string }
		Secret       string
	}
	api(base, token, "POST", "/api/v1/subscriptions", in, http.StatusCreated, &made)
	mu.Lock()
	secret = made.Secret
	mu.Unlock()
	id := made.Subscription.ID
	api(base, token, "POST", "/api/v1/subscriptions/"+id+"/pause", nil, http.StatusOK, nil)
	api(base, token, "POST", "/api/v1/subscriptions/"+id+"/resume", nil, http.StatusOK, nil)
	waitFor(t, func() bool { return len(types()) == 2 })
	stop()

	// Restarted, it goes on after what it delivered.
	out, stop = serveStdout(t, append(dbFlags, "--webhook-allow-private", "--delivery-interval", "50ms")...)
	base = runningRE.FindStringSubmatch(out)[1]
	token = signIn(base)
	api(base, token, "POST", "/api/v1/subscriptions/"+id+"/pause", nil, http.StatusOK, nil)
	api(base, token, "POST", "/api/v1/subscriptions/"+id+"/resume", nil, http.StatusOK, nil)
	waitFor(t, func() bool { return len(types()) == 4 })
	stop()
	want := []string{"se.trygg.subscription.paused", "se.trygg.subscription.resumed", "se.trygg.subscription.paused", "se.trygg.subscription.resumed"}
	if g := types(); strings.Join(g, " ") != strings.Join(want, " ") {
		t.Errorf("the receiver got %v, want %v", g, want)
	}
	mu.Lock()
	if raw != len(want) {
		t.Errorf("the receiver got %d messages, want %d: a stop in order repeats nothing", raw, len(want))
	}
	mu.Unlock()

	if _, _, err := runCmd(t, nil, append([]string{"serve", "--addr", "127.0.0.1:0", "--webhook-hosts", "http://x/"}, dbFlags...)...); err == nil || !strings.Contains(err.Error(), "--webhook-hosts") {
		t.Errorf("serve with a bad --webhook-hosts: %v", err)
	}
}

// unixOf reads a webhook-timestamp (0 if it is not one).
func unixOf(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// waitFor polls ok for up to 20 seconds.
func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
