package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// TestLimiterBuckets: a bucket holds N tokens refilled over Per; an empty
// one says how long until the next token; a token given back counts
// again; full buckets are forgotten, and the number of keys is bounded.
func TestLimiterBuckets(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := newLimiter("test", Rate{N: 3, Per: 3 * time.Minute}, 100, func() time.Time { return now })
	for i := range 3 {
		if ok, _ := l.take("a"); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	ok, wait := l.take("a")
	if ok || wait <= 0 || wait > time.Minute {
		t.Fatalf("4th attempt: ok %v, wait %v; want refused, about a minute", ok, wait)
	}
	if ok, _ := l.take("b"); !ok {
		t.Errorf("another key is limited by the first")
	}
	l.give("a")
	if ok, _ := l.take("a"); !ok {
		t.Errorf("a token given back does not count")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.take("a"); !ok {
		t.Errorf("no token after a minute")
	}
	now = now.Add(10 * time.Minute)
	l.take("c")
	if n := l.size(); n != 1 {
		t.Errorf("after the refill period %d keys are kept, want only the one just used", n)
	}
	for i := range 500 {
		l.take(strings.Repeat("k", i+1))
	}
	if n := l.size(); n > 100 {
		t.Errorf("%d keys kept, want at most 100", n)
	}
	if ok, _ := (*limiter)(nil).take("x"); !ok {
		t.Errorf("no limiter limits")
	}
	if ok, _ := newLimiter("off", Rate{}, 0, time.Now).take("x"); !ok {
		t.Errorf("the zero rate limits")
	}
	for k := range l.buckets {
		if strings.Contains(k, "kkk") {
			t.Errorf("the limiter keeps a key in clear: %q", k)
		}
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]Rate{"10/15m": {10, 15 * time.Minute}, "60/1m": {60, time.Minute}, "off": {}, " 3/1h ": {3, time.Hour}} {
		if got, err := ParseRate(in); err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "10", "x/1m", "10/x", "-1/1m", "5/0s"} {
		if _, err := ParseRate(in); err == nil {
			t.Errorf("ParseRate(%q) accepted", in)
		}
	}
}

// TestClientAddress: the connection's address, unless it is a trusted
// proxy; then the last untrusted hop of X-Forwarded-For.
func TestClientAddress(t *testing.T) {
	ls := newLimiters(Limits{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, time.Now)
	for _, tc := range []struct{ remote, xff, want string }{
		{"192.0.2.7:5000", "203.0.113.9", "192.0.2.7"},
		{"10.1.2.3:5000", "203.0.113.9", "203.0.113.9"},
		{"10.1.2.3:5000", "198.51.100.1, 203.0.113.9, 10.4.4.4", "203.0.113.9"},
		{"10.1.2.3:5000", "", "10.1.2.3"},
		{"10.1.2.3:5000", "junk", "10.1.2.3"},
		{"[::ffff:192.0.2.8]:5000", "", "192.0.2.8"},
		{"[2001:db8:1:2:3:4:5:6]:5000", "", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:5000", "", "2001:db8:1:2::/64"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := ls.clientAddress(r); got != tc.want {
			t.Errorf("remote %s, X-Forwarded-For %q: %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}

// TestLimitCitizen: the shared limit on citizens' submissions answers the
// n+1th with a rate-limited error and Retry-After, per account.
func TestLimitCitizen(t *testing.T) {
	s := &Server{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		limits: newLimiters(Limits{CitizenSubmit: Rate{N: 2, Per: time.Hour}}, time.Now)}
	a := trygg.Actor{Tenant: "t", UserID: "u1"}
	r := httptest.NewRequest("POST", "/portal/x", nil)
	for i := range 2 {
		if err := s.LimitCitizen(httptest.NewRecorder(), r, a); err != nil {
			t.Fatalf("submission %d: %v", i+1, err)
		}
	}
	w := httptest.NewRecorder()
	err := s.LimitCitizen(w, r, a)
	if trygg.ErrorCode(err) != trygg.ERateLimited || statusOf[trygg.ErrorCode(err)] != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("3rd submission: %v, Retry-After %q", err, w.Header().Get("Retry-After"))
	}
	if msg := MessageIn("sv", trygg.ErrorMessage(err)); !strings.Contains(msg, "Vänta minst 30 min") {
		t.Errorf("the Swedish message: %q", msg)
	}
	if err := s.LimitCitizen(httptest.NewRecorder(), r, trygg.Actor{Tenant: "t", UserID: "u2"}); err != nil {
		t.Errorf("another citizen is limited by the first: %v", err)
	}
}

// TestLimiterFullTable: when a limit holds as many keys as it may and each
// still limits, a new key is refused with the time until one has filled
// up again, and no key that limits is forgotten; once some have filled
// up, they make room.
func TestLimiterFullTable(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := newLimiter("test", Rate{N: 2, Per: time.Minute}, 3, func() time.Time { return now })
	for _, k := range []string{"a", "b", "c"} {
		if ok, _ := l.take(k); !ok {
			t.Fatalf("%s refused", k)
		}
	}
	ok, wait := l.take("d")
	if ok || wait <= 0 || wait > 30*time.Second {
		t.Fatalf("a new key in a full table: ok %v, wait %v; want refused, at most 30 s", ok, wait)
	}
	if n := l.size(); n != 3 {
		t.Errorf("%d keys kept, want the 3 that limit", n)
	}
	// Each of a, b and c has one attempt left, no more.
	for _, k := range []string{"a", "b", "c"} {
		if ok, _ := l.take(k); !ok {
			t.Errorf("%s: its last attempt refused", k)
		}
		if ok, _ := l.take(k); ok {
			t.Errorf("%s: forgotten, so it got a third attempt in a minute", k)
		}
	}
	// A minute on, all have filled up again: a new key takes the place of
	// one of them.
	now = now.Add(time.Minute)
	l.take("a")
	if ok, _ := l.take("d"); !ok {
		t.Errorf("a new key refused although keys have filled up again")
	}
	if ok, _ := l.take("a"); !ok {
		t.Errorf("a: its second attempt refused")
	}
	if ok, _ := l.take("a"); ok {
		t.Errorf("a: forgotten to make room, so it got a third attempt")
	}
}
