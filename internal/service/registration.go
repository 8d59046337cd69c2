package service

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Registering a report or an application in the staff pages: the officer
// finds the person (by name or identity number, or a new one in the
// population registry by number), chooses a case type their unit takes,
// says the day it was received (today, or earlier), and the case opens
// assigned to them with its first form's draft filled in from what trygg
// knows, as the case type's registration says (process.Registration).
// The rules of opening a case hold (OpenCase): a person by id only if the
// officer may read them; anyone else only by full identity number, the
// explicit path the access log records on the identity_number ground; a
// person with protected identity only with the permission, refused
// without saying why.

// RegistrationInput is a report or application to register.
type RegistrationInput struct {
	// PersonID is a person the actor may read; or IdentityNumber names
	// the person by full identity number (the explicit path), with
	// GivenName and FamilyName when the population registry does not
	// know the number.
	PersonID       string `json:"person_id,omitempty"`
	IdentityNumber string `json:"identity_number,omitempty"`
	GivenName      string `json:"given_name,omitempty"`
	FamilyName     string `json:"family_name,omitempty"`
	UnitID         string `json:"unit_id"`
	CaseType       string `json:"case_type"`
	// ReceivedDate is the day it was received (YYYY-MM-DD): today when
	// empty, never after today.
	ReceivedDate string `json:"received_date,omitempty"`
	// Title is the case's title; empty gives the case type's
	// (process.Compiled.RegistrationTitle).
	Title string `json:"title,omitempty"`
}

// RegistrationChoice is a case type the actor may register in a unit.
type RegistrationChoice struct {
	UnitID       string `json:"unit_id"`
	UnitName     string `json:"unit_name"`
	CaseType     string `json:"case_type"`
	CaseTypeName string `json:"case_type_name"`
	// Title is what the case will be called unless the officer writes
	// another title.
	Title string `json:"title"`
}

// Representative is someone who acts for the person today, by name and
// how they act (guardian, representative, god_man, forvaltare).
type Representative struct {
	Name string               `json:"name"`
	Kind persons.RelationKind `json:"kind"`
}

// RegistrationView is what the registration page shows before the case
// is registered: the person as trygg or the population registry knows
// them, who acts for them, and what the officer may register where.
type RegistrationView struct {
	// PersonID is set for a person the actor may read; a person given by
	// identity number whom the actor may not read is shown as the
	// population registry knows them, without an id.
	PersonID       string          `json:"person_id,omitempty"`
	GivenName      string          `json:"given_name"`
	FamilyName     string          `json:"family_name"`
	IdentityMasked string          `json:"identity_masked"`
	Address        persons.Address `json:"address"`
	// Representatives act for a person the actor may read; for a person
	// by identity number they are filled in once the case is opened.
	Representatives []Representative     `json:"representatives"`
	Choices         []RegistrationChoice `json:"choices"`
	// NeedsName says the population registry does not know the number:
	// the person's names must be given.
	NeedsName bool   `json:"needs_name,omitempty"`
	Today     string `json:"today"`
}

// RegistrationChoices returns the case types the actor may register and
// in which units: each unit (kind unit) where the actor has a case role,
// with the case types the published definitions register there
// (process.Compiled.Registrable), in the units' order. It is forbidden
// for an actor without a case role.
func (s *Service) RegistrationChoices(ctx context.Context, a trygg.Actor, lang string) ([]RegistrationChoice, error) {
	var paths []string
	for _, g := range a.Grants {
		if g.Role == trygg.RoleOfficer || g.Role == trygg.RoleTeamLead {
			paths = append(paths, g.UnitPath)
		}
	}
	if len(paths) == 0 {
		return nil, trygg.Errorf(trygg.EForbidden, "You may not open cases in this unit.")
	}
	comp, err := s.latest(ctx, a.Tenant)
	if err != nil {
		return nil, err
	}
	units, err := s.db.Units(ctx, a.Tenant)
	if err != nil {
		return nil, err
	}
	out := []RegistrationChoice{}
	for _, u := range units {
		if u.Kind != org.KindUnit || !slices.ContainsFunc(paths, func(p string) bool { return org.Contains(p, u.Path) }) {
			continue
		}
		for _, ct := range comp.Bundle.CaseTypes {
			if comp.Registrable(ct.ID.Value, u.Path, string(u.Field)) {
				out = append(out, RegistrationChoice{UnitID: u.ID, UnitName: u.Name, CaseType: ct.ID.Value, CaseTypeName: ct.Name.In(lang),
					Title: comp.RegistrationTitle(ct.ID.Value, "sv")})
			}
		}
	}
	return out, nil
}

