package deliver_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/deliver"
	"github.com/trygg/trygg/internal/events"
)

// verify is a receiver's check of a Standard Webhooks signature header,
// written from the specification apart from the package's Sign: some
// "v1," signature in the space-separated header must be the base64 of
// HMAC-SHA256 over id.timestamp.body with the secret's bytes.
func verify(secret, id, ts string, body []byte, header string) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Fields(header) {
		v, sig, ok := strings.Cut(s, ",")
		got, err := base64.StdEncoding.DecodeString(sig)
		if ok && v == "v1" && err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

func TestSign(t *testing.T) {
	specSecret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	a, b := deliver.NewSecret(), deliver.NewSecret()
	at := time.Unix(1614265330, 0)
	tests := []struct {
		name    string
		secrets []string
		id      string
		body    string
		want    string // exact header, when known
		verify  []string
		refuse  []string
		err     bool
	}{
		// The specification's own test vector.
		{name: "specification vector", secrets: []string{specSecret}, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", body: `{"test": 2432232314}`,
			want: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", verify: []string{specSecret}, refuse: []string{a}},
		{name: "one secret", secrets: []string{a}, id: "soc-1", body: `{}`, verify: []string{a}, refuse: []string{b}},
		{name: "rotation signs with both", secrets: []string{b, a}, id: "soc-2", body: `{"x":1}`, verify: []string{a, b}, refuse: []string{deliver.NewSecret()}},
		{name: "not a whsec secret", secrets: []string{"secret"}, id: "soc-3", body: `{}`, err: true},
		{name: "not base64", secrets: []string{"whsec_%%%"}, id: "soc-3", body: `{}`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deliver.Sign(tt.secrets, tt.id, at, []byte(tt.body))
			if tt.err {
				if err == nil {
					t.Fatalf("Sign = %q, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("Sign = %q, want %q", got, tt.want)
			}
			if n := len(strings.Fields(got)); n != len(tt.secrets) {
				t.Errorf("%d signatures, want %d", n, len(tt.secrets))
			}
			for _, s := range tt.verify {
				if !verify(s, tt.id, "1614265330", []byte(tt.body), got) {
					t.Errorf("a receiver with one of the secrets does not verify %q", got)
				}
			}
			for _, s := range tt.refuse {
				if verify(s, tt.id, "1614265330", []byte(tt.body), got) {
					t.Errorf("a receiver with another secret verifies %q", got)
				}
			}
			if verify(tt.secrets[0], tt.id, "1614265331", []byte(tt.body), got) || verify(tt.secrets[0], tt.id, "1614265330", []byte(tt.body+" "), got) {
				t.Error("a changed timestamp or body still verifies")
			}
		})
	}
	if !deliver.ValidSecret(a) || deliver.ValidSecret("whsec_AAAA") || a == b {
		t.Error("NewSecret's secrets are not valid and distinct, or a short secret is valid")
	}
}

func TestMessage(t *testing.T) {
	e := events.Event{Tenant: "soc", Seq: 42, At: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), ActorID: "u1", Type: "case.opened",
		SubjectType: "case", SubjectID: "c1", CaseID: "c1", PersonID: "p1", Payload: json.RawMessage(`{"name":"Anna Andersson","number":"19121212-1212"}`)}
	m := deliver.NewMessage(e)
	if m.ID != "soc-42" || m.Type != "case.opened" || m.Seq != 42 || m.CaseID != "c1" || m.Tenant != "soc" {
		t.Errorf("message = %+v", m)
	}
	var ce map[string]any
	if err := json.Unmarshal(m.Body, &ce); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"specversion": "1.0", "id": "soc-42", "type": "se.trygg.case.opened", "source": "/trygg/soc",
		"subject": "case/c1", "time": "2026-12-07T10:00:00Z", "datacontenttype": "application/json"} {
		if ce[k] != want {
			t.Errorf("%s = %v, want %v", k, ce[k], want)
		}
	}
	data, _ := ce["data"].(map[string]any)
	if data["case_id"] != "c1" || data["person_id"] != "p1" || data["seq"] != 42.0 || data["subject_type"] != "case" {
		t.Errorf("data = %v", data)
	}
	if strings.Contains(string(m.Body), "Anna") || strings.Contains(string(m.Body), "19121212") || strings.Contains(string(m.Body), "u1") {
		t.Errorf("the body carries the payload or the actor: %s", m.Body)
	}
}

func TestWebhookSend(t *testing.T) {
	secret := deliver.NewSecret()
	var got http.Header
	var gotBody []byte
	status := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		gotBody = make([]byte, r.ContentLength)
		_, _ = r.Body.Read(gotBody)
		if status == http.StatusFound {
			http.Redirect(w, r, "/elsewhere", status)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	m := deliver.NewMessage(events.Event{Tenant: "soc", Seq: 7, Type: "case.opened", At: time.Now()})
	loopback := deliver.Policy{AllowPrivate: true}
	tests := []struct {
		name   string
		status int
		policy deliver.Policy
		url    string
		check  func(error) bool
	}{
		{"accepted", http.StatusNoContent, loopback, srv.URL, func(err error) bool { return err == nil }},
		{"server error is retried", http.StatusInternalServerError, loopback, srv.URL, func(err error) bool { return err != nil && !errors.Is(err, deliver.ErrGone) }},
		{"410 is gone", http.StatusGone, loopback, srv.URL, func(err error) bool { return errors.Is(err, deliver.ErrGone) }},
		{"a redirect is not followed", http.StatusFound, loopback, srv.URL, func(err error) bool { return err != nil && !errors.Is(err, deliver.ErrGone) }},
		// localhost is a name: it passes the first check and is refused
		// when dialled, as a name rebound to a private address would be.
		{"loopback by name refused at dial time", http.StatusNoContent, deliver.Policy{}, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1),
			func(err error) bool { return errors.Is(err, deliver.ErrRefused) }},
		{"allow-listed range", http.StatusNoContent, deliver.Policy{Hosts: []string{"127.0.0.0/8"}}, srv.URL, func(err error) bool { return err == nil }},
		{"allow-listed name, private refused", http.StatusNoContent, deliver.Policy{Hosts: []string{"localhost"}}, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1),
			func(err error) bool { return errors.Is(err, deliver.ErrRefused) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got = tt.status, nil
			w, err := deliver.NewWebhook(deliver.WebhookConfig{URL: tt.url, Secrets: []string{secret}, Policy: tt.policy, Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			err = w.Send(context.Background(), m)
			if !tt.check(err) {
				t.Fatalf("Send = %v", err)
			}
			if tt.name != "accepted" {
				return
			}
			if got.Get("webhook-id") != "soc-7" || got.Get("Content-Type") != deliver.ContentType {
				t.Errorf("headers = %v", got)
			}
			if !verify(secret, got.Get("webhook-id"), got.Get("webhook-timestamp"), gotBody, got.Get("webhook-signature")) {
				t.Errorf("the receiver cannot verify the signature %q", got.Get("webhook-signature"))
			}
		})
	}
}

func TestWebhookRefusesPrivateByDefault(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/latest/meta-data",
		"http://0.0.0.0/", "http://224.0.0.1/", "http://[fe80::1]/", "http://100.64.0.1/", "http://[::ffff:127.0.0.1]/"} {
		if _, err := deliver.NewWebhook(deliver.WebhookConfig{URL: u, Secrets: []string{deliver.NewSecret()}}); !errors.Is(err, deliver.ErrRefused) {
			t.Errorf("%s: NewWebhook = %v, want refused", u, err)
		}
	}
	for _, u := range []string{"ftp://example.se/", "http://user:pw@example.se/", "example.se/x", "http:///x"} {
		if _, err := deliver.NewWebhook(deliver.WebhookConfig{URL: u, Secrets: []string{deliver.NewSecret()}}); err == nil {
			t.Errorf("%s is accepted", u)
		}
	}
	if _, err := deliver.NewWebhook(deliver.WebhookConfig{URL: "https://hooks.example.se/x", Secrets: []string{deliver.NewSecret()},
		Policy: deliver.Policy{Hosts: []string{"*.other.se"}}}); !errors.Is(err, deliver.ErrRefused) {
		t.Errorf("a host off the allow-list: %v", err)
	}
	if _, err := deliver.NewWebhook(deliver.WebhookConfig{URL: "https://hooks.example.se/x", Secrets: []string{deliver.NewSecret()},
		Policy: deliver.Policy{Hosts: []string{"*.example.se"}}}); err != nil {
		t.Errorf("a host on the allow-list: %v", err)
	}
}

func TestPublic(t *testing.T) {
	for a, want := range map[string]bool{"8.8.8.8": true, "2a00:1450::1": true, "193.10.1.1": true,
		"127.0.0.1": false, "10.0.0.1": false, "172.16.0.1": false, "192.168.1.1": false, "169.254.1.1": false, "0.0.0.0": false,
		"::": false, "::1": false, "fc00::1": false, "fe80::1": false, "ff02::1": false, "239.1.1.1": false, "100.100.1.1": false,
		"::ffff:10.0.0.1": false, "64:ff9b::a00:1": false, "255.255.255.255": false,
		// IPv4-compatible, IPv4-translated and site-local IPv6: each can
		// carry a private IPv4 address or reach the local site.
		"::7f00:1": false, "::a00:1": false, "::ffff:0:a00:1": false, "fec0::1": false} {
		if got := deliver.Public(netip.MustParseAddr(a)); got != want {
			t.Errorf("Public(%s) = %v, want %v", a, got, want)
		}
	}
}

func TestParseHosts(t *testing.T) {
	got, err := deliver.ParseHosts(" hooks.example.se, *.kommun.se ,10.0.0.0/8,192.0.2.1,")
	if err != nil || len(got) != 4 {
		t.Fatalf("ParseHosts = %v, %v", got, err)
	}
	for _, bad := range []string{"http://x", "a b", "*"} {
		if _, err := deliver.ParseHosts(bad); err == nil {
			t.Errorf("ParseHosts(%q) accepted", bad)
		}
	}
}

// A receiver that does not answer within the timeout is a failure to try
// again later, not a gone destination.
func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	w, err := deliver.NewWebhook(deliver.WebhookConfig{URL: srv.URL, Secrets: []string{deliver.NewSecret()},
		Policy: deliver.Policy{AllowPrivate: true}, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	start := time.Now()
	err = w.Send(context.Background(), deliver.NewMessage(events.Event{Tenant: "soc", Seq: 1, Type: "case.opened", At: time.Now()}))
	if err == nil || errors.Is(err, deliver.ErrGone) || time.Since(start) > 5*time.Second {
		t.Errorf("Send to a silent receiver = %v after %v", err, time.Since(start))
	}
}
