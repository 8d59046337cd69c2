package service

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Booking meetings. Officers publish free times (slots) in the staff
// pages; a citizen books one of the times of the officer who has a case
// of the person they act for, moves the meeting to another free time, or
// cancels it. The citizen gets a notice (a citizen.notice event) and the
// officer a task in the inbox each time. A slot is never booked twice:
// the database's unique index on the bookings in force decides, whatever
// arrives at the same moment.

// Limits of a slot.
const (
	slotMinMinutes = 10
	slotMaxMinutes = 240
	// slotsAhead is how far ahead a slot may be published.
	slotsAhead = 366 * 24 * time.Hour
	// freeSlotsShown is how many free times a citizen is offered.
	freeSlotsShown = 60
)

var meetingKinds = map[string]process.Text{
	store.MeetingPlace: {SV: "på plats", EN: "in person"},
	store.MeetingPhone: {SV: "per telefon", EN: "by phone"},
	store.MeetingVideo: {SV: "per video", EN: "by video"},
	store.MeetingHome:  {SV: "hembesök", EN: "home visit"},
}

// meetingWhen is a slot's time and kind in plain words, in lang.
func meetingWhen(s store.Slot, lang string) string {
	at := s.StartsAt.In(calendar.Sweden)
	if lang == "en" {
		return fmt.Sprintf("%s at %s, %s", at.Format("2006-01-02"), at.Format("15:04"), meetingKinds[s.Kind].In("en"))
	}
	return fmt.Sprintf("%s kl. %s, %s", at.Format("2006-01-02"), at.Format("15.04"), meetingKinds[s.Kind].In("sv"))
}

// SlotInput is a free time an officer publishes: a day and a start in
// Swedish time, a length, and how the meeting happens.
type SlotInput struct {
	Date    string `json:"date"`    // YYYY-MM-DD
	Start   string `json:"start"`   // HH:MM
	Minutes int    `json:"minutes"` // 10–240
	Kind    string `json:"kind"`    // place, phone or video
	// Place is where (an address, a room) for a meeting in person, how
	// to join for a video meeting; optional by phone.
	Place string `json:"place"`
}

// mayHaveSlots reports whether the actor is case staff, who publish times.
func mayHaveSlots(a trygg.Actor) error {
	if a.HasRole(trygg.RoleOfficer) || a.HasRole(trygg.RoleTeamLead) {
		return nil
	}
	return trygg.Errorf(trygg.EForbidden, "Only case officers and team leads publish times for meetings.")
}

// PublishSlot publishes a free time for meetings as the actor's own. It
// must be in the future, within a year, and not overlap another of their
// open times.
func (s *Service) PublishSlot(ctx context.Context, a trygg.Actor, in SlotInput) (store.Slot, error) {
	if err := mayHaveSlots(a); err != nil {
		return store.Slot{}, err
	}
	if in.Kind == store.MeetingHome {
		fields := map[string]string{"kind": "A home visit is booked on its case."}
		return store.Slot{}, trygg.Invalid("The time is not valid.", fields)
	}
	sl, err := s.checkSlot(a, in)
	if err != nil {
		return store.Slot{}, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		n, err := tx.OverlappingSlots(ctx, a.Tenant, a.UserID, sl.StartsAt, sl.Ends())
		if err != nil {
			return err
		}
		if n > 0 {
			return trygg.Errorf(trygg.EConflict, "You already have a time that overlaps this one.")
		}
		if err := tx.InsertSlot(ctx, a.Tenant, sl); err != nil {
			return err
		}
		sl.CreatedAt = tx.Now
		_, err = tx.AppendEvent(ctx, events.New(a, events.SlotPublished, "slot", sl.ID, map[string]any{"starts_at": sl.StartsAt,
			"minutes": sl.Minutes, "kind": sl.Kind}))
		return err
	})
	return sl, err
}

