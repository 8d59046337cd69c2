package portal

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/trygg/trygg/internal/process"
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

// The application is filled in step by step: each section of its form
// that has something to fill in is a step ("Steg 2 av 5"), then the
// attachments, then a summary of every answer with a way back to change
// it, where it is sent. Each step is saved as it is filled in (autosave)
// and when leaving it; "Nästa" stays on a step whose answers have
// mistakes, and shows them.

// Kinds of step.
const (
	stepSection     = "section"
	stepAttachments = "attachments"
	stepSummary     = "summary"
)

// applyStep is one step of the application in the progress list.
type applyStep struct {
	Kind, Section, Label, Href string
	// Answers are what the citizen has answered in a step of the form,
	// in words, for the summary and the receipt.
	Answers []answer
	// Problems are the step's mistakes and missing answers (shown on the
	// summary).
	Problems []stepProblem
}

// answer is a field's answer as the summary and the receipt say it: a
// text, lines of a long text, or a line for each row of a group; Empty
// when nothing is answered.
type answer struct {
	Label string
	Text  string
	Long  bool
	Rows  []string
	Empty bool
}

// display is a field's value in words: a choice's label, not its code.
func display(f server.FieldRender) string {
	if f.Display != "" {
		return f.Display
	}
	for _, o := range f.Options {
		if o.Code == f.Value && f.Value != "" {
			return o.Label
		}
	}
	return f.Value
}

// rowSummary names a row of a group by its answers in words ("Barn,
// 12"), for the legend of its fields: a row summary written in the
// definition may show a choice by its code.
func rowSummary(row server.RowRender) string {
	var parts []string
	for _, f := range row.Fields {
		switch f.Type {
		case process.FieldYesNo, process.FieldLongText, process.FieldMultiChoice:
			continue
		}
		if d := display(f); d != "" {
			parts = append(parts, d)
		}
	}
	return strings.Join(parts, ", ")
}

// answerOf says a field's answer in words.
func answerOf(f server.FieldRender) answer {
	a := answer{Label: f.Label, Long: f.Type == process.FieldLongText}
	switch f.Type {
	case process.FieldGroup, process.FieldAssessment:
		for _, row := range f.Rows {
			var parts []string
			for _, sub := range row.Fields {
				if d := display(sub); d != "" {
					parts = append(parts, sub.Label+": "+d)
				}
			}
			if len(parts) > 0 {
				a.Rows = append(a.Rows, strings.Join(parts, ", "))
			}
		}
		a.Empty = len(a.Rows) == 0
		return a
	case process.FieldMultiChoice:
		var chosen []string
		for _, o := range f.Options {
			if f.Checked[o.Code] {
				chosen = append(chosen, o.Label)
			}
		}
		a.Text = strings.Join(chosen, ", ")
	default:
		a.Text = display(f)
	}
	a.Empty = a.Text == ""
	return a
}

// formSteps are the steps of a rendered form's sections that have
// something to fill in, with their answers and mistakes; calc are its
// computed fields.
func formSteps(fr server.FormRender, caseType string) (steps []applyStep, calc []server.FieldRender) {
	for _, sec := range fr.Sections {
		fields := fillable(sec)
		for _, f := range sec.Fields {
			if f.Computed {
				calc = append(calc, f)
			}
		}
		if len(fields) == 0 {
			continue
		}
		st := applyStep{Kind: stepSection, Section: sec.ID, Label: sec.Label, Href: sectionHref(caseType, sec.ID)}
		for _, f := range fields {
			st.Answers = append(st.Answers, answerOf(f))
			if f.Error != "" {
				st.Problems = append(st.Problems, stepProblem{Label: f.Label, Message: f.Error, Anchor: fieldAnchor(f)})
			}
		}
		steps = append(steps, st)
	}
	return steps, calc
}

// stepProblem is a mistake at a field: its label, the message and where
// the field is on its step's page.
type stepProblem struct {
	Label, Message, Anchor string
}

// applicationPage is the data of a step of the application.
type applicationPage struct {
	service.ApplicationView
	// Form is the whole form as rendered; Steps every step, At the one
	// shown, Section its section (for a step of the form).
	Form    server.FormRender
	Steps   []applyStep
	At      int
	Section *server.SectionRender
	// Action is where the step's form posts; Check shows every mistake
	// of the step (after "Nästa"), Errors lists them at the top, and
	// FocusErrors moves the focus there (just after "Nästa").
	Action      string
	Check       bool
	Errors      []stepProblem
	FocusErrors bool
	// Calc are the computed values (a preliminary calculation) for the
	// summary, CalcLines a calculation written line by line; CalcReady
	// says every step is answered without mistakes, so the calculation
	// means something.
	Calc       []server.FieldRender
	CalcLines  []calcLine
	CalcReady  bool
	CalcErrors []string
	// FileError is shown next to the file input; Problem at the top.
	FileError, Problem string
	MaxMB              int64
	Attached           bool
}

