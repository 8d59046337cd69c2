package staff

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// decisionPage is the decision page's data.
type decisionPage struct {
	service.DecisionOverview
	Problem, Message string
	// Amount is the amount as the input shows it.
	Amount string
	Today  string
	// Providers is the choice of provider for a final decision that
	// grants something, when its case type sends orders; ProviderProblem
	// a refused choice.
	Providers       service.DecisionProviders
	ProviderProblem string
	ProviderSaved   string
}

func (s *handlers) handleDecisionPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderDecision(w, r, a, v, http.StatusOK, "", "")
}

func (s *handlers) renderDecision(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, message, problem string) error {
	return s.renderDecisionWith(w, r, a, v, status, decisionPage{Problem: problem, Message: message})
}

// renderDecisionWith renders the decision page with p's messages.
func (s *handlers) renderDecisionWith(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p decisionPage) error {
	ov, err := s.Svc.DecisionOverview(r.Context(), a, r.PathValue("id"), r.PathValue("decision"), v.Lang)
	if err != nil {
		return err
	}
	p.DecisionOverview, p.Amount, p.Today = ov, strconv.FormatInt(ov.Decision.Amount, 10), server.TodaySweden()
	if p.Providers, err = s.Svc.DecisionProviders(r.Context(), a, ov.Case.ID, ov.Decision.ID); err != nil {
		return err
	}
	if r.URL.Query().Get("provider") == "1" && p.Providers.Chosen != nil && p.ProviderProblem == "" {
		p.ProviderSaved = fmt.Sprintf(v.T("decision.provider.saved"), p.Providers.Chosen.Name)
	}
	v.Title = ov.InsatsName
	v.Data = p
	return pages.Render(w, status, "decision", *v)
}

// handleLetterPage shows the decision as a letter to print (or save as
// PDF from the browser's print dialogue).
func (s *handlers) handleLetterPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	ov, err := s.Svc.DecisionOverview(r.Context(), a, r.PathValue("id"), r.PathValue("decision"), v.Lang)
	if err != nil {
		return err
	}
	if ov.Decision.Status != "final" {
		return trygg.Errorf(trygg.EConflict, "A decision letter is written once the decision is made.")
	}
	v.Title = v.T("letter.title") + " – " + ov.InsatsName
	v.Data = decisionPage{DecisionOverview: ov}
	return pages.Render(w, http.StatusOK, "letter", *v)
}

// handleDecisionCreate drafts a decision on an insats and opens it.
func (s *handlers) handleDecisionCreate(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	d, err := s.Svc.SaveDecision(r.Context(), a, r.PathValue("id"), "", service.DecisionInput{Insats: r.PostForm.Get("insats"),
		Outcome: "granted"})
	if err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderCase(w, r, a, v, status, "", problem)
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/decisions/"+d.ID, http.StatusSeeOther)
	return nil
}

// decisionInput reads the decision form; the amount is a whole number in
// the decision's unit (öre, hours × 100, ...).
func decisionInput(r *http.Request) (service.DecisionInput, bool) {
	in := service.DecisionInput{Insats: r.PostForm.Get("insats"), Outcome: r.PostForm.Get("outcome"), LegalBasis: r.PostForm.Get("legal_basis"),
		ValidFrom: r.PostForm.Get("valid_from"), ValidTo: r.PostForm.Get("valid_to"), Justification: r.PostForm.Get("justification"),
		AppealNotice: r.PostForm.Get("appeal_notice")}
	if a := strings.ReplaceAll(strings.TrimSpace(r.PostForm.Get("amount")), " ", ""); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return in, false
		}
		in.Amount = n
	}
	return in, true
}

// handleDecisionSave saves the draft; with "finalise" it then makes it
// final.
func (s *handlers) handleDecisionSave(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	caseID, id := r.PathValue("id"), r.PathValue("decision")
	in, ok := decisionInput(r)
	if !ok {
		return s.renderDecision(w, r, a, v, http.StatusUnprocessableEntity, "", v.T("decision.badamount"))
	}
	if _, err := s.Svc.SaveDecision(r.Context(), a, caseID, id, in); err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderDecision(w, r, a, v, status, "", problem)
	}
	if r.PostForm.Get("finalise") != "" {
		if _, err := s.Svc.FinaliseDecision(r.Context(), a, caseID, id); err != nil {
			status, problem, err := server.Refusal(v, err)
			if err != nil {
				return err
			}
			return s.renderDecision(w, r, a, v, status, "", problem)
		}
		http.Redirect(w, r, "/cases/"+caseID+"/decisions/"+id+"?done=1", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/cases/"+caseID+"/decisions/"+id, http.StatusSeeOther)
	return nil
}

// handleExecutionForm records a step of the decision's execution.
func (s *handlers) handleExecutionForm(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	in := service.ExecutionInput{Kind: r.PostForm.Get("kind"), On: r.PostForm.Get("on"), Reason: r.PostForm.Get("reason"),
		Offers: r.PostForm.Get("offers"), InterimHelp: r.PostForm.Get("interim_help")}
	if _, err := s.Svc.RecordExecution(r.Context(), a, r.PathValue("id"), r.PathValue("decision"), in); err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderDecision(w, r, a, v, status, "", problem)
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/decisions/"+r.PathValue("decision")+"#execution", http.StatusSeeOther)
	return nil
}

// handleProviderChoice records the provider chosen to carry out a final
// decision; a refused choice is shown next to the field.
func (s *handlers) handleProviderChoice(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	caseID, id := r.PathValue("id"), r.PathValue("decision")
	_, err := s.Svc.ChooseProvider(r.Context(), a, caseID, id, service.ChooseProviderInput{ProviderID: r.PostForm.Get("provider_id")})
	if err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		msg := prob.Message
		if m := prob.Fields["provider_id"]; m != "" && m != msg {
			msg += " " + m
		}
		return s.renderDecisionWith(w, r, a, v, status, decisionPage{ProviderProblem: msg})
	}
	http.Redirect(w, r, "/cases/"+caseID+"/decisions/"+id+"?provider=1#provider", http.StatusSeeOther)
	return nil
}