// checkSlot returns the actor's slot for in: in the future, within a
// year, a length the meetings may have, a kind, and a place unless by
// phone; or an invalid error naming the fields.
func (s *Service) checkSlot(a trygg.Actor, in SlotInput) (store.Slot, error) {
	fields := map[string]string{}
	in.Place = strings.TrimSpace(in.Place)
	start, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(in.Date)+" "+strings.TrimSpace(in.Start), calendar.Sweden)
	now := s.db.Now()
	switch {
	case err != nil:
		fields["date"] = "Give the day as YYYY-MM-DD and the time as HH:MM."
	case !start.After(now):
		fields["date"] = "The time has passed; choose a time ahead."
	case start.After(now.Add(slotsAhead)):
		fields["date"] = "At most a year ahead."
	}
	if in.Minutes < slotMinMinutes || in.Minutes > slotMaxMinutes {
		fields["minutes"] = fmt.Sprintf("Between %d and %d minutes.", slotMinMinutes, slotMaxMinutes)
	}
	if _, ok := meetingKinds[in.Kind]; !ok {
		fields["kind"] = "Choose in person, by phone or by video."
	} else if in.Place == "" && in.Kind != store.MeetingPhone {
		fields["place"] = "Say where the meeting is, or how to join it."
	}
	if utf8.RuneCountInString(in.Place) > 200 {
		fields["place"] = "The place is at most 200 characters."
	}
	oneLine(fields, "place", in.Place)
	if len(fields) > 0 {
		return store.Slot{}, trygg.Invalid("The time is not valid.", fields)
	}
	return store.Slot{ID: newID(), OfficerID: a.UserID, StartsAt: start.UTC(), Minutes: in.Minutes, Kind: in.Kind, Place: in.Place, Status: store.SlotOpen}, nil
}

// SlotView is one of an officer's times, with the case booked on it when
// the officer may read that case.
type SlotView struct {
	store.SlotBooking
	CaseTitle string `json:"case_title,omitempty"`
}

