package designer

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

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

// designerDraftData is the draft editor.
type designerDraftData struct {
	Files      []designerFile
	NewName    string
	NewContent string
	Note       string
	Problems   designerProblems
	// FromVersion is set when the draft was empty and the files shown are
	// this published version's, not yet saved as the draft.
	FromVersion int64
	Saved       bool
	Details     []string // what is wrong with the form, under Error
}

// designerFile is a file of the draft in the editor.
type designerFile struct {
	ID      string // the textarea's id, for links from problems
	Name    string
	Content string
	Rows    int
	Remove  bool
}

// designerProblems is the result of a validation, for the problems list.
type designerProblems struct {
	Checked bool // false: nothing was validated (no files)
	Items   []designerProblem
	More    int // problems not listed
}

// designerProblem is one problem, with the line it points at.
type designerProblem struct {
	Text    string // file:line:column: message
	Anchor  string // the id of the file's textarea, "" if none
	Excerpt string // the line the problem is on
	Caret   string // spaces and a ^ under the column
	Line    int
}

// Count is the number of problems found.
func (p designerProblems) Count() int { return len(p.Items) + p.More }

// newDesignerFiles makes editor files of definition files.
func newDesignerFiles(files []store.DefinitionFile) []designerFile {
	out := make([]designerFile, len(files))
	for i, f := range files {
		out[i] = designerFile{ID: fmt.Sprintf("file-%d", i+1), Name: f.Name, Content: f.Content, Rows: textRows(f.Content)}
	}
	return out
}

// textRows is a textarea's height for content: its lines and one more,
// between 6 and 30.
func textRows(content string) int {
	return min(max(strings.Count(content, "\n")+2, 6), 30)
}

// handleDesignerDraft shows the working draft in the editor with its
// problems; an empty draft starts from the newest published version.
func (s *handlers) handleDesignerDraft(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := requireDesigner(a); err != nil {
		return err
	}
	draft, err := s.Svc.DefinitionDraft(r.Context(), a)
	if err != nil {
		return err
	}
	d := designerDraftData{Files: newDesignerFiles(draft.Files), Saved: r.URL.Query().Get("saved") == "1"}
	res := draft.Validation
	if len(draft.Files) == 0 {
		versions, err := s.Svc.DefinitionVersions(r.Context(), a)
		if err != nil {
			return err
		}
		if len(versions) > 0 {
			d.FromVersion = versions[0].Version
			files, err := s.Svc.DefinitionFiles(r.Context(), a, d.FromVersion)
			if err != nil {
				return err
			}
			d.Files = newDesignerFiles(files)
			if res, err = s.Svc.ValidateDefinitions(r.Context(), a, service.DefinitionsInput{Files: files}); err != nil {
				return err
			}
		}
	}
	d.Problems = problemsOf(v.Lang, res.Problems, d.Files, "", "", len(d.Files) > 0)
	return s.renderDraft(w, http.StatusOK, v, d)
}

func (s *handlers) renderDraft(w http.ResponseWriter, status int, v *server.View, d designerDraftData) error {
	v.Title = v.T("designer.draft.title")
	v.Data = d
	return pages.Render(w, status, "designer_draft", *v)
}

// readDraftForm reads the editor's form: the files (a name and a content
// for each, some marked for removal), the new file and the note. Browsers
// send a textarea's line breaks as CRLF; they are stored as LF.
func readDraftForm(w http.ResponseWriter, r *http.Request) (designerDraftData, error) {
	r.Body = http.MaxBytesReader(w, r.Body, server.MaxDefinitionBytes)
	if err := r.ParseForm(); err != nil {
		return designerDraftData{}, trygg.Errorf(trygg.EInvalid, "The form could not be read; it may be larger than %d MiB.", server.MaxDefinitionBytes>>20)
	}
	names, contents := r.PostForm["name"], r.PostForm["content"]
	if len(names) != len(contents) {
		return designerDraftData{}, trygg.Errorf(trygg.EInvalid, "The form could not be read: every file needs a name and a content.")
	}
	remove := map[string]bool{}
	for _, n := range r.PostForm["remove"] {
		remove[n] = true
	}
	d := designerDraftData{
		NewName:    strings.TrimSpace(r.PostForm.Get("new_name")),
		NewContent: lf(r.PostForm.Get("new_content")),
		Note:       strings.TrimSpace(r.PostForm.Get("note")),
	}
	for i, n := range names {
		c := lf(contents[i])
		d.Files = append(d.Files, designerFile{ID: fmt.Sprintf("file-%d", i+1), Name: n, Content: c, Rows: textRows(c), Remove: remove[n]})
	}
	return d, nil
}

func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// input is the set of files the form asks to keep: the files not marked
// for removal and the new file, if it has a name. A new file's content
// without a name is a mistake, told in key.
func (d designerDraftData) input() (in service.DefinitionsInput, key string) {
	in.Files = []store.DefinitionFile{}
	for _, f := range d.Files {
		if !f.Remove {
			in.Files = append(in.Files, store.DefinitionFile{Name: f.Name, Content: f.Content})
		}
	}
	switch {
	case d.NewName != "":
		in.Files = append(in.Files, store.DefinitionFile{Name: d.NewName, Content: d.NewContent})
	case strings.TrimSpace(d.NewContent) != "":
		return in, "designer.new.noname"
	}
	return in, ""
}

