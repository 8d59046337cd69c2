package web

import (
	"log/slog"
	"net/http"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/web/api"
	"github.com/trygg/trygg/internal/web/designer"
	"github.com/trygg/trygg/internal/web/portal"
	"github.com/trygg/trygg/internal/web/provider"
	"github.com/trygg/trygg/internal/web/server"
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

// handlers are the handlers of the pages and the API, on the shared server.
type handlers struct{ *server.Server }

// routeTable is the whole route table.
func routeTable(srv *server.Server) []server.Route {
	s := &handlers{srv}
	return slices.Concat(api.Routes(srv), designer.Routes(srv), provider.Routes(srv), portal.Routes(srv), []server.Route{
		// Operations.
		{Method: "GET", Path: "/metrics", Handler: s.Metrics()},

		// Pages.
		{Method: "GET", Path: "/{$}", Handler: s.SignedIn(s.handleHome)},
		{Method: "GET", Path: "/me", Handler: s.SignedIn(s.handleMePage)},
		{Method: "GET", Path: "/inbox", Handler: s.SignedIn(s.handleInboxPage)},
		{Method: "POST", Path: "/cases/{id}/assignment", Handler: s.SignedIn(s.handleAssignForm)},
		{Method: "GET", Path: "/persons", Handler: s.SignedIn(s.handlePersonSearchPage)},
		{Method: "POST", Path: "/persons/search", Handler: s.SignedIn(s.handlePersonSearch)},
		{Method: "POST", Path: "/persons/emergency", Handler: s.SignedIn(s.handleEmergencyForm)},
		{Method: "GET", Path: "/persons/{id}", Handler: s.SignedIn(s.handlePersonPage)},
		{Method: "GET", Path: "/cases/{id}", Handler: s.SignedIn(s.handleCasePage)},
		{Method: "POST", Path: "/cases/{id}/transitions", Handler: s.SignedIn(s.handleTransitionForm)},
		{Method: "POST", Path: "/cases/{id}/forms/{form}", Handler: s.SignedIn(s.handleFormSave)},
		{Method: "POST", Path: "/cases/{id}/forms/{form}/signature", Handler: s.SignedIn(s.handleFormSign)},
		{Method: "POST", Path: "/cases/{id}/notes", Handler: s.SignedIn(s.handleNoteForm)},
		{Method: "POST", Path: "/cases/{id}/notes/{note}", Handler: s.SignedIn(s.handleNoteForm)},
		{Method: "POST", Path: "/cases/{id}/notes/{note}/signature", Handler: s.SignedIn(s.handleNoteSign)},
		{Method: "POST", Path: "/cases/{id}/decisions", Handler: s.SignedIn(s.handleDecisionCreate)},
		{Method: "GET", Path: "/cases/{id}/decisions/{decision}", Handler: s.SignedIn(s.handleDecisionPage)},
		{Method: "POST", Path: "/cases/{id}/decisions/{decision}", Handler: s.SignedIn(s.handleDecisionSave)},
		{Method: "POST", Path: "/cases/{id}/decisions/{decision}/executions", Handler: s.SignedIn(s.handleExecutionForm)},
		{Method: "GET", Path: "/cases/{id}/decisions/{decision}/letter", Handler: s.SignedIn(s.handleLetterPage)},
		{Method: "POST", Path: "/cases/{id}/decisions/{decision}/provider", Handler: s.SignedIn(s.handleProviderChoice)},
		// Applying online with attachments, and booking meetings in the
		// officers' free times (portal_apply.go, portal_bookings.go); the
		// officers publish their times on /slots and read what was
		// attached from the case page.
		{Method: "GET", Path: "/cases/{id}/attachments/{att}", Handler: s.SignedIn(s.handleCaseAttachment)},
		{Method: "GET", Path: "/slots", Handler: s.SignedIn(s.handleSlotsPage)},
		{Method: "POST", Path: "/slots", Handler: s.SignedIn(s.handleSlotPublish)},
		{Method: "POST", Path: "/slots/{id}/withdrawal", Handler: s.SignedIn(s.handleSlotWithdraw)},
		// Following a case: status, decisions, plans with comments on
		// goals, and its conversation; the officer answers from the case
		// page (portal_follow.go).
		{Method: "POST", Path: "/cases/{id}/messages", Handler: s.SignedIn(s.handleCaseMessageAnswer)},
		// Citizens' sign-in with e-identification and the demo's test
		// sign-in (citizen_signin.go); My records and the officer's
		// secrecy marks they honour (portal_records.go).
		{Method: "POST", Path: "/cases/{id}/secrecy", Handler: s.SignedIn(s.handleSecrecyForm)},
		{Method: "GET", Path: "/access-log", Handler: s.SignedIn(s.handleAccessLogPage)},
		{Method: "POST", Path: "/access-log/person", Handler: s.SignedIn(s.handleAccessLogPerson)},
		{Method: "GET", Path: "/login", Handler: s.Page(s.handleLoginPage)},
		{Method: "POST", Path: "/login", Handler: s.Page(s.handleLoginSubmit)},
		{Method: "POST", Path: "/logout", Handler: s.Page(s.handleLogout)},
		{Method: "GET", Path: "/reports", Handler: s.SignedIn(s.handleReportsPage)},
		{Method: "GET", Path: "/reports/{id}", Handler: s.SignedIn(s.handleReportPage)},
		{Method: "GET", Path: "/auth/oidc/login", Handler: s.Page(s.handleOIDCLogin)},
		{Method: "GET", Path: "/auth/oidc/callback", Handler: s.Page(s.handleOIDCCallback)},
		{Method: "GET", Path: "/static/style.css", Handler: http.HandlerFunc(s.handleCSS)},
		{Method: "GET", Path: "/static/htmx.min.js", Handler: http.HandlerFunc(s.handleHTMX)},
		{Method: "GET", Path: "/static/trygg.js", Handler: http.HandlerFunc(s.handleTryggJS)},
	})
}

// pages are the templates of the pages still in this package.
var pages = server.ParsePages(templateFiles)
