package events

// The events of subscriptions to the event log (events out,
// docs/integrations.md): each is about a subscription (subject
// subscription) and its payload holds its name, kind and the event
// types it follows, never a secret or a destination's credentials.
const (
	// SubscriptionCreated is a subscription made by a system
	// administrator: delivery begins after this event.
	SubscriptionCreated = "subscription.created"
	// SubscriptionPaused is a subscription paused by an administrator:
	// its cursor stays where it is.
	SubscriptionPaused = "subscription.paused"
	// SubscriptionResumed is a paused or disabled subscription made
	// active again: delivery goes on from its cursor at once.
	SubscriptionResumed = "subscription.resumed"
	// SubscriptionReplayed is a subscription's cursor moved by an
	// administrator (payload: from and to, sequence numbers): the events
	// after "to" are delivered again.
	SubscriptionReplayed = "subscription.replayed"
	// SubscriptionSecretRotated is a webhook's secret replaced; the old
	// one signs too until the payload's rotation_ends.
	SubscriptionSecretRotated = "subscription.secret_rotated"
	// SubscriptionDisabled is a subscription the delivery disabled: its
	// destination answered that it is gone (410), or it failed for about
	// three days (payload: reason gone or given_up).
	SubscriptionDisabled = "subscription.disabled"
	// SubscriptionDeleted is a subscription removed with its cursor.
	SubscriptionDeleted = "subscription.deleted"
)
