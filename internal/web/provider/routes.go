package provider

import (
	"embed"

	"github.com/trygg/trygg/internal/web/server"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the provider pages' templates.
var pages = server.ParsePages(templateFiles)

// handlers are the provider staff's pages' handlers, on the shared server.
type handlers struct{ *server.Server }

// Routes returns the whole route table of the provider staff's pages
// (/provider/…).
func Routes(srv *server.Server) []server.Route {
	s := &handlers{srv}
	return []server.Route{
		// Provider staff: their orders (accept or return new ones), one
		// order with its implementation plan and follow-up, and the phone
		// pages for reporting a visit or a whole shift (pages.go).
		{Method: "GET", Path: "/provider/orders", Handler: s.SignedIn(s.handleProviderOrders)},
		{Method: "GET", Path: "/provider/orders/{id}", Handler: s.SignedIn(s.handleProviderOrder)},
		{Method: "POST", Path: "/provider/orders/{id}/acceptance", Handler: s.SignedIn(s.handleProviderAccept)},
		{Method: "POST", Path: "/provider/orders/{id}/return", Handler: s.SignedIn(s.handleProviderReturn)},
		{Method: "POST", Path: "/provider/orders/{id}/plan", Handler: s.SignedIn(s.handleProviderPlan)},
		{Method: "POST", Path: "/provider/orders/{id}/performed", Handler: s.SignedIn(s.handleProviderCorrect)},
		{Method: "POST", Path: "/provider/orders/{id}/follow-up", Handler: s.SignedIn(s.handleProviderFollowUp)},
		// The safety alarm's device recorded on its order (alarms.go).
		{Method: "POST", Path: "/provider/orders/{id}/device", Handler: s.SignedIn(s.handleProviderDevice)},
		{Method: "GET", Path: "/provider/report", Handler: s.SignedIn(s.handleProviderReport)},
		{Method: "GET", Path: "/provider/report/shift", Handler: s.SignedIn(s.handleProviderShift)},
		{Method: "POST", Path: "/provider/report/shift", Handler: s.SignedIn(s.handleProviderShiftSave)},
		{Method: "GET", Path: "/provider/report/{id}", Handler: s.SignedIn(s.handleProviderVisit)},
		{Method: "POST", Path: "/provider/report/{id}", Handler: s.SignedIn(s.handleProviderVisitSave)},
	}
}
