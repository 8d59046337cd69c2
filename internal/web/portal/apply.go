package portal

import (
	"errors"
	"io"
	"net/http"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Applying online on Mina sidor (see service/citizen_apply.go): the list
// of what the person acted for may apply for, the application form —
// rendered from the same definitions, with the same partial and htmx
// re-evaluation as the officers' forms — with its attachments, and the
// receipt. Attachments are served back only through routes that check
// who may read them, as downloads of the type their content has.

// applyListPage is /portal/apply's data.
type applyListPage struct {
	Apps []service.Application
}

// handlePortalApplyList lists what the person acted for may apply for,
// and the drafts being written.
func (s *handlers) handlePortalApplyList(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	apps, err := s.Svc.Applications(r.Context(), a, p.For.PersonID, v.Lang)
	if err != nil {
		return err
	}
	v.Title, v.Data = v.T("apply.title"), applyListPage{Apps: apps}
	return pages.Render(w, http.StatusOK, "portal_apply", *v)
}

// applicationPage is /portal/apply/{caseType}'s data.
type applicationPage struct {
	service.ApplicationView
	Form server.FormRender
	// FileError is shown next to the file input; Problem at the top.
	FileError, Problem string
	MaxMB              int64
}

// applicationForm renders the application's form for the page.
func applicationForm(av service.ApplicationView, caseType string, v *server.View) server.FormRender {
	fr := server.RenderForm("", av.Form, true, v.Lang)
	fr.Action, fr.SubmitLabel = "/portal/apply/"+caseType, v.T("apply.send")
	return fr
}

// renderApplication shows the application page with status.
func (s *handlers) renderApplication(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View, status int, ap applicationPage) error {
	ct := r.PathValue("caseType")
	if ap.Form.FormID == "" {
		av, err := s.Svc.ApplicationForm(r.Context(), a, p.For.PersonID, ct, v.Lang)
		if err != nil {
			return err
		}
		ap.ApplicationView, ap.Form = av, applicationForm(av, ct, v)
	}
	ap.MaxMB = ap.MaxBytes >> 20
	v.Title, v.Data = ap.Title, ap
	return pages.Render(w, status, "portal_application", *v)
}

// handlePortalApplication shows the application form, with the saved
// draft and its attachments.
func (s *handlers) handlePortalApplication(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	return s.renderApplication(w, r, a, p, v, http.StatusOK, applicationPage{})
}

// handlePortalApplicationSave saves the application's draft as the
// citizen fills it in; from htmx it answers with the form alone,
// re-evaluated, as the officers' forms do. With send=1 it then sends the
// application: on success to the receipt, otherwise back to the form with
// each mistake next to its field and nothing created.
func (s *handlers) handlePortalApplicationSave(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	ct := r.PathValue("caseType")
	send := r.PostForm.Get("send") == "1"
	if send {
		if err := s.LimitCitizen(w, r, a); err != nil {
			return err
		}
	}
	def, err := s.Svc.ApplicationDefinition(r.Context(), a, p.For.PersonID, ct)
	if err != nil {
		return err
	}
	values := server.FormValues(def, r.PostForm)
	server.WithRowChange(def, values, r.PostForm)
	av, err := s.Svc.SaveApplicationDraft(r.Context(), a, p.For.PersonID, ct, service.FormInput{Values: values}, v.Lang)
	refused := err != nil && av.Form.Def != nil && trygg.ErrorCode(err) == trygg.EInvalid
	if err != nil && !refused {
		return err
	}
	fr := applicationForm(av, ct, v)
	status := http.StatusOK
	if refused {
		// Neither saved nor sent: the form as typed, each mistake at its
		// field, and the draft as it was.
		fr.FormError = server.MessageIn(v.Lang, trygg.ErrorMessage(err))
		status = server.StatusOf(trygg.EInvalid)
	} else if send {
		rc, err := s.Svc.SubmitApplication(r.Context(), a, p.For.PersonID, ct, v.Lang)
		if err == nil {
			to := "/portal/applications/" + rc.Case.ID
			if server.IsHTMX(r) {
				w.Header().Set("HX-Redirect", to)
				w.WriteHeader(http.StatusOK)
				return nil
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return nil
		}
		code := trygg.ErrorCode(err)
		if code != trygg.EInvalid && code != trygg.EConflict {
			return err
		}
		fr.FormError = server.ProblemText(v.Lang, err)
		if code == trygg.EInvalid {
			fr.FormError = server.MessageIn(v.Lang, trygg.ErrorMessage(err))
		}
		status = server.StatusOf(code)
	} else {
		fr.Saved = true
	}
	if server.IsHTMX(r) {
		// htmx swaps 2xx answers only: the mistakes come as a 200
		// fragment.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return pages["portal_application"].ExecuteTemplate(w, "form", map[string]any{"F": fr, "T": v.T})
	}
	if !send && !refused {
		http.Redirect(w, r, "/portal/apply/"+ct+"#form-"+fr.FormID, http.StatusSeeOther)
		return nil
	}
	return s.renderApplication(w, r, a, p, v, status, applicationPage{ApplicationView: av, Form: fr})
}

// handlePortalDraftDelete throws the draft away, with its attachments.
func (s *handlers) handlePortalDraftDelete(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	if err := s.Svc.DeleteApplicationDraft(r.Context(), a, p.For.PersonID, r.PathValue("caseType")); err != nil {
		return err
	}
	http.Redirect(w, r, "/portal/apply", http.StatusSeeOther)
	return nil
}

// uploadOverhead is what a multipart body may hold besides the file.
const uploadOverhead = 64 << 10

// handlePortalAttachmentAdd attaches an uploaded document to the
// application's draft. The body is read up to the size limit and no
// further; what the document is, is decided from its content.
func (s *handlers) handlePortalAttachmentAdd(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	if err := s.LimitCitizen(w, r, a); err != nil {
		return err
	}
	ct := r.PathValue("caseType")
	max := s.Svc.AttachmentMaxBytes
	in, err := readUpload(w, r, max)
	if err == nil {
		_, err = s.Svc.AddAttachment(r.Context(), a, p.For.PersonID, ct, in, v.Lang)
	}
	if err != nil {
		if trygg.ErrorCode(err) != trygg.EInvalid {
			return err
		}
		var te *trygg.Error
		msg := trygg.ErrorMessage(err)
		if errors.As(err, &te) && te.Fields["file"] != "" {
			msg = te.Fields["file"]
		}
		return s.renderApplication(w, r, a, p, v, http.StatusUnprocessableEntity, applicationPage{FileError: server.MessageIn(v.Lang, msg)})
	}
	http.Redirect(w, r, "/portal/apply/"+ct+"?attached=1#attachments", http.StatusSeeOther)
	return nil
}

// readUpload reads the "file" part of a multipart form, keeping at most
// max bytes: a longer file, or a body over the limit, comes back Cut (too
// large) without the rest being read.
func readUpload(w http.ResponseWriter, r *http.Request, max int64) (service.AttachmentInput, error) {
	none := trygg.Invalid("Choose a file to attach.", map[string]string{"file": "Choose a file to attach."})
	r.Body = http.MaxBytesReader(w, r.Body, max+uploadOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return service.AttachmentInput{}, none
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return service.AttachmentInput{}, none
		}
		if err != nil {
			// Over the body's limit, or a broken upload: either way the
			// file did not come whole.
			return service.AttachmentInput{Cut: true}, nil
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, max+1))
		if err != nil || int64(len(b)) > max {
			return service.AttachmentInput{Name: part.FileName(), Cut: true}, nil
		}
		return service.AttachmentInput{Name: part.FileName(), Content: b}, nil
	}
}

