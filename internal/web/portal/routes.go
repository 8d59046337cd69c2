package portal

import (
	"embed"

	"github.com/trygg/trygg/internal/web/server"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the portal pages' templates.
var pages = server.ParsePages(templateFiles)

// handlers are the citizen portal (Mina sidor)'s handlers, on the shared server.
type handlers struct{ *server.Server }

// Routes returns the whole route table of the citizen portal (Mina sidor):
// /portal/… and the citizens' sign-in.
func Routes(srv *server.Server) []server.Route {
	s := &handlers{srv}
	return []server.Route{
		// Mina sidor for signed-in citizens, acting for themselves or a
		// person they may act for (portal.go).
		{Method: "GET", Path: "/portal", Handler: s.portal(s.handlePortalHome)},
		{Method: "GET", Path: "/portal/act-for", Handler: s.portal(s.handlePortalActFor)},
		{Method: "POST", Path: "/portal/act-for", Handler: s.portal(s.handlePortalActForSave)},
		// Applying online step by step, with attachments and a summary
		// before sending (apply.go); the officers read what was attached
		// from the case page.
		{Method: "GET", Path: "/portal/apply", Handler: s.portal(s.handlePortalApplyList)},
		{Method: "GET", Path: "/portal/apply/{caseType}", Handler: s.portal(s.handlePortalApplication)},
		{Method: "POST", Path: "/portal/apply/{caseType}", Handler: s.portal(s.handlePortalApplicationSave)},
		{Method: "GET", Path: "/portal/apply/{caseType}/attachments", Handler: s.portal(s.handlePortalApplicationAttachments)},
		{Method: "GET", Path: "/portal/apply/{caseType}/summary", Handler: s.portal(s.handlePortalApplicationSummary)},
		{Method: "POST", Path: "/portal/apply/{caseType}/submission", Handler: s.portal(s.handlePortalApplicationSubmit)},
		{Method: "POST", Path: "/portal/apply/{caseType}/draft/removal", Handler: s.portal(s.handlePortalDraftDelete)},
		{Method: "POST", Path: "/portal/apply/{caseType}/attachments", Handler: server.ReadsUpload(s.portal(s.handlePortalAttachmentAdd))},
		{Method: "POST", Path: "/portal/apply/{caseType}/attachments/{id}/removal", Handler: s.portal(s.handlePortalAttachmentRemove)},
		{Method: "GET", Path: "/portal/attachments/{id}", Handler: s.portal(s.handlePortalAttachment)},
		{Method: "GET", Path: "/portal/applications/{id}", Handler: s.portal(s.handlePortalReceipt)},
		// Booking meetings in the officers' free times (bookings.go); the
		// officers publish their times on /slots.
		{Method: "GET", Path: "/portal/bookings", Handler: s.portal(s.handlePortalBookings)},
		{Method: "GET", Path: "/portal/bookings/new", Handler: s.portal(s.handlePortalBookingNew)},
		{Method: "POST", Path: "/portal/bookings", Handler: s.portal(s.handlePortalBookingCreate)},
		{Method: "GET", Path: "/portal/bookings/{id}", Handler: s.portal(s.handlePortalBooking)},
		{Method: "POST", Path: "/portal/bookings/{id}/move", Handler: s.portal(s.handlePortalBookingMove)},
		{Method: "POST", Path: "/portal/bookings/{id}/cancellation", Handler: s.portal(s.handlePortalBookingCancel)},
		// Following a case: status, decisions, plans with comments on
		// goals, and its conversation; the officer answers from the case
		// page (follow.go).
		{Method: "GET", Path: "/portal/cases/{id}", Handler: s.portal(s.handlePortalCase)},
		{Method: "POST", Path: "/portal/cases/{id}/comments", Handler: s.portal(s.handlePortalComment)},
		{Method: "GET", Path: "/portal/cases/{id}/messages", Handler: s.portal(s.handlePortalMessages)},
		{Method: "POST", Path: "/portal/cases/{id}/messages", Handler: s.portal(s.handlePortalMessageSend)},
		// Citizens' sign-in with e-identification and the demo's test
		// sign-in (signin.go).
		{Method: "GET", Path: "/auth/eid/login", Handler: s.Page(s.handleEIDLogin)},
		{Method: "GET", Path: "/auth/eid/callback", Handler: s.Page(s.handleEIDCallback)},
		{Method: "GET", Path: "/auth/test", Handler: s.Page(s.handleTestLoginPage)},
		{Method: "POST", Path: "/auth/test", Handler: s.Page(s.handleTestLoginSubmit)},
		// My records, with the officers' secrecy marks honoured
		// (records.go).
		{Method: "GET", Path: "/portal/records", Handler: s.portal(s.handlePortalRecords)},
		{Method: "POST", Path: "/portal/records/extract", Handler: s.portal(s.handlePortalExtract)},
	}
}
