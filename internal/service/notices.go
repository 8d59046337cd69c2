package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/notify"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Notices to citizens go out after commit, from the event log: each
// citizen.notice event (a notify_citizen action, an officer's message) is
// sent once to every citizen account that may act for the case's person
// and has said where it wants notices. The notifier's place in the log is
// a cursor in the database, moved past each event once it is sent, so a
// restart neither repeats nor skips a notice; a lease on the cursor lets
// one server at a time send. A crash between a send and the cursor's move
// repeats that one notice (its ID is the same, for a sender that drops
// repeats); nothing is ever skipped.

// noticeConsumer names the notifier's cursor.
const noticeConsumer = "citizen_notices"

// SendNotices sends the notices of up to limit of the tenant's
// citizen.notice events after the notifier's cursor, as owner, and
// returns how many notices it sent. While another owner holds the lease
// it sends nothing. A failed send stops the round with the cursor before
// that event, so it is tried again next round.
func (s *Service) SendNotices(ctx context.Context, tenant trygg.TenantID, n notify.Notifier, owner string, limit int) (int, error) {
	sent, _, err := s.sendNotices(ctx, tenant, n, owner, limit)
	return sent, err
}

// sendNotices is SendNotices that also says whether there may be more
// events to handle (it handled limit of them).
func (s *Service) sendNotices(ctx context.Context, tenant trygg.TenantID, n notify.Notifier, owner string, limit int) (sent int, more bool, err error) {
	seq, held, err := s.db.LeaseCursor(ctx, tenant, noticeConsumer, owner, s.db.Now().Add(s.lease()))
	if err != nil || !held {
		return 0, false, err
	}
	evs, err := s.db.EventsOfType(ctx, tenant, events.CitizenNotice, seq, limit)
	if err != nil {
		return 0, false, err
	}
	for _, e := range evs {
		if e.PersonID != "" {
			recipients, err := s.db.NoticeRecipients(ctx, tenant, e.PersonID, calendar.Today(s.db.Now()))
			if err != nil {
				return sent, false, err
			}
			var p struct {
				Kind string `json:"kind"`
			}
			_ = json.Unmarshal(e.Payload, &p)
			kind := notify.KindCase
			if p.Kind == notify.KindMessage {
				kind = notify.KindMessage
			}
			text := notify.Texts[kind]
			for _, r := range recipients {
				if r.Channel == "" || r.Address == "" {
					continue // the account has said nowhere: Mina sidor shows it
				}
				nt := notify.Notice{ID: fmt.Sprintf("%s-%d-%s", tenant, e.Seq, r.UserID), Tenant: string(tenant), At: s.db.Now(),
					UserID: r.UserID, Channel: r.Channel, Address: r.Address, Kind: kind, Text: text[0], TextEN: text[1]}
				if err := n.Notify(ctx, nt); err != nil {
					return sent, false, fmt.Errorf("service: notice for event %d: %w", e.Seq, err)
				}
				sent++
			}
		}
		// What was sent is recorded even when the server is stopping: a
		// stop between sending and recording would send it again.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		moved, err := s.db.AdvanceCursor(actx, tenant, noticeConsumer, owner, seq, e.Seq)
		cancel()
		if err != nil || !moved {
			return sent, false, err // the lease ran out: another server goes on
		}
		seq = e.Seq
	}
	return sent, len(evs) == limit, nil
}

// RunNotices sends every tenant's notices through n every interval until
// ctx ends, then gives up its leases so a restarted server goes on at once.
func (s *Service) RunNotices(ctx context.Context, n notify.Notifier, interval time.Duration) {
	owner := newID()
	s.runLeased(ctx, interval, "sending notices failed",
		func(ctx context.Context, tn trygg.TenantID) (bool, error) {
			_, more, err := s.sendNotices(ctx, tn, n, owner, 200)
			return more, err
		},
		func(ctx context.Context, tn trygg.TenantID) error {
			return s.db.ReleaseCursor(ctx, tn, noticeConsumer, owner)
		})
}

// DefaultLease is how long a server holds the lease of a loop that one
// server at a time runs (the notifier, the letters' sender, the registry
// changes, each subscription's deliveries) unless Lease says otherwise.
const DefaultLease = time.Minute

// lease is how long a server holds a loop's lease between rounds:
// another server takes the loop over once it runs out, so it is how
// long a loop of a server that died stops.
func (s *Service) lease() time.Duration {
	if s.Lease > 0 {
		return s.Lease
	}
	return DefaultLease
}

// runLeased is the loop of a consumer of each tenant's event log that
// holds a lease while it works (the notifier, the letters' sender, the
// registry changes): every interval until ctx ends it runs round for each
// tenant until round says there is no more, logging a failure as
// failed; when ctx ends it gives up each tenant's lease (release), so a
// restarted server goes on at once.
func (s *Service) runLeased(ctx context.Context, interval time.Duration, failed string,
	round func(context.Context, trygg.TenantID) (more bool, err error), release func(context.Context, trygg.TenantID) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var tenants []trygg.TenantID
	defer func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, tn := range tenants {
			if err := release(rctx, tn); err != nil {
				s.log.Warn("releasing a lease failed", "tenant", tn, "loop", failed, "err", err)
			}
		}
	}()
	for {
		ts, err := s.db.Tenants(ctx)
		if err == nil {
			tenants = tenants[:0]
			for _, tn := range ts {
				tenants = append(tenants, tn.ID)
				for {
					more, err := round(ctx, tn.ID)
					if err != nil {
						if ctx.Err() == nil {
							s.log.Error(failed, "tenant", tn.ID, "err", err)
						}
						break
					}
					if !more {
						break
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// setNoticeContact sets where a citizen account wants its notices.
func (s *Service) setNoticeContact(ctx context.Context, tenant trygg.TenantID, userID, channel, address string) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		return tx.SetNoticeContact(ctx, tenant, userID, channel, address)
	})
}
