package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// Rate limits: sign-in attempts per client address and per account, and
// citizens' submissions per account. Each limit is a token bucket per key,
// in memory, in this process: N tokens, refilled evenly over Per. An
// attempt takes a token; with none left the answer is 429 with
// Retry-After and nothing is done. Keys are kept only as keyed hashes (the
// key of the hash is random per process), so the limiter's memory holds
// no usernames, identity numbers or addresses, and nothing about a key is
// ever logged. Buckets that have filled up again are forgotten; one that
// still limits never is (see sweep).

// Rate is N events per Per. The zero Rate is no limit.
type Rate struct {
	N   int
	Per time.Duration
}

// Off reports whether r limits nothing.
func (r Rate) Off() bool { return r.N <= 0 || r.Per <= 0 }

// String returns r as ParseRate reads it ("10/15m", or "off").
func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	return strconv.Itoa(r.N) + "/" + r.Per.String()
}

// ParseRate reads "N/duration" ("10/15m", "60/1m") or "off". It returns
// an error naming the expected form for anything else.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Rate{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	if ok {
		count, err1 := strconv.Atoi(n)
		d, err2 := time.ParseDuration(per)
		if err1 == nil && err2 == nil && count > 0 && d > 0 {
			return Rate{N: count, Per: d}, nil
		}
	}
	return Rate{}, fmt.Errorf("rate %q: want N/duration, like 10/15m, or off", s)
}

// Limits configures the rate limits. The zero Limits limits nothing (the
// server's flags set the defaults, see docs/configuration.md).
type Limits struct {
	// SignInAddress limits sign-in attempts from one client address: the
	// password form, POST /api/v1/session, the citizen e-ID callback, the
	// demo test sign-in and POST /oauth/token. Every attempt counts.
	SignInAddress Rate
	// SignInAccount limits failed sign-in attempts per username, identity
	// number or API client id; a successful sign-in gives its token back.
	SignInAccount Rate
	// CitizenSubmit limits what a citizen sends in from the portal
	// (applications, attachments, messages, bookings), per citizen account.
	CitizenSubmit Rate
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For is believed; the client is the last address in it
	// that is not a trusted proxy. Empty: the connection's address counts.
	TrustedProxies []netip.Prefix
	// MaxKeys bounds the keys each limiter remembers (default 100 000).
	MaxKeys int
}