// Step is the step shown.
func (p applicationPage) Step() applyStep { return p.Steps[p.At] }

// Prev and Next are the steps before and after the one shown ("" at the
// ends).
func (p applicationPage) Prev() string {
	if p.At > 0 {
		return p.Steps[p.At-1].Href
	}
	return ""
}

func (p applicationPage) Next() string {
	if p.At+1 < len(p.Steps) {
		return p.Steps[p.At+1].Href
	}
	return ""
}

// applyPath is the application's address, sub a part of it.
func applyPath(caseType, sub string) string {
	if sub == "" {
		return "/portal/apply/" + caseType
	}
	return "/portal/apply/" + caseType + "/" + sub
}

// sectionHref is the address of a section's step.
func sectionHref(caseType, section string) string {
	return applyPath(caseType, "") + "?step=" + url.QueryEscape(section)
}

// hasAnswer reports whether the citizen has given the field a value.
func hasAnswer(f server.FieldRender) bool {
	switch f.Type {
	case process.FieldGroup, process.FieldAssessment:
		return len(f.Rows) > 0
	case process.FieldMultiChoice, process.FieldYesNo:
		return len(f.Checked) > 0
	}
	return f.Value != ""
}

// fieldAnchor is the element a field's mistake links to: its input, or
// the message of a field of several inputs.
func fieldAnchor(f server.FieldRender) string {
	switch f.Type {
	case process.FieldGroup, process.FieldAssessment, process.FieldMultiChoice, process.FieldYesNo:
		return f.ID + "-error"
	}
	return f.ID
}

// fillable are the fields of a section the citizen fills in.
func fillable(sec server.SectionRender) []server.FieldRender {
	var out []server.FieldRender
	for _, f := range sec.Fields {
		if !f.Computed {
			out = append(out, f)
		}
	}
	return out
}

// buildSteps works out the steps of the application from its rendered
// form: a step for each section with something to fill in, the
// attachments, the summary. Every mistake is kept in Problems; the
// fields show only those of answers given, unless check (the step was
// left with "Nästa", or it is sent).
func buildSteps(ap *applicationPage, caseType string, v *server.View) {
	ap.Steps, ap.Calc = formSteps(ap.Form, caseType)
	ap.CalcLines, ap.CalcErrors = nil, nil
	for _, f := range ap.Calc {
		switch {
		case f.Error != "":
			if !slices.Contains(ap.CalcErrors, f.Error) {
				ap.CalcErrors = append(ap.CalcErrors, f.Error)
			}
		case f.Type == process.FieldLongText:
			ap.CalcLines = append(ap.CalcLines, calcLines(f.Display)...)
		}
	}
	ap.CalcReady = ap.Form.Status != ""
	for _, st := range ap.Steps {
		if len(st.Problems) > 0 {
			ap.CalcReady = false
		}
	}
	ap.Steps = append(ap.Steps,
		applyStep{Kind: stepAttachments, Label: v.T("apply.step.attachments"), Href: applyPath(caseType, "attachments")},
		applyStep{Kind: stepSummary, Label: v.T("apply.step.summary"), Href: applyPath(caseType, "summary")})
}

// showStep sets the step at index at as the one shown, with its
// section's fields showing the mistakes they should.
func showStep(ap *applicationPage, at int) {
	ap.At = at
	st := ap.Steps[at]
	ap.Section, ap.Errors = nil, nil
	if st.Kind != stepSection {
		return
	}
	for i := range ap.Form.Sections {
		if ap.Form.Sections[i].ID == st.Section {
			ap.Section = &ap.Form.Sections[i]
		}
	}
	for i := range ap.Section.Fields {
		f := &ap.Section.Fields[i]
		if !ap.Check && !hasAnswer(*f) {
			f.Error = "" // not answered yet: nothing to say until she moves on
		}
		for j := range f.Rows {
			f.Rows[j].Summary = rowSummary(f.Rows[j])
		}
	}
	if ap.Check {
		ap.Errors = st.Problems
	}
}

// stepIndex finds a step by kind and section; ok is false if there is
// none.
func stepIndex(steps []applyStep, kind, section string) (int, bool) {
	for i, st := range steps {
		if st.Kind == kind && (kind != stepSection || section == "" || st.Section == section) {
			return i, true
		}
	}
	return 0, false
}

