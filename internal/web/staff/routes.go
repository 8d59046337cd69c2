package staff

import (
	"embed"

	"github.com/trygg/trygg/internal/web/server"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the staff pages' templates.
var pages = server.ParsePages(templateFiles)

// handlers are the staff pages' handlers, on the shared server.
type handlers struct{ *server.Server }

// Routes returns the whole route table of the staff pages: the inbox,
// persons, registering a report or application, the case and decision
// pages with their forms, the officer's
// free times, reports, the access log, the profile and the staff sign-in.
func Routes(srv *server.Server) []server.Route {
	s := &handlers{srv}
	return []server.Route{
		// Home and profile (home.go).
		{Method: "GET", Path: "/{$}", Handler: s.SignedIn(s.handleHome)},
		{Method: "GET", Path: "/me", Handler: s.SignedIn(s.handleMePage)},
		// The inbox; a team lead assigns from it (inbox.go).
		{Method: "GET", Path: "/inbox", Handler: s.SignedIn(s.handleInboxPage)},
		{Method: "POST", Path: "/cases/{id}/assignment", Handler: s.SignedIn(s.handleAssignForm)},
		// Person search, emergency opening and the person page
		// (persons.go).
		{Method: "GET", Path: "/persons", Handler: s.SignedIn(s.handlePersonSearchPage)},
		{Method: "POST", Path: "/persons/search", Handler: s.SignedIn(s.handlePersonSearch)},
		{Method: "POST", Path: "/persons/emergency", Handler: s.SignedIn(s.handleEmergencyForm)},
		{Method: "GET", Path: "/persons/{id}", Handler: s.SignedIn(s.handlePersonPage)},
		// Registering a report or an application: for a person by id, or
		// by a posted identity number; the case opens (registration.go).
		{Method: "GET", Path: "/persons/{id}/registration", Handler: s.SignedIn(s.handleRegistrationPage)},
		{Method: "POST", Path: "/persons/registration", Handler: s.SignedIn(s.handleRegistrationByNumber)},
		{Method: "POST", Path: "/cases", Handler: s.SignedIn(s.handleRegistration)},
		// The case page and its forms (case.go): transitions, forms,
		// journal notes, the answer to the citizen's messages, what was
		// attached to an application, and the secrecy marks
		// (secrecy.go) that Mina sidor honours.
		{Method: "GET", Path: "/cases/{id}", Handler: s.SignedIn(s.handleCasePage)},
		{Method: "POST", Path: "/cases/{id}/transitions", Handler: s.SignedIn(s.handleTransitionForm)},
		{Method: "POST", Path: "/cases/{id}/forms/{form}", Handler: s.SignedIn(s.handleFormSave)},
		{Method: "POST", Path: "/cases/{id}/forms/{form}/signature", Handler: s.SignedIn(s.handleFormSign)},
		{Method: "POST", Path: "/cases/{id}/notes", Handler: s.SignedIn(s.handleNoteForm)},
		{Method: "POST", Path: "/cases/{id}/notes/{note}", Handler: s.SignedIn(s.handleNoteForm)},
		{Method: "POST", Path: "/cases/{id}/notes/{note}/signature", Handler: s.SignedIn(s.handleNoteSign)},
		{Method: "POST", Path: "/cases/{id}/messages", Handler: s.SignedIn(s.handleCaseMessageAnswer)},
		{Method: "POST", Path: "/cases/{id}/meetings", Handler: s.SignedIn(s.handleVisitBook)},
		{Method: "GET", Path: "/cases/{id}/attachments/{att}", Handler: s.SignedIn(s.handleCaseAttachment)},
		{Method: "POST", Path: "/cases/{id}/secrecy", Handler: s.SignedIn(s.handleSecrecyForm)},
		// The national income check beside the application (incomecheck.go).
		{Method: "POST", Path: "/cases/{id}/income-check", Handler: s.SignedIn(s.handleIncomeCheck)},
		// Decisions: the decision page, its execution, the provider
		// chosen, and the letter (decision.go).
		{Method: "POST", Path: "/cases/{id}/decisions", Handler: s.SignedIn(s.handleDecisionCreate)},
		{Method: "GET", Path: "/cases/{id}/decisions/{decision}", Handler: s.SignedIn(s.handleDecisionPage)},
		{Method: "POST", Path: "/cases/{id}/decisions/{decision}", Handler: s.SignedIn(s.handleDecisionSave)},
		{Method: "POST", Path: "/cases/{id}/decisions/{decision}/executions", Handler: s.SignedIn(s.handleExecutionForm)},
		{Method: "GET", Path: "/cases/{id}/decisions/{decision}/letter", Handler: s.SignedIn(s.handleLetterPage)},
		// The print queue: letters to those without a digital mailbox,
		// marked printed and posted (letters.go).
		{Method: "GET", Path: "/letters/print", Handler: s.SignedIn(s.handlePrintQueuePage)},
		{Method: "POST", Path: "/letters/{id}/printed", Handler: s.SignedIn(s.handleLetterPrinted)},
		{Method: "POST", Path: "/cases/{id}/decisions/{decision}/provider", Handler: s.SignedIn(s.handleProviderChoice)},
		// Recovery (återkrav): the case's debts, a recovery decided, a
		// repayment registered against a debt (recovery.go).
		{Method: "GET", Path: "/cases/{id}/recovery", Handler: s.SignedIn(s.handleRecoveryPage)},
		{Method: "POST", Path: "/cases/{id}/recovery", Handler: s.SignedIn(s.handleRecoveryDecide)},
		{Method: "POST", Path: "/cases/{id}/recovery/{debt}/repayments", Handler: s.SignedIn(s.handleRepaymentForm)},
		// The officer's free times, which citizens book on Mina sidor
		// (slots.go).
		{Method: "GET", Path: "/slots", Handler: s.SignedIn(s.handleSlotsPage)},
		{Method: "POST", Path: "/slots", Handler: s.SignedIn(s.handleSlotPublish)},
		{Method: "POST", Path: "/slots/{id}/withdrawal", Handler: s.SignedIn(s.handleSlotWithdraw)},
		// Payees and their accounts, the change log and its review by a
		// team lead (payees.go).
		{Method: "GET", Path: "/payees", Handler: s.SignedIn(s.handlePayeesPage)},
		{Method: "GET", Path: "/payees/new", Handler: s.SignedIn(s.handlePayeeNew)},
		{Method: "POST", Path: "/payees", Handler: s.SignedIn(s.handlePayeeCreate)},
		{Method: "GET", Path: "/payees/review", Handler: s.SignedIn(s.handleReviewPage)},
		{Method: "POST", Path: "/payees/changes/{id}/review", Handler: s.SignedIn(s.handleReviewChange)},
		{Method: "GET", Path: "/payees/{id}", Handler: s.SignedIn(s.handlePayeePage)},
		{Method: "POST", Path: "/payees/{id}/account", Handler: s.SignedIn(s.handlePayeeAccount)},
		{Method: "GET", Path: "/persons/{id}/payee", Handler: s.SignedIn(s.handlePersonPayee)},
		// Payments (payments.go): the proposal to attest, a payee chosen,
		// a payment stopped after a second step; for team leads the
		// month proposed, payment runs, their bank and bookkeeping files
		// and the bank's status report uploaded.
		{Method: "GET", Path: "/payments", Handler: s.SignedIn(s.handlePaymentsPage)},
		{Method: "POST", Path: "/payments/attest", Handler: s.SignedIn(s.handleAttest)},
		{Method: "POST", Path: "/payments/lines/{id}/payee", Handler: s.SignedIn(s.handlePaymentPayee)},
		{Method: "GET", Path: "/payments/lines/{id}/stop", Handler: s.SignedIn(s.handleStopPage)},
		{Method: "POST", Path: "/payments/lines/{id}/stop", Handler: s.SignedIn(s.handleStop)},
		{Method: "GET", Path: "/payments/runs", Handler: s.SignedIn(s.handleRunsPage)},
		{Method: "POST", Path: "/payments/month", Handler: s.SignedIn(s.handleProposeMonth)},
		{Method: "POST", Path: "/payments/runs", Handler: s.SignedIn(s.handleCreateRun)},
		{Method: "GET", Path: "/payments/runs/{id}", Handler: s.SignedIn(s.handleRunPage)},
		{Method: "GET", Path: "/payments/runs/{id}/file", Handler: s.SignedIn(s.handleRunFile)},
		{Method: "GET", Path: "/payments/runs/{id}/bookkeeping", Handler: s.SignedIn(s.handleRunBookkeeping)},
		{Method: "POST", Path: "/payments/runs/{id}/status-report", Handler: server.ReadsUpload(s.SignedIn(s.handleStatusReport))},
		// "Betala igen" on a line the bank rejected, from the run's page
		// and from the case's Utbetalningar.
		{Method: "POST", Path: "/payments/runs/{id}/lines/{line}/repay", Handler: s.SignedIn(s.handleRunRepay)},
		{Method: "POST", Path: "/cases/{id}/payments/{line}/repay", Handler: s.SignedIn(s.handleCaseRepay)},
		// Reports (home.go) and the access log for review (accesslog.go).
		{Method: "GET", Path: "/reports", Handler: s.SignedIn(s.handleReportsPage)},
		{Method: "GET", Path: "/reports/{id}", Handler: s.SignedIn(s.handleReportPage)},
		// Socialstyrelsen's registers for team leads: the list, a register
		// checked for a period, and its file (registers.go).
		{Method: "GET", Path: "/registers", Handler: s.SignedIn(s.handleRegistersPage)},
		{Method: "GET", Path: "/registers/{id}", Handler: s.SignedIn(s.handleRegisterPage)},
		{Method: "GET", Path: "/registers/{id}/file", Handler: s.SignedIn(s.handleRegisterFile)},
		// Delivering closed cases to the archive without purging, for
		// archivists: the preview, and the delivery streamed back as a
		// zip (archive.go).
		{Method: "GET", Path: "/archive", Handler: s.SignedIn(s.handleArchivePage)},
		{Method: "POST", Path: "/archive/deliveries", Handler: s.SignedIn(s.handleArchiveDelivery)},
		{Method: "GET", Path: "/access-log", Handler: s.SignedIn(s.handleAccessLogPage)},
		{Method: "POST", Path: "/access-log/person", Handler: s.SignedIn(s.handleAccessLogPerson)},
		{Method: "GET", Path: "/access-log/sample", Handler: s.SignedIn(s.handleAccessLogSample)},
		// Staff sign-in (signin.go).
		{Method: "GET", Path: "/login", Handler: s.Page(s.handleLoginPage)},
		{Method: "POST", Path: "/login", Handler: s.Page(s.handleLoginSubmit)},
		{Method: "POST", Path: "/logout", Handler: s.Page(s.handleLogout)},
		{Method: "GET", Path: "/auth/oidc/login", Handler: s.Page(s.handleOIDCLogin)},
		// Retention (gallring) for archivists: a preview made, approved
		// and run, and the protocol (retention.go).
		{Method: "GET", Path: "/retention", Handler: s.SignedIn(s.handleRetentionPage)},
		{Method: "POST", Path: "/retention/previews", Handler: s.SignedIn(s.handleRetentionPreviewCreate)},
		{Method: "GET", Path: "/retention/previews/{id}", Handler: s.SignedIn(s.handleRetentionPreviewPage)},
		{Method: "POST", Path: "/retention/previews/{id}/approval", Handler: s.SignedIn(s.handleRetentionApprove)},
		{Method: "POST", Path: "/retention/previews/{id}/run", Handler: s.SignedIn(s.handleRetentionRun)},
		{Method: "GET", Path: "/auth/oidc/callback", Handler: s.Page(s.handleOIDCCallback)},
		// Moving in from the legacy system, for the system administrator:
		// the exports, a run started and followed, its report and the
		// reconciliation (legacy.go).
		{Method: "GET", Path: "/admin/legacy", Handler: s.SignedIn(s.handleLegacyPage)},
		{Method: "GET", Path: "/admin/legacy/exports/{export}", Handler: s.SignedIn(s.handleLegacyExportPage)},
		{Method: "POST", Path: "/admin/legacy/exports/{export}/runs", Handler: s.SignedIn(s.handleLegacyStart)},
		{Method: "GET", Path: "/admin/legacy/runs/{id}", Handler: s.SignedIn(s.handleLegacyRunPage)},
		{Method: "GET", Path: "/admin/legacy/runs/{id}/report.csv", Handler: s.SignedIn(s.handleLegacyReport)},
		// Subscriptions to the event log, for the system administrator:
		// the list and a webhook subscribed, a subscription paused,
		// resumed, replayed, its secret rotated, removed (subscriptions.go).
		{Method: "GET", Path: "/admin/subscriptions", Handler: s.SignedIn(s.handleSubscriptionsPage)},
		{Method: "POST", Path: "/admin/subscriptions", Handler: s.SignedIn(s.handleSubscriptionCreate)},
		{Method: "GET", Path: "/admin/subscriptions/{id}", Handler: s.SignedIn(s.handleSubscriptionPage)},
		{Method: "POST", Path: "/admin/subscriptions/{id}/pause", Handler: s.SignedIn(s.handleSubscriptionPause)},
		{Method: "POST", Path: "/admin/subscriptions/{id}/resume", Handler: s.SignedIn(s.handleSubscriptionResume)},
		{Method: "POST", Path: "/admin/subscriptions/{id}/replay", Handler: s.SignedIn(s.handleSubscriptionReplay)},
		{Method: "POST", Path: "/admin/subscriptions/{id}/secret", Handler: s.SignedIn(s.handleSubscriptionRotate)},
		{Method: "POST", Path: "/admin/subscriptions/{id}/delete", Handler: s.SignedIn(s.handleSubscriptionDelete)},
	}
}
