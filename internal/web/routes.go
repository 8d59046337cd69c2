// Package web is trygg's HTTP edge as one handler: New mounts the route
// tables of the surfaces — the JSON API (internal/web/api), the staff
// pages (staff), Mina sidor (portal), the provider staff's pages
// (provider), the process designer (designer) and the analysis
// dashboards (dashboards) — and the operations'
// routes (health is the API's, metrics and static files are here), behind
// the middleware of internal/web/server, which holds what the surfaces
// share.
package web

import (
	"log/slog"
	"net/http"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/web/api"
	"github.com/trygg/trygg/internal/web/dashboards"
	"github.com/trygg/trygg/internal/web/designer"
	"github.com/trygg/trygg/internal/web/portal"
	"github.com/trygg/trygg/internal/web/provider"
	"github.com/trygg/trygg/internal/web/server"
	"github.com/trygg/trygg/internal/web/staff"
)

// Config is what the web edge needs to know (see server.Config).
type Config = server.Config

// Limits configures the rate limits (see server.Limits).
type Limits = server.Limits

// Rate is N events per Per (see server.Rate).
type Rate = server.Rate

// ParseRate reads "N/duration" ("10/15m", "60/1m") or "off". It returns
// an error naming the expected form for anything else.
func ParseRate(s string) (Rate, error) { return server.ParseRate(s) }

// New returns the whole HTTP handler of trygg. reg receives the metrics.
func New(cfg Config, svc *service.Service, log *slog.Logger, reg prometheus.Registerer) http.Handler {
	s := server.New(cfg, svc, log, reg)
	return s.Handler(routeTable(s))
}

// routeTable is the whole route table: each surface's, then the
// operations' (metrics and the static files every page loads).
func routeTable(s *server.Server) []server.Route {
	return slices.Concat(api.Routes(s), staff.Routes(s), portal.Routes(s), provider.Routes(s), designer.Routes(s),
		dashboards.Routes(s), operations(s))
}

// operations are the routes of no surface: the metrics and the static
// files.
func operations(s *server.Server) []server.Route {
	return []server.Route{
		{Method: "GET", Path: "/metrics", Handler: s.Metrics()},
		{Method: "GET", Path: "/static/style.css", Handler: http.HandlerFunc(handleCSS)},
		{Method: "GET", Path: "/static/htmx.min.js", Handler: http.HandlerFunc(handleHTMX)},
		{Method: "GET", Path: "/static/trygg.js", Handler: http.HandlerFunc(handleTryggJS)},
	}
}
