package web

import (
	"crypto/tls"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestStrictTransportSecurity: browsers are told to use HTTPS only when the
// request reached trygg over TLS, or a trusted proxy says the client used
// https; a client that sends X-Forwarded-Proto itself, past no trusted
// proxy, changes nothing.
func TestStrictTransportSecurity(t *testing.T) {
	h := New(Config{Limits: Limits{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}},
		nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	const want = "max-age=63072000; includeSubDomains"
	tests := []struct {
		name   string
		remote string
		tls    bool
		proto  []string // X-Forwarded-Proto headers
		want   string
	}{
		{name: "plain HTTP", remote: "192.0.2.7:5000"},
		{name: "TLS to trygg", remote: "192.0.2.7:5000", tls: true, want: want},
		{name: "a trusted proxy says https", remote: "10.1.2.3:5000", proto: []string{"https"}, want: want},
		{name: "a trusted proxy says HTTPS", remote: "10.1.2.3:5000", proto: []string{"HTTPS"}, want: want},
		{name: "a trusted proxy says http", remote: "10.1.2.3:5000", proto: []string{"http"}},
		{name: "a trusted proxy says nothing", remote: "10.1.2.3:5000"},
		{name: "proxies disagree", remote: "10.1.2.3:5000", proto: []string{"https, http"}},
		{name: "proxies disagree in two headers", remote: "10.1.2.3:5000", proto: []string{"https", "http"}},
		{name: "the client says https", remote: "192.0.2.7:5000", proto: []string{"https"}},
		{name: "the client says https over IPv6", remote: "[2001:db8::1]:5000", proto: []string{"https"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/healthz", nil)
			r.RemoteAddr = tt.remote
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for _, p := range tt.proto {
				r.Header.Add("X-Forwarded-Proto", p)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			if got := w.Header().Get("Strict-Transport-Security"); got != tt.want {
				t.Errorf("Strict-Transport-Security %q, want %q", got, tt.want)
			}
		})
	}
}
