package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// PersonInput identifies a person to register: an identity number found in
// the population registry, or a reserve number with names for someone not
// (yet) identified.
type PersonInput struct {
	IdentityNumber string          `json:"identity_number,omitempty"`
	ReserveNumber  string          `json:"reserve_number,omitempty"`
	ReserveIssuer  string          `json:"reserve_issuer,omitempty"`
	GivenName      string          `json:"given_name,omitempty"`
	FamilyName     string          `json:"family_name,omitempty"`
	Address        persons.Address `json:"address"`
}

// identity parses the input's identity; field errors name the JSON fields.
func (in PersonInput) identity(now time.Time) (persons.Identity, error) {
	switch {
	case in.IdentityNumber != "" && in.ReserveNumber != "":
		return persons.Identity{}, trygg.Invalid("Give either an identity number or a reserve number, not both.",
			map[string]string{"reserve_number": "Leave empty when an identity number is given."})
	case in.IdentityNumber != "":
		id, err := persons.ParseIdentityNumber(in.IdentityNumber, now)
		if err != nil {
			return id, trygg.Invalid(trygg.ErrorMessage(err), map[string]string{"identity_number": trygg.ErrorMessage(err)})
		}
		return id, nil
	case in.ReserveNumber != "":
		id, err := persons.ParseReserve(in.ReserveNumber, in.ReserveIssuer)
		if err != nil {
			return id, trygg.Invalid(trygg.ErrorMessage(err), map[string]string{"reserve_number": trygg.ErrorMessage(err)})
		}
		return id, nil
	}
	return persons.Identity{}, trygg.Invalid("An identity number or a reserve number is required.",
		map[string]string{"identity_number": "Required."})
}

// personFromInput builds the person to register: from the population
// registry when it knows the number, otherwise from the names given.
func (s *Service) personFromInput(ctx context.Context, in PersonInput) (persons.Person, error) {
	id, err := in.identity(s.db.Now())
	if err != nil {
		return persons.Person{}, err
	}
	p := persons.Person{ID: newPersonID(), Identity: id, GivenName: strings.TrimSpace(in.GivenName),
		FamilyName: strings.TrimSpace(in.FamilyName), Address: in.Address, Sex: id.Sex()}
	if bd, ok := id.BirthDate(); ok {
		p.BirthDate = bd.Format("2006-01-02")
	}
	if id.Type != persons.IDReserve && s.registry != nil {
		rec, err := s.registry.Lookup(ctx, id)
		switch trygg.ErrorCode(err) {
		case "":
			p.GivenName, p.FamilyName, p.Address, p.Protection = rec.GivenName, rec.FamilyName, rec.Address, rec.Protection
		case trygg.ENotFound:
			if p.GivenName == "" && p.FamilyName == "" {
				return p, trygg.Invalid("The identity number is not in the population registry; enter the person's name.",
					map[string]string{"given_name": "Required when the registry does not know the person.",
						"family_name": "Required when the registry does not know the person."})
			}
		default:
			return p, err
		}
	}
	return p, p.Validate()
}

// PersonView is a person with what the reader may see around them.
type PersonView struct {
	persons.Person
	IdentityNumber string             `json:"identity_number"`
	IdentityType   persons.IDType     `json:"identity_type"`
	Relations      []persons.Relation `json:"relations"`
	Cases          []store.Case       `json:"cases"`
	Ground         access.Relation    `json:"access_ground"`
}

// Person returns the person with id if the actor may read them, with their
// relations and the cases the actor may read, after logging the read.
// An invisible person is not found.
func (s *Service) Person(ctx context.Context, a trygg.Actor, id string) (PersonView, error) {
	p, err := s.db.PersonByID(ctx, a.Tenant, id)
	if err != nil {
		return PersonView{}, err
	}
	rels, err := s.db.PersonRelations(ctx, a, id)
	if err != nil {
		return PersonView{}, err
	}
	ground, err := access.Decide(a, access.ReadPerson, access.Subject{Relations: rels, Protection: p.Protection})
	if err != nil {
		return PersonView{}, err
	}
	return s.personView(ctx, a, p, rels, ground, "")
}

func (s *Service) personView(ctx context.Context, a trygg.Actor, p persons.Person, rels []access.Relation, ground access.Relation, reason string) (PersonView, error) {
	all, err := s.db.CasesOfPerson(ctx, a.Tenant, p.ID)
	if err != nil {
		return PersonView{}, err
	}
	return s.personViewOf(ctx, a, p, rels, ground, reason, all)
}

