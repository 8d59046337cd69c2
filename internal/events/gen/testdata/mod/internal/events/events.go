// Package events is a small copy of trygg's for the generator's tests.
package events

import "encoding/json"

// Event is one change.
type Event struct {
	Type     string
	PersonID string
	CaseID   string
	Payload  json.RawMessage
}

// New returns an event.
func New(actor, typ, subjectType, subjectID string, payload any) Event {
	b, _ := json.Marshal(payload)
	return Event{Type: typ, Payload: b}
}

const (
	// ThingMade is a thing made.
	ThingMade = "thing.made"
	// ThingChanged, ThingEnded: a thing changed, or ended.
	ThingChanged      = "thing.changed"
	ThingEnded        = "thing.ended"
	ThingUndocumented = "thing.undocumented"
)
