package web

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/web/server"
)

// RouteInfo is a route of the table, for tests outside the package.
type RouteInfo struct {
	Method, Path string
	API          bool
}

// Routes returns the route table's methods and patterns.
func Routes() []RouteInfo {
	s := server.New(server.Config{}, nil, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	var out []RouteInfo
	for _, rt := range routeTable(s) {
		out = append(out, RouteInfo{rt.Method, rt.Path, rt.API})
	}
	return out
}
