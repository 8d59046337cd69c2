package service

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// definitions caches compiled definition versions. Versions are immutable,
// so an entry never goes stale; which version is newest is asked of the
// database each time, so a publish on one server takes effect on all.
type definitions struct {
	mu       sync.Mutex
	compiled map[string]*process.Compiled // "tenant/version"
	// compiling serialises compiles, so requests arriving together after a
	// start wait for one compile instead of each doing their own.
	compiling sync.Mutex
}

func (s *Service) compiled(ctx context.Context, tenant trygg.TenantID, version int64) (*process.Compiled, error) {
	key := fmt.Sprintf("%s/%d", tenant, version)
	s.defs.mu.Lock()
	c := s.defs.compiled[key]
	s.defs.mu.Unlock()
	if c != nil {
		return c, nil
	}
	s.defs.compiling.Lock()
	defer s.defs.compiling.Unlock()
	s.defs.mu.Lock()
	c = s.defs.compiled[key]
	s.defs.mu.Unlock()
	if c != nil { // compiled while this request waited
		return c, nil
	}
	files, err := s.db.DefinitionFiles(ctx, tenant, version)
	if err != nil {
		return nil, err
	}
	pf := make([]process.File, len(files))
	for i, f := range files {
		pf[i] = process.File{Name: f.Name, Data: []byte(f.Content)}
	}
	b, probs := process.Load(pf)
	if len(probs) == 0 {
		c, probs = process.Compile(b)
	}
	if len(probs) > 0 {
		return nil, fmt.Errorf("service: published definition version %d no longer compiles: %v", version, probs)
	}
	s.defs.mu.Lock()
	if s.defs.compiled == nil {
		s.defs.compiled = map[string]*process.Compiled{}
	}
	s.defs.compiled[key] = c
	s.defs.mu.Unlock()
	return c, nil
}

// DefinitionsInput is a set of definition files to validate or publish.
type DefinitionsInput struct {
	Files []store.DefinitionFile `json:"files"`
	Note  string                 `json:"note,omitempty"`
}

// ValidationResult lists every problem in a set of definitions.
type ValidationResult struct {
	Valid    bool              `json:"valid"`
	Problems []process.Problem `json:"problems"`
	Checksum string            `json:"checksum,omitempty"`
}

func (in DefinitionsInput) files() ([]process.File, error) {
	fields := map[string]string{}
	if len(in.Files) == 0 {
		fields["files"] = "Give at least one definition file."
	}
	seen := map[string]bool{}
	out := make([]process.File, 0, len(in.Files))
	for _, f := range in.Files {
		name := strings.TrimSpace(f.Name)
		switch {
		case name == "" || len(name) > 200 || strings.ContainsAny(name, "\\\x00") || strings.HasPrefix(name, "/") || strings.Contains(name, ".."):
			fields["files"] = "Every file needs a plain relative name (no '..', at most 200 characters)."
		case seen[name]:
			fields["files"] = fmt.Sprintf("The file name %q is given twice.", name)
		}
		seen[name] = true
		out = append(out, process.File{Name: name, Data: []byte(f.Content)})
	}
	if len(fields) > 0 {
		return nil, trygg.Invalid("The definition files are not valid.", fields)
	}
	return out, nil
}

// check loads, validates and compiles files, and checks that the units the
// case types name exist in the tenant.
func (s *Service) check(ctx context.Context, a trygg.Actor, files []process.File) (*process.Compiled, process.Problems, error) {
	b, probs := process.Load(files)
	if len(probs) == 0 {
		var c *process.Compiled
		if c, probs = process.Compile(b); c != nil {
			units, err := s.db.Units(ctx, a.Tenant)
			if err != nil {
				return nil, nil, err
			}
			known := map[string]bool{}
			for _, u := range units {
				known[u.ID] = true
			}
			for _, ct := range b.CaseTypes {
				units := append([]process.Str{}, ct.Units...)
				for _, vr := range ct.Variants {
					units = append(units, vr.Units...)
				}
				if ca := ct.CitizenApplication; ca != nil && ca.Unit.Value != "" {
					units = append(units, ca.Unit)
				}
				for _, u := range units {
					if !known[u.Value] {
						probs = append(probs, process.UnknownUnit(u))
					}
				}
			}
			if len(probs) == 0 {
				return c, nil, nil
			}
		}
	}
	return nil, probs, nil
}

