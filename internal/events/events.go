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
	// TenantCreated is a tenant (a municipality) created (subject
	// tenant): its id, name and municipality code.
	TenantCreated = "tenant.created"
	// UnitCreated is a unit added to the tenant's unit tree (subject
	// unit): its parent, name, kind and field.
	UnitCreated = "unit.created"
	// PersonRegistered is a person registered: by an officer, from the
	// population registry, by a citizen's first sign-in, by the demo or
	// by a legacy import (subject person). Besides the unit and identity
	// type, the month of birth ("1948-03") and sex (F or M) as the
	// identity number shows them, for analysis's age bands; never the day
	// of birth or the number.
	PersonRegistered = "person.registered"
	// PersonUpdated is a person's details refreshed from the population
	// registry (subject person); nothing but a benchmark appends it today
	// (the registry's changes have events of their own).
	PersonUpdated = "person.updated"
	// RelationAdded is a relation between two persons added (a guardian,
	// a representative, ...; subject relation): the persons' ids, its
	// kind and when it holds.
	RelationAdded = "person.relation_added"
	// UserCreated is an account created (subject user): its username,
	// display name, how it signs in (password, oidc, eid), its provider,
	// whether it may see protected identities, and for a citizen's
	// account (made only by their own e-identification) the person it is.
	UserCreated = "user.created"
	// RoleGranted is a role granted to an account on a unit (subject
	// user): the role and the unit.
	RoleGranted = "user.role_granted"
	// PermissionGranted is a permission beyond roles granted to an
	// account: today the protected-identity permission (may see persons
	// with protected identity); the log review lists these.
	PermissionGranted = "user.permission_granted"
	// UserSignedIn is a sign-in (subject user): the method (password,
	// oidc, eid for a citizen's e-identification, test for the demo's test
	// sign-in, or client_credentials for an API client's token).
	UserSignedIn = "user.signed_in"
	// UserSignedOut is a sign-out (subject user).
	UserSignedOut = "user.signed_out"
	// CaseOpened is a case opened (subject case): its unit, case type,
	// assignee, definition version, first step, reference
	// ("EB-2026-00417") and the day the report or application was
	// received (earlier than the opening when the officer who registered
	// it said so).
	CaseOpened = "case.opened"
	// CaseAssigned is a case given to another officer: the new and the
	// previous assignee.
	CaseAssigned = "case.assigned"
	// CaseReferenceGiven is a reference given to a case opened before
	// cases had references (case.opened carries the reference since), by
	// the server at start as system.
	CaseReferenceGiven = "case.reference_given"
	// EmergencyOpened is an emergency opening (nödöppning) of a person's
	// records by someone without access (subject emergency_opening): when
	// it expires; the reason is in the access log.
	EmergencyOpened = "access.emergency_opened"

	// DefinitionsPublished is a version of the process definitions
	// published (subject definitions, the version): its checksum, note
	// and the line diff against the previous version.
	DefinitionsPublished = "definitions.published"
	// DefinitionsDraftChanged is the working draft of the definitions
	// changed: the line diff against the previous draft.
	DefinitionsDraftChanged = "definitions.draft_changed"
	// CaseTransitioned is a case moved by a transition of its process:
	// the transition, the steps from and to, whether the new step is
	// final, and the actions it ran.
	CaseTransitioned = "case.transitioned"
	// CaseClosed is a case closed (its final step reached); its pending
	// deadlines and follow-ups end with it.
	CaseClosed = "case.closed"
	// FormDraftSaved is a form's draft saved (subject the form entry):
	// the form and the entry it supersedes; registration true on the
	// draft an officer's registration of a report or application filled
	// in. Never the values.
	FormDraftSaved = "form.draft_saved"
	// FormSigned is a form signed (subject the form entry): the form, the
	// entry it supersedes, and on an officer's form each code of its
	// assessment fields (ICF, BBIC's areas) with its field, code system and
	// qualifier, never the text beside it; by_citizen true on the form of
	// an application sent on Mina sidor.
	FormSigned = "form.signed"
	// DeadlineStarted is a deadline of the case's process started: its
	// id, due date and the step.
	DeadlineStarted = "deadline.started"
	// DeadlineMet is a running deadline met by the case reaching its
	// step.
	DeadlineMet = "deadline.met"
	// DeadlineExtended is a running deadline given a new due date by an
	// extend_deadline action: the previous and new due date and the
	// signed form.
	DeadlineExtended = "deadline.extended"
	// DeadlineMoved is a running deadline counted from a form's date given
	// a new due date because the form was signed with another date.
	DeadlineMoved = "deadline.moved"
	// DeadlineWarning is a deadline's warning timer fired; also the
	// warning that a decision is not executed (deadline id
	// execution/<decision>, with the decision): the due date, the timer
	// and how late it fired.
	DeadlineWarning = "deadline.warning"
	// DeadlineOverdue is a deadline's due date passed without it being
	// met: the due date, the timer and how late it fired.
	DeadlineOverdue = "deadline.overdue"
	// NoteDraftSaved is a journal note's draft saved (subject note): the
	// note it corrects, never the text.
	NoteDraftSaved = "note.draft_saved"
	// NoteSigned is a journal note signed (subject note): the note it
	// corrects, never the text.
	NoteSigned = "note.signed"
	// DecisionDrafted is a decision drafted (subject decision): by an
	// officer, by a create_decisions action or from a signed form; the
	// insats and outcome.
	DecisionDrafted = "decision.drafted"
	// DecisionMade is a decision made final (subject decision): insats,
	// outcome, legal basis, period, amount and what it counts (money,
	// hours or count; per period), and the last day to appeal.
	DecisionMade = "decision.made"
	// CaseMigrated is a running case moved to another version of its
	// definitions: the versions and steps from and to.
	CaseMigrated = "case.migrated"
	// FollowUpScheduled is a follow-up scheduled on a case: its key and
	// due date.
	FollowUpScheduled = "follow_up.scheduled"
	// FollowUpDue is a scheduled follow-up fallen due.
	FollowUpDue = "follow_up.due"
	// DecisionExecution is an execution entry recorded on a decision
	// (executed in full or in part, interrupted, resumed, ended, a delay
	// note): the kind, the day, the insats and, for a partial execution,
	// the amount executed; the notes' texts stay on the decision.
	DecisionExecution = "decision.execution"
	// ProviderRegistered is a provider (utförare) registered (subject
	// provider): its name, kind (internal or external), organisation
	// number or unit, insatser and areas.
	ProviderRegistered = "provider.registered"
	// DecisionProviderChosen is the provider chosen to carry out a
	// granted decision (subject decision): the provider and the insats.
	DecisionProviderChosen = "decision.provider_chosen"
	// OrderSent is an order sent to its provider (subject order): by the
	// create_orders action, or when another provider is chosen for an
	// ordered decision. The payload is the order just after the change,
	// without what it says about the person.
	OrderSent = "order.sent"
	// OrderChanged is an active order changed by a new final decision on
	// its insats (decision, extent, period): the order after the change.
	OrderChanged = "order.changed"
	// OrderAccepted is an order accepted by its provider with a start
	// date: the order after the change.
	OrderAccepted = "order.accepted"
	// OrderReturned is an order returned by its provider: the order after
	// the change (the provider's reason stays on the order).
	OrderReturned = "order.returned"
	// OrderEnded is an active order ended: the case closed, a new decision
	// refused the insats, or another provider was chosen; the order with
	// the day it ended and why.
	OrderEnded = "order.ended"
	// OrderPlanWritten is a version of an order's implementation plan
	// written by the provider: the version, the person's participation,
	// the number of activities and their codes.
	OrderPlanWritten = "order.plan_written"
	// OrderPerformed is work done or a deviation reported by the provider
	// on an order, one report or a batch (one event per order in the
	// batch): the batch's key (empty for a single report) and the reports'
	// day, minutes, activity codes, deviation and corrected entry; no
	// notes.
	OrderPerformed = "order.performed"
	// OrderFollowedUp is the provider's report on an order's goals: the
	// report's id and each goal's status and qualifier now; no comments.
	OrderFollowedUp = "order.followed_up"
	// APIClientCreated is a provider's API client created (subject user,
	// the client's account; its provider role follows as
	// user.role_granted): the client id, name and provider, never the
	// secret.
	APIClientCreated = "api_client.created"
	// APIClientRevoked is a provider's API client revoked: the client id
	// and provider.
	APIClientRevoked = "api_client.revoked"
	// CitizenNotice asks for a notice to the case's person; the notifier
	// sends it after commit, reading the event log. A transition's
	// notify_citizen (the message in Swedish and English, and the
	// transition), an officer's message in the case's conversation (kind
	// message), an application received or a booking made, moved or
	// cancelled (kind and booking).
	CitizenNotice = "citizen.notice"
)
