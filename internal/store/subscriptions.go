package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// The states of a subscription.
const (
	SubscriptionActive   = "active"
	SubscriptionPaused   = "paused"
	SubscriptionDisabled = "disabled"
)

// Subscription is an administrator's subscription to the tenant's event
// log (docs/integrations.md): which event types go to which destination.
// Its secrets are never shown after they are made.
type Subscription struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Kind is webhook or nats.
	Kind string `json:"kind"`
	// EventTypes are patterns: a type ("decision.made"), a prefix and
	// ".*" ("case.*"), or "*" for every type.
	EventTypes []string `json:"event_types"`
	// Destination is a webhook's URL or a NATS server's.
	Destination string `json:"destination"`
	// Config holds the kind's other settings (a NATS stream and subject
	// prefix).
	Config json.RawMessage `json:"config,omitempty"`
	// Secret signs a webhook's messages; PreviousSecret signs them too
	// until PreviousUntil, while a secret is rotated.
	Secret         string    `json:"-"`
	PreviousSecret string    `json:"-"`
	PreviousUntil  time.Time `json:"rotation_ends,omitzero"`
	// State is active, paused or disabled; Reason says why it is not
	// active (gone, given_up, paused).
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
	// Attempts is how many times the message at the cursor has failed
	// since FailingSince; the next try is at NextAttemptAt.
	Attempts      int       `json:"attempts"`
	FailingSince  time.Time `json:"failing_since,omitzero"`
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	// LastError is the newest failure, in English.
	LastError       string    `json:"last_error,omitempty"`
	LastErrorAt     time.Time `json:"last_error_at,omitzero"`
	Delivered       int64     `json:"delivered"`
	LastDeliveredAt time.Time `json:"last_delivered_at,omitzero"`
	CreatedBy       string    `json:"created_by"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	// Cursor is the sequence number of the last event handled: delivery
	// goes on after it.
	Cursor int64 `json:"cursor"`
}

// SubscriptionConsumer names a subscription's cursor of the event log.
func SubscriptionConsumer(id string) string { return "subscription:" + id }

const subscriptionCols = `s.id, s.name, s.kind, s.event_types, s.destination, s.config, s.secret, s.previous_secret, s.previous_until,
	s.state, s.reason, s.attempts, s.failing_since, s.next_attempt_at, s.last_error, s.last_error_at, s.delivered, s.last_delivered_at,
	s.created_by, s.created_at, s.updated_at, COALESCE(c.seq, 0)`

const subscriptionFrom = ` FROM subscriptions s LEFT JOIN notifier_cursors c
	ON c.tenant_id = s.tenant_id AND c.consumer = 'subscription:' || s.id`

func scanSubscription(r interface{ Scan(...any) error }) (Subscription, error) {
	var s Subscription
	var types, config string
	var prevUntil, failing, next, errAt, delivAt, created, updated int64
	err := r.Scan(&s.ID, &s.Name, &s.Kind, &types, &s.Destination, &config, &s.Secret, &s.PreviousSecret, &prevUntil,
		&s.State, &s.Reason, &s.Attempts, &failing, &next, &s.LastError, &errAt, &s.Delivered, &delivAt,
		&s.CreatedBy, &created, &updated, &s.Cursor)
	s.EventTypes = strings.Fields(types)
	if config != "" && config != "{}" {
		s.Config = json.RawMessage(config)
	}
	s.PreviousUntil, s.FailingSince, s.NextAttemptAt = fromMicros(prevUntil), fromMicros(failing), fromMicros(next)
	s.LastErrorAt, s.LastDeliveredAt, s.CreatedAt, s.UpdatedAt = fromMicros(errAt), fromMicros(delivAt), fromMicros(created), fromMicros(updated)
	return s, err
}

// InsertSubscription records a new subscription inside tx, with its
// cursor at cursor (delivery begins after that event); a name the
// tenant already has is a conflict.
func (tx *Tx) InsertSubscription(ctx context.Context, tenant trygg.TenantID, s Subscription, cursor int64) error {
	config := string(s.Config)
	if config == "" {
		config = "{}"
	}
	_, err := tx.exec(ctx, `INSERT INTO subscriptions (tenant_id, id, name, kind, event_types, destination, config, secret, state,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), s.ID, s.Name, s.Kind, strings.Join(s.EventTypes, " "), s.Destination, config, s.Secret, SubscriptionActive,
		s.CreatedBy, micros(tx.Now), micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Invalid("A subscription with that name exists.", map[string]string{"name": "A subscription with that name exists."})
	}
	if err != nil {
		return fmt.Errorf("store: insert subscription: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO notifier_cursors (tenant_id, consumer, seq) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, consumer) DO UPDATE SET seq = excluded.seq, leased_by = '', leased_until = 0`,
		string(tenant), SubscriptionConsumer(s.ID), cursor); err != nil {
		return fmt.Errorf("store: insert subscription cursor: %w", err)
	}
	return nil
}

