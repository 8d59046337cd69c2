package server

import (
	"fmt"
	"strconv"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/store"
)

// SlotChoice is a meeting time as a citizen (booking it on Mina sidor) or
// an officer (publishing it on /slots) reads it.
type SlotChoice struct {
	ID, When, Kind, Place string
}

// slotWhen writes a slot's day and time in lang: "torsdag 2026-03-05,
// kl. 10.00–10.45".
func slotWhen(s store.Slot, v *View) string {
	from, to := s.StartsAt.In(calendar.Sweden), s.Ends().In(calendar.Sweden)
	clock := v.T("slot.clock")
	return fmt.Sprintf(v.T("slot.when"), v.T("slot.weekday."+strconv.Itoa(int(from.Weekday()))), from.Format("2006-01-02"),
		from.Format(clock), to.Format(clock))
}

// SlotChoiceOf is the slot s as v's reader reads it.
func SlotChoiceOf(s store.Slot, v *View) SlotChoice {
	return SlotChoice{ID: s.ID, When: slotWhen(s, v), Kind: v.T("meeting.kind." + s.Kind), Place: s.Place}
}
