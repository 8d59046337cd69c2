package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storedtext"
	"github.com/trygg/trygg/internal/trygg"
)

// Applying online on Mina sidor. What a citizen may apply for, with which
// form and to which unit, is data: a case type's citizen_application
// (see process.CitizenApplication). The citizen fills in the same form
// the officers use, as a draft kept per person and case type, attaches
// documents, and sends it: the case opens in the case type and unit the
// definition routes it to, with the form signed by the citizen, exactly
// as if an officer had registered it. A citizen applies for themself or
// for someone they act for (a child in their custody, a person they
// represent); for anyone else every call is "not found".

// The default limits of the documents attached to one application.
const (
	DefaultAttachmentMaxBytes = 10 << 20
	DefaultAttachmentMaxFiles = 10
)

var errCitizenNotFound = trygg.Errorf(trygg.ENotFound, "Not found.")

// actingFor returns the person a citizen acts for and the ground (self,
// guardian or representative). Anyone else is not found, as are staff
// who are not citizens.
func (s *Service) actingFor(ctx context.Context, a trygg.Actor, personID string) (persons.Person, access.Relation, error) {
	p, ground, _, err := s.actingForRels(ctx, a, personID)
	return p, ground, err
}

// actingForRels is actingFor with the citizen's relations to the person,
// from which the citizen's ground on each of the person's cases follows
// without reading them again (access.CaseRelations).
func (s *Service) actingForRels(ctx context.Context, a trygg.Actor, personID string) (persons.Person, access.Relation, []access.Relation, error) {
	if !a.HasRole(trygg.RoleCitizen) || a.PersonID == "" {
		return persons.Person{}, "", nil, errNotCitizen
	}
	p, err := s.db.PersonByID(ctx, a.Tenant, personID)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return p, "", nil, errCitizenNotFound
	} else if err != nil {
		return p, "", nil, err
	}
	rels, err := s.db.PersonRelations(ctx, a, personID)
	if err != nil {
		return p, "", nil, err
	}
	ground, err := access.Decide(a, access.ReadPerson, access.Subject{Relations: rels, Protection: p.Protection})
	if err != nil || !citizenGround(ground) {
		return p, "", nil, errCitizenNotFound
	}
	return p, ground, rels, nil
}

// Application is something a citizen may apply for online for a person.
type Application struct {
	CaseType string `json:"case_type"`
	Title    string `json:"title"`
	Intro    string `json:"intro,omitempty"`
	Next     string `json:"next"`
	// Available is false when no unit receives the application for this
	// person (the definitions name none); the citizen is told to contact
	// the municipality.
	Available bool   `json:"available"`
	UnitName  string `json:"unit_name,omitempty"`
	// Draft is the person's draft of it, if one is being written.
	Draft *store.ApplicationDraft `json:"draft,omitempty"`
}

// route is where an application goes.
type route struct {
	unit    org.Unit
	officer string // "" when the unit's team gets it
}

// routeApplication returns where an application of case type ct for the
// person goes, as its citizen_application says: the unit (and officer)
// of the person's newest case of the type, and else the receiving unit.
// ok is false when neither gives a unit.
func (s *Service) routeApplication(ctx context.Context, tenant trygg.TenantID, comp *process.Compiled, ct *process.CaseType, p persons.Person) (route, bool, error) {
	ca := ct.CitizenApplication
	if ca.EarlierCaseUnit {
		cases, err := s.db.CasesOfPerson(ctx, tenant, p.ID) // newest first
		if err != nil {
			return route{}, false, err
		}
		for _, c := range cases {
			if c.CaseType != ct.ID.Value || !comp.UnitAllowed(c.CaseType, c.UnitPath) {
				continue
			}
			u, err := s.db.Unit(ctx, tenant, c.UnitID)
			if err != nil {
				return route{}, false, err
			}
			r := route{unit: u}
			// The officer gets it if they may still open cases there.
			if c.AssignedTo != "" {
				if off, err := s.actorFor(ctx, tenant, c.AssignedTo); err == nil {
					if _, err := access.Decide(off, access.OpenCase, access.Subject{Protection: p.Protection, UnitPath: u.Path}); err == nil {
						r.officer = off.UserID
					}
				}
			}
			return r, true, nil
		}
	}
	if ca.Unit.Value != "" {
		u, err := s.db.Unit(ctx, tenant, ca.Unit.Value)
		if trygg.ErrorCode(err) == trygg.ENotFound {
			return route{}, false, nil
		} else if err != nil {
			return route{}, false, err
		}
		if comp.UnitAllowed(ct.ID.Value, u.Path) {
			return route{unit: u}, true, nil
		}
	}
	return route{}, false, nil
}