// personViewOf is personView with the cases of the person read: those of
// all the actor may read are shown and access-logged.
func (s *Service) personViewOf(ctx context.Context, a trygg.Actor, p persons.Person, rels []access.Relation, ground access.Relation, reason string, all []store.Case) (PersonView, error) {
	v := PersonView{Person: p, IdentityNumber: p.Identity.String(), IdentityType: p.Identity.Type, Ground: ground, Cases: []store.Case{}}
	// A protected person's address is theirs and the staff's with
	// permission, never a guardian's or representative's.
	if p.Protection != persons.ProtectionNone && (ground == access.RelGuardian || ground == access.RelRepresentative) {
		v.Address = persons.Address{}
	}
	var err error
	if v.Relations, err = s.db.Relations(ctx, a.Tenant, p.ID); err != nil {
		return v, err
	}
	entries := []audit.Entry{entry(a, access.ReadPerson, p.ID, "", ground, reason)}
	for _, c := range all {
		cg, err := access.Decide(a, access.ReadCase, access.Subject{Relations: access.CaseRelations(a, c.AssignedTo, c.UnitPath, rels), Protection: p.Protection})
		if err != nil {
			continue
		}
		v.Cases = append(v.Cases, c)
		entries = append(entries, entry(a, access.ReadCase, p.ID, c.ID, cg, reason))
	}
	if err := s.logAccess(ctx, entries...); err != nil {
		return PersonView{}, err
	}
	return v, nil
}

// SearchInput is a person search: an identity number or a name.
type SearchInput struct {
	Query string `json:"query"`
	Limit int    `json:"limit,omitempty"`
	// Plan forces where a name search starts, for tests and benchmarks;
	// the zero value lets the store choose (store.PersonQuery).
	Plan store.SearchPlan `json:"-"`
}

// SearchResult is one hit of a person search, with the identity number
// masked so lists never show full numbers.
type SearchResult struct {
	ID             string             `json:"id"`
	GivenName      string             `json:"given_name"`
	FamilyName     string             `json:"family_name"`
	BirthDate      string             `json:"birth_date,omitempty"`
	IdentityMasked string             `json:"identity_masked"`
	Protection     persons.Protection `json:"protection"`
}

// SearchPersons returns the persons matching the query that the actor may
// see; each hit is access-logged. A query that parses as an identity number
// is an exact search, anything else a name search.
func (s *Service) SearchPersons(ctx context.Context, a trygg.Actor, in SearchInput) ([]SearchResult, error) {
	q := strings.TrimSpace(in.Query)
	if q == "" {
		return nil, trygg.Invalid("Enter a name or an identity number.", map[string]string{"query": "Required."})
	}
	if len(q) > 100 {
		return nil, trygg.Invalid("The search text is too long.", map[string]string{"query": "At most 100 characters."})
	}
	pq := store.PersonQuery{Limit: in.Limit, Plan: in.Plan}
	if looksLikeNumber(q) {
		id, err := persons.ParseIdentityNumber(q, s.db.Now())
		if err != nil {
			return nil, trygg.Invalid(trygg.ErrorMessage(err), map[string]string{"query": trygg.ErrorMessage(err)})
		}
		pq.Identity = &id
	} else {
		pq.Name = q
	}
	found, err := s.db.SearchPersons(ctx, a, pq)
	if err != nil {
		return nil, err
	}
	out := make([]SearchResult, 0, len(found))
	entries := make([]audit.Entry, 0, len(found))
	for _, p := range found {
		out = append(out, SearchResult{ID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName, BirthDate: p.BirthDate,
			IdentityMasked: p.Identity.Masked(), Protection: p.Protection})
		entries = append(entries, entry(a, access.SearchPersons, p.ID, "", "search", ""))
	}
	if err := s.logAccess(ctx, entries...); err != nil {
		return nil, err
	}
	return out, nil
}

// looksLikeNumber reports whether q is meant as an identity number: digits
// with at most separators and spaces.
func looksLikeNumber(q string) bool {
	digits := 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == '+' || r == ' ':
		default:
			return false
		}
	}
	return digits > 0
}

// RegisterPersonInput registers a person in a unit where the actor works.
type RegisterPersonInput struct {
	PersonInput
	UnitID string `json:"unit_id"`
}

