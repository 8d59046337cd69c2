// Package events defines the event log: one row per change, appended in the
// change's own transaction, numbered by a gap-free per-tenant sequence.
// Consumers (history, analytics, integrations, search) read it by sequence
// from a cursor they keep, so they neither miss nor repeat an event.
package events

import (
	"encoding/json"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// Event is one change.
type Event struct {
	Tenant      trygg.TenantID  `json:"tenant"`
	Seq         int64           `json:"seq"`
	At          time.Time       `json:"at"`
	ActorID     string          `json:"actor_id"`
	Type        string          `json:"type"`
	SubjectType string          `json:"subject_type"`
	SubjectID   string          `json:"subject_id"`
	PersonID    string          `json:"person_id,omitempty"`
	CaseID      string          `json:"case_id,omitempty"`
	Payload     json.RawMessage `json:"payload"`
}

// New returns an event of type typ about a subject, with payload marshalled
// to JSON. Seq and At are set by the store when it appends.
func New(actor trygg.Actor, typ, subjectType, subjectID string, payload any) Event {
	b, err := json.Marshal(payload)
	if err != nil || payload == nil {
		b = []byte("{}")
	}
	return Event{Tenant: actor.Tenant, ActorID: actor.UserID, Type: typ, SubjectType: subjectType,
		SubjectID: subjectID, Payload: b}
}

// The event types of the foundation.
const (
	TenantCreated    = "tenant.created"
	UnitCreated      = "unit.created"
	PersonRegistered = "person.registered"
	PersonUpdated    = "person.updated" // from a registry refresh (the bench appends it)
	RelationAdded    = "person.relation_added"
	UserCreated      = "user.created"
	RoleGranted      = "user.role_granted"
	// PermissionGranted is a permission beyond roles granted to an
	// account: today the protected-identity permission.
	PermissionGranted = "user.permission_granted"
	UserSignedIn      = "user.signed_in"
	UserSignedOut     = "user.signed_out"
	CaseOpened        = "case.opened"
	CaseAssigned      = "case.assigned"
	// CaseReferenceGiven is a reference given to a case opened before
	// cases had references (case.opened carries the reference since).
	CaseReferenceGiven = "case.reference_given"
	EmergencyOpened    = "access.emergency_opened"

	DefinitionsPublished    = "definitions.published"
	DefinitionsDraftChanged = "definitions.draft_changed"
	CaseTransitioned        = "case.transitioned"
	CaseClosed              = "case.closed"
	FormDraftSaved          = "form.draft_saved"
	FormSigned              = "form.signed"
	DeadlineStarted         = "deadline.started"
	DeadlineMet             = "deadline.met"
	DeadlineExtended        = "deadline.extended"
	DeadlineMoved           = "deadline.moved" // a signed date moved a deadline counted from it
	DeadlineWarning         = "deadline.warning"
	DeadlineOverdue         = "deadline.overdue"
	NoteDraftSaved          = "note.draft_saved"
	NoteSigned              = "note.signed"
	DecisionDrafted         = "decision.drafted"
	DecisionMade            = "decision.made"
	CaseMigrated            = "case.migrated"
	FollowUpScheduled       = "follow_up.scheduled"
	FollowUpDue             = "follow_up.due"
	DecisionExecution       = "decision.execution"
	ProviderRegistered      = "provider.registered"
	DecisionProviderChosen  = "decision.provider_chosen"
	OrderSent               = "order.sent"
	OrderChanged            = "order.changed"
	OrderAccepted           = "order.accepted"
	OrderReturned           = "order.returned"
	OrderEnded              = "order.ended"
	OrderPlanWritten        = "order.plan_written"
	OrderPerformed          = "order.performed"
	OrderFollowedUp         = "order.followed_up"
	APIClientCreated        = "api_client.created"
	APIClientRevoked        = "api_client.revoked"
	// CitizenNotice asks for a notice to the case's person; the notifier
	// sends it after commit, reading the event log.
	CitizenNotice = "citizen.notice"
)
