package service

import (
	"context"
	"strings"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Booking a meeting from the case. The officer books a home visit (or
// another meeting) on the case itself, at a time they choose and, for a
// home visit, at the person's address: no free time is published for the
// citizen to find. The booking is the officer's time with the case's
// person, shown to the citizen on Mina sidor under Möten (where it can be
// moved or cancelled like a booking of their own), with a notice.

// CaseMeetings is what the case page shows of the case's meetings: the
// upcoming ones, and the address a home visit goes to by default ("" for
// a person with protected identity, or one without an address).
type CaseMeetings struct {
	Upcoming    []store.BookingSlot `json:"upcoming"`
	HomeAddress string              `json:"home_address,omitempty"`
}

// homeAddress is the person's address as a home visit's place, or "" for
// a person with protected identity.
func homeAddress(p persons.Person) string {
	if p.Protection != persons.ProtectionNone || strings.TrimSpace(p.Address.Street) == "" {
		return ""
	}
	return strings.TrimSpace(p.Address.Street + ", " + strings.TrimSpace(p.Address.PostalCode+" "+p.Address.City))
}

// CaseMeetings returns the case's upcoming meetings, soonest first, and
// the home visit's address. The read is access-logged.
func (s *Service) CaseMeetings(ctx context.Context, a trygg.Actor, caseID string) (CaseMeetings, error) {
	out := CaseMeetings{Upcoming: []store.BookingSlot{}}
	c, p, ground, err := s.caseFor(ctx, a, caseID, false)
	if err != nil {
		return out, err
	}
	list, err := s.db.PersonBookings(ctx, a.Tenant, c.PersonID, s.db.Now())
	if err != nil {
		return out, err
	}
	for _, b := range list {
		if b.CaseID == c.ID && b.Status == store.BookingBooked {
			out.Upcoming = append(out.Upcoming, b)
		}
	}
	out.HomeAddress = homeAddress(p)
	return out, s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}

// BookVisit books a meeting with the case's person at a time the officer
// chooses: a home visit unless in.Kind says otherwise, at the person's
// address unless in.Place gives another (a person with protected
// identity has none to take). The time is the officer's and is booked at
// once, never offered to anyone; it must be ahead, within a year, not
// overlap the officer's other times, and the case may have no other
// meeting ahead. The person gets a notice.
func (s *Service) BookVisit(ctx context.Context, a trygg.Actor, caseID string, in SlotInput) (store.Booking, error) {
	if err := mayHaveSlots(a); err != nil {
		return store.Booking{}, err
	}
	c, p, ground, err := s.caseFor(ctx, a, caseID, true)
	if err != nil {
		return store.Booking{}, err
	}
	if c.Status != "open" {
		return store.Booking{}, trygg.Errorf(trygg.EConflict, "The case is closed; no meeting can be booked on it.")
	}
	if in.Kind == "" {
		in.Kind = store.MeetingHome
	}
	if in.Kind == store.MeetingHome && strings.TrimSpace(in.Place) == "" {
		in.Place = homeAddress(p)
	}
	sl, err := s.checkSlot(a, in)
	if err != nil {
		return store.Booking{}, err
	}
	b := store.Booking{ID: newID(), SlotID: sl.ID, CaseID: c.ID, PersonID: c.PersonID, BookedBy: a.UserID, Status: store.BookingBooked}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		if n, err := tx.UpcomingBookings(ctx, a.Tenant, c.ID); err != nil {
			return err
		} else if n > 0 {
			return trygg.Errorf(trygg.EConflict, "A meeting is already booked on this case; move or cancel it instead.")
		}
		if n, err := tx.OverlappingSlots(ctx, a.Tenant, a.UserID, sl.StartsAt, sl.Ends()); err != nil {
			return err
		} else if n > 0 {
			return trygg.Errorf(trygg.EConflict, "You already have a time that overlaps this one.")
		}
		if err := tx.InsertSlot(ctx, a.Tenant, sl); err != nil {
			return err
		}
		if err := tx.InsertBooking(ctx, a.Tenant, b); err != nil {
			return err
		}
		b.CreatedAt = tx.Now
		// The place is not in the event: an address is personal data the
		// event log does not copy.
		e := events.New(a, events.BookingMade, "booking", b.ID, map[string]any{"slot_id": sl.ID, "starts_at": sl.StartsAt,
			"minutes": sl.Minutes, "kind": sl.Kind, "officer_id": sl.OfficerID, "by": "officer"})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		return citizenNotice(ctx, tx, a, c, "booking_made", b.ID, process.Text{
			SV: "Din handläggare har bokat ett möte med dig: " + meetingWhen(sl, "sv") + ". Du ser det under Möten på Mina sidor.",
			EN: "Your case officer has booked a meeting with you: " + meetingWhen(sl, "en") + ". You find it under Meetings on My pages."})
	})
	if err != nil {
		return store.Booking{}, err
	}
	return b, nil
}