// ValidateDefinitions reports every problem in the files without saving
// anything. A process designer may.
func (s *Service) ValidateDefinitions(ctx context.Context, a trygg.Actor, in DefinitionsInput) (ValidationResult, error) {
	if _, err := access.Decide(a, access.PublishDefinitions, access.Subject{}); err != nil {
		return ValidationResult{}, err
	}
	files, err := in.files()
	if err != nil {
		return ValidationResult{}, err
	}
	c, probs, err := s.check(ctx, a, files)
	if err != nil {
		return ValidationResult{}, err
	}
	res := ValidationResult{Valid: c != nil, Problems: probs}
	if res.Problems == nil {
		res.Problems = []process.Problem{}
	}
	if c != nil {
		res.Checksum = c.Checksum
	}
	return res, nil
}

// PublishDefinitions publishes the files as a new immutable version, if
// they are valid. Cases already running keep their version; new cases get
// this one. The event records the author and a diff against the previous
// version.
func (s *Service) PublishDefinitions(ctx context.Context, a trygg.Actor, in DefinitionsInput) (store.DefinitionVersion, error) {
	if _, err := access.Decide(a, access.PublishDefinitions, access.Subject{}); err != nil {
		return store.DefinitionVersion{}, err
	}
	if len(in.Note) > 1000 {
		return store.DefinitionVersion{}, trygg.Invalid("The note is too long.", map[string]string{"note": "At most 1000 characters."})
	}
	files, err := in.files()
	if err != nil {
		return store.DefinitionVersion{}, err
	}
	c, probs, err := s.check(ctx, a, files)
	if err != nil {
		return store.DefinitionVersion{}, err
	}
	if len(probs) > 0 {
		fields := map[string]string{}
		for i, p := range probs {
			if i == 20 {
				break
			}
			fields[fmt.Sprintf("%s:%d:%d", p.Pos.File, p.Pos.Line, p.Pos.Column)] = p.Message
		}
		return store.DefinitionVersion{}, trygg.Invalid(fmt.Sprintf("The definitions have %d problems and were not published.", len(probs)), fields)
	}
	latest, err := s.db.LatestDefinitionVersion(ctx, a.Tenant)
	if err != nil {
		return store.DefinitionVersion{}, err
	}
	var previous []store.DefinitionFile
	if latest > 0 {
		if previous, err = s.db.DefinitionFiles(ctx, a.Tenant, latest); err != nil {
			return store.DefinitionVersion{}, err
		}
		prev := map[string][]byte{}
		for _, f := range previous {
			prev[f.Name] = []byte(f.Content)
		}
		if process.Checksum(prev) == c.Checksum {
			return store.DefinitionVersion{}, trygg.Errorf(trygg.EConflict, "These definitions are the same as the published version %d; nothing to publish.", latest)
		}
	}
	sf := make([]store.DefinitionFile, len(files))
	for i, f := range files {
		sf[i] = store.DefinitionFile{Name: f.Name, Content: string(f.Data)}
	}
	var dv store.DefinitionVersion
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		var err error
		dv, err = tx.InsertDefinitionVersion(ctx, a.Tenant, store.DefinitionVersion{Checksum: c.Checksum, PublishedBy: a.UserID, Note: in.Note}, sf)
		if err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, events.New(a, events.DefinitionsPublished, "definitions", fmt.Sprint(dv.Version), map[string]any{
			"version": dv.Version, "checksum": dv.Checksum, "note": dv.Note, "diff": process.Diff(fileMap(previous), fileMap(sf))}))
		return err
	})
	return dv, err
}

// DefinitionVersions lists the published versions; any staff member may.
func (s *Service) DefinitionVersions(ctx context.Context, a trygg.Actor) ([]store.DefinitionVersion, error) {
	return s.db.DefinitionVersions(ctx, a.Tenant)
}

