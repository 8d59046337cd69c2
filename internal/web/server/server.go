// Package server is what every surface of trygg's HTTP edge shares: the
// Server with its configuration, service, logger, metrics and rate limits;
// the middleware every answer goes through; the one mapper from errors to
// problem+json and to the HTML error page; decode and encode; the view,
// the layout and the shared partials; sessions and the signed-in actor;
// the message catalog; and the checks of stored text at the edge. It
// imports none of the surfaces (internal/web/api, staff, portal, provider,
// designer); each of them returns its routes as a table of Route, and
// internal/web mounts them.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

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
	// through an OpenID Connect broker (see internal/web/portal).
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

// Server holds what the handlers of every surface depend on. The surfaces
// embed it in their own handler types.
type Server struct {
	// Cfg is the configuration, with its defaults filled in.
	Cfg Config
	// Svc is the application service every handler calls.
	Svc *service.Service
	// Log is the request and error log; it never gets personal data.
	Log     *slog.Logger
	metrics *metrics
	limits  *limiters
}

// New returns the server of cfg; reg receives the metrics (nil: a
// registry of its own, with the Go and process collectors).
func New(cfg Config, svc *service.Service, log *slog.Logger, reg prometheus.Registerer) *Server {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	return &Server{Cfg: cfg, Svc: svc, Log: log, metrics: newMetrics(reg), limits: newLimiters(cfg.Limits, time.Now)}
}

// Route is one entry of a route table: a method and a ServeMux path
// ("/path/{id}") with its handler. API marks the JSON operations that
// openapi.json documents (internal/web/api keeps the two sets equal).
type Route struct {
	Method, Path string
	Handler      http.Handler
	API          bool
}

// pattern is the ServeMux pattern of rt; a route without a method matches
// every method.
func (rt Route) pattern() string {
	if rt.Method == "" {
		return rt.Path
	}
	return rt.Method + " " + rt.Path
}

// Handler returns the whole HTTP handler of routes: a ServeMux with every
// route, behind the middleware every answer goes through (recover, observe,
// security headers, cross-origin protection, authenticate). It panics on
// routes that conflict, as ServeMux does.
func (s *Server) Handler(routes []Route) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.pattern(), recordRoute(rt.Handler))
	}
	var h http.Handler = mux
	h = s.authenticate(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.securityHeaders(h)
	h = s.observe(h)
	h = s.recoverPanics(h)
	return h
}

// recordRoute tells the observe middleware which pattern matched: the mux
// sets it on the request it hands on, which middleware that replaced the
// request (to add the actor) does not see.
func recordRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := r.Context().Value(routeKey).(*routeHolder); ok {
			h.pattern = r.Pattern
		}
		next.ServeHTTP(w, r)
	})
}

// Metrics returns the handler of /metrics: the registry the server's
// metrics went to.
func (s *Server) Metrics() http.Handler {
	return promhttp.HandlerFor(s.metrics.gatherer, promhttp.HandlerOpts{})
}

// HandlerFunc is a handler that returns its error, for a wrapper to answer
// (Page, or the API's problem+json).
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error
