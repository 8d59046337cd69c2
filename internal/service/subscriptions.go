package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/trygg/trygg/internal/deliver"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Events out (docs/integrations.md): a system administrator subscribes a
// destination (a webhook, a NATS JetStream stream) to event types of the
// tenant's event log. The log is the outbox: each subscription has a
// cursor of its own (notifier_cursors, "subscription:<id>"), moved past
// an event only once the destination accepted it, so delivery is
// at-least-once and in log order (so in order per case too), with the
// event's id "<tenant>-<seq>" as the key a receiver drops repeats by. A
// crash between sending and moving the cursor sends that event again,
// never skips one. A lease on the cursor lets one server at a time
// deliver each subscription. A failed send leaves the cursor where it is
// and tries again after a pause that doubles from 5 seconds to an hour;
// after about three days of failing, or at once when a webhook answers
// 410 Gone, the subscription is disabled.

// The kinds of subscription.
const (
	SubscriptionWebhook = "webhook"
	SubscriptionNATS    = "nats"
)

// Reasons a subscription is not active.
const (
	ReasonPaused  = "paused"
	ReasonGone    = "gone"
	ReasonGivenUp = "given_up"
)

const (
	// deliveryBatch is how many events of the log a round reads at once.
	deliveryBatch = 200
	// retryFirst is the pause after a first failure; it doubles with
	// each failure up to retryMax.
	retryFirst = 5 * time.Second
	retryMax   = time.Hour
	// GiveUpAfter is how long a subscription may fail before it is
	// disabled.
	GiveUpAfter = 72 * time.Hour
	// RotationOverlap is how long an old webhook secret signs beside the
	// new one after a rotation.
	RotationOverlap = 24 * time.Hour
)

// DeliverySettings say how subscriptions' events are sent.
type DeliverySettings struct {
	// Policy says which webhook destinations may be reached
	// (serve --webhook-allow-private, --webhook-hosts).
	Policy deliver.Policy
	// Timeout is how long a destination has to accept a message
	// (deliver.DefaultTimeout if 0).
	Timeout time.Duration
	// CursorEvery is how often, at most, a subscription's cursor moves
	// past the messages its destination accepted while it catches up: 0
	// moves it after each (a crash repeats one message); more costs fewer
	// commits, so delivery keeps up with a busy log, and a crash repeats
	// what was accepted in that time (serve --delivery-cursor-every).
	CursorEvery time.Duration
	// NATSCredsDir is the folder a NATS subscription's credentials file
	// is named in (serve --nats-creds-dir); "" allows none, so an
	// administrator cannot name any file on the server.
	NATSCredsDir string
	// NewSender, when set, makes a subscription's sender in place of the
	// one its kind names (tests wrap the real one with it).
	NewSender func(ctx context.Context, sub store.Subscription, secrets []string) (deliver.Sender, error)
}

// SubscriptionInput is a new subscription.
type SubscriptionInput struct {
	Name string `json:"name"`
	// Kind is webhook or nats.
	Kind string `json:"kind"`
	// EventTypes are patterns: "case.opened", "case.*" or "*".
	EventTypes []string `json:"event_types"`
	// Destination is the webhook's URL, or the NATS server's
	// (nats://host:port).
	Destination string `json:"destination"`
	// Stream, SubjectPrefix and CreateStream are a NATS subscription's
	// stream, the subjects' first tokens and whether trygg creates the
	// stream; Token or CredsFile authenticate to the server.
	Stream        string `json:"stream,omitempty"`
	SubjectPrefix string `json:"subject_prefix,omitempty"`
	CreateStream  bool   `json:"create_stream,omitempty"`
	Token         string `json:"token,omitempty"`
	CredsFile     string `json:"creds_file,omitempty"`
}

// natsSettings is a NATS subscription's config column.
type natsSettings struct {
	Stream        string `json:"stream"`
	SubjectPrefix string `json:"subject_prefix,omitempty"`
	CreateStream  bool   `json:"create_stream,omitempty"`
	CredsFile     string `json:"creds_file,omitempty"`
}

