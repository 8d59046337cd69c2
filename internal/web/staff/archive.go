package staff

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/trygg/trygg/internal/archive"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// defaultArchiveYears is the age the page previews first.
const defaultArchiveYears = "10"

// archivePage is "Leverans till arkivet": the archivist chooses how old
// the closed cases are and whether a package holds a personakt or a case,
// sees what a delivery would hold, and delivers.
type archivePage struct {
	// Years is the age as typed; PerCase the package choice.
	Years   string
	PerCase bool
	// Preview is what a delivery would hold now; nil when the age was
	// refused.
	Preview *service.ArchivePreview
	// Problem is the error summary, YearsError the age field's error.
	Problem, YearsError string
}

// archiveChoice reads the age and the package choice from a query or a
// posted form; an age that is not a whole number is 0, which the service
// refuses at its field.
func archiveChoice(get func(string) string) (archivePage, int) {
	p := archivePage{Years: strings.TrimSpace(get("older_than_years")), PerCase: get("split") == "case"}
	n, err := strconv.Atoi(strings.TrimSuffix(p.Years, "y"))
	if err != nil {
		n = 0
	}
	return p, n
}

// handleArchivePage previews a delivery: the closed cases older than the
// age chosen (10 years at first) that no delivery holds yet, and their
// persons. It writes nothing. Only an archivist may.
func (s *handlers) handleArchivePage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	q := r.URL.Query()
	if !q.Has("older_than_years") {
		q.Set("older_than_years", defaultArchiveYears)
	}
	p, years := archiveChoice(q.Get)
	v.Title = v.T("archive.title")
	pre, err := s.Svc.ArchivePreview(r.Context(), a, years)
	if err != nil {
		return s.renderArchiveProblem(w, v, p, err)
	}
	p.Preview = &pre
	v.Data = p
	return pages.Render(w, http.StatusOK, "archive", *v)
}

// handleArchiveDelivery delivers what the preview showed: the packages
// are made, the cases marked archived, and the delivery streams back as
// one zip, named by the delivery's id (no personal data). The zip is the
// only copy: the server keeps none. A refused age or nothing left to
// deliver shows the page again with the problem at the age field, nothing
// changed.
func (s *handlers) handleArchiveDelivery(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	p, years := archiveChoice(r.PostFormValue)
	v.Title = v.T("archive.title")
	d, err := s.Svc.ArchiveDelivery(r.Context(), a, service.ArchiveDeliveryIn{OlderThanYears: years, PerCase: p.PerCase})
	if err != nil {
		return s.renderArchiveProblem(w, v, p, err)
	}
	var buf bytes.Buffer
	if err := archive.WriteZip(&buf, d.Created, d.Packages...); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeRegisterFileName(d.ID)+`.zip"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// renderArchiveProblem shows the page with a refused age or nothing to
// deliver at the age field; a non-archivist gets the error page.
func (s *handlers) renderArchiveProblem(w http.ResponseWriter, v *server.View, p archivePage, err error) error {
	status, prob, err := server.ProblemOf(v.Lang, err)
	if err != nil {
		return err
	}
	if status == http.StatusForbidden {
		return trygg.Errorf(trygg.EForbidden, "Only an archivist can deliver to the archive.")
	}
	p.Problem, p.YearsError = prob.Message, prob.Message
	v.Data = p
	return pages.Render(w, status, "archive", *v)
}

// Archived is the case's latest delivery to the archive, nil when none
// holds it: the case page's header says "Arkiverad" with its day.
func (p casePage) Archived() *store.Archiving {
	if len(p.Archivings) == 0 {
		return nil
	}
	return &p.Archivings[len(p.Archivings)-1]
}
