package portal

import (
	"net/http"
	"strings"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Booking meetings (see service/bookings.go): the citizen books a free
// time of the officer of a case of the person acted for, moves it or
// cancels it, on /portal/bookings; officers publish their times on /slots.

func slotChoices(slots []store.Slot, v *server.View) []server.SlotChoice {
	out := make([]server.SlotChoice, 0, len(slots))
	for _, s := range slots {
		out = append(out, server.SlotChoiceOf(s, v))
	}
	return out
}

// bookingRow is one of the person's meetings.
type bookingRow struct {
	ID, Status, CaseTitle, Officer string
	Slot                           server.SlotChoice
}

// bookingsPage is /portal/bookings' data.
type bookingsPage struct {
	Bookings []bookingRow
	Cases    []service.BookingCase
	Done     string
}

// handlePortalBookings lists the meetings of the person acted for and
// the cases they can book a meeting on.
func (s *handlers) handlePortalBookings(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	list, err := s.Svc.PersonBookings(r.Context(), a, p.For.PersonID)
	if err != nil {
		return err
	}
	cases, err := s.Svc.BookableCases(r.Context(), a, p.For.PersonID)
	if err != nil {
		return err
	}
	bp := bookingsPage{Cases: cases, Done: doneKey(r)}
	for _, b := range list {
		if b.Status == store.BookingMoved {
			continue // the meeting it moved to is listed
		}
		bp.Bookings = append(bp.Bookings, bookingRow{ID: b.ID, Status: b.Status, CaseTitle: b.CaseTitle, Officer: b.OfficerName,
			Slot: server.SlotChoiceOf(b.Slot, v)})
	}
	v.Title, v.Data = v.T("book.title"), bp
	return pages.Render(w, http.StatusOK, "portal_bookings", *v)
}

// doneKey is the result to confirm at the top of a page, from ?done=.
func doneKey(r *http.Request) string {
	switch d := r.URL.Query().Get("done"); d {
	case "booked", "moved", "cancelled":
		return d
	}
	return ""
}

// bookingNewPage is the page for choosing a time.
type bookingNewPage struct {
	service.BookingCase
	Slots   []server.SlotChoice
	Problem string
}

// handlePortalBookingNew shows the free times of a case's officer.
func (s *handlers) handlePortalBookingNew(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	return s.renderBookingNew(w, r, a, p, v, r.URL.Query().Get("case"), http.StatusOK, "")
}

func (s *handlers) renderBookingNew(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View, caseID string, status int, problem string) error {
	bc, err := s.Svc.BookingOptions(r.Context(), a, p.For.PersonID, caseID)
	if err != nil {
		return err
	}
	v.Title, v.Data = v.T("book.new"), bookingNewPage{BookingCase: bc, Slots: slotChoices(bc.Free, v), Problem: problem}
	return pages.Render(w, status, "portal_booking_new", *v)
}

// handlePortalBookingCreate books the chosen time; a time someone took
// first is shown as a refusal with the times still free.
func (s *handlers) handlePortalBookingCreate(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	if err := s.LimitCitizen(w, r, a); err != nil {
		return err
	}
	caseID := r.PostForm.Get("case")
	slotID := strings.TrimSpace(r.PostForm.Get("slot"))
	if slotID == "" {
		return s.renderBookingNew(w, r, a, p, v, caseID, http.StatusUnprocessableEntity, v.T("book.choose"))
	}
	b, err := s.Svc.BookSlot(r.Context(), a, p.For.PersonID, caseID, slotID)
	if err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderBookingNew(w, r, a, p, v, caseID, status, problem)
	}
	http.Redirect(w, r, "/portal/bookings/"+b.ID+"?done=booked", http.StatusSeeOther)
	return nil
}

// bookingPage is one meeting's page.
type bookingPage struct {
	Row     bookingRow
	Booked  bool
	Slots   []server.SlotChoice
	Done    string
	Problem string
}

// handlePortalBooking shows a meeting, with the times it can be moved to
// and the way to cancel it.
func (s *handlers) handlePortalBooking(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	return s.renderBooking(w, r, a, p, v, r.PathValue("id"), http.StatusOK, "")
}

func (s *handlers) renderBooking(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View, id string, status int, problem string) error {
	b, err := s.Svc.Booking(r.Context(), a, p.For.PersonID, id)
	if err != nil {
		return err
	}
	bp := bookingPage{Row: bookingRow{ID: b.ID, Status: b.Status, CaseTitle: b.CaseTitle, Officer: b.OfficerName, Slot: server.SlotChoiceOf(b.Slot, v)},
		Booked: b.Status == store.BookingBooked, Done: doneKey(r), Problem: problem}
	bp.Slots = slotChoices(b.Free, v)
	v.Title, v.Data = v.T("book.meeting"), bp
	return pages.Render(w, status, "portal_booking", *v)
}

// handlePortalBookingMove moves a meeting to another free time.
func (s *handlers) handlePortalBookingMove(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	if err := s.LimitCitizen(w, r, a); err != nil {
		return err
	}
	id, slotID := r.PathValue("id"), strings.TrimSpace(r.PostForm.Get("slot"))
	if slotID == "" {
		return s.renderBooking(w, r, a, p, v, id, http.StatusUnprocessableEntity, v.T("book.choose"))
	}
	nb, err := s.Svc.MoveBooking(r.Context(), a, p.For.PersonID, id, slotID)
	if err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderBooking(w, r, a, p, v, id, status, problem)
	}
	http.Redirect(w, r, "/portal/bookings/"+nb.ID+"?done=moved", http.StatusSeeOther)
	return nil
}

// handlePortalBookingCancel cancels a meeting.
func (s *handlers) handlePortalBookingCancel(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	if err := s.LimitCitizen(w, r, a); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.Svc.CancelBooking(r.Context(), a, p.For.PersonID, id); err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderBooking(w, r, a, p, v, id, status, problem)
	}
	http.Redirect(w, r, "/portal/bookings?done=cancelled", http.StatusSeeOther)
	return nil
}
