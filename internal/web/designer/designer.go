package designer

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// The process designer's pages (verksamhetsutvecklare): the published
// versions and their case types, the working draft with live validation,
// a diagram of a case type and the changes between two versions.

// maxShownProblems bounds the problems listed at once; the rest are
// counted.
const maxShownProblems = 100

// maxNoteLength is the longest publication note the service takes.
const maxNoteLength = 1000

// requireDesigner refuses (forbidden) anyone who is not a process
// designer. The draft's service methods check this themselves; the
// published versions may be read by any staff member through the API, but
// these pages are the designer's tool.
func requireDesigner(a trygg.Actor) error {
	if !a.HasRole(trygg.RoleProcessDesigner) {
		return trygg.Errorf(trygg.EForbidden, "Only process designers (verksamhetsutvecklare) may use the process pages.")
	}
	return nil
}

// designerHomeData is the start page: versions, the newest version's case
// types and a form to compare two versions.
type designerHomeData struct {
	Versions  []designerVersion
	Latest    int64
	CaseTypes []designerCaseType
	Published int64 // the version just published, to say so
}

type designerVersion struct {
	store.DefinitionVersion
	Author   string // "" when it is not known here
	Previous int64  // the version before, 0 for the first
}

type designerCaseType struct {
	ID, Name           string
	Steps, Transitions int
}

// handleDesignerHome lists the published versions and the case types of
// the newest.
func (s *handlers) handleDesignerHome(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := requireDesigner(a); err != nil {
		return err
	}
	versions, err := s.Svc.DefinitionVersions(r.Context(), a)
	if err != nil {
		return err
	}
	d := designerHomeData{}
	for i, dv := range versions {
		dvw := designerVersion{DefinitionVersion: dv}
		if dv.PublishedBy == a.UserID {
			dvw.Author = a.DisplayName
		}
		if i+1 < len(versions) {
			dvw.Previous = versions[i+1].Version
		}
		d.Versions = append(d.Versions, dvw)
	}
	if len(versions) > 0 {
		d.Latest = versions[0].Version
		b, err := s.loadVersion(r, a, d.Latest)
		if err != nil {
			return err
		}
		for _, ct := range b.CaseTypes {
			d.CaseTypes = append(d.CaseTypes, designerCaseType{ID: ct.ID.Value, Name: ct.Name.In(v.Lang),
				Steps: len(ct.Steps), Transitions: len(ct.Transitions)})
		}
		slices.SortStableFunc(d.CaseTypes, func(x, y designerCaseType) int { return cmp.Compare(x.Name, y.Name) })
	}
	if p, err := strconv.ParseInt(r.URL.Query().Get("published"), 10, 64); err == nil && p > 0 &&
		slices.ContainsFunc(versions, func(dv store.DefinitionVersion) bool { return dv.Version == p }) {
		d.Published = p
	}
	v.Title = v.T("designer.title")
	v.Data = d
	return pages.Render(w, http.StatusOK, "designer", *v)
}

// loadVersion reads a published version's definitions. They were valid
// when published, so a problem reading them now is the server's.
func (s *handlers) loadVersion(r *http.Request, a trygg.Actor, version int64) (*process.Bundle, error) {
	files, err := s.Svc.DefinitionFiles(r.Context(), a, version)
	if err != nil {
		return nil, err
	}
	pf := make([]process.File, len(files))
	for i, f := range files {
		pf[i] = process.File{Name: f.Name, Data: []byte(f.Content)}
	}
	b, probs := process.Load(pf)
	if len(probs) > 0 {
		return nil, fmt.Errorf("web: published definition version %d does not load: %w", version, probs)
	}
	return b, nil
}

// designerDraftData is the draft editor: the draft's files, one of them
// in the editor, and the whole draft's problems.
type designerDraftData struct {
	Files []designerFileLink
	// File is the file in the editor; its Name is "" when the draft has
	// no files.
	File       designerFile
	NewName    string
	NewContent string
	Note       string
	Problems   designerProblems
	// FromVersion is set when the draft was empty and the files shown are
	// this published version's, not yet saved as the draft.
	FromVersion int64
	Saved       bool
	Details     []string // what is wrong with the form, under Error
	// Units are the municipality's units, for the ids that `units:` and
	// variants name; NamesUnits opens their list when the file names units.
	Units      []designerUnit
	NamesUnits bool
	// Line is the line the editor opens at (0: the top).
	Line int
}