// RegisterPerson registers a person from the population registry (or with a
// reserve number) on behalf of a unit. The answer is the same whether the
// person was registered before or not, so it tells nobody who is known to
// social services: a person registered before keeps their id, and the
// access log records the lookup on the identity-number ground, which the
// log review lists first. Registering does not let the actor read the
// person: that takes a case.
func (s *Service) RegisterPerson(ctx context.Context, a trygg.Actor, in RegisterPersonInput) (persons.Person, error) {
	unit, err := s.unitForAction(ctx, a, in.UnitID)
	if err != nil {
		return persons.Person{}, err
	}
	if _, err := access.Decide(a, access.RegisterPerson, access.Subject{UnitPath: unit.Path}); err != nil {
		return persons.Person{}, err
	}
	p, err := s.personFromInput(ctx, in.PersonInput)
	if err != nil {
		return p, err
	}
	if _, err := access.Decide(a, access.RegisterPerson, access.Subject{Protection: p.Protection, UnitPath: unit.Path}); err != nil {
		return persons.Person{}, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if known, err := tx.PersonByIdentity(ctx, a.Tenant, p.Identity); err == nil {
			if known.Protection != persons.ProtectionNone && !a.ProtectedIdentity {
				return access.ErrNotForYou
			}
			p.ID = known.ID
			return tx.AppendAccessLog(ctx, []audit.Entry{entry(a, access.RegisterPerson, p.ID, "", access.RelIdentityNumber, "")})
		} else if trygg.ErrorCode(err) != trygg.ENotFound {
			return err
		}
		if err := tx.InsertPerson(ctx, a.Tenant, p); err != nil {
			return err
		}
		e := events.New(a, events.PersonRegistered, "person", p.ID, withTraits(map[string]any{"unit_id": unit.ID, "identity_type": p.Identity.Type}, p.Identity))
		e.PersonID = p.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		return tx.AppendAccessLog(ctx, []audit.Entry{entry(a, access.RegisterPerson, p.ID, "", access.RelUnit, "")})
	})
	if err != nil {
		return persons.Person{}, err
	}
	return p, nil
}

// RelationInput adds a relation: From acts for To.
type RelationInput struct {
	// FromPersonID is the one who acts, a person the actor may read; or
	// FromIdentityNumber names them by full identity number (the explicit
	// path, logged and reviewed as when opening a case), registering them
	// from the population registry if they are new.
	FromPersonID       string               `json:"from_person_id,omitempty"`
	FromIdentityNumber string               `json:"from_identity_number,omitempty"`
	ToPersonID         string               `json:"to_person_id"`
	Kind               persons.RelationKind `json:"kind"`
	ValidFrom          string               `json:"valid_from,omitempty"`
	ValidTo            string               `json:"valid_to,omitempty"`
}