// DefinitionFiles returns the files of a published version, for export
// to another installation and for review.
func (s *Service) DefinitionFiles(ctx context.Context, a trygg.Actor, version int64) ([]store.DefinitionFile, error) {
	return s.db.DefinitionFiles(ctx, a.Tenant, version)
}

// pinCase sets the case's process version and start step when its case
// type is defined in the newest published version, and returns that
// version (nil when the case type has no process).
func (s *Service) pinCase(ctx context.Context, tenant trygg.TenantID, c *store.Case) (*process.Compiled, error) {
	latest, err := s.db.LatestDefinitionVersion(ctx, tenant)
	if err != nil || latest == 0 {
		return nil, err
	}
	comp, err := s.compiled(ctx, tenant, latest)
	if err != nil {
		return nil, err
	}
	start, ok := comp.Start(c.CaseType)
	if !ok {
		return nil, nil
	}
	if !comp.UnitAllowed(c.CaseType, c.UnitPath) {
		return nil, trygg.Invalid("This unit does not use the case type.", map[string]string{"unit_id": fmt.Sprintf("Cases of type %q are not handled here.", c.CaseType)})
	}
	c.DefinitionVersion, c.Step = latest, start
	return comp, nil
}

// caseWork is what working on a case needs: the case, its person's facts,
// its process and its forms.
type caseWork struct {
	c       store.Case
	comp    *process.Compiled
	ctx     process.Context
	signed  map[string]bool
	drafts  map[string]store.FormEntry
	entries []store.FormEntry
	// household is the household of the case's person, for a form's
	// group that proposes its rows from it (householdProposals).
	household householdFunc
}

// loadWork reads a case the actor may work on (write=true) or read, with
// what its process needs.
func (s *Service) loadWork(ctx context.Context, a trygg.Actor, caseID string, write bool) (*caseWork, access.Relation, error) {
	c, p, ground, decisions, err := s.caseForWork(ctx, a, caseID, write)
	if err != nil {
		return nil, "", err
	}
	if c.DefinitionVersion == 0 {
		return nil, "", trygg.Errorf(trygg.EConflict, "The case type %q has no published process, so the case cannot be moved or have forms.", c.CaseType)
	}
	comp, err := s.compiled(ctx, a.Tenant, c.DefinitionVersion)
	if err != nil {
		return nil, "", err
	}
	now := s.db.Now()
	w := &caseWork{c: c, comp: comp, signed: map[string]bool{}, drafts: map[string]store.FormEntry{},
		household: s.householdLater(ctx, a, p, c.ID, ground)}
	w.ctx = process.Context{PersonSex: p.Sex, CaseType: c.CaseType, CaseStep: c.Step, CaseOpened: c.OpenedAt,
		Today: now, Forms: map[string]map[string]any{}}
	if age, ok := p.Identity.Age(now); ok {
		w.ctx.PersonAge = age
	}
	// Only the roles the actor has in the case's unit (or above it) count:
	// a team lead elsewhere is an officer here.
	for _, g := range a.Grants {
		if org.Contains(g.UnitPath, c.UnitPath) && !slices.Contains(w.ctx.Roles, g.Role) {
			w.ctx.Roles = append(w.ctx.Roles, g.Role)
		}
	}
	if decisions >= 0 {
		w.ctx.Decisions = decisions
	} else if w.ctx.Decisions, err = s.db.CountFinalDecisions(ctx, a.Tenant, c.ID); err != nil {
		return nil, "", err
	}
	if w.entries, err = s.db.FormEntries(ctx, a.Tenant, c.ID); err != nil {
		return nil, "", err
	}
	superseded := map[string]bool{}
	for _, e := range w.entries {
		if e.Status == "signed" && e.Supersedes != "" {
			superseded[e.Supersedes] = true
		}
	}
	for _, e := range w.entries {
		switch e.Status {
		case "signed":
			// The signed entry no correction supersedes counts, whatever
			// the clocks of the servers that signed them said.
			if superseded[e.ID] {
				continue
			}
			var vals map[string]any
			if err := json.Unmarshal([]byte(e.Values), &vals); err != nil {
				return nil, "", fmt.Errorf("service: form entry %s: %w", e.ID, err)
			}
			w.ctx.Forms[e.FormID] = vals
			w.signed[e.FormID] = true
		case "draft":
			w.drafts[e.FormID] = e
		}
	}
	return w, ground, nil
}

