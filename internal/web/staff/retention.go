package staff

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// retentionPageSize is how many cases a page of a preview lists.
const retentionPageSize = 50

// retentionPage is /retention: making a preview, and the protocol
// (gallringsprotokoll), every preview and run, newest first.
type retentionPage struct {
	Protocol []store.RetentionPreview
	Names    map[string]string
	// NoKey says a run will not prune the access log (no retention key).
	NoKey   bool
	Problem string
}

// handleRetentionPage shows the archivist's retention page.
func (s *handlers) handleRetentionPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderRetention(w, r, a, v, http.StatusOK, "")
}

func (s *handlers) renderRetention(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, problem string) error {
	list, err := s.Svc.RetentionProtocol(r.Context(), a)
	if err != nil {
		return err
	}
	names, err := s.Svc.RetentionNames(r.Context(), a, list)
	if err != nil {
		return err
	}
	v.Title = v.T("retention.title")
	v.Data = retentionPage{Protocol: list, Names: names, NoKey: !s.Svc.RetentionKeySet(), Problem: problem}
	return pages.Render(w, status, "retention", *v)
}

// handleRetentionPreviewCreate makes a preview of what a run would do
// today and shows it; nothing due is said on the retention page.
func (s *handlers) handleRetentionPreviewCreate(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	rep, err := s.Svc.RetentionPreview(r.Context(), a)
	if err != nil {
		if trygg.ErrorCode(err) == trygg.EForbidden {
			return err
		}
		status, prob, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderRetention(w, r, a, v, status, prob)
	}
	http.Redirect(w, r, "/retention/previews/"+url.PathEscape(rep.ID), http.StatusSeeOther)
	return nil
}

// retentionPreviewPage is one preview: its counts per rule, its cases a
// page at a time, and the step it is at (approve, run, done) — once run,
// its part of the protocol.
type retentionPreviewPage struct {
	Report service.RetentionReport
	ByRule []service.RetentionRuleCount
	Names  map[string]string
	Items  []store.RetentionItem
	// Page is the page of cases shown (from 1), Pages how many there are.
	Page, Pages int
	From, To    int
	NoKey       bool
	Problem     string
	// Done says the step just taken ("approved", "run").
	Done string
}

// handleRetentionPreviewPage shows a preview (?page= pages its cases).
func (s *handlers) handleRetentionPreviewPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderRetentionPreview(w, r, a, v, http.StatusOK, "")
}

func (s *handlers) renderRetentionPreview(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, problem string) error {
	rep, err := s.Svc.RetentionPreviewByID(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	names, err := s.Svc.RetentionNames(r.Context(), a, []store.RetentionPreview{rep.RetentionPreview})
	if err != nil {
		return err
	}
	p := retentionPreviewPage{Report: rep, ByRule: rep.ByRule(), Names: names, NoKey: !s.Svc.RetentionKeySet(), Problem: problem}
	switch r.URL.Query().Get("done") {
	case "approved", "run":
		if problem == "" {
			p.Done = r.URL.Query().Get("done")
		}
	}
	p.Pages = max(1, (len(rep.Items)+retentionPageSize-1)/retentionPageSize)
	p.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	p.Page = min(max(p.Page, 1), p.Pages)
	start := (p.Page - 1) * retentionPageSize
	end := min(start+retentionPageSize, len(rep.Items))
	p.Items, p.From, p.To = rep.Items[start:end], start+1, end
	v.Title = v.T("retention.preview.title")
	v.Data = p
	return pages.Render(w, status, "retention_preview", *v)
}

// handleRetentionApprove approves a preview (the second step before a
// run); a refusal is shown on the preview.
func (s *handlers) handleRetentionApprove(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	id := r.PathValue("id")
	if err := s.Svc.RetentionApprove(r.Context(), a, id); err != nil {
		return s.retentionRefused(w, r, a, v, err)
	}
	http.Redirect(w, r, "/retention/previews/"+url.PathEscape(id)+"?done=approved", http.StatusSeeOther)
	return nil
}

// handleRetentionRun runs an approved preview and shows its result; a
// refusal (not approved, already run, changed since the preview) is
// shown on the preview with nothing changed.
func (s *handlers) handleRetentionRun(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	id := r.PathValue("id")
	if _, err := s.Svc.RetentionRun(r.Context(), a, id); err != nil {
		return s.retentionRefused(w, r, a, v, err)
	}
	http.Redirect(w, r, "/retention/previews/"+url.PathEscape(id)+"?done=run", http.StatusSeeOther)
	return nil
}

// retentionRefused shows a refused approval or run on its preview; one
// who is no archivist, or a preview that does not exist, gets the error
// page as for any record they may not see.
func (s *handlers) retentionRefused(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, err error) error {
	if code := trygg.ErrorCode(err); code == trygg.EForbidden || code == trygg.ENotFound {
		return err
	}
	status, prob, err := server.Refusal(v, err)
	if err != nil {
		return err
	}
	return s.renderRetentionPreview(w, r, a, v, status, prob)
}