// Applications lists what the citizen may apply for online for the
// person, with the drafts being written.
func (s *Service) Applications(ctx context.Context, a trygg.Actor, personID, lang string) ([]Application, error) {
	p, ground, err := s.actingFor(ctx, a, personID)
	if err != nil {
		return nil, err
	}
	out := []Application{}
	comp, err := s.latest(ctx, a.Tenant)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return out, nil
	} else if err != nil {
		return nil, err
	}
	drafts, err := s.db.ApplicationDrafts(ctx, a.Tenant, p.ID)
	if err != nil {
		return nil, err
	}
	for _, ct := range comp.CitizenApplications() {
		ca := ct.CitizenApplication
		app := Application{CaseType: ct.ID.Value, Title: ca.Title.In(lang), Intro: ca.Intro.In(lang), Next: ca.Next.In(lang)}
		r, ok, err := s.routeApplication(ctx, a.Tenant, comp, ct, p)
		if err != nil {
			return nil, err
		}
		app.Available, app.UnitName = ok, r.unit.Name
		for i := range drafts {
			if drafts[i].CaseType == app.CaseType {
				app.Draft = &drafts[i]
			}
		}
		out = append(out, app)
	}
	if len(drafts) > 0 {
		// The drafts are the person's data.
		if err := s.logAccess(ctx, entry(a, access.ReadPerson, p.ID, "", ground, "")); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ApplicationView is an application being written: the form as the
// citizen fills it, evaluated as the officers' forms are, and the
// documents attached so far.
type ApplicationView struct {
	Application
	Form        FormView           `json:"form"`
	Attachments []store.Attachment `json:"attachments"`
	// MaxBytes and MaxFiles are the limits of the attachments.
	MaxBytes int64 `json:"max_bytes"`
	MaxFiles int   `json:"max_files"`
}

// applying is what working on an application needs.
type applying struct {
	p      persons.Person
	ground access.Relation
	comp   *process.Compiled
	ct     *process.CaseType
	route  route
	formID string // the form the unit uses for the application's slot
	pctx   process.Context
	app    Application
	// household is the person's household, for a group that proposes
	// its rows from it.
	household householdFunc
}

// applyingFor loads what an application of caseType for the person
// needs. A case type with no citizen_application is not found; one no
// unit receives for this person is a conflict.
func (s *Service) applyingFor(ctx context.Context, a trygg.Actor, personID, caseType, lang string) (*applying, error) {
	p, ground, err := s.actingFor(ctx, a, personID)
	if err != nil {
		return nil, err
	}
	comp, err := s.latest(ctx, a.Tenant)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return nil, errCitizenNotFound
	} else if err != nil {
		return nil, err
	}
	ct, ok := comp.CaseType(caseType)
	if !ok || ct.CitizenApplication == nil {
		return nil, errCitizenNotFound
	}
	r, ok, err := s.routeApplication(ctx, a.Tenant, comp, ct, p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, trygg.Errorf(trygg.EConflict, "This cannot be applied for online for this person; contact the municipality.")
	}
	ca := ct.CitizenApplication
	w := &applying{p: p, ground: ground, comp: comp, ct: ct, route: r, formID: comp.FormFor(ct.ID.Value, r.unit.Path, ca.Form.Value),
		household: s.householdLater(ctx, a, p, "", ground),
		app: Application{CaseType: ct.ID.Value, Title: ca.Title.In(lang), Intro: ca.Intro.In(lang), Next: ca.Next.In(lang),
			Available: true, UnitName: r.unit.Name}}
	now := s.db.Now()
	w.pctx = process.Context{PersonSex: p.Sex, CaseType: ct.ID.Value, CaseStep: ct.Start.Value, CaseOpened: now, Today: now,
		Roles: []trygg.Role{trygg.RoleCitizen}, Forms: map[string]map[string]any{}}
	if age, ok := p.Identity.Age(now); ok {
		w.pctx.PersonAge = age
	}
	return w, nil
}

// formView evaluates the application's form with values (nil: empty).
func (w *applying) formView(values map[string]any, status string, lang string) (FormView, error) {
	f, ok := w.comp.Form(w.formID)
	if !ok {
		return FormView{}, fmt.Errorf("service: citizen application form %q not in the version", w.formID)
	}
	st, err := w.comp.EvaluateForm(w.formID, values, w.pctx, lang)
	if err != nil {
		return FormView{}, err
	}
	fv := FormView{FormID: w.ct.CitizenApplication.Form.Value, Name: f.Name.In(lang), Status: status, State: st, Def: f,
		Options: formOptions(w.comp, f, lang), Given: w.comp.GivenValues(w.formID, values), Signed: []store.FormEntry{}}
	fv.Household, err = householdProposals(w.comp, w.formID, st.Values, lang, w.household)
	return fv, err
}