// RegistrationForm returns what the registration page shows for the
// person: by id, a person the actor may read (not found otherwise), with
// who acts for them, the reads access-logged; by identity number, the
// person as the population registry knows them (the same answer whether
// social services know them or not; nothing of trygg's records is
// shown, so nothing is logged), or NeedsName when the registry does not
// know the number. A person with protected identity is refused to an
// actor without the permission (access.ErrNotForYou).
func (s *Service) RegistrationForm(ctx context.Context, a trygg.Actor, in RegistrationInput, lang string) (RegistrationView, error) {
	choices, err := s.RegistrationChoices(ctx, a, lang)
	if err != nil {
		return RegistrationView{}, err
	}
	v := RegistrationView{Choices: choices, Representatives: []Representative{}, Today: calendar.Today(s.db.Now())}
	if in.PersonID != "" {
		p, rels, err := s.readablePerson(ctx, a, in.PersonID)
		if err != nil {
			return RegistrationView{}, err
		}
		ground, err := access.Decide(a, access.ReadPerson, access.Subject{Relations: rels, Protection: p.Protection})
		if err != nil {
			return RegistrationView{}, err
		}
		reps, ids, err := s.representatives(ctx, a.Tenant, p.ID)
		if err != nil {
			return RegistrationView{}, err
		}
		v.PersonID, v.GivenName, v.FamilyName, v.IdentityMasked, v.Address = p.ID, p.GivenName, p.FamilyName, p.Identity.Masked(), p.Address
		v.Representatives = reps
		// Who acts for the person is seen by name, as part of the
		// person's record, on the same ground.
		entries := []audit.Entry{entry(a, access.ReadPerson, p.ID, "", ground, "")}
		for _, id := range ids {
			entries = append(entries, entry(a, access.ReadPersonName, id, "", ground, ""))
		}
		return v, s.logAccess(ctx, entries...)
	}
	id, err := (PersonInput{IdentityNumber: in.IdentityNumber}).identity(s.db.Now())
	if err != nil {
		return RegistrationView{}, err
	}
	v.IdentityMasked = id.Masked()
	protection := persons.ProtectionNone
	if known, err := s.db.PersonByIdentity(ctx, a.Tenant, id); err == nil {
		protection = known.Protection
	} else if trygg.ErrorCode(err) != trygg.ENotFound {
		return RegistrationView{}, err
	}
	rec, err := s.registryRecord(ctx, id)
	switch trygg.ErrorCode(err) {
	case "":
		v.GivenName, v.FamilyName, v.Address = rec.GivenName, rec.FamilyName, rec.Address
		protection = max(protection, rec.Protection)
	case trygg.ENotFound:
		v.NeedsName = true
		v.GivenName, v.FamilyName = strings.TrimSpace(in.GivenName), strings.TrimSpace(in.FamilyName)
	default:
		return RegistrationView{}, err
	}
	if protection != persons.ProtectionNone && !a.ProtectedIdentity {
		return RegistrationView{}, access.ErrNotForYou
	}
	return v, nil
}

// registryRecord looks id up in the population registry (not found when
// there is none).
func (s *Service) registryRecord(ctx context.Context, id persons.Identity) (persons.RegistryRecord, error) {
	if s.registry == nil || id.Type == persons.IDReserve {
		return persons.RegistryRecord{}, trygg.ErrNotFound
	}
	return s.registry.Lookup(ctx, id)
}

// representatives returns who acts for the person today, strongest first
// (förvaltare, god man, ombud, then guardians), and their person ids.
func (s *Service) representatives(ctx context.Context, tenant trygg.TenantID, personID string) ([]Representative, []string, error) {
	rels, err := s.db.Relations(ctx, tenant, personID)
	if err != nil {
		return nil, nil, err
	}
	today := calendar.Today(s.db.Now())
	order := []persons.RelationKind{persons.RelForvaltare, persons.RelGodMan, persons.RelRepresentative, persons.RelGuardian}
	rels = slices.DeleteFunc(rels, func(r persons.Relation) bool {
		return r.ToPersonID != personID || (r.ValidFrom != "" && r.ValidFrom > today) || (r.ValidTo != "" && r.ValidTo < today) ||
			!slices.Contains(order, r.Kind)
	})
	slices.SortStableFunc(rels, func(x, y persons.Relation) int {
		return slices.Index(order, x.Kind) - slices.Index(order, y.Kind)
	})
	out := []Representative{}
	var ids []string
	for _, r := range rels {
		if slices.Contains(ids, r.FromPersonID) {
			continue
		}
		p, err := s.db.PersonByID(ctx, tenant, r.FromPersonID)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, Representative{Name: p.GivenName + " " + p.FamilyName, Kind: r.Kind})
		ids = append(ids, p.ID)
	}
	return out, ids, nil
}