// designerFileLink is a file of the draft in the list of files: the one
// being edited, or a button that saves the edited one and opens it.
type designerFileLink struct {
	Name    string
	Current bool
	Open    string // the form action that saves and opens the file
}

// designerFile is the file in the editor.
type designerFile struct {
	Name    string
	Content string
	Rows    int
	Gutter  string // the line numbers beside the text, one a line
	Remove  bool
}

// designerUnit is a unit of the municipality, for the units list.
type designerUnit struct {
	ID, Name string
	Depth    int // 0 for the top unit, capped at 4
}

// editorID is the id of the editor's textarea, for links from problems.
const editorID = "editor"

// designerProblems is the result of a validation, for the problems list.
type designerProblems struct {
	Checked bool // false: nothing was validated (no files)
	Items   []designerProblem
	More    int // problems not listed
}

// designerProblem is one problem, with the line it points at.
type designerProblem struct {
	Text string // file:line:column: message
	// Anchor is the id of the field the problem is in on this page ("" if
	// none), and Open, for a problem in another file of the draft, the form
	// action that saves the edited file and opens that one at the line.
	Anchor, Open string
	Excerpt      string // the line the problem is on
	Caret        string // spaces and a ^ under the column
	Line, Column int
}

// Count is the number of problems found.
func (p designerProblems) Count() int { return len(p.Items) + p.More }

// newDesignerFile makes the editor's file of a definition file.
func newDesignerFile(f store.DefinitionFile) designerFile {
	return designerFile{Name: f.Name, Content: f.Content, Rows: textRows(f.Content), Gutter: gutter(f.Content)}
}

// textRows is the editor's height for content: a row for each line and
// one more, at least 12, so the text never scrolls inside the editor and
// the line numbers beside it stay in line.
func textRows(content string) int {
	return max(strings.Count(content, "\n")+2, 12)
}

// gutter is the line numbers of content's lines (and of the editor's rows
// below them), one a line.
func gutter(content string) string {
	n := textRows(content)
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte('\n')
		}
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

// openAction is the form action that saves the edited file and opens the
// file name at line (0: the top).
func openAction(name string, line int) string {
	q := url.Values{"open": {name}}
	if line > 0 {
		q.Set("line", strconv.Itoa(line))
	}
	return "/designer/draft?" + q.Encode()
}

// fileHref is the address of the editor with the file name open at line.
func fileHref(name string, line int, saved bool) string {
	q := url.Values{"file": {name}}
	if line > 0 {
		q.Set("line", strconv.Itoa(line))
	}
	if saved {
		q.Set("saved", "1")
	}
	return "/designer/draft?" + q.Encode()
}

// editorData makes the editor's data for the draft's files with current
// (a name among them, else the first) in the editor.
func editorData(files []store.DefinitionFile, current string) designerDraftData {
	d := designerDraftData{}
	i := slices.IndexFunc(files, func(f store.DefinitionFile) bool { return f.Name == current })
	if i < 0 && len(files) > 0 {
		i = 0
	}
	if i >= 0 {
		d.File = newDesignerFile(files[i])
	}
	d.setFiles(files)
	return d
}

// setFiles lists files in the file list, marking the edited one.
func (d *designerDraftData) setFiles(files []store.DefinitionFile) {
	d.Files = nil
	for _, f := range files {
		d.Files = append(d.Files, designerFileLink{Name: f.Name, Current: f.Name == d.File.Name, Open: openAction(f.Name, 0)})
	}
	d.NamesUnits = strings.Contains(d.File.Content, "units:")
}

// withUnits adds the municipality's units to d.
func (s *handlers) withUnits(r *http.Request, a trygg.Actor, d *designerDraftData) (err error) {
	d.Units, err = s.units(r, a)
	return err
}