// draftStatus is the form's status for a draft with values: a draft
// started only by attaching a file is shown as not begun, without the
// messages of every empty field.
func draftStatus(values map[string]any) string {
	if len(values) == 0 {
		return ""
	}
	return "draft"
}

func draftValues(d store.ApplicationDraft) (map[string]any, error) {
	var v map[string]any
	if err := json.Unmarshal([]byte(d.Values), &v); err != nil {
		return nil, fmt.Errorf("service: application draft %s: %w", d.ID, err)
	}
	if v == nil {
		v = map[string]any{}
	}
	return v, nil
}

// ApplicationForm returns the application of caseType for the person as
// the citizen fills it in: the saved draft, if any, re-evaluated, and its
// attachments. The read of a draft is access-logged.
func (s *Service) ApplicationForm(ctx context.Context, a trygg.Actor, personID, caseType, lang string) (ApplicationView, error) {
	w, err := s.applyingFor(ctx, a, personID, caseType, lang)
	if err != nil {
		return ApplicationView{}, err
	}
	out := ApplicationView{Application: w.app, Attachments: []store.Attachment{}, MaxBytes: s.AttachmentMaxBytes, MaxFiles: s.AttachmentMaxFiles}
	d, err := s.db.ApplicationDraft(ctx, a.Tenant, w.p.ID, caseType)
	switch {
	case trygg.ErrorCode(err) == trygg.ENotFound:
		out.Form, err = w.formView(nil, "", lang)
		return out, err
	case err != nil:
		return out, err
	}
	values, err := draftValues(d)
	if err != nil {
		return out, err
	}
	out.Draft = &d
	if out.Form, err = w.formView(values, draftStatus(values), lang); err != nil {
		return out, err
	}
	out.Form.EntryID, out.Form.UpdatedAt = d.ID, d.UpdatedAt
	if out.Attachments, err = s.db.DraftAttachments(ctx, a.Tenant, d.ID); err != nil {
		return out, err
	}
	return out, s.logAccess(ctx, entry(a, access.ReadPerson, w.p.ID, "", w.ground, ""))
}

// ApplicationDefinition returns the form of the application of caseType
// for the person as the unit it goes to fills it, for reading a posted
// form. It returns no personal data, so nothing is logged.
func (s *Service) ApplicationDefinition(ctx context.Context, a trygg.Actor, personID, caseType string) (*process.Form, error) {
	w, err := s.applyingFor(ctx, a, personID, caseType, "sv")
	if err != nil {
		return nil, err
	}
	f, ok := w.comp.Form(w.formID)
	if !ok {
		return nil, fmt.Errorf("service: citizen application form %q not in the version", w.formID)
	}
	return f, nil
}

// SaveApplicationDraft saves the citizen's values as the person's draft
// of the application (autosave) and returns the form re-evaluated: what
// is shown, required and wrong. A draft may be incomplete but every value
// must fit its field (process.StoredValues; a field the form does not
// have is refused); if one does not, nothing is saved, and it returns an
// invalid error naming each such field ("values.<field>") together with
// the application showing the values as given, for the page.
func (s *Service) SaveApplicationDraft(ctx context.Context, a trygg.Actor, personID, caseType string, in FormInput, lang string) (ApplicationView, error) {
	w, err := s.applyingFor(ctx, a, personID, caseType, lang)
	if err != nil {
		return ApplicationView{}, err
	}
	return s.saveApplicationDraft(ctx, a, w, caseType, maps.Clone(in.Values), lang)
}

// SaveApplicationSection saves the answers of one section of the
// application's form (a step of the application on Mina sidor) into the
// person's draft: the section's fields take the values given (a field
// not given is emptied), and the answers of the other sections stay as
// they were saved. Otherwise it is SaveApplicationDraft. A section the
// form does not have is not found.
func (s *Service) SaveApplicationSection(ctx context.Context, a trygg.Actor, personID, caseType, section string, in FormInput, lang string) (ApplicationView, error) {
	w, err := s.applyingFor(ctx, a, personID, caseType, lang)
	if err != nil {
		return ApplicationView{}, err
	}
	f, ok := w.comp.Form(w.formID)
	if !ok {
		return ApplicationView{}, fmt.Errorf("service: citizen application form %q not in the version", w.formID)
	}
	var fields []string
	for _, sec := range f.Sections {
		if sec.ID.Value != section {
			continue
		}
		for _, fd := range sec.Fields {
			if fd.Compute.Value == "" {
				fields = append(fields, fd.ID.Value)
			}
		}
	}
	if len(fields) == 0 {
		return ApplicationView{}, errCitizenNotFound
	}
	values := map[string]any{}
	switch d, err := s.db.ApplicationDraft(ctx, a.Tenant, w.p.ID, caseType); {
	case err == nil:
		if values, err = draftValues(d); err != nil {
			return ApplicationView{}, err
		}
	case trygg.ErrorCode(err) != trygg.ENotFound:
		return ApplicationView{}, err
	}
	for _, id := range fields {
		delete(values, id)
		if v, ok := in.Values[id]; ok {
			values[id] = v
		}
	}
	return s.saveApplicationDraft(ctx, a, w, caseType, values, lang)
}