// Subscriptions returns the tenant's subscriptions by name.
func (db *DB) Subscriptions(ctx context.Context, tenant trygg.TenantID) ([]Subscription, error) {
	out, err := scanRows(scanSubscription)(db.query(ctx, `SELECT `+subscriptionCols+subscriptionFrom+` WHERE s.tenant_id = ? ORDER BY s.name, s.id`, string(tenant)))
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	return out, nil
}

// DueSubscriptions returns the tenant's active subscriptions whose next
// attempt is due at now.
func (db *DB) DueSubscriptions(ctx context.Context, tenant trygg.TenantID, now time.Time) ([]Subscription, error) {
	out, err := scanRows(scanSubscription)(db.query(ctx, `SELECT `+subscriptionCols+subscriptionFrom+`
		WHERE s.tenant_id = ? AND s.state = ? AND s.next_attempt_at <= ? ORDER BY s.id`, string(tenant), SubscriptionActive, micros(now)))
	if err != nil {
		return nil, fmt.Errorf("store: due subscriptions: %w", err)
	}
	return out, nil
}

// Subscription returns one subscription, or not found.
func (db *DB) Subscription(ctx context.Context, tenant trygg.TenantID, id string) (Subscription, error) {
	s, err := scanSubscription(db.queryRow(ctx, `SELECT `+subscriptionCols+subscriptionFrom+` WHERE s.tenant_id = ? AND s.id = ?`, string(tenant), id))
	if err != nil {
		return s, fmt.Errorf("store: subscription: %w", notFound(err, "Subscription"))
	}
	return s, nil
}

// Subscription returns one subscription inside tx, or not found.
func (tx *Tx) Subscription(ctx context.Context, tenant trygg.TenantID, id string) (Subscription, error) {
	s, err := scanSubscription(tx.queryRow(ctx, `SELECT `+subscriptionCols+subscriptionFrom+` WHERE s.tenant_id = ? AND s.id = ?`, string(tenant), id))
	if err != nil {
		return s, fmt.Errorf("store: subscription: %w", notFound(err, "Subscription"))
	}
	return s, nil
}

// SetSubscriptionState sets a subscription's state and reason inside tx;
// becoming active clears its retries, so the next attempt is at once.
func (tx *Tx) SetSubscriptionState(ctx context.Context, tenant trygg.TenantID, id, state, reason string) error {
	q := `UPDATE subscriptions SET state = ?, reason = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`
	if state == SubscriptionActive {
		q = `UPDATE subscriptions SET state = ?, reason = ?, updated_at = ?, attempts = 0, failing_since = 0, next_attempt_at = 0
			WHERE tenant_id = ? AND id = ?`
	}
	if _, err := tx.exec(ctx, q, state, reason, micros(tx.Now), string(tenant), id); err != nil {
		return fmt.Errorf("store: set subscription state: %w", err)
	}
	if state != SubscriptionActive {
		// The server delivering it loses its lease, so a round under way
		// stops at its next move of the cursor.
		if _, err := tx.exec(ctx, `UPDATE notifier_cursors SET leased_by = '', leased_until = 0 WHERE tenant_id = ? AND consumer = ?`,
			string(tenant), SubscriptionConsumer(id)); err != nil {
			return fmt.Errorf("store: set subscription state: %w", err)
		}
	}
	return nil
}

// SetSubscriptionSecrets sets a subscription's secret, and the previous
// one that signs too until until, inside tx.
func (tx *Tx) SetSubscriptionSecrets(ctx context.Context, tenant trygg.TenantID, id, secret, previous string, until time.Time) error {
	if _, err := tx.exec(ctx, `UPDATE subscriptions SET secret = ?, previous_secret = ?, previous_until = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ?`, secret, previous, micros(until), micros(tx.Now), string(tenant), id); err != nil {
		return fmt.Errorf("store: set subscription secrets: %w", err)
	}
	return nil
}

