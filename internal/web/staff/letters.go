package staff

import (
	"net/http"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// printQueuePage is the print queue: the decision letters of those
// without a digital mailbox, waiting to be printed and posted.
type printQueuePage struct {
	Letters []service.PrintLetter
	Done    bool
	Problem string
}

// handlePrintQueuePage shows the letters to print of the cases the
// officer may work.
func (s *handlers) handlePrintQueuePage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderPrintQueue(w, r, a, v, http.StatusOK, printQueuePage{Done: r.URL.Query().Get("done") == "printed"})
}

func (s *handlers) renderPrintQueue(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p printQueuePage) error {
	ls, err := s.Svc.PrintQueue(r.Context(), a, v.Lang)
	if err != nil {
		return err
	}
	p.Letters = ls
	v.Title, v.Data = v.T("printqueue.title"), p
	return pages.Render(w, status, "letters_print", *v)
}

// handleLetterPrinted marks a letter printed and posted.
func (s *handlers) handleLetterPrinted(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := s.Svc.MarkLetterPrinted(r.Context(), a, r.PathValue("id")); err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderPrintQueue(w, r, a, v, status, printQueuePage{Problem: problem})
	}
	http.Redirect(w, r, "/letters/print?done=printed", http.StatusSeeOther)
	return nil
}