// caseForWork is caseFor for loadWork, with the case's final decisions
// (-1: not read). For staff it reads the case, its person, the actor's
// emergency opening and the decisions in one query (store.DB.CaseWork)
// instead of four: every transition and form sends it before its
// transaction (docs/benchmarks.md, "Fewer statements per write").
func (s *Service) caseForWork(ctx context.Context, a trygg.Actor, caseID string, work bool) (store.Case, persons.Person, access.Relation, int, error) {
	if access.ReadScope(a).SelfPersonID != "" {
		c, p, ground, err := s.caseFor(ctx, a, caseID, work)
		return c, p, ground, -1, err
	}
	cw, err := s.db.CaseWork(ctx, a, caseID)
	if err != nil {
		return cw.Case, persons.Person{}, "", 0, err
	}
	var personRels []access.Relation
	if cw.Emergency {
		personRels = append(personRels, access.RelEmergency)
	}
	c, ground, err := decideCase(a, cw.Case, cw.Person.Protection, personRels, work)
	if err == nil && citizenGround(ground) {
		return c, persons.Person{}, "", 0, trygg.Errorf(trygg.ENotFound, "Not found.")
	}
	return c, cw.Person, ground, cw.FinalDecisions, err
}

// TransitionInput asks to move a case.
type TransitionInput struct {
	Transition string `json:"transition"`
}

// Transition moves the case along a transition of its process, if the
// actor may work on the case and the engine allows it now: right step,
// right role, required forms signed, guard true. The move and its actions
// happen in one transaction with their events.
func (s *Service) Transition(ctx context.Context, a trygg.Actor, caseID string, in TransitionInput, lang string) (store.Case, error) {
	if strings.TrimSpace(in.Transition) == "" {
		return store.Case{}, trygg.Invalid("Say which transition to take.", map[string]string{"transition": "Required."})
	}
	w, ground, err := s.loadWork(ctx, a, caseID, true)
	if err != nil {
		return store.Case{}, err
	}
	move, err := w.comp.Transition(w.c.CaseType, in.Transition, w.ctx, w.signed, lang)
	if err != nil {
		return store.Case{}, err
	}
	closes := move.Final || slices.Contains(move.Actions, process.ActionCloseCase)
	exts, err := s.extensions(ctx, a.Tenant, w, move)
	if err != nil {
		return store.Case{}, err
	}
	// Staying in a step is not entering it again: its deadlines run on.
	stays := move.To == w.c.Step
	var existing []store.Decision
	if slices.Contains(move.Actions, process.ActionCreateDecisions) {
		if existing, err = s.db.Decisions(ctx, a.Tenant, w.c.ID); err != nil {
			return store.Case{}, err
		}
	}
	var orders []store.Order
	if slices.Contains(move.Actions, process.ActionCreateOrders) {
		if orders, err = s.prepareOrders(ctx, a, w); err != nil {
			return store.Case{}, err
		}
	}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, w.c.PersonID, w.c.ID, ground, "")}, func(tx *store.Tx) error {
		if err := tx.MoveCase(ctx, a.Tenant, w.c.ID, w.c.Revision, move.To, closes); err != nil {
			return err
		}
		e := events.New(a, events.CaseTransitioned, "case", w.c.ID, move)
		e.PersonID, e.CaseID = w.c.PersonID, w.c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		if !stays {
			if err := applyDeadlines(ctx, tx, a, w.comp, w.c, move.To, false, w.ctx.Forms); err != nil {
				return err
			}
		}
		if err := applyActions(ctx, tx, a, w.c, move); err != nil {
			return err
		}
		if err := extendDeadlines(ctx, tx, a, w.c, exts); err != nil {
			return err
		}
		if err := draftDecisions(ctx, tx, a, w, move, existing); err != nil {
			return err
		}
		if err := sendOrders(ctx, tx, a, orders); err != nil {
			return err
		}
		if closes {
			w.c.ClosedAt = tx.Now
			if err := tx.CancelCaseTimers(ctx, a.Tenant, w.c.ID); err != nil {
				return err
			}
			if err := endCaseOrders(ctx, tx, a, w.c.ID, "The case was closed."); err != nil {
				return err
			}
			e := events.New(a, events.CaseClosed, "case", w.c.ID, map[string]any{"step": move.To})
			e.PersonID, e.CaseID = w.c.PersonID, w.c.ID
			_, err := tx.AppendEvent(ctx, e)
			return err
		}
		return nil
	})
	if err != nil {
		return store.Case{}, err
	}
	w.c.Step = move.To
	if closes {
		w.c.Status = "closed"
	}
	return w.c, nil
}