// saveApplicationDraft saves values as the person's draft of the
// application (see SaveApplicationDraft).
func (s *Service) saveApplicationDraft(ctx context.Context, a trygg.Actor, w *applying, caseType string, values map[string]any, lang string) (ApplicationView, error) {
	if values == nil {
		values = map[string]any{}
	}
	// Fields the citizen may not see are not theirs to fill in, nor are
	// persons from the registry theirs to look up.
	for _, k := range w.comp.RoleHiddenFields(w.formID, w.pctx.Roles) {
		delete(values, k)
	}
	for _, k := range w.comp.PersonFields(w.formID) {
		delete(values, k)
	}
	// A draft may be incomplete, never hold what the form cannot: a value
	// that does not fit its field is refused, and the draft stays as it
	// was.
	given := values
	values, err := w.comp.StoredValues(w.formID, given, lang)
	if trygg.ErrorCode(err) == trygg.EInvalid {
		return s.refusedApplication(ctx, a, w, given, lang, err)
	} else if err != nil {
		return ApplicationView{}, err
	}
	b, err := json.Marshal(values)
	if err != nil {
		return ApplicationView{}, err
	}
	if len(b) > 256<<10 {
		return ApplicationView{}, trygg.Invalid("The application is too long.", map[string]string{"values": "At most 256 kB of text."})
	}
	var d store.ApplicationDraft
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.ReadPerson, w.p.ID, "", w.ground, "")}, func(tx *store.Tx) error {
		var err error
		d, err = tx.SaveApplicationDraft(ctx, a.Tenant, store.ApplicationDraft{ID: newID(), PersonID: w.p.ID, CaseType: caseType,
			Values: string(b), UpdatedBy: a.UserID})
		if err != nil {
			return err
		}
		e := events.New(a, events.ApplicationDraftSaved, "application_draft", d.ID, map[string]any{"case_type": caseType, "relation": w.ground})
		e.PersonID = w.p.ID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return ApplicationView{}, err
	}
	out := ApplicationView{Application: w.app, MaxBytes: s.AttachmentMaxBytes, MaxFiles: s.AttachmentMaxFiles}
	out.Draft = &d
	if out.Form, err = w.formView(values, draftStatus(values), lang); err != nil {
		return out, err
	}
	out.Form.EntryID, out.Form.UpdatedAt = d.ID, d.UpdatedAt
	out.Attachments, err = s.db.DraftAttachments(ctx, a.Tenant, d.ID)
	return out, err
}

// refusedApplication returns the application as a refused save left it
// (the draft as it was, with its attachments) but showing the values as
// given, each mistake at its field, so the page can show them where they
// were typed; with refusal, the save's error.
func (s *Service) refusedApplication(ctx context.Context, a trygg.Actor, w *applying, given map[string]any, lang string, refusal error) (ApplicationView, error) {
	out := ApplicationView{Application: w.app, Attachments: []store.Attachment{}, MaxBytes: s.AttachmentMaxBytes, MaxFiles: s.AttachmentMaxFiles}
	var err error
	if out.Form, err = w.formView(given, "draft", lang); err != nil {
		return ApplicationView{}, err
	}
	d, err := s.db.ApplicationDraft(ctx, a.Tenant, w.p.ID, w.ct.ID.Value)
	switch {
	case trygg.ErrorCode(err) == trygg.ENotFound:
		return out, refusal
	case err != nil:
		return ApplicationView{}, err
	}
	out.Draft = &d
	out.Form.EntryID, out.Form.UpdatedAt = d.ID, d.UpdatedAt
	if out.Attachments, err = s.db.DraftAttachments(ctx, a.Tenant, d.ID); err != nil {
		return ApplicationView{}, err
	}
	if err := s.logAccess(ctx, entry(a, access.ReadPerson, w.p.ID, "", w.ground, "")); err != nil {
		return ApplicationView{}, err
	}
	return out, refusal
}

