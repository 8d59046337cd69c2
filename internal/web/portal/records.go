package portal

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"net/http"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// My records (registerutdrag): /portal/records lets the citizen ask for
// the personal data held about themselves or a person they act for; the
// extract is one self-contained HTML document (its style inline, print
// CSS included, no script), to read in the browser, print or save as PDF
// from the browser's print dialogue, or download. See
// service.RecordsExtract for what it holds and what is withheld.

//go:embed records/extract.html
var extractHTML string

//go:embed records/extract.css
var extractCSS string

// extractTemplate is the extract document; its inline style is allowed by
// the hash in extractCSP, so no 'unsafe-inline' is needed.
var extractTemplate = template.Must(template.New("extract").Funcs(server.TemplateFuncs()).Funcs(template.FuncMap{
	"css": func() template.CSS { return template.CSS(extractCSS) },
}).Parse(extractHTML))

// extractCSP is the Content-Security-Policy of the extract: nothing but
// its own inline style.
var extractCSP = func() string {
	sum := sha256.Sum256([]byte(extractCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
}()

// recordsPage is the records page's data.
type recordsPage struct {
	Subjects []service.Subject
	For      string
}

// handlePortalRecords explains the extract and offers it for each person
// the citizen may act for, the one acted for now first.
func (s *handlers) handlePortalRecords(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	subjects := []service.Subject{p.For}
	for _, sub := range p.Subjects {
		if sub.PersonID != p.For.PersonID {
			subjects = append(subjects, sub)
		}
	}
	v.Title, v.Data = v.T("records.title"), recordsPage{Subjects: subjects, For: p.For.PersonID}
	return pages.Render(w, http.StatusOK, "portal_records", *v)
}

// extractView is the extract document's data.
type extractView struct {
	service.Extract
	Lang string
	T    func(string) string
}

// handlePortalExtract produces the extract for the person posted (one the
// citizen may act for; anyone else is not found), shown in the browser or,
// with as=download, as a file to save.
func (s *handlers) handlePortalExtract(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	personID := r.PostFormValue("person_id")
	if personID == "" {
		personID = p.For.PersonID
	}
	if _, err := service.SubjectOf(p.Subjects, personID); err != nil {
		return err
	}
	x, err := s.Svc.RecordsExtract(r.Context(), a, personID, v.Lang)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := extractTemplate.Execute(&buf, extractView{Extract: x, Lang: v.Lang, T: v.T}); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", extractCSP)
	if r.PostFormValue("as") == "download" {
		// The file name holds no personal data: the date only.
		h.Set("Content-Disposition", `attachment; filename="registerutdrag-`+calendar.Today(x.ProducedAt)+`.html"`)
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}