// FormView is a form on a case as the actor sees it now.
type FormView struct {
	FormID    string            `json:"form_id"`
	Name      string            `json:"name"`
	Status    string            `json:"status"` // empty, draft or signed
	EntryID   string            `json:"entry_id,omitempty"`
	State     process.FormState `json:"state"`
	Signed    []store.FormEntry `json:"signed"`
	UpdatedAt time.Time         `json:"updated_at,omitzero"`
	// Def is the form as the case's unit fills it, and Options the codes
	// of the code systems its fields choose from, for rendering it.
	Def     *process.Form       `json:"-"`
	Options map[string][]Choice `json:"-"`
	// Given are the values as the officer gave them (mistakes included),
	// so a page can show what was typed next to its message.
	Given map[string]any `json:"-"`
	// Household are the rows groups without rows propose from the
	// registry's household of the person, by field, for the person
	// filling in the form to confirm (process.Household).
	Household map[string][]process.HouseholdRow `json:"-"`
}

// CaseProcess is where a case stands in its process.
type CaseProcess struct {
	Case        store.Case          `json:"case"`
	Steps       []StepView          `json:"steps"`
	Transitions []process.Available `json:"transitions"`
	Forms       []FormView          `json:"forms"`
	// Timers are the case's deadline timers: pending, fired and cancelled.
	Timers []store.Timer `json:"timers"`
}

// StepView is one step of the process, marked if it is the current one.
type StepView struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Current bool   `json:"current"`
	Final   bool   `json:"final"`
}

// CaseProcess returns the case's steps, the transitions out of its step
// with whether the actor may take them now, and its forms. The read is
// access-logged.
func (s *Service) CaseProcess(ctx context.Context, a trygg.Actor, caseID, lang string) (CaseProcess, error) {
	w, ground, err := s.loadWork(ctx, a, caseID, false)
	if err != nil {
		return CaseProcess{}, err
	}
	out, err := s.caseProcess(ctx, a, w, lang)
	if err != nil {
		return CaseProcess{}, err
	}
	return out, s.logAccess(ctx, entry(a, access.ReadCase, w.c.PersonID, w.c.ID, ground, ""))
}