// limiter is the token buckets of one limit.
type limiter struct {
	name    string
	rate    Rate
	max     int
	hashKey []byte
	now     func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
	// nextFull is, while the table is full, the earliest time a bucket in
	// it may have filled up again: no sweep before then finds room.
	nextFull time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(name string, r Rate, maxKeys int, now func() time.Time) *limiter {
	if maxKeys <= 0 {
		maxKeys = 100_000
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &limiter{name: name, rate: r, max: maxKeys, hashKey: key, now: now, buckets: map[string]*bucket{}}
}

// hash is the key as the limiter keeps it.
func (l *limiter) hash(key string) string {
	m := hmac.New(sha256.New, l.hashKey)
	m.Write([]byte(key))
	return base64.RawStdEncoding.EncodeToString(m.Sum(nil)[:16])
}

// refill brings b up to now and returns it.
func (l *limiter) refill(b *bucket, now time.Time) {
	perToken := float64(l.rate.Per) / float64(l.rate.N)
	b.tokens = math.Min(float64(l.rate.N), b.tokens+float64(now.Sub(b.at))/perToken)
	b.at = now
}

// take takes a token for key. With none left, or no room for a new key
// (see sweep), it returns false and how long until one is back.
func (l *limiter) take(key string) (bool, time.Duration) {
	if l == nil || l.rate.Off() {
		return true, 0
	}
	now := l.now()
	h := l.hash(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[h]
	if b == nil {
		if !l.sweep(now) {
			return false, l.nextFull.Sub(now)
		}
		b = &bucket{tokens: float64(l.rate.N), at: now}
		l.buckets[h] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	perToken := float64(l.rate.Per) / float64(l.rate.N)
	return false, time.Duration((1 - b.tokens) * perToken)
}

// give puts back the token an attempt took (a successful sign-in).
func (l *limiter) give(key string) {
	if l == nil || l.rate.Off() {
		return
	}
	now := l.now()
	h := l.hash(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[h]; b != nil {
		l.refill(b, now)
		b.tokens = math.Min(float64(l.rate.N), b.tokens+1)
		if full := l.fullAt(b); full.Before(l.nextFull) {
			l.nextFull = full
		}
	}
}

// fullAt is when b, brought up to date, has filled up again.
func (l *limiter) fullAt(b *bucket) time.Time {
	perToken := float64(l.rate.Per) / float64(l.rate.N)
	return b.at.Add(time.Duration(math.Ceil((float64(l.rate.N) - b.tokens) * perToken)))
}

// sweep makes room for a new key: it forgets the buckets that have filled
// up again, which limit nothing, once per refill period or when the table
// is full, and reports whether there is room. It never forgets a bucket
// that still limits: forgetting one would give its key its attempts back,
// so whoever could fill the table (with many addresses or account names)
// could reset any limit. A full table of buckets that limit refuses new
// keys instead (429, until the first has filled up again); the address
// limit keeps one client from filling it, and legitimate keys already in
// the table go on as before. While full, a sweep waits for nextFull, and
// for a second after the last, so a flood of new keys costs no more than
// a map lookup each.
func (l *limiter) sweep(now time.Time) bool {
	full := len(l.buckets) >= l.max
	if full && now.Before(l.nextFull) {
		return false
	}
	if !full && now.Sub(l.lastSweep) < l.rate.Per {
		return true
	}
	l.lastSweep = now
	next := time.Time{}
	for k, b := range l.buckets {
		if l.refill(b, now); b.tokens >= float64(l.rate.N) {
			delete(l.buckets, k)
		} else if at := l.fullAt(b); next.IsZero() || at.Before(next) {
			next = at
		}
	}
	if len(l.buckets) < l.max {
		return true
	}
	l.nextFull = next
	if second := now.Add(time.Second); l.nextFull.Before(second) {
		l.nextFull = second
	}
	return false
}

// size returns how many keys the limiter remembers.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// limiters are the server's rate limits.
type limiters struct {
	signInAddress, signInAccount, citizenSubmit *limiter
	trusted                                     []netip.Prefix
}

func newLimiters(l Limits, now func() time.Time) *limiters {
	return &limiters{
		signInAddress: newLimiter("signin_address", l.SignInAddress, l.MaxKeys, now),
		signInAccount: newLimiter("signin_account", l.SignInAccount, l.MaxKeys, now),
		citizenSubmit: newLimiter("citizen_submit", l.CitizenSubmit, l.MaxKeys, now),
		trusted:       l.TrustedProxies,
	}
}

// clientAddress is the request's client as the limits count it: the
// connection's address, or, from a trusted proxy, the last address in
// X-Forwarded-For that is not a trusted proxy. An IPv6 client counts by
// its /64, the block one subscriber gets, so rotating addresses within it
// buys no more attempts.
func (ls *limiters) clientAddress(r *http.Request) string {
	addr, ok := peerAddr(r)
	if !ok {
		return peerHost(r)
	}
	if !ls.isTrusted(addr) {
		return clientBlock(addr)
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !ls.isTrusted(a) {
			return clientBlock(a)
		}
		addr = a
	}
	return clientBlock(addr)
}

// peerHost is the host part of the connection's address.
func peerHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return host
}

// peerAddr is the connection's address, and false if it is not an IP
// address.
func peerAddr(r *http.Request) (netip.Addr, bool) {
	addr, err := netip.ParseAddr(peerHost(r))
	if err != nil {
		return netip.Addr{}, false
	}
	return addr.Unmap(), true
}

// fromTrustedProxy reports whether the connection comes from a proxy named
// in --trusted-proxies, whose X-Forwarded-* headers are believed.
func (ls *limiters) fromTrustedProxy(r *http.Request) bool {
	addr, ok := peerAddr(r)
	return ok && ls.isTrusted(addr)
}

// clientBlock is an IPv4 address itself, and an IPv6 address's /64.
func clientBlock(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}

func (ls *limiters) isTrusted(a netip.Addr) bool {
	for _, p := range ls.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Messages of the limits. They hold no key and no personal data.
const (
	msgSignInLimited = "Too many sign-in attempts in a short time, so nothing was done. Wait at least %d min and try again."
	msgSubmitLimited = "You have sent in too much in a short time, so nothing was done. Wait at least %d min and try again."
)

// limitedError sets Retry-After on w and returns the rate-limited error
// with the wait in whole minutes (at least one).
func (s *Server) limitedError(w http.ResponseWriter, l *limiter, wait time.Duration, msg string) error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.Log.Warn("rate limited", "limit", l.name)
	return trygg.Errorf(trygg.ERateLimited, msg, (secs+59)/60)
}

// SignInAttempt is one sign-in attempt under the limits: it takes a
// token for the client address and one for the account (when known),
// and returns a rate-limited error (with Retry-After set on w) if either
// is spent. done reports the outcome: a success gives the account's token
// back, so only failures count per account.
func (s *Server) SignInAttempt(w http.ResponseWriter, r *http.Request, account string) (done func(ok bool), err error) {
	if ok, wait := s.limits.signInAddress.take(s.limits.clientAddress(r)); !ok {
		return nil, s.limitedError(w, s.limits.signInAddress, wait, msgSignInLimited)
	}
	if account == "" {
		return func(bool) {}, nil
	}
	if ok, wait := s.limits.signInAccount.take(account); !ok {
		return nil, s.limitedError(w, s.limits.signInAccount, wait, msgSignInLimited)
	}
	return func(ok bool) {
		if ok {
			s.limits.signInAccount.give(account)
		}
	}, nil
}

// SignInAccountAttempt checks the account limit alone, for a sign-in
// whose account is known only after the address was counted (the e-ID
// callback learns the identity number from the provider).
func (s *Server) SignInAccountAttempt(w http.ResponseWriter, account string) (done func(ok bool), err error) {
	if ok, wait := s.limits.signInAccount.take(account); !ok {
		return nil, s.limitedError(w, s.limits.signInAccount, wait, msgSignInLimited)
	}
	return func(ok bool) {
		if ok {
			s.limits.signInAccount.give(account)
		}
	}, nil
}

// LimitCitizen counts one submission of the signed-in citizen a (an
// application, an attachment, a message, a booking). Call it first in a
// portal handler that writes, before anything is done:
//
//	if err := s.LimitCitizen(w, r, a); err != nil {
//		return err
//	}
//
// Over the limit it sets Retry-After on w and returns an error that the
// page (or problem+json) wrapper answers with 429 and a plain message.
func (s *Server) LimitCitizen(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	if ok, wait := s.limits.citizenSubmit.take(string(a.Tenant) + "\x00" + a.UserID); !ok {
		return s.limitedError(w, s.limits.citizenSubmit, wait, msgSubmitLimited)
	}
	return nil
}

// AccountKey is the per-account key of a username in a tenant.
func AccountKey(tenant trygg.TenantID, username string) string {
	if username = strings.TrimSpace(username); username == "" {
		return ""
	}
	return "user\x00" + string(tenant) + "\x00" + username
}

// ClientKey is the per-account key of an API client id.
func ClientKey(id string) string {
	if id = strings.TrimSpace(id); id == "" {
		return ""
	}
	return "client\x00" + id
}
