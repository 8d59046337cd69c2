package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes is the whole route table. The OpenAPI document lists the same
// /api routes; a test keeps the two in step.
func (s *Server) routes(mux *http.ServeMux) {
	// Sign-in and session.
	mux.HandleFunc("POST /api/v1/session", s.api(s.handleSignIn))
	mux.HandleFunc("DELETE /api/v1/session", s.withActor(s.handleSignOut))
	mux.HandleFunc("GET /api/v1/me", s.withActor(s.handleMe))

	// Organisation and users.
	mux.HandleFunc("GET /api/v1/units", s.withActor(s.handleUnits))
	mux.HandleFunc("POST /api/v1/units", s.withActor(s.handleCreateUnit))
	mux.HandleFunc("POST /api/v1/users", s.withActor(s.handleCreateUser))

	// Persons.
	mux.HandleFunc("POST /api/v1/persons", s.withActor(s.handleRegisterPerson))
	mux.HandleFunc("POST /api/v1/persons/search", s.withActor(s.handleSearchPersons))
	mux.HandleFunc("GET /api/v1/persons/{id}", s.withActor(s.handlePerson))
	mux.HandleFunc("POST /api/v1/relations", s.withActor(s.handleAddRelation))
	mux.HandleFunc("POST /api/v1/emergency-openings", s.withActor(s.handleEmergencyOpen))

	// Cases.
	mux.HandleFunc("POST /api/v1/cases", s.withActor(s.handleOpenCase))
	mux.HandleFunc("GET /api/v1/cases/{id}", s.withActor(s.handleCase))
	mux.HandleFunc("POST /api/v1/cases/{id}/assignment", s.withActor(s.handleAssignCase))

	// Logs.
	mux.HandleFunc("GET /api/v1/events", s.withActor(s.handleEvents))
	mux.HandleFunc("GET /api/v1/access-log", s.withActor(s.handleAccessLog))
	mux.HandleFunc("GET /api/v1/access-log/verification", s.withActor(s.handleVerifyAccessLog))

	mux.HandleFunc("/api/", s.api(s.handleAPINotFound))
	mux.HandleFunc("GET /api/openapi.json", s.handleOpenAPI)

	// Operations.
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /readyz", s.handleReady)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.gatherer, promhttp.HandlerOpts{}))

	// Pages.
	mux.HandleFunc("GET /{$}", s.page(s.handleHome))
	mux.HandleFunc("GET /login", s.page(s.handleLoginPage))
	mux.HandleFunc("POST /login", s.page(s.handleLoginSubmit))
	mux.HandleFunc("POST /logout", s.page(s.handleLogout))
	mux.HandleFunc("GET /auth/oidc/login", s.page(s.handleOIDCLogin))
	mux.HandleFunc("GET /auth/oidc/callback", s.page(s.handleOIDCCallback))
	mux.HandleFunc("GET /static/style.css", s.handleCSS)
}