// DeleteApplicationDraft throws the person's draft of the application
// away, with its attachments. With no draft it does nothing.
func (s *Service) DeleteApplicationDraft(ctx context.Context, a trygg.Actor, personID, caseType string) error {
	p, ground, err := s.actingFor(ctx, a, personID)
	if err != nil {
		return err
	}
	d, err := s.db.ApplicationDraft(ctx, a.Tenant, p.ID, caseType)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return nil
	} else if err != nil {
		return err
	}
	return s.updateLogged(ctx, []audit.Entry{entry(a, access.ReadPerson, p.ID, "", ground, "")}, func(tx *store.Tx) error {
		if err := tx.DeleteApplicationDraft(ctx, a.Tenant, d.ID); err != nil {
			return err
		}
		e := events.New(a, events.ApplicationDraftDeleted, "application_draft", d.ID, map[string]any{"case_type": caseType})
		e.PersonID = p.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
}

// The documents that may be attached: the type is decided from the
// content, never from the file's name or the type the browser claims.
var documentTypes = []struct {
	contentType, ext string
	magic            []byte
}{
	{"application/pdf", ".pdf", []byte("%PDF-")},
	{"image/jpeg", ".jpg", []byte{0xFF, 0xD8, 0xFF}},
	{"image/png", ".png", []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}},
}

// SniffDocument returns the content type and file extension of a PDF,
// JPEG or PNG document, from its first bytes: http.DetectContentType must
// say so, and the file must start with the type's magic number. ok is
// false for anything else.
func SniffDocument(content []byte) (contentType, ext string, ok bool) {
	detected := http.DetectContentType(content)
	for _, t := range documentTypes {
		if detected == t.contentType && bytes.HasPrefix(content, t.magic) {
			return t.contentType, t.ext, true
		}
	}
	return "", "", false
}

// attachmentName is the name an attachment is kept and downloaded under:
// the file's own name without folders, control and text-direction
// characters, in normalisation form C, shortened, with the extension of
// the type its content has.
func attachmentName(name, ext string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == utf8.RuneError || storedtext.Check(string(r), storedtext.Line) != nil {
			return -1
		}
		return r
	}, name)
	name, _ = storedtext.Normalize(name, storedtext.Line)
	if i := strings.LastIndex(name, "."); i > 0 {
		name = name[:i]
	}
	name = strings.Trim(strings.TrimSpace(name), ".")
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	if name == "" {
		name = "bilaga"
	}
	return name + ext
}

// AttachmentInput is a document to attach: the file's name as the
// browser gave it (only shown, never trusted) and its content.
type AttachmentInput struct {
	Name    string
	Content []byte
	// Cut says the file was longer than what was read: too large.
	Cut bool
}