// registrationFacts are what the case type's registration expressions
// see: the person, whoever acts for them (all the guardians together, or
// the strongest other representative), and the days.
func registrationFacts(p persons.Person, reps []Representative, received string, now time.Time) process.RegistrationFacts {
	f := process.RegistrationFacts{PersonName: p.GivenName + " " + p.FamilyName, GivenName: p.GivenName, FamilyName: p.FamilyName,
		Sex: p.Sex, ReceivedDate: received, Today: calendar.Today(now)}
	if age, ok := p.Identity.Age(now); ok {
		f.Age = age
	}
	if a := p.Address; a.Street != "" || a.City != "" {
		f.Address = strings.TrimSpace(strings.TrimSuffix(a.Street+", "+strings.TrimSpace(a.PostalCode+" "+a.City), ", "))
	}
	if len(reps) > 0 {
		f.RepresentativeKind = string(reps[0].Kind)
		var names []string
		for _, r := range reps {
			if r.Kind == reps[0].Kind {
				names = append(names, r.Name)
			}
		}
		if reps[0].Kind != persons.RelGuardian {
			names = names[:1]
		}
		f.RepresentativeName = strings.Join(names, ", ")
	}
	return f
}

// RegisterCase registers a report or an application: the case opens in
// the unit, of the case type, assigned to the actor, received on the day
// given (today by default; never after today), with its title, and with
// a draft of the form its registration names filled in from what trygg
// knows. A deadline that counts from the registration's received-date
// field counts from that day at once. The rules are OpenCase's: the unit
// first, then the person (by id only one the actor may read, "not found"
// alike for the rest; by identity number the explicit path, logged on
// the identity_number ground), a protected person refused without saying
// why. A refusal writes nothing.
func (s *Service) RegisterCase(ctx context.Context, a trygg.Actor, in RegistrationInput) (store.Case, error) {
	now := s.db.Now()
	today := calendar.Today(now)
	fields := map[string]string{}
	in.CaseType, in.Title, in.ReceivedDate = strings.TrimSpace(in.CaseType), strings.TrimSpace(in.Title), strings.TrimSpace(in.ReceivedDate)
	if in.CaseType == "" {
		fields["case_type"] = "Required."
	}
	if utf8.RuneCountInString(in.Title) > 200 {
		fields["title"] = "At most 200 characters."
	}
	oneLine(fields, "title", in.Title)
	switch {
	case in.ReceivedDate == "":
		in.ReceivedDate = today
	case !validDate(in.ReceivedDate):
		fields["received_date"] = "Must be a date YYYY-MM-DD."
	case in.ReceivedDate > today:
		fields["received_date"] = "Must not be later than today."
	}
	if in.PersonID == "" && in.IdentityNumber == "" {
		fields["person_id"] = "Give the person's id or identity number."
	}
	if len(fields) > 0 {
		return store.Case{}, trygg.Invalid("The registration is not valid.", fields)
	}
	unit, err := s.unitForAction(ctx, a, in.UnitID)
	if err != nil {
		return store.Case{}, err
	}
	// The unit first: whether the actor may open cases there does not
	// depend on the person, so its refusal tells nothing about them.
	if _, err := access.Decide(a, access.OpenCase, access.Subject{UnitPath: unit.Path}); err != nil {
		return store.Case{}, err
	}
	comp, err := s.latest(ctx, a.Tenant)
	if err != nil {
		return store.Case{}, err
	}
	if !comp.Registrable(in.CaseType, unit.Path, string(unit.Field)) {
		return store.Case{}, trygg.Invalid("The unit does not register cases of this type.",
			map[string]string{"case_type": "Not a case type of the unit."})
	}
	var newPerson *persons.Person
	var p persons.Person
	ground := access.RelAssigned
	if in.PersonID != "" {
		if p, _, err = s.readablePerson(ctx, a, in.PersonID); err != nil {
			if trygg.ErrorCode(err) == trygg.ENotFound {
				return store.Case{}, errNoSuchPerson
			}
			return store.Case{}, err
		}
	} else {
		pin := PersonInput{IdentityNumber: strings.TrimSpace(in.IdentityNumber), GivenName: in.GivenName, FamilyName: in.FamilyName}
		if p, newPerson, ground, err = s.personByNumber(ctx, a, pin); err != nil {
			return store.Case{}, err
		}
	}
	if _, err := access.Decide(a, access.OpenCase, access.Subject{Protection: p.Protection, UnitPath: unit.Path}); err != nil {
		return store.Case{}, err
	}
	c := store.Case{ID: newID(), PersonID: p.ID, UnitID: unit.ID, UnitPath: unit.Path, CaseType: in.CaseType,
		Title: in.Title, Status: "open", AssignedTo: a.UserID, ReceivedDate: in.ReceivedDate}
	if c.Title == "" {
		c.Title = comp.RegistrationTitle(in.CaseType, "sv")
	}
	pinned, err := s.pinCase(ctx, a.Tenant, &c)
	if err != nil {
		return store.Case{}, err
	}
	if pinned == nil || pinned.Checksum != comp.Checksum {
		return store.Case{}, trygg.Errorf(trygg.EConflict, "New process definitions were published just now; register the case again.")
	}
	// The draft of the registration's form, and the received date as
	// signed for the deadlines that count from it.
	var draft *store.FormEntry
	var signed map[string]map[string]any
	if reg := comp.Registration(in.CaseType); reg != nil {
		var reps []Representative
		if newPerson == nil {
			if reps, _, err = s.representatives(ctx, a.Tenant, p.ID); err != nil {
				return store.Case{}, err
			}
		}
		slot, values, _ := comp.RegistrationDraft(in.CaseType, registrationFacts(p, reps, in.ReceivedDate, now))
		values = s.fittingValues(comp, comp.FormFor(c.CaseType, c.UnitPath, slot), values)
		b, err := json.Marshal(values)
		if err != nil {
			return store.Case{}, err
		}
		draft = &store.FormEntry{ID: newID(), CaseID: c.ID, FormID: slot, DefinitionVersion: c.DefinitionVersion, Values: string(b), UpdatedBy: a.UserID}
		if reg.ReceivedDate.Value != "" {
			signed = map[string]map[string]any{slot: {reg.ReceivedDate.Value: in.ReceivedDate}}
		}
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if newPerson != nil {
			// Someone may have registered the person meanwhile.
			if known, err := tx.PersonByIdentity(ctx, a.Tenant, newPerson.Identity); err == nil {
				c.PersonID = known.ID
				newPerson = nil
			}
		}
		if newPerson != nil {
			if err := tx.InsertPerson(ctx, a.Tenant, *newPerson); err != nil {
				return err
			}
			e := events.New(a, events.PersonRegistered, "person", newPerson.ID, withTraits(map[string]any{"unit_id": unit.ID, "identity_type": newPerson.Identity.Type}, newPerson.Identity))
			e.PersonID = newPerson.ID
			if _, err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		if err := insertCase(ctx, tx, a, pinned, &c, signed); err != nil {
			return err
		}
		if draft != nil {
			if err := tx.SaveFormDraft(ctx, a.Tenant, *draft); err != nil {
				return err
			}
			e := events.New(a, events.FormDraftSaved, "form_entry", draft.ID, map[string]any{"form_id": draft.FormID, "supersedes": "",
				"registration": true})
			e.PersonID, e.CaseID = c.PersonID, c.ID
			if _, err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		// The log row commits with the case it shows.
		return tx.AppendAccessLog(ctx, []audit.Entry{entry(a, access.OpenCase, c.PersonID, c.ID, ground, "")})
	})
	if err != nil {
		return store.Case{}, err
	}
	return c, nil
}

// fittingValues returns the values that fit their fields of form as a
// draft may hold them (process.Compiled.StoredValues), leaving out any
// that do not: a registration fills in what it can, and the officer the
// rest.
func (s *Service) fittingValues(comp *process.Compiled, form string, values map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range values {
		if _, err := comp.StoredValues(form, map[string]any{k: v}, "en"); err == nil {
			out[k] = v
		}
	}
	return out
}