// handlePortalAttachmentRemove takes a document off the draft.
func (s *handlers) handlePortalAttachmentRemove(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	if err := s.Svc.RemoveAttachment(r.Context(), a, p.For.PersonID, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/portal/apply/"+r.PathValue("caseType")+"#attachments", http.StatusSeeOther)
	return nil
}

// handlePortalAttachment sends the citizen a document of theirs.
func (s *handlers) handlePortalAttachment(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	at, err := s.Svc.CitizenAttachment(r.Context(), a, p.For.PersonID, r.PathValue("id"))
	if err != nil {
		return err
	}
	server.ServeAttachment(w, at)
	return nil
}

// receiptPage is the receipt's data.
type receiptPage struct {
	service.Receipt
	Form server.FormRender
	Just bool
}

// handlePortalReceipt shows the receipt of an application sent online:
// what was sent, when, the case's reference and what happens next.
func (s *handlers) handlePortalReceipt(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	rc, err := s.Svc.ApplicationReceipt(r.Context(), a, p.For.PersonID, r.PathValue("id"), v.Lang)
	if err != nil {
		return err
	}
	rp := receiptPage{Receipt: rc, Form: server.RenderForm(rc.Case.ID, rc.Form, false, v.Lang)}
	v.Title, v.Data = v.T("receipt.title"), rp
	return pages.Render(w, http.StatusOK, "portal_receipt", *v)
}