// units lists the municipality's units in tree order, each under the one
// above it.
func (s *handlers) units(r *http.Request, a trygg.Actor) ([]designerUnit, error) {
	units, err := s.Svc.Units(r.Context(), a)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(units, func(x, y org.Unit) int { return cmp.Compare(x.Path, y.Path) })
	out := make([]designerUnit, len(units))
	for i, u := range units {
		out[i] = designerUnit{ID: u.ID, Name: u.Name, Depth: min(max(strings.Count(u.Path, "/")-2, 0), 4)}
	}
	return out, nil
}

// handleDesignerDraft shows the working draft in the editor, one file at a
// time (?file=, at ?line=), with the whole draft's problems; an empty
// draft starts from the newest published version.
func (s *handlers) handleDesignerDraft(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := requireDesigner(a); err != nil {
		return err
	}
	draft, err := s.Svc.DefinitionDraft(r.Context(), a)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	files, res := draft.Files, draft.Validation
	var from int64
	if len(files) == 0 {
		versions, err := s.Svc.DefinitionVersions(r.Context(), a)
		if err != nil {
			return err
		}
		if len(versions) > 0 {
			from = versions[0].Version
			if files, err = s.Svc.DefinitionFiles(r.Context(), a, from); err != nil {
				return err
			}
			if res, err = s.Svc.ValidateDefinitions(r.Context(), a, service.DefinitionsInput{Files: files}); err != nil {
				return err
			}
		}
	}
	d := editorData(files, q.Get("file"))
	d.FromVersion, d.Saved = from, q.Get("saved") == "1"
	if n, err := strconv.Atoi(q.Get("line")); err == nil && n > 0 && d.File.Name == q.Get("file") {
		d.Line = n
	}
	d.Problems = problemsOf(v.Lang, res.Problems, files, d.File.Name, "", "", len(files) > 0)
	if err := s.withUnits(r, a, &d); err != nil {
		return err
	}
	return s.renderDraft(w, http.StatusOK, v, d)
}

func (s *handlers) renderDraft(w http.ResponseWriter, status int, v *server.View, d designerDraftData) error {
	v.Title = v.T("designer.draft.title")
	if d.File.Name != "" {
		v.Title = d.File.Name + " – " + v.T("designer.draft.title")
	}
	v.Data = d
	return pages.Render(w, status, "designer_draft", *v)
}

// draftForm is the editor's form as posted: the edited file (the form
// may carry several), whether to remove it, the new file, the note and
// the version an empty draft starts from.
type draftForm struct {
	Files       []store.DefinitionFile
	Remove      map[string]bool
	NewName     string
	NewContent  string
	Note        string
	FromVersion int64
}

// readDraftForm reads the editor's form. Browsers send a textarea's line
// breaks as CRLF; they are stored as LF.
func readDraftForm(w http.ResponseWriter, r *http.Request) (draftForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, server.MaxDefinitionBytes)
	if err := r.ParseForm(); err != nil {
		return draftForm{}, trygg.Errorf(trygg.EInvalid, "The form could not be read; it may be larger than %d MiB.", server.MaxDefinitionBytes>>20)
	}
	names, contents := r.PostForm["name"], r.PostForm["content"]
	if len(names) != len(contents) {
		return draftForm{}, trygg.Errorf(trygg.EInvalid, "The form could not be read: every file needs a name and a content.")
	}
	f := draftForm{Remove: map[string]bool{},
		NewName:    strings.TrimSpace(r.PostForm.Get("new_name")),
		NewContent: lf(r.PostForm.Get("new_content")),
		Note:       strings.TrimSpace(r.PostForm.Get("note")),
	}
	f.FromVersion, _ = strconv.ParseInt(r.PostForm.Get("from_version"), 10, 64)
	for _, n := range r.PostForm["remove"] {
		f.Remove[n] = true
	}
	for i, n := range names {
		f.Files = append(f.Files, store.DefinitionFile{Name: n, Content: lf(contents[i])})
	}
	return f, nil
}

func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// draftSet is the draft the form asks for: the saved draft (or, when it is
// empty, the version the form started from) with the form's files in the
// place of theirs (or added), the removed ones left out and the new file
// added, if it has a name. Changed reports whether that differs from
// what it started from. A new file's content without a name is a
// mistake, told in key.
type draftSet struct {
	In      service.DefinitionsInput
	Changed bool
	Key     string
}

