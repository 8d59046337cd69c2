package staff

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// decisionPage is the decision page's data.
type decisionPage struct {
	service.DecisionOverview
	Problem, Message string
	// Amount is the amount as the input shows it, in the unit people
	// think in ("40,5", "12 345"); AmountLabel names the unit
	// ("Omfattning (timmar per månad)"), AmountText the amount in words
	// ("40 timmar per månad"), AmountError a mistake in what was typed.
	Amount, AmountLabel, AmountUnitText, AmountText, AmountError string
	Today                                                        string
	// Posted is the draft as the officer sent it, shown again when it was
	// refused so nothing typed is lost.
	Posted *service.DecisionInput
	// Providers is the choice of provider for a final decision that
	// grants something, when its case type sends orders; ProviderProblem
	// a refused choice.
	Providers       service.DecisionProviders
	ProviderProblem string
	ProviderSaved   string
	// ExecPosted is a refused execution entry as sent, and ExecFields
	// what is wrong with each of its fields, shown at the field.
	ExecPosted service.ExecutionInput
	ExecFields map[string]string
	// AmountOf writes an amount executed in the decision's unit, as
	// AmountText writes the decided one.
	AmountOf func(int64) string
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
	m := ov.AmountUnit
	p.DecisionOverview, p.Today = ov, server.TodaySweden()
	p.Amount, p.AmountUnitText = m.Input(ov.Decision.Amount), m.Label(v.Lang)
	p.AmountLabel = fmt.Sprintf("%s (%s)", v.T("decision.amount."+m.Unit), p.AmountUnitText)
	if m.Unit == process.UnitCount && m.Period == "" {
		// A number of items is its own unit: "Antal", not "Antal (antal)".
		p.AmountLabel, p.AmountUnitText = v.T("decision.amount."+m.Unit), ""
	}
	p.AmountText = m.Format(ov.Decision.Amount, v.Lang)
	p.AmountOf = func(n int64) string { return m.Format(n, v.Lang) }
	if in := p.Posted; in != nil && ov.Decision.Status == "draft" {
		d := &p.Decision
		d.Outcome, d.LegalBasis, d.ValidFrom, d.ValidTo = in.Outcome, in.LegalBasis, in.ValidFrom, in.ValidTo
		d.Justification, d.AppealNotice = in.Justification, in.AppealNotice
		if !ov.AmountFixed {
			p.Amount = in.AmountText
		}
	}
	if p.Providers, err = s.Svc.DecisionProviders(r.Context(), a, ov.Case.ID, ov.Decision.ID); err != nil {
		return err
	}
	if r.URL.Query().Get("provider") == "1" && p.Providers.Chosen != nil && p.ProviderProblem == "" {
		p.ProviderSaved = fmt.Sprintf(v.T("decision.provider.saved"), p.Providers.Chosen.Name)
		if also := ov.Flow.SameProvider; len(also) > 0 {
			p.ProviderSaved += " " + fmt.Sprintf(v.T("decision.provider.also"), strings.Join(also, ", "))
		}
		if ov.Flow.Ordered {
			p.ProviderSaved += " " + v.T("decision.provider.ordered")
		}
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

// decisionInput reads the decision form; the amount is read as typed, in
// the unit people think in ("40,5" hours, "12 345" kronor), by the
// service.
func decisionInput(r *http.Request) service.DecisionInput {
	return service.DecisionInput{Insats: r.PostForm.Get("insats"), Outcome: r.PostForm.Get("outcome"), LegalBasis: r.PostForm.Get("legal_basis"),
		ValidFrom: r.PostForm.Get("valid_from"), ValidTo: r.PostForm.Get("valid_to"), Justification: r.PostForm.Get("justification"),
		AppealNotice: r.PostForm.Get("appeal_notice"), AmountText: r.PostForm.Get("amount")}
}

// refusedDecision shows the decision page again after a refused save or
// finalising: the message at the top, a mistake in the amount next to it,
// and the draft as posted.
func (s *handlers) refusedDecision(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, in service.DecisionInput, err error) error {
	status, prob, err := server.ProblemOf(v.Lang, err)
	if err != nil {
		return err
	}
	return s.renderDecisionWith(w, r, a, v, status, decisionPage{Problem: prob.Message, AmountError: prob.Fields["amount"], Posted: &in})
}

// handleDecisionSave saves the draft; with "finalise" it then makes it
// final.
func (s *handlers) handleDecisionSave(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	caseID, id := r.PathValue("id"), r.PathValue("decision")
	in := decisionInput(r)
	if _, err := s.Svc.SaveDecision(r.Context(), a, caseID, id, in); err != nil {
		return s.refusedDecision(w, r, a, v, in, err)
	}
	if r.PostForm.Get("finalise") != "" {
		if _, err := s.Svc.FinaliseDecision(r.Context(), a, caseID, id); err != nil {
			return s.refusedDecision(w, r, a, v, in, err)
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
	in := service.ExecutionInput{Kind: r.PostForm.Get("kind"), On: r.PostForm.Get("on"), AmountText: r.PostForm.Get("amount"),
		Reason: r.PostForm.Get("reason"), Offers: r.PostForm.Get("offers"), InterimHelp: r.PostForm.Get("interim_help")}
	if _, err := s.Svc.RecordExecution(r.Context(), a, r.PathValue("id"), r.PathValue("decision"), in); err != nil {
		// A refused entry comes back as typed, each mistake at its field.
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderDecisionWith(w, r, a, v, status, decisionPage{Problem: prob.Message, ExecPosted: in, ExecFields: prob.Fields})
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/decisions/"+r.PathValue("decision")+"#execution", http.StatusSeeOther)
	return nil
}

// handleProviderChoice records the provider chosen to carry out a final
// decision, and for the case's other granted decisions it provides, and
// sends the orders when the process has a transition for it
// (service.ChooseProviderAndOrder); a refused choice is shown next to the
// field.
func (s *handlers) handleProviderChoice(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	caseID, id := r.PathValue("id"), r.PathValue("decision")
	_, err := s.Svc.ChooseProviderAndOrder(r.Context(), a, caseID, id, service.ChooseProviderInput{ProviderID: r.PostForm.Get("provider_id")}, v.Lang)
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