// applicationForm renders the application's form for the page.
func applicationForm(av service.ApplicationView, caseType string, v *server.View) server.FormRender {
	fr := server.RenderForm("", av.Form, true, v.Lang)
	fr.Action = applyPath(caseType, "")
	return fr
}

// renderApplication shows a step of the application with status; kind
// and section name the step (an unknown section: the first step).
func (s *handlers) renderApplication(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View, status int, ap applicationPage, kind, section string) error {
	ct := r.PathValue("caseType")
	if ap.Form.FormID == "" {
		av, err := s.Svc.ApplicationForm(r.Context(), a, p.For.PersonID, ct, v.Lang)
		if err != nil {
			return err
		}
		ap.ApplicationView, ap.Form = av, applicationForm(av, ct, v)
	}
	ap.MaxMB = ap.MaxBytes >> 20
	ap.Action = ap.Form.Action
	buildSteps(&ap, ct, v)
	at, ok := stepIndex(ap.Steps, kind, section)
	if !ok {
		at = 0
	}
	showStep(&ap, at)
	v.Title, v.Data = ap.Step().Label+" – "+ap.Title, ap
	return pages.Render(w, status, "portal_application", *v)
}

// handlePortalApplication shows a step of the application form (?step=
// names its section; the first by default), with the saved draft.
func (s *handlers) handlePortalApplication(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	return s.renderApplication(w, r, a, p, v, http.StatusOK, applicationPage{Check: r.URL.Query().Get("check") == "1"},
		stepSection, r.URL.Query().Get("step"))
}

// handlePortalApplicationAttachments shows the step of the attachments.
func (s *handlers) handlePortalApplicationAttachments(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	return s.renderApplication(w, r, a, p, v, http.StatusOK, applicationPage{Attached: r.URL.Query().Get("attached") == "1"}, stepAttachments, "")
}

// handlePortalApplicationSummary shows every answer, the preliminary
// calculation and the attachments, with the way to change each step and
// to send the application.
func (s *handlers) handlePortalApplicationSummary(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	return s.renderApplication(w, r, a, p, v, http.StatusOK, applicationPage{Check: true}, stepSummary, "")
}