func (s *handlers) draftSet(r *http.Request, a trygg.Actor, f draftForm) (draftSet, error) {
	base, err := s.Svc.DefinitionDraftFiles(r.Context(), a)
	if err != nil {
		return draftSet{}, err
	}
	fromVersion := len(base) == 0 && f.FromVersion > 0
	if fromVersion {
		if base, err = s.Svc.DefinitionFiles(r.Context(), a, f.FromVersion); err != nil {
			return draftSet{}, err
		}
	}
	out := draftSet{In: service.DefinitionsInput{Files: []store.DefinitionFile{}}}
	posted := map[string]string{}
	for _, pf := range f.Files {
		posted[pf.Name] = pf.Content
	}
	for _, bf := range base {
		content, ok := posted[bf.Name]
		switch {
		case f.Remove[bf.Name]:
			out.Changed = true
			continue
		case ok:
			out.Changed = out.Changed || content != bf.Content
			bf.Content = content
		}
		out.In.Files = append(out.In.Files, bf)
		delete(posted, bf.Name)
	}
	for _, pf := range f.Files {
		if _, ok := posted[pf.Name]; ok && !f.Remove[pf.Name] {
			out.In.Files = append(out.In.Files, pf)
			out.Changed = true
		}
	}
	switch {
	case f.NewName != "":
		out.In.Files = append(out.In.Files, store.DefinitionFile{Name: f.NewName, Content: f.NewContent})
		out.Changed = true
	case strings.TrimSpace(f.NewContent) != "":
		out.Key = "designer.new.noname"
	}
	return out, nil
}

// current is the name of the form's edited file: the first it carries.
func (f draftForm) current() string {
	if len(f.Files) == 0 {
		return ""
	}
	return f.Files[0].Name
}

// editor is the editor's data for the form as posted, over the files of
// set: the posted file in the editor, as typed.
func (f draftForm) editor(set draftSet) designerDraftData {
	d := designerDraftData{NewName: f.NewName, NewContent: f.NewContent, Note: f.Note, FromVersion: f.FromVersion}
	if len(f.Files) > 0 {
		d.File = newDesignerFile(f.Files[0])
		d.File.Remove = f.Remove[d.File.Name]
	}
	files := set.In.Files
	if d.File.Remove {
		files = append(slices.Clone(files), store.DefinitionFile{Name: d.File.Name})
	}
	d.setFiles(files)
	return d
}

// handleDesignerValidate validates the draft as the editor's form would
// make it, as it is typed (htmx), and answers the problems list alone. It
// always answers 200, so htmx shows the answer; a form it cannot read is
// shown as a problem.
func (s *handlers) handleDesignerValidate(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := requireDesigner(a); err != nil {
		return err
	}
	var probs designerProblems
	f, err := readDraftForm(w, r)
	if err == nil {
		probs, err = s.formProblems(r, a, v, f)
	}
	switch code := trygg.ErrorCode(err); {
	case code == trygg.EInvalid:
		probs = designerProblems{Checked: true, Items: invalidItems(v.Lang, err)}
	case err != nil:
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return pages["designer_draft"].ExecuteTemplate(w, "designer-problems-update", map[string]any{"T": v.T, "Tn": v.Tn, "P": probs})
}

// formProblems validates the draft the editor's form makes.
func (s *handlers) formProblems(r *http.Request, a trygg.Actor, v *server.View, f draftForm) (designerProblems, error) {
	set, err := s.draftSet(r, a, f)
	switch {
	case err != nil:
		return designerProblems{}, err
	case set.Key != "":
		return designerProblems{Checked: true, Items: []designerProblem{{Text: v.T(set.Key), Anchor: "new-name"}}}, nil
	case len(set.In.Files) == 0:
		return designerProblems{}, nil
	}
	res, err := s.Svc.ValidateDefinitions(r.Context(), a, set.In)
	if err != nil {
		return designerProblems{}, err
	}
	return problemsOf(v.Lang, res.Problems, set.In.Files, f.current(), f.NewName, f.NewContent, true), nil
}

// renderDraftError shows the editor again with the form as sent, what is
// wrong (msgKey, and details), and the draft's problems.
func (s *handlers) renderDraftError(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, f draftForm, status int, msgKey string, details []string) error {
	set, err := s.draftSet(r, a, f)
	if err != nil {
		return err
	}
	d := f.editor(set)
	probs, err := s.formProblems(r, a, v, f)
	switch {
	case trygg.ErrorCode(err) == trygg.EInvalid:
		probs = designerProblems{Checked: true, Items: invalidItems(v.Lang, err)}
	case err != nil:
		return err
	}
	v.Error, d.Details, d.Problems = v.T(msgKey), details, probs
	if err := s.withUnits(r, a, &d); err != nil {
		return err
	}
	return s.renderDraft(w, status, v, d)
}

// invalidItems lists an invalid-input error's message and fields as
// problems, in lang.
func invalidItems(lang string, err error) []designerProblem {
	items := []designerProblem{{Text: server.MessageIn(lang, trygg.ErrorMessage(err))}}
	var te *trygg.Error
	if errors.As(err, &te) {
		keys := make([]string, 0, len(te.Fields))
		for k := range te.Fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			items = append(items, designerProblem{Text: server.MessageIn(lang, te.Fields[k])})
		}
	}
	return items
}

