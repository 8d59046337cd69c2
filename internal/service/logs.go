package service

import (
	"context"
	"encoding/json"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Events returns events after the cursor for integration consumers; a
// system administrator may read them.
func (s *Service) Events(ctx context.Context, a trygg.Actor, after int64, limit int) ([]events.Event, error) {
	if _, err := access.Decide(a, access.ReadEvents, access.Subject{}); err != nil {
		return nil, err
	}
	if after < 0 {
		return nil, trygg.Invalid("The cursor is not valid.", map[string]string{"after": "Must be 0 or more."})
	}
	return s.db.Events(ctx, a.Tenant, after, limit)
}

// AccessLog returns access-log entries for review (logggranskare),
// emergency openings first.
func (s *Service) AccessLog(ctx context.Context, a trygg.Actor, f store.AccessLogFilter) ([]audit.Entry, error) {
	if _, err := access.Decide(a, access.ReadAccessLog, access.Subject{}); err != nil {
		return nil, err
	}
	return s.db.AccessLog(ctx, a.Tenant, f)
}

// AccessLogUsers returns the names of the users with ids, keyed by id, so
// the log reviewer sees who made each entry; ids of no user are left out.
// Anyone but a log reviewer gets a forbidden error.
func (s *Service) AccessLogUsers(ctx context.Context, a trygg.Actor, ids []string) (map[string]store.UserName, error) {
	if _, err := access.Decide(a, access.ReadAccessLog, access.Subject{}); err != nil {
		return nil, err
	}
	return s.db.UserNames(ctx, a.Tenant, ids)
}

// AccessLogUser returns the id of the user with the username (or, failing
// that, the id) name, for filtering the access log by user (logggranskare).
// It returns not found if there is no such user, and forbidden to anyone
// but a log reviewer.
func (s *Service) AccessLogUser(ctx context.Context, a trygg.Actor, name string) (string, error) {
	if _, err := access.Decide(a, access.ReadAccessLog, access.Subject{}); err != nil {
		return "", err
	}
	u, err := s.db.UserByUsername(ctx, a.Tenant, name)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		u, err = s.db.UserByID(ctx, a.Tenant, name)
	}
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// AccessLogPerson returns the id of the person with the identity number,
// so a log reviewer can review who read a person's records without the
// number appearing in a URL. The lookup tells whether the person is known
// to social services, so it is itself access-logged. It returns invalid for
// a malformed number, not found if there is no such person, and forbidden
// to anyone but a log reviewer.
func (s *Service) AccessLogPerson(ctx context.Context, a trygg.Actor, identityNumber string) (string, error) {
	ground, err := access.Decide(a, access.ReadAccessLog, access.Subject{})
	if err != nil {
		return "", err
	}
	id, err := persons.ParseIdentityNumber(identityNumber, s.db.Now())
	if err != nil {
		return "", trygg.Invalid(trygg.ErrorMessage(err), map[string]string{"identity_number": trygg.ErrorMessage(err)})
	}
	p, err := s.db.PersonByIdentity(ctx, a.Tenant, id)
	if err != nil {
		return "", err
	}
	if err := s.logAccess(ctx, entry(a, access.ReadAccessLog, p.ID, "", ground, "")); err != nil {
		return "", err
	}
	return p.ID, nil
}

// PermissionGrant is a grant of the protected-identity permission, for
// the log review.
type PermissionGrant struct {
	At time.Time `json:"at"`
	// By is the user who granted it (or "system"), UserID who got it.
	By       string `json:"by"`
	UserID   string `json:"user_id"`
	Username string `json:"username"`
}

// PermissionGrants returns the newest grants of the protected-identity
// permission, newest first, from the event log (logggranskare); anyone
// else gets a forbidden error.
func (s *Service) PermissionGrants(ctx context.Context, a trygg.Actor) ([]PermissionGrant, error) {
	if _, err := access.Decide(a, access.ReadAccessLog, access.Subject{}); err != nil {
		return nil, err
	}
	evs, err := s.db.LatestEventsOfType(ctx, a.Tenant, events.PermissionGranted, 200)
	if err != nil {
		return nil, err
	}
	out := []PermissionGrant{}
	for _, e := range evs {
		var p struct{ Permission, Username string }
		if err := json.Unmarshal(e.Payload, &p); err != nil || p.Permission != PermissionProtectedIdentity {
			continue
		}
		out = append(out, PermissionGrant{At: e.At, By: e.ActorID, UserID: e.SubjectID, Username: p.Username})
	}
	return out, nil
}

// VerifyAccessLog verifies the actor's tenant's chain (logggranskare).
func (s *Service) VerifyAccessLog(ctx context.Context, a trygg.Actor) (audit.Report, error) {
	if _, err := access.Decide(a, access.ReadAccessLog, access.Subject{}); err != nil {
		return audit.Report{}, err
	}
	return s.db.VerifyAccessLog(ctx, a.Tenant)
}