// SetSubscriptionCursor moves a subscription's cursor to seq inside tx
// (a replay) and ends any lease on it, so a server delivering it stops
// at its next step and the next round starts from seq; its retries are
// cleared.
func (tx *Tx) SetSubscriptionCursor(ctx context.Context, tenant trygg.TenantID, id string, seq int64) error {
	if _, err := tx.exec(ctx, `UPDATE notifier_cursors SET seq = ?, leased_by = '', leased_until = 0 WHERE tenant_id = ? AND consumer = ?`,
		seq, string(tenant), SubscriptionConsumer(id)); err != nil {
		return fmt.Errorf("store: set subscription cursor: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE subscriptions SET attempts = 0, failing_since = 0, next_attempt_at = 0, updated_at = ?
		WHERE tenant_id = ? AND id = ?`, micros(tx.Now), string(tenant), id); err != nil {
		return fmt.Errorf("store: set subscription cursor: %w", err)
	}
	return nil
}

// DeleteSubscription removes a subscription and its cursor inside tx.
func (tx *Tx) DeleteSubscription(ctx context.Context, tenant trygg.TenantID, id string) error {
	if _, err := tx.exec(ctx, `DELETE FROM subscriptions WHERE tenant_id = ? AND id = ?`, string(tenant), id); err != nil {
		return fmt.Errorf("store: delete subscription: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM notifier_cursors WHERE tenant_id = ? AND consumer = ?`, string(tenant), SubscriptionConsumer(id)); err != nil {
		return fmt.Errorf("store: delete subscription cursor: %w", err)
	}
	return nil
}

// AdvanceSubscription moves a subscription's cursor from one sequence to
// the next while owner holds its lease, as AdvanceCursor does, and in the
// same transaction counts n messages delivered (clearing its retries when
// n > 0). moved is false, and nothing changes, if the cursor moved
// meanwhile or the lease is gone.
func (db *DB) AdvanceSubscription(ctx context.Context, tenant trygg.TenantID, id, owner string, from, to int64, n int) (moved bool, err error) {
	err = db.Update(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE notifier_cursors SET seq = ? WHERE tenant_id = ? AND consumer = ? AND leased_by = ? AND seq = ?`,
			to, string(tenant), SubscriptionConsumer(id), owner, from)
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		if moved = k == 1; err != nil || !moved || n == 0 {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE subscriptions SET delivered = delivered + ?, last_delivered_at = ?, attempts = 0, failing_since = 0,
			next_attempt_at = 0 WHERE tenant_id = ? AND id = ?`, n, micros(tx.Now), string(tenant), id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: advance subscription: %w", err)
	}
	return moved, nil
}

// RecordDeliveries counts n messages delivered to a subscription at at
// and clears its retries.
func (db *DB) RecordDeliveries(ctx context.Context, tenant trygg.TenantID, id string, n int, at time.Time) error {
	err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE subscriptions SET delivered = delivered + ?, last_delivered_at = ?, attempts = 0, failing_since = 0,
			next_attempt_at = 0 WHERE tenant_id = ? AND id = ?`, n, micros(at), string(tenant), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record deliveries: %w", err)
	}
	return nil
}

// RecordDeliveryFailure records a failed attempt of a subscription: its
// count of attempts, since when it fails, when to try next, and the
// error (English, no personal data).
func (db *DB) RecordDeliveryFailure(ctx context.Context, tenant trygg.TenantID, id string, attempts int, since, next time.Time, msg string) error {
	err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE subscriptions SET attempts = ?, failing_since = ?, next_attempt_at = ?, last_error = ?, last_error_at = ?
			WHERE tenant_id = ? AND id = ?`, attempts, micros(since), micros(next), msg, micros(tx.Now), string(tenant), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record delivery failure: %w", err)
	}
	return nil
}

// DisableSubscription disables an active subscription inside tx with
// the reason and the error; disabled reports whether it was active.
func (tx *Tx) DisableSubscription(ctx context.Context, tenant trygg.TenantID, id, reason, msg string) (disabled bool, err error) {
	res, err := tx.exec(ctx, `UPDATE subscriptions SET state = ?, reason = ?, last_error = ?, last_error_at = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ? AND state = ?`, SubscriptionDisabled, reason, msg, micros(tx.Now), micros(tx.Now),
		string(tenant), id, SubscriptionActive)
	if err != nil {
		return false, fmt.Errorf("store: disable subscription: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