// problemsOf makes the problems list of the checker's problems over
// files, each said in lang with its file:line:column and its line: a
// problem in the edited file (current) or the new file links to the
// line in its field, one in another file saves the edited one and opens
// that file at the line.
func problemsOf(lang string, ps []process.Problem, files []store.DefinitionFile, current, newName, newContent string, checked bool) designerProblems {
	content := map[string]string{}
	for _, f := range files {
		content[f.Name] = f.Content
	}
	if newName != "" {
		content[newName] = newContent
	}
	out := designerProblems{Checked: checked}
	for i, p := range ps {
		if i == maxShownProblems {
			out.More = len(ps) - i
			break
		}
		item := designerProblem{Text: fmt.Sprintf("%s:%d:%d: %s", p.Pos.File, p.Pos.Line, p.Pos.Column, p.In(lang)), Line: p.Pos.Line, Column: p.Pos.Column}
		text, ok := content[p.Pos.File]
		switch {
		case !ok:
		case p.Pos.File == newName:
			item.Anchor = "new-content"
		case p.Pos.File == current:
			item.Anchor = editorID
		default:
			item.Open = openAction(p.Pos.File, p.Pos.Line)
		}
		if ok {
			lines := strings.Split(text, "\n")
			if p.Pos.Line >= 1 && p.Pos.Line <= len(lines) {
				line := strings.ReplaceAll(lines[p.Pos.Line-1], "\t", " ")
				item.Excerpt = line
				if col := p.Pos.Column; col >= 1 && col <= utf8.RuneCountInString(line)+1 {
					item.Caret = strings.Repeat(" ", col-1) + "^"
				}
			}
		}
		out.Items = append(out.Items, item)
	}
	return out
}

// handleDesignerSave saves the draft the editor's form makes (with its
// problems: a draft may have them) and opens the editor again: at the
// file and line of ?open= and ?line= when a file or a problem in another
// file was chosen, else at the edited file. Nothing is saved when nothing
// changed.
func (s *handlers) handleDesignerSave(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := requireDesigner(a); err != nil {
		return err
	}
	f, err := readDraftForm(w, r)
	if err != nil {
		return err
	}
	set, done, err := s.saveDraft(w, r, a, v, f)
	if done || err != nil {
		return err
	}
	q := r.URL.Query()
	next := f.current()
	switch {
	case q.Get("open") != "":
		next = q.Get("open")
	case f.NewName != "":
		next = f.NewName
	case f.Remove[next]:
		next = ""
	}
	line, _ := strconv.Atoi(q.Get("line"))
	http.Redirect(w, r, fileHref(next, line, set.Changed), http.StatusSeeOther)
	return nil
}

