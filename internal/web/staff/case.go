package staff

import (
	"net/http"
	"strings"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// casePage is the case page's data.
type casePage struct {
	service.CaseOverview
	// Forms are the forms of the current step first, then the others.
	Forms, OtherForms []server.FormRender
	// MyDraft is the officer's note being written, if any.
	MyDraft *store.Note
	Signed  []store.Note
	// Message is a result or refusal to show at the top.
	Message, Problem string
	// Decision labels.
	InsatsNames map[string]string
	// Orders are the case's orders to providers, with their follow-up;
	// Timed marks those with time planned or reported, whose months are
	// worth a table.
	Orders []service.OrderView
	Timed  map[string]bool
	// Attachments are the documents sent with a citizen's application
	// (internal/web/portal/apply.go).
	Attachments []store.Attachment
	// Archivings are the case's deliveries to the archive (archive.go).
	Archivings []store.Archiving
	// Secrecy lists the signed records that may be marked as secret
	// towards the person (secrecy.go).
	Secrecy *secrecyPanel
	// Conversation is the case's secure conversation with the citizen,
	// GoalComments the citizens' comments on its orders' goals by order
	// and goal; Answered says an answer was just sent (internal/web/portal/follow.go).
	Conversation service.Conversation
	GoalComments map[string]map[int][]service.CommentView
	Answered     bool
	// Meetings are the case's upcoming meetings and the form that books
	// one, a home visit by default (meetings.go).
	Meetings service.CaseMeetings
	Visit    visitForm
	// IncomeCheck is the national income check beside the application,
	// where the case type has it (incomecheck.go).
	IncomeCheck *incomeCheckPanel
	// Recovery is the case's recovery debts (återkrav) and what the
	// actor may do with them (recovery.go).
	Recovery service.CaseRecovery
	// Payments are the case's payment lines with their status
	// (payments.go); PaymentRefusal a refused "Betala igen" at its line.
	Payments       service.PaymentsView
	PaymentRefusal lineRefusal
}

// handleCasePage shows a case: where it stands, its time limits, what may
// be done now, its forms, decisions, journal and timeline.
func (s *handlers) handleCasePage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderCase(w, r, a, v, http.StatusOK, "", "")
}

// renderCase renders the case page with a message (done) or a problem
// (refused) at the top, with status.
func (s *handlers) renderCase(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, message, problem string) error {
	return s.renderCaseWith(w, r, a, v, status, casePage{Message: message, Problem: problem})
}

// renderCaseWith renders the case page with p's messages and booking form.
func (s *handlers) renderCaseWith(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p casePage) error {
	ov, err := s.Svc.CaseOverview(r.Context(), a, r.PathValue("id"), v.Lang)
	if err != nil {
		return err
	}
	p.CaseOverview, p.InsatsNames = ov, map[string]string{}
	if p.Meetings, err = s.Svc.CaseMeetings(r.Context(), a, ov.Case.ID); err != nil {
		return err
	}
	p.Visit.defaults(p.Meetings, r, v)
	if p.IncomeCheck, err = s.incomeCheckFor(r, a, ov, p.IncomeCheck); err != nil {
		return err
	}
	if p.Recovery, err = s.Svc.CaseRecovery(r.Context(), a, ov.Case.ID); err != nil {
		return err
	}
	if p.Payments, err = s.Svc.CasePayments(r.Context(), a, ov.Case.ID); err != nil {
		return err
	}
	if p.Orders, err = s.Svc.CaseOrders(r.Context(), a, ov.Case.ID); err != nil {
		return err
	}
	if p.Attachments, err = s.Svc.CaseAttachments(r.Context(), a, ov.Case.ID); err != nil {
		return err
	}
	if p.Archivings, err = s.Svc.CaseArchivings(r.Context(), a, ov.Case.ID); err != nil {
		return err
	}
	if p.Secrecy, err = s.secrecyFor(r, a, ov.Case.ID, v.Lang, ov.Workable); err != nil {
		return err
	}
	if p.Conversation, err = s.Svc.CaseMessages(r.Context(), a, ov.Case.ID); err != nil {
		return err
	}
	if p.GoalComments, err = s.Svc.CaseGoalComments(r.Context(), a, ov.Case.ID); err != nil {
		return err
	}
	p.Answered = r.URL.Query().Get("answered") == "1"
	p.Timed = map[string]bool{}
	for _, o := range p.Orders {
		for _, m := range o.FollowUp.Months {
			if m.PlannedMinutes > 0 || m.PerformedMinutes > 0 || m.Visits > 0 || m.Deviations > 0 {
				p.Timed[o.Order.ID] = true
			}
		}
	}
	for _, c := range ov.Insatser {
		p.InsatsNames[c.Code] = c.Label
	}
	current := map[string]bool{}
	for _, f := range ov.CurrentForms {
		current[f] = true
	}
	for _, fv := range ov.Forms {
		fr := server.RenderForm(ov.Case.ID, fv, ov.Workable, v.Lang)
		if current[fv.FormID] {
			p.Forms = append(p.Forms, fr)
		} else {
			p.OtherForms = append(p.OtherForms, fr)
		}
	}
	for i := range ov.Notes {
		n := &ov.Notes[i]
		switch {
		case n.Status == "draft" && n.Author == a.UserID && p.MyDraft == nil:
			p.MyDraft = n
		case n.Status == "signed":
			p.Signed = append(p.Signed, *n)
		}
	}
	// Newest notes first.
	for i, j := 0, len(p.Signed)-1; i < j; i, j = i+1, j-1 {
		p.Signed[i], p.Signed[j] = p.Signed[j], p.Signed[i]
	}
	v.Title = ov.Case.Title
	v.Data = p
	return pages.Render(w, status, "case", *v)
}

