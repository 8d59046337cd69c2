// Package trygg holds the few basic types every other package shares: the
// tenant, the acting user, the error type and the clock. It imports only the
// standard library.
package trygg

import (
	"errors"
	"fmt"
	"time"
)

// TenantID identifies a tenant (kommun). Every tenant-owned row carries it.
type TenantID string

// Role is a staff or citizen role; the table is in DESIGN.md.
type Role string

// The roles of DESIGN.md.
const (
	RoleOfficer         Role = "handlaggare"           // case officer
	RoleTeamLead        Role = "arbetsledare"          // team lead / enhetschef
	RoleProvider        Role = "utforare"              // provider staff
	RoleCitizen         Role = "invanare"              // citizen, representative, guardian
	RoleProcessDesigner Role = "verksamhetsutvecklare" // process designer
	RoleAnalyst         Role = "analytiker"
	RoleLogReviewer     Role = "logggranskare"
	RoleArchivist       Role = "arkivarie"
	RoleSysAdmin        Role = "systemforvaltare"
)

// Roles lists every role in a stable order.
var Roles = []Role{RoleOfficer, RoleTeamLead, RoleProvider, RoleCitizen, RoleProcessDesigner,
	RoleAnalyst, RoleLogReviewer, RoleArchivist, RoleSysAdmin}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if k == r {
			return true
		}
	}
	return false
}

// Grant gives a role within a unit and, through the unit tree, its sub-units.
// UnitPath is the unit's materialised path ("/root/child/"), filled by the store.
type Grant struct {
	Role     Role   `json:"role"`
	UnitID   string `json:"unit_id"`
	UnitPath string `json:"-"`
}

// Actor is who performs a request: a signed-in user with their grants.
type Actor struct {
	Tenant      TenantID
	UserID      string
	DisplayName string
	// PersonID is set for citizens: the person they are.
	PersonID string
	// ProviderID is set for a provider's staff and API clients: the
	// provider (utförare) they work for. They see that provider's orders.
	ProviderID string
	Grants     []Grant
	// ProtectedIdentity permits seeing persons with protected identity.
	ProtectedIdentity bool
	// Scope is set for an API client (OAuth2 client credentials): what
	// its tokens are for, ScopeOrders for a provider's client and
	// ScopeAlarms for an alarm receiving centre's. The web edge lets an
	// alarms token reach the alarm routes alone.
	Scope string
	// system marks the system's own actor (SystemActor). It is unexported
	// so that only this package can set it: no account, whatever its id or
	// name, is ever built as the system actor.
	system bool
}

// The scopes of API clients' tokens (Actor.Scope).
const (
	// ScopeOrders is a provider's client: it acts for its provider on the
	// provider's orders, with the provider role.
	ScopeOrders = "orders"
	// ScopeAlarms is an alarm receiving centre's client: it posts alarm
	// events and nothing else.
	ScopeAlarms = "alarms"
)

// SystemActorID is the actor id the event log records for the system's own
// changes. Account ids are made by the server (random UUIDs), so no
// account has it.
const SystemActorID = "system"

// SystemActor returns the actor for changes the system makes itself (the
// CLI, the demo loader, timers). Privileged checks ask IsSystem, never the
// id or a name.
func SystemActor(tenant TenantID) Actor {
	return Actor{Tenant: tenant, UserID: SystemActorID, DisplayName: "trygg", system: true}
}

// IsSystem reports whether a is the system's own actor, made by
// SystemActor.
func (a Actor) IsSystem() bool { return a.system }

// HasRole reports whether the actor has role r in any unit.
func (a Actor) HasRole(r Role) bool {
	for _, g := range a.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// Error codes. They map to HTTP statuses in one place in the web package.
const (
	EInvalid      = "invalid"
	ENotFound     = "not_found"
	EConflict     = "conflict"
	EForbidden    = "forbidden"
	EUnauthorized = "unauthorized"
	ETooLarge     = "too_large"
	EUnavailable  = "unavailable"
	EInternal     = "internal"
	// ERateLimited is too many attempts in a short time: nothing was done.
	ERateLimited = "rate_limited"
)

// Error is the application error. Message is safe to show to the user and
// never holds personal data; Fields maps a field name to what is wrong with it.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is the one answer for a record that does not exist and for
// one the actor may not see: the same code and the same words, so the
// answer never tells the two apart.
var ErrNotFound = &Error{Code: ENotFound, Message: "Not found."}

// Invalid returns an EInvalid error with field-level details.
func Invalid(message string, fields map[string]string) *Error {
	return &Error{Code: EInvalid, Message: message, Fields: fields}
}

// ErrorCode returns the code of the *Error inside err, EInternal for any
// other error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of err; internal errors get a
// generic text so no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred."
}

// Clock gives the current time; tests control it.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock in UTC.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
