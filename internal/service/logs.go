package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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

// AccessLogRunWindow is how far apart an actor's consecutive entries on
// the same record may be and still be one row of the review (see
// store.AccessLogRun): an officer's form saved as she types is one row.
const AccessLogRunWindow = 5 * time.Minute

// AccessLogRuns returns access-log entries for review (logggranskare)
// grouped into runs, emergency openings first, then newest first. The
// reviewer's own names seen while reviewing (the log-review ground) are
// left out unless she filters on herself; another reviewer sees them.
// Anyone else gets a forbidden error.
func (s *Service) AccessLogRuns(ctx context.Context, a trygg.Actor, f store.AccessLogFilter) ([]store.AccessLogRun, error) {
	if _, err := access.Decide(a, access.ReadAccessLog, access.Subject{}); err != nil {
		return nil, err
	}
	if f.ActorID != a.UserID {
		f.HideLogReviewBy = a.UserID
	}
	return s.db.AccessLogRuns(ctx, a.Tenant, f, AccessLogRunWindow)
}

// MaxSampleSize is the most entries a sample of the access log draws.
const MaxSampleSize = 500

// AccessLogSampleInput asks for a sample (stickprov) of the access log.
type AccessLogSampleInput struct {
	// From is inclusive and To exclusive; both are required.
	From, To time.Time
	// N is how many entries to draw, 1 to MaxSampleSize.
	N int
	// Seed, 1 to store.MaxSampleSeed, decides which: the same period, N
	// and seed draw the same entries for any reviewer.
	Seed int64
}

// AccessLogSample is a drawn sample.
type AccessLogSample struct {
	Entries []audit.Entry
	// Total is how many entries it was drawn from.
	Total int
}

// DrawAccessLogSample draws a sample of the entries of a period for
// review (logggranskare), in the order they were written; the names seen
// in log reviews are not drawn (see store.AccessLogSample). It returns an
// invalid error naming the fields that are wrong, and forbidden to anyone
// but a log reviewer.
func (s *Service) DrawAccessLogSample(ctx context.Context, a trygg.Actor, in AccessLogSampleInput) (AccessLogSample, error) {
	if _, err := access.Decide(a, access.ReadAccessLog, access.Subject{}); err != nil {
		return AccessLogSample{}, err
	}
	fields := map[string]string{}
	if in.From.IsZero() {
		fields["from"] = "Required."
	}
	if in.To.IsZero() {
		fields["to"] = "Required."
	} else if !in.From.IsZero() && !in.From.Before(in.To) {
		fields["to"] = "Must be after the start of the period."
	}
	if in.N < 1 || in.N > MaxSampleSize {
		fields["n"] = fmt.Sprintf("Must be a whole number from 1 to %d.", MaxSampleSize)
	}
	if in.Seed < 1 || in.Seed > store.MaxSampleSeed {
		fields["seed"] = fmt.Sprintf("Must be a whole number from 1 to %d.", store.MaxSampleSeed)
	}
	if len(fields) > 0 {
		return AccessLogSample{}, trygg.Invalid("The sample cannot be drawn.", fields)
	}
	entries, total, err := s.db.AccessLogSample(ctx, a.Tenant, in.From, in.To, in.N, in.Seed)
	if err != nil {
		return AccessLogSample{}, err
	}
	return AccessLogSample{Entries: entries, Total: total}, nil
}

// AccessLogPersonNames returns the names ("Given Family") of the persons
// with ids, keyed by id, so the log reviewer sees whom each entry is
// about. Seeing a name is itself logged: one entry per person, on the
// log-review ground, each time she asks (once per page she views). A
// protected person's name needs the permission and is otherwise left
// out, as are ids of no person. Anyone but a log reviewer gets a
// forbidden error.
func (s *Service) AccessLogPersonNames(ctx context.Context, a trygg.Actor, ids []string) (map[string]string, error) {
	if _, err := access.Decide(a, access.ReadAccessLog, access.Subject{}); err != nil {
		return nil, err
	}
	names, err := s.db.PersonNames(ctx, a.Tenant, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var logged []audit.Entry
	for _, id := range ids {
		n, ok := names[id]
		if !ok {
			continue
		}
		ground, err := access.Decide(a, access.ReadPersonName, access.Subject{Protection: n.Protection})
		if err != nil {
			continue
		}
		if _, seen := out[id]; !seen {
			out[id] = strings.TrimSpace(n.GivenName + " " + n.FamilyName)
			logged = append(logged, entry(a, access.ReadPersonName, id, "", ground, ""))
		}
	}
	if err := s.logAccess(ctx, logged...); err != nil {
		return nil, err
	}
	return out, nil
}

// AccessLogCaseReferences returns the references of the cases with ids
// ("BU-2026-00012"), keyed by id, for the log review; a reference names no
// one. Cases without one are left out. Anyone but a log reviewer gets a
// forbidden error.
func (s *Service) AccessLogCaseReferences(ctx context.Context, a trygg.Actor, ids []string) (map[string]string, error) {
	if _, err := access.Decide(a, access.ReadAccessLog, access.Subject{}); err != nil {
		return nil, err
	}
	return s.db.CaseReferences(ctx, a.Tenant, ids)
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
