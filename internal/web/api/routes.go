package api

import (
	"net/http"

	"github.com/trygg/trygg/internal/web/server"
)

// handlers are the API's handlers, on the shared server.
type handlers struct{ *server.Server }

// Routes returns the API's whole route table: the JSON operations under
// /api/v1, the OAuth2 token endpoint, openapi.json and health. Every
// operation it marks API is one openapi.json documents (openapi_test.go).
func Routes(srv *server.Server) []server.Route {
	s := &handlers{srv}
	return []server.Route{
		// Sign-in and session.
		{Method: "POST", Path: "/api/v1/session", Handler: s.api(s.handleSignIn), API: true},
		{Method: "DELETE", Path: "/api/v1/session", Handler: s.withActor(s.handleSignOut), API: true},
		{Method: "GET", Path: "/api/v1/me", Handler: s.withActor(s.handleMe), API: true},
		// OAuth2 client credentials for providers' API clients. Servers
		// call it with no cookie and no Origin, so cross-origin protection
		// lets it through; other methods get an OAuth2 error, not a 405
		// page.
		{Method: "POST", Path: "/oauth/token", Handler: http.HandlerFunc(s.handleToken), API: true},
		{Method: "", Path: "/oauth/token", Handler: http.HandlerFunc(s.handleTokenMethod)},

		// Organisation and users.
		{Method: "GET", Path: "/api/v1/units", Handler: s.withActor(s.handleUnits), API: true},
		{Method: "POST", Path: "/api/v1/units", Handler: s.withActor(s.handleCreateUnit), API: true},
		{Method: "POST", Path: "/api/v1/users", Handler: s.withActor(s.handleCreateUser), API: true},
		{Method: "GET", Path: "/api/v1/providers", Handler: s.withActor(s.handleProviders), API: true},
		{Method: "POST", Path: "/api/v1/providers", Handler: s.withActor(s.handleCreateProvider), API: true},
		{Method: "GET", Path: "/api/v1/providers/{id}/clients", Handler: s.withActor(s.handleAPIClients), API: true},
		{Method: "POST", Path: "/api/v1/providers/{id}/clients", Handler: s.withActor(s.handleCreateAPIClient), API: true},
		{Method: "DELETE", Path: "/api/v1/providers/{id}/clients/{client}", Handler: s.withActor(s.handleRevokeAPIClient), API: true},

		// Persons. Searches are POSTs so identity numbers never appear in
		// URLs (and so never in access logs of proxies).
		{Method: "POST", Path: "/api/v1/persons", Handler: s.withActor(s.handleRegisterPerson), API: true},
		{Method: "POST", Path: "/api/v1/persons/search", Handler: s.withActor(s.handleSearchPersons), API: true},
		{Method: "GET", Path: "/api/v1/persons/{id}", Handler: s.withActor(s.handlePerson), API: true},
		{Method: "POST", Path: "/api/v1/relations", Handler: s.withActor(s.handleAddRelation), API: true},
		{Method: "POST", Path: "/api/v1/emergency-openings", Handler: s.withActor(s.handleEmergencyOpen), API: true},

		// Cases.
		{Method: "POST", Path: "/api/v1/cases", Handler: s.withActor(s.handleOpenCase), API: true},
		{Method: "GET", Path: "/api/v1/cases/{id}", Handler: s.withActor(s.handleCase), API: true},
		{Method: "POST", Path: "/api/v1/cases/{id}/assignment", Handler: s.withActor(s.handleAssignCase), API: true},
		{Method: "GET", Path: "/api/v1/cases/{id}/process", Handler: s.withActor(s.handleCaseProcess), API: true},
		{Method: "POST", Path: "/api/v1/cases/{id}/transitions", Handler: s.withActor(s.handleTransition), API: true},
		{Method: "PUT", Path: "/api/v1/cases/{id}/forms/{form}", Handler: s.withActor(s.handleSaveForm), API: true},
		{Method: "POST", Path: "/api/v1/cases/{id}/forms/{form}/signature", Handler: s.withActor(s.handleSignForm), API: true},

		{Method: "GET", Path: "/api/v1/cases/{id}/notes", Handler: s.withActor(s.handleNotes), API: true},
		{Method: "POST", Path: "/api/v1/cases/{id}/notes", Handler: s.withActor(s.handleAddNote), API: true},
		{Method: "PUT", Path: "/api/v1/cases/{id}/notes/{note}", Handler: s.withActor(s.handleSaveNote), API: true},
		{Method: "POST", Path: "/api/v1/cases/{id}/notes/{note}/signature", Handler: s.withActor(s.handleSignNote), API: true},

		{Method: "GET", Path: "/api/v1/cases/{id}/decisions", Handler: s.withActor(s.handleDecisions), API: true},
		{Method: "POST", Path: "/api/v1/cases/{id}/decisions", Handler: s.withActor(s.handleAddDecision), API: true},
		{Method: "PUT", Path: "/api/v1/cases/{id}/decisions/{decision}", Handler: s.withActor(s.handleSaveDecision), API: true},
		{Method: "POST", Path: "/api/v1/cases/{id}/decisions/{decision}/finalisation", Handler: s.withActor(s.handleFinaliseDecision), API: true},
		{Method: "GET", Path: "/api/v1/cases/{id}/executions", Handler: s.withActor(s.handleExecutions), API: true},
		{Method: "POST", Path: "/api/v1/cases/{id}/decisions/{decision}/executions", Handler: s.withActor(s.handleRecordExecution), API: true},
		{Method: "PUT", Path: "/api/v1/cases/{id}/decisions/{decision}/provider", Handler: s.withActor(s.handleChooseProvider), API: true},
		{Method: "GET", Path: "/api/v1/cases/{id}/orders", Handler: s.withActor(s.handleCaseOrders), API: true},

		// Orders to providers (uppdrag), for the provider's staff and systems.
		{Method: "GET", Path: "/api/v1/orders", Handler: s.withActor(s.handleOrders), API: true},
		{Method: "GET", Path: "/api/v1/orders/feed", Handler: s.withActor(s.handleOrderFeed), API: true},
		{Method: "GET", Path: "/api/v1/orders/{id}", Handler: s.withActor(s.handleOrder), API: true},
		{Method: "POST", Path: "/api/v1/orders/{id}/acceptance", Handler: s.withActor(s.handleAcceptOrder), API: true},
		{Method: "POST", Path: "/api/v1/orders/{id}/return", Handler: s.withActor(s.handleReturnOrder), API: true},
		{Method: "GET", Path: "/api/v1/orders/{id}/plans", Handler: s.withActor(s.handlePlans), API: true},
		{Method: "POST", Path: "/api/v1/orders/{id}/plans", Handler: s.withActor(s.handleSavePlan), API: true},
		{Method: "GET", Path: "/api/v1/orders/{id}/performed", Handler: s.withActor(s.handlePerformed), API: true},
		{Method: "POST", Path: "/api/v1/orders/{id}/performed", Handler: s.withActor(s.handleReportPerformed), API: true},
		{Method: "POST", Path: "/api/v1/orders/{id}/follow-ups", Handler: s.withActor(s.handleReportFollowUp), API: true},
		{Method: "POST", Path: "/api/v1/performed-batches", Handler: s.withActor(s.handlePerformedBatch), API: true},
		{Method: "GET", Path: "/api/v1/providers/{id}/payment-basis", Handler: s.withActor(s.handlePaymentBasis), API: true},
		{Method: "GET", Path: "/api/v1/providers/{id}/payment-basis/csv", Handler: s.withActor(s.handlePaymentBasisCSV), API: true},

		// Welfare-technology alarms (alarms.go): the alarm receiving
		// centres' clients, the events a centre posts, the devices a
		// provider records on its orders and its open alarms.
		{Method: "GET", Path: "/api/v1/alarm-centres", Handler: s.withActor(s.handleAlarmCentres), API: true},
		{Method: "POST", Path: "/api/v1/alarm-centres", Handler: s.withActor(s.handleCreateAlarmCentre), API: true},
		{Method: "DELETE", Path: "/api/v1/alarm-centres/{client}", Handler: s.withActor(s.handleRevokeAlarmCentre), API: true},
		{Method: "POST", Path: "/api/v1/alarms", Handler: s.withActor(s.handlePostAlarm), API: true},
		{Method: "GET", Path: "/api/v1/alarms", Handler: s.withActor(s.handleProviderAlarms), API: true},
		{Method: "GET", Path: "/api/v1/orders/{id}/devices", Handler: s.withActor(s.handleOrderDevices), API: true},
		{Method: "POST", Path: "/api/v1/orders/{id}/devices", Handler: s.withActor(s.handleRegisterDevice), API: true},

		// Subscriptions to the event log, for the system administrator
		// (subscriptions.go).
		{Method: "GET", Path: "/api/v1/subscriptions", Handler: s.withActor(s.handleSubscriptions), API: true},
		{Method: "POST", Path: "/api/v1/subscriptions", Handler: s.withActor(s.handleCreateSubscription), API: true},
		{Method: "GET", Path: "/api/v1/subscriptions/{id}", Handler: s.withActor(s.handleSubscription), API: true},
		{Method: "DELETE", Path: "/api/v1/subscriptions/{id}", Handler: s.withActor(s.handleDeleteSubscription), API: true},
		{Method: "POST", Path: "/api/v1/subscriptions/{id}/pause", Handler: s.withActor(s.handlePauseSubscription), API: true},
		{Method: "POST", Path: "/api/v1/subscriptions/{id}/resume", Handler: s.withActor(s.handleResumeSubscription), API: true},
		{Method: "POST", Path: "/api/v1/subscriptions/{id}/replay", Handler: s.withActor(s.handleReplaySubscription), API: true},
		{Method: "POST", Path: "/api/v1/subscriptions/{id}/secret", Handler: s.withActor(s.handleRotateSubscriptionSecret), API: true},

		// Reports.
		{Method: "GET", Path: "/api/v1/reports", Handler: s.withActor(s.handleReports), API: true},
		{Method: "GET", Path: "/api/v1/reports/{id}", Handler: s.withActor(s.handleRunReport), API: true},
		{Method: "GET", Path: "/api/v1/reports/{id}/csv", Handler: s.withActor(s.handleReportCSV), API: true},
		{Method: "GET", Path: "/api/v1/reports/{id}/file", Handler: s.withActor(s.handleReportFile), API: true},
		{Method: "GET", Path: "/api/v1/registers", Handler: s.withActor(s.handleRegisters), API: true},
		{Method: "GET", Path: "/api/v1/registers/{id}/check", Handler: s.withActor(s.handleRegisterCheck), API: true},
		{Method: "GET", Path: "/api/v1/registers/{id}/file", Handler: s.withActor(s.handleRegisterFile), API: true},

		// Analysis: the dashboards' figures and the analysis store's
		// tables (analysis.go), for analysts and team leads.
		{Method: "GET", Path: "/api/v1/analysis/decision-times", Handler: s.withActor(s.handleAnalysisDecisionTimes), API: true},
		{Method: "GET", Path: "/api/v1/analysis/flow", Handler: s.withActor(s.handleAnalysisFlow), API: true},
		{Method: "GET", Path: "/api/v1/analysis/deadlines", Handler: s.withActor(s.handleAnalysisDeadlines), API: true},
		{Method: "GET", Path: "/api/v1/analysis/planned-performed", Handler: s.withActor(s.handleAnalysisPlannedPerformed), API: true},
		{Method: "GET", Path: "/api/v1/analysis/needs", Handler: s.withActor(s.handleAnalysisNeeds), API: true},
		{Method: "GET", Path: "/api/v1/analysis/execution", Handler: s.withActor(s.handleAnalysisExecution), API: true},
		{Method: "GET", Path: "/api/v1/analysis/forecast", Handler: s.withActor(s.handleAnalysisForecast), API: true},
		{Method: "GET", Path: "/api/v1/analysis/week", Handler: s.withActor(s.handleAnalysisWeek), API: true},
		{Method: "GET", Path: "/api/v1/analysis/exports", Handler: s.withActor(s.handleAnalysisExportTables), API: true},
		{Method: "GET", Path: "/api/v1/analysis/exports/{table}", Handler: s.withActor(s.handleAnalysisExport), API: true},

		// Work.
		{Method: "GET", Path: "/api/v1/inbox", Handler: s.withActor(s.handleInbox), API: true},

		// Process definitions.
		{Method: "GET", Path: "/api/v1/definitions", Handler: s.withActor(s.handleDefinitionVersions), API: true},
		{Method: "POST", Path: "/api/v1/definitions", Handler: s.withActor(s.handlePublishDefinitions), API: true},
		{Method: "POST", Path: "/api/v1/definitions/validation", Handler: s.withActor(s.handleValidateDefinitions), API: true},
		{Method: "GET", Path: "/api/v1/definitions/draft", Handler: s.withActor(s.handleDraft), API: true},
		{Method: "PUT", Path: "/api/v1/definitions/draft", Handler: s.withActor(s.handleSaveDraft), API: true},
		{Method: "POST", Path: "/api/v1/definitions/draft/publication", Handler: s.withActor(s.handlePublishDraft), API: true},
		{Method: "GET", Path: "/api/v1/definitions/{version}", Handler: s.withActor(s.handleDefinitionFiles), API: true},
		{Method: "POST", Path: "/api/v1/definitions/{version}/migration", Handler: s.withActor(s.handleMigrateCases), API: true},

		// Logs.
		{Method: "GET", Path: "/api/v1/events", Handler: s.withActor(s.handleEvents), API: true},
		{Method: "GET", Path: "/api/v1/access-log", Handler: s.withActor(s.handleAccessLog), API: true},
		{Method: "GET", Path: "/api/v1/access-log/verification", Handler: s.withActor(s.handleVerifyAccessLog), API: true},

		// Any other /api path is a problem+json 404, not an operation.
		{Method: "", Path: "/api/", Handler: s.api(s.handleAPINotFound)},
		{Method: "GET", Path: "/api/openapi.json", Handler: http.HandlerFunc(s.handleOpenAPI), API: true},

		// Health, for load balancers and monitoring.
		{Method: "GET", Path: "/healthz", Handler: http.HandlerFunc(s.handleHealth), API: true},
		{Method: "GET", Path: "/readyz", Handler: http.HandlerFunc(s.handleReady), API: true},
	}
}
