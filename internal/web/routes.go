package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// route is one entry of the route table: a method and a Go 1.22 ServeMux
// path ("/path/{id}") with its handler. api marks the JSON operations that
// openapi.json documents; openapi_test.go keeps the two sets equal.
type route struct {
	method, path string
	handler      http.Handler
	api          bool
}

// pattern is the ServeMux pattern of rt; a route without a method matches
// every method.
func (rt route) pattern() string {
	if rt.method == "" {
		return rt.path
	}
	return rt.method + " " + rt.path
}

// routeTable is the whole route table.
func (s *Server) routeTable() []route {
	return []route{
		// Sign-in and session.
		{"POST", "/api/v1/session", s.api(s.handleSignIn), true},
		{"DELETE", "/api/v1/session", s.withActor(s.handleSignOut), true},
		{"GET", "/api/v1/me", s.withActor(s.handleMe), true},
		// OAuth2 client credentials for providers' API clients. Servers
		// call it with no cookie and no Origin, so cross-origin protection
		// lets it through; other methods get an OAuth2 error, not a 405
		// page.
		{"POST", "/oauth/token", http.HandlerFunc(s.handleToken), true},
		{"", "/oauth/token", http.HandlerFunc(s.handleTokenMethod), false},

		// Organisation and users.
		{"GET", "/api/v1/units", s.withActor(s.handleUnits), true},
		{"POST", "/api/v1/units", s.withActor(s.handleCreateUnit), true},
		{"POST", "/api/v1/users", s.withActor(s.handleCreateUser), true},
		{"GET", "/api/v1/providers", s.withActor(s.handleProviders), true},
		{"POST", "/api/v1/providers", s.withActor(s.handleCreateProvider), true},
		{"GET", "/api/v1/providers/{id}/clients", s.withActor(s.handleAPIClients), true},
		{"POST", "/api/v1/providers/{id}/clients", s.withActor(s.handleCreateAPIClient), true},
		{"DELETE", "/api/v1/providers/{id}/clients/{client}", s.withActor(s.handleRevokeAPIClient), true},

		// Persons. Searches are POSTs so identity numbers never appear in
		// URLs (and so never in access logs of proxies).
		{"POST", "/api/v1/persons", s.withActor(s.handleRegisterPerson), true},
		{"POST", "/api/v1/persons/search", s.withActor(s.handleSearchPersons), true},
		{"GET", "/api/v1/persons/{id}", s.withActor(s.handlePerson), true},
		{"POST", "/api/v1/relations", s.withActor(s.handleAddRelation), true},
		{"POST", "/api/v1/emergency-openings", s.withActor(s.handleEmergencyOpen), true},

		// Cases.
		{"POST", "/api/v1/cases", s.withActor(s.handleOpenCase), true},
		{"GET", "/api/v1/cases/{id}", s.withActor(s.handleCase), true},
		{"POST", "/api/v1/cases/{id}/assignment", s.withActor(s.handleAssignCase), true},
		{"GET", "/api/v1/cases/{id}/process", s.withActor(s.handleCaseProcess), true},
		{"POST", "/api/v1/cases/{id}/transitions", s.withActor(s.handleTransition), true},
		{"PUT", "/api/v1/cases/{id}/forms/{form}", s.withActor(s.handleSaveForm), true},
		{"POST", "/api/v1/cases/{id}/forms/{form}/signature", s.withActor(s.handleSignForm), true},

		{"GET", "/api/v1/cases/{id}/notes", s.withActor(s.handleNotes), true},
		{"POST", "/api/v1/cases/{id}/notes", s.withActor(s.handleAddNote), true},
		{"PUT", "/api/v1/cases/{id}/notes/{note}", s.withActor(s.handleSaveNote), true},
		{"POST", "/api/v1/cases/{id}/notes/{note}/signature", s.withActor(s.handleSignNote), true},

		{"GET", "/api/v1/cases/{id}/decisions", s.withActor(s.handleDecisions), true},
		{"POST", "/api/v1/cases/{id}/decisions", s.withActor(s.handleAddDecision), true},
		{"PUT", "/api/v1/cases/{id}/decisions/{decision}", s.withActor(s.handleSaveDecision), true},
		{"POST", "/api/v1/cases/{id}/decisions/{decision}/finalisation", s.withActor(s.handleFinaliseDecision), true},
		{"GET", "/api/v1/cases/{id}/executions", s.withActor(s.handleExecutions), true},
		{"POST", "/api/v1/cases/{id}/decisions/{decision}/executions", s.withActor(s.handleRecordExecution), true},
		{"PUT", "/api/v1/cases/{id}/decisions/{decision}/provider", s.withActor(s.handleChooseProvider), true},
		{"GET", "/api/v1/cases/{id}/orders", s.withActor(s.handleCaseOrders), true},

		// Orders to providers (uppdrag), for the provider's staff and systems.
		{"GET", "/api/v1/orders", s.withActor(s.handleOrders), true},
		{"GET", "/api/v1/orders/feed", s.withActor(s.handleOrderFeed), true},
		{"GET", "/api/v1/orders/{id}", s.withActor(s.handleOrder), true},
		{"POST", "/api/v1/orders/{id}/acceptance", s.withActor(s.handleAcceptOrder), true},
		{"POST", "/api/v1/orders/{id}/return", s.withActor(s.handleReturnOrder), true},
		{"GET", "/api/v1/orders/{id}/plans", s.withActor(s.handlePlans), true},
		{"POST", "/api/v1/orders/{id}/plans", s.withActor(s.handleSavePlan), true},
		{"GET", "/api/v1/orders/{id}/performed", s.withActor(s.handlePerformed), true},
		{"POST", "/api/v1/orders/{id}/performed", s.withActor(s.handleReportPerformed), true},
		{"POST", "/api/v1/orders/{id}/follow-ups", s.withActor(s.handleReportFollowUp), true},
		{"POST", "/api/v1/performed-batches", s.withActor(s.handlePerformedBatch), true},
		{"GET", "/api/v1/providers/{id}/payment-basis", s.withActor(s.handlePaymentBasis), true},
		{"GET", "/api/v1/providers/{id}/payment-basis/csv", s.withActor(s.handlePaymentBasisCSV), true},

		// Reports.
		{"GET", "/api/v1/reports", s.withActor(s.handleReports), true},
		{"GET", "/api/v1/reports/{id}", s.withActor(s.handleRunReport), true},
		{"GET", "/api/v1/reports/{id}/csv", s.withActor(s.handleReportCSV), true},

		// Work.
		{"GET", "/api/v1/inbox", s.withActor(s.handleInbox), true},

		// Process definitions.
		{"GET", "/api/v1/definitions", s.withActor(s.handleDefinitionVersions), true},
		{"POST", "/api/v1/definitions", s.withActor(s.handlePublishDefinitions), true},
		{"POST", "/api/v1/definitions/validation", s.withActor(s.handleValidateDefinitions), true},
		{"GET", "/api/v1/definitions/draft", s.withActor(s.handleDraft), true},
		{"PUT", "/api/v1/definitions/draft", s.withActor(s.handleSaveDraft), true},
		{"POST", "/api/v1/definitions/draft/publication", s.withActor(s.handlePublishDraft), true},
		{"GET", "/api/v1/definitions/{version}", s.withActor(s.handleDefinitionFiles), true},
		{"POST", "/api/v1/definitions/{version}/migration", s.withActor(s.handleMigrateCases), true},

		// Logs.
		{"GET", "/api/v1/events", s.withActor(s.handleEvents), true},
		{"GET", "/api/v1/access-log", s.withActor(s.handleAccessLog), true},
		{"GET", "/api/v1/access-log/verification", s.withActor(s.handleVerifyAccessLog), true},

		// Any other /api path is a problem+json 404, not an operation.
		{"", "/api/", s.api(s.handleAPINotFound), false},
		{"GET", "/api/openapi.json", http.HandlerFunc(s.handleOpenAPI), true},

		// Operations.
		{"GET", "/healthz", http.HandlerFunc(s.handleHealth), true},
		{"GET", "/readyz", http.HandlerFunc(s.handleReady), true},
		{"GET", "/metrics", promhttp.HandlerFor(s.metrics.gatherer, promhttp.HandlerOpts{}), false},

		// Process designer.
		{"GET", "/designer", s.staff(s.handleDesignerHome), false},
		{"GET", "/designer/draft", s.staff(s.handleDesignerDraft), false},
		{"POST", "/designer/draft", s.staff(s.handleDesignerSave), false},
		{"POST", "/designer/draft/validation", s.staff(s.handleDesignerValidate), false},
		{"POST", "/designer/draft/publication", s.staff(s.handleDesignerPublish), false},
		{"GET", "/designer/versions/{version}/case-types/{id}", s.staff(s.handleDesignerCaseType), false},
		{"GET", "/designer/diff", s.staff(s.handleDesignerDiff), false},

		// Pages.
		{"GET", "/{$}", s.staff(s.handleHome), false},
		{"GET", "/me", s.staff(s.handleMePage), false},
		{"GET", "/inbox", s.staff(s.handleInboxPage), false},
		{"POST", "/cases/{id}/assignment", s.staff(s.handleAssignForm), false},
		{"GET", "/persons", s.staff(s.handlePersonSearchPage), false},
		{"POST", "/persons/search", s.staff(s.handlePersonSearch), false},
		{"POST", "/persons/emergency", s.staff(s.handleEmergencyForm), false},
		{"GET", "/persons/{id}", s.staff(s.handlePersonPage), false},
		{"GET", "/cases/{id}", s.staff(s.handleCasePage), false},
		{"POST", "/cases/{id}/transitions", s.staff(s.handleTransitionForm), false},
		{"POST", "/cases/{id}/forms/{form}", s.staff(s.handleFormSave), false},
		{"POST", "/cases/{id}/forms/{form}/signature", s.staff(s.handleFormSign), false},
		{"POST", "/cases/{id}/notes", s.staff(s.handleNoteForm), false},
		{"POST", "/cases/{id}/notes/{note}", s.staff(s.handleNoteForm), false},
		{"POST", "/cases/{id}/notes/{note}/signature", s.staff(s.handleNoteSign), false},
		{"POST", "/cases/{id}/decisions", s.staff(s.handleDecisionCreate), false},
		{"GET", "/cases/{id}/decisions/{decision}", s.staff(s.handleDecisionPage), false},
		{"POST", "/cases/{id}/decisions/{decision}", s.staff(s.handleDecisionSave), false},
		{"POST", "/cases/{id}/decisions/{decision}/executions", s.staff(s.handleExecutionForm), false},
		{"GET", "/cases/{id}/decisions/{decision}/letter", s.staff(s.handleLetterPage), false},
		{"POST", "/cases/{id}/decisions/{decision}/provider", s.staff(s.handleProviderChoice), false},
		// Provider staff: their orders, plans, reports (see provider_pages.go).
		{"GET", "/provider/orders", s.staff(s.handleProviderOrders), false},
		{"GET", "/provider/orders/{id}", s.staff(s.handleProviderOrder), false},
		{"POST", "/provider/orders/{id}/acceptance", s.staff(s.handleProviderAccept), false},
		{"POST", "/provider/orders/{id}/return", s.staff(s.handleProviderReturn), false},
		{"POST", "/provider/orders/{id}/plan", s.staff(s.handleProviderPlan), false},
		{"POST", "/provider/orders/{id}/performed", s.staff(s.handleProviderCorrect), false},
		{"POST", "/provider/orders/{id}/follow-up", s.staff(s.handleProviderFollowUp), false},
		{"GET", "/provider/report", s.staff(s.handleProviderReport), false},
		{"GET", "/provider/report/shift", s.staff(s.handleProviderShift), false},
		{"POST", "/provider/report/shift", s.staff(s.handleProviderShiftSave), false},
		{"GET", "/provider/report/{id}", s.staff(s.handleProviderVisit), false},
		{"POST", "/provider/report/{id}", s.staff(s.handleProviderVisitSave), false},
		// The citizen portal (Mina sidor), see portal.go.
		{"GET", "/portal", s.portal(s.handlePortalHome), false},
		{"GET", "/portal/act-for", s.portal(s.handlePortalActFor), false},
		{"POST", "/portal/act-for", s.portal(s.handlePortalActForSave), false},
		// Applying online with attachments, and booking meetings in the
		// officers' free times (portal_apply.go, portal_bookings.go); the
		// officers publish their times on /slots and read what was
		// attached from the case page.
		{"GET", "/portal/apply", s.portal(s.handlePortalApplyList), false},
		{"GET", "/portal/apply/{caseType}", s.portal(s.handlePortalApplication), false},
		{"POST", "/portal/apply/{caseType}", s.portal(s.handlePortalApplicationSave), false},
		{"POST", "/portal/apply/{caseType}/draft/removal", s.portal(s.handlePortalDraftDelete), false},
		{"POST", "/portal/apply/{caseType}/attachments", s.portal(s.handlePortalAttachmentAdd), false},
		{"POST", "/portal/apply/{caseType}/attachments/{id}/removal", s.portal(s.handlePortalAttachmentRemove), false},
		{"GET", "/portal/attachments/{id}", s.portal(s.handlePortalAttachment), false},
		{"GET", "/portal/applications/{id}", s.portal(s.handlePortalReceipt), false},
		{"GET", "/portal/bookings", s.portal(s.handlePortalBookings), false},
		{"GET", "/portal/bookings/new", s.portal(s.handlePortalBookingNew), false},
		{"POST", "/portal/bookings", s.portal(s.handlePortalBookingCreate), false},
		{"GET", "/portal/bookings/{id}", s.portal(s.handlePortalBooking), false},
		{"POST", "/portal/bookings/{id}/move", s.portal(s.handlePortalBookingMove), false},
		{"POST", "/portal/bookings/{id}/cancellation", s.portal(s.handlePortalBookingCancel), false},
		{"GET", "/cases/{id}/attachments/{att}", s.staff(s.handleCaseAttachment), false},
		{"GET", "/slots", s.staff(s.handleSlotsPage), false},
		{"POST", "/slots", s.staff(s.handleSlotPublish), false},
		{"POST", "/slots/{id}/withdrawal", s.staff(s.handleSlotWithdraw), false},
		// Following a case: status, decisions, plans with comments on
		// goals, and its conversation; the officer answers from the case
		// page (portal_follow.go).
		{"GET", "/portal/cases/{id}", s.portal(s.handlePortalCase), false},
		{"POST", "/portal/cases/{id}/comments", s.portal(s.handlePortalComment), false},
		{"GET", "/portal/cases/{id}/messages", s.portal(s.handlePortalMessages), false},
		{"POST", "/portal/cases/{id}/messages", s.portal(s.handlePortalMessageSend), false},
		{"POST", "/cases/{id}/messages", s.staff(s.handleCaseMessageAnswer), false},
		// Citizens' sign-in with e-identification and the demo's test
		// sign-in (citizen_signin.go); My records and the officer's
		// secrecy marks they honour (portal_records.go).
		{"GET", "/auth/eid/login", s.page(s.handleEIDLogin), false},
		{"GET", "/auth/eid/callback", s.page(s.handleEIDCallback), false},
		{"GET", "/auth/test", s.page(s.handleTestLoginPage), false},
		{"POST", "/auth/test", s.page(s.handleTestLoginSubmit), false},
		{"GET", "/portal/records", s.portal(s.handlePortalRecords), false},
		{"POST", "/portal/records/extract", s.portal(s.handlePortalExtract), false},
		{"POST", "/cases/{id}/secrecy", s.staff(s.handleSecrecyForm), false},
		{"GET", "/designer/preview", s.staff(s.handlePreviewPage), false},
		{"POST", "/designer/preview", s.staff(s.handlePreviewPage), false},
		{"GET", "/access-log", s.staff(s.handleAccessLogPage), false},
		{"POST", "/access-log/person", s.staff(s.handleAccessLogPerson), false},
		{"GET", "/login", s.page(s.handleLoginPage), false},
		{"POST", "/login", s.page(s.handleLoginSubmit), false},
		{"POST", "/logout", s.page(s.handleLogout), false},
		{"GET", "/reports", s.staff(s.handleReportsPage), false},
		{"GET", "/reports/{id}", s.staff(s.handleReportPage), false},
		{"GET", "/auth/oidc/login", s.page(s.handleOIDCLogin), false},
		{"GET", "/auth/oidc/callback", s.page(s.handleOIDCCallback), false},
		{"GET", "/static/style.css", http.HandlerFunc(s.handleCSS), false},
		{"GET", "/static/htmx.min.js", http.HandlerFunc(s.handleHTMX), false},
		{"GET", "/static/trygg.js", http.HandlerFunc(s.handleTryggJS), false},
	}
}

// routes registers the route table on mux.
func (s *Server) routes(mux *http.ServeMux) {
	for _, rt := range s.routeTable() {
		mux.Handle(rt.pattern(), recordRoute(rt.handler))
	}
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
