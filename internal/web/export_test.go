package web

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
)

// RouteInfo is a route of the table, for tests outside the package.
type RouteInfo struct {
	Method, Path string
	API          bool
}

// Routes returns the route table's methods and patterns.
func Routes() []RouteInfo {
	s := &Server{log: slog.New(slog.DiscardHandler), metrics: newMetrics(prometheus.NewRegistry())}
	var out []RouteInfo
	for _, rt := range s.routeTable() {
		out = append(out, RouteInfo{rt.method, rt.path, rt.api})
	}
	return out
}
