package staff

import (
	"net/http"
	"strconv"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// The officer's free times (/slots), which citizens book on Mina sidor
// (internal/web/portal).

// slotsPage is the officer's /slots.
type slotsPage struct {
	Slots   []slotRow
	In      service.SlotInput
	Errors  map[string]string
	Problem string
	Done    string
	Today   string
}

// slotRow is one of the officer's times.
type slotRow struct {
	server.SlotChoice
	Minutes           int
	Status, CaseID    string
	CaseTitle         string
	Booked, Withdrawn bool
}

// handleSlotsPage lists the officer's times and publishes new ones.
func (s *handlers) handleSlotsPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	done := ""
	switch d := r.URL.Query().Get("done"); d {
	case "published", "withdrawn":
		done = d
	}
	return s.renderSlots(w, r, a, v, http.StatusOK, slotsPage{Done: done, In: service.SlotInput{Minutes: 45, Kind: store.MeetingPlace}})
}

func (s *handlers) renderSlots(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, sp slotsPage) error {
	list, err := s.Svc.MySlots(r.Context(), a)
	if err != nil {
		return err
	}
	for _, sl := range list {
		row := slotRow{SlotChoice: server.SlotChoiceOf(sl.Slot, v), Minutes: sl.Minutes, Status: sl.Status, Withdrawn: sl.Status == store.SlotWithdrawn}
		if sl.Booking != nil {
			row.Booked, row.CaseID, row.CaseTitle = true, sl.Booking.CaseID, sl.CaseTitle
		}
		sp.Slots = append(sp.Slots, row)
	}
	sp.Today = s.Svc.Today()
	v.Title, v.Data = v.T("slots.title"), sp
	return pages.Render(w, status, "slots", *v)
}

// handleSlotPublish publishes a free time; mistakes are shown next to
// their fields.
func (s *handlers) handleSlotPublish(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	minutes, _ := strconv.Atoi(r.PostForm.Get("minutes"))
	in := service.SlotInput{Date: r.PostForm.Get("date"), Start: r.PostForm.Get("start"), Minutes: minutes,
		Kind: r.PostForm.Get("kind"), Place: r.PostForm.Get("place")}
	if _, err := s.Svc.PublishSlot(r.Context(), a, in); err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderSlots(w, r, a, v, status, slotsPage{In: in, Problem: prob.Message, Errors: prob.Fields})
	}
	http.Redirect(w, r, "/slots?done=published", http.StatusSeeOther)
	return nil
}

// handleSlotWithdraw withdraws a free time.
func (s *handlers) handleSlotWithdraw(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := s.Svc.WithdrawSlot(r.Context(), a, r.PathValue("id")); err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderSlots(w, r, a, v, status, slotsPage{Problem: problem, In: service.SlotInput{Minutes: 45, Kind: store.MeetingPlace}})
	}
	http.Redirect(w, r, "/slots?done=withdrawn", http.StatusSeeOther)
	return nil
}
