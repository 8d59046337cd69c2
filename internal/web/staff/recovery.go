package staff

import (
	"net/http"
	"strings"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Recovery (återkrav) of amounts paid wrongly: the case page's section
// lists the case's debts with their balances, and the recovery page
// (/cases/{id}/recovery) decides a recovery, on one of the case type's
// legal bases and naming the case's paid payments it concerns, and
// registers repayments against a debt (service.DecideRecovery,
// service.RegisterRepayment).

// recoveryPage is the recovery page's data: the case's debts, the
// decision form with what was typed and its mistakes, and the repayment
// form of the debt a repayment was posted to.
type recoveryPage struct {
	CaseID string
	service.CaseRecovery
	Today string
	// Decide is what was typed in the decision form, its amount as typed.
	Decide       service.RecoveryInput
	DecideAmount string
	// Chosen are the payment lines ticked in the decision form.
	Chosen map[string]bool
	// Repay is the debt a repayment was posted to, with what was typed.
	Repay       string
	RepayDate   string
	RepayAmount string
	Errors      map[string]string
	Problem     string
	// Done says what was just done: decided or repaid.
	Done string
}

// handleRecoveryPage shows the case's debts and the forms.
func (s *handlers) handleRecoveryPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	p := recoveryPage{}
	switch d := r.URL.Query().Get("done"); d {
	case "decided", "repaid":
		p.Done = d
	}
	return s.renderRecovery(w, r, a, v, http.StatusOK, p)
}

func (s *handlers) renderRecovery(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p recoveryPage) error {
	rec, err := s.Svc.CaseRecovery(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	p.CaseID, p.CaseRecovery, p.Today = r.PathValue("id"), rec, s.Svc.Today()
	if p.Decide.LegalBasis == "" && len(rec.LegalBases) > 0 {
		p.Decide.LegalBasis = rec.LegalBases[0].ID
	}
	p.Chosen = map[string]bool{}
	for _, id := range p.Decide.PaymentIDs {
		p.Chosen[id] = true
	}
	v.Title, v.Data = v.T("recovery.title"), p
	return pages.Render(w, status, "recovery", *v)
}

// readKronor reads an amount typed in kronor ("2 500", "2500,50 kr") as
// öre; what cannot be read is 0, which the service refuses on its field.
func readKronor(s string) int64 {
	ore, err := process.Measure{Unit: process.UnitMoney}.Parse(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return ore
}

// handleRecoveryDecide decides a recovery; mistakes are shown next to
// their fields with what was typed.
func (s *handlers) handleRecoveryDecide(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	typed := r.PostForm.Get("amount")
	in := service.RecoveryInput{Amount: readKronor(typed), Reason: r.PostForm.Get("reason"), LegalBasis: r.PostForm.Get("legal_basis"),
		PaymentIDs: r.PostForm["payment"]}
	d, err := s.Svc.DecideRecovery(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderRecovery(w, r, a, v, status, recoveryPage{Decide: in, DecideAmount: typed, Errors: prob.Fields, Problem: prob.Message})
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/recovery?done=decided#debt-"+d.ID, http.StatusSeeOther)
	return nil
}

// handleRepaymentForm registers a repayment against a debt; mistakes are
// shown at the debt's form with what was typed.
func (s *handlers) handleRepaymentForm(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	typed, date := r.PostForm.Get("amount"), r.PostForm.Get("date")
	debt := r.PathValue("debt")
	if _, err := s.Svc.RegisterRepayment(r.Context(), a, r.PathValue("id"), debt, service.RepaymentInput{Date: date, Amount: readKronor(typed)}); err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderRecovery(w, r, a, v, status, recoveryPage{Repay: debt, RepayDate: date, RepayAmount: typed, Errors: prob.Fields, Problem: prob.Message})
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/recovery?done=repaid#debt-"+debt, http.StatusSeeOther)
	return nil
}
