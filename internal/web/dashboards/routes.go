// Package dashboards is the analysis dashboards' surface (/analysis): an
// overview and one page per dashboard, each chart drawn on the server as
// accessible SVG (internal/analytics/chart) with its numbers in a table
// beside it, filtered by a GET form of period, district, unit and case
// type. Analysts see the whole tenant's figures, team leads their units';
// the figures are aggregates of pseudonyms with small cells suppressed,
// and every page view is access-logged by the service
// (internal/service/analysis.go). See docs/analytics.md.
package dashboards

import (
	"embed"

	"github.com/trygg/trygg/internal/web/server"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the dashboards' templates.
var pages = server.ParsePages(templateFiles)

// handlers are the dashboards' handlers, on the shared server.
type handlers struct{ *server.Server }

// Routes returns the whole route table of the dashboards.
func Routes(srv *server.Server) []server.Route {
	s := &handlers{srv}
	return []server.Route{
		// The overview: the dashboards, each with what it answers.
		{Method: "GET", Path: "/analysis", Handler: s.SignedIn(s.handleOverview)},
		// One page per dashboard (dashboards.go), each with the filter.
		{Method: "GET", Path: "/analysis/decision-times", Handler: s.SignedIn(s.handleDecisionTimes)},
		{Method: "GET", Path: "/analysis/flow", Handler: s.SignedIn(s.handleFlow)},
		{Method: "GET", Path: "/analysis/deadlines", Handler: s.SignedIn(s.handleDeadlines)},
		{Method: "GET", Path: "/analysis/planned-performed", Handler: s.SignedIn(s.handlePlannedPerformed)},
		{Method: "GET", Path: "/analysis/needs", Handler: s.SignedIn(s.handleNeeds)},
		{Method: "GET", Path: "/analysis/execution", Handler: s.SignedIn(s.handleExecution)},
		{Method: "GET", Path: "/analysis/forecast", Handler: s.SignedIn(s.handleForecast)},
		// The team lead's week (week.go): her units on one page, today.
		{Method: "GET", Path: "/analysis/week", Handler: s.SignedIn(s.handleWeek)},
		// The tables as CSV or Parquet (export.go): the page with the
		// filter and a link per table and format, and the files.
		{Method: "GET", Path: "/analysis/export", Handler: s.SignedIn(s.handleExportPage)},
		{Method: "GET", Path: "/analysis/export/{table}", Handler: s.SignedIn(s.handleExportFile)},
	}
}