// handleDesignerValidate validates the editor's files as they are typed
// (htmx) and answers the problems list alone. It always answers 200, so
// htmx shows the answer; a form it cannot read is shown as a problem.
func (s *handlers) handleDesignerValidate(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := requireDesigner(a); err != nil {
		return err
	}
	var probs designerProblems
	d, err := readDraftForm(w, r)
	if err == nil {
		probs, err = s.formProblems(r, a, v, d)
	}
	switch code := trygg.ErrorCode(err); {
	case code == trygg.EInvalid:
		probs = designerProblems{Checked: true, Items: invalidItems(v.Lang, err)}
	case err != nil:
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return pages["designer_draft"].ExecuteTemplate(w, "designer-problems-update", map[string]any{"T": v.T, "P": probs})
}

// formProblems validates the files of the editor's form.
func (s *handlers) formProblems(r *http.Request, a trygg.Actor, v *server.View, d designerDraftData) (designerProblems, error) {
	in, key := d.input()
	switch {
	case key != "":
		return designerProblems{Checked: true, Items: []designerProblem{{Text: v.T(key), Anchor: "new-name"}}}, nil
	case len(in.Files) == 0:
		return designerProblems{}, nil
	}
	res, err := s.Svc.ValidateDefinitions(r.Context(), a, in)
	if err != nil {
		return designerProblems{}, err
	}
	return problemsOf(v.Lang, res.Problems, d.Files, d.NewName, d.NewContent, true), nil
}

// renderDraftError shows the editor again with the form as sent, what is
// wrong (msgKey, and details), and the files' problems.
func (s *handlers) renderDraftError(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, d designerDraftData, status int, msgKey string, details []string) error {
	probs, err := s.formProblems(r, a, v, d)
	switch {
	case trygg.ErrorCode(err) == trygg.EInvalid:
		probs = designerProblems{Checked: true, Items: invalidItems(v.Lang, err)}
	case err != nil:
		return err
	}
	v.Error, d.Details, d.Problems = v.T(msgKey), details, probs
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

// problemsOf makes the problems list of the validator's problems, each
// said in lang with its file:line:column and its line from the files.
func problemsOf(lang string, ps []process.Problem, files []designerFile, newName, newContent string, checked bool) designerProblems {
	type src struct{ id, content string }
	byName := map[string]src{}
	for _, f := range files {
		if !f.Remove {
			byName[f.Name] = src{f.ID, f.Content}
		}
	}
	if newName != "" {
		byName[newName] = src{"new-content", newContent}
	}
	out := designerProblems{Checked: checked}
	for i, p := range ps {
		if i == maxShownProblems {
			out.More = len(ps) - i
			break
		}
		item := designerProblem{Text: fmt.Sprintf("%s:%d:%d: %s", p.Pos.File, p.Pos.Line, p.Pos.Column, p.In(lang)), Line: p.Pos.Line}
		if f, ok := byName[p.Pos.File]; ok {
			item.Anchor = f.id
			lines := strings.Split(f.content, "\n")
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

// handleDesignerSave saves the editor's files as the working draft (with
// its problems: a draft may have them) and shows it again.
func (s *handlers) handleDesignerSave(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := requireDesigner(a); err != nil {
		return err
	}
	d, err := readDraftForm(w, r)
	if err != nil {
		return err
	}
	if _, done, err := s.saveDraft(w, r, a, v, &d); done || err != nil {
		return err
	}
	http.Redirect(w, r, "/designer/draft?saved=1", http.StatusSeeOther)
	return nil
}

// saveDraft saves the form's files as the draft. When they cannot be
// saved it shows the editor again with why and reports done.
func (s *handlers) saveDraft(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, d *designerDraftData) (draft service.Draft, done bool, err error) {
	in, key := d.input()
	if key != "" {
		return draft, true, s.renderDraftError(w, r, a, v, *d, http.StatusUnprocessableEntity, key, nil)
	}
	draft, err = s.Svc.SaveDefinitionDraft(r.Context(), a, in)
	if trygg.ErrorCode(err) == trygg.EInvalid {
		var details []string
		for _, p := range invalidItems(v.Lang, err) {
			details = append(details, p.Text)
		}
		return draft, true, s.renderDraftError(w, r, a, v, *d, http.StatusUnprocessableEntity, "designer.save.invalid", details)
	}
	return draft, false, err
}

// handleDesignerPublish saves the editor's files as the draft and
// publishes it as a new version with the note; if the draft has problems
// or is the same as the newest version, the editor says so.
func (s *handlers) handleDesignerPublish(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := requireDesigner(a); err != nil {
		return err
	}
	d, err := readDraftForm(w, r)
	if err != nil {
		return err
	}
	if utf8.RuneCountInString(d.Note) > maxNoteLength {
		return s.renderDraftError(w, r, a, v, d, http.StatusUnprocessableEntity, "designer.publish.notelong", nil)
	}
	draft, done, err := s.saveDraft(w, r, a, v, &d)
	if done || err != nil {
		return err
	}
	saved := newDesignerFiles(draft.Files)
	d.Files, d.NewName, d.NewContent = saved, "", ""
	d.Problems = problemsOf(v.Lang, draft.Validation.Problems, saved, "", "", true)
	dv, err := s.Svc.PublishDraft(r.Context(), a, d.Note)
	switch trygg.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/designer?published="+strconv.FormatInt(dv.Version, 10), http.StatusSeeOther)
		return nil
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