// handlePortalApplicationSave saves a step of the application as the
// citizen fills it in (step= names its section; the answers of the other
// steps stay as saved); from htmx it answers with the step's form alone,
// re-evaluated, as the officers' forms do. With go=next it then moves to
// the next step, unless the step has mistakes, which it shows; with
// go=back to the step before. A post of the whole form (no step) saves
// it all, and with send=1 sends it: on success to the receipt, otherwise
// back to the form with each mistake next to its field and nothing
// created.
func (s *handlers) handlePortalApplicationSave(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	ct := r.PathValue("caseType")
	section := r.PostForm.Get("step")
	send := section == "" && r.PostForm.Get("send") == "1"
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
	var av service.ApplicationView
	if section != "" {
		av, err = s.Svc.SaveApplicationSection(r.Context(), a, p.For.PersonID, ct, section, service.FormInput{Values: values}, v.Lang)
	} else {
		av, err = s.Svc.SaveApplicationDraft(r.Context(), a, p.For.PersonID, ct, service.FormInput{Values: values}, v.Lang)
	}
	refused := err != nil && av.Form.Def != nil && trygg.ErrorCode(err) == trygg.EInvalid
	if err != nil && !refused {
		return err
	}
	ap := applicationPage{ApplicationView: av, Form: applicationForm(av, ct, v), Check: r.PostForm.Get("check") == "1"}
	status := http.StatusOK
	switch {
	case refused:
		// Neither saved nor sent: the form as typed, each mistake at its
		// field, and the draft as it was.
		ap.Form.FormError = server.MessageIn(v.Lang, trygg.ErrorMessage(err))
		status = server.StatusOf(trygg.EInvalid)
	case send:
		return s.submitApplication(w, r, a, p, v, ap)
	case section != "":
		ap.Form.Saved = true
		to := ""
		switch r.PostForm.Get("go") {
		case "back":
			buildSteps(&ap, ct, v)
			if at, ok := stepIndex(ap.Steps, stepSection, section); ok {
				showStep(&ap, at)
				to = ap.Prev()
			}
			if to == "" {
				to = "/portal/apply"
			}
		case "next":
			ap.Check = true
			buildSteps(&ap, ct, v)
			if at, ok := stepIndex(ap.Steps, stepSection, section); ok && len(ap.Steps[at].Problems) == 0 {
				showStep(&ap, at)
				to = ap.Next()
			} else if !ok {
				to = applyPath(ct, "summary")
			} else {
				status, ap.FocusErrors = http.StatusUnprocessableEntity, true
			}
		}
		if to != "" {
			return redirect(w, r, to)
		}
	default:
		ap.Form.Saved = true
	}
	if server.IsHTMX(r) && section != "" {
		// htmx swaps 2xx answers only: the mistakes come as a 200
		// fragment.
		buildSteps(&ap, ct, v)
		if at, ok := stepIndex(ap.Steps, stepSection, section); ok {
			showStep(&ap, at)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return pages["portal_application"].ExecuteTemplate(w, "stepform", map[string]any{"P": ap, "T": v.T, "Tn": v.Tn})
	}
	if server.IsHTMX(r) {
		// The whole form posted by htmx (an older page): its fragment.
		return wholeForm(w, ap, v)
	}
	if status == http.StatusOK {
		to := applyPath(ct, "")
		if section != "" {
			to = sectionHref(ct, section)
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	}
	if section == "" {
		// The whole form, refused: the first step with a mistake.
		ap.Check = true
		buildSteps(&ap, ct, v)
		for _, st := range ap.Steps {
			if st.Kind == stepSection && len(st.Problems) > 0 {
				section = st.Section
				break
			}
		}
	}
	return s.renderApplication(w, r, a, p, v, status, ap, stepSection, section)
}

// wholeForm answers a post of the whole form by htmx (from a page of an
// older version) with the form re-evaluated, in one piece.
func wholeForm(w http.ResponseWriter, ap applicationPage, v *server.View) error {
	ap.Form.SubmitLabel = v.T("apply.send")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return pages["portal_application"].ExecuteTemplate(w, "form", map[string]any{"F": ap.Form, "T": v.T})
}

// redirect sends the browser to another page: for htmx, by HX-Redirect.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	if server.IsHTMX(r) {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusOK)
		return nil
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// handlePortalApplicationSubmit sends the draft as it is saved: on
// success to the receipt, otherwise back to the summary with what is
// missing and nothing created.
func (s *handlers) handlePortalApplicationSubmit(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	if err := s.LimitCitizen(w, r, a); err != nil {
		return err
	}
	return s.submitApplication(w, r, a, p, v, applicationPage{})
}

// submitApplication sends the application; a refusal shows the summary
// with every mistake (ap holds the form as just saved, if it was).
func (s *handlers) submitApplication(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View, ap applicationPage) error {
	ct := r.PathValue("caseType")
	rc, err := s.Svc.SubmitApplication(r.Context(), a, p.For.PersonID, ct, v.Lang)
	if err == nil {
		return redirect(w, r, "/portal/applications/"+rc.Case.ID)
	}
	code := trygg.ErrorCode(err)
	if code != trygg.EInvalid && code != trygg.EConflict {
		return err
	}
	problem := server.ProblemText(v.Lang, err)
	if code == trygg.EInvalid {
		problem = server.MessageIn(v.Lang, trygg.ErrorMessage(err))
	}
	if server.IsHTMX(r) && ap.Form.FormID != "" {
		ap.Form.FormError = problem
		return wholeForm(w, ap, v)
	}
	ap.Problem, ap.Check = problem, true
	return s.renderApplication(w, r, a, p, v, server.StatusOf(code), ap, stepSummary, "")
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
		return s.renderApplication(w, r, a, p, v, http.StatusUnprocessableEntity, applicationPage{FileError: server.MessageIn(v.Lang, msg)},
			stepAttachments, "")
	}
	http.Redirect(w, r, applyPath(ct, "attachments")+"?attached=1", http.StatusSeeOther)
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
	http.Redirect(w, r, applyPath(r.PathValue("caseType"), "attachments"), http.StatusSeeOther)
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

// receiptPage is the receipt's data: the answers sent, step by step.
type receiptPage struct {
	service.Receipt
	Steps []applyStep
}

// handlePortalReceipt shows the receipt of an application sent online:
// what was sent, when, the case's reference and what happens next.
func (s *handlers) handlePortalReceipt(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	rc, err := s.Svc.ApplicationReceipt(r.Context(), a, p.For.PersonID, r.PathValue("id"), v.Lang)
	if err != nil {
		return err
	}
	rp := receiptPage{Receipt: rc}
	if !rc.FormWithheld {
		rp.Steps, _ = formSteps(server.RenderForm(rc.Case.ID, rc.Form, false, v.Lang), rc.Case.CaseType)
	}
	v.Title, v.Data = v.T("receipt.title"), rp
	return pages.Render(w, http.StatusOK, "portal_receipt", *v)
}