// saveDraft saves the draft the form makes, if it changed. When it cannot
// be saved it shows the editor again with why and reports done.
func (s *handlers) saveDraft(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, f draftForm) (set draftSet, done bool, err error) {
	if set, err = s.draftSet(r, a, f); err != nil {
		return set, false, err
	}
	if set.Key != "" {
		return set, true, s.renderDraftError(w, r, a, v, f, http.StatusUnprocessableEntity, set.Key, nil)
	}
	if !set.Changed {
		return set, false, nil
	}
	_, err = s.Svc.SaveDefinitionDraft(r.Context(), a, set.In)
	if trygg.ErrorCode(err) == trygg.EInvalid {
		var details []string
		for _, p := range invalidItems(v.Lang, err) {
			details = append(details, p.Text)
		}
		return set, true, s.renderDraftError(w, r, a, v, f, http.StatusUnprocessableEntity, "designer.save.invalid", details)
	}
	return set, false, err
}

// handleDesignerPublish saves the draft the editor's form makes and
// publishes it as a new version with the note; if the draft has problems
// or is the same as the newest version, the editor says so.
func (s *handlers) handleDesignerPublish(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := requireDesigner(a); err != nil {
		return err
	}
	f, err := readDraftForm(w, r)
	if err != nil {
		return err
	}
	if utf8.RuneCountInString(f.Note) > maxNoteLength {
		return s.renderDraftError(w, r, a, v, f, http.StatusUnprocessableEntity, "designer.publish.notelong", nil)
	}
	set, done, err := s.saveDraft(w, r, a, v, f)
	if done || err != nil {
		return err
	}
	if !set.Changed && f.FromVersion > 0 {
		// The empty draft's starting version, unchanged: saved as the draft
		// so that publishing it is refused as the same, not as empty.
		if _, err := s.Svc.SaveDefinitionDraft(r.Context(), a, set.In); err != nil {
			return err
		}
	}
	dv, err := s.Svc.PublishDraft(r.Context(), a, f.Note)
	if trygg.ErrorCode(err) == "" {
		http.Redirect(w, r, "/designer?published="+strconv.FormatInt(dv.Version, 10), http.StatusSeeOther)
		return nil
	}
	draft, derr := s.Svc.DefinitionDraft(r.Context(), a)
	if derr != nil {
		return derr
	}
	d := editorData(draft.Files, f.current())
	d.Note = f.Note
	d.Problems = problemsOf(v.Lang, draft.Validation.Problems, draft.Files, d.File.Name, "", "", true)
	if err := s.withUnits(r, a, &d); err != nil {
		return err
	}
	switch trygg.ErrorCode(err) {
	case trygg.EInvalid:
		v.Error = v.T("designer.publish.problems")
		return s.renderDraft(w, http.StatusUnprocessableEntity, v, d)
	case trygg.EConflict:
		v.Error = v.T("designer.publish.same")
		return s.renderDraft(w, http.StatusConflict, v, d)
	}
	return err
}

// designerDiagramData is a case type's diagram page.
type designerDiagramData struct {
	Version     int64
	ID, Name    string
	Diagram     diagram
	Steps       []designerStep
	Transitions []designerTransition
	Others      []designerCaseType // the version's other case types
}

type designerStep struct {
	ID, Name     string
	Start, Final bool
	Forms        []string
}

type designerTransition struct {
	ID, Name string
	From     []string // step names
	To       string
	Roles    []string
	Guarded  bool
}