// formView shows the case's form in slot formID, filled in the form the
// case's unit uses for it (its own variant, if any).
func (s *Service) formView(w *caseWork, formID, lang string) (FormView, error) {
	f, ok := w.comp.Form(w.comp.FormFor(w.c.CaseType, w.c.UnitPath, formID))
	if !ok {
		return FormView{}, trygg.Errorf(trygg.ENotFound, "The case's process has no form %q.", formID)
	}
	fv := FormView{FormID: formID, Name: f.Name.In(lang), Signed: []store.FormEntry{}, Def: f, Options: formOptions(w.comp, f, lang)}
	values := w.ctx.Forms[formID]
	if d, ok := w.drafts[formID]; ok {
		// A draft holds the values as the officer gave them, mistakes
		// included, so they show until corrected; it replaces the signed
		// entry's values wholly.
		values = nil
		if err := json.Unmarshal([]byte(d.Values), &values); err != nil {
			return fv, fmt.Errorf("service: form draft %s: %w", d.ID, err)
		}
		fv.Status, fv.EntryID, fv.UpdatedAt = "draft", d.ID, d.UpdatedAt
	} else if w.signed[formID] {
		fv.Status = "signed"
	}
	for _, e := range w.entries {
		if e.FormID == formID && e.Status == "signed" {
			fv.Signed = append(fv.Signed, e)
			if fv.Status == "signed" {
				fv.EntryID, fv.UpdatedAt = e.ID, e.SignedAt
			}
		}
	}
	st, err := w.comp.EvaluateForm(f.ID.Value, values, w.ctx, lang)
	if err != nil {
		return fv, err
	}
	// A value kept before drafts were checked (thousands of rows, say)
	// is not shown as given, only its field's message.
	fv.State, fv.Given = st, w.comp.GivenValues(f.ID.Value, values)
	if fv.Status != "signed" {
		if fv.Household, err = householdProposals(w.comp, f.ID.Value, st.Values, lang, w.household); err != nil {
			return fv, err
		}
	}
	return fv, nil
}

// FormInput is a form's values as the officer filled them.
type FormInput struct {
	Values map[string]any `json:"values"`
}

// SaveForm saves the actor's values as the case's draft of the form
// (autosave) and returns the server's verdict: what is shown, required and
// wrong. A draft may be incomplete but every value must fit its field
// (process.StoredValues); if one does not, nothing is saved, and it returns
// an invalid error naming each such field ("values.<field>") together with
// the form showing the values as given, for a page. Signed entries are
// never changed: a draft after signing becomes a correction that
// supersedes the signed one.
func (s *Service) SaveForm(ctx context.Context, a trygg.Actor, caseID, formID string, in FormInput, lang string) (FormView, error) {
	w, ground, err := s.loadWork(ctx, a, caseID, true)
	if err != nil {
		return FormView{}, err
	}
	if _, ok := w.comp.Form(formID); !ok {
		return FormView{}, trygg.Errorf(trygg.ENotFound, "The case's process has no form %q.", formID)
	}
	in.Values = maps.Clone(in.Values) // the caller's map stays as it was
	if in.Values == nil {
		in.Values = map[string]any{}
	}
	// Fields the actor's roles may not see keep the values others gave.
	prior, err := w.priorValues(formID)
	if err != nil {
		return FormView{}, err
	}
	for _, k := range w.comp.RoleHiddenFields(w.comp.FormFor(w.c.CaseType, w.c.UnitPath, formID), w.ctx.Roles) {
		if v, ok := prior[k]; ok {
			in.Values[k] = v
		} else {
			delete(in.Values, k)
		}
	}
	// A draft may be incomplete, never hold what the form cannot: a value
	// that does not fit its field is refused, and the draft stays as it
	// was.
	values, err := w.comp.StoredValues(w.comp.FormFor(w.c.CaseType, w.c.UnitPath, formID), in.Values, lang)
	if trygg.ErrorCode(err) == trygg.EInvalid {
		return s.refusedView(ctx, a, w, ground, formID, in.Values, lang, err)
	} else if err != nil {
		return FormView{}, err
	}
	st, err := w.comp.EvaluateForm(w.comp.FormFor(w.c.CaseType, w.c.UnitPath, formID), values, w.ctx, lang)
	if err != nil {
		return FormView{}, err
	}
	// A person field must name a registered person.
	for _, k := range w.comp.PersonFields(w.comp.FormFor(w.c.CaseType, w.c.UnitPath, formID)) {
		if id, _ := st.Values[k].(string); id != "" {
			if _, err := s.db.PersonByID(ctx, a.Tenant, id); trygg.ErrorCode(err) == trygg.ENotFound {
				return FormView{}, trygg.Invalid("The form names a person who is not registered.", map[string]string{"values." + k: "No such person."})
			} else if err != nil {
				return FormView{}, err
			}
		}
	}
	// The draft keeps the values as given, so a value with a mistake (a
	// required field left empty, a validation not met) is not lost but
	// shown with its message until it is corrected; only a complete form
	// can be signed, and the signed entry keeps the checked values.
	vals, err := json.Marshal(values)
	if err != nil {
		return FormView{}, err
	}
	d, exists := w.drafts[formID]
	if !exists {
		d = store.FormEntry{ID: newID(), CaseID: w.c.ID, FormID: formID}
		for _, e := range w.entries {
			if e.FormID == formID && e.Status == "signed" {
				d.Supersedes = e.ID
			}
		}
	}
	d.DefinitionVersion, d.Values, d.UpdatedBy = w.c.DefinitionVersion, string(vals), a.UserID
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, w.c.PersonID, w.c.ID, ground, "")}, func(tx *store.Tx) error {
		if err := tx.SaveFormDraft(ctx, a.Tenant, d); err != nil {
			return err
		}
		e := events.New(a, events.FormDraftSaved, "form_entry", d.ID, map[string]any{"form_id": formID, "supersedes": d.Supersedes})
		e.PersonID, e.CaseID = w.c.PersonID, w.c.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return FormView{}, err
	}
	w.drafts[formID] = d
	return s.formView(w, formID, lang)
}

