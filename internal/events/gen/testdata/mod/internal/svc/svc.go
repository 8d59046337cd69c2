package svc

import (
	"time"

	"github.com/trygg/trygg/internal/events"
)

// Thing is what the events are about.
type Thing struct {
	// ID is the thing's id.
	ID string `json:"id"`
	// Size is how big it is.
	Size   int       `json:"size,omitempty"`
	Secret string    `json:"-"`
	At     time.Time `json:"at"`
}

var kinds = map[string]string{"a": events.ThingChanged, "b": events.ThingEnded}

func made(t Thing) events.Event {
	e := events.New("u", events.ThingMade, "thing", t.ID, map[string]any{
		"size": t.Size, // how big it was made
		"id":   t.ID,
	})
	e.PersonID = "p"
	return e
}

func changed(t Thing, k string) events.Event {
	payload := map[string]any{"size": t.Size}
	if t.Size > 1 {
		payload["big"] = true
	}
	return events.New("u", kinds[k], "thing", t.ID, payload)
}

func viaHelper(t Thing) []events.Event {
	return []events.Event{helper(events.ThingEnded, t), helper(events.ThingMade, t)}
}

func helper(typ string, t Thing) events.Event {
	return events.New("u", typ, "thing", t.ID, t)
}

func raw() events.Event {
	return events.New("u", "thing.raw", "thing", "1", nil)
}

func unknown(typ string) events.Event {
	return events.New("u", typ, "thing", "1", nil)
}