// handleTransitionForm takes a transition the case page offers.
func (s *handlers) handleTransitionForm(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	_, err := s.Svc.Transition(r.Context(), a, r.PathValue("id"), service.TransitionInput{Transition: r.PostForm.Get("transition")}, v.Lang)
	if err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderCase(w, r, a, v, status, "", problem)
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

// handleFormSave saves a form's draft as the officer fills it in. From
// htmx (as they type) it answers with the form alone, re-evaluated:
// conditional fields appear, computed values update, messages show next to
// their fields. Without htmx it returns to the case page.
func (s *handlers) handleFormSave(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	caseID, formID := r.PathValue("id"), r.PathValue("form")
	def, err := s.Svc.FormDefinition(r.Context(), a, caseID, formID)
	if err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderCase(w, r, a, v, status, "", problem)
	}
	values := server.FormValues(def, r.PostForm)
	server.WithRowChange(def, values, r.PostForm)
	fv, err := s.Svc.SaveForm(r.Context(), a, caseID, formID, service.FormInput{Values: values}, v.Lang)
	if err != nil && server.IsHTMX(r) && fv.Def != nil && trygg.ErrorCode(err) == trygg.EInvalid {
		// Not saved: the form as typed, each mistake at its field, and
		// the draft as it was. htmx swaps 2xx answers only.
		fr := server.RenderForm(caseID, fv, true, v.Lang)
		fr.FormError = server.MessageIn(v.Lang, trygg.ErrorMessage(err))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return pages["case"].ExecuteTemplate(w, "form", map[string]any{"F": fr, "T": v.T})
	}
	if err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderCase(w, r, a, v, status, "", problem)
	}
	if !server.IsHTMX(r) {
		http.Redirect(w, r, "/cases/"+caseID+"#form-"+formID, http.StatusSeeOther)
		return nil
	}
	fr := server.RenderForm(caseID, fv, true, v.Lang)
	fr.Saved = true
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return pages["case"].ExecuteTemplate(w, "form", map[string]any{"F": fr, "T": v.T})
}

// handleFormSign signs the form's draft.
func (s *handlers) handleFormSign(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	caseID, formID := r.PathValue("id"), r.PathValue("form")
	if _, err := s.Svc.SignForm(r.Context(), a, caseID, formID, v.Lang); err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderCase(w, r, a, v, status, "", problem)
	}
	http.Redirect(w, r, "/cases/"+caseID+"#form-"+formID, http.StatusSeeOther)
	return nil
}

// handleNoteForm starts a journal note, or saves the officer's draft
// (autosave from htmx answers with a short status).
func (s *handlers) handleNoteForm(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	caseID, noteID := r.PathValue("id"), r.PathValue("note")
	in := service.NoteInput{Body: r.PostForm.Get("body")}
	var err error
	var n store.Note
	if noteID == "" {
		n, err = s.Svc.AddNote(r.Context(), a, caseID, in)
	} else {
		n, err = s.Svc.SaveNote(r.Context(), a, caseID, noteID, in)
	}
	if server.IsHTMX(r) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err != nil {
			if _, problem, err := server.Refusal(v, err); err != nil {
				return err
			} else {
				w.WriteHeader(http.StatusOK) // htmx swaps 2xx answers only
				return pages["case"].ExecuteTemplate(w, "note-status", map[string]any{"T": v.T, "Problem": problem})
			}
		}
		return pages["case"].ExecuteTemplate(w, "note-status", map[string]any{"T": v.T, "Note": n})
	}
	if err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderCase(w, r, a, v, status, "", problem)
	}
	http.Redirect(w, r, "/cases/"+caseID+"#journal", http.StatusSeeOther)
	return nil
}

// handleNoteSign signs the officer's note (its text as last saved, with
// the text posted along saved first).
func (s *handlers) handleNoteSign(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	caseID, noteID := r.PathValue("id"), r.PathValue("note")
	if body, ok := r.PostForm["body"]; ok {
		if _, err := s.Svc.SaveNote(r.Context(), a, caseID, noteID, service.NoteInput{Body: strings.Join(body, "")}); err != nil {
			status, problem, err := server.Refusal(v, err)
			if err != nil {
				return err
			}
			return s.renderCase(w, r, a, v, status, "", problem)
		}
	}
	if _, err := s.Svc.SignNote(r.Context(), a, caseID, noteID); err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderCase(w, r, a, v, status, "", problem)
	}
	http.Redirect(w, r, "/cases/"+caseID+"#journal", http.StatusSeeOther)
	return nil
}

// handleCaseMessageAnswer is the officer's answer from the case page; a
// refusal is shown at the top of the case page.
func (s *handlers) handleCaseMessageAnswer(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	caseID := r.PathValue("id")
	if _, err := s.Svc.AnswerMessage(r.Context(), a, caseID, r.PostForm.Get("body")); err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderCase(w, r, a, v, status, "", problem)
	}
	http.Redirect(w, r, "/cases/"+caseID+"?answered=1#messages", http.StatusSeeOther)
	return nil
}

// handleCaseAttachment sends a document sent with a case's application
// to whoever may read the case.
func (s *handlers) handleCaseAttachment(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	at, err := s.Svc.CaseAttachment(r.Context(), a, r.PathValue("id"), r.PathValue("att"))
	if err != nil {
		return err
	}
	server.ServeAttachment(w, at)
	return nil
}