// refusedView returns the form as a refused save left it (the draft as it
// was) but showing the values as given, each mistake at its field, so a
// page can show them where they were typed; with refusal, the save's
// error. The read is access-logged.
func (s *Service) refusedView(ctx context.Context, a trygg.Actor, w *caseWork, ground access.Relation, formID string, given map[string]any, lang string, refusal error) (FormView, error) {
	fv, err := s.formView(w, formID, lang)
	if err != nil {
		return FormView{}, err
	}
	if fv.State, err = w.comp.EvaluateForm(fv.Def.ID.Value, given, w.ctx, lang); err != nil {
		return FormView{}, err
	}
	fv.Given = w.comp.GivenValues(fv.Def.ID.Value, given)
	if err := s.logAccess(ctx, entry(a, access.ReadCase, w.c.PersonID, w.c.ID, ground, "")); err != nil {
		return FormView{}, err
	}
	return fv, refusal
}

// SignForm signs the case's draft of the form. It refuses while the form
// has errors (each reported at its field); once signed the entry never
// changes.
func (s *Service) SignForm(ctx context.Context, a trygg.Actor, caseID, formID, lang string) (FormView, error) {
	w, ground, err := s.loadWork(ctx, a, caseID, true)
	if err != nil {
		return FormView{}, err
	}
	d, ok := w.drafts[formID]
	if !ok {
		return FormView{}, trygg.Errorf(trygg.EConflict, "There is no draft of this form to sign.")
	}
	var values map[string]any
	if err := json.Unmarshal([]byte(d.Values), &values); err != nil {
		return FormView{}, err
	}
	st, err := w.comp.EvaluateForm(w.comp.FormFor(w.c.CaseType, w.c.UnitPath, formID), values, w.ctx, lang)
	if err != nil {
		return FormView{}, err
	}
	if !st.Complete {
		fields := map[string]string{}
		for k, v := range st.Errors {
			fields["values."+k] = v
		}
		return FormView{}, trygg.Invalid("The form is not complete and cannot be signed.", fields)
	}
	// Fields the signer's roles may not see are signed as others left them,
	// checked as those others would see them.
	formDef := w.comp.FormFor(w.c.CaseType, w.c.UnitPath, formID)
	if hidden := w.comp.RoleHiddenFields(formDef, w.ctx.Roles); len(hidden) > 0 {
		all := w.ctx
		all.Roles = trygg.Roles
		full, err := w.comp.EvaluateForm(formDef, values, all, lang)
		if err != nil {
			return FormView{}, err
		}
		for _, k := range hidden {
			if msg := full.Errors[k]; msg != "" && values[k] != nil {
				return FormView{}, trygg.Errorf(trygg.EConflict, "A field you do not see has a value with a mistake (%s); ask a colleague who sees it to correct it.", k)
			}
			if v, ok := full.Values[k]; ok {
				st.Values[k] = v
			}
		}
	}
	vals, err := json.Marshal(st.Values)
	if err != nil {
		return FormView{}, err
	}
	// A deadline counted from a date in the form follows the signed date,
	// never a draft's: the signed entry is the record the deadline can be
	// traced to, and a half-typed date does not move it.
	moves, err := s.recounts(ctx, a.Tenant, w, formID, st.Values)
	if err != nil {
		return FormView{}, err
	}
	// Draft decisions drafted from the form follow it (draftsFollowForm),
	// reading its values as stored.
	decisions, err := s.db.Decisions(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return FormView{}, err
	}
	var signedValues map[string]any
	if err := json.Unmarshal(vals, &signedValues); err != nil {
		return FormView{}, err
	}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, w.c.PersonID, w.c.ID, ground, "")}, func(tx *store.Tx) error {
		if err := tx.SignFormEntry(ctx, a.Tenant, d.ID, string(vals), a.UserID); err != nil {
			return err
		}
		if err := recountDeadlines(ctx, tx, a, w.c, moves); err != nil {
			return err
		}
		if err := draftsFollowForm(ctx, tx, a, w, formID, signedValues, decisions); err != nil {
			return err
		}
		if err := tx.BumpCase(ctx, a.Tenant, w.c.ID); err != nil {
			return err
		}
		e := events.New(a, events.FormSigned, "form_entry", d.ID, map[string]any{"form_id": formID, "supersedes": d.Supersedes,
			"definition_version": w.c.DefinitionVersion, "codes": assessedCodes(w.comp, formID, signedValues)})
		e.PersonID, e.CaseID = w.c.PersonID, w.c.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return FormView{}, err
	}
	w2, _, err := s.loadWork(ctx, a, caseID, false)
	if err != nil {
		return FormView{}, err
	}
	return s.formView(w2, formID, lang)
}