// SubscriptionInfo is a subscription as an administrator sees it, with
// how far behind the log it is.
type SubscriptionInfo struct {
	store.Subscription
	// Lag is how many events of the log come after its cursor.
	Lag int64 `json:"lag"`
}

// Behind is Lag as an int, for the pages' counts.
func (i SubscriptionInfo) Behind() int { return int(min(i.Lag, 1<<31-1)) }

// typePattern is an event-type pattern: "*", a type, or a type's
// prefix and ".*".
var typePattern = regexp.MustCompile(`^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$`)

// MatchesEventType reports whether an event of type typ is one of
// patterns.
func MatchesEventType(patterns []string, typ string) bool {
	for _, p := range patterns {
		switch {
		case p == "*":
			return true
		case strings.HasSuffix(p, ".*"):
			if strings.HasPrefix(typ, p[:len(p)-1]) {
				return true
			}
		case p == typ:
			return true
		}
	}
	return false
}

func requireSubscriptionAdmin(a trygg.Actor) error {
	if !a.HasRole(trygg.RoleSysAdmin) {
		return trygg.Errorf(trygg.EForbidden, "Only a system administrator can manage subscriptions.")
	}
	return nil
}

// CreateSubscription makes a subscription of the actor's tenant that
// delivers the events after this one. For a webhook it returns the new
// secret, shown this once. Only a system administrator may; a field that
// is wrong is invalid, a name the tenant has already too.
func (s *Service) CreateSubscription(ctx context.Context, a trygg.Actor, in SubscriptionInput) (store.Subscription, string, error) {
	if err := requireSubscriptionAdmin(a); err != nil {
		return store.Subscription{}, "", err
	}
	sub := store.Subscription{ID: newID(), Name: strings.TrimSpace(in.Name), Kind: in.Kind, Destination: strings.TrimSpace(in.Destination),
		CreatedBy: a.UserID, State: store.SubscriptionActive}
	fields := map[string]string{}
	if sub.Name == "" || len(sub.Name) > 100 || strings.ContainsAny(sub.Name, "\r\n\t") {
		fields["name"] = "Give a name of at most 100 characters on one line."
	}
	for _, p := range in.EventTypes {
		for _, p := range strings.FieldsFunc(p, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' }) {
			if !typePattern.MatchString(p) {
				fields["event_types"] = "Event types are types such as case.opened, a prefix such as case.*, or * for all."
			}
			sub.EventTypes = append(sub.EventTypes, p)
		}
	}
	if len(sub.EventTypes) == 0 {
		fields["event_types"] = "Give at least one event type."
	} else if len(sub.EventTypes) > 50 {
		fields["event_types"] = "Give at most 50 event types."
	}
	var secret string
	switch in.Kind {
	case SubscriptionWebhook:
		if _, err := deliver.CheckURL(sub.Destination, s.Delivery.Policy); errors.Is(err, deliver.ErrRefused) {
			fields["destination"] = "The address is not allowed: a private or local address, or a host not on the allow-list."
		} else if err != nil || len(sub.Destination) > 2000 {
			fields["destination"] = "Give an http:// or https:// address without a user name."
		}
		secret = deliver.NewSecret()
		sub.Secret = secret
	case SubscriptionNATS:
		cfg := natsSettings{Stream: strings.TrimSpace(in.Stream), SubjectPrefix: strings.TrimSpace(in.SubjectPrefix), CreateStream: in.CreateStream,
			CredsFile: strings.TrimSpace(in.CredsFile)}
		if cfg.CredsFile != "" {
			switch {
			case s.Delivery.NATSCredsDir == "":
				fields["creds_file"] = "Credentials files are not allowed: the operator has set no folder for them."
			case !filepath.IsLocal(cfg.CredsFile) || strings.ContainsAny(cfg.CredsFile, `/\`):
				fields["creds_file"] = "Give the name of a credentials file in the operator's folder for them, without a path."
			}
		}
		if err := (deliver.NATSConfig{URL: sub.Destination, Stream: cfg.Stream, SubjectPrefix: cfg.SubjectPrefix, Token: in.Token,
			CredsFile: s.natsCredsPath(cfg.CredsFile)}).Validate(); err != nil && fields["creds_file"] == "" {
			fields["destination"] = "Give a NATS server (nats://host:port), a stream and, if any, a subject prefix NATS accepts."
		}
		sub.Config, _ = json.Marshal(cfg)
		sub.Secret = in.Token
	default:
		fields["kind"] = "Choose webhook or nats."
	}
	if len(fields) > 0 {
		return store.Subscription{}, "", trygg.Invalid("The subscription is not valid.", fields)
	}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		e, err := tx.AppendEvent(ctx, events.New(a, events.SubscriptionCreated, "subscription", sub.ID,
			map[string]any{"name": sub.Name, "kind": sub.Kind, "event_types": sub.EventTypes}))
		if err != nil {
			return err
		}
		return tx.InsertSubscription(ctx, a.Tenant, sub, e.Seq)
	})
	if err != nil {
		return store.Subscription{}, "", err
	}
	sub, err = s.db.Subscription(ctx, a.Tenant, sub.ID)
	return sub, secret, err
}

// Subscriptions returns the tenant's subscriptions by name, each with
// its lag. Only a system administrator may.
func (s *Service) Subscriptions(ctx context.Context, a trygg.Actor) ([]SubscriptionInfo, error) {
	if err := requireSubscriptionAdmin(a); err != nil {
		return nil, err
	}
	subs, err := s.db.Subscriptions(ctx, a.Tenant)
	if err != nil {
		return nil, err
	}
	last, err := s.db.LastEventSeq(ctx, a.Tenant)
	if err != nil {
		return nil, err
	}
	out := make([]SubscriptionInfo, len(subs))
	for i, sub := range subs {
		out[i] = SubscriptionInfo{Subscription: sub, Lag: max(0, last-sub.Cursor)}
	}
	return out, nil
}

// Subscription returns one of the tenant's subscriptions with its lag,
// or not found. Only a system administrator may.
func (s *Service) Subscription(ctx context.Context, a trygg.Actor, id string) (SubscriptionInfo, error) {
	if err := requireSubscriptionAdmin(a); err != nil {
		return SubscriptionInfo{}, err
	}
	sub, err := s.db.Subscription(ctx, a.Tenant, id)
	if err != nil {
		return SubscriptionInfo{}, err
	}
	last, err := s.db.LastEventSeq(ctx, a.Tenant)
	if err != nil {
		return SubscriptionInfo{}, err
	}
	return SubscriptionInfo{Subscription: sub, Lag: max(0, last-sub.Cursor)}, nil
}

// changeSubscription runs fn on a subscription of the actor's tenant in
// one transaction with the event it returns appended.
func (s *Service) changeSubscription(ctx context.Context, a trygg.Actor, id string, fn func(tx *store.Tx, sub store.Subscription) (events.Event, error)) error {
	if err := requireSubscriptionAdmin(a); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		sub, err := tx.Subscription(ctx, a.Tenant, id)
		if err != nil {
			return err
		}
		e, err := fn(tx, sub)
		if err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
}

// PauseSubscription stops delivering a subscription; its cursor stays.
// Pausing one that is not active is a conflict.
func (s *Service) PauseSubscription(ctx context.Context, a trygg.Actor, id string) error {
	return s.changeSubscription(ctx, a, id, func(tx *store.Tx, sub store.Subscription) (events.Event, error) {
		if sub.State != store.SubscriptionActive {
			return events.Event{}, trygg.Errorf(trygg.EConflict, "The subscription is not active.")
		}
		return events.New(a, events.SubscriptionPaused, "subscription", id, map[string]any{"name": sub.Name}),
			tx.SetSubscriptionState(ctx, a.Tenant, id, store.SubscriptionPaused, ReasonPaused)
	})
}

// ResumeSubscription makes a paused or disabled subscription active
// again; delivery goes on from its cursor at once. Resuming an active
// one is a conflict.
func (s *Service) ResumeSubscription(ctx context.Context, a trygg.Actor, id string) error {
	return s.changeSubscription(ctx, a, id, func(tx *store.Tx, sub store.Subscription) (events.Event, error) {
		if sub.State == store.SubscriptionActive {
			return events.Event{}, trygg.Errorf(trygg.EConflict, "The subscription is already active.")
		}
		return events.New(a, events.SubscriptionResumed, "subscription", id, map[string]any{"name": sub.Name}),
			tx.SetSubscriptionState(ctx, a.Tenant, id, store.SubscriptionActive, "")
	})
}

// ReplaySubscription moves a subscription's cursor so that delivery goes
// on from the event with sequence number from (again, if it was
// delivered). A number below 1 or after the log's newest event is
// invalid.
func (s *Service) ReplaySubscription(ctx context.Context, a trygg.Actor, id string, from int64) error {
	if err := requireSubscriptionAdmin(a); err != nil {
		return err
	}
	last, err := s.db.LastEventSeq(ctx, a.Tenant)
	if err != nil {
		return err
	}
	if from < 1 || from > last+1 {
		return trygg.Invalid("The position is not in the event log.", map[string]string{"from": fmt.Sprintf("Give a number from 1 to %d.", last+1)})
	}
	return s.changeSubscription(ctx, a, id, func(tx *store.Tx, sub store.Subscription) (events.Event, error) {
		return events.New(a, events.SubscriptionReplayed, "subscription", id, map[string]any{"name": sub.Name, "from": sub.Cursor, "to": from - 1}),
			tx.SetSubscriptionCursor(ctx, a.Tenant, id, from-1)
	})
}

// RotateSubscriptionSecret gives a webhook subscription a new secret and
// returns it, shown this once; the old one signs beside it for
// RotationOverlap, so the receiver has time to change. A subscription
// that is not a webhook is invalid.
func (s *Service) RotateSubscriptionSecret(ctx context.Context, a trygg.Actor, id string) (string, error) {
	secret := deliver.NewSecret()
	err := s.changeSubscription(ctx, a, id, func(tx *store.Tx, sub store.Subscription) (events.Event, error) {
		if sub.Kind != SubscriptionWebhook {
			return events.Event{}, trygg.Errorf(trygg.EInvalid, "Only a webhook has a secret to rotate.")
		}
		until := tx.Now.Add(RotationOverlap)
		return events.New(a, events.SubscriptionSecretRotated, "subscription", id, map[string]any{"name": sub.Name, "rotation_ends": until}),
			tx.SetSubscriptionSecrets(ctx, a.Tenant, id, secret, sub.Secret, until)
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// DeleteSubscription removes a subscription and its cursor.
func (s *Service) DeleteSubscription(ctx context.Context, a trygg.Actor, id string) error {
	return s.changeSubscription(ctx, a, id, func(tx *store.Tx, sub store.Subscription) (events.Event, error) {
		return events.New(a, events.SubscriptionDeleted, "subscription", id, map[string]any{"name": sub.Name, "kind": sub.Kind}),
			tx.DeleteSubscription(ctx, a.Tenant, id)
	})
}

// secretsOf returns the secrets that sign a subscription's messages at
// now: the current one, and the previous while the rotation lasts.
func secretsOf(sub store.Subscription, now time.Time) []string {
	out := []string{}
	if sub.Secret != "" {
		out = append(out, sub.Secret)
	}
	if sub.PreviousSecret != "" && now.Before(sub.PreviousUntil) {
		out = append(out, sub.PreviousSecret)
	}
	return out
}

// deliverer delivers subscriptions as one owner of their leases, keeping
// a sender per subscription while it stays the same.
type deliverer struct {
	svc   *Service
	owner string

	mu      sync.Mutex
	senders map[string]cachedSender // by tenant and id
	running map[string]bool
}

type cachedSender struct {
	version string
	sender  deliver.Sender
}

func newDeliverer(s *Service, owner string) *deliverer {
	return &deliverer{svc: s, owner: owner, senders: map[string]cachedSender{}, running: map[string]bool{}}
}

// sender returns the subscription's sender, made again when the
// subscription changed (its destination, its secrets, a rotation's end).
func (d *deliverer) sender(ctx context.Context, tenant trygg.TenantID, sub store.Subscription) (deliver.Sender, error) {
	now := d.svc.db.Now()
	secrets := secretsOf(sub, now)
	version := fmt.Sprint(sub.UpdatedAt.UnixMicro(), len(secrets))
	key := string(tenant) + "/" + sub.ID
	d.mu.Lock()
	c, ok := d.senders[key]
	d.mu.Unlock()
	if ok && c.version == version {
		return c.sender, nil
	}
	if ok {
		_ = c.sender.Close()
	}
	var snd deliver.Sender
	var err error
	switch {
	case d.svc.Delivery.NewSender != nil:
		snd, err = d.svc.Delivery.NewSender(ctx, sub, secrets)
	case sub.Kind == SubscriptionWebhook:
		snd, err = deliver.NewWebhook(deliver.WebhookConfig{URL: sub.Destination, Secrets: secrets, Timeout: d.svc.Delivery.Timeout,
			Policy: d.svc.Delivery.Policy})
	case sub.Kind == SubscriptionNATS:
		var cfg natsSettings
		_ = json.Unmarshal(sub.Config, &cfg)
		if cfg.CredsFile != "" && d.svc.Delivery.NATSCredsDir == "" {
			err = errors.New("deliver: credentials files are not allowed: the operator has set no folder for them")
			break
		}
		snd, err = deliver.NewNATS(ctx, deliver.NATSConfig{URL: sub.Destination, Stream: cfg.Stream, SubjectPrefix: cfg.SubjectPrefix,
			CreateStream: cfg.CreateStream, Token: sub.Secret, CredsFile: d.svc.natsCredsPath(cfg.CredsFile)})
	default:
		err = fmt.Errorf("unknown kind %q", sub.Kind)
	}
	d.mu.Lock()
	delete(d.senders, key)
	if err == nil {
		d.senders[key] = cachedSender{version: version, sender: snd}
	}
	d.mu.Unlock()
	return snd, err
}

// close closes every sender.
func (d *deliverer) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, c := range d.senders {
		_ = c.sender.Close()
		delete(d.senders, k)
	}
}

// DeliverSubscriptions delivers each of the tenant's due subscriptions
// as owner until it has caught up with the log or fails, and returns how
// many messages it sent. A subscription whose lease another owner holds
// is left alone.
func (s *Service) DeliverSubscriptions(ctx context.Context, tenant trygg.TenantID, owner string) (int, error) {
	d := newDeliverer(s, owner)
	defer d.close()
	subs, err := s.db.DueSubscriptions(ctx, tenant, s.db.Now())
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, sub := range subs {
		n, err := d.catchUp(ctx, tenant, sub)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// catchUp delivers a subscription round after round until it has caught
// up, failed or lost its lease.
func (d *deliverer) catchUp(ctx context.Context, tenant trygg.TenantID, sub store.Subscription) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		n, more, err := d.deliver(ctx, tenant, sub)
		sent += n
		if err != nil || !more {
			return sent, err
		}
		// Read it again: an administrator may have paused it meanwhile.
		if sub, err = d.svc.db.Subscription(ctx, tenant, sub.ID); err != nil || sub.State != store.SubscriptionActive {
			return sent, nil
		}
	}
	return sent, nil
}

// deliver sends, in log order, the subscription's events after its
// cursor (up to deliveryBatch read), moving the cursor past each once
// its destination accepted it; more says there may be more to read. A
// failed send records the failure and stops with the cursor before that
// event.
func (d *deliverer) deliver(ctx context.Context, tenant trygg.TenantID, sub store.Subscription) (sent int, more bool, err error) {
	s := d.svc
	consumer := store.SubscriptionConsumer(sub.ID)
	seq, held, err := s.db.LeaseCursor(ctx, tenant, consumer, d.owner, s.db.Now().Add(s.lease()))
	if err != nil || !held {
		return 0, false, err
	}
	evs, err := s.db.Events(ctx, tenant, seq, deliveryBatch)
	if err != nil {
		return 0, false, err
	}
	// advance moves the cursor, counting n messages delivered, even when
	// the server is stopping: a stop between sending and recording would
	// send it again.
	advance := func(to int64, n int) (bool, error) {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		moved, err := s.db.AdvanceSubscription(actx, tenant, sub.ID, d.owner, seq, to, n)
		if moved {
			seq = to
		}
		return moved, err
	}
	// upTo is how far the cursor may move (past events accepted or not
	// followed), unsent how many accepted messages that counts; they are
	// moved after each message, or at most every CursorEvery.
	upTo, unsent, lastMove := seq, 0, time.Now()
	flush := func() (bool, error) {
		if upTo == seq {
			return true, nil
		}
		moved, err := advance(upTo, unsent)
		unsent, lastMove = 0, time.Now()
		return moved, err
	}
	var snd deliver.Sender
	for _, e := range evs {
		if !MatchesEventType(sub.EventTypes, e.Type) {
			upTo = e.Seq
			continue
		}
		if snd == nil {
			if snd, err = d.sender(ctx, tenant, sub); err != nil {
				_, _ = flush()
				return sent, false, d.failed(ctx, tenant, sub, fmt.Errorf("the destination cannot be used: %w", err))
			}
		}
		timeout := s.Delivery.Timeout
		if timeout <= 0 {
			timeout = deliver.DefaultTimeout
		}
		sctx, cancel := context.WithTimeout(ctx, timeout)
		serr := snd.Send(sctx, deliver.NewMessage(e))
		cancel()
		if serr != nil {
			_, _ = flush()
			if ctx.Err() != nil {
				return sent, false, nil // the server is stopping: not the destination's failure
			}
			return sent, false, d.failed(ctx, tenant, sub, serr)
		}
		sent++
		upTo, unsent = e.Seq, unsent+1
		if s.Delivery.CursorEvery <= 0 || time.Since(lastMove) >= s.Delivery.CursorEvery {
			if moved, err := flush(); err != nil || !moved {
				return sent, false, err // the lease ran out or a replay moved the cursor
			}
		}
	}
	if moved, err := flush(); err != nil || !moved {
		return sent, false, err
	}
	if sent == 0 && sub.Attempts > 0 {
		// Caught up after failures: clear them.
		if err := s.db.RecordDeliveries(ctx, tenant, sub.ID, 0, sub.LastDeliveredAt); err != nil {
			return 0, false, err
		}
	}
	return sent, len(evs) == deliveryBatch, nil
}

// failed records a failed send of a subscription: a destination that is
// gone, or one failing for GiveUpAfter, disables it (with an event);
// otherwise the next attempt waits retryFirst doubled per failure, at
// most retryMax.
func (d *deliverer) failed(ctx context.Context, tenant trygg.TenantID, sub store.Subscription, cause error) error {
	s := d.svc
	// A server whose lease ran out during a slow send leaves the
	// subscription to the one that took it over.
	if _, held, err := s.db.LeaseCursor(ctx, tenant, store.SubscriptionConsumer(sub.ID), d.owner, s.db.Now().Add(s.lease())); err != nil || !held {
		return err
	}
	now := s.db.Now()
	msg := deliveryError(cause)
	since := sub.FailingSince
	if since.IsZero() {
		since = now
	}
	reason := ""
	switch {
	case errors.Is(cause, deliver.ErrGone):
		reason = ReasonGone
	case now.Sub(since) >= GiveUpAfter:
		reason = ReasonGivenUp
	}
	if reason != "" {
		s.log.Warn("subscription disabled", "tenant", tenant, "subscription", sub.ID, "reason", reason, "err", msg)
		return s.db.Update(ctx, func(tx *store.Tx) error {
			disabled, err := tx.DisableSubscription(ctx, tenant, sub.ID, reason, msg)
			if err != nil || !disabled {
				return err
			}
			_, err = tx.AppendEvent(ctx, events.New(SystemActor(tenant), events.SubscriptionDisabled, "subscription", sub.ID,
				map[string]any{"name": sub.Name, "reason": reason, "attempts": sub.Attempts + 1}))
			return err
		})
	}
	attempts := sub.Attempts + 1
	wait := retryFirst
	for i := 1; i < attempts && wait < retryMax; i++ {
		wait *= 2
	}
	wait = min(wait, retryMax)
	s.log.Info("delivery failed; trying again later", "tenant", tenant, "subscription", sub.ID, "attempts", attempts, "wait", wait, "err", msg)
	return s.db.RecordDeliveryFailure(ctx, tenant, sub.ID, attempts, since, now.Add(wait), msg)
}

// natsCredsPath is where a NATS subscription's credentials file of that
// name is: in the operator's folder for them.
func (s *Service) natsCredsPath(name string) string {
	if name == "" || s.Delivery.NATSCredsDir == "" {
		return name
	}
	return filepath.Join(s.Delivery.NATSCredsDir, name)
}

// deliveryError is what an administrator is shown of a failed send: the
// error's text, cut short.
func deliveryError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "deliver: ")
	// A webhook's URL may carry a token in its query: the page and the
	// server's log get the URL without it.
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && (u.RawQuery != "" || u.User != nil || u.Fragment != "") {
			u.RawQuery, u.User, u.Fragment = "", nil, ""
			msg = strings.ReplaceAll(msg, ue.URL, u.String()+"?…")
		}
	}
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return msg
}

// RunDeliveries delivers every tenant's subscriptions every interval
// until ctx ends, each subscription in a goroutine of its own while it
// catches up, then gives up its leases so a restarted server goes on at
// once.
func (s *Service) RunDeliveries(ctx context.Context, interval time.Duration) {
	d := newDeliverer(s, newID())
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		d.close()
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ts, err := s.db.Tenants(rctx)
		if err != nil {
			return
		}
		for _, tn := range ts {
			subs, err := s.db.Subscriptions(rctx, tn.ID)
			if err != nil {
				continue
			}
			for _, sub := range subs {
				if err := s.db.ReleaseCursor(rctx, tn.ID, store.SubscriptionConsumer(sub.ID), d.owner); err != nil {
					s.log.Warn("releasing a subscription's lease failed", "tenant", tn.ID, "err", err)
				}
			}
		}
	}()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ts, err := s.db.Tenants(ctx)
		if err == nil {
			for _, tn := range ts {
				subs, err := s.db.DueSubscriptions(ctx, tn.ID, s.db.Now())
				var last int64
				if err == nil && len(subs) > 0 {
					last, err = s.db.LastEventSeq(ctx, tn.ID)
				}
				if err != nil {
					if ctx.Err() == nil {
						s.log.Error("reading subscriptions failed", "tenant", tn.ID, "err", err)
					}
					continue
				}
				for _, sub := range subs {
					if sub.Cursor >= last && sub.Attempts == 0 {
						continue // nothing new: no lease taken, nothing written
					}
					key := string(tn.ID) + "/" + sub.ID
					d.mu.Lock()
					busy := d.running[key]
					d.running[key] = true
					d.mu.Unlock()
					if busy {
						continue
					}
					wg.Add(1)
					go func(tenant trygg.TenantID, sub store.Subscription) {
						defer wg.Done()
						defer func() {
							d.mu.Lock()
							delete(d.running, key)
							d.mu.Unlock()
						}()
						if _, err := d.catchUp(ctx, tenant, sub); err != nil && ctx.Err() == nil {
							s.log.Error("delivering a subscription failed", "tenant", tenant, "subscription", sub.ID, "err", err)
						}
					}(tn.ID, sub)
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
