package server

import (
	"context"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/trygg"
)

const sessionCookie = "trygg_session"

type ctxKey int

const (
	actorKey ctxKey = iota
	authErrKey
	tokenKey
	routeKey
	bearerFailedKey
	scopeRefusedKey
)

// routeHolder carries the matched route pattern, and the signed-in user's
// id, back to observe.
type routeHolder struct{ pattern, actor string }

// errBadBearer is the answer to an Authorization: Bearer header without a
// well-formed token: the same as to an unknown one.
var errBadBearer = trygg.Errorf(trygg.EUnauthorized, "Sign in to continue.")

// authenticate resolves the session token (Authorization: Bearer, or the
// session cookie) to an actor in the request context. A bad or expired
// token is remembered so handlers that need an actor can say why, and,
// from the Authorization header, so the 401 says invalid_token.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, bearer := "", false
		if h := r.Header.Get("Authorization"); h != "" {
			token, bearer = bearerToken(h)
		} else if c, err := r.Cookie(sessionCookie); err == nil {
			token = c.Value
		}
		ctx := r.Context()
		if token == "" && !bearer {
			next.ServeHTTP(w, r)
			return
		}
		var a trygg.Actor
		err := error(errBadBearer)
		if token != "" {
			a, err = s.Svc.Authenticate(ctx, token)
		}
		if err == nil && !inScope(a.Scope, r.URL.Path) {
			// A token for less than this route: no actor, and a handler
			// that needs one says why. The user id is kept for the log.
			ctx = context.WithValue(ctx, authErrKey, errOutOfScope)
			ctx = context.WithValue(ctx, scopeRefusedKey, a.Scope)
			if h, ok := ctx.Value(routeKey).(*routeHolder); ok {
				h.actor = a.UserID
			}
		} else if err != nil {
			ctx = context.WithValue(ctx, authErrKey, err)
			ctx = context.WithValue(ctx, bearerFailedKey, bearer)
		} else {
			ctx = context.WithValue(ctx, actorKey, a)
			ctx = context.WithValue(ctx, tokenKey, token)
			if h, ok := ctx.Value(routeKey).(*routeHolder); ok {
				h.actor = a.UserID
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// errOutOfScope is the answer to a token used beyond its scope: an alarm
// receiving centre's on any route but the alarms'.
var errOutOfScope = trygg.Errorf(trygg.EForbidden, "An alarm receiving centre's access token may only post alarm events.")

// inScope reports whether a token of scope may reach path. An alarm
// receiving centre's token (trygg.ScopeAlarms) reaches /api/v1/alarms
// and the paths under it, nothing else: not GET /api/v1/me, the other
// API routes or the pages, which would otherwise take it as a signed-in
// user with no role. Every other token reaches every route, where the
// access checks decide. A path that is not clean (dot segments, double
// slashes) is out of scope rather than trusted to be cleaned the same
// way by the router.
func inScope(scope, p string) bool {
	if scope != trygg.ScopeAlarms {
		return true
	}
	const alarms = "/api/v1/alarms"
	return p == alarms || strings.HasPrefix(p, alarms+"/") && path.Clean(p) == p
}

// bearerToken reads an Authorization header with the Bearer scheme (RFC
// 6750 §2.1): the scheme in any case (RFC 9110 §11.1), one or more spaces,
// and a b64token. bearer is false for another scheme; token is "" when
// the Bearer credentials are not one well-formed token.
func bearerToken(h string) (token string, bearer bool) {
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimLeft(rest, " ")
	if !isB64Token(token) {
		return "", true
	}
	return token, true
}

// isB64Token reports whether s is RFC 6750's b64token:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for _, c := range []byte(body) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

// wwwAuthenticate is the challenge of a 401 from the API (RFC 6750 §3): with
// error="invalid_token" when the request's bearer token was refused, with
// the realm alone when it had none; and of a 403 for a token used beyond
// its scope, error="insufficient_scope" (§3.1).
func wwwAuthenticate(r *http.Request) string {
	if scope, ok := r.Context().Value(scopeRefusedKey).(string); ok {
		return `Bearer realm="trygg", error="insufficient_scope", error_description="The access token's scope is ` + scope + `; this route is outside it."`
	}
	if failed, _ := r.Context().Value(bearerFailedKey).(bool); failed {
		return `Bearer realm="trygg", error="invalid_token", error_description="The access token is not valid or has expired."`
	}
	return `Bearer realm="trygg"`
}

// ActorFrom returns the signed-in actor, or the reason there is none.
func ActorFrom(r *http.Request) (trygg.Actor, error) {
	if a, ok := r.Context().Value(actorKey).(trygg.Actor); ok {
		return a, nil
	}
	if err, ok := r.Context().Value(authErrKey).(error); ok {
		return trygg.Actor{}, err
	}
	return trygg.Actor{}, trygg.Errorf(trygg.EUnauthorized, "Sign in to continue.")
}

// TokenFrom returns the session token the request was signed in with, or
// "" when it was not.
func TokenFrom(r *http.Request) string {
	t, _ := r.Context().Value(tokenKey).(string)
	return t
}

// hsts is the Strict-Transport-Security sent over HTTPS: two years, for
// the host and its subdomains.
const hsts = "max-age=63072000; includeSubDomains"

// securityHeaders sets the headers every answer carries, and
// Strict-Transport-Security on answers to requests that came over HTTPS.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if s.overHTTPS(r) {
			h.Set("Strict-Transport-Security", hsts)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// overHTTPS reports whether the client reached trygg over HTTPS: the
// connection is TLS, or it comes from a trusted proxy (--trusted-proxies)
// whose X-Forwarded-Proto says https, at every hop it lists. The header
// from anyone else is ignored: a client could send it over plain HTTP.
func (s *Server) overHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !s.limits.fromTrustedProxy(r) {
		return false
	}
	protos := r.Header.Values("X-Forwarded-Proto")
	if len(protos) == 0 {
		return false
	}
	for _, v := range protos {
		for p := range strings.SplitSeq(v, ",") {
			if !strings.EqualFold(strings.TrimSpace(p), "https") {
				return false
			}
		}
	}
	return true
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type metrics struct {
	gatherer prometheus.Gatherer
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "trygg_http_requests_total",
			Help: "HTTP requests by route pattern and status code."}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "trygg_http_request_duration_seconds",
			Help: "HTTP request duration by route pattern.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}, []string{"route"}),
	}
	if reg == nil {
		r := prometheus.NewRegistry()
		r.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
		reg = r
	}
	reg.MustRegister(m.requests, m.duration)
	if g, ok := reg.(prometheus.Gatherer); ok {
		m.gatherer = g
	} else {
		m.gatherer = prometheus.DefaultGatherer
	}
	return m
}

// observe records metrics and one log line per request. It logs the route
// pattern, never the path or query, so no identifier or personal data ends
// up in the log.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		holder := &routeHolder{}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey, holder)))
		route := holder.pattern
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
		s.Log.Info("request", "route", route, "status", sw.status, "bytes", sw.bytes, "ms", float64(d.Microseconds())/1000)
		// A signed-in user refused something, or told it does not exist,
		// is logged apart (user id and route pattern only), so probing
		// for others' records shows in the log.
		if holder.actor != "" && (sw.status == http.StatusForbidden || sw.status == http.StatusNotFound) {
			s.Log.Warn("access refused", "route", route, "status", sw.status, "user_id", holder.actor)
		}
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic in handler", "route", r.Pattern, "panic", v)
				s.WriteProblem(w, r, trygg.Errorf(trygg.EInternal, "An internal error occurred."))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