func fileMap(files []store.DefinitionFile) map[string]string {
	m := make(map[string]string, len(files))
	for _, f := range files {
		m[f.Name] = f.Content
	}
	return m
}

// ActorByUsername returns the actor for a user, for the CLI acting on a
// named person's behalf (publishing definitions with them as author).
func (s *Service) ActorByUsername(ctx context.Context, tenant trygg.TenantID, username string) (trygg.Actor, error) {
	u, err := s.db.UserByUsername(ctx, tenant, username)
	if err != nil {
		return trygg.Actor{}, err
	}
	return s.actorOf(ctx, tenant, u)
}

// priorValues returns the form's values as they stand: the draft's, else
// the signed entry's.
func (w *caseWork) priorValues(formID string) (map[string]any, error) {
	if d, ok := w.drafts[formID]; ok {
		var v map[string]any
		if err := json.Unmarshal([]byte(d.Values), &v); err != nil {
			return nil, fmt.Errorf("service: form draft %s: %w", d.ID, err)
		}
		return v, nil
	}
	return w.ctx.Forms[formID], nil
}

// WarmDefinitions compiles every tenant's newest definitions, so the first
// requests after a start do not wait for it.
func (s *Service) WarmDefinitions(ctx context.Context) error {
	tenants, err := s.db.Tenants(ctx)
	if err != nil {
		return err
	}
	for _, t := range tenants {
		v, err := s.db.LatestDefinitionVersion(ctx, t.ID)
		if err != nil {
			return err
		}
		if v > 0 {
			if _, err := s.compiled(ctx, t.ID, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// formOptions returns the codes of every code system the form's fields
// (and their rows' fields) choose from.
func formOptions(comp *process.Compiled, f *process.Form, lang string) map[string][]Choice {
	out := map[string][]Choice{}
	var add func(fields []process.Field)
	add = func(fields []process.Field) {
		for _, fd := range fields {
			if cs := fd.CodeSystem.Value; cs != "" && out[cs] == nil {
				for _, c := range comp.Codes(cs) {
					out[cs] = append(out[cs], Choice{Code: c.Code.Value, Label: c.Label.In(lang), Parent: comp.CodeParent(cs, c.Code.Value)})
				}
			}
			add(fd.Fields)
		}
	}
	for _, sec := range f.Sections {
		add(sec.Fields)
	}
	return out
}
