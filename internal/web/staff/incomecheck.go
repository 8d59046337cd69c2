package staff

import (
	"net/http"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// incomeCheckPanel is the national income check on the case page, for a
// case whose type has it (income_check) and an actor who may work on it:
// the button, and the answer or a refusal once asked.
type incomeCheckPanel struct {
	View    *service.IncomeCheckView
	Problem string
}

// incomeCheckFor returns the panel for the case page: p as given when the
// income check was just asked, else an empty one where it is offered, or
// nil.
func (s *handlers) incomeCheckFor(r *http.Request, a trygg.Actor, ov service.CaseOverview, p *incomeCheckPanel) (*incomeCheckPanel, error) {
	if p != nil || !ov.Workable {
		return p, nil
	}
	offered, err := s.Svc.IncomeCheckOffered(r.Context(), a.Tenant, ov.Case)
	if err != nil || !offered {
		return nil, err
	}
	return &incomeCheckPanel{}, nil
}

// handleIncomeCheck asks the national income check about the case's
// person (a POST: the lookup is logged, and nothing of it goes in a URL)
// and shows the case page with the answer beside the application.
func (s *handlers) handleIncomeCheck(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	iv, err := s.Svc.IncomeCheck(r.Context(), a, r.PathValue("id"), v.Lang)
	if err != nil {
		status, problem, rerr := server.Refusal(v, err)
		if rerr != nil {
			if trygg.ErrorCode(err) != trygg.EUnavailable {
				return rerr
			}
			status, problem = http.StatusServiceUnavailable, server.ProblemText(v.Lang, err)
		}
		return s.renderCaseWith(w, r, a, v, status, casePage{IncomeCheck: &incomeCheckPanel{Problem: problem}})
	}
	return s.renderCaseWith(w, r, a, v, http.StatusOK, casePage{IncomeCheck: &incomeCheckPanel{View: &iv}})
}
