// Package deliver sends events from the event log to other systems:
// webhooks signed as the Standard Webhooks specification says, and a
// message broker (NATS JetStream). A message is one event as a
// CloudEvents 1.0 JSON body carrying ids and types only.
package deliver

import (
	"context"
	"errors"
)

// Message is one event as delivered: its CloudEvents 1.0 JSON body.
type Message struct {
	ID     string // the CloudEvent id: "<tenant>-<seq>", stable across retries and crashes; the dedup key
	Type   string // the event type, e.g. "case.opened" (CloudEvent type "se.trygg.case.opened")
	Tenant string
	Seq    int64
	CaseID string // "" when the event is not about a case; the ordering key
	Body   []byte // application/cloudevents+json
}

// Sender sends one message to a destination. It returns nil only when
// the destination has accepted the message. An error that wraps
// ErrGone means the destination says it will never accept again (a
// webhook's 410): the subscription is disabled.
type Sender interface {
	Send(ctx context.Context, m Message) error
	Close() error
}

// ErrGone is wrapped by a Sender's error when the destination will
// never accept a message again.
var ErrGone = errors.New("deliver: destination gone")
