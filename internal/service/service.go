// Package service holds trygg's application services: one method per use
// case. Each write checks access, runs in one transaction and appends to the
// event log in it; each read of personal data is access-logged, durably,
// before the data is returned.
package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/incomecheck"
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Service is the application layer over the store.
type Service struct {
	db       *store.DB
	audit    *audit.Committer
	registry persons.Registry
	log      *slog.Logger
	defs     definitions

	// SessionIdle ends a session after this long without a request;
	// SessionMax ends it after this long in any case.
	SessionIdle time.Duration
	SessionMax  time.Duration
	// EmergencyDuration is how long an emergency opening lasts.
	EmergencyDuration time.Duration
	// APITokenLifetime is how long a provider API client's access token
	// from the OAuth2 token endpoint lasts (it does not go idle).
	APITokenLifetime time.Duration
	// AttachmentMaxBytes and AttachmentMaxFiles limit the documents a
	// citizen attaches to one application (see citizen_apply.go).
	AttachmentMaxBytes int64
	AttachmentMaxFiles int
	// BookkeepingLayout is the layout of the bookkeeping file of each
	// payment run (bookkeeping.go); the zero layout is the one shipped,
	// payments.DefaultBookkeepingLayout.
	BookkeepingLayout payments.BookkeepingLayout
	// Incomes is the national income check (incomecheck.go); nil: none is
	// configured, and asking it is refused as unavailable.
	Incomes incomecheck.Checker
	// Payer is the municipality's own account that payment runs pay
	// from (see payments.go); payment runs are refused until it is set.
	Payer payments.Debtor
	// Analytics is the analysis store the dashboards read (analysis.go);
	// nil: analysis is off, and the dashboards are refused as
	// unavailable.
	Analytics *analytics.Store
	// Legacy is the folder of legacy exports the browser imports from
	// and the runs started there (legacy_web.go); nil: none configured.
	Legacy *LegacyDesk
	// Delivery is how subscriptions' events are sent (subscriptions.go):
	// which webhook destinations may be reached, and the timeout.
	Delivery DeliverySettings
	// Lease is how long a server holds the lease of a loop one server at
	// a time runs (notices, letters, registry changes, deliveries) between
	// its rounds, so how long such a loop of a server that died stops
	// before another server takes it over; 0 is DefaultLease. It must be
	// longer than a round's slowest step (a webhook's timeout), or a
	// second server may take over a round still under way.
	Lease time.Duration
}

// New returns a service. The committer must write to db.
func New(db *store.DB, committer *audit.Committer, registry persons.Registry, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, audit: committer, registry: registry, log: log,
		SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour, EmergencyDuration: 4 * time.Hour, APITokenLifetime: time.Hour,
		AttachmentMaxBytes: DefaultAttachmentMaxBytes, AttachmentMaxFiles: DefaultAttachmentMaxFiles}
}

// DB returns the store, for the CLI and tests.
func (s *Service) DB() *store.DB { return s.db }

// newID returns a new time-ordered opaque id: 62 of its bits are random,
// so ids can't be guessed from one another.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// newPersonID returns a new person's id: wholly random (no time in it),
// so an id tells nothing of when the person became known to social
// services (RegisterPerson answers alike for a new and a known person).
func newPersonID() string { return uuid.NewString() }

// logAccess records reads of personal data and returns when they are
// durable. The caller returns the data only if this returns nil.
func (s *Service) logAccess(ctx context.Context, entries ...audit.Entry) error {
	if err := s.audit.Record(ctx, entries...); err != nil {
		s.log.Error("access log write failed", "err", err)
		return trygg.Errorf(trygg.EUnavailable, "The access log could not be written, so the data is not shown. Try again.")
	}
	return nil
}

// updateLogged runs fn in one write transaction that also appends the
// access-log entries of the personal data the change reads, so the change
// and its log row commit together, or neither does.
func (s *Service) updateLogged(ctx context.Context, entries []audit.Entry, fn func(tx *store.Tx) error) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if err := tx.AppendAccessLog(ctx, entries); err != nil {
			s.log.Error("access log write failed", "err", err)
			return trygg.Errorf(trygg.EUnavailable, "The access log could not be written, so nothing was changed. Try again.")
		}
		return nil
	})
}

func entry(a trygg.Actor, action access.Action, personID, caseID string, ground access.Relation, reason string) audit.Entry {
	return audit.Entry{Tenant: a.Tenant, ActorID: a.UserID, Action: string(action), PersonID: personID, CaseID: caseID,
		Ground: string(ground), Reason: reason}
}
