// Package web is trygg's HTTP edge: the JSON API under /api/v1, the
// sign-in pages, health and metrics. Handlers decode, call one service
// method and encode; errors go through one mapper to problem+json or an
// HTML page.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
)

// Config is what the web edge needs to know.
type Config struct {
	// DefaultTenant is used when a sign-in does not name a tenant.
	DefaultTenant trygg.TenantID
	// OIDC, when set, enables staff sign-in through OpenID Connect.
	OIDC *auth.OIDC
	// CitizenOIDC, when set, enables citizens' sign-in with e-identification
	// through an OpenID Connect broker (see citizen_signin.go).
	CitizenOIDC *auth.CitizenOIDC
	// Limits are the rate limits on sign-in and citizens' submissions; the
	// zero value limits nothing (see ratelimit.go).
	Limits Limits
	// Demo shows the demo banner on the sign-in page, and enables the
	// citizens' test sign-in (/auth/test).
	Demo bool
	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64
	// Ready reports whether the server can take traffic (for /readyz).
	Ready func(ctx context.Context) error
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg     Config
	svc     *service.Service
	log     *slog.Logger
	metrics *metrics
	limits  *limiters
}

// New returns the whole HTTP handler of trygg. reg receives the metrics.
func New(cfg Config, svc *service.Service, log *slog.Logger, reg prometheus.Registerer) http.Handler {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	s := &Server{cfg: cfg, svc: svc, log: log, metrics: newMetrics(reg), limits: newLimiters(cfg.Limits, time.Now)}
	mux := http.NewServeMux()
	s.routes(mux)
	var h http.Handler = mux
	h = s.authenticate(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.securityHeaders(h)
	h = s.observe(h)
	h = s.recoverPanics(h)
	return h
}

// handlerFunc is a handler that returns an error for writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) api(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.writeProblem(w, r, err)
		}
	}
}

// requireActor wraps an API handler that needs a signed-in actor.
func (s *Server) withActor(fn func(w http.ResponseWriter, r *http.Request, a trygg.Actor) error) http.HandlerFunc {
	return s.api(func(w http.ResponseWriter, r *http.Request) error {
		a, err := actorFrom(r)
		if err != nil {
			return err
		}
		return fn(w, r, a)
	})
}

var startTime = time.Now()