// AddAttachment attaches a document to the person's draft of the
// application (starting the draft if there is none). Only PDF, JPEG and
// PNG documents are taken, as their content shows; each at most
// AttachmentMaxBytes, at most AttachmentMaxFiles to an application.
func (s *Service) AddAttachment(ctx context.Context, a trygg.Actor, personID, caseType string, in AttachmentInput, lang string) (store.Attachment, error) {
	w, err := s.applyingFor(ctx, a, personID, caseType, lang)
	if err != nil {
		return store.Attachment{}, err
	}
	if len(in.Content) == 0 && !in.Cut {
		return store.Attachment{}, trygg.Invalid("Choose a file to attach.", map[string]string{"file": "Choose a file to attach."})
	}
	if in.Cut || int64(len(in.Content)) > s.AttachmentMaxBytes {
		return store.Attachment{}, trygg.Invalid("The file is too large.", map[string]string{
			"file": fmt.Sprintf("At most %d MB a file.", s.AttachmentMaxBytes>>20)})
	}
	ctype, ext, ok := SniffDocument(in.Content)
	if !ok {
		return store.Attachment{}, trygg.Invalid("The file cannot be attached.", map[string]string{
			"file": "Only PDF, JPEG and PNG files can be attached, and this file is none of them."})
	}
	sum := sha256.Sum256(in.Content)
	at := store.Attachment{ID: uuid.NewString(), PersonID: w.p.ID, Name: attachmentName(in.Name, ext), ContentType: ctype,
		Size: int64(len(in.Content)), SHA256: hex.EncodeToString(sum[:]), UploadedBy: a.UserID, Content: in.Content}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.ReadPerson, w.p.ID, "", w.ground, "")}, func(tx *store.Tx) error {
		d, err := tx.ApplicationDraft(ctx, a.Tenant, w.p.ID, caseType)
		if trygg.ErrorCode(err) == trygg.ENotFound {
			if d, err = tx.SaveApplicationDraft(ctx, a.Tenant, store.ApplicationDraft{ID: newID(), PersonID: w.p.ID, CaseType: caseType,
				Values: "{}", UpdatedBy: a.UserID}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		n, err := tx.CountDraftAttachments(ctx, a.Tenant, d.ID)
		if err != nil {
			return err
		}
		if n >= s.AttachmentMaxFiles {
			return trygg.Invalid("No more files can be attached.", map[string]string{
				"file": fmt.Sprintf("At most %d files to an application; remove one first.", s.AttachmentMaxFiles)})
		}
		at.DraftID = d.ID
		if err := tx.InsertAttachment(ctx, a.Tenant, at); err != nil {
			return err
		}
		e := events.New(a, events.AttachmentAdded, "attachment", at.ID, map[string]any{"case_type": caseType, "draft_id": d.ID,
			"content_type": ctype, "size": at.Size, "sha256": at.SHA256})
		e.PersonID = w.p.ID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	at.Content = nil
	return at, err
}

// RemoveAttachment takes a document off the person's draft. A document
// already sent with an application stays with its case.
func (s *Service) RemoveAttachment(ctx context.Context, a trygg.Actor, personID, id string) error {
	at, err := s.db.AttachmentByID(ctx, a.Tenant, id)
	if trygg.ErrorCode(err) == trygg.ENotFound || (err == nil && (at.PersonID != personID || at.CaseID != "")) {
		return errCitizenNotFound
	} else if err != nil {
		return err
	}
	p, ground, err := s.actingFor(ctx, a, personID)
	if err != nil {
		return err
	}
	return s.updateLogged(ctx, []audit.Entry{entry(a, access.ReadPerson, p.ID, "", ground, "")}, func(tx *store.Tx) error {
		if err := tx.DeleteDraftAttachment(ctx, a.Tenant, at.ID); err != nil {
			return err
		}
		e := events.New(a, events.AttachmentRemoved, "attachment", at.ID, map[string]any{"draft_id": at.DraftID})
		e.PersonID = p.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
}

// CitizenAttachment returns a document, with its content, attached to an
// application of the person the citizen acts for: on a draft, or sent
// with a case of the person. The read is access-logged. Any other
// document is not found.
func (s *Service) CitizenAttachment(ctx context.Context, a trygg.Actor, personID, id string) (store.Attachment, error) {
	at, err := s.db.AttachmentByID(ctx, a.Tenant, id)
	if trygg.ErrorCode(err) == trygg.ENotFound || (err == nil && at.PersonID != personID) {
		return at, errCitizenNotFound
	} else if err != nil {
		return at, err
	}
	log := entry(a, access.ReadPerson, personID, "", "", "")
	if at.CaseID != "" {
		_, ground, err := s.citizenCase(ctx, a, personID, at.CaseID)
		if err != nil {
			return at, err
		}
		log = entry(a, access.ReadCase, personID, at.CaseID, ground, "")
	} else {
		_, ground, err := s.actingFor(ctx, a, personID)
		if err != nil {
			return at, err
		}
		log.Ground = string(ground)
	}
	return s.attachmentContent(ctx, a, at, log)
}

// CaseAttachments lists the documents sent with the case's application
// (without their content), for whoever may read the case. The read is
// access-logged.
func (s *Service) CaseAttachments(ctx context.Context, a trygg.Actor, caseID string) ([]store.Attachment, error) {
	c, ground, err := s.readableCase(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	list, err := s.db.CaseAttachments(ctx, a.Tenant, c.ID)
	if err != nil || len(list) == 0 {
		return list, err
	}
	return list, s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}

// CaseAttachment returns a document sent with the case's application,
// with its content, for whoever may read the case; the read is
// access-logged. A draft's document is never found this way.
func (s *Service) CaseAttachment(ctx context.Context, a trygg.Actor, caseID, id string) (store.Attachment, error) {
	c, ground, err := s.readableCase(ctx, a, caseID)
	if err != nil {
		return store.Attachment{}, err
	}
	at, err := s.db.AttachmentByID(ctx, a.Tenant, id)
	if trygg.ErrorCode(err) == trygg.ENotFound || (err == nil && at.CaseID != c.ID) {
		return at, trygg.Errorf(trygg.ENotFound, "Attachment not found.")
	} else if err != nil {
		return at, err
	}
	return s.attachmentContent(ctx, a, at, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}

// attachmentContent logs the read and returns the attachment with its
// content.
func (s *Service) attachmentContent(ctx context.Context, a trygg.Actor, at store.Attachment, log audit.Entry) (store.Attachment, error) {
	b, err := s.db.AttachmentContent(ctx, a.Tenant, at.ID)
	if err != nil {
		return at, err
	}
	if err := s.logAccess(ctx, log); err != nil {
		return at, err
	}
	at.Content = b
	return at, nil
}

// Receipt is what a citizen sees after sending an application, and can
// see again: what was sent, when, the case's reference, where it went and
// what happens next.
type Receipt struct {
	Case        store.Case         `json:"case"`
	Title       string             `json:"title"`
	SubmittedAt time.Time          `json:"submitted_at"`
	UnitName    string             `json:"unit_name"`
	Next        string             `json:"next"`
	Form        FormView           `json:"form"`
	Attachments []store.Attachment `json:"attachments"`
	// FormWithheld says the answers are secret towards the person
	// (store.CaseSecrecy): Form holds only the form's name.
	FormWithheld bool `json:"form_withheld,omitempty"`
}

// SubmitApplication sends the person's draft of the application: if its
// form is complete, the case opens in the case type and the unit the
// definition routes it to (assigned to the officer who has the person's
// earlier case, or to the unit's team), with the form saved and signed as
// the citizen's, its attachments, and a notice to the person; the draft
// is gone. If the form has mistakes, nothing is created and the error
// names each field.
func (s *Service) SubmitApplication(ctx context.Context, a trygg.Actor, personID, caseType, lang string) (Receipt, error) {
	w, err := s.applyingFor(ctx, a, personID, caseType, lang)
	if err != nil {
		return Receipt{}, err
	}
	d, err := s.db.ApplicationDraft(ctx, a.Tenant, w.p.ID, caseType)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return Receipt{}, trygg.Errorf(trygg.EConflict, "There is nothing to send yet: fill in the application first.")
	} else if err != nil {
		return Receipt{}, err
	}
	values, err := draftValues(d)
	if err != nil {
		return Receipt{}, err
	}
	st, err := w.comp.EvaluateForm(w.formID, values, w.pctx, lang)
	if err != nil {
		return Receipt{}, err
	}
	if !st.Complete {
		fields := map[string]string{}
		for k, v := range st.Errors {
			fields["values."+k] = v
		}
		return Receipt{}, trygg.Invalid("The application is not complete; correct what is marked and send it again.", fields)
	}
	checked, err := json.Marshal(st.Values)
	if err != nil {
		return Receipt{}, err
	}
	ca := w.ct.CitizenApplication
	c := store.Case{ID: newID(), PersonID: w.p.ID, UnitID: w.route.unit.ID, UnitPath: w.route.unit.Path, CaseType: caseType,
		Title: ca.Title.In("sv"), Status: "open", AssignedTo: w.route.officer}
	comp, err := s.pinCase(ctx, a.Tenant, &c)
	if err != nil {
		return Receipt{}, err
	}
	if comp == nil || comp.Checksum != w.comp.Checksum {
		return Receipt{}, trygg.Errorf(trygg.EConflict, "The application forms changed just now; check the application and send it again.")
	}
	slot := ca.Form.Value
	fe := store.FormEntry{ID: newID(), CaseID: c.ID, FormID: slot, DefinitionVersion: c.DefinitionVersion, Values: d.Values, UpdatedBy: a.UserID}
	var attached int64
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.OpenCase, w.p.ID, c.ID, w.ground, "")}, func(tx *store.Tx) error {
		// The draft as it is now: another tab may have sent it already.
		cur, err := tx.ApplicationDraft(ctx, a.Tenant, w.p.ID, caseType)
		if trygg.ErrorCode(err) == trygg.ENotFound {
			return trygg.Errorf(trygg.EConflict, "The application has already been sent.")
		} else if err != nil {
			return err
		}
		if cur.ID != d.ID || cur.Values != d.Values {
			return trygg.Errorf(trygg.EConflict, "The application changed while it was being sent; check it and send it again.")
		}
		if err := insertCase(ctx, tx, a, comp, &c, map[string]map[string]any{slot: st.Values}); err != nil {
			return err
		}
		if err := tx.SaveFormDraft(ctx, a.Tenant, fe); err != nil {
			return err
		}
		e := events.New(a, events.FormDraftSaved, "form_entry", fe.ID, map[string]any{"form_id": slot, "supersedes": ""})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		if err := tx.SignFormEntry(ctx, a.Tenant, fe.ID, string(checked), a.UserID); err != nil {
			return err
		}
		if err := tx.BumpCase(ctx, a.Tenant, c.ID); err != nil {
			return err
		}
		e = events.New(a, events.FormSigned, "form_entry", fe.ID, map[string]any{"form_id": slot, "supersedes": "",
			"definition_version": c.DefinitionVersion, "by_citizen": true})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		if attached, err = tx.MoveDraftAttachments(ctx, a.Tenant, d.ID, c.ID); err != nil {
			return err
		}
		if err := tx.DeleteApplicationDraft(ctx, a.Tenant, d.ID); err != nil {
			return err
		}
		e = events.New(a, events.ApplicationSubmitted, "case", c.ID, map[string]any{"case_type": caseType, "unit_id": c.UnitID,
			"form_id": slot, "entry_id": fe.ID, "draft_id": d.ID, "attachments": attached, "relation": w.ground,
			"assigned_to": c.AssignedTo})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		if err := applicationTask(ctx, tx, a.Tenant, c); err != nil {
			return err
		}
		e = events.New(a, events.CitizenNotice, "case", c.ID, map[string]any{"kind": "application_received", "message": process.Text{
			SV: "Vi har tagit emot din ansökan: " + ca.Title.In("sv") + ". " + ca.Next.In("sv"),
			EN: "We have received your application: " + ca.Title.In("en") + ". " + ca.Next.In("en")}})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return Receipt{}, err
	}
	return s.ApplicationReceipt(ctx, a, personID, c.ID, lang)
}

// ApplicationReceipt returns the receipt of an application sent online
// for the person: what was sent (the form as signed, the documents),
// when, the case, where it went and what happens next. A case not opened
// by an application from Mina sidor has no receipt (not found). The read
// is access-logged.
func (s *Service) ApplicationReceipt(ctx context.Context, a trygg.Actor, personID, caseID, lang string) (Receipt, error) {
	c, ground, err := s.citizenCase(ctx, a, personID, caseID)
	if err != nil {
		return Receipt{}, err
	}
	evs, err := s.db.CaseEvents(ctx, a.Tenant, c.ID, 1000)
	if err != nil {
		return Receipt{}, err
	}
	var sent *events.Event
	for i := range evs {
		if evs[i].Type == events.ApplicationSubmitted {
			sent = &evs[i]
		}
	}
	if sent == nil {
		return Receipt{}, errCitizenNotFound
	}
	var payload struct {
		FormID  string `json:"form_id"`
		EntryID string `json:"entry_id"`
		UnitID  string `json:"unit_id"`
	}
	if err := json.Unmarshal(sent.Payload, &payload); err != nil {
		return Receipt{}, fmt.Errorf("service: application event %d: %w", sent.Seq, err)
	}
	comp, err := s.compiled(ctx, a.Tenant, c.DefinitionVersion)
	if err != nil {
		return Receipt{}, err
	}
	out := Receipt{Case: c, Title: c.Title, SubmittedAt: sent.At}
	if ct, ok := comp.CaseType(c.CaseType); ok && ct.CitizenApplication != nil {
		out.Title, out.Next = ct.CitizenApplication.Title.In(lang), ct.CitizenApplication.Next.In(lang)
	}
	if u, err := s.db.Unit(ctx, a.Tenant, payload.UnitID); err == nil {
		out.UnitName = u.Name
	}
	entries, err := s.db.FormEntries(ctx, a.Tenant, c.ID)
	if err != nil {
		return Receipt{}, err
	}
	formID := comp.FormFor(c.CaseType, c.UnitPath, payload.FormID)
	f, ok := comp.Form(formID)
	if !ok {
		return Receipt{}, fmt.Errorf("service: receipt form %q not in version %d", formID, c.DefinitionVersion)
	}
	secrecy, err := s.db.CaseSecrecy(ctx, a.Tenant, c.ID)
	if err != nil {
		return Receipt{}, err
	}
	for _, e := range entries {
		if e.ID != payload.EntryID {
			continue
		}
		if _, ok := secrecy.Of(store.SecretForm, e.ID).Withheld(); ok {
			out.Form = FormView{FormID: payload.FormID, Name: f.Name.In(lang), Status: "signed", UpdatedAt: e.SignedAt}
			out.FormWithheld = true
			continue
		}
		var values map[string]any
		if err := json.Unmarshal([]byte(e.Values), &values); err != nil {
			return Receipt{}, fmt.Errorf("service: form entry %s: %w", e.ID, err)
		}
		p, err := s.db.PersonByID(ctx, a.Tenant, c.PersonID)
		if err != nil {
			return Receipt{}, err
		}
		pctx := process.Context{PersonSex: p.Sex, CaseType: c.CaseType, CaseStep: c.Step, CaseOpened: c.OpenedAt, Today: s.db.Now(),
			Roles: []trygg.Role{trygg.RoleCitizen}, Forms: map[string]map[string]any{}}
		if age, ok := p.Identity.Age(c.OpenedAt); ok {
			pctx.PersonAge = age
		}
		st, err := comp.EvaluateForm(formID, values, pctx, lang)
		if err != nil {
			return Receipt{}, err
		}
		out.Form = FormView{FormID: payload.FormID, Name: f.Name.In(lang), Status: "signed", EntryID: e.ID, State: st, Def: f,
			Options: formOptions(comp, f, lang), Given: values, Signed: []store.FormEntry{e}, UpdatedAt: e.SignedAt}
	}
	if out.Attachments, err = s.db.CaseAttachments(ctx, a.Tenant, c.ID); err != nil {
		return Receipt{}, err
	}
	return out, s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}