// AddRelation records that one person acts for another. The actor must be
// able to read the person acted for.
func (s *Service) AddRelation(ctx context.Context, a trygg.Actor, in RelationInput) (persons.Relation, error) {
	fields := map[string]string{}
	if !in.Kind.Valid() {
		fields["kind"] = "Must be guardian, representative, god_man or forvaltare."
	}
	for name, v := range map[string]string{"valid_from": in.ValidFrom, "valid_to": in.ValidTo} {
		if v != "" && !validDate(v) {
			fields[name] = "Must be a date YYYY-MM-DD."
		}
	}
	switch {
	case in.FromPersonID == "" && in.FromIdentityNumber == "":
		fields["from_person_id"] = "Give the id or the identity number of the person who acts."
	case in.FromPersonID != "" && in.FromIdentityNumber != "":
		fields["from_identity_number"] = "Give either the id or the identity number of the person who acts, not both."
	}
	if in.FromPersonID != "" && in.FromPersonID == in.ToPersonID {
		fields["from_person_id"] = "A person cannot act for themselves."
	}
	if in.ValidFrom != "" && in.ValidTo != "" && in.ValidTo < in.ValidFrom {
		fields["valid_to"] = "Must not be before valid_from."
	}
	if len(fields) > 0 {
		return persons.Relation{}, trygg.Invalid("The relation is not valid.", fields)
	}
	// Both persons are ones the actor may read (the relation is no way to
	// read either), or the one who acts is named by identity number.
	to, rels, err := s.readablePerson(ctx, a, in.ToPersonID)
	if err != nil {
		return persons.Relation{}, err
	}
	if ground, err := access.Decide(a, access.ReadPerson, access.Subject{Relations: rels, Protection: to.Protection}); err != nil || !(ground == access.RelAssigned || ground == access.RelUnit) {
		return persons.Relation{}, trygg.ErrNotFound
	}
	var from persons.Person
	var newFrom *persons.Person
	fromGround := access.RelAssigned
	if in.FromPersonID != "" {
		if from, _, err = s.readablePerson(ctx, a, in.FromPersonID); trygg.ErrorCode(err) == trygg.ENotFound {
			return persons.Relation{}, trygg.Invalid("The person who acts was not found.", map[string]string{"from_person_id": "No such person."})
		} else if err != nil {
			return persons.Relation{}, err
		}
	} else {
		if from, newFrom, fromGround, err = s.personByNumber(ctx, a, PersonInput{IdentityNumber: in.FromIdentityNumber}); err != nil {
			var te *trygg.Error
			if errors.As(err, &te) && te.Code == trygg.EInvalid && te.Fields["identity_number"] != "" {
				return persons.Relation{}, trygg.Invalid(te.Message, map[string]string{"from_identity_number": te.Fields["identity_number"]})
			}
			return persons.Relation{}, err
		}
		if from.Protection != persons.ProtectionNone && !a.ProtectedIdentity {
			return persons.Relation{}, access.ErrNotForYou
		}
		if from.ID == to.ID {
			return persons.Relation{}, trygg.Invalid("A person cannot act for themselves.", map[string]string{"from_identity_number": "A person cannot act for themselves."})
		}
		in.FromPersonID = from.ID
	}
	r := persons.Relation{ID: newID(), FromPersonID: in.FromPersonID, ToPersonID: in.ToPersonID, Kind: in.Kind, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo}
	if r, err = custodyEnd(r, to, s.db.Now().Format(time.DateOnly)); err != nil {
		return persons.Relation{}, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if newFrom != nil {
			if known, err := tx.PersonByIdentity(ctx, a.Tenant, newFrom.Identity); err == nil {
				r.FromPersonID = known.ID // registered meanwhile
			} else {
				if err := tx.InsertPerson(ctx, a.Tenant, *newFrom); err != nil {
					return err
				}
				e := events.New(a, events.PersonRegistered, "person", newFrom.ID, withTraits(map[string]any{"identity_type": newFrom.Identity.Type}, newFrom.Identity))
				e.PersonID = newFrom.ID
				if _, err := tx.AppendEvent(ctx, e); err != nil {
					return err
				}
			}
		}
		if err := tx.InsertRelation(ctx, a.Tenant, r); err != nil {
			return err
		}
		e := events.New(a, events.RelationAdded, "relation", r.ID, r)
		e.PersonID = r.ToPersonID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		if fromGround == access.RelIdentityNumber {
			return tx.AppendAccessLog(ctx, []audit.Entry{entry(a, access.RegisterPerson, r.FromPersonID, "", access.RelIdentityNumber, "")})
		}
		return nil
	})
	return r, err
}

// EmergencyInput asks to open a person's records in an emergency.
type EmergencyInput struct {
	IdentityNumber string `json:"identity_number"`
	Reason         string `json:"reason"`
}

// EmergencyOpen opens a person's records outside the actor's normal access
// (nödöppning) for a limited time. The reason is required; the opening is
// recorded in the event log and the access log, where it is reviewed first.
func (s *Service) EmergencyOpen(ctx context.Context, a trygg.Actor, in EmergencyInput) (PersonView, error) {
	reason := strings.TrimSpace(in.Reason)
	fields := map[string]string{}
	if len([]rune(reason)) < 10 {
		fields["reason"] = "Describe why you need to open the records (at least 10 characters)."
	} else if len(reason) > 1000 {
		fields["reason"] = "At most 1000 characters."
	}
	id, err := persons.ParseIdentityNumber(in.IdentityNumber, s.db.Now())
	if err != nil {
		fields["identity_number"] = trygg.ErrorMessage(err)
	}
	if len(fields) > 0 {
		return PersonView{}, trygg.Invalid("The emergency opening is not valid.", fields)
	}
	if _, err := access.Decide(a, access.EmergencyOpen, access.Subject{}); err != nil {
		return PersonView{}, err
	}
	var p persons.Person
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		var err error
		if p, err = tx.PersonByIdentity(ctx, a.Tenant, id); err != nil {
			return err
		}
		if _, err := access.Decide(a, access.EmergencyOpen, access.Subject{Protection: p.Protection}); err != nil {
			return err
		}
		openID := newID()
		if err := tx.InsertEmergencyOpening(ctx, a.Tenant, openID, a.UserID, p.ID, reason, tx.Now.Add(s.EmergencyDuration)); err != nil {
			return err
		}
		e := events.New(a, events.EmergencyOpened, "emergency_opening", openID, map[string]any{"expires_at": tx.Now.Add(s.EmergencyDuration)})
		e.PersonID = p.ID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return PersonView{}, err
	}
	rels, err := s.db.PersonRelations(ctx, a, p.ID)
	if err != nil {
		return PersonView{}, err
	}
	return s.personView(ctx, a, p, rels, access.RelEmergency, reason)
}

// validDate reports whether s is a date YYYY-MM-DD.
func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}
