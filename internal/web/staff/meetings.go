package staff

import (
	"net/http"
	"strconv"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Booking a home visit (or another meeting) from the case page: the
// officer chooses the time, the place is the person's address unless
// they write another, and the citizen sees the meeting on Mina sidor
// under Möten (service.BookVisit).

// visitForm is the case page's form for booking a meeting: what was
// typed (a home visit of an hour by default), the mistakes at their
// fields, and whether one was just booked.
type visitForm struct {
	In      service.SlotInput
	Errors  map[string]string
	Problem string
	Booked  bool
	Today   string
	// Kinds are the kinds of meeting to choose from, a home visit first;
	// HomeAddress is where a home visit goes (service.CaseMeetings).
	Kinds       []string
	HomeAddress string
	// Upcoming are the case's meetings ahead, in words.
	Upcoming []server.SlotChoice
}

// defaults fills what the form starts with when nothing was posted, and
// the case's meetings in v's language.
func (f *visitForm) defaults(m service.CaseMeetings, r *http.Request, v *server.View) {
	f.Kinds = []string{store.MeetingHome, store.MeetingPlace, store.MeetingPhone, store.MeetingVideo}
	f.HomeAddress = m.HomeAddress
	for _, b := range m.Upcoming {
		f.Upcoming = append(f.Upcoming, server.SlotChoiceOf(b.Slot, v))
	}
	f.Today = server.TodaySweden()
	f.Booked = f.Booked || r.URL.Query().Get("booked") == "1"
	if f.In.Kind == "" {
		f.In = service.SlotInput{Minutes: 60, Kind: store.MeetingHome}
	}
}

// handleVisitBook books a meeting on the case at the time the officer
// chooses; mistakes are shown next to their fields in the form, with what
// was typed.
func (s *handlers) handleVisitBook(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	minutes, _ := strconv.Atoi(r.PostForm.Get("minutes"))
	in := service.SlotInput{Date: r.PostForm.Get("date"), Start: r.PostForm.Get("start"), Minutes: minutes,
		Kind: r.PostForm.Get("kind"), Place: r.PostForm.Get("place")}
	if _, err := s.Svc.BookVisit(r.Context(), a, r.PathValue("id"), in); err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderCaseWith(w, r, a, v, status, casePage{Visit: visitForm{In: in, Errors: prob.Fields, Problem: prob.Message}})
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"?booked=1#meetings-h", http.StatusSeeOther)
	return nil
}