// MySlots returns the actor's own times that have not ended, soonest
// first, with what is booked on them: the case (whom it is about is on
// the case page) when the actor may read it, the read access-logged like
// any other; otherwise only that the time is booked, without the case, its
// person or who booked it (the case may have gone to another unit, or its
// person have got protected identity, since the booking).
func (s *Service) MySlots(ctx context.Context, a trygg.Actor) ([]SlotView, error) {
	if err := mayHaveSlots(a); err != nil {
		return nil, err
	}
	list, err := s.db.OfficerSlots(ctx, a.Tenant, a.UserID, s.db.Now())
	if err != nil {
		return nil, err
	}
	out := make([]SlotView, 0, len(list))
	var entries []audit.Entry
	for _, sb := range list {
		v := SlotView{SlotBooking: sb}
		if sb.Booking != nil {
			c, ground, err := s.readableCase(ctx, a, sb.Booking.CaseID)
			switch {
			case trygg.ErrorCode(err) == trygg.ENotFound:
				v.Booking = &store.Booking{ID: sb.Booking.ID, SlotID: sb.Booking.SlotID, Status: sb.Booking.Status}
			case err != nil:
				return nil, err
			default:
				v.CaseTitle = c.Title
				entries = append(entries, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
			}
		}
		out = append(out, v)
	}
	if len(entries) > 0 {
		if err := s.logAccess(ctx, entries...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// WithdrawSlot withdraws one of the actor's times that is not booked. A
// booked time stays (a conflict); another officer's is not found.
func (s *Service) WithdrawSlot(ctx context.Context, a trygg.Actor, id string) error {
	if err := mayHaveSlots(a); err != nil {
		return err
	}
	sl, err := s.db.SlotByID(ctx, a.Tenant, id)
	if err != nil || sl.OfficerID != a.UserID {
		return trygg.Errorf(trygg.ENotFound, "Slot not found.")
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.LockSlot(ctx, a.Tenant, id); err != nil {
			return err
		}
		if err := tx.WithdrawSlot(ctx, a.Tenant, id); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, events.SlotWithdrawn, "slot", id, map[string]any{"starts_at": sl.StartsAt}))
		return err
	})
}

// BookingCase is a case of the person the citizen acts for, as far as
// booking a meeting goes: who the officer is, and their free times.
type BookingCase struct {
	Case        store.Case `json:"case"`
	OfficerName string     `json:"officer_name,omitempty"`
	// Bookable is false, with Reason, when no meeting can be booked on
	// the case now.
	Bookable bool         `json:"bookable"`
	Reason   string       `json:"reason,omitempty"`
	Free     []store.Slot `json:"free,omitempty"`
}

// bookable says whether a meeting can be booked on c, and why not.
func bookable(c store.Case) (bool, string) {
	switch {
	case c.Status != "open":
		return false, "closed"
	case c.AssignedTo == "":
		return false, "no_officer"
	}
	return true, ""
}

// BookableCases lists the cases of the person the citizen acts for, with
// their officers, for booking meetings. The reads are access-logged.
func (s *Service) BookableCases(ctx context.Context, a trygg.Actor, personID string) ([]BookingCase, error) {
	p, _, rels, err := s.actingForRels(ctx, a, personID)
	if err != nil {
		return nil, err
	}
	all, err := s.db.CasesOfPerson(ctx, a.Tenant, personID)
	if err != nil {
		return nil, err
	}
	out := []BookingCase{}
	var entries []audit.Entry
	names := map[string]string{}
	for _, c := range all {
		if c.Status != "open" {
			continue
		}
		ground, err := access.Decide(a, access.ReadCase, access.Subject{Relations: access.CaseRelations(a, c.AssignedTo, c.UnitPath, rels),
			Protection: p.Protection})
		if err != nil || !citizenGround(ground) {
			continue
		}
		bc := BookingCase{Case: c}
		bc.Bookable, bc.Reason = bookable(c)
		if err := s.names(ctx, a.Tenant, []string{c.AssignedTo}, names); err != nil {
			return nil, err
		}
		bc.OfficerName = names[c.AssignedTo]
		out = append(out, bc)
		entries = append(entries, entry(a, access.ReadCase, personID, c.ID, ground, ""))
	}
	if len(entries) > 0 {
		if err := s.logAccess(ctx, entries...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BookingOptions returns a case of the person the citizen acts for with
// its officer's free times. The read is access-logged.
func (s *Service) BookingOptions(ctx context.Context, a trygg.Actor, personID, caseID string) (BookingCase, error) {
	c, ground, err := s.citizenCase(ctx, a, personID, caseID)
	if err != nil {
		return BookingCase{}, err
	}
	out := BookingCase{Case: c, Free: []store.Slot{}}
	out.Bookable, out.Reason = bookable(c)
	names := map[string]string{}
	if err := s.names(ctx, a.Tenant, []string{c.AssignedTo}, names); err != nil {
		return out, err
	}
	out.OfficerName = names[c.AssignedTo]
	if out.Bookable {
		if out.Free, err = s.db.FreeSlots(ctx, a.Tenant, c.AssignedTo, s.db.Now(), freeSlotsShown); err != nil {
			return out, err
		}
	}
	return out, s.logAccess(ctx, entry(a, access.ReadCase, personID, c.ID, ground, ""))
}

// BookingView is a booking as the citizen sees it.
type BookingView struct {
	store.BookingSlot
	CaseTitle   string `json:"case_title"`
	OfficerName string `json:"officer_name"`
	// Free are the officer's other free times, to move the meeting to
	// (only when one booking is asked for).
	Free []store.Slot `json:"free,omitempty"`
}

// PersonBookings returns the meetings of the person the citizen acts for
// that have not ended (booked, moved and cancelled ones), soonest first.
// The reads are access-logged.
func (s *Service) PersonBookings(ctx context.Context, a trygg.Actor, personID string) ([]BookingView, error) {
	if _, _, err := s.actingFor(ctx, a, personID); err != nil {
		return nil, err
	}
	list, err := s.db.PersonBookings(ctx, a.Tenant, personID, s.db.Now())
	if err != nil {
		return nil, err
	}
	out := []BookingView{}
	names := map[string]string{}
	var entries []audit.Entry
	grounds := map[string]access.Relation{}
	for _, b := range list {
		ground, seen := grounds[b.CaseID]
		if !seen {
			_, g, err := s.citizenCase(ctx, a, personID, b.CaseID)
			if err != nil && trygg.ErrorCode(err) != trygg.ENotFound {
				return nil, err
			}
			grounds[b.CaseID], ground = g, g
			if g != "" {
				entries = append(entries, entry(a, access.ReadCase, personID, b.CaseID, g, ""))
			}
		}
		if ground == "" {
			continue
		}
		v, err := s.bookingView(ctx, a.Tenant, b, names)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if len(entries) > 0 {
		if err := s.logAccess(ctx, entries...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) bookingView(ctx context.Context, tenant trygg.TenantID, b store.BookingSlot, names map[string]string) (BookingView, error) {
	c, err := s.db.CaseByID(ctx, tenant, b.CaseID)
	if err != nil {
		return BookingView{}, err
	}
	if err := s.names(ctx, tenant, []string{b.Slot.OfficerID}, names); err != nil {
		return BookingView{}, err
	}
	return BookingView{BookingSlot: b, CaseTitle: c.Title, OfficerName: names[b.Slot.OfficerID]}, nil
}

// citizenBooking returns a booking of a case of the person the citizen
// acts for, with its case and the ground; any other booking is not found.
func (s *Service) citizenBooking(ctx context.Context, a trygg.Actor, personID, id string) (store.Booking, store.Case, access.Relation, error) {
	b, err := s.db.BookingByID(ctx, a.Tenant, id)
	if trygg.ErrorCode(err) == trygg.ENotFound || (err == nil && b.PersonID != personID) {
		return b, store.Case{}, "", errCitizenNotFound
	} else if err != nil {
		return b, store.Case{}, "", err
	}
	c, ground, err := s.citizenCase(ctx, a, personID, b.CaseID)
	return b, c, ground, err
}

// Booking returns a booking of the person the citizen acts for, with the
// officer's other free times to move it to while it is in force. The
// read is access-logged.
func (s *Service) Booking(ctx context.Context, a trygg.Actor, personID, id string) (BookingView, error) {
	b, c, ground, err := s.citizenBooking(ctx, a, personID, id)
	if err != nil {
		return BookingView{}, err
	}
	sl, err := s.db.SlotByID(ctx, a.Tenant, b.SlotID)
	if err != nil {
		return BookingView{}, err
	}
	v, err := s.bookingView(ctx, a.Tenant, store.BookingSlot{Booking: b, Slot: sl}, map[string]string{})
	if err != nil {
		return v, err
	}
	if b.Status == store.BookingBooked && c.Status == "open" && sl.StartsAt.After(s.db.Now()) {
		if v.Free, err = s.db.FreeSlots(ctx, a.Tenant, sl.OfficerID, s.db.Now(), freeSlotsShown); err != nil {
			return v, err
		}
	}
	return v, s.logAccess(ctx, entry(a, access.ReadCase, personID, c.ID, ground, ""))
}

// freeSlotFor locks slot id inside tx and checks that a citizen may book
// it now for a meeting with officer: open, ahead, the officer's.
func freeSlotFor(ctx context.Context, tx *store.Tx, tenant trygg.TenantID, id, officer string) (store.Slot, error) {
	sl, err := tx.LockSlot(ctx, tenant, id)
	if trygg.ErrorCode(err) == trygg.ENotFound || (err == nil && sl.OfficerID != officer) {
		return sl, errCitizenNotFound
	} else if err != nil {
		return sl, err
	}
	if sl.Status != store.SlotOpen {
		return sl, trygg.Errorf(trygg.EConflict, "The time is no longer offered; choose another.")
	}
	if !sl.StartsAt.After(tx.Now) {
		return sl, trygg.Errorf(trygg.EConflict, "The time has passed; choose another.")
	}
	return sl, nil
}

// bookingTask gives the officer a task about a meeting on the case.
func bookingTask(ctx context.Context, tx *store.Tx, tenant trygg.TenantID, c store.Case, sl store.Slot, kind, title string) (string, error) {
	id := newID()
	err := tx.InsertTask(ctx, tenant, store.Task{ID: id, CaseID: c.ID, UnitID: c.UnitID, Assignee: sl.OfficerID, Kind: kind,
		Title: title, DueDate: calendar.Today(sl.StartsAt)})
	return id, err
}

// citizenNotice tells the person (through the notifier) about a meeting.
func citizenNotice(ctx context.Context, tx *store.Tx, a trygg.Actor, c store.Case, kind, bookingID string, msg process.Text) error {
	e := events.New(a, events.CitizenNotice, "case", c.ID, map[string]any{"kind": kind, "booking_id": bookingID, "message": msg})
	e.PersonID, e.CaseID = c.PersonID, c.ID
	_, err := tx.AppendEvent(ctx, e)
	return err
}

// BookSlot books a free time of the case's officer for a meeting on a
// case of the person the citizen acts for. The officer gets a task, the
// person a notice. A time someone else has just booked is a conflict.
func (s *Service) BookSlot(ctx context.Context, a trygg.Actor, personID, caseID, slotID string) (store.Booking, error) {
	c, ground, err := s.citizenCase(ctx, a, personID, caseID)
	if err != nil {
		return store.Booking{}, err
	}
	if ok, why := bookable(c); !ok {
		if why == "closed" {
			return store.Booking{}, trygg.Errorf(trygg.EConflict, "The case is closed; no meeting can be booked on it.")
		}
		return store.Booking{}, trygg.Errorf(trygg.EConflict, "The case has no case officer yet, so no meeting can be booked.")
	}
	b := store.Booking{ID: newID(), SlotID: slotID, CaseID: c.ID, PersonID: c.PersonID, BookedBy: a.UserID, Status: store.BookingBooked}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.ReadCase, personID, c.ID, ground, "")}, func(tx *store.Tx) error {
		// One meeting ahead per case: a citizen moves it rather than
		// booking up the officer's times.
		if n, err := tx.UpcomingBookings(ctx, a.Tenant, c.ID); err != nil {
			return err
		} else if n > 0 {
			return trygg.Errorf(trygg.EConflict, "A meeting is already booked on this case; move or cancel it instead.")
		}
		sl, err := freeSlotFor(ctx, tx, a.Tenant, slotID, c.AssignedTo)
		if err != nil {
			return err
		}
		if b.TaskID, err = bookingTask(ctx, tx, a.Tenant, c, sl, "booking", "Möte bokat: "+meetingWhen(sl, "sv")); err != nil {
			return err
		}
		if err := tx.InsertBooking(ctx, a.Tenant, b); err != nil {
			return err
		}
		b.CreatedAt = tx.Now
		e := events.New(a, events.BookingMade, "booking", b.ID, map[string]any{"slot_id": sl.ID, "starts_at": sl.StartsAt,
			"minutes": sl.Minutes, "kind": sl.Kind, "officer_id": sl.OfficerID, "relation": ground})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		return citizenNotice(ctx, tx, a, c, "booking_made", b.ID, process.Text{
			SV: "Ditt möte är bokat: " + meetingWhen(sl, "sv") + ".", EN: "Your meeting is booked: " + meetingWhen(sl, "en") + "."})
	})
	if err != nil {
		return store.Booking{}, err
	}
	return b, nil
}

// MoveBooking moves a meeting of the person the citizen acts for to
// another free time of the same officer: the booking ends as moved and a
// new one starts, in one transaction. The officer's task and the
// person's notice follow.
func (s *Service) MoveBooking(ctx context.Context, a trygg.Actor, personID, id, slotID string) (store.Booking, error) {
	b, c, ground, err := s.citizenBooking(ctx, a, personID, id)
	if err != nil {
		return store.Booking{}, err
	}
	if b.Status != store.BookingBooked {
		return store.Booking{}, trygg.Errorf(trygg.EConflict, "The booking has already been moved or cancelled.")
	}
	if slotID == b.SlotID {
		return store.Booking{}, trygg.Invalid("Choose another time.", map[string]string{"slot_id": "This is the time already booked."})
	}
	if c.Status != "open" {
		return store.Booking{}, trygg.Errorf(trygg.EConflict, "The case is closed; no meeting can be booked on it.")
	}
	nb := store.Booking{ID: newID(), SlotID: slotID, CaseID: c.ID, PersonID: c.PersonID, BookedBy: a.UserID, Status: store.BookingBooked}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.ReadCase, personID, c.ID, ground, "")}, func(tx *store.Tx) error {
		// Lock the two slots in one order, so two moves cannot wait for
		// each other.
		first, second := b.SlotID, slotID
		if second < first {
			first, second = second, first
		}
		if _, err := tx.LockSlot(ctx, a.Tenant, first); err != nil && trygg.ErrorCode(err) != trygg.ENotFound {
			return err
		}
		if _, err := tx.LockSlot(ctx, a.Tenant, second); err != nil && trygg.ErrorCode(err) != trygg.ENotFound {
			return err
		}
		old, err := tx.LockSlot(ctx, a.Tenant, b.SlotID)
		if err != nil {
			return err
		}
		if !old.StartsAt.After(tx.Now) {
			return trygg.Errorf(trygg.EConflict, "The meeting has already taken place; book a new one instead.")
		}
		// The new time is the case officer's now, whoever had the old one.
		sl, err := freeSlotFor(ctx, tx, a.Tenant, slotID, c.AssignedTo)
		if err != nil {
			return err
		}
		if err := tx.EndBooking(ctx, a.Tenant, b.ID, store.BookingMoved, nb.ID); err != nil {
			return err
		}
		if err := tx.CloseTask(ctx, a.Tenant, b.TaskID); err != nil {
			return err
		}
		if nb.TaskID, err = bookingTask(ctx, tx, a.Tenant, c, sl, "booking",
			"Möte flyttat till "+meetingWhen(sl, "sv")+" (var "+meetingWhen(old, "sv")+")"); err != nil {
			return err
		}
		if err := tx.InsertBooking(ctx, a.Tenant, nb); err != nil {
			return err
		}
		nb.CreatedAt = tx.Now
		e := events.New(a, events.BookingMoved, "booking", b.ID, map[string]any{"moved_to": nb.ID, "from_slot": old.ID, "to_slot": sl.ID,
			"starts_at": sl.StartsAt, "minutes": sl.Minutes, "kind": sl.Kind, "officer_id": sl.OfficerID, "relation": ground})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		return citizenNotice(ctx, tx, a, c, "booking_moved", nb.ID, process.Text{
			SV: "Ditt möte är flyttat till " + meetingWhen(sl, "sv") + ".", EN: "Your meeting has been moved to " + meetingWhen(sl, "en") + "."})
	})
	if err != nil {
		return store.Booking{}, err
	}
	return nb, nil
}

// CancelBooking cancels a meeting of the person the citizen acts for;
// the time is free again. The officer's task and the person's notice
// follow.
func (s *Service) CancelBooking(ctx context.Context, a trygg.Actor, personID, id string) error {
	b, c, ground, err := s.citizenBooking(ctx, a, personID, id)
	if err != nil {
		return err
	}
	if b.Status != store.BookingBooked {
		return trygg.Errorf(trygg.EConflict, "The booking has already been moved or cancelled.")
	}
	return s.updateLogged(ctx, []audit.Entry{entry(a, access.ReadCase, personID, c.ID, ground, "")}, func(tx *store.Tx) error {
		sl, err := tx.LockSlot(ctx, a.Tenant, b.SlotID)
		if err != nil {
			return err
		}
		if err := tx.EndBooking(ctx, a.Tenant, b.ID, store.BookingCancelled, ""); err != nil {
			return err
		}
		if err := tx.CloseTask(ctx, a.Tenant, b.TaskID); err != nil {
			return err
		}
		if _, err := bookingTask(ctx, tx, a.Tenant, c, sl, "booking_cancelled", "Möte avbokat: "+meetingWhen(sl, "sv")); err != nil {
			return err
		}
		e := events.New(a, events.BookingCancelled, "booking", b.ID, map[string]any{"slot_id": sl.ID, "starts_at": sl.StartsAt,
			"officer_id": sl.OfficerID, "relation": ground})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		return citizenNotice(ctx, tx, a, c, "booking_cancelled", b.ID, process.Text{
			SV: "Ditt möte " + meetingWhen(sl, "sv") + " är avbokat.", EN: "Your meeting " + meetingWhen(sl, "en") + " is cancelled."})
	})
}