// handleDesignerCaseType draws a case type of a published version: the
// diagram and, for reading without it, its steps and transitions as
// tables.
func (s *handlers) handleDesignerCaseType(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := requireDesigner(a); err != nil {
		return err
	}
	version, err := server.VersionParam(r)
	if err != nil {
		return err
	}
	b, err := s.loadVersion(r, a, version)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(b.CaseTypes, func(ct *process.CaseType) bool { return ct.ID.Value == r.PathValue("id") })
	if i < 0 {
		return trygg.Errorf(trygg.ENotFound, "Version %d has no such case type.", version)
	}
	ct := b.CaseTypes[i]
	d := designerDiagramData{Version: version, ID: ct.ID.Value, Name: ct.Name.In(v.Lang), Diagram: layoutDiagram(ct, v.Lang)}
	stepName := map[string]string{}
	for _, st := range ct.Steps {
		stepName[st.ID.Value] = st.Name.In(v.Lang)
		ds := designerStep{ID: st.ID.Value, Name: st.Name.In(v.Lang), Start: st.ID.Value == ct.Start.Value, Final: st.Final}
		for _, f := range st.Forms {
			ds.Forms = append(ds.Forms, f.Value)
		}
		d.Steps = append(d.Steps, ds)
	}
	for _, t := range ct.Transitions {
		dt := designerTransition{ID: t.ID.Value, Name: t.Name.In(v.Lang), To: cmp.Or(stepName[t.To.Value], t.To.Value), Guarded: t.Guard.Value != ""}
		for _, f := range t.From {
			dt.From = append(dt.From, cmp.Or(stepName[f.Value], f.Value))
		}
		for _, role := range t.Roles {
			dt.Roles = append(dt.Roles, v.T("role."+role.Value))
		}
		d.Transitions = append(d.Transitions, dt)
	}
	for _, o := range b.CaseTypes {
		if o != ct {
			d.Others = append(d.Others, designerCaseType{ID: o.ID.Value, Name: o.Name.In(v.Lang)})
		}
	}
	v.Title = d.Name
	v.Data = d
	return pages.Render(w, http.StatusOK, "designer_case_type", *v)
}

// designerDiffData is the changes between two versions.
type designerDiffData struct {
	Versions []int64
	From, To int64
	Compared bool // From and To were chosen and compared
	Files    []designerFileDiff
}

type designerFileDiff struct {
	Name, Status   string
	Added, Removed int
	Lines          []designerDiffLine
}

type designerDiffLine struct {
	Kind string // add, del or cut
	Text string
}

// handleDesignerDiff shows what changed from one published version to
// another, file by file, line by line.
func (s *handlers) handleDesignerDiff(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := requireDesigner(a); err != nil {
		return err
	}
	versions, err := s.Svc.DefinitionVersions(r.Context(), a)
	if err != nil {
		return err
	}
	d := designerDiffData{}
	for _, dv := range versions {
		d.Versions = append(d.Versions, dv.Version)
	}
	v.Title = v.T("designer.diff.title")
	v.Data = &d
	q := r.URL.Query()
	if q.Get("from") == "" && q.Get("to") == "" {
		// Nothing chosen yet: offer the newest version and the one before.
		if len(d.Versions) > 0 {
			d.To, d.From = d.Versions[0], d.Versions[min(1, len(d.Versions)-1)]
		}
		return pages.Render(w, http.StatusOK, "designer_diff", *v)
	}
	from, errF := strconv.ParseInt(q.Get("from"), 10, 64)
	to, errT := strconv.ParseInt(q.Get("to"), 10, 64)
	if errF != nil || errT != nil || from < 1 || to < 1 {
		v.Error = v.T("designer.diff.choose")
		return pages.Render(w, http.StatusUnprocessableEntity, "designer_diff", *v)
	}
	d.From, d.To, d.Compared = from, to, true
	before, err := s.Svc.DefinitionFiles(r.Context(), a, from)
	if err != nil {
		return err
	}
	after, err := s.Svc.DefinitionFiles(r.Context(), a, to)
	if err != nil {
		return err
	}
	for _, fd := range process.Diff(contents(before), contents(after)) {
		f := designerFileDiff{Name: fd.Name, Status: fd.Status}
		for _, l := range fd.Lines {
			switch {
			case strings.HasPrefix(l, "+ "):
				f.Added++
				f.Lines = append(f.Lines, designerDiffLine{"add", l[2:]})
			case strings.HasPrefix(l, "- "):
				f.Removed++
				f.Lines = append(f.Lines, designerDiffLine{"del", l[2:]})
			default:
				f.Lines = append(f.Lines, designerDiffLine{"cut", ""})
			}
		}
		d.Files = append(d.Files, f)
	}
	v.Title = fmt.Sprintf(v.T("designer.diff.heading"), from, to)
	return pages.Render(w, http.StatusOK, "designer_diff", *v)
}

func contents(files []store.DefinitionFile) map[string]string {
	m := make(map[string]string, len(files))
	for _, f := range files {
		m[f.Name] = f.Content
	}
	return m
}
